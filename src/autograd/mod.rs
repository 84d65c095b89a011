//! Reverse-mode automatic differentiation: a tape of nodes built as operations run, walked backward
//! in topological order. `mode` holds the per-thread switch, `graph` the nodes and saved tensors,
//! `meta` each tensor's autograd state, `record` how ops attach nodes, `engine` the backward pass,
//! and `rules` one vector-Jacobian product per op.

pub mod engine;
pub mod graph;
pub mod meta;
pub mod mode;
pub mod record;
pub mod rules;

pub use engine::{backward, grad};
pub use graph::{Backward, Node, SavedTensor};
pub use mode::{is_grad_enabled, set_grad_enabled};
pub use record::{in_place, is_recording, record};
