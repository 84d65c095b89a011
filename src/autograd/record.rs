//! How operations join the graph: `record` attaches a node to a fresh output when grad mode is on
//! and an input requires grad; `in_place` gives in-place ops torch's semantics.

use crate::autograd::graph::{Backward, Edge, Node};
use crate::autograd::mode::is_grad_enabled;
use crate::error::{Error, Result};
use crate::tensor::Tensor;
use std::sync::Arc;

/// True when an op on `inputs` must be recorded.
pub fn is_recording(inputs: &[&Tensor]) -> bool {
    inputs.iter().any(|t| t.requires_grad()) && is_grad_enabled()
}

/// The edge a gradient for `t` follows: its producer, or its leaf accumulator (made on demand and
/// cached weakly, so every graph that uses a leaf shares one accumulator).
pub fn edge_of(t: &Tensor) -> Option<Edge> {
    if !t.requires_grad() {
        return None;
    }
    let mut meta = t.meta();
    if let Some(node) = &meta.grad_fn {
        return Some(Edge {
            node: node.clone(),
            input_nr: 0,
        });
    }
    let node = match meta.accumulator.upgrade() {
        Some(n) => n,
        None => {
            let n = Arc::new(Node::accumulate(t));
            meta.accumulator = Arc::downgrade(&n);
            n
        }
    };
    Some(Edge { node, input_nr: 0 })
}

fn attach(
    output: &Tensor,
    name: &'static str,
    inputs: &[&Tensor],
    rule: Box<dyn Backward>,
    view: bool,
) {
    let next = inputs.iter().map(|t| edge_of(t)).collect();
    output.set_history(Arc::new(Node::function(name, next, rule)), view);
}

/// Records `output = op(inputs)` under `name` when needed; `rule` is only built then. An output
/// that is one of its inputs (an op that returned its argument) is left as it is, and integer and
/// bool outputs never require grad.
pub fn record<R: Backward + 'static>(
    output: Tensor,
    name: &'static str,
    inputs: &[&Tensor],
    rule: impl FnOnce() -> R,
) -> Tensor {
    if output.dtype().is_floating()
        && is_recording(inputs)
        && !inputs.iter().any(|t| t.same_tensor(&output))
    {
        attach(&output, name, inputs, Box::new(rule()), false);
    }
    output
}

/// Like [`record`] for a view: the output shares its input's memory, which in-place ops must know.
pub fn record_view<R: Backward + 'static>(
    output: Tensor,
    name: &'static str,
    input: &Tensor,
    rule: impl FnOnce() -> R,
) -> Tensor {
    if output.dtype().is_floating() && is_recording(&[input]) && !input.same_tensor(&output) {
        attach(&output, name, &[input], Box::new(rule()), true);
    }
    output
}

/// Runs an in-place op on `dst` with torch's autograd semantics. Without recording, `raw` writes
/// in place. With recording, `out_of_place` computes the result from a snapshot of `dst` that
/// carries `dst`'s history (so the new node links to it and saves the snapshot, not the memory
/// about to change); the result is then written into `dst`, which takes over its node.
pub fn in_place(
    dst: &Tensor,
    others: &[&Tensor],
    raw: impl FnOnce() -> Result<()>,
    out_of_place: impl FnOnce(&Tensor) -> Result<Tensor>,
) -> Result<()> {
    let mut inputs = vec![dst];
    inputs.extend_from_slice(others);
    if !is_recording(&inputs) {
        return raw();
    }
    if dst.requires_grad() && dst.is_leaf() {
        return Err(Error::Runtime(
            "a leaf Variable that requires grad is being used in an in-place operation.".into(),
        ));
    }
    if dst.meta().is_differentiable_view {
        return Err(Error::NotImplemented(
            "in-place operations on a view of a tensor that requires grad are not supported yet; apply the operation to the base tensor, or write the result with indexing (base[...] = value)"
                .into(),
        ));
    }
    let snapshot = dst.clone_contiguous()?;
    if let Some(node) = dst.grad_fn() {
        snapshot.set_history(node, false);
    }
    let result = out_of_place(&snapshot)?;
    crate::ops::copy::copy_checked(dst, &result.detach())?;
    match result.grad_fn() {
        Some(node) => dst.set_history(node, false),
        None => dst.clear_history(),
    }
    Ok(())
}
