//! The autograd state of one tensor: its gradient, the node that produced it, and the cached
//! accumulator node of a leaf.

use crate::autograd::graph::Node;
use crate::tensor::Tensor;
use std::sync::{Arc, Weak};

/// Per-tensor autograd state (behind a mutex in the tensor; touched only for tensors in graphs).
#[derive(Default)]
pub struct AutogradMeta {
    /// The accumulated gradient (`.grad`).
    pub grad: Option<Tensor>,
    /// The node that produced this tensor (`None` for leaves).
    pub grad_fn: Option<Arc<Node>>,
    /// A leaf's `AccumulateGrad` node, kept while some graph holds it.
    pub accumulator: Weak<Node>,
    /// Set by `retain_grad()` on a non-leaf.
    pub retains_grad: bool,
    /// For a view made by a recorded view op: the tensor that owns the memory (the root of the
    /// chain of views), whose history an in-place write through the view must update.
    pub view_base: Option<Tensor>,
    /// An opaque handle the bindings keep here (a weak reference to the Python object of a leaf,
    /// so `grad_fn.next_functions[0][0].variable is x` holds).
    pub owner: Option<Box<dyn std::any::Any + Send + Sync>>,
}
