//! Powers: `pow` (tensor ** tensor, tensor ** number, number ** tensor, each with torch's node)
//! and `float_power` (always in float64).

use crate::error::{Error, Result};
use crate::kernels::copy::copy_checked;
use crate::kernels::pointwise::Kernel2;
use crate::ops::pointwise::{binary, promote, Grad, Spec};
use crate::ops::registry::dest::{check_destination, check_out};
use crate::ops::registry::{Dest, Forms, OpDef};
use crate::scalar::Scalar;
use crate::tensor::Tensor;
use crate::value::{IntoValue, Value};
use crate::{k2, DType};

/// `a ** b`'s gradient for `a`: `g * b * a ** (b - 1)`, zero where `b == 0`.
fn grad_base(g: &Tensor, a: &Tensor, b: &Value) -> Result<Tensor> {
    let bm1 = match b {
        Value::Scalar(s) => Value::Scalar(Scalar::Float(s.as_f64() - 1.0)),
        Value::Tensor(t) => Value::Tensor(t.sub(1i64)?),
    };
    let d = a.pow(bm1)?.mul(b)?;
    let d = match b {
        Value::Scalar(s) if s.as_f64() == 0.0 => d.zeros_like()?,
        Value::Scalar(_) => d,
        Value::Tensor(t) => Tensor::where_(
            &t.eq(0i64)?,
            &Value::Scalar(Scalar::Int(0)),
            &d.into_value(),
        )?,
    };
    g.mul(&d)
}

/// `a ** b`'s gradient for `b`: `g * a ** b * ln(a)`, zero where `a == 0` and `b >= 0`.
fn grad_exponent(g: &Tensor, a: &Value, b: &Tensor, y: &Tensor) -> Result<Tensor> {
    let ln = match a {
        Value::Scalar(s) => Value::Scalar(Scalar::Float(s.as_f64().ln())),
        Value::Tensor(t) => Value::Tensor(t.log()?),
    };
    let d = y.mul(ln)?;
    let zero = match a {
        Value::Scalar(s) if s.as_f64() == 0.0 => Some(b.ge(0i64)?),
        Value::Scalar(_) => None,
        Value::Tensor(t) => Some(t.eq(0i64)?.logical_and(&b.ge(0i64)?)?),
    };
    let d = match zero {
        Some(z) => Tensor::where_(&z, &Value::Scalar(Scalar::Int(0)), &d.into_value())?,
        None => d,
    };
    g.mul(&d)
}

/// The kernel of `pow` (integers by squaring, `x * x` for an exponent of 2).
fn pow_kernel() -> impl Kernel2 {
    k2!(float: |a, b| a.pow_(b), int: |a, b| a.pow_(b))
}

fn pow_grad(node: &'static str) -> Grad {
    Grad {
        node,
        saves: crate::autograd::rules::pointwise::Saves {
            always: 0xff,
            for_others: 0,
            output: true,
        },
        formula: |c, g| {
            c.each(|i| match i {
                0 => grad_base(g, &c.tensor(0)?, &c.input(1)?),
                _ => grad_exponent(g, &c.input(0)?, &c.tensor(1)?, &c.y()?),
            })
        },
    }
}

/// The node `pow` records for these operand kinds.
fn pow_node(a: &Value, b: &Value) -> &'static str {
    match (a, b) {
        (Value::Tensor(_), Value::Scalar(_)) => "PowBackward0",
        (Value::Scalar(_), _) => "PowBackward2",
        _ => "PowBackward1",
    }
}

