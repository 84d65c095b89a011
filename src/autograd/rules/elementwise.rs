//! Gradient rules of elementwise ops: binary arithmetic with broadcasting and scalar operands,
//! and the unary functions.

use crate::autograd::graph::{Backward, SavedTensor};
use crate::autograd::rules::{op, op_scalar, reduce_to, InputMeta};
use crate::error::Result;
use crate::ops::binary::{binary, BinaryOp, Value};
use crate::ops::unary::FloatFn;
use crate::scalar::Scalar;
use crate::tensor::Tensor;
use BinaryOp::*;

/// One operand of a recorded binary op.
pub enum Side {
    /// A tensor: its metadata and, when the other side's gradient needs it, its value.
    Tensor(InputMeta, Option<SavedTensor>),
    /// A Python scalar.
    Scalar(Scalar),
}

impl Side {
    /// Describes operand `v`, saving it when `save` is set.
    pub fn of(v: &Value, save: bool) -> Side {
        match v {
            Value::Tensor(t) => Side::Tensor(InputMeta::of(t), save.then(|| SavedTensor::new(t))),
            Value::Scalar(s) => Side::Scalar(*s),
        }
    }

    fn value(&self) -> Result<Value> {
        Ok(match self {
            Side::Tensor(_, Some(s)) => Value::Tensor(s.get()?),
            Side::Tensor(..) => Value::Scalar(Scalar::Float(0.0)),
            Side::Scalar(s) => Value::Scalar(*s),
        })
    }

    fn wants(&self) -> Option<&InputMeta> {
        match self {
            Side::Tensor(m, _) if m.needs_grad => Some(m),
            _ => None,
        }
    }

    fn is_tensor(&self) -> bool {
        matches!(self, Side::Tensor(..))
    }

    fn release(&self) {
        if let Side::Tensor(_, Some(s)) = self {
            s.release();
        }
    }
}

/// torch's node name for `a op b`, or `None` when the op is not differentiable.
pub fn binary_name(op: BinaryOp, a: &Value, b: &Value) -> Option<&'static str> {
    let scalar = |v: &Value| matches!(v, Value::Scalar(_));
    Some(match (op, scalar(a), scalar(b)) {
        (Add, ..) => "AddBackward0",
        (Sub, true, _) => "RsubBackward1",
        (Sub, ..) => "SubBackward0",
        (Mul, ..) => "MulBackward0",
        (Div, ..) => "DivBackward0",
        (Pow, false, true) => "PowBackward0",
        (Pow, true, false) => "PowBackward2",
        (Pow, ..) => "PowBackward1",
        (Remainder, false, false) => "RemainderBackward0",
        (Remainder, ..) => "RemainderBackward1",
        (Maximum, ..) => "MaximumBackward0",
        (FloorDiv, ..) => "NotImplemented",
        (Minimum, ..) => "MinimumBackward0",
        _ => return None,
    })
}

/// Which operands a binary op's backward must keep: (keep a, keep b).
pub fn binary_saves(op: BinaryOp, a: &Value, b: &Value) -> (bool, bool) {
    let needs = |v: &Value| matches!(v, Value::Tensor(t) if t.requires_grad());
    let (ga, gb) = (needs(a), needs(b));
    match op {
        Mul => (gb, ga),
        Div => (gb, ga || gb),
        Remainder => (gb, gb),
        Pow | Maximum | Minimum => (true, true),
        _ => (false, false),
    }
}

/// The backward of a binary elementwise op.
pub struct BinaryRule {
    /// The op.
    pub op: BinaryOp,
    /// The left operand.
    pub a: Side,
    /// The right operand.
    pub b: Side,
    /// Whether a scalar operand has its own (empty) slot among the node's inputs, as torch's
    /// wrapped-number operands of `add`, `sub`, `mul` and `div` do.
    pub scalar_slot: bool,
    /// Set once backward has freed the saved values.
    pub released: std::sync::atomic::AtomicBool,
}

/// Whether torch gives a scalar operand of `op` an input slot of its own (`x + 1` has two
/// `next_functions`, `1 - x` one).
pub fn scalar_has_slot(op: BinaryOp, a: &Value) -> bool {
    matches!(op, Add | Mul | Div) || (op == Sub && matches!(a, Value::Tensor(_)))
}

/// Whether the backward of `op` reads saved operand values (so it fails once they are freed).
fn uses_saved(op: BinaryOp) -> bool {
    matches!(op, Mul | Div | Pow | Maximum | Minimum | Remainder)
}

fn sv(op: BinaryOp, a: &Tensor, b: &Value) -> Result<Tensor> {
    binary(op, &Value::Tensor(a.clone()), b)
}

fn vs(op: BinaryOp, a: &Value, b: &Tensor) -> Result<Tensor> {
    binary(op, a, &Value::Tensor(b.clone()))
}

