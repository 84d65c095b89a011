//! Sorting and selection along one dim: `sort`, `topk`, `kthvalue`, `median`, `mode`, the
//! running extremes (`cummax`, `cummin`), `logcumsumexp`, and the scatter-add that sends their
//! gradients back to the input positions.
//!
//! Every op works line by line: the input (contiguous) is viewed as `(outer, n, inner)` with the
//! dim in the middle, each of the `outer * inner` lines is read into a scratch buffer when it is
//! strided (`inner > 1`), and results are written to contiguous `(outer, m, inner)` outputs.
//! Lines go to the team (`threads::for_each_chunk`) in chunks of about [`CHUNK`] elements; each
//! line is computed by one thread in a fixed order, so the results never depend on the thread
//! count.
//!
//! Which sort: lines of at least 1024 `f32`, `f64`, `i32` or `i64` go to [`radix`], a stable
//! LSD radix sort (parallel within the line when the line is alone and long); its order is
//! torch's `stable=True` order, and a valid `stable=False` one. Shorter lines and other types:
//! `stable=True` uses Rust's `sort_by` (driftsort, a stable merge/quick hybrid), as
//! torch uses `std::stable_sort`. Where torch's order among equal values is that of an unstable
//! C++ algorithm (`sort(stable=False)` and `mode`: `std::sort`; `topk`: `std::nth_element` /
//! `std::partial_sort`), [`stl`] runs a step-for-step port of libstdc++'s introsort,
//! introselect and heap select, so the indices of ties are torch's. `median(dim)` and
//! `nanmedian(dim)` order by value then index (torch's comparator), with Rust's
//! `select_nth_unstable_by` (introselect); `kthvalue` is a port of torch's
//! `quick_select_template`. NaN orders after every number (first when descending), as in torch.

use std::cmp::Ordering;

use crate::dtype::Element;
use crate::error::Result;
use crate::strided::SendPtr;
use crate::tensor::Tensor;
use crate::threads;

pub mod radix;
pub mod stl;

/// Elements per chunk of lines handed to one thread at a time.
const CHUNK: usize = 1 << 15;
/// Below this many elements everything runs on the calling thread.
const PAR_THRESHOLD: usize = 1 << 15;
/// Lines at least this long are sorted by [`radix`] (where the type has a radix key).
const RADIX_FROM: usize = 1 << 10;
/// A line alone in its tensor and at least this long is radix-sorted by the whole team.
const RADIX_PARALLEL_FROM: usize = 1 << 18;

/// An element type that can be ordered along a line (NaN is greater than every number).
pub trait Key: Element {
    /// True for a NaN.
    fn nan(self) -> bool;

    /// Sorts `line` stably into `vals` and `idx` with [`radix::sort_line`] when the type has a
    /// radix key, and says whether it did (nothing is written otherwise).
    fn radix_sort(
        _line: &[Self],
        _vals: &mut [Self],
        _idx: &mut [i64],
        _descending: bool,
        _parallel: bool,
    ) -> bool {
        false
    }
}

/// The `Key` method that hands a line to the radix sort.
macro_rules! radix_sort_method {
    () => {
        fn radix_sort(
            line: &[Self],
            vals: &mut [Self],
            idx: &mut [i64],
            descending: bool,
            parallel: bool,
        ) -> bool {
            radix::sort_line(line, vals, idx, descending, parallel);
            true
        }
    };
}

impl Key for bool {
    #[inline(always)]
    fn nan(self) -> bool {
        false
    }
}
impl Key for i32 {
    #[inline(always)]
    fn nan(self) -> bool {
        false
    }
    radix_sort_method!();
}
impl Key for i64 {
    #[inline(always)]
    fn nan(self) -> bool {
        false
    }
    radix_sort_method!();
}
impl Key for f32 {
    #[inline(always)]
    fn nan(self) -> bool {
        self.is_nan()
    }
    radix_sort_method!();
}
impl Key for f64 {
    #[inline(always)]
    fn nan(self) -> bool {
        self.is_nan()
    }
    radix_sort_method!();
}

/// The ascending order of torch's sort: NaN after every number, NaNs equal, `-0.0 == 0.0`.
#[inline(always)]
fn asc<T: Key>(a: T, b: T) -> Ordering {
    match (a.nan(), b.nan()) {
        (false, false) => a.partial_cmp(&b).unwrap_or(Ordering::Equal),
        (true, false) => Ordering::Greater,
        (false, true) => Ordering::Less,
        (true, true) => Ordering::Equal,
    }
}

