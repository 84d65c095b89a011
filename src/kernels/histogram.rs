//! Counting kernels: `bincount` and the one-dimensional histogram of `histc` / `histogram`, as
//! torch's `_bincount_cpu_template` and `histogramdd_cpu_contiguous`
//! (`aten/src/ATen/native/cpu/HistogramKernel.cpp`): the same bin choice (division by the bin
//! width, optionally corrected by a local search, or a binary search of the edges) and the same
//! element type for the sums.
//!
//! Large inputs are cut into fixed chunks of [`CHUNK`] elements (when the tables are small);
//! each chunk fills its own histogram and the chunk histograms are added in chunk order, so the
//! result does not depend on the thread count.

use std::ops::{Add, Div, Mul, Sub};

use crate::dtype::Element;
use crate::threads;

/// Elements per chunk.
const CHUNK: usize = 1 << 16;

/// How an element finds its bin.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BinSearch {
    /// Edges of any spacing: a binary search (`torch.histogram` with a tensor of edges).
    Binary,
    /// Evenly spaced edges: `(x - left) * bins / (right - left)` (`histc`).
    Linear,
    /// Evenly spaced edges, the division checked against the edges next to it (`histogram`
    /// with a number of bins).
    LinearLocal,
}

/// A floating element type of a histogram.
pub trait Real:
    Element
    + PartialOrd
    + Add<Output = Self>
    + Sub<Output = Self>
    + Mul<Output = Self>
    + Div<Output = Self>
{
}
impl Real for f32 {}
impl Real for f64 {}

/// Adds `f(chunk)`'s partial results (each `bins` long) in chunk order; `n` items in chunks.
fn chunked<W: Copy + Send + Sync + Add<Output = W>>(
    n: usize,
    bins: usize,
    zero: W,
    f: impl Fn(usize, usize, &mut [W]) + Sync + Send,
) -> Vec<W> {
    // A table per chunk only while tables are small against the chunks: with many bins the
    // elements are counted in one pass into one table.
    let size = if bins <= CHUNK / 4 { CHUNK } else { n.max(1) };
    let chunks = n.div_ceil(size);
    let run = |c: usize| {
        let mut h = vec![zero; bins];
        f(c * size, ((c + 1) * size).min(n), &mut h);
        h
    };
    let parts = if chunks > 1 {
        threads::map_chunks(chunks, run)
    } else {
        (0..chunks).map(run).collect()
    };
    let mut total = vec![zero; bins];
    for p in parts {
        for (t, v) in total.iter_mut().zip(p) {
            *t = *t + v;
        }
    }
    total
}

/// The counts of every value of `x` (each in `0..bins`, checked by the caller).
pub fn bincount<I: Element>(x: &[I], bins: usize) -> Vec<i64> {
    chunked(x.len(), bins, 0i64, |a, b, h| {
        for &v in &x[a..b] {
            if let Some(c) = h.get_mut(v.to_i64() as usize) {
                *c += 1;
            }
        }
    })
}

/// The sums of `w[i]` per value `x[i]` (each in `0..bins`), added in input order as torch does.
pub fn bincount_weighted<I: Element, W: Real>(x: &[I], w: &[W], bins: usize) -> Vec<W> {
    let mut h = vec![W::ZERO; bins];
    for (&v, &wt) in x.iter().zip(w) {
        if let Some(c) = h.get_mut(v.to_i64() as usize) {
            *c = *c + wt;
        }
    }
    h
}

/// C++'s `std::upper_bound` over `e[lo..hi]`: the first position whose edge is greater than `v`,
/// probing as libstdc++ does (so unsorted edges give torch's answer too).
fn upper_bound<T: Real>(e: &[T], mut lo: usize, hi: usize, v: T) -> usize {
    let mut len = hi - lo;
    while len > 0 {
        let half = len >> 1;
        let mid = lo + half;
        if v < e[mid] {
            len = half;
        } else {
            lo = mid + 1;
            len = len - half - 1;
        }
    }
    lo
}

/// The histogram of `x` over the bins between consecutive `edges` (at least two), each element
/// counting `w[i]` (or one): elements outside `[edges[0], edges[last]]` and NaN are skipped,
/// the last bin includes its right edge.
pub fn histogram<T: Real>(x: &[T], w: Option<&[T]>, edges: &[T], how: BinSearch) -> Vec<T> {
    let ne = edges.len();
    let bins = ne.saturating_sub(1);
    if bins == 0 {
        return vec![];
    }
    let (left, right) = (edges[0], edges[ne - 1]);
    let steps = T::from_i64(bins as i64);
    chunked(x.len(), bins, T::ZERO, |a, b, h| {
        for i in a..b {
            let v = x[i];
            if !(v >= left && v <= right) {
                continue;
            }
            let mut pos = match how {
                BinSearch::Binary => upper_bound(edges, 0, ne, v) as i64 - 1,
                BinSearch::Linear | BinSearch::LinearLocal => {
                    let p = ((v - left) * steps / (right - left)).to_f64() as i64;
                    if how == BinSearch::LinearLocal {
                        let lo = (p - 1).clamp(0, ne as i64) as usize;
                        let hi = (p + 2).clamp(lo as i64, ne as i64) as usize;
                        upper_bound(edges, lo, hi, v) as i64 - 1
                    } else {
                        p
                    }
                }
            };
            if pos == bins as i64 {
                pos -= 1;
            }
            if let Some(c) = usize::try_from(pos).ok().and_then(|p| h.get_mut(p)) {
                *c = *c + w.map_or(T::ONE, |w| w[i]);
            }
        }
    })
}