fn vv(op: BinaryOp, a: &Value, b: &Value) -> Result<Tensor> {
    binary(op, a, b)
}

impl BinaryRule {
    /// The gradient for the left operand (before reduction to its shape).
    fn grad_a(&self, g: &Tensor) -> Result<Tensor> {
        let b = self.b.value()?;
        match self.op {
            Add | Remainder => Ok(g.clone()),
            Sub => Ok(g.clone()),
            Mul => sv(Mul, g, &b),
            Div => sv(Div, g, &b),
            Pow => {
                // g * b * a^(b-1), zero where b == 0.
                let a = self.a.value()?;
                let bm1 = vv(Sub, &b, &Value::Scalar(Scalar::Int(1)))?;
                let p = vs(Pow, &a, &bm1)?;
                let d = vs(Mul, &b, &p)?;
                let zero_exp = vv(Eq, &b, &Value::Scalar(Scalar::Int(0)))?;
                let d = crate::ops::join::where_(
                    &zero_exp,
                    &Value::Scalar(Scalar::Int(0)),
                    &Value::Tensor(d),
                )?;
                op(Mul, g, &d)
            }
            Maximum | Minimum => self.extremum_grad(g, true),
            _ => op_scalar(Mul, g, 0.0),
        }
    }

    /// The gradient for the right operand (before reduction to its shape).
    fn grad_b(&self, g: &Tensor) -> Result<Tensor> {
        let a = self.a.value()?;
        match self.op {
            Add => Ok(g.clone()),
            Sub => g.neg(),
            Mul => vs(Mul, &a, g),
            Div => {
                // -g * a / b^2
                let b = self.b.value()?;
                let b2 = vv(Mul, &b, &b)?;
                let q = vs(Div, &a, &b2)?;
                op(Mul, &g.neg()?, &q)
            }
            Pow => {
                // g * a^b * ln(a), zero where a == 0 and b >= 0.
                let b = self.b.value()?;
                let p = vv(Pow, &a, &b)?;
                let ln = match &a {
                    // A scalar base: its logarithm in full f64 precision.
                    Value::Scalar(s) => Value::Scalar(Scalar::Float(s.as_f64().ln())),
                    Value::Tensor(t) => Value::Tensor(t.float_fn(FloatFn::Log)?),
                };
                let d = sv(Mul, &p, &ln)?;
                let zero = op(
                    BitAnd,
                    &vv(Eq, &a, &Value::Scalar(Scalar::Int(0)))?,
                    &vv(Ge, &b, &Value::Scalar(Scalar::Int(0)))?,
                )?;
                let d = crate::ops::join::where_(
                    &zero,
                    &Value::Scalar(Scalar::Int(0)),
                    &Value::Tensor(d),
                )?;
                op(Mul, g, &d)
            }
            Remainder => {
                let b = self.b.value()?;
                let q = vv(FloorDiv, &a, &b)?;
                op(Mul, &g.neg()?, &q)
            }
            Maximum | Minimum => self.extremum_grad(g, false),
            _ => op_scalar(Mul, g, 0.0),
        }
    }

    /// maximum/minimum: the gradient goes to the winner; ties split it in half, as torch does.
    fn extremum_grad(&self, g: &Tensor, left: bool) -> Result<Tensor> {
        let (a, b) = (self.a.value()?, self.b.value()?);
        let (mine, other) = if left { (&a, &b) } else { (&b, &a) };
        let wins = vv(if self.op == Maximum { Gt } else { Lt }, mine, other)?;
        let ties = vv(Eq, mine, other)?;
        let share = op(
            Add,
            &wins.to_dtype(g.dtype())?,
            &op_scalar(Mul, &ties.to_dtype(g.dtype())?, 0.5)?,
        )?;
        op(Mul, g, &share)
    }
}

impl Backward for BinaryRule {
    fn release(&self) {
        self.a.release();
        self.b.release();
        self.released
            .store(true, std::sync::atomic::Ordering::Relaxed);
    }

    fn apply(&self, g: &Tensor) -> Result<Vec<Option<Tensor>>> {
        if self.op == FloorDiv {
            return Err(crate::error::Error::Runtime(
                "derivative for aten::floor_divide is not implemented".into(),
            ));
        }
        if uses_saved(self.op) && self.released.load(std::sync::atomic::Ordering::Relaxed) {
            return Err(crate::autograd::graph::freed_graph_error());
        }
        let mut out = vec![];
        if self.a.is_tensor() || self.scalar_slot {
            out.push(match self.a.wants() {
                Some(m) => Some(reduce_to(self.grad_a(g)?, m)?),
                None => None,
            });
        }
        if self.b.is_tensor() || self.scalar_slot {
            out.push(match self.b.wants() {
                Some(m) => Some(reduce_to(self.grad_b(g)?, m)?),
                None => None,
            });
        }
        Ok(out)
    }
}

