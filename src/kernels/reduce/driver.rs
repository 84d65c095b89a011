//! The one reduction machine every reduction runs on: a [`Reducer`] says how elements combine,
//! this file decides how the elements are walked and split among threads.
//!
//! Determinism: every output element's reduction is split in chunks of [`CHUNK`] elements (or
//! [`rows_per_chunk`] rows) whose boundaries depend only on the shape, each chunk is reduced with
//! [`LANES`] independent accumulators, and the chunk partials meet in a fixed pairwise tree. Threads
//! only decide *who* computes a chunk, never *what* it computes, so 1 and N threads agree bitwise.
//!
//! Three loops: (a) one strided run per output (reducing inner dims; the contiguous case vectorises),
//! (b) row accumulation (reducing outer dims while the kept innermost dim is contiguous), and
//! (c) the general strided walk over the reduced dims for everything else.

use super::half_sum::half_sum;
use super::norms::SumSquares;
use super::reducer::{lanes_tree, merge_rows_generic, prefetch_ahead, tree, Reducer, CHUNK, LANES};
use super::reducers::{Prod, Sum};
use crate::dtype::Element;
use crate::error::{Error, Result};
use crate::kernels::engine::check_dtype;
use crate::shape::{contiguous_strides, fmt_shape};
use crate::strided::{Coalesced, SendPtr};
use crate::tensor::Tensor;
use crate::threads;

/// Below this many input elements everything runs on the calling thread. Handing a job to the
/// team costs about a microsecond; measured at 2 threads, a 32K-element float32 sum took 0.79 of
/// its 1-thread time, 64K 0.72 and 256K 0.57 (`sum(0)` of 256 columns: 0.87, 0.78, 0.61).
const PAR_THRESHOLD: usize = 1 << 15;
/// Columns per block of the row-accumulating loop when row chunks are combined afterwards: whole
/// rows of a 4096-wide matrix, so every read is one long sequential stream (32 KiB of float64
/// accumulators stay in L1; argmax's 16-byte ones take 64 KiB, in L2).
const COL_BLOCK: usize = 4096;
/// Elements per row chunk of the row-accumulating loop (at least 64 rows): few enough partials
/// that combining them costs a small fraction of the input's read.
const ROW_CHUNK: usize = 1 << 20;
/// Columns per block when there is a single row chunk and every block walks all its rows: small
/// enough to give every thread several blocks.
const NARROW_COL_BLOCK: usize = 256;

/// Reduces `len` contiguous elements with [`LANES`] accumulators; `first` is the first's index.
///
/// # Safety
/// `p` must be valid for reads of `len` consecutive elements, which no other thread writes
/// while they are read.
#[inline(always)]
unsafe fn lanes_contiguous<T: Element, R: Reducer<T>>(
    p: *const T,
    len: usize,
    first: usize,
) -> R::Acc {
    if let Some(acc) = R::run(p, len, first) {
        return acc;
    }
    let s = std::slice::from_raw_parts(p, len);
    let mut l = [R::identity(); LANES];
    let mut blocks = s.chunks_exact(LANES);
    for (bi, b) in (&mut blocks).enumerate() {
        prefetch_ahead(b.as_ptr(), LANES);
        for k in 0..LANES {
            l[k] = R::merge(l[k], R::lift(b[k], first + bi * LANES + k));
        }
    }
    let done = len / LANES * LANES;
    for (k, &v) in blocks.remainder().iter().enumerate() {
        l[k] = R::merge(l[k], R::lift(v, first + done + k));
    }
    lanes_tree::<T, R>(l)
}

/// [`lanes_contiguous`] built for AVX2 (and FMA, which only explicit `mul_add`s use: the
/// compiler never fuses a separate multiply and add, so other reducers keep their bits).
///
/// # Safety
/// As [`lanes_contiguous`], and the CPU must have AVX2 and FMA.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
unsafe fn lanes_contiguous_avx2<T: Element, R: Reducer<T>>(
    p: *const T,
    len: usize,
    first: usize,
) -> R::Acc {
    lanes_contiguous::<T, R>(p, len, first)
}

/// [`lanes_contiguous`] built for AVX-512 (and FMA, as [`lanes_contiguous_avx2`]).
///
/// # Safety
/// As [`lanes_contiguous`], and the CPU must have AVX-512F and FMA.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f,fma")]
unsafe fn lanes_contiguous_avx512<T: Element, R: Reducer<T>>(
    p: *const T,
    len: usize,
    first: usize,
) -> R::Acc {
    lanes_contiguous::<T, R>(p, len, first)
}

