//! The op layer: every op rtensor exposes, declared once in the registry by family (`registry`
//! holds the declaration types); older families still keep their kernels here.

pub mod activation;
pub mod comparison;
pub mod copy;
pub mod creation;
pub mod diag;
pub mod embed;
pub mod embedding;
pub mod factory;
pub mod gather;
pub mod histogram;
pub mod index;
pub mod join;
pub mod linalg;
pub mod loss;
pub mod normalization;
pub mod pointwise;
pub mod quantile;
pub mod random;
pub mod rearrange;
pub mod reduce;
pub mod registry;
pub mod reshape;
pub mod scan;
pub mod search;
pub mod sequences;
pub mod softmax;
pub mod sort;
pub mod stacking;
pub mod unique;
pub mod views;

/// Every family's ops, for the registry.
pub static FAMILIES: &[&[&registry::OpDef]] = &[
    pointwise::arith::OPS,
    pointwise::arith::BINARY,
    pointwise::arith::UNARY,
    pointwise::bits::BINARY,
    pointwise::bits::UNARY,
    pointwise::clamp::OPS,
    pointwise::exp_log::OPS,
    pointwise::exp_log::UNARY,
    pointwise::exp_log::BINARY,
    pointwise::floating::OPS,
    pointwise::floating::BINARY,
    pointwise::power::OPS,
    pointwise::rounding::OPS,
    pointwise::rounding::UNARY,
    pointwise::special::OPS,
    pointwise::special::UNARY,
    pointwise::special::BINARY,
    pointwise::ternary::OPS,
    pointwise::trig::UNARY,
    pointwise::trig::BINARY,
    comparison::COMPARE,
    comparison::EXTREMA,
    comparison::PREDICATES,
    comparison::OPS,
    reduce::declare::OPS,
    scan::OPS,
    softmax::OPS,
    loss::OPS,
    normalization::OPS,
    embedding::OPS,
    sort::OPS,
    search::OPS,
    histogram::OPS,
    unique::OPS,
    quantile::OPS,
    linalg::declare::OPS,
    linalg::BLAS_OPS,
    linalg::CHAIN_OPS,
    linalg::INVERSE_OPS,
    linalg::DISTANCE_OPS,
    factory::OPS,
    random::declare::OPS,
    views::OPS,
    diag::OPS,
    copy::OPS,
    creation::OPS,
    gather::OPS,
    rearrange::OPS,
    sequences::OPS,
    reshape::OPS,
    stacking::OPS,
    embed::OPS,
    activation::declare::OPS,
];
