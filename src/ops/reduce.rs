//! Sum and mean over any set of dims, with torch's dtype rules, computed deterministically.
//!
//! Determinism: every output element's reduction is split in chunks of [`CHUNK`] elements (or
//! [`rows_per_chunk`] rows) whose boundaries depend only on the shape, each chunk is summed with
//! [`LANES`] independent accumulators, and the chunk partials meet in a fixed pairwise tree. Threads
//! only decide *who* computes a chunk, never *what* it computes, so 1 and N threads agree bitwise.
//! Accuracy: float32 accumulates in float64, integers in wrapping int64.
//!
//! Three loops: (a) one strided run per output (reducing inner dims; the contiguous case vectorises),
//! (b) row accumulation (reducing outer dims while the kept innermost dim is contiguous), and
//! (c) the general strided walk over the reduced dims for everything else.

use crate::autograd::rules::reduce::{record_reduction, ReductionKind};
use crate::dtype::{CastTo, DType, Element};
use crate::error::{Error, Result};
use crate::shape::{broadcast_shapes, contiguous_strides, fmt_shape, normalize_dim};
use crate::strided::{Coalesced, SendPtr};
use crate::tensor::Tensor;
use crate::threads;

/// Elements per deterministic chunk of one output's reduction.
const CHUNK: usize = 1 << 14;
/// Independent accumulators per chunk: enough to hide add latency and fill two AVX registers twice.
const LANES: usize = 16;
/// Below this many input elements everything runs on the calling thread.
const PAR_THRESHOLD: usize = 1 << 16;
/// Columns per block of the row-accumulating loop (its float64 accumulators stay in L1/L2).
const COL_BLOCK: usize = 2048;

/// An accumulator: float64 or wrapping int64.
pub trait Acc: Copy + Send + Sync + 'static {
    /// The additive identity.
    const ZERO: Self;
    /// `self + other` (wrapping for integers).
    fn plus(self, other: Self) -> Self;
    /// The value as f64 (for `mean`).
    fn as_f64(self) -> f64;
}

impl Acc for f64 {
    const ZERO: Self = 0.0;
    #[inline(always)]
    fn plus(self, other: Self) -> Self {
        self + other
    }
    #[inline(always)]
    fn as_f64(self) -> f64 {
        self
    }
}

impl Acc for i64 {
    const ZERO: Self = 0;
    #[inline(always)]
    fn plus(self, other: Self) -> Self {
        self.wrapping_add(other)
    }
    #[inline(always)]
    fn as_f64(self) -> f64 {
        self as f64
    }
}

/// An element type that can be summed, with the accumulator it is summed in.
pub trait Accumulate: Element {
    /// float64 for floats, int64 for integers and bool.
    type Acc: Acc;
    /// The value as an accumulator.
    fn widen(self) -> Self::Acc;
}

macro_rules! impl_accumulate {
    ($($t:ty => $a:ty),*) => {$(
        impl Accumulate for $t {
            type Acc = $a;
            #[inline(always)]
            fn widen(self) -> $a {
                self as $a
            }
        }
    )*};
}
impl_accumulate!(f32 => f64, f64 => f64, i32 => i64, i64 => i64);

impl Accumulate for bool {
    type Acc = i64;
    #[inline(always)]
    fn widen(self) -> i64 {
        self as i64
    }
}

/// Adds up partials in a fixed pairwise tree (the same shape for the same count, whoever made them).
fn tree<A: Acc>(parts: &[A]) -> A {
    match parts.len() {
        0 => A::ZERO,
        1 => parts[0],
        n => tree(&parts[..n / 2]).plus(tree(&parts[n / 2..])),
    }
}