/// `(value, index)` ordered by value, ties by index: a total order (torch's `median` comparator).
#[inline(always)]
fn by_value_then_index<T: Key>(a: &(T, i64), b: &(T, i64)) -> Ordering {
    asc(a.0, b.0).then(a.1.cmp(&b.1))
}

/// The shape of a contiguous tensor split at a dim: `outer` lines of `n` elements `inner` apart.
#[derive(Clone, Copy, Debug)]
pub struct Split {
    /// The product of the sizes before the dim.
    pub outer: usize,
    /// The size of the dim.
    pub n: usize,
    /// The product of the sizes after the dim.
    pub inner: usize,
}

impl Split {
    /// `shape` split at `dim` (a 0-dim shape is one line of one element).
    pub fn at(shape: &[usize], dim: usize) -> Split {
        if shape.is_empty() {
            return Split {
                outer: 1,
                n: 1,
                inner: 1,
            };
        }
        Split {
            outer: shape[..dim].iter().product(),
            n: shape[dim],
            inner: shape[dim + 1..].iter().product(),
        }
    }

    fn lines(&self) -> usize {
        self.outer * self.inner
    }
}

/// Runs `f(line)` for every line of `lines` lines of `n` elements (each costing about `work`
/// elements), in chunks of whole lines, in parallel when the job is big enough.
fn for_lines(lines: usize, work: usize, f: impl Fn(usize) + Sync + Send) {
    let per = (CHUNK / work.max(1)).max(1);
    let chunks = lines.div_ceil(per);
    let run = |c: usize| {
        for l in c * per..((c + 1) * per).min(lines) {
            f(l)
        }
    };
    if lines.saturating_mul(work) >= PAR_THRESHOLD {
        threads::for_each_chunk(chunks, run);
    } else {
        (0..chunks).for_each(run);
    }
}

/// Runs `f(input line, values, indices)` on every line of the contiguous `T` tensor `x` (split
/// as `s`), writing `m` values (type `V`) and `m` indices per line into new contiguous tensors of
/// `out_shape` (which holds `outer * m * inner` elements). Without `with_indices` the index
/// slice is empty and no index tensor is made.
fn map_lines<T: Element, V: Element>(
    x: &Tensor,
    s: Split,
    m: usize,
    out_shape: &[usize],
    with_indices: bool,
    f: impl Fn(&[T], &mut [V], &mut [i64]) + Sync + Send,
) -> Result<(Tensor, Option<Tensor>)> {
    debug_assert!(x.is_contiguous() && x.dtype() == T::DTYPE);
    let values = Tensor::uninit(out_shape, V::DTYPE)?;
    let indices = if with_indices {
        Some(Tensor::uninit(out_shape, crate::dtype::DType::Int64)?)
    } else {
        None
    };
    debug_assert_eq!(values.numel(), s.outer * m * s.inner);
    if values.numel() == 0 {
        return Ok((values, indices));
    }
    let src = SendPtr(x.data_ptr_typed::<T>());
    let vp = SendPtr(values.data_ptr_typed::<V>());
    let ip = SendPtr(
        indices
            .as_ref()
            .map_or(std::ptr::null_mut(), |t| t.data_ptr_typed::<i64>()),
    );
    let mi = if with_indices { m } else { 0 };
    let inner = s.inner;
    for_lines(s.lines(), s.n.max(m), |l| {
        let (o, i) = (l / inner, l % inner);
        let (src, vp, ip) = (&src, &vp, &ip);
        if inner == 1 {
            // SAFETY: `x` is a live contiguous `T` tensor of `outer * n` elements (inner is 1),
            // so line `o` is the `n` elements from `o * n`; the outputs are fresh contiguous
            // tensors of `outer * m` elements whose line `o` (from `o * m`) no other line
            // touches, and they share no memory with `x`. `ip` is only read when `mi > 0`,
            // i.e. when the index tensor exists.
            unsafe {
                let input = std::slice::from_raw_parts(src.0.add(o * s.n), s.n);
                let vals = std::slice::from_raw_parts_mut(vp.0.add(o * m), m);
                let idx = if mi > 0 {
                    std::slice::from_raw_parts_mut(ip.0.add(o * m), mi)
                } else {
                    &mut []
                };
                f(input, vals, idx);
            }
            return;
        }
        let mut input = Vec::with_capacity(s.n);
        let base_in = o * s.n * inner + i;
        // SAFETY: element `k < n` of line `(o, i)` is at `o*n*inner + k*inner + i`, inside the
        // contiguous `outer * n * inner` elements of `x`.
        input.extend((0..s.n).map(|k| unsafe { *src.0.add(base_in + k * inner) }));
        let mut vals = vec![V::ZERO; m];
        let mut idx = vec![0i64; mi];
        f(&input, &mut vals, &mut idx);
        let base_out = o * m * inner + i;
        for k in 0..m {
            // SAFETY: element `k < m` of output line `(o, i)` is at `o*m*inner + k*inner + i`,
            // inside the `outer * m * inner` elements of each output; no other line writes it.
            unsafe {
                *vp.0.add(base_out + k * inner) = vals[k];
                if mi > 0 {
                    *ip.0.add(base_out + k * inner) = idx[k];
                }
            }
        }
    });
    Ok((values, indices))
}