/// What [`widen_avx512`] does with each widened element (a const parameter).
#[cfg(target_arch = "x86_64")]
mod widened {
    /// Adds it ([`super::Sum`]); any other value does too.
    pub const SUM: u8 = 0;
    /// Multiplies by it ([`super::Prod`]).
    pub const PROD: u8 = 1;
    /// Adds its square ([`super::SumSquares`], the 2-norm).
    pub const SUM_SQUARES: u8 = 2;
}

/// How [`widen_avx512`] reads eight elements as eight float32s (a const parameter).
#[cfg(target_arch = "x86_64")]
mod source {
    /// float32 as it is.
    pub const F32: u8 = 0;
    /// float16, by the F16C conversion (exact).
    pub const F16: u8 = 1;
    /// bfloat16, by moving its bits to the top half (exact).
    pub const BF16: u8 = 2;
}

/// The float32, float16 or bfloat16 sum, product or sum of squares with explicit AVX-512
/// widening (the compiler's own loop converts one element at a time): the same [`LANES`] lanes,
/// the same operations in the same order, then the same tree, so the bits equal the generic
/// loop's (the widening to float64 is exact for all three). `None` unless `T` is one of the three
/// and `R` is [`Sum`], [`Prod`] or [`SumSquares`]. (Contiguous float16/bfloat16 sums take
/// `half_sum`'s blocked float32 loop before they get here; the unit test still checks this one's
/// bits for them.)
///
/// # Safety
/// `p` must point to `len` readable elements and the CPU must have AVX-512F and F16C.
#[cfg(target_arch = "x86_64")]
#[inline]
unsafe fn widen_fast<T: Element, R: Reducer<T>>(p: *const T, len: usize) -> Option<R::Acc> {
    use crate::dtype::{bf16, f16};
    use std::any::TypeId;
    let t = TypeId::of::<T>();
    let kind = if t == TypeId::of::<f32>() {
        source::F32
    } else if t == TypeId::of::<f16>() {
        source::F16
    } else if t == TypeId::of::<bf16>() {
        source::BF16
    } else {
        return None;
    };
    let r = TypeId::of::<R>();
    let op = if r == TypeId::of::<Sum>() {
        widened::SUM
    } else if r == TypeId::of::<Prod>() {
        widened::PROD
    } else if r == TypeId::of::<SumSquares>() {
        widened::SUM_SQUARES
    } else {
        return None;
    };
    macro_rules! by_op {
        ($kind:expr) => {
            match op {
                widened::PROD => widen_avx512::<T, { widened::PROD }, { $kind }>(p, len),
                widened::SUM_SQUARES => {
                    widen_avx512::<T, { widened::SUM_SQUARES }, { $kind }>(p, len)
                }
                _ => widen_avx512::<T, { widened::SUM }, { $kind }>(p, len),
            }
        };
    }
    let total = match kind {
        source::F16 => by_op!(source::F16),
        source::BF16 => by_op!(source::BF16),
        _ => by_op!(source::F32),
    };
    // SAFETY: `R` is `Sum`, `Prod` or `SumSquares` (the `TypeId`s above) and `T` is f32, f16 or
    // bf16; each of them declares `Acc = f64` for these (reducers.rs, norms.rs), so `R::Acc` is
    // `f64` and the copy reads exactly the 8 bytes of a valid f64.
    Some(std::mem::transmute_copy::<f64, R::Acc>(&total))
}

