//! rtensor: a PyTorch-compatible eager tensor library for the CPU.
//!
//! The core (everything outside `python/`) knows nothing of Python and is tested with `cargo test`;
//! the bindings live behind the `python` cargo feature.

pub mod autograd;
pub mod device;
pub mod dtype;
pub mod error;
pub mod index_item;
pub mod kernels;
pub mod layout;
pub mod mapping;
pub mod ops;
pub mod prefetch;
pub mod random;
pub mod safetensors;
pub mod scalar;
pub mod shape;
pub mod storage;
pub mod strided;
pub mod tensor;
pub mod threads;
pub mod value;

#[cfg(feature = "python")]
mod python;

pub use dtype::DType;
pub use error::{Error, Result};
pub use layout::Layout;
pub use scalar::Scalar;
pub use tensor::Tensor;
pub use value::Value;
