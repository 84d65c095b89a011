//! How operations join the graph: `record` attaches a node to a fresh output when grad mode is on
//! and an input requires grad; `in_place` gives in-place ops torch's semantics.

use crate::autograd::graph::{AdjointRule, Backward, Edge, Node};
use crate::autograd::mode::is_grad_enabled;
use crate::autograd::rules::{reduce_to, InputMeta};
use crate::error::{Error, Result};
use crate::layout::Layout;
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
            input_nr: meta.output_nr,
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
    view_base: Option<Tensor>,
) {
    let next = inputs.iter().map(|t| edge_of(t)).collect();
    output.set_history(Arc::new(Node::function(name, next, rule)), view_base);
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
        attach(&output, name, inputs, Box::new(rule()), None);
    }
    output
}

/// Records `out`, a map of `g` that is linear and was computed without recording, as node `name`
/// with `adjoint` as its backward; only does anything while gradients of gradients are recorded
/// (`create_graph=True`).
pub fn linear_in(
    out: Tensor,
    name: &'static str,
    g: &Tensor,
    adjoint: impl Fn(&Tensor) -> Result<Tensor> + Send + Sync + 'static,
) -> Tensor {
    record(out, name, &[g], || AdjointRule(Box::new(adjoint)))
}

/// Records an op with several outputs (`std_mean`, `aminmax`) as one node: each floating
/// output becomes output `i` of it, and the rule's `apply_outputs` gets one gradient per output.
pub fn record_outputs<R: Backward + 'static>(
    outputs: Vec<Tensor>,
    name: &'static str,
    inputs: &[&Tensor],
    rule: impl FnOnce() -> R,
) -> Vec<Tensor> {
    if outputs.iter().any(|o| o.dtype().is_floating()) && is_recording(inputs) {
        let next = inputs.iter().map(|t| edge_of(t)).collect();
        let node = Arc::new(Node::with_outputs(
            name,
            next,
            Box::new(rule()),
            outputs.len(),
        ));
        for (i, o) in outputs.iter().enumerate() {
            if o.dtype().is_floating() {
                o.set_history_output(node.clone(), i, None);
            }
        }
    }
    outputs
}