/// `pow(input, exponent)`.
pub fn pow(a: &Value, b: &Value, dest: Dest<'_>) -> Result<Tensor> {
    if let (Value::Scalar(_), Value::Scalar(_)) = (a, b) {
        return Err(Error::Type(
            "pow() received an invalid combination of arguments - got (Number, Number)".into(),
        ));
    }
    if let (Value::Tensor(t), Value::Scalar(Scalar::Bool(e))) = (a, b) {
        if t.dtype() == DType::Bool {
            // torch's pow(Tensor, Scalar) fills ones for the exponent 0 and copies for 1 before
            // it looks for a kernel, so a bool tensor to a bool power works.
            let r = if *e {
                t.clone_contiguous()?
            } else {
                Tensor::full(t.shape(), Scalar::Int(1), DType::Bool)?
            };
            let into = |o: &Tensor| -> Result<Tensor> {
                check_destination(o, r.shape(), DType::Bool)?;
                copy_checked(o, &r)?;
                Ok(o.clone())
            };
            return match dest {
                Dest::New => Ok(r),
                Dest::Out(o) => {
                    check_out(o, &[t], false)?;
                    into(o)
                }
                Dest::InPlace => into(t),
            };
        }
    }
    let promoted = promote(a, b);
    if let (Value::Scalar(s), false) = (b, promoted.is_floating()) {
        if s.as_f64() < 0.0 {
            return Err(Error::Runtime(
                "Integers to negative integer powers are not allowed.".into(),
            ));
        }
        // torch's integer kernel reads the exponent as the result's type, checked (`2**40`
        // with an int32 tensor overflows).
        if let Value::Tensor(_) = a {
            s.checked_to(promoted)?;
        }
    }
    let mut spec = Spec::new("pow", pow_kernel());
    spec.refuse = crate::ops::pointwise::Refusal::Kernel("pow");
    spec.grad = Some(pow_grad(pow_node(a, b)));
    spec.scalar_node = Some("PowBackward0");
    binary(a, b, dest, &spec)
}

/// `float_power(input, exponent)`: both in float64, the result float64.
pub fn float_power(a: &Value, b: &Value, dest: Dest<'_>) -> Result<Tensor> {
    match (dest, a) {
        (Dest::InPlace, Value::Tensor(t)) if t.dtype() != DType::Float64 => {
            return Err(Error::Runtime(format!(
                "the base given to float_power_ has dtype {} but the operation's result requires dtype Double",
                t.dtype().torch_name()
            )));
        }
        (Dest::Out(o), _) if o.dtype() != DType::Float64 => {
            return Err(Error::Runtime(format!(
                "the output given to float_power has dtype {} but the operation's result requires dtype Double",
                o.dtype().torch_name()
            )));
        }
        _ => {}
    }
    let widen = |v: &Value| -> Result<Value> {
        Ok(match v {
            Value::Tensor(t) => Value::Tensor(t.to_dtype(DType::Float64)?),
            Value::Scalar(s) => Value::Scalar(Scalar::Float(s.as_f64())),
        })
    };
    let (wa, wb) = (widen(a)?, widen(b)?);
    let mut spec = Spec::new("float_power", pow_kernel());
    spec.grad = Some(pow_grad(pow_node(a, b)));
    spec.scalar_node = Some("PowBackward0");
    match dest {
        // out= computes in float64 too (a 0-dim float64 exponent would not promote the base)
        Dest::New | Dest::Out(_) => binary(&wa, &wb, dest, &spec),
        d => binary(a, &wb, d, &spec),
    }
}

impl Tensor {
    /// `self ** exponent`.
    pub fn pow(&self, exponent: impl IntoValue) -> Result<Tensor> {
        pow(
            &Value::Tensor(self.clone()),
            &exponent.into_value(),
            Dest::New,
        )
    }
}

/// `pow`.
pub static POW: OpDef = OpDef {
    name: "pow",
    doc: "`input ** exponent`, elementwise.",
    signatures: &[
        "pow(Tensor input, Tensor exponent)",
        "pow(Scalar self, Tensor exponent)",
        "pow(Tensor input, Scalar exponent)",
    ],
    forms: Forms::ALL,
    aliases: &[],
    nodes: &["PowBackward0", "PowBackward1", "PowBackward2"],
    method_signatures: &[],
    source: file!(),
    run: |a, d| Ok(pow(&a.value(0)?, &a.value(1)?, d)?.into()),
};

/// `float_power`.
pub static FLOAT_POWER: OpDef = OpDef {
    name: "float_power",
    doc: "`input ** exponent` computed in float64.",
    signatures: &[
        "float_power(Tensor input, Tensor exponent)",
        "float_power(Scalar self, Tensor exponent)",
        "float_power(Tensor input, Scalar exponent)",
    ],
    forms: Forms::ALL,
    aliases: &[],
    nodes: &["PowBackward0", "PowBackward1", "PowBackward2"],
    method_signatures: &[],
    source: file!(),
    run: |a, d| Ok(float_power(&a.value(0)?, &a.value(1)?, d)?.into()),
};

/// The declarations of this file.
pub static OPS: &[&OpDef] = &[&POW, &FLOAT_POWER];
