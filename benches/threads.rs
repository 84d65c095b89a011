//! The thread team against rayon on the same chunked kernel: a float32 sum split in chunks of
//! `kernels::reduce::CHUNK` elements, each summed with 32 float64 lanes, the partials combined in
//! a fixed pairwise tree (what `kernels/reduce/driver.rs` does for a full contiguous `sum`).
//! Only the dispatch differs: `threads::map_chunks` (the team of spinning helpers) or a rayon
//! `par_iter` in the kernels' own rayon pool (`threads::install`, the pool gemm runs in).
//!
//! `cargo bench --bench threads` runs it with 2 threads; `BENCH_THREADS=N` changes that. The
//! `serial` line is the same kernel on the calling thread. Back-to-back calls keep both pools'
//! threads awake; the `paced` lines leave 50 µs of busy caller between calls (a few Python
//! statements) and time only the calls, so waking the threads is part of each call. The numbers are quoted in
//! ARCHITECTURE.md ("Threads").

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use rayon::prelude::*;
use rtensor::kernels::reduce::CHUNK;
use rtensor::threads;
use std::hint::black_box;
use std::time::{Duration, Instant};

const LANES: usize = 32;
/// The pause between two calls of the paced benches, in µs: a few Python statements.
const GAP_US: u64 = 50;

/// One chunk: 32 float64 accumulators, then their pairwise tree. On AVX-512 the driver's own
/// intrinsics loop; otherwise the lane loop compiled for AVX2 or the baseline, as the driver's.
fn chunk_sum(s: &[f32]) -> f64 {
    #[cfg(target_arch = "x86_64")]
    {
        if std::arch::is_x86_feature_detected!("avx512f") {
            // SAFETY: the CPU has AVX-512F.
            return unsafe { chunk_sum_avx512(s) };
        }
        if std::arch::is_x86_feature_detected!("avx2") {
            // SAFETY: the CPU has AVX2.
            return unsafe { chunk_sum_avx2(s) };
        }
    }
    chunk_sum_generic(s)
}

