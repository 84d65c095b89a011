//! The graph: nodes (one per recorded op, plus one `AccumulateGrad` per leaf), the edges between
//! them, and tensors saved for backward with the version they had when saved.

use crate::error::{Error, Result};
use crate::shape::fmt_shape;
use crate::tensor::{Tensor, WeakTensor};
use std::cell::RefCell;
use std::sync::{Arc, Mutex};

/// A hook on the gradient of a tensor (`Tensor.register_hook`): it sees the gradient before the
/// tensor's node (or a leaf's accumulator) uses it, and may return a replacement.
pub trait GradHook: Send + Sync {
    /// Runs the hook; `Some` replaces the gradient.
    fn call(&self, grad: &Tensor) -> Result<Option<Tensor>>;
}

/// A hook on output `.0` of a node, with the id its handle removes it by.
pub type NodeHook = (usize, u64, Arc<dyn GradHook>);

/// Hooks in registration order, each with the id its handle removes it by.
pub type Hooks = Vec<(u64, Arc<dyn GradHook>)>;

/// One op's vector-Jacobian product: given the gradient of the op's output, the gradient for each
/// input (in the order of the node's edges; `None` where no gradient flows).
pub trait Backward: Send + Sync {
    /// Computes input gradients from the output gradient.
    fn apply(&self, grad: &Tensor) -> Result<Vec<Option<Tensor>>>;

    /// Computes input gradients from the gradients of every output of a node with several
    /// (`None` for an output no gradient reached). A node of one output calls [`Backward::apply`].
    fn apply_outputs(&self, grads: &[Option<Tensor>]) -> Result<Vec<Option<Tensor>>> {
        match grads.first() {
            Some(Some(g)) => self.apply(g),
            _ => Ok(vec![]),
        }
    }

    /// Frees the tensors saved for backward (after a pass without `retain_graph`); a later pass
    /// through this node then fails with torch's error, but only if it needs them.
    fn release(&self) {}
}

/// The backward of a map that is linear in the gradient and computed without recording (a
/// scatter into zeros, a running sum): it applies the adjoint map, written with recorded ops, so
/// gradients of gradients flow through the unrecorded map too.
pub struct AdjointRule(pub Box<AdjointFn>);

/// The adjoint map of an [`AdjointRule`].
pub type AdjointFn = dyn Fn(&Tensor) -> Result<Tensor> + Send + Sync;

impl Backward for AdjointRule {
    fn apply(&self, gg: &Tensor) -> Result<Vec<Option<Tensor>>> {
        Ok(vec![Some((self.0)(gg)?)])
    }
}

/// Where a gradient goes: a node, and which of its outputs the gradient belongs to.
#[derive(Clone)]
pub struct Edge {
    /// The receiving node.
    pub node: Arc<Node>,
    /// The output of that node the gradient is for (torch's `input_nr`: the input of the
    /// node's backward).
    pub input_nr: usize,
}

/// What a node does with the gradient it receives.
pub enum NodeKind {
    /// A recorded op; the rule is dropped once backward has run without `retain_graph`.
    Function(Mutex<Option<Box<dyn Backward>>>),
    /// Adds the gradient into a leaf's `.grad`.
    AccumulateGrad(WeakTensor),
}

/// A node of the graph.
pub struct Node {
    /// torch's node name (`MulBackward0`, `AccumulateGrad`, ...).
    pub name: &'static str,
    /// One edge per differentiable input (`None` for inputs that do not require grad).
    pub next: Vec<Option<Edge>>,
    /// The rule or the leaf.
    pub kind: NodeKind,
    /// How many outputs the op has (`std_mean`, `aminmax`: two; most ops one).
    pub outputs: usize,
    /// Non-leaf tensors whose `.grad` receives the gradient of one of this node's outputs
    /// (`retain_grad()`), with that output's index.
    pub retained: Mutex<Vec<(usize, WeakTensor)>>,
    /// Hooks registered on the non-leaf outputs of this node, with the output's index.
    pub hooks: Mutex<Vec<NodeHook>>,
}

impl Node {
    /// A node for a recorded op.
    pub fn function(name: &'static str, next: Vec<Option<Edge>>, rule: Box<dyn Backward>) -> Node {
        Node::with_outputs(name, next, rule, 1)
    }

    /// A node for a recorded op with `outputs` outputs.
    pub fn with_outputs(
        name: &'static str,
        next: Vec<Option<Edge>>,
        rule: Box<dyn Backward>,
        outputs: usize,
    ) -> Node {
        Node {
            name,
            next,
            kind: NodeKind::Function(Mutex::new(Some(rule))),
            outputs: outputs.max(1),
            retained: Mutex::new(vec![]),
            hooks: Mutex::new(vec![]),
        }
    }

    /// The accumulator of a leaf.
    pub fn accumulate(leaf: &Tensor) -> Node {
        Node {
            name: "AccumulateGrad",
            next: vec![],
            kind: NodeKind::AccumulateGrad(leaf.downgrade()),
            outputs: 1,
            retained: Mutex::new(vec![]),
            hooks: Mutex::new(vec![]),
        }
    }

    /// Identity of the node (for maps and equality).
    pub fn key(self: &Arc<Self>) -> usize {
        Arc::as_ptr(self) as usize
    }
}

