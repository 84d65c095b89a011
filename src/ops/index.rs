//! Indexing: basic indices (ints, slices, None, ...) make views; advanced indices (integer or bool
//! tensors) gather into a new tensor, or scatter into this one for `__setitem__`.

use crate::autograd::record::{in_place, record};
use crate::autograd::rules::index::{IndexPutRule, IndexRule};
use crate::autograd::rules::InputMeta;
use crate::dtype::DType;
use crate::error::{Error, Result};
use crate::index_item::{is_mask_dtype, IndexItem};
use crate::kernels::copy::check_writable;
use crate::kernels::gather::{true_coordinates, Coordinates};
use crate::layout::Layout;
use crate::shape::{broadcast_shapes, fmt_shape};
use crate::storage::{check_allocatable, try_collect, try_vec};
use crate::strided::{Coalesced, SendPtr};
use crate::tensor::Tensor;
use crate::threads;
use crate::value::Value;

/// Advanced indexing resolved against a view: which view dims are indexed, by what.
struct Gather {
    /// The view after basic indexing, advanced dims permuted to the front.
    view: Tensor,
    /// Broadcast index values, one row-major buffer per advanced dim, already in range.
    indices: Vec<Vec<i64>>,
    /// The broadcast shape of the indices.
    index_shape: Vec<usize>,
    /// Where the index dims go in the result when the advanced dims were adjacent (torch/numpy rule).
    insert_at: usize,
    /// The first out-of-range index value (its slot in `indices` holds 0): raised by the caller,
    /// after the checks torch makes before it reads the indices (the value's shape, for a put).
    out_of_range: Option<Error>,
}

impl Gather {
    /// Result shape with the index dims first.
    fn front_shape(&self) -> Vec<usize> {
        let k = self.indices.len();
        let mut s = self.index_shape.clone();
        s.extend_from_slice(&self.view.shape()[k..]);
        s
    }

    /// Permutation taking the index-first result to torch's dim order.
    fn final_perm(&self) -> Vec<i64> {
        let nb = self.index_shape.len();
        let total = nb + self.view.ndim() - self.indices.len();
        let p = self.insert_at;
        let mut perm: Vec<i64> = (nb..nb + p).map(|d| d as i64).collect();
        perm.extend((0..nb).map(|d| d as i64));
        perm.extend((nb + p..total).map(|d| d as i64));
        perm
    }

    /// Element offset, from the view's first element, of each index position's sub-block.
    fn base_offsets(&self) -> Result<Vec<isize>> {
        let n: usize = self.index_shape.iter().product();
        let strides = self.view.strides();
        try_collect(
            n,
            (0..n).map(|b| {
                self.indices
                    .iter()
                    .enumerate()
                    .map(|(j, idx)| idx[b] as isize * strides[j])
                    .sum()
            }),
        )
    }

    /// The layout of the remaining (non-indexed) dims.
    fn rest(&self) -> (Vec<usize>, Vec<isize>) {
        let k = self.indices.len();
        (
            self.view.shape()[k..].to_vec(),
            self.view.strides()[k..].to_vec(),
        )
    }
}

/// Copies `esize`-byte elements between two strided byte layouts: `(dst_off, src_off)` pairs.
///
/// # Safety
/// `esize` must be 1, 2, 4 or 8 (a dtype's size); for every pair, `dst + dst_off` must be valid
/// for writes and `src + src_off` for reads of `esize` bytes, aligned to `esize`; no other
/// thread may access those destination bytes, or write those source bytes, meanwhile.
unsafe fn copy_elements(
    esize: usize,
    dst: *mut u8,
    src: *const u8,
    pairs: impl Iterator<Item = (isize, isize)>,
) {
    // SAFETY: the caller's contract: every pair's destination and source are valid, aligned
    // elements of `esize` bytes, the width each arm reads and writes (8 for the last arm, as
    // `esize` is 1, 2, 4 or 8).
    unsafe {
        match esize {
            1 => pairs.for_each(|(d, s)| *dst.offset(d) = *src.offset(s)),
            2 => pairs
                .for_each(|(d, s)| *(dst.offset(d) as *mut u16) = *(src.offset(s) as *const u16)),
            4 => pairs
                .for_each(|(d, s)| *(dst.offset(d) as *mut u32) = *(src.offset(s) as *const u32)),
            _ => pairs
                .for_each(|(d, s)| *(dst.offset(d) as *mut u64) = *(src.offset(s) as *const u64)),
        }
    }
}

