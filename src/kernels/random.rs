//! Sampling loops that need more than one value per element or a whole row: `multinomial`,
//! `randperm`, `poisson`, the standard gamma and its reparameterised gradient. Streams come
//! from `crate::random`, in fixed chunks, so results do not depend on the thread count.

use crate::kernels::special::Special;
use crate::random::{Generator, Stream, BLOCK};
use crate::strided::SendPtr;
use crate::threads;

/// `multinomial` of contiguous rows of `probs` (each `cats` long, already validated: finite,
/// non-negative, positive sum): `n` category indices per row written to `out` (rows of `n`).
pub fn multinomial(
    gen: &Generator,
    probs: &[f64],
    cats: usize,
    n: usize,
    replacement: bool,
    out: &mut [i64],
) {
    let rows = out.len() / n.max(1);
    let draw = gen.draw();
    let p = SendPtr(out.as_mut_ptr());
    threads::for_each_chunk(rows, |r| {
        let mut rng = draw.stream(r as u64);
        let row = &probs[r * cats..(r + 1) * cats];
        // SAFETY: row `r` of `out` (`n` values from `r * n`) is written by this chunk alone, and
        // `out` holds `rows * n` values.
        let dst = unsafe { std::slice::from_raw_parts_mut(p.at((r * n) as isize), n) };
        if replacement {
            with_replacement(&mut rng, row, dst);
        } else {
            without_replacement(&mut rng, row, dst);
        }
    });
}

/// Inverse-CDF sampling: a binary search of the running sums per sample.
fn with_replacement(rng: &mut Stream, row: &[f64], dst: &mut [i64]) {
    let mut cdf = Vec::with_capacity(row.len());
    let mut acc = 0.0;
    for &w in row {
        acc += w;
        cdf.push(acc);
    }
    for d in dst.iter_mut() {
        let u = rng.uniform() * acc;
        let mut k = cdf.partition_point(|&c| c <= u).min(row.len() - 1);
        // Never a category of weight zero (rounding at the end of the sums).
        while row[k] == 0.0 && k > 0 {
            k -= 1;
        }
        *d = k as i64;
    }
}

/// Without replacement: the `n` smallest keys `E_j / w_j` (`E_j` standard exponential), in
/// increasing order, are a sequential draw without replacement (the exponential-race form of
/// the Gumbel top-k trick torch uses).
fn without_replacement(rng: &mut Stream, row: &[f64], dst: &mut [i64]) {
    let mut keys: Vec<(f64, u32)> = row
        .iter()
        .enumerate()
        .map(|(j, &w)| {
            let e = rng.exponential();
            (if w > 0.0 { e / w } else { f64::INFINITY }, j as u32)
        })
        .collect();
    let n = dst.len();
    let cmp = |a: &(f64, u32), b: &(f64, u32)| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1));
    if n < keys.len() {
        keys.select_nth_unstable_by(n, cmp);
    }
    let head = &mut keys[..n];
    head.sort_unstable_by(cmp);
    for (d, k) in dst.iter_mut().zip(head.iter()) {
        *d = k.1 as i64;
    }
}

/// Elements per bucket of the parallel shuffle.
const BUCKET: usize = 1 << 15;