/// A unary elementwise function with a differentiable rule.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UnaryFn {
    Neg,
    Abs,
    Relu,
    Float(FloatFn),
}

impl UnaryFn {
    /// torch's node name.
    pub fn name(self) -> &'static str {
        match self {
            UnaryFn::Neg => "NegBackward0",
            UnaryFn::Abs => "AbsBackward0",
            UnaryFn::Relu => "ReluBackward0",
            UnaryFn::Float(f) => match f {
                FloatFn::Exp => "ExpBackward0",
                FloatFn::Log => "LogBackward0",
                FloatFn::Sqrt => "SqrtBackward0",
                FloatFn::Sin => "SinBackward0",
                FloatFn::Cos => "CosBackward0",
                FloatFn::Tanh => "TanhBackward0",
                FloatFn::Sigmoid => "SigmoidBackward0",
            },
        }
    }

    /// True when the rule needs the output rather than the input.
    pub fn uses_output(self) -> bool {
        matches!(
            self,
            UnaryFn::Relu
                | UnaryFn::Float(FloatFn::Exp | FloatFn::Sqrt | FloatFn::Tanh | FloatFn::Sigmoid)
        )
    }
}

/// The backward of a unary function: keeps the input or the output, whichever the rule needs.
pub struct UnaryRule {
    /// The function.
    pub f: UnaryFn,
    /// The input or output value (none for negation).
    pub saved: Option<SavedTensor>,
    /// The input's metadata.
    pub input: InputMeta,
}

impl Backward for UnaryRule {
    fn release(&self) {
        if let Some(s) = &self.saved {
            s.release();
        }
    }

    fn apply(&self, g: &Tensor) -> Result<Vec<Option<Tensor>>> {
        let v = || -> Result<Tensor> {
            match &self.saved {
                Some(s) => s.get(),
                None => Ok(g.clone()),
            }
        };
        let d = match self.f {
            UnaryFn::Neg => g.neg()?,
            UnaryFn::Abs => {
                let x = v()?;
                let sign = op(
                    Sub,
                    &op_scalar(Gt, &x, 0.0)?.to_dtype(g.dtype())?,
                    &op_scalar(Lt, &x, 0.0)?.to_dtype(g.dtype())?,
                )?;
                op(Mul, g, &sign)?
            }
            UnaryFn::Relu => op(Mul, g, &op_scalar(Gt, &v()?, 0.0)?.to_dtype(g.dtype())?)?,
            UnaryFn::Float(f) => {
                let x = v()?;
                match f {
                    FloatFn::Exp => op(Mul, g, &x)?,
                    FloatFn::Log => op(Div, g, &x)?,
                    FloatFn::Sqrt => op(Div, g, &op_scalar(Mul, &x, 2.0)?)?,
                    FloatFn::Sin => op(Mul, g, &x.float_fn(FloatFn::Cos)?)?,
                    FloatFn::Cos => op(Mul, g, &x.float_fn(FloatFn::Sin)?.neg()?)?,
                    FloatFn::Tanh => {
                        let one_minus = binary(
                            Sub,
                            &Value::Scalar(Scalar::Int(1)),
                            &Value::Tensor(op(Mul, &x, &x)?),
                        )?;
                        op(Mul, g, &one_minus)?
                    }
                    FloatFn::Sigmoid => {
                        let one_minus = binary(
                            Sub,
                            &Value::Scalar(Scalar::Int(1)),
                            &Value::Tensor(x.clone()),
                        )?;
                        op(Mul, g, &op(Mul, &x, &one_minus)?)?
                    }
                }
            }
        };
        Ok(vec![Some(reduce_to(d, &self.input)?)])
    }
}

/// `clamp` with scalar bounds: the gradient passes where the input lay strictly inside the bounds
/// (torch gives the bounds themselves no gradient).
pub struct ClampRule {
    /// The input value.
    pub input: SavedTensor,
    /// The input's metadata.
    pub meta: InputMeta,
    /// Lower bound.
    pub min: Option<Value>,
    /// Upper bound.
    pub max: Option<Value>,
}

impl Backward for ClampRule {
    fn release(&self) {
        self.input.release();
    }

    fn apply(&self, g: &Tensor) -> Result<Vec<Option<Tensor>>> {
        let x = Value::Tensor(self.input.get()?);
        let mut mask: Option<Tensor> = None;
        for (bound, cmp) in [(&self.min, Gt), (&self.max, Lt)] {
            if let Some(b) = bound {
                let m = vv(cmp, &x, b)?;
                mask = Some(match mask {
                    None => m,
                    Some(prev) => op(BitAnd, &prev, &m)?,
                });
            }
        }
        let d = match mask {
            Some(m) => op(Mul, g, &m.to_dtype(g.dtype())?)?,
            None => g.clone(),
        };
        Ok(vec![Some(reduce_to(d, &self.meta)?)])
    }
}