/// Adds elements at byte offset pairs `(dst, src)` (the scatter of an accumulating index_put).
///
/// # Safety
/// For every pair, `dst + dst_off` must be a valid, aligned `T` for reads and writes and
/// `src + src_off` one for reads, and no other thread may access them meanwhile.
unsafe fn add_elements<T: crate::kernels::math::Accumulate>(
    dst: *mut u8,
    src: *const u8,
    pairs: impl Iterator<Item = (isize, isize)>,
) {
    // SAFETY: the caller's contract: every pair addresses valid, aligned `T`s.
    unsafe {
        pairs.for_each(|(d, s)| {
            let p = dst.offset(d) as *mut T;
            *p = (*p).acc(*(src.offset(s) as *const T));
        })
    }
}

fn zero_dim_index_error() -> Error {
    Error::Index("invalid index of a 0-dim tensor. Use `tensor.item()` in Python or `tensor.item<T>()` in C++ to convert a 0-dim tensor to a number".into())
}

/// `value` without its leading size-1 dims, as torch's `__setitem__` drops them before broadcasting.
fn strip_leading_ones(value: &Tensor) -> Tensor {
    let k = value.shape().iter().take_while(|&&d| d == 1).count();
    let l = value.layout();
    value.with_layout(Layout {
        shape: l.shape[k..].into(),
        strides: l.strides[k..].into(),
        offset: l.offset,
    })
}

impl Tensor {
    /// Applies the basic part of an index, returning the view and the advanced items with the
    /// view dim each one starts at.
    pub(crate) fn basic_index(
        &self,
        items: &[IndexItem],
    ) -> Result<(Tensor, Vec<(usize, Tensor)>)> {
        let consumed: usize = items.iter().map(IndexItem::dims_consumed).sum();
        let ellipses = items
            .iter()
            .filter(|i| matches!(i, IndexItem::Ellipsis))
            .count();
        if ellipses > 1 {
            return Err(Error::Index(
                "an index can only have a single ellipsis ('...')".into(),
            ));
        }
        if self.ndim() == 0 && items.iter().any(|i| matches!(i, IndexItem::Int(_))) {
            return Err(zero_dim_index_error());
        }
        if consumed > self.ndim() {
            return Err(Error::Index(format!(
                "too many indices for tensor of dimension {}",
                self.ndim()
            )));
        }
        let mut view = self.clone();
        let mut dim = 0usize;
        let mut advanced = vec![];
        // torch checks a mask's shape after the whole key's basic part (a bad slice after a bad
        // mask is the error it reports), so the first mismatch waits for the end of the loop.
        let mut mask_error = None;
        // torch names an out-of-range int by its position in the index expression.
        for (position, item) in items.iter().enumerate() {
            match item {
                IndexItem::Int(i) => {
                    if view.ndim() == 0 {
                        return Err(zero_dim_index_error());
                    }
                    let size = view.shape()[dim] as i64;
                    if *i < -size || *i >= size {
                        return Err(Error::IndexOutOfRange {
                            index: *i,
                            dim: position,
                            size: size as usize,
                        });
                    }
                    view = view.select(dim as i64, *i)?;
                }
                IndexItem::Slice { start, stop, step } => {
                    view = view.slice(dim, *start, *stop, *step)?;
                    dim += 1;
                }
                IndexItem::NewAxis => {
                    view = view.unsqueeze(dim as i64)?;
                    dim += 1;
                }
                IndexItem::Ellipsis => dim += self.ndim() - consumed,
                IndexItem::Tensor(t) if is_mask_dtype(t.dtype()) => {
                    let covered = &view.shape()[dim..dim + t.ndim()];
                    for (j, (&m, &s)) in t.shape().iter().zip(covered).enumerate() {
                        if m != s && mask_error.is_none() {
                            mask_error = Some(Error::Index(format!(
                                "The shape of the mask {} at index {} does not match the shape of the indexed tensor {} at index {}",
                                fmt_shape(t.shape()),
                                j,
                                fmt_shape(view.shape()),
                                dim + j
                            )));
                        }
                    }
                    if t.ndim() == 0 {
                        // `t[True]` adds a dim of size 1, `t[False]` one of size 0.
                        let keep = t.to_dtype(DType::Int64)?.item_i64()? != 0;
                        view = view.unsqueeze(dim as i64)?;
                        if !keep {
                            view = view.narrow(dim, 0, 0);
                        }
                        dim += 1;
                        continue;
                    }
                    for (j, idx) in t.nonzero_columns()?.into_iter().enumerate() {
                        advanced.push((dim + j, idx));
                    }
                    dim += t.ndim();
                }
                IndexItem::Tensor(t) => {
                    if !matches!(t.dtype(), DType::Int64 | DType::Int32) {
                        return Err(Error::Index(
                            "tensors used as indices must be long, int, byte or bool tensors"
                                .into(),
                        ));
                    }
                    advanced.push((dim, t.clone()));
                    dim += 1;
                }
            }
        }
        if let Some(e) = mask_error {
            return Err(e);
        }
        Ok((view, advanced))
    }