/// A uniformly random permutation of `0..n` into `out` (of length `n`). Small `n`: one
/// Fisher-Yates shuffle. Large `n` (Rao-Sandelius): every element goes to a random bucket
/// (chunk by chunk, counted then scattered in chunk order), then each bucket is shuffled on its
/// own; the chunks and buckets depend only on `n`.
pub fn randperm(gen: &Generator, out: &mut [i64]) {
    let n = out.len();
    let draw = gen.draw();
    if n <= 2 * BUCKET {
        for (i, v) in out.iter_mut().enumerate() {
            *v = i as i64;
        }
        shuffle(&mut draw.stream(0), out);
        return;
    }
    let buckets = n.div_ceil(BUCKET);
    let chunks = n.div_ceil(BLOCK);
    let bucket_of = |rng: &mut Stream| rng.below(buckets as u64) as usize;
    // counts[c * buckets + b]: elements of chunk c that go to bucket b.
    let counts: Vec<Vec<u32>> = threads::map_chunks(chunks, |c| {
        let mut rng = draw.stream(c as u64);
        let mut k = vec![0u32; buckets];
        for _ in c * BLOCK..((c + 1) * BLOCK).min(n) {
            k[bucket_of(&mut rng)] += 1;
        }
        k
    });
    // Where each (chunk, bucket) starts: buckets in order, chunks in order within a bucket.
    let mut starts = vec![0usize; chunks * buckets];
    let mut bounds = Vec::with_capacity(buckets + 1);
    let mut at = 0usize;
    for b in 0..buckets {
        bounds.push(at);
        for c in 0..chunks {
            starts[c * buckets + b] = at;
            at += counts[c][b] as usize;
        }
    }
    bounds.push(at);
    let p = SendPtr(out.as_mut_ptr());
    threads::for_each_chunk(chunks, |c| {
        let mut rng = draw.stream(c as u64);
        let mut next = starts[c * buckets..(c + 1) * buckets].to_vec();
        for i in c * BLOCK..((c + 1) * BLOCK).min(n) {
            let b = bucket_of(&mut rng);
            // SAFETY: the slots `starts[c][b]..` + count are this chunk's own part of bucket b
            // (the prefix sums above partition `0..n`), so no two chunks write one slot.
            unsafe { *p.at(next[b] as isize) = i as i64 };
            next[b] += 1;
        }
    });
    threads::for_each_chunk(buckets, |b| {
        let mut rng = draw.stream((chunks + b) as u64);
        // SAFETY: bucket b's slots `bounds[b]..bounds[b + 1]` are shuffled by this chunk alone.
        let part = unsafe {
            std::slice::from_raw_parts_mut(p.at(bounds[b] as isize), bounds[b + 1] - bounds[b])
        };
        shuffle(&mut rng, part);
    });
}

fn shuffle(rng: &mut Stream, v: &mut [i64]) {
    for i in (1..v.len()).rev() {
        let j = rng.below(i as u64 + 1) as usize;
        v.swap(i, j);
    }
}

/// A Poisson sample of rate `lambda` (torch's algorithms: transformed rejection (Hörmann's PTRS)
/// from 10 on, products of uniforms below).
pub fn poisson(rng: &mut Stream, lambda: f64) -> f64 {
    if lambda >= 10.0 {
        let slam = lambda.sqrt();
        let loglam = lambda.ln();
        let b = 0.931 + 2.53 * slam;
        let a = -0.059 + 0.02483 * b;
        let inv_alpha = 1.1239 + 1.1328 / (b - 3.4);
        let vr = 0.9277 - 3.6224 / (b - 2.0);
        loop {
            let u = rng.uniform() - 0.5;
            let v = rng.uniform();
            let us = 0.5 - u.abs();
            let k = ((2.0 * a / us + b) * u + lambda + 0.43).floor();
            if us >= 0.07 && v <= vr {
                return k;
            }
            if k < 0.0 || (us < 0.013 && v > us) {
                continue;
            }
            if (v.ln() + inv_alpha.ln() - (a / (us * us) + b).ln())
                <= -lambda + k * loglam - (k + 1.0).lgamma()
            {
                return k;
            }
        }
    } else if lambda == 0.0 {
        0.0
    } else {
        let enlam = (-lambda).exp();
        let mut x = 0.0;
        let mut prod = 1.0;
        loop {
            prod *= rng.uniform();
            if prod > enlam {
                x += 1.0;
            } else {
                return x;
            }
        }
    }
}

/// A standard gamma sample of shape `alpha` (Marsaglia and Tsang; below 1 boosted by
/// `U^(1/alpha)`), at least the smallest positive normal value of the output type, `tiny`.
pub fn standard_gamma(rng: &mut Stream, alpha: f64, tiny: f64) -> f64 {
    if alpha.is_nan() || alpha <= 0.0 {
        return tiny;
    }
    let mut scale = 1.0;
    let mut a = alpha;
    if a < 1.0 {
        scale = rng.uniform_open0().powf(1.0 / a);
        a += 1.0;
    }
    let d = a - 1.0 / 3.0;
    let c = 1.0 / (9.0 * d).sqrt();
    loop {
        let (x, y) = loop {
            let x = rng.normal();
            let y = 1.0 + c * x;
            if y > 0.0 {
                break (x, y);
            }
        };
        let v = y * y * y;
        let u = rng.uniform_open0();
        let xx = x * x;
        if u < 1.0 - 0.0331 * xx * xx || u.ln() < 0.5 * xx + d * (1.0 - v + v.ln()) {
            return (scale * d * v).max(tiny);
        }
    }
}

