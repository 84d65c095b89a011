//! Cumulative sums and products (`cumsum`, `cumprod`) along one dim, with torch's dtype rules,
//! computed deterministically and at memory speed.
//!
//! The input is viewed as `(outer, n, inner)` with the scanned dim in the middle. Two loops:
//! (a) `inner == 1`, the scanned dim is contiguous: every line is cut in segments of [`SEG`]
//! elements; pass 1 folds each segment (in parallel), a short sequential prefix over the totals
//! gives each segment its starting value, and pass 2 scans [`WAYS`] segments at once (independent
//! dependency chains, so the adds overlap instead of waiting on each other), in parallel;
//! (b) `inner > 1`: each scan step adds a whole contiguous row into a vector of accumulators
//! (vectorised), in parallel over column blocks.
//!
//! Determinism: segment boundaries, the fold order inside a segment and the prefix order depend only
//! on the shape, never on the thread count, so 1 and N threads give the same bits. Accuracy: float32
//! runs in float64 (as torch's CPU kernel), so `ones(2**25).cumsum(0)[-1] == 2**25`; integers and
//! bool run in wrapping int64.

use crate::dtype::{CastTo, DType, Element};
use crate::error::{Error, Result};
use crate::layout::Layout;
use crate::strided::SendPtr;
use crate::tensor::Tensor;
use crate::threads;

/// Elements per segment of a line scanned along its contiguous dim.
const SEG: usize = 1 << 12;
/// Segments scanned together, each its own dependency chain.
const WAYS: usize = 8;
/// Elements per chain converted at once in pass 2.
const TILE: usize = 64;
/// Independent accumulators of a segment's fold (pass 1).
const LANES: usize = 16;
/// Most columns per block of the row-accumulating loop (the accumulators stay in L1/L2).
const MAX_COL_BLOCK: usize = 4096;
/// Below this many elements everything runs on the calling thread.
const PAR_THRESHOLD: usize = 1 << 16;

/// Which scan.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ScanKind {
    /// Running sum.
    Sum,
    /// Running product.
    Prod,
}

impl ScanKind {
    /// torch's name of the kernel, as its dtype errors give it.
    pub fn kernel_name(self) -> &'static str {
        match self {
            ScanKind::Sum => "cumsum_out_cpu",
            ScanKind::Prod => "cumprod_out_cpu",
        }
    }
}

/// An accumulator type (float64 or wrapping int64) with both scan operations.
trait Acc: Copy + Send + Sync + 'static {
    const ZERO: Self;
    const ONE: Self;
    fn add(self, other: Self) -> Self;
    fn mul(self, other: Self) -> Self;
}

impl Acc for f64 {
    const ZERO: Self = 0.0;
    const ONE: Self = 1.0;
    #[inline(always)]
    fn add(self, other: Self) -> Self {
        self + other
    }
    #[inline(always)]
    fn mul(self, other: Self) -> Self {
        self * other
    }
}

impl Acc for i64 {
    const ZERO: Self = 0;
    const ONE: Self = 1;
    #[inline(always)]
    fn add(self, other: Self) -> Self {
        self.wrapping_add(other)
    }
    #[inline(always)]
    fn mul(self, other: Self) -> Self {
        self.wrapping_mul(other)
    }
}

/// The combining operation, as a type so each kernel is compiled for it.
trait Op<A: Acc>: Copy + Send + Sync + 'static {
    const IDENTITY: A;
    fn apply(a: A, b: A) -> A;
}

#[derive(Clone, Copy)]
struct Add;
#[derive(Clone, Copy)]
struct Mul;

impl<A: Acc> Op<A> for Add {
    const IDENTITY: A = A::ZERO;
    #[inline(always)]
    fn apply(a: A, b: A) -> A {
        a.add(b)
    }
}

impl<A: Acc> Op<A> for Mul {
    const IDENTITY: A = A::ONE;
    #[inline(always)]
    fn apply(a: A, b: A) -> A {
        a.mul(b)
    }
}