    /// Resolves advanced indices into a gather plan (validating every index value).
    fn plan_gather(view: Tensor, advanced: Vec<(usize, Tensor)>) -> Result<Gather> {
        let mut index_shape: Vec<usize> = vec![];
        for (_, t) in &advanced {
            index_shape = broadcast_shapes(&index_shape, t.shape()).map_err(|_| {
                Error::Index(format!(
                    "shape mismatch: indexing tensors could not be broadcast together with shapes {}",
                    advanced.iter().map(|(_, t)| fmt_shape(t.shape())).collect::<Vec<_>>().join(", ")
                ))
            })?;
        }
        let dims: Vec<usize> = advanced.iter().map(|(d, _)| *d).collect();
        let adjacent = dims.windows(2).all(|w| w[1] == w[0] + 1);
        let insert_at = if adjacent { dims[0] } else { 0 };
        // torch checks index values as its kernel reads them: when the dims left unindexed hold no
        // element, nothing is read and an out-of-range value passes (`zeros(2, 0)[[5]]` is empty).
        // Indexing a size-0 dim with a non-empty index is refused up front.
        let rest: usize = (0..view.ndim())
            .filter(|d| !dims.contains(d))
            .map(|d| view.shape()[d])
            .product();
        let mut indices = Vec::with_capacity(advanced.len());
        let mut out_of_range = None;
        // Broadcast index tensors can describe far more positions than they hold: the index
        // lists (one per indexed dim, and the offsets after them) must fit in memory.
        let positions = crate::shape::checked_numel(&index_shape)?;
        check_allocatable(positions, 8 * (advanced.len() + 1))?;
        for (d, t) in &advanced {
            let size = view.shape()[*d] as i64;
            let vals = t
                .to_dtype(DType::Int64)?
                .broadcast_to(&index_shape)
                .to_vec_i64()?;
            if size == 0 && !vals.is_empty() {
                return Err(Error::Index(
                    "index is out of bounds for dimension with size 0".into(),
                ));
            }
            let mut out = try_vec(vals.len())?;
            for v in vals {
                if rest == 0 {
                    out.push(0);
                    continue;
                }
                if v < -size || v >= size {
                    out_of_range.get_or_insert(Error::IndexOutOfRange {
                        index: v,
                        dim: *d,
                        size: size as usize,
                    });
                    out.push(0);
                    continue;
                }
                out.push(if v < 0 { v + size } else { v });
            }
            indices.push(out);
        }
        // Advanced dims first, the others after in their order.
        let mut perm: Vec<i64> = dims.iter().map(|&d| d as i64).collect();
        perm.extend(
            (0..view.ndim())
                .filter(|d| !dims.contains(d))
                .map(|d| d as i64),
        );
        Ok(Gather {
            view: view.permute(&perm)?,
            indices,
            index_shape,
            insert_at,
            out_of_range,
        })
    }