/// Like [`record`] for a view: the output shares its input's memory, which in-place ops must know.
pub fn record_view<R: Backward + 'static>(
    output: Tensor,
    name: &'static str,
    input: &Tensor,
    rule: impl FnOnce() -> R,
) -> Tensor {
    if output.dtype().is_floating() && is_recording(&[input]) && !input.same_tensor(&output) {
        let base = input
            .meta()
            .view_base
            .clone()
            .unwrap_or_else(|| input.clone());
        attach(&output, name, &[input], Box::new(rule()), Some(base));
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
    // The work is done by one non-generic function (compiled once, not once per op); each
    // closure runs at most once, which the `Option`s hand over.
    let (mut raw, mut out_of_place) = (Some(raw), Some(out_of_place));
    in_place_erased(
        dst,
        others,
        &mut || raw.take().map_or_else(|| Err(called_twice()), |f| f()),
        &mut |t| {
            out_of_place
                .take()
                .map_or_else(|| Err(called_twice()), |f| f(t))
        },
    )
}

/// The error of an in-place op's closure run a second time (never: each path calls one once).
fn called_twice() -> Error {
    Error::Runtime("internal error: an in-place op's computation ran twice".into())
}

/// [`in_place`] with its closures as trait objects.
fn in_place_erased(
    dst: &Tensor,
    others: &[&Tensor],
    raw: &mut dyn FnMut() -> Result<()>,
    out_of_place: &mut dyn FnMut(&Tensor) -> Result<Tensor>,
) -> Result<()> {
    if dst.is_inference() && !crate::storage::is_inference_mode() {
        return Err(Error::Runtime(
            "Inplace update to inference tensor outside InferenceMode is not allowed.You can make a clone to get a normal tensor before doing inplace update.See https://github.com/pytorch/rfcs/pull/17 for more details."
                .into(),
        ));
    }
    let mut inputs = vec![dst];
    inputs.extend_from_slice(others);
    if !is_recording(&inputs) {
        return raw();
    }
    if dst.requires_grad() && dst.is_leaf() {
        return Err(leaf_in_place_error());
    }
    let base = dst.meta().view_base.clone();
    if let Some(base) = base {
        return in_place_on_view(dst, &base, out_of_place);
    }
    let snapshot = snapshot_of(dst)?;
    let result = out_of_place(&snapshot)?;
    crate::kernels::copy::copy_checked(dst, &result.detach())?;
    match result.grad_fn() {
        Some(node) => dst.set_history(node, None),
        None => dst.clear_history(),
    }
    Ok(())
}

/// torch's error for an in-place op on a leaf that requires grad.
pub fn leaf_in_place_error() -> Error {
    Error::Runtime(
        "a leaf Variable that requires grad is being used in an in-place operation.".into(),
    )
}

/// A copy of `t`'s values that carries `t`'s history: the input an in-place op is recorded on.
fn snapshot_of(t: &Tensor) -> Result<Tensor> {
    let snapshot = t.clone_contiguous()?;
    if let Some(node) = t.grad_fn() {
        snapshot.set_history(node, None);
    }
    Ok(snapshot)
}

/// An in-place op through a view: the result is written into the base's memory, and the base's
/// history becomes `CopySlices` (the old base outside the view's region, the result inside it);
/// the view then reads its region of the new base.
fn in_place_on_view(
    dst: &Tensor,
    base: &Tensor,
    out_of_place: &mut dyn FnMut(&Tensor) -> Result<Tensor>,
) -> Result<()> {
    if base.is_leaf() && base.requires_grad() {
        return Err(Error::Runtime(
            "a view of a leaf Variable that requires grad is being used in an in-place operation."
                .into(),
        ));
    }
    let Some(region) = region_in(base, dst) else {
        return Err(Error::NotImplemented(
            "in-place operations on a view of a non-contiguous tensor that requires grad are not supported; make the base contiguous first".into(),
        ));
    };
    let result = out_of_place(&snapshot_of(dst)?)?;
    let base_snapshot = snapshot_of(base)?;
    crate::kernels::copy::copy_checked(dst, &result.detach())?;
    let node = Arc::new(Node::function(
        "CopySlices",
        vec![edge_of(&base_snapshot), edge_of(&result)],
        Box::new(CopySlicesRule {
            base: InputMeta::of(base),
            value: InputMeta::of(&result),
            region: region.clone(),
        }),
    ));
    base.set_history(node, None);
    let (dtype, shape) = (base.dtype(), base.shape().to_vec());
    let view_node = Arc::new(Node::function(
        "AsStridedBackward0",
        vec![edge_of(base)],
        Box::new(AdjointRule(Box::new(move |g| {
            scatter_region(g, &shape, &region)?.to_dtype(dtype)
        }))),
    ));
    dst.set_history(view_node, Some(base.clone()));
    Ok(())
}

/// The layout of `view` inside a contiguous tensor shaped like `base` (whose memory it views), or
/// `None` when `base` is not contiguous.
fn region_in(base: &Tensor, view: &Tensor) -> Option<Layout> {
    if !base.is_contiguous() || view.storage_offset() < base.storage_offset() {
        return None;
    }
    let mut l = view.layout().clone();
    l.offset = view.storage_offset() - base.storage_offset();
    Some(l)
}

/// The backward of a write through a view: the old base gets the gradient outside the view's
/// region, the written value the gradient inside it.
struct CopySlicesRule {
    base: InputMeta,
    value: InputMeta,
    region: Layout,
}

impl Backward for CopySlicesRule {
    fn apply(&self, g: &Tensor) -> Result<Vec<Option<Tensor>>> {
        Ok(vec![
            Some(outside_region(g, &self.region)?.to_dtype(self.base.dtype)?),
            Some(reduce_to(inside_region(g, &self.region)?, &self.value)?),
        ])
    }
}

/// `g` (contiguous, shaped like the base) with zeros in `region`; its own adjoint.
fn outside_region(g: &Tensor, region: &Layout) -> Result<Tensor> {
    let outside = g.clone_contiguous()?;
    outside
        .with_layout(region.clone())
        .fill_raw(crate::Scalar::Int(0))?;
    let r = region.clone();
    Ok(linear_in(outside, "CopySlices", g, move |gg| {
        outside_region(gg, &r)
    }))
}

/// The elements of `g` (contiguous, shaped like the base) in `region`; the adjoint puts a
/// gradient back into a zero base.
fn inside_region(g: &Tensor, region: &Layout) -> Result<Tensor> {
    let inside = g
        .clone_contiguous()?
        .with_layout(region.clone())
        .clone_contiguous()?;
    let (r, base) = (region.clone(), g.shape().to_vec());
    Ok(linear_in(inside, "AsStridedBackward0", g, move |gg| {
        scatter_region(gg, &base, &r)
    }))
}

/// A zero tensor of `shape` (contiguous) with `g` written in `region`; its adjoint reads the
/// region back.
fn scatter_region(g: &Tensor, shape: &[usize], region: &Layout) -> Result<Tensor> {
    let out = Tensor::zeros(shape, g.dtype())?;
    let target = out.with_layout(region.clone());
    crate::autograd::mode::without_grad(|| target.copy_(g))?;
    let r = region.clone();
    Ok(linear_in(out, "CopySlices", g, move |gg| {
        inside_region(gg, &r)
    }))
}