/// The element types of one kernel: input `T`, accumulator `A`, output `O`.
///
/// Invariant (what the `SAFETY` comments below rest on): built only by [`Kernel::run`], from a
/// live contiguous `T` tensor `x` and a fresh contiguous `O` tensor `y` of the same
/// `outer * n * inner` elements, which [`scan_raw`] keeps alive for the whole run, so element `k`
/// of either is at offset `k`, and `y` shares no memory with `x`.
#[derive(Clone, Copy)]
struct Kernel<T, A, O, P> {
    x: SendPtr<T>,
    y: SendPtr<O>,
    _types: std::marker::PhantomData<(A, P)>,
}

/// Runs `f(i)` for `i in 0..chunks`, on the pool when `parallel`.
fn run_chunks(chunks: usize, parallel: bool, f: impl Fn(usize) + Sync + Send) {
    if parallel {
        threads::for_each_chunk(chunks, f);
    } else {
        (0..chunks).for_each(f);
    }
}

impl<T, A, O, P> Kernel<T, A, O, P>
where
    T: Element + CastTo<A>,
    A: Acc + CastTo<O>,
    O: Element,
    P: Op<A>,
{
    /// Scans `src` (contiguous, `outer * n * inner` elements) into `out` (same shape, contiguous).
    /// [`scan_raw`], the one caller, chose `T` and `O` from the two tensors' dtypes and made `out`.
    fn run(src: &Tensor, out: &Tensor, outer: usize, n: usize, inner: usize) {
        let k = Kernel::<T, A, O, P> {
            x: SendPtr(src.data_ptr_typed::<T>()),
            y: SendPtr(out.data_ptr_typed::<O>()),
            _types: std::marker::PhantomData,
        };
        let parallel = outer * n * inner >= PAR_THRESHOLD;
        if inner == 1 {
            k.lines(outer, n, parallel);
        } else {
            k.rows(outer, n, inner, parallel);
        }
    }

    /// Loop (a): `outer` lines of `n` contiguous elements.
    fn lines(self, outer: usize, n: usize, parallel: bool) {
        let per_line = n.div_ceil(SEG);
        let segments = outer * per_line;
        if per_line > 1 && (!parallel || threads::num_threads() == 1) {
            return self.lines_fused(segments, n, per_line);
        }
        // Pass 1 and the prefix: each segment's starting value (the identity at a line's start).
        let mut starts = vec![P::IDENTITY; segments];
        if per_line > 1 {
            let s = SendPtr(starts.as_mut_ptr());
            // SAFETY: segment `i < segments` is `len` elements from `off` of one line, inside `x`
            // (the invariant: `off + len <= outer * n`, as `inner == 1` here), only read; it
            // writes slot `i` of `starts` (`segments` long) and no other chunk does.
            run_chunks(segments.div_ceil(WAYS), parallel, |g| unsafe {
                for i in g * WAYS..((g + 1) * WAYS).min(segments) {
                    let (off, len) = self.segment(i, n, per_line);
                    *s.at(i as isize) = fold::<T, A, P>(self.x.at(off as isize), len);
                }
            });
            for line in starts.chunks_exact_mut(per_line) {
                let mut acc = P::IDENTITY;
                for v in line.iter_mut() {
                    let total = *v;
                    *v = acc;
                    acc = P::apply(acc, total);
                }
            }
        }
        // Pass 2: groups of WAYS segments, each group scanned as WAYS interleaved chains.
        let starts = &starts;
        // SAFETY: group `g` covers segments `g * WAYS..min((g + 1) * WAYS, segments)`, inside `x`
        // and `y` as above, with `starts[g * WAYS..]` holding at least as many starts; it reads
        // `x`'s and writes `y`'s elements of its own segments only, which no other group touches.
        run_chunks(segments.div_ceil(WAYS), parallel, |g| unsafe {
            self.scan_group(
                g * WAYS,
                ((g + 1) * WAYS).min(segments),
                n,
                per_line,
                &starts[g * WAYS..],
            )
        });
    }

    /// [`Self::lines`] on one thread in one pass over memory: each group of [`WAYS`] segments is
    /// folded (its starting values follow from the previous group's) and then scanned while it is
    /// still in cache. The same folds, starts and chains as the two passes, so the same bits.
    fn lines_fused(self, segments: usize, n: usize, per_line: usize) {
        let mut starts = [P::IDENTITY; WAYS];
        let mut carry = P::IDENTITY;
        for first in (0..segments).step_by(WAYS) {
            let last = (first + WAYS).min(segments);
            for i in first..last {
                if i % per_line == 0 {
                    carry = P::IDENTITY;
                }
                starts[i - first] = carry;
                if (i + 1) % per_line == 0 {
                    continue; // a line's last segment starts nothing
                }
                let (off, len) = self.segment(i, n, per_line);
                // SAFETY: segment `i < segments` is `len` elements from `off`, inside the
                // contiguous input (the invariant), read on this one thread.
                let total = unsafe { fold::<T, A, P>(self.x.at(off as isize), len) };
                carry = P::apply(carry, total);
            }
            // SAFETY: segments `first..last` (`last <= segments`, `last - first <= WAYS`
            // starts given) lie inside `x` and `y` (the invariant); one thread, nothing else runs.
            unsafe { self.scan_group(first, last, n, per_line, &starts) };
        }
    }

    /// Offset and length of segment `i` (of `per_line` per line of `n`).
    #[inline]
    fn segment(self, i: usize, n: usize, per_line: usize) -> (usize, usize) {
        let (line, s) = (i / per_line, i % per_line);
        let start = s * SEG;
        (line * n + start, SEG.min(n - start))
    }

    /// [`Self::scan_group_generic`], in its AVX2 build when the CPU has it (the same operations).
    ///
    /// # Safety
    /// As [`Self::scan_group_generic`].
    unsafe fn scan_group(self, first: usize, last: usize, n: usize, per_line: usize, starts: &[A]) {
        #[cfg(target_arch = "x86_64")]
        if std::arch::is_x86_feature_detected!("avx2") {
            return self.scan_group_avx2(first, last, n, per_line, starts);
        }
        self.scan_group_generic(first, last, n, per_line, starts)
    }

    /// [`Self::scan_group_generic`] built for AVX2.
    ///
    /// # Safety
    /// As [`Self::scan_group_generic`], and the CPU must have AVX2.
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2")]
    unsafe fn scan_group_avx2(
        self,
        first: usize,
        last: usize,
        n: usize,
        per_line: usize,
        starts: &[A],
    ) {
        self.scan_group_generic(first, last, n, per_line, starts)
    }

    /// Scans segments `first..last` from their starting values (segment `i`'s is
    /// `starts[i - first]`).
    ///
    /// # Safety
    /// `first <= last <= outer * per_line` with `last - first <= WAYS`, `starts` has at least
    /// `last - first` values, `x`/`y` hold `outer` lines of `n` elements (the invariant), and
    /// no other thread reads or writes these segments of `y` meanwhile.
    #[inline(always)]
    unsafe fn scan_group_generic(
        self,
        first: usize,
        last: usize,
        n: usize,
        per_line: usize,
        starts: &[A],
    ) {
        let mut acc = [P::IDENTITY; WAYS];
        let mut offs = [0usize; WAYS];
        let mut lens = [0usize; WAYS];
        let count = last - first;
        for w in 0..count {
            (offs[w], lens[w]) = self.segment(first + w, n, per_line);
            acc[w] = starts[w];
        }
        // The common length runs interleaved when the group is full; the rest chain by chain.
        let common = if count == WAYS {
            lens.iter().copied().min().unwrap_or(0)
        } else {
            0
        };
        let x: [*const T; WAYS] = std::array::from_fn(|w| self.x.at(offs[w] as isize) as *const T);
        let y: [*mut O; WAYS] = std::array::from_fn(|w| self.y.at(offs[w] as isize));
        // Conversions in and out run vectorised over a tile; only the adds are chained.
        let mut buf = [[P::IDENTITY; TILE]; WAYS];
        for i0 in (0..common).step_by(TILE) {
            let len = TILE.min(common - i0);
            for w in 0..WAYS {
                let src = std::slice::from_raw_parts(x[w].add(i0), len);
                for (b, &v) in buf[w][..len].iter_mut().zip(src) {
                    *b = v.cast();
                }
            }
            // One step of every chain before the next step of any (the chains overlap).
            #[allow(clippy::needless_range_loop)]
            for i in 0..len {
                for w in 0..WAYS {
                    acc[w] = P::apply(acc[w], buf[w][i]);
                    buf[w][i] = acc[w];
                }
            }
            for w in 0..WAYS {
                let dst = std::slice::from_raw_parts_mut(y[w].add(i0), len);
                for (o, &b) in dst.iter_mut().zip(&buf[w][..len]) {
                    *o = b.cast();
                }
            }
        }
        for w in 0..count {
            let mut a = acc[w];
            for i in common..lens[w] {
                a = P::apply(a, (*x[w].add(i)).cast());
                *y[w].add(i) = a.cast();
            }
        }
    }

    /// Loop (b): for each of `outer` blocks, `n` rows of `inner` contiguous elements are scanned
    /// row by row into a vector of accumulators; work items are (block, column block). Columns
    /// are independent, so the block width (wide rows keep the prefetchers streaming, one block
    /// per thread keeps both busy) never changes a value.
    fn rows(self, outer: usize, n: usize, inner: usize, parallel: bool) {
        let threads = if parallel { threads::num_threads() } else { 1 };
        let block = if outer >= threads {
            inner.min(MAX_COL_BLOCK)
        } else {
            inner
                .div_ceil(threads)
                .next_multiple_of(64)
                .clamp(64, MAX_COL_BLOCK)
        };
        let col_blocks = inner.div_ceil(block);
        // SAFETY: with `inner > 1`, block `o < outer` is `n` rows of `inner` elements from
        // `o * n * inner`; item (o, cb) reads `x` and writes `y` at rows `r < n`, columns
        // `col0..col0 + width <= inner`: inside both (the invariant), and disjoint from every
        // other item's columns; `acc` has `width` values, its own.
        run_chunks(outer * col_blocks, parallel, |item| unsafe {
            let (o, cb) = (item / col_blocks, item % col_blocks);
            let col0 = cb * block;
            let width = block.min(inner - col0);
            let base = (o * n * inner + col0) as isize;
            let mut acc = vec![P::IDENTITY; width];
            for r in 0..n {
                let at = base + (r * inner) as isize;
                scan_row::<T, A, O, P>(&mut acc, self.x.at(at), self.y.at(at));
            }
        });
    }
}