    /// `t[items]`.
    pub fn index(&self, items: &[IndexItem]) -> Result<Tensor> {
        let (view, advanced) = self.basic_index(items)?;
        if advanced.is_empty() {
            return Ok(view);
        }
        let out = self.gather_advanced(view, advanced)?;
        Ok(record(out, "IndexBackward0", &[self], || IndexRule {
            items: items.to_vec(),
            input: InputMeta::of(self),
        }))
    }

    /// The advanced-indexing gather behind [`Tensor::index`].
    fn gather_advanced(&self, view: Tensor, advanced: Vec<(usize, Tensor)>) -> Result<Tensor> {
        let mut g = Tensor::plan_gather(view, advanced)?;
        if let Some(e) = g.out_of_range.take() {
            return Err(e);
        }
        let out = Tensor::uninit(&g.front_shape(), self.dtype())?;
        let (rest_shape, rest_strides) = g.rest();
        let rest_numel: usize = rest_shape.iter().product();
        let esize = self.dtype().size() as isize;
        let bases = g.base_offsets()?;
        let rest = Coalesced::new(&rest_shape, [&rest_strides]);
        let (src, dst) = (SendPtr(g.view.data_ptr()), SendPtr(out.data_ptr()));
        let per_chunk = (crate::kernels::engine::CHUNK / rest_numel.max(1)).max(1);
        threads::for_each_chunk(bases.len().div_ceil(per_chunk), |c| {
            let (src, dst) = (src, dst);
            let range = c * per_chunk..((c + 1) * per_chunk).min(bases.len());
            for b in range {
                let out_base = (b * rest_numel) as isize * esize;
                let mut k = 0isize;
                rest.for_each_run(0, rest_numel, |[o], len, [s]| {
                    let pairs = (0..len as isize)
                        .map(|i| (out_base + (k + i) * esize, (bases[b] + o + i * s) * esize));
                    // SAFETY: `esize` is the dtype's size (1, 2, 4 or 8) and `out` has that dtype.
                    // `plan_gather` checked every index against its dim (`out_of_range` was
                    // returned above), so `bases[b] + o + i * s` (the indexed dims' offset plus
                    // the rest dims' walk) is an element of the view, inside its storage; output
                    // offsets `(b * rest_numel + k + i)` are below `bases.len() * rest_numel`,
                    // the fresh contiguous output's size. Each chunk writes its own `b` range.
                    unsafe { copy_elements(esize as usize, dst.0, src.0, pairs) };
                    k += len as isize;
                });
            }
        });
        if g.insert_at == 0 {
            Ok(out)
        } else {
            out.permute(&g.final_perm())?.contiguous()
        }
    }

    /// `t[items] = value`: writes through the view, or scatters for advanced indices. The value is
    /// converted to this tensor's dtype and broadcast to the indexed shape before anything is written.
    pub fn index_put(&self, items: &[IndexItem], value: &Value) -> Result<()> {
        if self.requires_grad() && self.is_leaf() && crate::autograd::is_grad_enabled() {
            // torch writes through a view of the leaf, and says so.
            return Err(Error::Runtime(
                "a view of a leaf Variable that requires grad is being used in an in-place operation."
                    .into(),
            ));
        }
        let others: Vec<&Tensor> = match value {
            Value::Tensor(t) => vec![t],
            Value::Scalar(_) => vec![],
        };
        in_place(
            self,
            &others,
            || self.index_put_raw(items, value, false),
            |snapshot| {
                let out = snapshot.clone_contiguous()?;
                out.index_put_raw(items, value, false)?;
                let advanced = items.iter().any(|i| matches!(i, IndexItem::Tensor(_)));
                let name = if advanced {
                    "IndexPutBackward0"
                } else {
                    "CopySlices"
                };
                let value_meta = match value {
                    Value::Tensor(t) => Some(InputMeta::of(t)),
                    Value::Scalar(_) => None,
                };
                let mut inputs = vec![snapshot];
                inputs.extend(others.iter().copied());
                Ok(record(out, name, &inputs, || IndexPutRule {
                    items: items.to_vec(),
                    value: value_meta,
                }))
            },
        )
    }