/// torch's `_standard_gamma_grad`: `-(d/dalpha cdf(x; alpha)) / pdf(x; alpha)` for a sample `x`
/// of Gamma(alpha): a series for small `x`, Rice's saddle point expansion for large `alpha`,
/// else a bivariate rational approximation (the same formulas and constants as torch's).
pub fn standard_gamma_grad(alpha: f64, x: f64) -> f64 {
    if x < 0.8 {
        let mut numer = 1.0;
        let mut denom = alpha;
        let mut series1 = numer / denom;
        let mut series2 = numer / (denom * denom);
        for i in 1..=5 {
            numer *= -x / i as f64;
            denom += 1.0;
            series1 += numer / denom;
            series2 += numer / (denom * denom);
        }
        let pow_x_alpha = x.powf(alpha);
        let gamma_pdf = x.powf(alpha - 1.0) * (-x).exp();
        let gamma_cdf = pow_x_alpha * series1;
        let gamma_cdf_alpha = (x.ln() - alpha.digamma()) * gamma_cdf - pow_x_alpha * series2;
        let result = -gamma_cdf_alpha / gamma_pdf;
        return if result.is_nan() { 0.0 } else { result };
    }
    if alpha > 8.0 {
        if 0.9 * alpha <= x && x <= 1.1 * alpha {
            let numer_1 = 1.0 + 24.0 * alpha * (1.0 + 12.0 * alpha);
            let numer_2 = 1440.0 * (alpha * alpha) + 6.0 * x * (53.0 - 120.0 * x)
                - 65.0 * x * x / alpha
                + alpha * (107.0 + 3600.0 * x);
            let denom = 1244160.0 * (alpha * alpha) * (alpha * alpha);
            return numer_1 * numer_2 / denom;
        }
        let denom = (8.0 * alpha).sqrt();
        let term2 = denom / (alpha - x);
        let term3 = (x - alpha - alpha * (x / alpha).ln()).powf(-1.5);
        let term23 = if x < alpha {
            term2 - term3
        } else {
            term2 + term3
        };
        let term1 = (x / alpha).ln() * term23
            - (2.0 / alpha).sqrt() * (alpha + x) / ((alpha - x) * (alpha - x));
        let stirling = 1.0 + 1.0 / (12.0 * alpha) * (1.0 + 1.0 / (24.0 * alpha));
        let numer = x * term1;
        return -stirling * numer / denom;
    }
    let u = (x / alpha).ln();
    let v = alpha.ln();
    const COEF_UV: [[f64; 8]; 3] = [
        [
            0.16009398,
            -0.094634809,
            0.025146376,
            -0.0030648343,
            1.0,
            0.32668115,
            0.10406089,
            0.0014179084,
        ],
        [
            0.53487893,
            0.1298071,
            0.065735949,
            -0.0015649758,
            0.16639465,
            0.020070113,
            -0.0035938915,
            -0.00058392623,
        ],
        [
            0.040121004,
            -0.0065914022,
            -0.0026286047,
            -0.0013441777,
            0.017050642,
            -0.0021309326,
            0.00085092367,
            -1.5247877e-07,
        ],
    ];
    let mut c = [0.0; 8];
    for (i, ci) in c.iter_mut().enumerate() {
        *ci = COEF_UV[0][i] + u * (COEF_UV[1][i] + u * COEF_UV[2][i]);
    }
    let p = c[0] + v * (c[1] + v * (c[2] + v * c[3]));
    let q = c[4] + v * (c[5] + v * (c[6] + v * c[7]));
    (p / q).exp()
}
