//! Kernels: the loops that compute, by family. They know nothing of autograd, type promotion or
//! the registry; the op layer (`ops/`) chooses dtypes and destinations and records gradients.

pub mod copy;
pub mod diag;
pub mod distance;
pub mod engine;
pub mod gather;
pub mod histogram;
pub mod inverse;
pub mod math;
pub mod normal;
pub mod normalization;
pub mod pointwise;
pub mod random;
pub mod rearrange;
pub mod reduce;
pub mod scan;
pub mod search;
pub mod softmax;
pub mod sort;
pub mod special;
pub mod unique;
pub mod vmath;