    /// `t[items] = value` (or `+=` with `accumulate`) without recording anything.
    pub fn index_put_raw(
        &self,
        items: &[IndexItem],
        value: &Value,
        accumulate: bool,
    ) -> Result<()> {
        let (view, advanced) = self.basic_index(items)?;
        if advanced.is_empty() {
            // A scalar fills (allowed through expanded views, as torch); a tensor is copied.
            return match (value, accumulate) {
                (Value::Scalar(s), false) => view.fill_raw(*s),
                (Value::Tensor(t), false) => {
                    let sizes: Vec<i64> = view.shape().iter().map(|&d| d as i64).collect();
                    crate::kernels::copy::copy_checked(
                        &view,
                        &strip_leading_ones(t).expand(&sizes)?,
                    )
                }
                (v, true) => view.add_(v),
            };
        }
        check_writable(&view)?;
        let value = match value {
            Value::Tensor(t) => strip_leading_ones(&t.to_dtype(self.dtype())?),
            Value::Scalar(s) => {
                crate::dispatch!(self.dtype(), T => Tensor::from_vec(vec![s.to::<T>()], &[])?)
            }
        };
        let mut g = Tensor::plan_gather(view, advanced)?;
        // Broadcast the value to the result shape torch reports, then bring index dims to the front.
        let front = g.front_shape();
        let final_shape: Vec<usize> = if g.insert_at == 0 {
            front.clone()
        } else {
            g.final_perm().iter().map(|&d| front[d as usize]).collect()
        };
        let shape = broadcast_shapes(&final_shape, value.shape())
            .ok()
            .filter(|s| *s == final_shape)
            .ok_or_else(|| {
                Error::Runtime(format!(
                    "shape mismatch: value tensor of shape {} cannot be broadcast to indexing result of shape {}",
                    fmt_shape(value.shape()),
                    fmt_shape(&final_shape)
                ))
            })?;
        if let Some(e) = g.out_of_range.take() {
            return Err(e);
        }
        let mut v = value.broadcast_to(&shape);
        if g.insert_at != 0 {
            let perm = g.final_perm();
            let mut inverse = vec![0i64; perm.len()];
            for (i, &p) in perm.iter().enumerate() {
                inverse[p as usize] = i as i64;
            }
            v = v.permute(&inverse)?;
        }
        let v = crate::kernels::copy::detach_source(self, &v)?;
        let (rest_shape, rest_strides) = g.rest();
        let rest_numel: usize = rest_shape.iter().product();
        let esize = self.dtype().size() as isize;
        let bases = g.base_offsets()?;
        let nb = g.index_shape.len();
        let (vs, vst) = (&v.shape()[nb..], &v.strides()[nb..]);
        let vouter = Layout::contiguous(&g.index_shape);
        let vlayout = v.layout().clone();
        let pairs_layout = Coalesced::new(&rest_shape, [&rest_strides, vst]);
        if vs != rest_shape.as_slice() {
            return Err(Error::Runtime(format!(
                "internal error: index_put values of shape {} for a block of shape {}",
                fmt_shape(vs),
                fmt_shape(&rest_shape)
            )));
        }
        let (dst, src) = (g.view.data_ptr(), v.data_ptr());
        // Sequential, so that repeated indices resolve deterministically (the last write wins).
        for (b, &base) in bases.iter().enumerate() {
            let mut voff = 0isize;
            let mut rem = b;
            for d in (0..nb).rev() {
                let i = rem % vouter.shape[d];
                rem /= vouter.shape[d];
                voff += i as isize * vlayout.strides[d];
            }
            pairs_layout.for_each_run(0, rest_numel, |[o, ov], len, [s, sv]| {
                let pairs = (0..len as isize)
                    .map(|i| ((base + o + i * s) * esize, (voff + ov + i * sv) * esize));
                // Both calls are sound for the same reasons: `plan_gather` checked every index
                // against its dim (the `out_of_range` error was returned above), so `base + o +
                // i * s` is an element of the view, which `check_writable` showed reaches each
                // element once; `v` is in `self`'s dtype (`esize` bytes) and its dims are
                // `index_shape` then `rest_shape` (checked above), so `voff + ov + i * sv` is an
                // element of `v`; `detach_source` copied `v` if it overlapped `self`. One thread.
                if accumulate {
                    crate::dispatch!(self.dtype(), T => {
                        // SAFETY: as said above; `dispatch!` made `T` `self`'s dtype, so both
                        // sides' elements are aligned `T`s.
                        unsafe { add_elements::<T>(dst, src, pairs) }
                    });
                } else {
                    // SAFETY: as said above; `esize` is a dtype's size, 1, 2, 4 or 8, and the
                    // storages are allocated aligned for their dtype.
                    unsafe { copy_elements(esize as usize, dst, src, pairs) };
                }
            });
        }
        self.bump_version();
        Ok(())
    }

