//! Criterion benches of the core's kernels, without Python: elementwise, copies, transpose, fills.
//! `make bench` runs them after `benches/compare.py`.

use criterion::measurement::WallTime;
use criterion::{criterion_group, criterion_main, BenchmarkGroup, Criterion, Throughput};
use rtensor::kernels::vmath::{map_f32, VMath};
use rtensor::{DType, Scalar, Tensor};
use std::hint::black_box;

const BIG: usize = 1 << 24;

fn filled(shape: &[usize]) -> Tensor {
    Tensor::full(shape, Scalar::Float(1.5), DType::Float32).expect("allocating a bench input")
}

fn elementwise(c: &mut Criterion) {
    // `Tensor::add` (src/ops/pointwise/arith.rs) and `Tensor::mul` (made by `binary_ops!`): the
    // op layer's path, with type promotion, broadcasting and (no) autograd recording.
    let small = filled(&[2, 2]);
    c.bench_function("add 2x2 f32", |b| {
        b.iter(|| black_box(&small).add(black_box(&small)))
    });
    let big = filled(&[BIG]);
    c.bench_function("mul 16M f32", |b| {
        b.iter(|| black_box(&big).mul(black_box(&big)))
    });
    let row = filled(&[4096]);
    let mat = filled(&[4096, 4096]);
    c.bench_function("add 4096x4096 + 4096 broadcast f32", |b| {
        b.iter(|| black_box(&mat).add(black_box(&row)))
    });
}

fn copies(c: &mut Criterion) {
    let big = filled(&[BIG]);
    c.bench_function("clone 16M f32", |b| {
        b.iter(|| black_box(&big).clone_tensor())
    });
    let m = filled(&[4096, 4096]);
    let mt = m.transpose(0, 1).expect("2-d transpose");
    c.bench_function("transpose contiguous 4096x4096 f32", |b| {
        b.iter(|| black_box(&mt).contiguous())
    });
    c.bench_function("to float64 16M", |b| {
        b.iter(|| black_box(&big).to_dtype(DType::Float64))
    });
    c.bench_function("full 16M f32", |b| {
        b.iter(|| Tensor::full(&[BIG], Scalar::Float(2.0), DType::Float32))
    });
}

/// One `vmath` bench pair: `fast` and `slow` must be function items or closures (not function
/// pointers), so that `map_f32` inlines them into its vectorised loop.
fn vmath_pair(
    group: &mut BenchmarkGroup<'_, WallTime>,
    name: &str,
    src: &[f32],
    fast: impl Fn(f32) -> f32 + Copy,
    slow: impl Fn(f32) -> f32 + Copy,
) {
    let mut dst = vec![0.0f32; src.len()];
    group.bench_function(format!("{name} 1M f32 vmath"), |b| {
        b.iter(|| map_f32(black_box(src), &mut dst, fast))
    });
    group.bench_function(format!("{name} 1M f32 std"), |b| {
        b.iter(|| map_f32(black_box(src), &mut dst, slow))
    });
}

/// `map_f32` over 1M float32 elements: each `vmath` function against the same loop calling
/// std's (or libm's) scalar function, single thread.
fn vmath(c: &mut Criterion) {
    const N: usize = 1 << 20;
    // Inputs spread over each function's interesting range (a fixed pseudo-random sequence).
    let spread = |lo: f32, hi: f32| -> Vec<f32> {
        let mut s = 0x2545_f491_4f6c_dd1du64;
        (0..N)
            .map(|_| {
                s ^= s << 13;
                s ^= s >> 7;
                s ^= s << 17;
                lo + (hi - lo) * ((s >> 40) as f32 / (1u64 << 24) as f32)
            })
            .collect()
    };
    let mut group = c.benchmark_group("vmath");
    group.throughput(Throughput::Elements(N as u64));
    let g = &mut group;
    vmath_pair(g, "exp", &spread(-10.0, 10.0), f32::v_exp, f32::exp);
    let sigmoid = |x: f32| 1.0 / (1.0 + (-x).exp());
    vmath_pair(g, "sigmoid", &spread(-10.0, 10.0), f32::v_sigmoid, sigmoid);
    vmath_pair(g, "erf", &spread(-3.0, 3.0), f32::v_erf, libm::erff);
    vmath_pair(g, "log", &spread(0.01, 100.0), f32::v_log, f32::ln);
    vmath_pair(g, "tanh", &spread(-5.0, 5.0), f32::v_tanh, f32::tanh);
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20);
    targets = elementwise, copies, vmath
}
criterion_main!(benches);
