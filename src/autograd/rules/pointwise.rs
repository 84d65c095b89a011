//! The one backward rule of every pointwise op: the op's declaration gives a formula, written
//! with differentiable Tensor ops, and this rule keeps what the formula reads (the inputs, the
//! output, scalar parameters) with their versions, runs it, and undoes broadcasting and promotion.

use crate::autograd::graph::{freed_graph_error, Backward, SavedTensor};
use crate::autograd::rules::{reduce_to, InputMeta};
use crate::error::{Error, Result};
use crate::scalar::Scalar;
use crate::tensor::Tensor;
use crate::value::Value;
use std::sync::atomic::{AtomicBool, Ordering};

/// The scalar parameters a formula reads (inline: no allocation per op).
pub type Params = smallvec::SmallVec<[Scalar; 2]>;

/// A gradient formula: given what was saved and the output gradient, one gradient per operand
/// (`None` where none flows). Use [`Ctx::each`] to compute only the ones wanted.
pub type Formula = fn(&Ctx, &Tensor) -> Result<Vec<Option<Tensor>>>;

/// What a pointwise op's backward keeps (tensors with their version; numbers as they are).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Saves {
    /// Bit `i`: operand `i` is saved.
    pub always: u8,
    /// Bit `i`: operand `i` is saved when another operand wants a gradient (`mul` reads `b` for
    /// `a`'s gradient and `a` for `b`'s).
    pub for_others: u8,
    /// The output.
    pub output: bool,
}

impl Saves {
    fn saves(&self, i: usize, operands: &[Value]) -> bool {
        let bit = 1u8 << i.min(7);
        if self.always & bit != 0 {
            return true;
        }
        self.for_others & bit != 0
            && operands
                .iter()
                .enumerate()
                .any(|(j, v)| j != i && matches!(v, Value::Tensor(t) if t.requires_grad()))
    }
}

/// One operand as recorded.
pub enum Operand {
    /// A tensor: its metadata, and its value when the formula reads inputs.
    Tensor(InputMeta, Option<SavedTensor>),
    /// A Python number.
    Scalar(Scalar),
}

/// What a formula reads.
pub struct Ctx<'a> {
    rule: &'a PointwiseRule,
}

impl Ctx<'_> {
    /// Operand `i` as a value (a saved tensor, or the scalar).
    pub fn input(&self, i: usize) -> Result<Value> {
        match self.rule.operands.get(i) {
            Some(Operand::Tensor(_, Some(s))) => Ok(Value::Tensor(s.get()?)),
            Some(Operand::Scalar(s)) => Ok(Value::Scalar(*s)),
            _ => Err(Error::Runtime(format!(
                "internal error: operand {} of {} was not saved for backward",
                i, self.rule.name
            ))),
        }
    }

    /// Operand `i`, which must be a tensor.
    pub fn tensor(&self, i: usize) -> Result<Tensor> {
        match self.input(i)? {
            Value::Tensor(t) => Ok(t),
            Value::Scalar(_) => Err(Error::Runtime(format!(
                "internal error: operand {} of {} is a number",
                i, self.rule.name
            ))),
        }
    }

    /// The first operand as a tensor (the input of a unary op).
    pub fn x(&self) -> Result<Tensor> {
        self.tensor(0)
    }

    /// The output.
    pub fn y(&self) -> Result<Tensor> {
        match &self.rule.output {
            Some(s) => s.get(),
            None => Err(Error::Runtime(format!(
                "internal error: the output of {} was not saved for backward",
                self.rule.name
            ))),
        }
    }

    /// Scalar parameter `i` of the op (an exponent, `eps`, a bound).
    pub fn param(&self, i: usize) -> Result<Scalar> {
        self.rule.params.get(i).copied().ok_or_else(|| {
            Error::Runtime(format!(
                "internal error: {} has no parameter {}",
                self.rule.name, i
            ))
        })
    }

    /// Whether operand `i` is a Python number.
    pub fn is_number(&self, i: usize) -> bool {
        matches!(self.rule.operands.get(i), Some(Operand::Scalar(_)))
    }

    /// Whether operand `i` wants a gradient.
    pub fn needs(&self, i: usize) -> bool {
        matches!(self.rule.operands.get(i), Some(Operand::Tensor(m, _)) if m.needs_grad)
    }

    /// One gradient per operand: `f(i)` for those that want one, `None` for the rest.
    pub fn each(&self, f: impl Fn(usize) -> Result<Tensor>) -> Result<Vec<Option<Tensor>>> {
        (0..self.rule.operands.len())
            .map(|i| {
                if self.needs(i) {
                    f(i).map(Some)
                } else {
                    Ok(None)
                }
            })
            .collect()
    }
}

/// The backward of a pointwise op.
pub struct PointwiseRule {
    /// The node name, for messages.
    pub name: &'static str,
    /// The formula.
    pub formula: Formula,
    /// The operands, in the op's order.
    pub operands: Vec<Operand>,
    /// Which operands have an input slot on the node (tensors always; a scalar only where torch
    /// gives it one, as for `x + 1`).
    pub slots: Vec<bool>,
    /// The output, when the formula reads it.
    pub output: Option<SavedTensor>,
    /// Scalar parameters.
    pub params: Params,
    /// Whether backward reads saved values (numbers count: torch saves them as tensors), so a
    /// second pass after they were freed fails.
    pub reads_saved: bool,
    /// Set once backward has freed the saved values.
    pub released: AtomicBool,
}

impl PointwiseRule {
    /// A rule for `operands`, saving what `saves` says (`output` is the op's result).
    pub fn new(
        name: &'static str,
        formula: Formula,
        operands: &[Value],
        saves: Saves,
        output: &Tensor,
        params: Params,
        scalar_slots: bool,
    ) -> PointwiseRule {
        PointwiseRule {
            name,
            formula,
            operands: operands
                .iter()
                .enumerate()
                .map(|(i, v)| match v {
                    Value::Tensor(t) => Operand::Tensor(
                        InputMeta::of(t),
                        saves.saves(i, operands).then(|| SavedTensor::new(t)),
                    ),
                    Value::Scalar(s) => Operand::Scalar(*s),
                })
                .collect(),
            slots: operands
                .iter()
                .map(|v| matches!(v, Value::Tensor(_)) || scalar_slots)
                .collect(),
            output: saves.output.then(|| SavedTensor::output(output, name)),
            params,
            reads_saved: saves.output || (0..operands.len()).any(|i| saves.saves(i, operands)),
            released: AtomicBool::new(false),
        }
    }
}

impl Backward for PointwiseRule {
    fn release(&self) {
        for o in &self.operands {
            if let Operand::Tensor(_, Some(s)) = o {
                s.release();
            }
        }
        if let Some(s) = &self.output {
            s.release();
        }
        self.released.store(true, Ordering::Relaxed);
    }

    fn apply(&self, g: &Tensor) -> Result<Vec<Option<Tensor>>> {
        if self.reads_saved && self.released.load(Ordering::Relaxed) {
            return Err(freed_graph_error());
        }
        let grads = (self.formula)(&Ctx { rule: self }, g)?;
        let mut out = vec![];
        for (i, (o, &slot)) in self.operands.iter().zip(&self.slots).enumerate() {
            if !slot {
                continue;
            }
            out.push(match (o, grads.get(i).cloned().flatten()) {
                (Operand::Tensor(m, _), Some(g)) if m.needs_grad => Some(reduce_to(g, m)?),
                _ => None,
            });
        }
        Ok(out)
    }
}
