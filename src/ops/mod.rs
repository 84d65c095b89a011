//! Kernels and the tensor operations built on them, one family per file.

pub mod binary;
pub mod copy;
pub mod creation;
pub mod index;
pub mod join;
pub mod kernels;
pub mod linalg;
pub mod reduce;
pub mod scan;
pub mod unary;
