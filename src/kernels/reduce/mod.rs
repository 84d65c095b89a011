//! Reduction kernels: one deterministic machine (`driver`) walking any set of reduced dims, and
//! the reducers that plug into it (`reducers`, `norms`, `exp_sum`), all built on the [`Reducer`]
//! trait and its lane tree (`reducer`).

pub mod driver;
pub mod exp_sum;
mod half_sum;
pub mod norms;
pub mod reducer;
pub mod reducers;

pub use driver::reduce_into;
pub use reducer::{Reducer, CHUNK};