/// Folds `len` contiguous elements with [`LANES`] accumulators met in a fixed pairwise tree.
///
/// # Safety
/// `p` must be valid for reads of `len` consecutive `T`s that no thread writes meanwhile.
#[inline(always)]
unsafe fn fold_generic<T: CastTo<A>, A: Acc, P: Op<A>>(p: *const T, len: usize) -> A {
    let s = std::slice::from_raw_parts(p, len);
    let mut l = [P::IDENTITY; LANES];
    let mut blocks = s.chunks_exact(LANES);
    for b in &mut blocks {
        for k in 0..LANES {
            l[k] = P::apply(l[k], b[k].cast());
        }
    }
    for (k, &v) in blocks.remainder().iter().enumerate() {
        l[k] = P::apply(l[k], v.cast());
    }
    let mut width = LANES;
    while width > 1 {
        width /= 2;
        for k in 0..width {
            l[k] = P::apply(l[k], l[k + width]);
        }
    }
    l[0]
}

/// [`fold_generic`] built for AVX2.
///
/// # Safety
/// As [`fold_generic`], and the CPU must have AVX2.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn fold_avx2<T: CastTo<A>, A: Acc, P: Op<A>>(p: *const T, len: usize) -> A {
    fold_generic::<T, A, P>(p, len)
}