/// Sorts every line: values and their int64 input indices (see the module doc for the sorts).
pub fn sort<T: Key>(
    x: &Tensor,
    s: Split,
    out_shape: &[usize],
    descending: bool,
    stable: bool,
) -> Result<(Tensor, Tensor)> {
    let radix = (RADIX_FROM..=u32::MAX as usize).contains(&s.n);
    let parallel = s.lines() == 1 && s.n >= RADIX_PARALLEL_FROM;
    let (v, i) = map_lines::<T, T>(x, s, s.n, out_shape, true, |line, vals, idx| {
        if radix && T::radix_sort(line, vals, idx, descending, parallel) {
            return;
        }
        let mut pairs: Vec<(T, i64)> = line
            .iter()
            .enumerate()
            .map(|(k, &v)| (v, k as i64))
            .collect();
        match (stable, descending) {
            // Stable: equal values keep their input order.
            (true, false) => pairs.sort_by(|a, b| asc(a.0, b.0)),
            (true, true) => pairs.sort_by(|a, b| asc(b.0, a.0)),
            // torch's `KeyValueCompAsc` / `KeyValueCompDesc` under `std::sort`.
            (false, false) => stl::sort(&mut pairs, &|a, b| lt_nan_last(a.0, b.0)),
            (false, true) => stl::sort(&mut pairs, &|a, b| gt_or_nan(a.0, b.0)),
        }
        for (k, (v, j)) in pairs.into_iter().enumerate() {
            vals[k] = v;
            idx[k] = j;
        }
    })?;
    Ok((v, i.expect("indices requested")))
}

/// The `k` largest (`largest`) or smallest elements of every line with their indices, in
/// torch's order (sorted when `sorted`; ties as libstdc++'s selection leaves them).
pub fn topk<T: Key>(
    x: &Tensor,
    s: Split,
    out_shape: &[usize],
    k: usize,
    largest: bool,
    sorted: bool,
) -> Result<(Tensor, Tensor)> {
    let (v, i) = map_lines::<T, T>(x, s, k, out_shape, true, |line, vals, idx| {
        // torch's `topk_impl_loop`: a partial sort when k is small against the line, otherwise
        // `nth_element` and (when `sorted`) a sort of the first `k - 1`.
        let less = |a: &(T, i64), b: &(T, i64)| {
            if largest {
                gt_or_nan(a.0, b.0)
            } else {
                lt_nan_last(a.0, b.0)
            }
        };
        let pair = |j: usize| (line[j], j as i64);
        if k > 0 && k * 64 <= line.len() {
            let top = stl::partial_sort_lazy(k, line.len(), pair, &less);
            for (j, (v, p)) in top.into_iter().enumerate() {
                vals[j] = v;
                idx[j] = p;
            }
            return;
        }
        let mut pairs: Vec<(T, i64)> = (0..line.len()).map(pair).collect();
        if k > 0 {
            stl::nth_element(&mut pairs, k - 1, &less);
            if sorted {
                stl::sort(&mut pairs[..k - 1], &less);
            }
        }
        pairs.truncate(k);
        for (j, (v, p)) in pairs.into_iter().enumerate() {
            vals[j] = v;
            idx[j] = p;
        }
    })?;
    Ok((v, i.expect("indices requested")))
}

/// torch's ascending comparator: NaN is greater than any number.
#[inline(always)]
fn lt_nan_last<T: Key>(x: T, y: T) -> bool {
    (!x.nan() && y.nan()) || x < y
}

/// torch's `gt_or_nan`: NaN is greater than any number.
#[inline(always)]
fn gt_or_nan<T: Key>(x: T, y: T) -> bool {
    (x.nan() && !y.nan()) || x > y
}

