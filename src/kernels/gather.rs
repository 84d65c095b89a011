//! The loops of `gather`, `scatter` and their relatives (`index_select`, `index_add`, `take`,
//! `put`, ...), which the op layer expresses as a gather or a scatter along one dim with an int64
//! index tensor (possibly expanded: stride 0 where one index serves a whole line).
//!
//! Index values are checked once, up front, by [`check_index`], which returns a
//! [`CheckedIndex`]: the kernels take only that, so they never read or write out of bounds, and a
//! failed in-place op has written nothing. Negative values, where an op allows them, count from
//! the end of the dim.
//!
//! A scatter writes each destination element from the positions that share all coordinates but
//! the scattered dim's: one *line*. Lines are handed to threads in fixed blocks and each line is
//! walked in order along the dim by one thread, so repeated indices combine in the same order
//! whatever the thread count (the last write wins for a plain scatter; sums are deterministic).

use crate::dtype::{DType, Element};
use crate::error::{Error, Result};
use crate::kernels::engine::CHUNK;
use crate::strided::{Coalesced, SendPtr};
use crate::tensor::Tensor;
use crate::threads;

/// An int64 index tensor whose values were all checked against a dim's size.
#[derive(Clone)]
pub struct CheckedIndex {
    index: Tensor,
    size: usize,
}

impl CheckedIndex {
    /// The index tensor (int64).
    pub fn tensor(&self) -> &Tensor {
        &self.index
    }

    /// A copy of the checked values in memory of their own (for a destination that shares the
    /// index's memory).
    pub fn copied(&self) -> Result<CheckedIndex> {
        Ok(CheckedIndex {
            index: self.index.clone_contiguous()?,
            size: self.size,
        })
    }

    /// The values with negative ones wrapped to count from the end (a new contiguous tensor of
    /// the same shape): the index as ops that refuse negative values take it.
    pub fn wrapped(&self) -> Result<Tensor> {
        let vals = self.index.contiguous()?;
        let n = vals.numel();
        // SAFETY: `vals` is a contiguous int64 tensor of `n` elements (the checked index is
        // int64), alive and unwritten while `data` lives.
        let data = unsafe { std::slice::from_raw_parts(vals.data_ptr() as *const i64, n) };
        let size = self.size as i64;
        let mut out = crate::storage::try_vec(n)?;
        out.extend(data.iter().map(|&v| if v < 0 { v + size } else { v }));
        Tensor::from_vec(out, self.index.shape())
    }

    /// The same checked values seen through another layout of the same elements (an expanded
    /// or reshaped view of them): `f` must only rearrange, never add elements.
    pub fn map_view(&self, f: impl FnOnce(&Tensor) -> Result<Tensor>) -> Result<CheckedIndex> {
        let index = f(&self.index)?;
        if !index.shares_storage(&self.index) && index.numel() != 0 {
            return Err(Error::Runtime(
                "internal error: a checked index view must share its storage".into(),
            ));
        }
        Ok(CheckedIndex {
            index,
            size: self.size,
        })
    }
}

/// Checks every value of `index` (any integer dtype; converted to int64) against a dim of `size`:
/// `0 <= v < size`, or `-size <= v < size` when `negative`. Returns the checked index, or the
/// first bad value in row-major order.
pub fn check_index(
    index: &Tensor,
    size: usize,
    negative: bool,
) -> Result<std::result::Result<CheckedIndex, i64>> {
    let index = index.to_dtype(DType::Int64)?;
    let flat = index.contiguous()?;
    let n = flat.numel();
    let p = SendPtr(flat.data_ptr() as *mut i64);
    let lo = if negative { -(size as i64) } else { 0 };
    let hi = size as i64;
    let chunks = n.div_ceil(CHUNK);
    let bad = threads::map_chunks(chunks, |c| {
        let p = &p;
        let range = c * CHUNK..((c + 1) * CHUNK).min(n);
        // SAFETY: `flat` is a contiguous int64 tensor of `n` elements, alive and unwritten for
        // the whole loop; `range` lies in `0..n`.
        let vals = unsafe { std::slice::from_raw_parts(p.0.add(range.start), range.len()) };
        vals.iter().copied().find(|&v| v < lo || v >= hi)
    });
    Ok(match bad.into_iter().flatten().next() {
        Some(v) => Err(v),
        None => Ok(CheckedIndex { index: flat, size }),
    })
}