/// [`fold_generic`], in its AVX2 build when the CPU has it (the same operations, so the same bits).
///
/// # Safety
/// As [`fold_generic`].
unsafe fn fold<T: CastTo<A>, A: Acc, P: Op<A>>(p: *const T, len: usize) -> A {
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx2") {
        return fold_avx2::<T, A, P>(p, len);
    }
    fold_generic::<T, A, P>(p, len)
}

/// `acc[j] = acc[j] op x[j]; y[j] = acc[j]` over one row.
///
/// # Safety
/// `x` must be valid for reads and `y` for writes of `acc.len()` consecutive elements, the two
/// ranges must not overlap, and no other thread may access `y`'s or write `x`'s meanwhile.
#[inline(always)]
unsafe fn scan_row_generic<T: CastTo<A>, A: Acc + CastTo<O>, O, P: Op<A>>(
    acc: &mut [A],
    x: *const T,
    y: *mut O,
) {
    let (x, y) = (
        std::slice::from_raw_parts(x, acc.len()),
        std::slice::from_raw_parts_mut(y, acc.len()),
    );
    for ((a, &v), o) in acc.iter_mut().zip(x).zip(y) {
        *a = P::apply(*a, v.cast());
        *o = a.cast();
    }
}

/// [`scan_row_generic`] built for AVX2.
///
/// # Safety
/// As [`scan_row_generic`], and the CPU must have AVX2.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn scan_row_avx2<T: CastTo<A>, A: Acc + CastTo<O>, O, P: Op<A>>(
    acc: &mut [A],
    x: *const T,
    y: *mut O,
) {
    scan_row_generic::<T, A, O, P>(acc, x, y)
}

