//! Pointwise ops of three operands: `addcmul`, `addcdiv`, `lerp`, and [`ternary`], which runs
//! them as [`binary`](super::binary) runs two-operand ops (promotion, broadcasting, the three
//! destinations with torch's checks first, the autograd node).

use super::{fit, kernel_dtypes, narrow, value_operand, Grad, Spec, Target};
use crate::autograd::record::in_place;
use crate::error::{Error, Result};
use crate::k3;
use crate::kernels::copy::{check_writable, copy_checked};
use crate::kernels::pointwise::Kernel3;
use crate::ops::registry::dest::{check_destination, check_out};
use crate::ops::registry::{Dest, Forms, OpDef};
use crate::scalar::Scalar;
use crate::shape::broadcast_shapes;
use crate::tensor::Tensor;
use crate::value::Value;

/// Runs a three-operand op into `dest` (in place: into `a`, which must be a tensor).
pub fn ternary<K: Kernel3>(
    a: &Value,
    b: &Value,
    c: &Value,
    dest: Dest<'_>,
    spec: &Spec<K>,
) -> Result<Tensor> {
    spec.check_leaf(&dest, a.tensor())?;
    let promoted = spec
        .promoted
        .unwrap_or_else(|| c.add_to(b.add_to(a.add_to(Default::default()))).finish());
    let (compute, out_dtype) = spec.dtypes(promoted, Target::of(dest, a), |d| {
        spec.kernel.supports(d.compute_dtype())
    })?;
    let shape = broadcast_shapes(&broadcast_shapes(a.shape(), b.shape())?, c.shape())?;
    let (kc, ko) = kernel_dtypes((compute, out_dtype));
    let compute_new = || -> Result<Tensor> {
        let out = Tensor::uninit(&shape, ko)?;
        let x = fit(value_operand(a, kc)?, &shape);
        let y = fit(value_operand(b, kc)?, &shape);
        let z = fit(value_operand(c, kc)?, &shape);
        spec.kernel.run(kc, &x, &y, &z, &out)?;
        narrow(out, out_dtype)
    };
    let inputs: Vec<&Tensor> = [a, b, c].into_iter().filter_map(Value::tensor).collect();
    match dest {
        Dest::New => spec.record(compute_new()?, &[a.clone(), b.clone(), c.clone()]),
        Dest::Out(o) => {
            check_out(o, &inputs, spec.records(out_dtype))?;
            check_destination(o, &shape, out_dtype)?;
            copy_checked(o, &compute_new()?)?;
            Ok(o.clone())
        }
        Dest::InPlace => {
            let Value::Tensor(x) = a else {
                return Err(Error::Runtime(
                    "internal error: in place into a number".into(),
                ));
            };
            check_destination(x, &shape, out_dtype)?;
            check_writable(x)?;
            in_place(
                x,
                &inputs[1..],
                || copy_checked(x, &compute_new()?),
                |snapshot| {
                    ternary(&Value::Tensor(snapshot.clone()), b, c, Dest::New, spec)?
                        .to_dtype(x.dtype())
                },
            )?;
            Ok(x.clone())
        }
    }
}

/// A tensor operand.
fn tv(t: &Tensor) -> Value {
    Value::Tensor(t.clone())
}

/// `1 - w`.
fn one_minus(w: &Value) -> Result<Value> {
    Ok(match w {
        Value::Scalar(s) => Value::Scalar(Scalar::Float(1.0 - s.as_f64())),
        Value::Tensor(t) => Value::Tensor(t.rsub(1i64)?),
    })
}

/// `addcmul(input, tensor1, tensor2, *, value=1)`: `input + value * tensor1 * tensor2`.
pub fn addcmul(
    x: &Tensor,
    t1: &Tensor,
    t2: &Tensor,
    value: Scalar,
    dest: Dest<'_>,
) -> Result<Tensor> {
    let (vf, vi) = (value.as_f64(), value.to::<i64>());
    let mut s = Spec::new(
        "addcmul",
        k3!(
            float: |x, a, b| x + a.lit(vf) * a * b,
            int: |x, a, b| x.wrapping_add(a.lit(vi).wrapping_mul(a).wrapping_mul(b)),
        ),
    );
    s.refuse = super::Refusal::Kernel("addcmul_cpu_out");
    s.params = smallvec::smallvec![value];
    s.grad = Some(Grad {
        node: "AddcmulBackward0",
        saves: crate::autograd::rules::pointwise::Saves {
            always: 0,
            for_others: 0xff,
            output: false,
        },
        formula: |c, g| {
            let v = c.param(0)?;
            c.each(|i| match i {
                0 => Ok(g.clone()),
                1 => g.mul(&c.tensor(2)?)?.mul(v),
                _ => g.mul(&c.tensor(1)?)?.mul(v),
            })
        },
    });
    ternary(&tv(x), &tv(t1), &tv(t2), dest, &s)
}

/// `addcdiv(input, tensor1, tensor2, *, value=1)`: `input + value * tensor1 / tensor2`.
pub fn addcdiv(
    x: &Tensor,
    t1: &Tensor,
    t2: &Tensor,
    value: Scalar,
    dest: Dest<'_>,
) -> Result<Tensor> {
    if !t1.dtype().is_floating() && !t2.dtype().is_floating() {
        return Err(Error::Runtime(
            "Integer division with addcdiv is no longer supported, and in a future  release addcdiv will perform a true division of tensor1 and tensor2. The historic addcdiv behavior can be implemented as (input + value * torch.trunc(tensor1 / tensor2)).to(input.dtype) using the old type promotion semantics."
                .into(),
        ));
    }
    let vf = value.as_f64();
    let mut s = Spec::new("addcdiv", k3!(float: |x, a, b| x + a.lit(vf) * a / b));
    s.refuse = super::Refusal::Kernel("addcdiv_cpu_out");
    s.params = smallvec::smallvec![value];
    s.grad = Some(Grad {
        node: "AddcdivBackward0",
        saves: crate::autograd::rules::pointwise::Saves {
            always: 0,
            for_others: 0xff,
            output: false,
        },
        formula: |c, g| {
            let v = c.param(0)?;
            let t2 = c.tensor(2)?;
            c.each(|i| match i {
                0 => Ok(g.clone()),
                1 => g.mul(v)?.div(&t2),
                _ => g.mul(v)?.mul(&c.tensor(1)?)?.div(&t2.square()?)?.neg(),
            })
        },
    });
    ternary(&tv(x), &tv(t1), &tv(t2), dest, &s)
}