/// [`widen_fast`]'s loop; `KIND` is the [`source`] that `T` is.
///
/// # Safety
/// `p` must be valid for reads of `len` consecutive `T`s (not written meanwhile), `T` must be the
/// type `KIND` names, and the CPU must have AVX-512F and F16C.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f,avx2,f16c")]
unsafe fn widen_avx512<T: Element, const OP: u8, const KIND: u8>(p: *const T, len: usize) -> f64 {
    use std::arch::x86_64::*;
    let identity = if OP == widened::PROD { 1.0 } else { 0.0 };
    let step = |a: f64, x: f64| match OP {
        widened::PROD => a * x,
        widened::SUM_SQUARES => a + x * x,
        _ => a + x,
    };
    // Eight elements from `q` as eight float32s.
    let load8 = |q: *const T| match KIND {
        source::F16 => _mm256_cvtph_ps(_mm_loadu_si128(q as *const __m128i)),
        source::BF16 => _mm256_castsi256_ps(_mm256_slli_epi32::<16>(_mm256_cvtepu16_epi32(
            _mm_loadu_si128(q as *const __m128i),
        ))),
        _ => _mm256_loadu_ps(q as *const f32),
    };
    let mut acc = [_mm512_set1_pd(identity); LANES / 8];
    let full = len / LANES * LANES;
    let mut i = 0;
    while i < full {
        prefetch_ahead(p.add(i), LANES);
        for (j, a) in acc.iter_mut().enumerate() {
            let x = _mm512_cvtps_pd(load8(p.add(i + 8 * j)));
            *a = match OP {
                widened::PROD => _mm512_mul_pd(*a, x),
                widened::SUM_SQUARES => _mm512_add_pd(*a, _mm512_mul_pd(x, x)),
                _ => _mm512_add_pd(*a, x),
            };
        }
        i += LANES;
    }
    let mut l = [identity; LANES];
    for (j, a) in acc.iter().enumerate() {
        _mm512_storeu_pd(l.as_mut_ptr().add(8 * j), *a);
    }
    for (k, lane) in l.iter_mut().enumerate().take(len - full) {
        *lane = step(*lane, (*p.add(full + k)).to_f64());
    }
    match OP {
        widened::PROD => lanes_tree::<f32, Prod>(l),
        _ => lanes_tree::<f32, Sum>(l),
    }
}

/// Reduces `len` elements `stride` apart, the first being element `first`. The contiguous case
/// runs the AVX-512 or AVX2 build of the same loop when the CPU has it: the same operations in
/// the same order, so the same bits.
///
/// # Safety
/// For every `i < len`, `p.offset(i * stride)` must be a readable `T` in one allocation that no
/// other thread writes meanwhile.
#[inline]
unsafe fn reduce_run<T: Element, R: Reducer<T>>(
    p: *const T,
    len: usize,
    stride: isize,
    first: usize,
) -> R::Acc {
    if stride == 1 {
        if let Some(total) = half_sum::<T, R>(p, len) {
            // SAFETY: `half_sum` answers only for `R` = `Sum` with `T` float16 or bfloat16, whose
            // `Acc` is `f64` (reducers.rs), so the copy reads exactly the 8 bytes of a valid f64.
            return std::mem::transmute_copy::<f64, R::Acc>(&total);
        }
        #[cfg(target_arch = "x86_64")]
        {
            if std::arch::is_x86_feature_detected!("avx512f")
                && std::arch::is_x86_feature_detected!("fma")
            {
                if std::arch::is_x86_feature_detected!("f16c") {
                    if let Some(acc) = widen_fast::<T, R>(p, len) {
                        return acc;
                    }
                }
                return lanes_contiguous_avx512::<T, R>(p, len, first);
            }
            if std::arch::is_x86_feature_detected!("avx2")
                && std::arch::is_x86_feature_detected!("fma")
            {
                return lanes_contiguous_avx2::<T, R>(p, len, first);
            }
        }
        return lanes_contiguous::<T, R>(p, len, first);
    }
    let mut l = [R::identity(); LANES];
    let full = len / LANES * LANES;
    let mut i = 0;
    while i < full {
        for (k, lane) in l.iter_mut().enumerate() {
            *lane = R::merge(
                *lane,
                R::lift(*p.offset((i + k) as isize * stride), first + i + k),
            );
        }
        i += LANES;
    }
    for (k, lane) in l.iter_mut().enumerate().take(len - full) {
        let j = full + k;
        *lane = R::merge(*lane, R::lift(*p.offset(j as isize * stride), first + j));
    }
    lanes_tree::<T, R>(l)
}

/// How the reduced dims of one output element are walked.
enum Reduced {
    /// One run of `len` elements `stride` apart.
    Run { len: usize, stride: isize },
    /// Several dims: the strided walker (row-major order, which reported indices follow).
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