/// [`scan_row_generic`], in its AVX2 build when the CPU has it.
///
/// # Safety
/// As [`scan_row_generic`].
unsafe fn scan_row<T: CastTo<A>, A: Acc + CastTo<O>, O, P: Op<A>>(
    acc: &mut [A],
    x: *const T,
    y: *mut O,
) {
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx2") {
        return scan_row_avx2::<T, A, O, P>(acc, x, y);
    }
    scan_row_generic::<T, A, O, P>(acc, x, y)
}

/// Whether a `from` input feeds a kernel with output `to` directly (an exact widening into the
/// accumulator); anything else is converted to `to` first, as torch does.
fn direct(from: DType, to: DType) -> bool {
    from == to
        || matches!(
            (from, to),
            (DType::Float32, DType::Float64) | (DType::Bool | DType::Int32, DType::Int64)
        )
}

/// The sizes before, of, and after `dim` (a 0-dim tensor is one line of one element).
fn split_at_dim(shape: &[usize], dim: usize) -> (usize, usize, usize) {
    if shape.is_empty() {
        return (1, 1, 1);
    }
    (
        shape[..dim].iter().product(),
        shape[dim],
        shape[dim + 1..].iter().product(),
    )
}

/// The scan of `src` along `dim` (already normalised) into a new contiguous `out_dtype` tensor,
/// without recording anything for autograd.
pub fn scan_raw(src: &Tensor, dim: usize, kind: ScanKind, out_dtype: DType) -> Result<Tensor> {
    if dim >= src.ndim().max(1) {
        return Err(Error::DimOutOfRange {
            dim: dim as i64,
            min: -(src.ndim().max(1) as i64),
            max: src.ndim().max(1) as i64 - 1,
        });
    }
    if out_dtype == DType::Bool {
        return Err(unsupported(kind, out_dtype));
    }
    let src = if direct(src.dtype(), out_dtype) {
        src.detach()
    } else {
        src.detach().to_dtype(out_dtype)?
    };
    let src = src.contiguous()?;
    let out = Tensor::uninit(src.shape(), out_dtype)?;
    if out.numel() == 0 {
        return Ok(out);
    }
    let (outer, n, inner) = split_at_dim(src.shape(), dim);
    macro_rules! go {
        ($T:ty, $A:ty, $O:ty) => {
            match kind {
                ScanKind::Sum => Kernel::<$T, $A, $O, Add>::run(&src, &out, outer, n, inner),
                ScanKind::Prod => Kernel::<$T, $A, $O, Mul>::run(&src, &out, outer, n, inner),
            }
        };
    }
    match (src.dtype(), out_dtype) {
        (DType::Bool, DType::Int64) => go!(bool, i64, i64),
        (DType::Int32, DType::Int64) => go!(i32, i64, i64),
        (DType::Int64, DType::Int64) => go!(i64, i64, i64),
        (DType::Int32, DType::Int32) => go!(i32, i64, i32),
        (DType::Float32, DType::Float32) => go!(f32, f64, f32),
        (DType::Float32, DType::Float64) => go!(f32, f64, f64),
        (DType::Float64, DType::Float64) => go!(f64, f64, f64),
        (_, o) => return Err(unsupported(kind, o)),
    }
    Ok(out)
}

