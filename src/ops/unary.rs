//! Elementwise functions of one tensor: negation, abs, exp/log/sqrt/trig, sigmoid, relu, clamp,
//! logical and bitwise not. Integer inputs to floating functions compute in the default float dtype.

use crate::autograd::graph::SavedTensor;
use crate::autograd::record::{in_place, record};
use crate::autograd::rules::elementwise::{ClampRule, UnaryFn, UnaryRule};
use crate::autograd::rules::InputMeta;
use crate::dispatch;
use crate::dtype::{default_float, DType, Element, ResultType};
use crate::error::{Error, Result};
use crate::ops::binary::{binary, BinaryOp, Value};
use crate::ops::kernels::{self, Operand};
use crate::scalar::Scalar;
use crate::shape::fmt_shape;
use crate::tensor::Tensor;

/// A floating-point function of one value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FloatFn {
    Exp,
    Log,
    Sqrt,
    Sin,
    Cos,
    Tanh,
    Sigmoid,
}

impl FloatFn {
    /// The op's name as torch's messages and grad_fn names use it.
    pub fn name(self) -> &'static str {
        match self {
            FloatFn::Exp => "exp",
            FloatFn::Log => "log",
            FloatFn::Sqrt => "sqrt",
            FloatFn::Sin => "sin",
            FloatFn::Cos => "cos",
            FloatFn::Tanh => "tanh",
            FloatFn::Sigmoid => "sigmoid",
        }
    }
}

macro_rules! float_fn_body {
    ($op:expr, $t:ty) => {
        match $op {
            FloatFn::Exp => |x: $t| x.exp(),
            FloatFn::Log => |x: $t| x.ln(),
            FloatFn::Sqrt => |x: $t| x.sqrt(),
            FloatFn::Sin => |x: $t| x.sin(),
            FloatFn::Cos => |x: $t| x.cos(),
            FloatFn::Tanh => |x: $t| x.tanh(),
            FloatFn::Sigmoid => |x: $t| 1.0 / (1.0 + (-x).exp()),
        }
    };
}

/// Runs `f` over `src` into a fresh tensor of `dtype` (which must be `D`).
fn map_new<S: Element, D: Element>(
    src: &Tensor,
    f: impl Fn(S) -> D + Sync + Send,
) -> Result<Tensor> {
    let out = crate::ops::copy::empty_like_preserving(src, D::DTYPE)?;
    kernels::unary::<S, D>(Operand::of(&out), Operand::of(src), f);
    Ok(out)
}

/// Runs `f` over `dst` in place (through a copy of the source if it would alias the output).
fn map_in_place<T: Element>(dst: &Tensor, f: impl Fn(T) -> T + Sync + Send) -> Result<()> {
    crate::ops::copy::check_writable(dst)?;
    let src = dst.clone_contiguous()?;
    kernels::unary::<T, T>(Operand::of(dst), Operand::of(&src), f);
    dst.bump_version();
    Ok(())
}

impl Tensor {
    /// Applies a floating-point function; integer and bool inputs give the default float dtype.
    pub fn float_fn(&self, op: FloatFn) -> Result<Tensor> {
        let src = if self.dtype().is_floating() {
            self.clone()
        } else {
            self.to_dtype(default_float())?
        };
        let out = match src.dtype() {
            DType::Float32 => map_new::<f32, f32>(&src, float_fn_body!(op, f32))?,
            _ => map_new::<f64, f64>(&src, float_fn_body!(op, f64))?,
        };
        Ok(self.record_unary(out, UnaryFn::Float(op)))
    }

    /// Records `out = f(self)` when needed, saving the input or the output as the rule requires.
    fn record_unary(&self, out: Tensor, f: UnaryFn) -> Tensor {
        let name = f.name();
        let o = out.clone();
        record(out, name, &[self], move || UnaryRule {
            f,
            saved: match f {
                UnaryFn::Neg => None,
                _ if f.uses_output() => Some(SavedTensor::output(&o, name)),
                _ => Some(SavedTensor::new(self)),
            },
            input: InputMeta::of(self),
        })
    }

    /// Applies a floating-point function in place (floating tensors only, as torch).
    pub fn float_fn_(&self, op: FloatFn) -> Result<()> {
        in_place(
            self,
            &[],
            || self.float_fn_raw(op),
            |snapshot| snapshot.float_fn(op),
        )
    }