/// The message torch gives when a node runs a second time after its saved state was freed.
pub fn freed_graph_error() -> Error {
    Error::Runtime(
        "Trying to backward through the graph a second time (or directly access saved tensors after they have already been freed). Saved intermediate values of the graph are freed when you call .backward() or autograd.grad(). Specify retain_graph=True if you need to backward through the graph a second time or if you need to access saved tensors after calling backward."
            .into(),
    )
}

thread_local! {
    /// The node whose rule the engine is running on this thread: a saved output unpacked while
    /// gradients of gradients are recorded takes this node back as its history.
    static RUNNING: RefCell<Option<Arc<Node>>> = const { RefCell::new(None) };
}

/// Runs `f` (a node's rule) with `node` as the node being run on this thread.
pub fn running<R>(node: &Arc<Node>, f: impl FnOnce() -> R) -> R {
    struct Restore(Option<Arc<Node>>);
    impl Drop for Restore {
        fn drop(&mut self) {
            let prev = self.0.take();
            RUNNING.with(|r| *r.borrow_mut() = prev);
        }
    }
    let _restore = Restore(RUNNING.with(|r| r.borrow_mut().replace(node.clone())));
    f()
}

/// A tensor kept for backward, with the storage version it had and the node that made it.
///
/// A saved input keeps its own handle, history included, so a rule run with grad mode on
/// (`create_graph=True`) differentiates through it. A saved output is kept without history (its
/// node holds the saved tensor, so history there would be a reference cycle); when a rule reads it
/// with grad mode on, it gets an alias whose history is the node being run, as torch's
/// `SavedVariable` re-attaches `grad_fn` on unpack.
pub struct SavedTensor {
    data: Mutex<Option<Tensor>>,
    version: u64,
    producer: Option<&'static str>,
    /// For a saved output: which output of its node it is.
    output_nr: Option<usize>,
    /// Saved from inference storage outside inference mode, which autograd refuses.
    inference: bool,
}

/// torch's error for a tensor made in inference mode that a graph needs.
pub fn inference_saved_error() -> Error {
    Error::Runtime(
        "Inference tensors cannot be saved for backward. Please do not use Tensors created in inference mode in computation tracked by autograd. To work around this, you can make a clone to get a normal tensor and use it in autograd, or use `rtensor.no_grad()` instead of `rtensor.inference_mode()`."
            .into(),
    )
}

/// torch's legacy type name of a dtype, as version errors print it (`rtensor.FloatTensor`).
fn legacy_type_name(t: &Tensor) -> String {
    format!("rtensor.{}Tensor", t.dtype().torch_name())
}

impl SavedTensor {
    /// Saves `t` (sharing its memory and history) at its current version.
    pub fn new(t: &Tensor) -> SavedTensor {
        SavedTensor {
            data: Mutex::new(Some(t.clone())),
            version: t.version(),
            producer: t.grad_fn().map(|n| n.name),
            output_nr: None,
            inference: is_refused_inference(t),
        }
    }

    /// Saves `t`, the output of the node named `producer` that is being recorded.
    pub fn output(t: &Tensor, producer: &'static str) -> SavedTensor {
        SavedTensor::output_nr(t, producer, 0)
    }

    /// Saves `t`, output `nr` of the node named `producer` that is being recorded.
    pub fn output_nr(t: &Tensor, producer: &'static str, nr: usize) -> SavedTensor {
        SavedTensor {
            data: Mutex::new(Some(t.detach())),
            version: t.version(),
            producer: Some(producer),
            output_nr: Some(nr),
            inference: false,
        }
    }

    /// The saved tensor, or torch's error when it was modified in place since it was saved.
    pub fn get(&self) -> Result<Tensor> {
        let data = self
            .data
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
            .ok_or_else(freed_graph_error)?;
        if self.inference {
            return Err(inference_saved_error());
        }
        let now = data.version();
        if now != self.version {
            // torch names the op, not the node: "output 0 of Sigmoid", not "SigmoidBackward0".
            let output_of = self
                .producer
                .map(|p| {
                    let op = p.trim_end_matches(|c: char| c.is_ascii_digit());
                    format!(
                        ", which is output 0 of {}",
                        op.strip_suffix("Backward").unwrap_or(op)
                    )
                })
                .unwrap_or_default();
            return Err(Error::Runtime(format!(
                "one of the variables needed for gradient computation has been modified by an inplace operation: [{} {}]{}, is at version {}; expected version {} instead. Hint: enable anomaly detection to find the operation that failed to compute its gradient, or clone() the tensor before modifying it in place.",
                legacy_type_name(&data),
                fmt_shape(data.shape()),
                output_of,
                now,
                self.version
            )));
        }
        if let (Some(nr), true) = (self.output_nr, crate::autograd::mode::is_grad_enabled()) {
            if let Some(node) = RUNNING.with(|r| r.borrow().clone()) {
                let alias = data.detach();
                alias.set_history_output(node, nr, None);
                return Ok(alias);
            }
        }
        Ok(data)
    }

    /// Drops the saved tensor.
    pub fn release(&self) {
        self.data.lock().unwrap_or_else(|e| e.into_inner()).take();
    }
}

/// True when `t` is an inference tensor used by autograd outside inference mode.
fn is_refused_inference(t: &Tensor) -> bool {
    t.storage().is_inference() && !crate::storage::is_inference_mode()
}