/// torch's error for an output dtype the scan has no kernel for (bool).
fn unsupported(kind: ScanKind, dtype: DType) -> Error {
    Error::DTypeNotSupported {
        op: kind.kernel_name(),
        dtype: dtype.torch_name(),
    }
}

/// `t` reversed along `dim` (a view with a negative stride).
fn flip_view(t: &Tensor, dim: usize) -> Tensor {
    let mut l: Layout = t.layout().clone();
    if l.shape[dim] > 1 {
        l.offset = (l.offset as isize + (l.shape[dim] - 1) as isize * l.strides[dim]) as usize;
        l.strides[dim] = -l.strides[dim];
    }
    t.detach().with_layout(l)
}

/// The running sum from the end: `out[k] = sum of t[j] for j >= k` along `dim` (the gradient of
/// `cumsum`), in `t`'s dtype, contiguous, not recorded.
pub fn reverse_cumsum(t: &Tensor, dim: usize) -> Result<Tensor> {
    if t.ndim() == 0 {
        return Ok(t.detach());
    }
    let scanned = scan_raw(&flip_view(t, dim), dim, ScanKind::Sum, t.dtype())?;
    flip_view(&scanned, dim).clone_contiguous()
}

/// `cumprod`'s gradient along `dim`: `grad[k] = out[k-1] * S[k]` with
/// `S[k] = g[k] + x[k+1] * S[k+1]`, for contiguous `x`, `out` and `g` of one shape and dtype,
/// computed in float64; blocks along the outer dims run in parallel.
pub fn cumprod_grad(x: &Tensor, out: &Tensor, g: &Tensor, dim: usize) -> Result<Tensor> {
    let shape = g.shape();
    let ok = [x, out]
        .iter()
        .all(|t| t.shape() == shape && t.dtype() == g.dtype())
        && [x, out, g].iter().all(|t| t.is_contiguous())
        && (shape.is_empty() || dim < shape.len());
    if !ok {
        return Err(Error::Runtime(
            "internal error: cumprod_grad needs contiguous tensors of one shape and dtype".into(),
        ));
    }
    let grad = Tensor::uninit(shape, g.dtype())?;
    let (outer, n, inner) = if shape.is_empty() {
        (1, 1, 1)
    } else {
        (
            shape[..dim].iter().product(),
            shape[dim],
            shape[dim + 1..].iter().product(),
        )
    };
    if grad.numel() > 0 {
        crate::dispatch!(g.dtype(), T => cumprod_blocks::<T>(x, out, g, &grad, outer, n, inner));
    }
    Ok(grad)
}

