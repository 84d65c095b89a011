//! Floating-point representation and steps: `copysign`, `nextafter`, `hypot`, `ldexp`, `frexp`,
//! `heaviside`.

use crate::error::{Error, Result};
use crate::kernels::engine::{unary as map, Operand};
use crate::kernels::math::Math;
use crate::ops::pointwise::{binary, Grad, Spec};
use crate::ops::registry::{Forms, OpDef, Ret};
use crate::tensor::Tensor;
use crate::value::Value;
use crate::{binary_ops, k2, DType};

/// torch's refusal of `heaviside` on operands of two dtypes.
fn same_dtypes(_: DType, ops: &[&Value], dest: Option<DType>) -> Result<()> {
    let d = ops[0].dtype();
    if ops[1].dtype() != d || dest.is_some_and(|o| o != d) {
        return Err(Error::Runtime(
            "heaviside is not yet implemented for tensors with different dtypes.".into(),
        ));
    }
    Ok(())
}

/// torch's refusal of a bool exponent for a float `ldexp` input.
fn ldexp_exponent(_: DType, ops: &[&Value], _: Option<DType>) -> Result<()> {
    if ops[0].dtype().is_floating() && ops[1].dtype() == DType::Bool {
        return Err(Error::DTypeNotSupported {
            op: "ldexp_cpu_exp",
            dtype: "Bool",
        });
    }
    Ok(())
}

binary_ops! { BINARY;
    /// `input`'s magnitude with `other`'s sign (of ±0 and NaN too).
    copysign {
        sig: ["copysign(Tensor input, Tensor other)", "copysign(Tensor input, Scalar other)"],
        compute: Float,
        kernel: [float: |a, b| a.copysign(b)],
        grad: CopysignBackward0 [input output] |c, g| {
            c.each(|i| match i {
                0 => {
                    let x = c.tensor(0)?;
                    let ratio = c.y()?.div(&x)?;
                    g.mul(&Tensor::where_(&x.eq(0i64)?, &0i64.into(), &ratio.into())?)
                }
                _ => g.zeros_like(),
            })
        },
        scalar_node: CopysignBackward1,
    }
    /// The next float after `input` towards `other`.
    nextafter {
        kernel: [float: |a, b| a.next_after(b)],
        grad: NextafterBackward0 [] |c, g| c.each(|i| if i == 0 { Ok(g.clone()) } else { g.zeros_like() }),
    }
    /// `sqrt(input^2 + other^2)`, without overflow.
    hypot {
        kernel: [float: |a, b| a.hypot(b)],
        grad: HypotBackward0 [input output] |c, g| {
            let r = g.div(&c.y()?)?;
            c.each(|i| r.mul(&c.tensor(i)?))
        },
    }
    /// `input * 2 ** other`.
    ldexp {
        compute: Float,
        cast_name: "ldexp",
        check: ldexp_exponent,
        kernel: [float: |a, b| a * b.exp2()],
        grad: LdexpBackward0 [input] |c, g| {
            let p = c.tensor(1)?.exp2()?;
            c.each(|i| match i {
                0 => g.mul(&p),
                _ => g.mul(&c.tensor(0)?)?.mul(&p)?.mul(std::f64::consts::LN_2),
            })
        },
    }
    /// The step function: 0 below 0, `values` at 0, 1 above.
    heaviside {
        sig: ["heaviside(Tensor input, Tensor values)"],
        check: same_dtypes,
        kernel: [
            float: |a, b| if a == a.lit(0.0) { b } else if a > a.lit(0.0) { a.lit(1.0) } else { a.lit(0.0) },
            int: |a, b| if a == 0 { b } else { (a > 0) as _ },
            bool: |a, b| if a { a } else { b },
        ],
        grad: NotImplemented [] |_c, _g| Err(Error::Runtime(
            "derivative for aten::heaviside is not implemented".into())),
        inplace_grad: NotImplemented |_c, _g| Err(Error::Runtime(
            "derivative for aten::heaviside_ is not implemented".into())),
    }
}

/// `frexp(input)`: `(mantissa, exponent)` with `input = mantissa * 2 ** exponent`, the mantissa
/// in `[0.5, 1)` in magnitude and the exponent int32.
pub fn frexp(x: &Tensor) -> Result<(Tensor, Tensor)> {
    if !x.dtype().is_floating() {
        return Err(Error::Runtime(
            "torch.frexp() only supports floating-point dtypes".into(),
        ));
    }
    let exponent = Tensor::uninit(x.shape(), DType::Int32)?;
    // A half value widened to float32 has the same mantissa and exponent.
    let wide = x.detach().to_dtype(x.dtype().compute_dtype())?;
    match wide.dtype() {
        DType::Float32 => map(
            Operand::<i32>::of(&exponent)?,
            Operand::<f32>::of(&wide)?,
            |v| v.frexp_exponent(),
        )?,
        _ => map(
            Operand::<i32>::of(&exponent)?,
            Operand::<f64>::of(&wide)?,
            |v| v.frexp_exponent(),
        )?,
    }
    // The mantissa as a two-operand op of (input, exponent), so that its node keeps the exponent
    // for the gradient `g / 2 ** exponent`.
    let mut s = Spec::new("frexp", k2!(float: |a, _e| a.frexp_mantissa()));
    s.grad = Some(Grad {
        node: "FrexpBackward0",
        saves: crate::autograd::rules::pointwise::Saves {
            always: 2,
            for_others: 0,
            output: false,
        },
        formula: |c, g| {
            let e = c.tensor(1)?.to_dtype(g.dtype())?;
            c.each(|_| g.div(&e.exp2()?))
        },
    });
    let exponent_value = Value::Tensor(exponent.clone());
    let mantissa = binary(
        &Value::Tensor(x.clone()),
        &exponent_value,
        crate::ops::registry::Dest::New,
        &s,
    )?;
    Ok((mantissa, exponent))
}

impl Tensor {
    /// `frexp()`: `(mantissa, exponent)`.
    pub fn frexp(&self) -> Result<(Tensor, Tensor)> {
        frexp(self)
    }
}

/// `frexp`.
pub static FREXP: OpDef = OpDef {
    name: "frexp",
    doc: "`(mantissa, exponent)` with `input = mantissa * 2 ** exponent`, the mantissa in `[0.5, 1)` in magnitude.",
    signatures: &["frexp(Tensor input) -> return_types.frexp"],
    forms: Forms::BOTH,
    aliases: &[],
    nodes: &["FrexpBackward0"],
    method_signatures: &[],
    source: file!(),
    run: |a, _| {
        let (m, e) = a.tensor(0)?.frexp()?;
        Ok(Ret::Tuple("frexp", vec![m, e]))
    },
};

/// The hand-written declarations of this file.
pub static OPS: &[&OpDef] = &[&FREXP];