/// Offsets of `t`'s strides with `dim`'s stride zeroed, and that stride: where a line starts
/// and how an index value moves along it.
fn split_dim(t: &Tensor, dim: usize) -> (Vec<isize>, isize) {
    let mut s = t.strides().to_vec();
    let along = s[dim];
    s[dim] = 0;
    (s, along)
}

/// Checks that `t` reaches index positions: every dim but `dim` at least as
/// long as `index`'s, so the kernels stay inside it.
fn covers(t: &Tensor, index: &Tensor, dim: usize, what: &str) -> Result<()> {
    let ok = t.ndim() == index.ndim()
        && dim < t.ndim().max(1)
        && (0..t.ndim()).all(|d| d == dim || index.shape()[d] <= t.shape()[d]);
    if ok {
        Ok(())
    } else {
        Err(Error::Runtime(format!(
            "internal error: gather/scatter {} does not cover the index",
            what
        )))
    }
}

/// `out[p] = src[p with coordinate dim replaced by index[p]]` for every position `p` of
/// `index`; `out` has `index`'s shape and `src`'s dtype, and every other dim of `src` is at least
/// `index`'s. Nothing is written when a check fails.
pub fn gather_into(out: &Tensor, src: &Tensor, dim: usize, index: &CheckedIndex) -> Result<()> {
    let idx = &index.index;
    covers(src, idx, dim, "source")?;
    if out.shape() != idx.shape() || out.dtype() != src.dtype() || !out.is_contiguous() {
        return Err(Error::Runtime(
            "internal error: gather output mismatch".into(),
        ));
    }
    if idx.numel() == 0 {
        return Ok(());
    }
    if index.size != src.shape()[dim] {
        return Err(Error::Runtime(
            "internal error: gather index checked against another size".into(),
        ));
    }
    let (src_strides, along) = split_dim(src, dim);
    let out_strides = out.strides().to_vec();
    let it = Coalesced::new(idx.shape(), [&out_strides, idx.strides(), &src_strides]);
    let n = idx.numel();
    let size = index.size as i64;
    let ip = SendPtr(idx.data_ptr() as *mut i64);
    crate::dispatch!(src.dtype(), T => {
        let (o, s) = (SendPtr(out.data_ptr() as *mut T), SendPtr(src.data_ptr() as *mut T));
        threads::for_each_chunk(n.div_ceil(CHUNK), |c| {
            let (o, s, ip) = (o, s, ip);
            it.for_each_run(c * CHUNK, ((c + 1) * CHUNK).min(n), |[oo, oi, os], len, [so, si, ss]| {
                if si == 0 && so == 1 && ss == 1 {
                    // One index value serves the whole run (an expanded index, as
                    // `index_select` makes): the run is one contiguous block copy.
                    // SAFETY: as below, for the run's first position (whose index value serves
                    // every position of the run, stride 0); the run's `len` elements from there
                    // are consecutive (stride 1) in `out` and in `src`, inside both tensors as
                    // every position of the run is. The fresh output does not overlap `src`.
                    unsafe {
                        let v = *ip.0.offset(oi);
                        let v = if v < 0 { v + size } else { v };
                        std::ptr::copy_nonoverlapping(
                            s.0.offset(os + v as isize * along),
                            o.0.offset(oo),
                            len,
                        );
                    }
                    return;
                }
                for k in 0..len as isize {
                    // SAFETY: every position visited is inside `index`'s shape, so its offsets in
                    // `out` (same shape), `idx` and `src` (at least as long in every dim but
                    // `dim`, checked by `covers`) are elements of those tensors; the index value
                    // was checked to lie in `-size..size` (`CheckedIndex`, for this `size`), so
                    // after wrapping it is a coordinate of `src`'s `dim`. Chunks write disjoint
                    // positions of the fresh output; `src` and `idx` are only read.
                    unsafe {
                        let v = *ip.0.offset(oi + k * si);
                        let v = if v < 0 { v + size } else { v };
                        *o.0.offset(oo + k * so) = *s.0.offset(os + k * ss + v as isize * along);
                    }
                }
            });
        });
    });
    Ok(())
}