/// The loop of [`cumprod_grad`] over `(outer, n, inner)`-shaped contiguous `T` tensors.
fn cumprod_blocks<T: Element>(
    x: &Tensor,
    out: &Tensor,
    g: &Tensor,
    grad: &Tensor,
    outer: usize,
    n: usize,
    inner: usize,
) {
    let (xp, op, gp, rp) = (
        SendPtr(x.data_ptr_typed::<T>()),
        SendPtr(out.data_ptr_typed::<T>()),
        SendPtr(g.data_ptr_typed::<T>()),
        SendPtr(grad.data_ptr_typed::<T>()),
    );
    // SAFETY: `cumprod_grad` checked that the four are contiguous `T` tensors (`T` dispatched
    // from their dtype) of one shape, i.e. `outer * n * inner` elements, so every `at(k, i)`
    // with `k < n`, `i < inner` is inside all four; block `o` writes only `grad`'s elements
    // `o * n * inner..(o + 1) * n * inner`, and `grad` is a fresh tensor no block reads.
    threads::for_each_chunk(outer, |o| unsafe {
        let base = o * n * inner;
        let at = |k: usize, i: usize| (base + k * inner + i) as isize;
        let mut s = vec![0.0f64; inner];
        for k in (0..n).rev() {
            for (i, sv) in s.iter_mut().enumerate() {
                let next = if k + 1 < n {
                    (*xp.at(at(k + 1, i))).to_f64() * *sv
                } else {
                    0.0
                };
                *sv = (*gp.at(at(k, i))).to_f64() + next;
                let before = if k > 0 {
                    (*op.at(at(k - 1, i))).to_f64()
                } else {
                    1.0
                };
                *rp.at(at(k, i)) = T::from_f64(before * *sv);
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cumprod_grad_refuses_mismatched_operands() {
        let a = Tensor::full(&[2, 3], crate::Scalar::Float(2.0), DType::Float64).unwrap();
        let b = Tensor::full(&[3, 2], crate::Scalar::Float(2.0), DType::Float64).unwrap();
        let f = Tensor::full(&[2, 3], crate::Scalar::Float(2.0), DType::Float32).unwrap();
        assert!(cumprod_grad(&a, &a, &b, 0).is_err());
        assert!(cumprod_grad(&a, &f, &a, 0).is_err());
        assert!(cumprod_grad(&a, &a, &a.transpose(0, 1).unwrap(), 0).is_err());
        assert!(cumprod_grad(&a, &a, &a, 2).is_err());
        let g = cumprod_grad(&a, &a, &a, 1).unwrap();
        assert_eq!(g.shape(), &[2, 3]);
    }

    fn data(t: &Tensor) -> Vec<f64> {
        crate::dispatch!(t.dtype(), T => {
            let c = t.contiguous().unwrap();
            let p = c.data_ptr_typed::<T>();
            // SAFETY: `dispatch!` made `T` `c`'s dtype, and `c` is contiguous, so its elements are
            // `p..p + numel`; `c` lives across the read.
            (0..c.numel()).map(|i| unsafe { (*p.add(i)).to_f64() }).collect()
        })
    }

    /// The obvious loop over (outer, scanned, inner).
    fn naive(v: &[f64], shape: &[usize], dim: usize, prod: bool) -> Vec<f64> {
        let (outer, n, inner) = split_at_dim(shape, dim);
        let mut out = v.to_vec();
        for o in 0..outer {
            for i in 0..inner {
                let mut acc = if prod { 1.0 } else { 0.0 };
                for k in 0..n {
                    let at = (o * n + k) * inner + i;
                    acc = if prod { acc * v[at] } else { acc + v[at] };
                    out[at] = acc;
                }
            }
        }
        out
    }

    #[test]
    fn every_dim_and_both_loops() {
        for shape in [
            vec![3, 5000, 2],
            vec![2, 9000],
            vec![10_000],
            vec![4, 3, 1030],
        ] {
            let n: usize = shape.iter().product();
            let v: Vec<f64> = (0..n).map(|i| (i % 7) as f64 - 3.0).collect();
            let t = Tensor::from_vec(v.clone(), &shape).unwrap();
            for dim in 0..shape.len() {
                let got = data(&t.cumsum(dim as i64, None).unwrap());
                assert_eq!(got, naive(&v, &shape, dim, false), "{shape:?} dim {dim}");
            }
        }
        let v: Vec<f64> = (0..40).map(|i| 1.0 + (i % 3) as f64 * 0.25).collect();
        let t = Tensor::from_vec(v.clone(), &[5, 8]).unwrap();
        for dim in 0..2 {
            let got = data(&t.cumprod(dim as i64, None).unwrap());
            let want = naive(&v, &[5, 8], dim, true);
            for (g, w) in got.iter().zip(&want) {
                assert!((g - w).abs() <= 1e-12 * w.abs(), "{g} vs {w}");
            }
        }
    }

    #[test]
    fn dtypes_errors_and_reverse() {
        let b = Tensor::from_vec(vec![true, false, true], &[3]).unwrap();
        let s = b.cumsum(0, None).unwrap();
        assert_eq!((s.dtype(), data(&s)), (DType::Int64, vec![1.0, 1.0, 2.0]));
        assert!(matches!(
            b.cumsum(0, Some(DType::Bool)),
            Err(Error::DTypeNotSupported {
                op: "cumsum_out_cpu",
                dtype: "Bool"
            })
        ));
        assert!(matches!(
            b.cumsum(1, None),
            Err(Error::DimOutOfRange { .. })
        ));
        let z = Tensor::from_vec(vec![4.0f32], &[]).unwrap();
        assert_eq!(data(&z.cumprod(-1, None).unwrap()), vec![4.0]);
        let t = Tensor::from_vec(vec![1.0f64, 2.0, 3.0, 4.0, 5.0, 6.0], &[2, 3]).unwrap();
        let r = reverse_cumsum(&t, 1).unwrap();
        assert_eq!(data(&r), vec![6.0, 5.0, 3.0, 15.0, 11.0, 6.0]);
        let r = reverse_cumsum(&t, 0).unwrap();
        assert_eq!(data(&r), vec![5.0, 7.0, 9.0, 4.0, 5.0, 6.0]);
    }

    #[test]
    fn raw_scans_refuse_dims_out_of_range() {
        let t = Tensor::from_vec(vec![1.0f64, 2.0, 3.0], &[3]).unwrap();
        assert!(scan_raw(&t, 1, ScanKind::Sum, DType::Float64).is_err());
        let z = Tensor::from_vec(vec![1.0f64], &[]).unwrap();
        assert!(scan_raw(&z, 0, ScanKind::Sum, DType::Float64).is_ok());
        assert!(scan_raw(&z, 1, ScanKind::Sum, DType::Float64).is_err());
    }

    #[test]
    fn float32_is_exact_and_thread_independent() {
        let n = (1 << 25) + 3;
        let t = Tensor::from_vec(vec![1.0f32; n], &[n]).unwrap();
        let last = |t: &Tensor| data(&t.cumsum(0, None).unwrap())[n - 1];
        assert_eq!(last(&t), n as f32 as f64, "the exact sum, rounded once");
        let m = 300_000;
        let v: Vec<f32> = (0..m).map(|i| ((i * 7919) % 1000) as f32 * 0.001).collect();
        let t = Tensor::from_vec(v, &[m]).unwrap();
        threads::set_num_threads(1);
        let one = data(&t.cumsum(0, None).unwrap());
        threads::set_num_threads(2);
        let two = data(&t.cumsum(0, None).unwrap());
        assert!(one
            .iter()
            .zip(&two)
            .all(|(a, b)| a.to_bits() == b.to_bits()));
    }
}