    /// The reduction of elements `start..end` (in the walk's order) from `base`.
    ///
    /// # Safety
    /// `base` must point to a `T` element from which this walk's offsets (the reduced dims of a
    /// live tensor, as [`Reduced::new`] got them) reach only readable `T` elements that no
    /// other thread writes meanwhile; `start <= end <= self.len()`.
    unsafe fn span<T: Element, R: Reducer<T>>(
        &self,
        base: SendPtr<T>,
        start: usize,
        end: usize,
    ) -> R::Acc {
        match self {
            Reduced::Run { stride, .. } => reduce_run::<T, R>(
                base.at(start as isize * stride),
                end - start,
                *stride,
                start,
            ),
            Reduced::Dims(c) => {
                let (mut acc, mut at) = (R::identity(), start);
                c.for_each_run(start, end, |[o], len, [s]| {
                    acc = R::merge(acc, reduce_run::<T, R>(base.at(o), len, s, at));
                    at += len;
                });
                acc
            }
        }
    }

    /// One output element: chunk partials (in parallel when `parallel`) then the fixed tree.
    ///
    /// # Safety
    /// As [`Reduced::span`] for `base` (the whole walk is read, possibly from several threads).
    unsafe fn reduce<T: Element, R: Reducer<T>>(&self, base: SendPtr<T>, parallel: bool) -> R::Acc {
        let n = self.len();
        if n <= CHUNK {
            return self.span::<T, R>(base, 0, n);
        }
        let chunks = n.div_ceil(CHUNK);
        // SAFETY: our caller's contract covers `base` for the whole walk, and `i * CHUNK <
        // min((i + 1) * CHUNK, n) <= n = self.len()` for every chunk `i < chunks`; chunks only
        // read, so running them on several threads is fine.
        let part =
            |i: usize| unsafe { self.span::<T, R>(base, i * CHUNK, ((i + 1) * CHUNK).min(n)) };
        let parts: Vec<R::Acc> = if parallel {
            threads::map_chunks(chunks, part)
        } else {
            (0..chunks).map(part).collect()
        };
        tree::<T, R>(&parts)
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

/// Rows per chunk of the row-accumulating loop: about [`ROW_CHUNK`] elements but no more than an
/// eighth of the rows (so narrow matrices still give every thread work), and at least 64 rows so
/// the partials stay a small fraction of the input. Depends only on the shape.
fn rows_per_chunk(row_len: usize, rows: usize) -> usize {
    (ROW_CHUNK / row_len.max(1)).min(rows.div_ceil(8)).max(64)
}

/// Writes `post(reduction)` for every output element of reducing `src` over the dims where
/// `mask` is true into `out` (contiguous, with the kept dims in order). An empty reduction gives
/// `post(identity)`. An error, before anything is read or written, unless `src` is `T`, `out` is
/// a contiguous `O` tensor of the kept dims' size in its own memory and `mask` has a flag per dim.
pub fn reduce_into<T: Element, R: Reducer<T>, O: Element>(
    src: &Tensor,
    mask: &[bool],
    out: &Tensor,
    post: impl Fn(R::Acc) -> O + Sync + Send,
) -> Result<()> {
    check_dtype::<T>(src)?;
    check_dtype::<O>(out)?;
    if mask.len() != src.ndim() {
        return Err(Error::Runtime(format!(
            "internal error: a reduction over a {}-dim tensor got {} dim flags",
            src.ndim(),
            mask.len()
        )));
    }
    let kept: usize = src
        .shape()
        .iter()
        .zip(mask)
        .filter(|(_, &m)| !m)
        .map(|(&d, _)| d)
        .product();
    if !out.is_contiguous() || out.numel() != kept || out.shares_storage(src) {
        return Err(Error::Runtime(format!(
            "internal error: a reduction of shape {} into an output of shape {} (must be {} fresh contiguous elements)",
            fmt_shape(src.shape()),
            fmt_shape(out.shape()),
            kept
        )));
    }
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
        return Ok(());
    }
    if nr == 0 {
        let empty = post(R::identity());
        // SAFETY: `out` is contiguous with `nk` elements and shares no memory with `src` (checked
        // above), so this is the only reference to those elements.
        unsafe { std::slice::from_raw_parts_mut(o.0, nk).fill(empty) };
        return Ok(());
    }
    let big = nk.saturating_mul(nr) >= PAR_THRESHOLD;
    let last = kept.shape.len().wrapping_sub(1);
    let rows_kernel = nr > 1
        && !kept.shape.is_empty()
        && kept.strides[0][last] == 1
        && kept.shape[last] >= 8
        && !matches!(red, Reduced::Run { stride: 1, .. });
    if rows_kernel {
        reduce_rows::<T, R, O>(x, o, &kept, &rshape, &rstrides, big, &post);
        return Ok(());
    }
    // One reduction per output element: split the outputs among threads when there are many,
    // split each output's chunks among threads when there are few.
    let per_output_parallel = big && nk < 64;
    let out_block = (4 * CHUNK / nr).max(1);
    let run_block = |start: usize, end: usize| {
        // SAFETY: `src` is a live `T` tensor and `out` a contiguous `O` one of `nk` elements
        // (checked above). `kept` walks the kept dims with `src`'s strides and `out`'s
        // row-major strides, so `xo + i * xs` is the first element of one output's reduced
        // elements in `src` (`red` walks the rest, all inside `src`) and `oo + i * os < nk` is
        // that output's element. Blocks cover disjoint output ranges, so each output element is
        // written by one thread; `out` shares no memory with `src`, which is only read.
        kept.for_each_run(start, end, |[xo, oo], len, [xs, os]| unsafe {
            for i in 0..len as isize {
                let v = red.reduce::<T, R>(SendPtr(x.at(xo + i * xs)), per_output_parallel);
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
    Ok(())
}

/// Row accumulation: the kept innermost dim is contiguous, so each reduced "row" merges a vector
/// into a vector of accumulators. When the rows fit in one row chunk, each narrow column block
/// walks all of its rows in order and writes its outputs directly; otherwise work items are
/// (batch, row chunk, column block) and the row chunks' partials meet in the fixed tree per column.
/// Both choices depend only on the shape.
///
/// `x` and `o` must be the pointers [`reduce_into`] checked: `x` walks a live `T` tensor through
/// `kept.strides[0]` and `rstrides`, `o` a contiguous `O` output of `kept.numel()` elements in
/// its own memory (this private function trusts its one caller for that).
fn reduce_rows<T: Element, R: Reducer<T>, O: Element>(
    x: SendPtr<T>,
    o: SendPtr<O>,
    kept: &Coalesced<2>,
    rshape: &[usize],
    rstrides: &[isize],
    big: bool,
    post: &(impl Fn(R::Acc) -> O + Sync + Send),
) {
    let last = kept.shape.len() - 1;
    let ni = kept.shape[last];
    let (bshape, bstrides) = (&kept.shape[..last], &kept.strides[0][..last]);
    let batches: usize = bshape.iter().product();
    let rows = Coalesced::new(rshape, [rstrides]);
    let nr = rows.numel();
    let run = |acc: &mut [R::Acc], base: isize, r0: usize, r1: usize| {
        let mut at = r0;
        // SAFETY: `base` is the offset of one (batch, column block) start in `x` and `ro` walks
        // the reduced dims (`rows`, `src`'s strides), so each of the `len` rows `rs` apart starts
        // at an element of `src` and continues for `acc.len()` <= the kept inner size columns
        // with stride 1 (`rows_kernel` required that): all reads inside `src`, which no one
        // writes. `acc` is this work item's own vector.
        rows.for_each_run(r0, r1, |[ro], len, [rs]| unsafe {
            merge_rows::<T, R>(acc, x.at(base + ro), len, rs, at);
            at += len;
        });
    };
    let rpc = rows_per_chunk(ni, nr);
    let nrc = nr.div_ceil(rpc);
    if nrc == 1 {
        let ncb = ni.div_ceil(NARROW_COL_BLOCK);
        let item = |it: usize| {
            let (b, cb) = (it / ncb, it % ncb);
            let col0 = cb * NARROW_COL_BLOCK;
            let width = NARROW_COL_BLOCK.min(ni - col0);
            let mut acc = [R::identity(); NARROW_COL_BLOCK];
            run(
                &mut acc[..width],
                offset_of(bshape, bstrides, b) + col0 as isize,
                0,
                nr,
            );
            for (j, &v) in acc[..width].iter().enumerate() {
                // SAFETY: the output is contiguous with `batches * ni` elements and
                // `b * ni + col0 + j < b * ni + ni`; item (b, cb) alone writes its `width`
                // outputs, and no one reads the output during the loop.
                unsafe { *o.at((b * ni + col0 + j) as isize) = post(v) };
            }
        };
        if big {
            threads::for_each_chunk(batches * ncb, item);
        } else {
            (0..batches * ncb).for_each(item);
        }
        return;
    }
    let ncb = ni.div_ceil(COL_BLOCK);
    let mut partials = vec![R::identity(); batches * nrc * ni];
    let p = SendPtr(partials.as_mut_ptr());
    // SAFETY: `partials` holds `batches * nrc * ni` accumulators and item (b, c, cb) takes the
    // `width` of them from `(b * nrc + c) * ni + col0`, with `col0 + width <= ni`: inside, and
    // disjoint between items, so the `&mut` slices never alias. `run` reads `src` as above.
    let item = |it: usize| unsafe {
        let (b, rest) = (it / (nrc * ncb), it % (nrc * ncb));
        let (c, cb) = (rest / ncb, rest % ncb);
        let col0 = cb * COL_BLOCK;
        let width = COL_BLOCK.min(ni - col0);
        let base = offset_of(bshape, bstrides, b) + col0 as isize;
        let acc = std::slice::from_raw_parts_mut(p.at(((b * nrc + c) * ni + col0) as isize), width);
        run(acc, base, c * rpc, ((c + 1) * rpc).min(nr));
    };
    let items = batches * nrc * ncb;
    if big {
        threads::for_each_chunk(items, item);
    } else {
        (0..items).for_each(item);
    }
    // Combine row chunks pairwise (a fixed tree over c), then write the outputs.
    // SAFETY: every item above has finished (`for_each_chunk` returned). (b, cb) touches only
    // the `width` partials at `at(c)`, `c < nrc`, of its own columns, inside `partials` as above
    // and disjoint from other (b, cb)'s; it writes outputs `b * ni + col0 + j < batches * ni`, its
    // own, in the contiguous output. `src` is the slice of `at(0)` after the tree is done.
    let combine = |bc: usize| unsafe {
        let (b, cb) = (bc / ncb, bc % ncb);
        let col0 = cb * COL_BLOCK;
        let width = COL_BLOCK.min(ni - col0);
        let at = |c: usize| p.at(((b * nrc + c) * ni + col0) as isize);
        combine_tree::<T, R>(nrc, width, &at);
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

/// [`merge_rows_generic`] built for AVX2.
///
/// # Safety
/// As [`merge_rows_generic`], and the CPU must have AVX2.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn merge_rows_avx2<T: Element, R: Reducer<T>>(
    acc: &mut [R::Acc],
    p: *const T,
    len: usize,
    stride: isize,
    first: usize,
) {
    merge_rows_generic::<T, R>(acc, p, len, stride, first)
}

/// [`merge_rows_generic`] built for AVX-512.
///
/// # Safety
/// As [`merge_rows_generic`], and the CPU must have AVX-512F.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f")]
unsafe fn merge_rows_avx512<T: Element, R: Reducer<T>>(
    acc: &mut [R::Acc],
    p: *const T,
    len: usize,
    stride: isize,
    first: usize,
) {
    merge_rows_generic::<T, R>(acc, p, len, stride, first)
}

/// [`merge_rows_generic`], in its AVX-512 or AVX2 build when the CPU has it (the same
/// operations, so the same bits).
///
/// # Safety
/// As [`merge_rows_generic`].
unsafe fn merge_rows<T: Element, R: Reducer<T>>(
    acc: &mut [R::Acc],
    p: *const T,
    len: usize,
    stride: isize,
    first: usize,
) {
    #[cfg(target_arch = "x86_64")]
    {
        if std::arch::is_x86_feature_detected!("avx512f") {
            return merge_rows_avx512::<T, R>(acc, p, len, stride, first);
        }
        if std::arch::is_x86_feature_detected!("avx2") {
            return merge_rows_avx2::<T, R>(acc, p, len, stride, first);
        }
    }
    merge_rows_generic::<T, R>(acc, p, len, stride, first)
}

/// `vec(lo) = merge(vec(lo), vec(hi))` over the same pairwise tree as [`tree`], leaving the total
/// in `vec(0)`.
///
/// # Safety
/// For every `c < n`, `vec(c)` must be valid for reads and writes of `width` accumulators, the
/// vectors of distinct `c` must not overlap, and no other thread may touch them meanwhile.
unsafe fn combine_tree<T: Element, R: Reducer<T>>(
    n: usize,
    width: usize,
    vec: &impl Fn(usize) -> *mut R::Acc,
) {
    fn go<T: Element, R: Reducer<T>>(
        lo: usize,
        n: usize,
        width: usize,
        vec: &impl Fn(usize) -> *mut R::Acc,
    ) {
        if n <= 1 {
            return;
        }
        let mid = lo + n / 2;
        go::<T, R>(lo, n / 2, width, vec);
        go::<T, R>(mid, n - n / 2, width, vec);
        // SAFETY: `lo < mid < lo + n <= ` the outer `n`, so `vec(lo)` and `vec(mid)` are two of
        // `combine_tree`'s vectors: valid for `width` accumulators and disjoint (its contract).
        unsafe {
            let (a, b) = (vec(lo), vec(mid));
            for j in 0..width {
                *a.add(j) = R::merge(*a.add(j), *b.add(j));
            }
        }
    }
    go::<T, R>(0, n, width, vec)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dtype::DType;

    #[test]
    fn reductions_refuse_wrong_dtypes_shapes_and_masks() {
        let src = Tensor::from_vec(vec![1.0f32; 6], &[2, 3]).unwrap();
        let out = |n: usize, dtype| Tensor::zeros(&[n], dtype).unwrap();
        let id = |a: f64| a;
        let sum = |src: &Tensor, mask: &[bool], out: &Tensor| {
            reduce_into::<f32, Sum, f64>(src, mask, out, id)
        };
        sum(&src, &[false, true], &out(2, DType::Float64)).unwrap();
        // The input or the output in another dtype.
        let ints = Tensor::from_vec(vec![1i64; 6], &[2, 3]).unwrap();
        assert!(sum(&ints, &[false, true], &out(2, DType::Float64)).is_err());
        assert!(sum(&src, &[false, true], &out(2, DType::Float32)).is_err());
        // An output too small for the kept dims (3 outputs when reducing dim 0).
        assert!(sum(&src, &[true, false], &out(2, DType::Float64)).is_err());
        assert!(sum(&src, &[false, false], &out(2, DType::Float64)).is_err());
        // A mask of the wrong length, and a non-contiguous output.
        assert!(sum(&src, &[false], &out(2, DType::Float64)).is_err());
        let strided = out(4, DType::Float64).with_layout(crate::layout::Layout {
            shape: smallvec::smallvec![2],
            strides: smallvec::smallvec![2],
            offset: 0,
        });
        assert!(sum(&src, &[false, true], &strided).is_err());
    }

    /// The widened float32, float16 and bfloat16 loops give the generic loop's bits, tails
    /// included.
    #[cfg(target_arch = "x86_64")]
    #[test]
    fn widened_loops_match_the_generic_loop_bitwise() {
        use crate::dtype::{bf16, f16};
        if !std::arch::is_x86_feature_detected!("avx512f")
            || !std::arch::is_x86_feature_detected!("f16c")
        {
            return;
        }
        fn check<T: Element, R: Reducer<T, Acc = f64>>(values: &[T]) {
            for len in [1, 7, 31, 32, 33, 1000, values.len()] {
                let p = values.as_ptr();
                // SAFETY: `len` elements of `values` are readable and the CPU has AVX-512F and
                // F16C.
                let (fast, generic) = unsafe {
                    (
                        widen_fast::<T, R>(p, len).unwrap(),
                        lanes_contiguous::<T, R>(p, len, 0),
                    )
                };
                assert_eq!(fast.to_bits(), generic.to_bits(), "length {len}");
            }
        }
        fn all<T: crate::kernels::reduce::reducers::Accumulate<Acc = f64>>(values: &[f32]) {
            let v: Vec<T> = values.iter().map(|&x| T::from_f64(x as f64)).collect();
            check::<T, Sum>(&v);
            check::<T, SumSquares>(&v);
            let near_one: Vec<T> = values
                .iter()
                .map(|x| T::from_f64(1.0 + *x as f64 / 1024.0))
                .collect();
            check::<T, Prod>(&near_one);
        }
        let mut x = 0x2545_f491_4f6c_dd1du64;
        let mut values: Vec<f32> = (0..CHUNK + 7)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                (x >> 40) as f32 / (1u64 << 24) as f32 * 4.0 - 2.0
            })
            .collect();
        // Subnormal halves and infinities widen exactly too.
        values[3] = 1e-7;
        values[5] = -3e-6;
        values[CHUNK] = f32::INFINITY;
        all::<f32>(&values);
        all::<f16>(&values);
        all::<bf16>(&values);
    }
}