    fn float_fn_raw(&self, op: FloatFn) -> Result<()> {
        match self.dtype() {
            DType::Float32 => map_in_place::<f32>(self, float_fn_body!(op, f32)),
            DType::Float64 => map_in_place::<f64>(self, float_fn_body!(op, f64)),
            d => Err(Error::Runtime(format!(
                "result type Float can't be cast to the desired output type {}",
                d.torch_name()
            ))),
        }
    }

    /// `-t`; refused for bool as torch does.
    pub fn neg(&self) -> Result<Tensor> {
        match self.dtype() {
            DType::Bool => Err(Error::Runtime(
                "Negation, the `-` operator, on a bool tensor is not supported. If you are trying to invert a mask, use the `~` or `logical_not()` operator instead."
                    .into(),
            )),
            DType::Int32 => map_new::<i32, i32>(self, |x| x.wrapping_neg()),
            DType::Int64 => map_new::<i64, i64>(self, |x| x.wrapping_neg()),
            DType::Float32 => Ok(self.record_unary(map_new::<f32, f32>(self, |x| -x)?, UnaryFn::Neg)),
            DType::Float64 => Ok(self.record_unary(map_new::<f64, f64>(self, |x| -x)?, UnaryFn::Neg)),
        }
    }

    /// `abs()`; bool is refused as in torch.
    pub fn abs(&self) -> Result<Tensor> {
        match self.dtype() {
            DType::Bool => Err(Error::Runtime(
                "\"abs_cpu\" not implemented for 'Bool'".into(),
            )),
            DType::Int32 => map_new::<i32, i32>(self, |x| x.wrapping_abs()),
            DType::Int64 => map_new::<i64, i64>(self, |x| x.wrapping_abs()),
            DType::Float32 => {
                Ok(self.record_unary(map_new::<f32, f32>(self, |x| x.abs())?, UnaryFn::Abs))
            }
            DType::Float64 => {
                Ok(self.record_unary(map_new::<f64, f64>(self, |x| x.abs())?, UnaryFn::Abs))
            }
        }
    }

    /// `relu()`: max(x, 0), keeping the dtype; bool is refused as in torch.
    pub fn relu(&self) -> Result<Tensor> {
        match self.dtype() {
            DType::Bool => Err(Error::NotImplemented(
                "Boolean inputs not supported for relu".into(),
            )),
            DType::Int32 => map_new::<i32, i32>(self, |x| x.max(0)),
            DType::Int64 => map_new::<i64, i64>(self, |x| x.max(0)),
            DType::Float32 => Ok(self.record_unary(
                map_new::<f32, f32>(self, |x| if x > 0.0 || x.is_nan() { x } else { 0.0 })?,
                UnaryFn::Relu,
            )),
            DType::Float64 => Ok(self.record_unary(
                map_new::<f64, f64>(self, |x| if x > 0.0 || x.is_nan() { x } else { 0.0 })?,
                UnaryFn::Relu,
            )),
        }
    }

    /// `~t`: logical not for bool, bitwise not for integers; refused for floats.
    pub fn bitwise_not(&self) -> Result<Tensor> {
        match self.dtype() {
            DType::Bool => map_new::<bool, bool>(self, |x| !x),
            DType::Int32 => map_new::<i32, i32>(self, |x| !x),
            DType::Int64 => map_new::<i64, i64>(self, |x| !x),
            d => Err(Error::Runtime(format!(
                "\"bitwise_not_cpu\" not implemented for '{}'",
                d.torch_name()
            ))),
        }
    }

    /// The dtype `clamp` produces with these scalar bounds (torch promotes with the bounds).
    fn clamp_dtype(&self, min: Option<Scalar>, max: Option<Scalar>) -> DType {
        let mut rt = ResultType::default().tensor(self.dtype(), self.ndim().max(1));
        for s in [min, max].into_iter().flatten() {
            rt = rt.scalar(s.dtype(default_float()));
        }
        rt.finish()
    }

    /// `clamp(min, max)` with scalar bounds; at least one bound is required.
    pub fn clamp(&self, min: Option<Scalar>, max: Option<Scalar>) -> Result<Tensor> {
        if min.is_none() && max.is_none() {
            return Err(Error::Runtime(
                "torch.clamp: At least one of 'min' or 'max' must not be None".into(),
            ));
        }
        let dtype = self.clamp_dtype(min, max);
        if dtype == DType::Bool {
            return Err(Error::Runtime(
                "\"clamp_scalar_cpu\" not implemented for 'Bool'".into(),
            ));
        }
        let src = self.to_dtype(dtype)?;
        let out = dispatch!(dtype, T => {
            let (lo, hi) = (min.map(|s| s.to::<T>()), max.map(|s| s.to::<T>()));
            map_new::<T, T>(&src, move |x| clamp_value(x, lo, hi))?
        });
        Ok(record(out, "ClampBackward1", &[self], || ClampRule {
            input: SavedTensor::new(self),
            meta: InputMeta::of(self),
            min: min.map(Value::Scalar),
            max: max.map(Value::Scalar),
        }))
    }