/// Sums `len` contiguous elements with [`LANES`] accumulators.
#[inline(always)]
unsafe fn lanes_contiguous<T: Accumulate>(p: *const T, len: usize) -> T::Acc {
    let s = std::slice::from_raw_parts(p, len);
    let mut l = [T::Acc::ZERO; LANES];
    let mut blocks = s.chunks_exact(LANES);
    for b in &mut blocks {
        for k in 0..LANES {
            l[k] = l[k].plus(b[k].widen());
        }
    }
    for (k, &v) in blocks.remainder().iter().enumerate() {
        l[k] = l[k].plus(v.widen());
    }
    tree(&l)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn lanes_contiguous_avx2<T: Accumulate>(p: *const T, len: usize) -> T::Acc {
    lanes_contiguous::<T>(p, len)
}

/// Sums `len` elements `stride` apart. The contiguous case runs the AVX2 build of the same loop
/// when the CPU has it: the same adds in the same order, so the same bits.
#[inline]
unsafe fn sum_run<T: Accumulate>(p: *const T, len: usize, stride: isize) -> T::Acc {
    if stride == 1 {
        #[cfg(target_arch = "x86_64")]
        if std::arch::is_x86_feature_detected!("avx2") {
            return lanes_contiguous_avx2::<T>(p, len);
        }
        return lanes_contiguous::<T>(p, len);
    }
    let mut l = [T::Acc::ZERO; LANES];
    let full = len / LANES * LANES;
    let mut i = 0;
    while i < full {
        for (k, lane) in l.iter_mut().enumerate() {
            *lane = lane.plus((*p.offset((i + k) as isize * stride)).widen());
        }
        i += LANES;
    }
    for (k, lane) in l.iter_mut().enumerate().take(len - full) {
        *lane = lane.plus((*p.offset((full + k) as isize * stride)).widen());
    }
    tree(&l)
}

/// How the reduced dims of one output element are walked.
enum Reduced {
    /// One run of `len` elements `stride` apart.
    Run { len: usize, stride: isize },
    /// Several dims: the strided walker.
    Dims(Coalesced<1>),
}

impl Reduced {
    fn new(shape: &[usize], strides: &[isize]) -> Reduced {
        let c = Coalesced::new(shape, [strides]);
        match c.shape.len() {
            0 => Reduced::Run { len: 1, stride: 1 },
            1 => Reduced::Run {
                len: c.shape[0],
                stride: c.strides[0][0],
            },
            _ => Reduced::Dims(c),
        }
    }

    fn len(&self) -> usize {
        match self {
            Reduced::Run { len, .. } => *len,
            Reduced::Dims(c) => c.numel(),
        }
    }

    /// The sum of reduced elements `start..end` (in the walk's order) from `base`.
    unsafe fn span<T: Accumulate>(&self, base: SendPtr<T>, start: usize, end: usize) -> T::Acc {
        match self {
            Reduced::Run { stride, .. } => {
                sum_run(base.at(start as isize * stride), end - start, *stride)
            }
            Reduced::Dims(c) => {
                let mut acc = T::Acc::ZERO;
                c.for_each_run(start, end, |[o], len, [s]| {
                    acc = acc.plus(sum_run(base.at(o), len, s));
                });
                acc
            }
        }
    }

    /// One output element: chunk partials (in parallel when `parallel`) then the fixed tree.
    unsafe fn reduce<T: Accumulate>(&self, base: SendPtr<T>, parallel: bool) -> T::Acc {
        let n = self.len();
        if n <= CHUNK {
            return self.span(base, 0, n);
        }
        let chunks = n.div_ceil(CHUNK);
        let part = |i: usize| unsafe { self.span(base, i * CHUNK, ((i + 1) * CHUNK).min(n)) };
        let parts: Vec<T::Acc> = if parallel {
            threads::map_chunks(chunks, part)
        } else {
            (0..chunks).map(part).collect()
        };
        tree(&parts)
    }
}

/// Offset of linear index `i` in a row-major walk of `shape` with `strides`.
fn offset_of(shape: &[usize], strides: &[isize], mut i: usize) -> isize {
    let mut off = 0isize;
    for d in (0..shape.len()).rev() {
        off += (i % shape[d]) as isize * strides[d];
        i /= shape[d];
    }
    off
}

/// Rows per chunk of the row-accumulating loop: about [`CHUNK`] elements, at least 64 rows so the
/// partials stay a small fraction of the input. Depends only on the row length.
fn rows_per_chunk(row_len: usize) -> usize {
    (CHUNK / row_len.max(1)).max(64)
}

/// Writes `post(sum)` for every output element of reducing `src` over the dims where `mask` is
/// true into `out` (contiguous, with the kept dims in order).
fn reduce_into<T: Accumulate, O: Element>(
    src: &Tensor,
    mask: &[bool],
    out: &Tensor,
    post: impl Fn(T::Acc) -> O + Sync + Send,
) {
    let (mut kshape, mut kstrides, mut rshape, mut rstrides) = (vec![], vec![], vec![], vec![]);
    for ((&size, &stride), &reduced) in src.shape().iter().zip(src.strides()).zip(mask) {
        let (shape, strides) = if reduced {
            (&mut rshape, &mut rstrides)
        } else {
            (&mut kshape, &mut kstrides)
        };
        shape.push(size);
        strides.push(stride);
    }
    let ostrides = contiguous_strides(&kshape);
    let kept = Coalesced::new(&kshape, [&kstrides, &ostrides]);
    let red = Reduced::new(&rshape, &rstrides);
    let (nk, nr) = (kept.numel(), red.len());
    let (x, o) = (
        SendPtr(src.data_ptr_typed::<T>()),
        SendPtr(out.data_ptr_typed::<O>()),
    );
    if nk == 0 {
        return;
    }
    if nr == 0 {
        let zero = post(T::Acc::ZERO);
        // SAFETY: `out` is a fresh contiguous buffer of `nk` elements.
        unsafe { std::slice::from_raw_parts_mut(o.0, nk).fill(zero) };
        return;
    }
    let big = nk.saturating_mul(nr) >= PAR_THRESHOLD;
    let last = kept.shape.len().wrapping_sub(1);
    let rows_kernel = nr > 1
        && !kept.shape.is_empty()
        && kept.strides[0][last] == 1
        && kept.shape[last] >= 8
        && !matches!(red, Reduced::Run { stride: 1, .. });
    if rows_kernel {
        reduce_rows(x, o, &kept, &rshape, &rstrides, big, &post);
        return;
    }
    // One reduction per output element: split the outputs among threads when there are many,
    // split each output's chunks among threads when there are few.
    let per_output_parallel = big && nk < 64;
    let out_block = (4 * CHUNK / nr).max(1);
    let run_block = |start: usize, end: usize| {
        kept.for_each_run(start, end, |[xo, oo], len, [xs, os]| unsafe {
            for i in 0..len as isize {
                let v = red.reduce(SendPtr(x.at(xo + i * xs)), per_output_parallel);
                *o.at(oo + i * os) = post(v);
            }
        })
    };
    if !big || per_output_parallel {
        run_block(0, nk);
    } else {
        threads::for_each_chunk(nk.div_ceil(out_block), |b| {
            run_block(b * out_block, ((b + 1) * out_block).min(nk))
        });
    }
}

/// Row accumulation: the kept innermost dim is contiguous, so each reduced "row" adds a vector
/// into float64/int64 accumulators. Work items are (batch, row chunk, column block); partials of
/// the row chunks meet in the fixed tree per column.
fn reduce_rows<T: Accumulate, O: Element>(
    x: SendPtr<T>,
    o: SendPtr<O>,
    kept: &Coalesced<2>,
    rshape: &[usize],
    rstrides: &[isize],
    big: bool,
    post: &(impl Fn(T::Acc) -> O + Sync + Send),
) {
    let last = kept.shape.len() - 1;
    let ni = kept.shape[last];
    let (bshape, bstrides) = (&kept.shape[..last], &kept.strides[0][..last]);
    let batches: usize = bshape.iter().product();
    let rows = Coalesced::new(rshape, [rstrides]);
    let nr = rows.numel();
    let rpc = rows_per_chunk(ni);
    let nrc = nr.div_ceil(rpc);
    let ncb = ni.div_ceil(COL_BLOCK);
    let mut partials = vec![T::Acc::ZERO; batches * nrc * ni];
    let p = SendPtr(partials.as_mut_ptr());
    // Item (b, c, cb) writes partials[(b * nrc + c) * ni + cb * COL_BLOCK ..][..width]: disjoint.
    let item = |it: usize| unsafe {
        let (b, rest) = (it / (nrc * ncb), it % (nrc * ncb));
        let (c, cb) = (rest / ncb, rest % ncb);
        let col0 = cb * COL_BLOCK;
        let width = COL_BLOCK.min(ni - col0);
        let base = offset_of(bshape, bstrides, b) + col0 as isize;
        let acc = std::slice::from_raw_parts_mut(p.at(((b * nrc + c) * ni + col0) as isize), width);
        rows.for_each_run(c * rpc, ((c + 1) * rpc).min(nr), |[ro], len, [rs]| {
            add_rows(acc, x.at(base + ro), len, rs);
        });
    };
    let items = batches * nrc * ncb;
    if big {
        threads::for_each_chunk(items, item);
    } else {
        (0..items).for_each(item);
    }
    // Combine row chunks pairwise (a fixed tree over c), then write the outputs.
    let combine = |bc: usize| unsafe {
        let (b, cb) = (bc / ncb, bc % ncb);
        let col0 = cb * COL_BLOCK;
        let width = COL_BLOCK.min(ni - col0);
        let at = |c: usize| p.at(((b * nrc + c) * ni + col0) as isize);
        combine_tree(nrc, width, &at);
        let src = std::slice::from_raw_parts(at(0), width);
        for (j, &v) in src.iter().enumerate() {
            *o.at((b * ni + col0 + j) as isize) = post(v);
        }
    };
    if big {
        threads::for_each_chunk(batches * ncb, combine);
    } else {
        (0..batches * ncb).for_each(combine);
    }
}

/// `acc[j] += sum of rows[r][j]` for `len` rows `stride` apart, four rows per pass (the four meet
/// in a fixed pairwise order first, so accumulator traffic drops fourfold).
#[inline(always)]
unsafe fn add_rows_generic<T: Accumulate>(
    acc: &mut [T::Acc],
    p: *const T,
    len: usize,
    stride: isize,
) {
    let mut r = 0;
    while r + 4 <= len {
        let rows: [*const T; 4] = std::array::from_fn(|i| p.offset((r + i) as isize * stride));
        for (j, a) in acc.iter_mut().enumerate() {
            let (w0, w1) = ((*rows[0].add(j)).widen(), (*rows[1].add(j)).widen());
            let (w2, w3) = ((*rows[2].add(j)).widen(), (*rows[3].add(j)).widen());
            *a = a.plus(w0.plus(w1).plus(w2.plus(w3)));
        }
        r += 4;
    }
    while r < len {
        let row = p.offset(r as isize * stride);
        for (j, a) in acc.iter_mut().enumerate() {
            *a = a.plus((*row.add(j)).widen());
        }
        r += 1;
    }
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn add_rows_avx2<T: Accumulate>(acc: &mut [T::Acc], p: *const T, len: usize, stride: isize) {
    add_rows_generic::<T>(acc, p, len, stride)
}

/// [`add_rows_generic`], in its AVX2 build when the CPU has it (the same operations, so the same bits).
unsafe fn add_rows<T: Accumulate>(acc: &mut [T::Acc], p: *const T, len: usize, stride: isize) {
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx2") {
        return add_rows_avx2::<T>(acc, p, len, stride);
    }
    add_rows_generic::<T>(acc, p, len, stride)
}

/// `vec(lo) += vec(hi)` over the same pairwise tree as [`tree`], leaving the total in `vec(0)`.
unsafe fn combine_tree<A: Acc>(n: usize, width: usize, vec: &impl Fn(usize) -> *mut A) {
    fn go<A: Acc>(lo: usize, n: usize, width: usize, vec: &impl Fn(usize) -> *mut A) {
        if n <= 1 {
            return;
        }
        let mid = lo + n / 2;
        go(lo, n / 2, width, vec);
        go(mid, n - n / 2, width, vec);
        // SAFETY: distinct chunk indices address disjoint vectors of `width` accumulators.
        unsafe {
            let (a, b) = (vec(lo), vec(mid));
            for j in 0..width {
                *a.add(j) = (*a.add(j)).plus(*b.add(j));
            }
        }
    }
    go(0, n, width, vec)
}

/// The reduced-dim mask: `None` or an empty list mean every dim; torch's errors otherwise.
fn dim_mask(dims: Option<&[i64]>, ndim: usize) -> Result<Vec<bool>> {
    let dims = match dims {
        Some(d) if !d.is_empty() => d,
        _ => return Ok(vec![true; ndim]),
    };
    let mut mask = vec![false; ndim.max(1)];
    for &d in dims {
        let n = normalize_dim(d, ndim)?;
        if mask[n] {
            return Err(Error::Runtime(format!(
                "dim {} appears multiple times in the list of dims",
                n
            )));
        }
        mask[n] = true;
    }
    mask.truncate(ndim);
    Ok(mask)
}

/// The output shape: kept dims, plus size-1 reduced dims with `keepdim`.
fn out_shape(shape: &[usize], mask: &[bool], keepdim: bool) -> Vec<usize> {
    shape
        .iter()
        .zip(mask)
        .filter_map(|(&d, &m)| match (m, keepdim) {
            (false, _) => Some(d),
            (true, true) => Some(1),
            (true, false) => None,
        })
        .collect()
}

/// Whether a `from` input may feed a `to` kernel without a cast (an exact widening into the same
/// accumulator); anything else is cast first, as torch does.
fn direct(from: DType, to: DType) -> bool {
    from == to
        || matches!(
            (from, to),
            (DType::Float32, DType::Float64) | (DType::Bool | DType::Int32, DType::Int64)
        )
}

fn sum_kernel<T: Accumulate, O: Element>(src: &Tensor, mask: &[bool], out: &Tensor)
where
    T::Acc: CastTo<O>,
{
    reduce_into::<T, O>(src, mask, out, |a| a.cast())
}

fn mean_kernel<T: Accumulate, O: Element>(src: &Tensor, mask: &[bool], out: &Tensor, n: usize) {
    let n = n as f64;
    reduce_into::<T, O>(src, mask, out, |a| O::from_f64(a.as_f64() / n))
}

impl Tensor {
    /// Validates dims, computes the output, and casts the input when the kernel needs it.
    fn reduction_setup(
        &self,
        dims: Option<&[i64]>,
        keepdim: bool,
        out_dtype: DType,
    ) -> Result<(Vec<bool>, Tensor, Tensor)> {
        let mask = dim_mask(dims, self.ndim())?;
        let out = Tensor::uninit(&out_shape(self.shape(), &mask, keepdim), out_dtype)?;
        let src = if direct(self.dtype(), out_dtype) {
            self.clone()
        } else {
            self.to_dtype(out_dtype)?
        };
        Ok((mask, src, out))
    }

    /// `sum(dim, keepdim, dtype=)`: bool and integer inputs give int64 unless `dtype` is given;
    /// with `dtype`, the input is converted first, as in torch.
    pub fn sum(&self, dims: Option<&[i64]>, keepdim: bool, dtype: Option<DType>) -> Result<Tensor> {
        let out_dtype = dtype.unwrap_or(if self.dtype().is_floating() {
            self.dtype()
        } else {
            DType::Int64
        });
        let (mask, src, out) = self.reduction_setup(dims, keepdim, out_dtype)?;
        match (src.dtype(), out_dtype) {
            (DType::Bool, DType::Int64) => sum_kernel::<bool, i64>(&src, &mask, &out),
            (DType::Int32, DType::Int64) => sum_kernel::<i32, i64>(&src, &mask, &out),
            (DType::Float32, DType::Float64) => sum_kernel::<f32, f64>(&src, &mask, &out),
            (DType::Bool, DType::Bool) => sum_kernel::<bool, bool>(&src, &mask, &out),
            (DType::Int32, DType::Int32) => sum_kernel::<i32, i32>(&src, &mask, &out),
            (DType::Int64, DType::Int64) => sum_kernel::<i64, i64>(&src, &mask, &out),
            (DType::Float32, DType::Float32) => sum_kernel::<f32, f32>(&src, &mask, &out),
            (DType::Float64, DType::Float64) => sum_kernel::<f64, f64>(&src, &mask, &out),
            (s, o) => {
                return Err(Error::Runtime(format!(
                    "sum: no kernel from {} to {}",
                    s.name(),
                    o.name()
                )))
            }
        }
        Ok(record_reduction(
            out,
            ReductionKind::Sum,
            self,
            &mask,
            keepdim,
            dims.is_none(),
        ))
    }

    /// `mean(dim, keepdim, dtype=)`: floating inputs (or a floating `dtype`) only, as torch; the
    /// float64 sum is divided before rounding, so a float32 mean is as good as its exact value.
    pub fn mean(
        &self,
        dims: Option<&[i64]>,
        keepdim: bool,
        dtype: Option<DType>,
    ) -> Result<Tensor> {
        let out_dtype = match dtype {
            Some(d) if !d.is_floating() => {
                return Err(Error::NotImplemented(format!(
                    "mean(): could not infer output dtype. Optional dtype must be either a floating point or complex dtype. Got: {}",
                    d.torch_name()
                )))
            }
            Some(d) => d,
            None if !self.dtype().is_floating() => {
                return Err(Error::NotImplemented(format!(
                    "mean(): could not infer output dtype. Input dtype must be either a floating point or complex dtype. Got: {}",
                    self.dtype().torch_name()
                )))
            }
            None => self.dtype(),
        };
        let (mask, src, out) = self.reduction_setup(dims, keepdim, out_dtype)?;
        let n: usize = self
            .shape()
            .iter()
            .zip(&mask)
            .filter(|(_, &m)| m)
            .map(|(&d, _)| d)
            .product();
        match (src.dtype(), out_dtype) {
            (DType::Float32, DType::Float64) => mean_kernel::<f32, f64>(&src, &mask, &out, n),
            (DType::Float32, DType::Float32) => mean_kernel::<f32, f32>(&src, &mask, &out, n),
            (DType::Float64, DType::Float64) => mean_kernel::<f64, f64>(&src, &mask, &out, n),
            (s, o) => {
                return Err(Error::Runtime(format!(
                    "mean: no kernel from {} to {}",
                    s.name(),
                    o.name()
                )))
            }
        }
        Ok(record_reduction(
            out,
            ReductionKind::Mean(n),
            self,
            &mask,
            keepdim,
            dims.is_none(),
        ))
    }

    /// Sums the dims that broadcasting added or stretched so the result has `shape` (which must
    /// broadcast to this tensor's shape), keeping the dtype: undoes broadcasting for gradients.
    pub fn sum_to_shape(&self, shape: &[usize]) -> Result<Tensor> {
        if self.shape() == shape {
            return Ok(self.clone());
        }
        let broadcast_ok = shape.len() <= self.ndim()
            && broadcast_shapes(shape, self.shape()).is_ok_and(|s| s == self.shape());
        if !broadcast_ok {
            return Err(Error::Runtime(format!(
                "sum_to_shape: shape {} is not broadcastable to {}",
                fmt_shape(shape),
                fmt_shape(self.shape())
            )));
        }
        let lead = self.ndim() - shape.len();
        let dims: Vec<i64> = (0..self.ndim())
            .filter(|&d| d < lead || (shape[d - lead] == 1 && self.shape()[d] != 1))
            .map(|d| d as i64)
            .collect();
        if dims.is_empty() {
            return self.reshape(&shape.iter().map(|&d| d as i64).collect::<Vec<_>>());
        }
        let summed = self.sum(Some(&dims), true, Some(self.dtype()))?;
        summed.reshape(&shape.iter().map(|&d| d as i64).collect::<Vec<_>>())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn data(t: &Tensor) -> Vec<f64> {
        crate::dispatch!(t.dtype(), T => {
            let c = t.contiguous().unwrap();
            let p = c.data_ptr_typed::<T>();
            (0..c.numel()).map(|i| unsafe { (*p.add(i)).to_f64() }).collect()
        })
    }

    fn arange(n: usize, shape: &[usize]) -> Tensor {
        Tensor::from_vec((0..n).map(|i| i as f64).collect::<Vec<_>>(), shape).unwrap()
    }

    /// The obvious triple loop over (outer, reduced, inner) for one dim.
    fn naive(v: &[f64], shape: &[usize], dim: usize) -> Vec<f64> {
        let outer: usize = shape[..dim].iter().product();
        let inner: usize = shape[dim + 1..].iter().product();
        let mut out = vec![0.0; outer * inner];
        for o in 0..outer {
            for r in 0..shape[dim] {
                for i in 0..inner {
                    out[o * inner + i] += v[(o * shape[dim] + r) * inner + i];
                }
            }
        }
        out
    }

    #[test]
    fn sums_every_dim_of_every_layout() {
        let shape = [3, 70, 5];
        let t = arange(3 * 70 * 5, &shape);
        let v = data(&t);
        for dim in 0..3 {
            let s = t.sum(Some(&[dim as i64]), false, None).unwrap();
            assert_eq!(data(&s), naive(&v, &shape, dim), "dim {dim}");
        }
        // Transposed input: sum(0) of t.T is sum over the original last dim.
        let tt = t.permute(&[2, 1, 0]).unwrap();
        let s = tt.sum(Some(&[2]), false, None).unwrap();
        let want = naive(&v, &shape, 0);
        let got = data(&s.permute(&[1, 0]).unwrap());
        assert_eq!(got, want);
        // Two dims at once, keepdim.
        let s = t.sum(Some(&[0, -1]), true, None).unwrap();
        assert_eq!(s.shape(), &[1, 70, 1]);
        let by_hand: Vec<f64> = (0..70)
            .map(|j| {
                (0..3)
                    .flat_map(|i| (0..5).map(move |k| ((i * 70 + j) * 5 + k) as f64))
                    .sum()
            })
            .collect();
        assert_eq!(data(&s), by_hand);
    }

    #[test]
    fn dtypes_and_errors() {
        let b = Tensor::from_vec(vec![true, false, true], &[3]).unwrap();
        let s = b.sum(None, false, None).unwrap();
        assert_eq!((s.dtype(), data(&s)), (DType::Int64, vec![2.0]));
        let i = Tensor::from_vec(vec![1i32, 2, 3], &[3]).unwrap();
        assert_eq!(i.sum(None, false, None).unwrap().dtype(), DType::Int64);
        assert!(matches!(
            i.mean(None, false, None),
            Err(Error::NotImplemented(m)) if m.contains("Got: Int")
        ));
        let m = i.mean(None, false, Some(DType::Float32)).unwrap();
        assert_eq!((m.dtype(), data(&m)), (DType::Float32, vec![2.0]));
        let t = arange(6, &[2, 3]);
        assert!(matches!(
            t.sum(Some(&[2]), false, None),
            Err(Error::Index(_))
        ));
        assert_eq!(
            t.sum(Some(&[0, -2]), false, None).unwrap_err().to_string(),
            "dim 0 appears multiple times in the list of dims"
        );
        let e = Tensor::zeros(&[0, 3], DType::Float32).unwrap();
        assert_eq!(data(&e.sum(Some(&[0]), false, None).unwrap()), vec![0.0; 3]);
        assert!(data(&e.mean(None, false, None).unwrap())[0].is_nan());
        let z = Tensor::from_vec(vec![4.0f32], &[]).unwrap();
        assert_eq!(data(&z.sum(Some(&[-1]), false, None).unwrap()), vec![4.0]);
    }

    #[test]
    fn float32_is_accurate_and_thread_independent() {
        let n = 3_000_000;
        let t = Tensor::from_vec(vec![0.1f32; n], &[n]).unwrap();
        threads::set_num_threads(1);
        let one = data(&t.sum(None, false, None).unwrap());
        let rows = data(
            &t.reshape(&[1000, 3000])
                .unwrap()
                .sum(Some(&[0]), false, None)
                .unwrap(),
        );
        threads::set_num_threads(2);
        let two = data(&t.sum(None, false, None).unwrap());
        let rows2 = data(
            &t.reshape(&[1000, 3000])
                .unwrap()
                .sum(Some(&[0]), false, None)
                .unwrap(),
        );
        assert_eq!(one[0].to_bits(), two[0].to_bits());
        assert_eq!(rows, rows2);
        let exact = (0.1f32 as f64 * n as f64) as f32;
        assert_eq!(one[0] as f32, exact);
    }

    #[test]
    fn sum_to_shape_undoes_broadcasting() {
        let t = arange(24, &[2, 3, 4]);
        let s = t.sum_to_shape(&[3, 1]).unwrap();
        assert_eq!(s.shape(), &[3, 1]);
        assert_eq!(data(&s), vec![60.0, 92.0, 124.0]);
        assert_eq!(t.sum_to_shape(&[]).unwrap().shape(), &[] as &[usize]);
        assert!(t.sum_to_shape(&[5]).is_err());
        let i = Tensor::from_vec(vec![1i32; 6], &[2, 3]).unwrap();
        assert_eq!(i.sum_to_shape(&[3]).unwrap().dtype(), DType::Int32);
    }
}