/// How a scatter combines a source value with the destination element.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Combine {
    /// Overwrite (the last write along a line wins).
    Set,
    /// Add.
    Add,
    /// Multiply.
    Mul,
    /// The larger (NaN wins, as torch's `amax`).
    Max,
    /// The smaller (NaN wins).
    Min,
}

/// The element operations a scatter needs.
pub trait ScatterElement: Element + crate::kernels::math::Accumulate + PartialOrd {
    /// True for NaN.
    fn is_nan(self) -> bool;
}

macro_rules! scatter_element {
    ($($t:ty: $nan:expr),*) => {$(
        impl ScatterElement for $t {
            #[inline(always)]
            #[allow(clippy::redundant_closure_call)]
            fn is_nan(self) -> bool {
                ($nan)(self)
            }
        }
    )*};
}
scatter_element!(f32: |v: f32| v.is_nan(), f64: |v: f64| v.is_nan(), i32: |_| false,
    i64: |_| false, bool: |_| false, u8: |_| false, i8: |_| false, i16: |_| false,
    crate::dtype::f16: |v: crate::dtype::f16| v.is_nan(),
    crate::dtype::bf16: |v: crate::dtype::bf16| v.is_nan());

#[inline(always)]
fn combine<T: ScatterElement>(how: Combine, old: T, v: T) -> T {
    match how {
        Combine::Set => v,
        Combine::Add => old.acc(v),
        Combine::Mul => old.times(v),
        Combine::Max => {
            if old.is_nan() || v.is_nan() {
                if old.is_nan() {
                    old
                } else {
                    v
                }
            } else if v > old {
                v
            } else {
                old
            }
        }
        Combine::Min => {
            if old.is_nan() || v.is_nan() {
                if old.is_nan() {
                    old
                } else {
                    v
                }
            } else if v < old {
                v
            } else {
                old
            }
        }
    }
}