/// The driver's `widen_f32_avx512` for a sum: float32 widened to float64 in four registers of
/// eight lanes, the next data prefetched 12 KiB ahead, then the 32 lanes' pairwise tree.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f")]
unsafe fn chunk_sum_avx512(s: &[f32]) -> f64 {
    use std::arch::x86_64::*;
    const AHEAD: usize = 12288 / 4;
    let (p, len) = (s.as_ptr(), s.len());
    let mut acc = [_mm512_setzero_pd(); LANES / 8];
    let full = len / LANES * LANES;
    let mut i = 0;
    while i < full {
        // Prefetches never fault: reaching past the end is harmless (hence `wrapping_add`).
        _mm_prefetch::<_MM_HINT_T0>(p.wrapping_add(i + AHEAD) as *const i8);
        _mm_prefetch::<_MM_HINT_T0>(p.wrapping_add(i + AHEAD + 16) as *const i8);
        for (j, a) in acc.iter_mut().enumerate() {
            // SAFETY: `i + 8 * j + 8 <= full <= len`.
            let x = _mm512_cvtps_pd(unsafe { _mm256_loadu_ps(p.add(i + 8 * j)) });
            *a = _mm512_add_pd(*a, x);
        }
        i += LANES;
    }
    let mut l = [0.0f64; LANES];
    for (j, a) in acc.iter().enumerate() {
        // SAFETY: `l` has room for eight doubles at `8 * j`.
        unsafe { _mm512_storeu_pd(l.as_mut_ptr().add(8 * j), *a) };
    }
    for (k, &v) in s[full..].iter().enumerate() {
        l[k] += v as f64;
    }
    lanes_tree(l)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn chunk_sum_avx2(s: &[f32]) -> f64 {
    chunk_sum_generic(s)
}

#[inline(always)]
fn chunk_sum_generic(s: &[f32]) -> f64 {
    let mut l = [0.0f64; LANES];
    let mut blocks = s.chunks_exact(LANES);
    for b in &mut blocks {
        for k in 0..LANES {
            l[k] += b[k] as f64;
        }
    }
    for (k, &v) in blocks.remainder().iter().enumerate() {
        l[k] += v as f64;
    }
    lanes_tree(l)
}

/// The lanes' pairwise tree (the driver's `lanes_tree`).
#[inline(always)]
fn lanes_tree(mut l: [f64; LANES]) -> f64 {
    let mut n = LANES;
    while n > 1 {
        n /= 2;
        for k in 0..n {
            l[k] = l[2 * k] + l[2 * k + 1];
        }
    }
    l[0]
}

/// The fixed pairwise tree over the chunk partials.
fn tree(parts: &[f64]) -> f64 {
    match parts.len() {
        0 => 0.0,
        1 => parts[0],
        n => tree(&parts[..n / 2]) + tree(&parts[n / 2..]),
    }
}

fn part(data: &[f32], i: usize) -> f64 {
    chunk_sum(&data[i * CHUNK..((i + 1) * CHUNK).min(data.len())])
}

fn serial_sum(data: &[f32]) -> f64 {
    let parts: Vec<f64> = (0..data.len().div_ceil(CHUNK))
        .map(|i| part(data, i))
        .collect();
    tree(&parts)
}

fn team_sum(data: &[f32]) -> f64 {
    tree(&threads::map_chunks(data.len().div_ceil(CHUNK), |i| {
        part(data, i)
    }))
}

fn rayon_sum(data: &[f32]) -> f64 {
    let chunks = data.len().div_ceil(CHUNK);
    let parts: Vec<f64> =
        threads::install(|_| (0..chunks).into_par_iter().map(|i| part(data, i)).collect());
    tree(&parts)
}

/// Times `f` on calls `gap` apart, the caller busy meanwhile (as a Python loop keeps it): the
/// helpers' wake-up is part of each call's time, as it is for a kernel called from Python.
fn paced(b: &mut criterion::Bencher<'_>, gap: Duration, f: impl Fn() -> f64) {
    b.iter_custom(|iters| {
        let mut total = Duration::ZERO;
        for _ in 0..iters {
            let until = Instant::now() + gap;
            while Instant::now() < until {
                std::hint::spin_loop();
            }
            let start = Instant::now();
            black_box(f());
            total += start.elapsed();
        }
        total
    })
}

fn team_vs_rayon(c: &mut Criterion) {
    let n_threads = std::env::var("BENCH_THREADS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(2);
    threads::set_num_threads(n_threads);
    let mut group = c.benchmark_group(format!("chunked f32 sum, {n_threads} threads"));
    group
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2))
        .sample_size(30);
    for (label, n) in [("256K", 1usize << 18), ("1M", 1 << 20), ("16M", 1 << 24)] {
        let data: Vec<f32> = (0..n).map(|i| (i % 1000) as f32 * 0.001).collect();
        // Same chunks, same tree: the three must agree bitwise.
        let expected = serial_sum(&data);
        assert_eq!(team_sum(&data).to_bits(), expected.to_bits());
        assert_eq!(rayon_sum(&data).to_bits(), expected.to_bits());
        group.throughput(Throughput::Elements(n as u64));
        group.bench_with_input(BenchmarkId::new("team", label), &data, |b, d| {
            b.iter(|| team_sum(black_box(d)))
        });
        group.bench_with_input(BenchmarkId::new("rayon", label), &data, |b, d| {
            b.iter(|| rayon_sum(black_box(d)))
        });
        group.bench_with_input(BenchmarkId::new("serial", label), &data, |b, d| {
            b.iter(|| serial_sum(black_box(d)))
        });
        let gap = Duration::from_micros(GAP_US);
        group.bench_with_input(BenchmarkId::new("team, paced", label), &data, |b, d| {
            paced(b, gap, || team_sum(black_box(d)))
        });
        group.bench_with_input(BenchmarkId::new("rayon, paced", label), &data, |b, d| {
            paced(b, gap, || rayon_sum(black_box(d)))
        });
    }
    group.finish();
}

criterion_group!(benches, team_vs_rayon);
criterion_main!(benches);