/// torch's `quick_select_template` (aten/src/ATen/native/SortingUtils.h), step for step, so that
/// `kthvalue` picks the same index as torch among equal values: after it, `v[k]` is the k-th
/// smallest (0-based) and `ix[k]` its input index.
fn quick_select<T: Key>(v: &mut [T], ix: &mut [i64], k: usize) {
    let swap = |v: &mut [T], ix: &mut [i64], a: usize, b: usize| {
        v.swap(a, b);
        ix.swap(a, b);
    };
    let (mut l, mut r) = (0usize, v.len() - 1);
    loop {
        if r <= l {
            return;
        }
        if r == l + 1 {
            if gt_or_nan(v[l], v[r]) {
                swap(v, ix, l, r);
            }
            return;
        }
        let p = l + (r - l) / 2;
        swap(v, ix, p, l + 1);
        if gt_or_nan(v[l + 1], v[r]) {
            swap(v, ix, l + 1, r);
        }
        if gt_or_nan(v[l], v[r]) {
            swap(v, ix, l, r);
        }
        if gt_or_nan(v[l + 1], v[l]) {
            swap(v, ix, l + 1, l);
        }
        let (mut i, mut j) = (l + 1, r);
        let piv = v[l];
        loop {
            i += 1;
            while gt_or_nan(piv, v[i]) {
                i += 1;
            }
            j -= 1;
            while gt_or_nan(v[j], piv) {
                j -= 1;
            }
            if j < i {
                break;
            }
            swap(v, ix, i, j);
        }
        swap(v, ix, l, j);
        if j <= k {
            l = i;
        }
        if j >= k {
            // `j >= k >= l` here and the loop ends when `r <= l`, so `j - 1` is only taken
            // when `j > 0` or the range is already done.
            match j.checked_sub(1) {
                Some(jm) => r = jm,
                None => return,
            }
        }
    }
}

/// The `k`-th smallest (0-based `k < n`) element of every line and its index, as torch picks it.
pub fn kthvalue<T: Key>(
    x: &Tensor,
    s: Split,
    out_shape: &[usize],
    k: usize,
) -> Result<(Tensor, Tensor)> {
    let (v, i) = map_lines::<T, T>(x, s, 1, out_shape, true, |line, vals, idx| {
        let mut v = line.to_vec();
        let mut ix: Vec<i64> = (0..line.len() as i64).collect();
        quick_select(&mut v, &mut ix, k);
        vals[0] = v[k];
        idx[0] = ix[k];
    })?;
    Ok((v, i.expect("indices requested")))
}

/// The lower median of every line and its index, as torch's `median(dim)` (`ignore_nan`
/// false: a line with a NaN gives its first NaN) or `nanmedian(dim)` (NaNs skipped; an all-NaN
/// line gives NaN). Among equal values the one whose rank is the median's in input order.
pub fn median<T: Key>(
    x: &Tensor,
    s: Split,
    out_shape: &[usize],
    ignore_nan: bool,
) -> Result<(Tensor, Tensor)> {
    let (v, i) = map_lines::<T, T>(x, s, 1, out_shape, true, |line, vals, idx| {
        if !ignore_nan {
            if let Some(p) = line.iter().position(|v| v.nan()) {
                vals[0] = line[p];
                idx[0] = p as i64;
                return;
            }
        }
        let nans = line.iter().filter(|v| v.nan()).count();
        // C++'s truncating division, as torch: an all-NaN line picks position 0.
        let nth = ((line.len() as i64 - nans as i64 - 1) / 2).max(0) as usize;
        let mut pairs: Vec<(T, i64)> = line
            .iter()
            .enumerate()
            .map(|(j, &v)| (v, j as i64))
            .collect();
        let (_, &mut (v, j), _) = pairs.select_nth_unstable_by(nth, by_value_then_index);
        vals[0] = v;
        idx[0] = j;
    })?;
    Ok((v, i.expect("indices requested")))
}

/// The most frequent value of every line (the smallest among equally frequent ones; every NaN
/// counts alone) and the index of its last occurrence, as torch's CPU `mode`.
pub fn mode<T: Key>(x: &Tensor, s: Split, out_shape: &[usize]) -> Result<(Tensor, Tensor)> {
    let (v, i) = map_lines::<T, T>(x, s, 1, out_shape, true, |line, vals, idx| {
        let mut pairs: Vec<(T, i64)> = line
            .iter()
            .enumerate()
            .map(|(j, &v)| (v, j as i64))
            .collect();
        // torch sorts with `std::sort` and a plain `<`, and reports the last of the run.
        stl::sort(&mut pairs, &|a, b| a.0 < b.0);
        let (mut best, mut best_freq, mut freq) = ((T::ZERO, 0i64), 0usize, 0usize);
        for j in 0..pairs.len() {
            freq += 1;
            // `!=` as torch compares: a NaN never equals the next element.
            #[allow(clippy::float_cmp)]
            let ends = j + 1 == pairs.len() || pairs[j].0 != pairs[j + 1].0;
            if ends {
                if freq > best_freq {
                    best = pairs[j];
                    best_freq = freq;
                }
                freq = 0;
            }
        }
        vals[0] = best.0;
        idx[0] = best.1;
    })?;
    Ok((v, i.expect("indices requested")))
}