/// `dst[p with coordinate dim replaced by index[p]] = combine(that, src[p])` for every position
/// `p` of `index`, in order along `dim` within each line. `src` has `dst`'s dtype and covers
/// `index` (it may be expanded); `dst` must be writable (no internal overlap) and not overlap
/// `src` or `index` (the op layer copies an overlapping source first).
pub fn scatter_into(
    dst: &Tensor,
    dim: usize,
    index: &CheckedIndex,
    src: &Tensor,
    how: Combine,
) -> Result<()> {
    let idx = &index.index;
    covers(src, idx, dim, "source")?;
    covers(dst, idx, dim, "destination")?;
    if src.dtype() != dst.dtype() {
        return Err(Error::Runtime(
            "internal error: scatter source dtype".into(),
        ));
    }
    if idx.numel() == 0 {
        return Ok(());
    }
    crate::kernels::copy::check_writable(dst)?;
    if crate::kernels::copy::may_overlap(dst, src) || crate::kernels::copy::may_overlap(dst, idx) {
        return Err(Error::Runtime(
            "internal error: scatter destination overlaps its source or index".into(),
        ));
    }
    if index.size != dst.shape()[dim] {
        return Err(Error::Runtime(
            "internal error: scatter index checked against another size".into(),
        ));
    }
    let (dst_strides, along) = split_dim(dst, dim);
    // The lines: every dim of the index but `dim` (made size 1).
    let mut lines_shape = idx.shape().to_vec();
    let line_len = lines_shape[dim];
    lines_shape[dim] = 1;
    let (i_step, s_step) = (idx.strides()[dim], src.strides()[dim]);
    let it = Coalesced::new(&lines_shape, [idx.strides(), src.strides(), &dst_strides]);
    let lines: usize = lines_shape.iter().product();
    let per_block = (CHUNK / line_len.max(1)).max(1);
    let size = index.size as i64;
    let ip = SendPtr(idx.data_ptr() as *mut i64);
    crate::dispatch!(dst.dtype(), T => {
        let (d, s) = (SendPtr(dst.data_ptr() as *mut T), SendPtr(src.data_ptr() as *mut T));
        threads::for_each_chunk(lines.div_ceil(per_block), |c| {
            let (d, s, ip) = (d, s, ip);
            let (start, end) = (c * per_block, ((c + 1) * per_block).min(lines));
            if i_step == 1 && s_step == 1 {
                // The dim is contiguous in the index and the source: walk each line whole, so
                // the reads are sequential (the order along each line is the same).
                it.for_each_run(start, end, |[oi, os, od], len, [si, ss, sd]| {
                    for k in 0..len as isize {
                        let (oi, os, od) = (oi + k * si, os + k * ss, od + k * sd);
                        for j in 0..line_len as isize {
                            // SAFETY: as below (the same positions, visited line by line).
                            unsafe {
                                let v = *ip.0.offset(oi + j);
                                let v = if v < 0 { v + size } else { v };
                                let p = d.0.offset(od + v as isize * along);
                                *p = combine::<T>(how, *p, *s.0.offset(os + j));
                            }
                        }
                    }
                });
                return;
            }
            for j in 0..line_len as isize {
                it.for_each_run(start, end, |[oi, os, od], len, [si, ss, sd]| {
                    for k in 0..len as isize {
                        // SAFETY: line `start + ..` at step `j` is a position of `index`, so its
                        // offsets in `idx` and `src` (which covers `index`, `covers`) are
                        // elements; its index value was checked against `dst`'s `dim`
                        // (`CheckedIndex` for this `size`), so the destination offset is an
                        // element of `dst` (which covers `index` in the other dims). Lines of
                        // different blocks differ in a coordinate other than `dim`, so they reach
                        // different destination elements: each element is written by one thread.
                        // `dst` overlaps neither `src` nor `idx`, nor itself (checked above).
                        unsafe {
                            let v = *ip.0.offset(oi + k * si + j * i_step);
                            let v = if v < 0 { v + size } else { v };
                            let p = d.0.offset(od + k * sd + v as isize * along);
                            *p = combine::<T>(how, *p, *s.0.offset(os + k * ss + j * s_step));
                        }
                    }
                });
            }
        });
    });
    dst.bump_version();
    Ok(())
}

/// How [`true_coordinates`] lays out its result.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Coordinates {
    /// `[count, ndim]`: one row per element (`nonzero`'s layout).
    Rows,
    /// `[ndim, count]`: one row per dim (`[count]` for one dim).
    Columns,
}

/// The flat (row-major) positions of the true elements of the bool tensor `mask`, as a checked
/// index into `mask.numel()` elements.
pub fn mask_positions(mask: &Tensor) -> Result<CheckedIndex> {
    let n = mask.numel();
    Ok(CheckedIndex {
        index: true_coordinates(mask, &[n], Coordinates::Columns)?,
        size: n,
    })
}