/// torch's check that a `lerp` operand has the input's dtype.
fn lerp_dtype(x: &Tensor, t: &Tensor, what: &str) -> Result<()> {
    if t.dtype() != x.dtype() {
        return Err(Error::Runtime(format!(
            "expected dtype {} for `{}` but got dtype {}",
            x.dtype().c_name(),
            what,
            t.dtype().c_name()
        )));
    }
    Ok(())
}

/// `lerp(input, end, weight)`: `input + weight * (end - input)`, by torch's formula (exact at
/// both ends).
pub fn lerp(x: &Tensor, end: &Tensor, weight: &Value, dest: Dest<'_>) -> Result<Tensor> {
    lerp_dtype(x, end, "end")?;
    let tensor_weight = if let Value::Tensor(w) = weight {
        lerp_dtype(x, w, "weight")?;
        true
    } else {
        false
    };
    let mut s = Spec::new(
        "lerp",
        // Fused multiply-adds, as torch's kernels (`fmadd` / `fnmadd`).
        k3!(float: |a, b, w| if w.abs() < a.lit(0.5) {
            w.mul_add(b - a, a)
        } else {
            (a - b).mul_add(a.lit(1.0) - w, b)
        }),
    );
    s.promoted = Some(x.dtype());
    s.refuse = super::Refusal::Kernel(if tensor_weight {
        "lerp_kernel_tensor"
    } else {
        "lerp_kernel_scalar"
    });
    s.grad = Some(Grad {
        node: if tensor_weight {
            "LerpBackward1"
        } else {
            "LerpBackward0"
        },
        saves: crate::autograd::rules::pointwise::Saves {
            always: 0xff,
            for_others: 0,
            output: false,
        },
        formula: |c, g| {
            let w = c.input(2)?;
            c.each(|i| match i {
                0 => g.mul(&one_minus(&w)?),
                1 => g.mul(&w),
                _ => g.mul(&c.tensor(1)?.sub(&c.tensor(0)?)?),
            })
        },
    });
    ternary(&tv(x), &tv(end), weight, dest, &s)
}

impl Tensor {
    /// `addcmul(tensor1, tensor2, value=1)`.
    pub fn addcmul(&self, t1: &Tensor, t2: &Tensor, value: Scalar) -> Result<Tensor> {
        addcmul(self, t1, t2, value, Dest::New)
    }

    /// `addcdiv(tensor1, tensor2, value=1)`.
    pub fn addcdiv(&self, t1: &Tensor, t2: &Tensor, value: Scalar) -> Result<Tensor> {
        addcdiv(self, t1, t2, value, Dest::New)
    }

    /// `lerp(end, weight)`.
    pub fn lerp(&self, end: &Tensor, weight: impl crate::value::IntoValue) -> Result<Tensor> {
        lerp(self, end, &weight.into_value(), Dest::New)
    }
}

/// `addcmul`.
pub static ADDCMUL: OpDef = OpDef {
    name: "addcmul",
    doc: "`input + value * tensor1 * tensor2`.",
    signatures: &["addcmul(Tensor input, Tensor tensor1, Tensor tensor2, *, Scalar value=1)"],
    forms: Forms::ALL,
    aliases: &[],
    nodes: &["AddcmulBackward0"],
    method_signatures: &[],
    source: file!(),
    run: |a, d| {
        let (x, t1, t2) = (a.tensor(0)?, a.tensor(1)?, a.tensor(2)?);
        Ok(addcmul(x, t1, t2, a.scalar(3)?, d)?.into())
    },
};

/// `addcdiv`.
pub static ADDCDIV: OpDef = OpDef {
    name: "addcdiv",
    doc: "`input + value * tensor1 / tensor2`.",
    signatures: &["addcdiv(Tensor input, Tensor tensor1, Tensor tensor2, *, Scalar value=1)"],
    forms: Forms::ALL,
    aliases: &[],
    nodes: &["AddcdivBackward0"],
    method_signatures: &[],
    source: file!(),
    run: |a, d| {
        let (x, t1, t2) = (a.tensor(0)?, a.tensor(1)?, a.tensor(2)?);
        Ok(addcdiv(x, t1, t2, a.scalar(3)?, d)?.into())
    },
};

/// `lerp`.
pub static LERP: OpDef = OpDef {
    name: "lerp",
    doc: "Linear interpolation `input + weight * (end - input)`.",
    signatures: &[
        "lerp(Tensor input, Tensor end, Tensor weight)",
        "lerp(Tensor input, Tensor end, Scalar weight)",
    ],
    forms: Forms::ALL,
    aliases: &[],
    nodes: &["LerpBackward0", "LerpBackward1"],
    method_signatures: &[],
    source: file!(),
    run: |a, d| Ok(lerp(a.tensor(0)?, a.tensor(1)?, &a.value(2)?, d)?.into()),
};

/// The declarations of this file.
pub static OPS: &[&OpDef] = &[&ADDCMUL, &ADDCDIV, &LERP];
