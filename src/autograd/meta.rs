//! The autograd state of one tensor (its gradient, the node that produced it, the cached
//! accumulator node of a leaf), kept in the tensor's opaque slot, and the Tensor methods that read
//! and change it. The tensor module knows nothing of this type, as torch's TensorImpl knows only
//! an `AutogradMetaInterface`.

use crate::autograd::graph::Node;
use crate::error::{Error, Result};
use crate::tensor::{AutogradSlot, Tensor};
use std::ops::{Deref, DerefMut};
use std::sync::{Arc, MutexGuard, Weak};

/// Per-tensor autograd state (made on first use; tensors outside graphs have none).
#[derive(Default)]
pub struct AutogradMeta {
    /// The accumulated gradient (`.grad`).
    pub grad: Option<Tensor>,
    /// The node that produced this tensor (`None` for leaves).
    pub grad_fn: Option<Arc<Node>>,
    /// Which output of `grad_fn` this tensor is.
    pub output_nr: usize,
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
    /// Hooks on the gradient of this leaf (a non-leaf's hooks live on its node).
    pub hooks: crate::autograd::graph::Hooks,
}

/// A tensor's autograd state, locked.
pub struct MetaGuard<'a>(MutexGuard<'a, AutogradSlot>);

impl Deref for MetaGuard<'_> {
    type Target = AutogradMeta;
    fn deref(&self) -> &AutogradMeta {
        // `Tensor::meta` fills the slot with an AutogradMeta before making a guard, and nothing
        // else writes the slot.
        self.0
            .as_ref()
            .and_then(|b| b.downcast_ref::<AutogradMeta>())
            .expect("the autograd slot holds an AutogradMeta")
    }
}

impl DerefMut for MetaGuard<'_> {
    fn deref_mut(&mut self) -> &mut AutogradMeta {
        self.0
            .as_mut()
            .and_then(|b| b.downcast_mut::<AutogradMeta>())
            .expect("the autograd slot holds an AutogradMeta")
    }
}

/// After `t.data = other` (the tensor took over an old one's autograd state): graphs made from
/// now on get an `AccumulateGrad` node of their own for this tensor, not the old one's, whose
/// link points at the tensor that was replaced.
pub fn forget_accumulator(t: &Tensor) {
    let mut slot = t.autograd_slot();
    if let Some(meta) = slot.as_mut().and_then(|b| b.downcast_mut::<AutogradMeta>()) {
        meta.accumulator = Weak::new();
    }
}

impl Tensor {
    /// The autograd state, locked (made empty on first use).
    pub(crate) fn meta(&self) -> MetaGuard<'_> {
        let mut slot = self.autograd_slot();
        if !slot.as_ref().is_some_and(|b| b.is::<AutogradMeta>()) {
            *slot = Some(Box::new(AutogradMeta::default()));
        }
        MetaGuard(slot)
    }

    /// Sets `requires_grad` on a leaf; only floating tensors can require gradients, and a non-leaf
    /// can only be switched on, as in torch.
    pub fn set_requires_grad(&self, flag: bool) -> Result<()> {
        if flag && !self.dtype().is_floating() {
            return Err(Error::Runtime(
                "Only Tensors of floating point and complex dtype can require gradients".into(),
            ));
        }
        if flag && self.is_inference() && !crate::storage::is_inference_mode() {
            return Err(Error::Runtime(
                "Setting requires_grad=True on inference tensor outside InferenceMode is not allowed."
                    .into(),
            ));
        }
        if !flag && !self.is_leaf() {
            return Err(Error::Runtime(
                "you can only change requires_grad flags of leaf variables. If you want to use a computed variable in a subgraph that doesn't require differentiation use var_no_grad = var.detach()."
                    .into(),
            ));
        }
        self.store_requires_grad(flag);
        Ok(())
    }

    /// True for a tensor whose memory was made in inference mode.
    pub fn is_inference(&self) -> bool {
        self.storage().is_inference()
    }

    /// Adds a hook on this tensor's gradient under `id`; torch's error when it does not require
    /// grad.
    pub fn register_hook(
        &self,
        id: u64,
        hook: std::sync::Arc<dyn crate::autograd::graph::GradHook>,
    ) -> Result<()> {
        if !self.requires_grad() {
            return Err(Error::Runtime(
                "cannot register a hook on a tensor that doesn't require gradient".into(),
            ));
        }
        let mut meta = self.meta();
        match meta.grad_fn.clone() {
            Some(node) => {
                let nr = meta.output_nr;
                drop(meta);
                node.hooks
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .push((nr, id, hook));
            }
            None => meta.hooks.push((id, hook)),
        }
        Ok(())
    }

    /// Removes the hook registered under `id` (from the leaf or from its node).
    pub fn remove_hook(&self, id: u64) {
        let mut meta = self.meta();
        meta.hooks.retain(|(i, _)| *i != id);
        if let Some(node) = meta.grad_fn.clone() {
            drop(meta);
            node.hooks
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .retain(|(_, i, _)| *i != id);
        }
    }

    /// Which output of its node this tensor is (0 for leaves and most ops).
    pub fn output_nr(&self) -> usize {
        self.meta().output_nr
    }

    /// The node that produced this tensor (`None` for leaves).
    pub fn grad_fn(&self) -> Option<Arc<Node>> {
        if !self.requires_grad() {
            return None;
        }
        self.meta().grad_fn.clone()
    }

    /// True for tensors not produced by a recorded op.
    pub fn is_leaf(&self) -> bool {
        !self.requires_grad() || self.meta().grad_fn.is_none()
    }

    /// Makes this tensor the output of `node` (a view of `view_base` when given).
    pub(crate) fn set_history(&self, node: Arc<Node>, view_base: Option<Tensor>) {
        self.set_history_output(node, 0, view_base)
    }

    /// Makes this tensor output `output_nr` of `node`.
    pub(crate) fn set_history_output(
        &self,
        node: Arc<Node>,
        output_nr: usize,
        view_base: Option<Tensor>,
    ) {
        let mut m = self.meta();
        m.grad_fn = Some(node);
        m.output_nr = output_nr;
        m.view_base = view_base;
        drop(m);
        self.store_requires_grad(true);
    }

    /// Forgets the history: the tensor becomes a leaf that does not require grad (`detach_()`).
    pub(crate) fn clear_history(&self) {
        let mut m = self.meta();
        m.grad_fn = None;
        m.view_base = None;
        drop(m);
        self.store_requires_grad(false);
    }

    /// The accumulated gradient.
    pub fn grad(&self) -> Option<Tensor> {
        self.meta().grad.clone()
    }

    /// Replaces the accumulated gradient (`None` clears it).
    pub fn set_grad(&self, grad: Option<Tensor>) {
        self.meta().grad = grad;
    }
}
