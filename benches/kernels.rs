//! Criterion benches of the core's kernels, without Python: elementwise, copies, transpose, fills.
//! `make bench` runs them after `benches/compare.py`.

use criterion::{criterion_group, criterion_main, Criterion};
use rtensor::ops::binary::{binary, BinaryOp, Value};
use rtensor::{DType, Scalar, Tensor};
use std::hint::black_box;

const BIG: usize = 1 << 24;

fn filled(shape: &[usize]) -> Tensor {
    Tensor::full(shape, Scalar::Float(1.5), DType::Float32).expect("allocating a bench input")
}

fn elementwise(c: &mut Criterion) {
    let small = Value::Tensor(filled(&[2, 2]));
    c.bench_function("add 2x2 f32", |b| {
        b.iter(|| binary(BinaryOp::Add, black_box(&small), black_box(&small)))
    });
    let big = Value::Tensor(filled(&[BIG]));
    c.bench_function("mul 16M f32", |b| {
        b.iter(|| binary(BinaryOp::Mul, black_box(&big), black_box(&big)))
    });
    let row = Value::Tensor(filled(&[4096]));
    let mat = Value::Tensor(filled(&[4096, 4096]));
    c.bench_function("add 4096x4096 + 4096 broadcast f32", |b| {
        b.iter(|| binary(BinaryOp::Add, black_box(&mat), black_box(&row)))
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

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20);
    targets = elementwise, copies
}
criterion_main!(benches);