    /// `clamp_(min, max)` in place; the promoted dtype must fit this tensor's.
    pub fn clamp_(&self, min: Option<Scalar>, max: Option<Scalar>) -> Result<()> {
        if min.is_none() && max.is_none() {
            return Err(Error::Runtime(
                "torch.clamp: At least one of 'min' or 'max' must not be None".into(),
            ));
        }
        self.clamp_dtype(min, max).check_cast_to(self.dtype())?;
        in_place(
            self,
            &[],
            || self.clamp_raw(min, max),
            |snapshot| snapshot.clamp(min, max)?.to_dtype(self.dtype()),
        )
    }

    fn clamp_raw(&self, min: Option<Scalar>, max: Option<Scalar>) -> Result<()> {
        if self.dtype() == DType::Bool {
            return Err(Error::Runtime(
                "\"clamp_scalar_cpu\" not implemented for 'Bool'".into(),
            ));
        }
        dispatch!(self.dtype(), T => {
            let (lo, hi) = (min.map(|s| s.to::<T>()), max.map(|s| s.to::<T>()));
            map_in_place::<T>(self, move |x| clamp_value(x, lo, hi))
        })
    }
}

impl Tensor {
    /// `clamp(min, max)` with tensor bounds: `min(max(self, min), max)`, broadcast and promoted
    /// together as torch does.
    pub fn clamp_tensors(&self, min: Option<&Tensor>, max: Option<&Tensor>) -> Result<Tensor> {
        if min.is_none() && max.is_none() {
            return Err(Error::Runtime(
                "torch.clamp: At least one of 'min' or 'max' must not be None".into(),
            ));
        }
        let dtype = [Some(self), min, max]
            .into_iter()
            .flatten()
            .fold(ResultType::default(), |r, t| r.tensor(t.dtype(), t.ndim()))
            .finish();
        let mut out = self.to_dtype(dtype)?;
        for (bound, op) in [(min, BinaryOp::Maximum), (max, BinaryOp::Minimum)] {
            if let Some(b) = bound {
                out = binary(op, &Value::Tensor(out), &Value::Tensor(b.clone()))?;
            }
        }
        Ok(out)
    }

    /// `clamp_(min, max)` with tensor bounds, in place; the result must fit this tensor's dtype
    /// and shape, and nothing is written otherwise.
    pub fn clamp_tensors_(&self, min: Option<&Tensor>, max: Option<&Tensor>) -> Result<()> {
        let bounds: Vec<&Tensor> = [min, max].into_iter().flatten().collect();
        in_place(
            self,
            &bounds,
            || self.clamp_tensors_raw(min, max),
            |snapshot| {
                self.clamp_tensors_check(min, max)?;
                snapshot.clamp_tensors(min, max)?.to_dtype(self.dtype())
            },
        )
    }

    fn clamp_tensors_check(&self, min: Option<&Tensor>, max: Option<&Tensor>) -> Result<Tensor> {
        let out = crate::autograd::mode::without_grad(|| self.clamp_tensors(min, max))?;
        out.dtype().check_cast_to(self.dtype())?;
        if out.shape() != self.shape() {
            return Err(Error::Runtime(format!(
                "output with shape {} doesn't match the broadcast shape {}",
                fmt_shape(self.shape()),
                fmt_shape(out.shape())
            )));
        }
        Ok(out)
    }

    fn clamp_tensors_raw(&self, min: Option<&Tensor>, max: Option<&Tensor>) -> Result<()> {
        let out = self.clamp_tensors_check(min, max)?;
        crate::ops::copy::copy_checked(self, &out)
    }
}

/// Clamps one value as `min(max(x, lo), hi)`: NaN stays NaN and `max` wins when the bounds cross,
/// as torch documents.
#[inline(always)]
fn clamp_value<T: Element>(x: T, lo: Option<T>, hi: Option<T>) -> T {
    #[allow(clippy::eq_op)]
    if x != x {
        return x;
    }
    let mut v = x;
    if let Some(l) = lo {
        if v < l {
            v = l;
        }
    }
    if let Some(h) = hi {
        if v > h {
            v = h;
        }
    }
    v
}