/// The running maximum (`max`) or minimum of every line with the index where it was reached:
/// equal values move the index forward and a NaN, once met, stays (torch's
/// `cummax_cummin_helper`).
pub fn cum_extreme<T: Key>(x: &Tensor, s: Split, max: bool) -> Result<(Tensor, Tensor)> {
    let shape = x.shape().to_vec();
    let (v, i) = map_lines::<T, T>(x, s, s.n, &shape, true, |line, vals, idx| {
        let (mut best, mut at) = (line[0], 0i64);
        for (j, &v) in line.iter().enumerate() {
            let better = if max { v >= best } else { v <= best };
            if v.nan() || (!best.nan() && better) {
                best = v;
                at = j as i64;
            }
            vals[j] = best;
            idx[j] = at;
        }
    })?;
    Ok((v, i.expect("indices requested")))
}

/// A floating element type for `logcumsumexp`, accumulated in float64.
pub trait Float: Key {}
impl Float for f32 {}
impl Float for f64 {}

/// `log(exp(a) + exp(b))` without overflow; infinities of one sign stay as they are.
#[inline(always)]
fn log_add_exp(a: f64, b: f64) -> f64 {
    let (lo, hi) = if a < b { (a, b) } else { (b, a) };
    if lo.is_nan() || hi.is_nan() {
        return f64::NAN;
    }
    if lo == f64::NEG_INFINITY || hi == f64::INFINITY {
        return hi;
    }
    hi + (lo - hi).exp().ln_1p()
}

/// `log(cumsum(exp(x)))` along every line, from the end when `reverse` (its gradient needs that).
pub fn logcumsumexp<T: Float>(x: &Tensor, s: Split, reverse: bool) -> Result<Tensor> {
    let shape = x.shape().to_vec();
    let (v, _) = map_lines::<T, T>(x, s, s.n, &shape, false, |line, vals, _| {
        let mut acc = f64::NEG_INFINITY;
        let n = line.len();
        for j in 0..n {
            let k = if reverse { n - 1 - j } else { j };
            acc = log_add_exp(acc, line[k].to_f64());
            vals[k] = T::from_f64(acc);
        }
    })?;
    Ok(v)
}

/// Scatter-add along the dim: a zero tensor of `out_shape` (the dim of size `n`) receiving
/// `g[.., j, ..]` at `idx[.., j, ..]` of every line, summed where indices repeat (in line
/// order). `g` (type `T`) and `idx` (int64) are contiguous with `m` elements per line; every
/// index must lie in `0..n` (the op layer's indices do).
pub fn scatter_add<T: Element + std::ops::Add<Output = T>>(
    g: &Tensor,
    idx: &Tensor,
    s: Split,
    m: usize,
    out_shape: &[usize],
) -> Result<Tensor> {
    let out = Tensor::zeros(out_shape, T::DTYPE)?;
    if out.numel() == 0 || g.numel() == 0 {
        return Ok(out);
    }
    let gp = SendPtr(g.data_ptr_typed::<T>());
    let ip = SendPtr(idx.data_ptr_typed::<i64>());
    let op = SendPtr(out.data_ptr_typed::<T>());
    let inner = s.inner;
    for_lines(s.lines(), s.n.max(m), |l| {
        let (o, i) = (l / inner, l % inner);
        let (gp, ip, op) = (&gp, &ip, &op);
        for j in 0..m {
            let at = o * m * inner + j * inner + i;
            // SAFETY: `g` and `idx` are live contiguous tensors of `outer * m * inner` elements
            // and `at` is element `j < m` of line `(o, i)`; the index lies in `0..n` (the
            // caller's contract, checked in debug builds), so the target is element `k` of the
            // same line of the fresh `outer * n * inner` output, which only this line writes.
            unsafe {
                let k = *ip.0.add(at);
                debug_assert!((k as usize) < s.n);
                let dst = op.0.add(o * s.n * inner + k as usize * inner + i);
                *dst = *dst + *gp.0.add(at);
            }
        }
    });
    Ok(out)
}