    /// The coordinates of nonzero elements, one int64 tensor per dim (row-major order).
    pub fn nonzero_columns(&self) -> Result<Vec<Tensor>> {
        let flags = self.detach().to_dtype(DType::Bool)?;
        let coords = true_coordinates(&flags, self.shape(), Coordinates::Columns)?;
        if self.ndim() == 1 {
            return Ok(vec![coords]);
        }
        (0..self.ndim())
            .map(|d| coords.select(0, d as i64))
            .collect()
    }

    /// All elements as i64, in row-major order.
    pub fn to_vec_i64(&self) -> Result<Vec<i64>> {
        let c = self.to_dtype(DType::Int64)?.contiguous()?;
        // SAFETY: `c` is a contiguous int64 tensor (converted above) of `numel` elements, alive
        // and not written while `data` lives.
        let data = unsafe { std::slice::from_raw_parts(c.data_ptr_typed::<i64>(), c.numel()) };
        let mut out = try_vec(data.len())?;
        out.extend_from_slice(data);
        Ok(out)
    }

    /// All elements as f64, in row-major order.
    pub fn to_vec_f64(&self) -> Result<Vec<f64>> {
        let c = self.detach().to_dtype(DType::Float64)?.contiguous()?;
        // SAFETY: `c` is a contiguous float64 tensor (converted above) of `numel` elements, alive
        // and not written while `data` lives.
        let data = unsafe { std::slice::from_raw_parts(c.data_ptr_typed::<f64>(), c.numel()) };
        let mut out = try_vec(data.len())?;
        out.extend_from_slice(data);
        Ok(out)
    }

    /// The single element as a scalar of its kind (bool, int or float).
    pub fn item_scalar(&self) -> Result<crate::Scalar> {
        if self.numel() != 1 {
            return Err(Error::Runtime(format!(
                "a Tensor with {} elements cannot be converted to Scalar",
                self.numel()
            )));
        }
        let v = self.to_vec_f64()?[0];
        Ok(match self.dtype() {
            DType::Bool => crate::Scalar::Bool(v != 0.0),
            DType::Int32 | DType::Int64 => crate::Scalar::Int(self.item_i64()?),
            _ => crate::Scalar::Float(v),
        })
    }

    /// The single element as i64.
    pub fn item_i64(&self) -> Result<i64> {
        self.to_vec_i64()?.first().copied().ok_or_else(|| {
            Error::Runtime("a Tensor with 0 elements cannot be converted to Scalar".into())
        })
    }
}