/// The coordinates of the true elements of the bool tensor `mask`, read in row-major order as a
/// tensor of shape `dims` (whose product is `mask.numel()`), laid out as `how` says.
///
/// Chunks count their trues in parallel, then write their coordinates at their prefix offsets,
/// so the result does not depend on the thread count. Each chunk walks its elements by runs of
/// the last dim, writing branch-free: every element writes its coordinates at the next free
/// slot, and the slot advances only past a true element.
pub fn true_coordinates(mask: &Tensor, dims: &[usize], how: Coordinates) -> Result<Tensor> {
    if mask.dtype() != DType::Bool {
        return Err(Error::Runtime(
            "internal error: true_coordinates of a non-bool tensor".into(),
        ));
    }
    let flat = mask.contiguous()?;
    let n = flat.numel();
    if dims.iter().product::<usize>() != n || dims.is_empty() {
        return Err(Error::Runtime(
            "internal error: true_coordinates' dims do not match the mask".into(),
        ));
    }
    let nd = dims.len();
    let p = SendPtr(flat.data_ptr());
    let chunks = n.div_ceil(CHUNK);
    let slice = |c: usize| {
        let p = &p;
        let range = c * CHUNK..((c + 1) * CHUNK).min(n);
        // SAFETY: `flat` is a contiguous bool tensor of `n` bytes, each 0 or 1 (a valid bool
        // tensor), alive and unwritten while the slices live; `range` lies in `0..n`.
        unsafe { std::slice::from_raw_parts(p.0.add(range.start) as *const u8, range.len()) }
    };
    let counts = threads::map_chunks(chunks, |c| {
        slice(c).iter().map(|&b| b as usize).sum::<usize>()
    });
    let total: usize = counts.iter().sum();
    let columns = how == Coordinates::Columns;
    let out = match (how, nd) {
        (Coordinates::Rows, _) => Tensor::uninit(&[total, nd], DType::Int64)?,
        (Coordinates::Columns, 1) => Tensor::uninit(&[total], DType::Int64)?,
        (Coordinates::Columns, _) => Tensor::uninit(&[nd, total], DType::Int64)?,
    };
    let mut starts = Vec::with_capacity(chunks);
    let mut acc = 0usize;
    for c in &counts {
        starts.push(acc);
        acc += c;
    }
    // Element `k` of the result's coordinate `d` sits at `k * k_step + d * d_step`.
    let (k_step, d_step) = if columns { (1, total) } else { (nd, 1) };
    let o = SendPtr(out.data_ptr() as *mut i64);
    let last = dims[nd - 1];
    threads::for_each_chunk(chunks, |c| {
        let o = &o;
        let (mut k, end) = (starts[c], starts[c] + counts[c]);
        let bytes = slice(c);
        // The coordinates of the chunk's first element.
        let mut coord = smallvec::SmallVec::<[usize; 8]>::from_elem(0, nd);
        let mut rem = c * CHUNK;
        for d in (0..nd).rev() {
            if dims[d] > 0 {
                coord[d] = rem % dims[d];
                rem /= dims[d];
            }
        }
        let mut i = 0;
        while i < bytes.len() && k < end {
            let run = (last - coord[nd - 1]).min(bytes.len() - i);
            let first = coord[nd - 1];
            for (j, &b) in bytes[i..i + run].iter().enumerate() {
                if k == end {
                    break;
                }
                // SAFETY: `k < end`, so slot `k` lies in this chunk's range
                // `starts[c]..starts[c] + counts[c]` of the `total` result elements; chunks'
                // ranges are disjoint, so no other thread writes it. Each coordinate's offset
                // `k * k_step + d * d_step` is inside the `total * nd` elements of `out`.
                unsafe {
                    let base = o.0.add(k * k_step);
                    for (d, &x) in coord[..nd - 1].iter().enumerate() {
                        *base.add(d * d_step) = x as i64;
                    }
                    *base.add((nd - 1) * d_step) = (first + j) as i64;
                }
                k += b as usize;
            }
            i += run;
            // Advance to the next run: the last dim wraps, the others count up.
            coord[nd - 1] = 0;
            for d in (0..nd - 1).rev() {
                coord[d] += 1;
                if coord[d] < dims[d] {
                    break;
                }
                coord[d] = 0;
            }
        }
    });
    Ok(out)
}
