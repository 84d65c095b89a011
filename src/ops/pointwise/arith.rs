//! Arithmetic: `add`, `sub`, `rsub`, `mul`, `div` (with `rounding_mode`), `true_divide`,
//! `floor_divide`, `remainder`, `fmod`, `neg`, `positive`, `abs`, `sign`, `sgn`, `square`,
//! `reciprocal`. `pow` and `float_power` are in `power.rs`.

use crate::error::{Error, Result};
use crate::kernels::engine::any;
use crate::ops::pointwise::{binary, Grad, Spec};
use crate::ops::registry::{Dest, OpDef, Ret};
use crate::scalar::Scalar;
use crate::tensor::Tensor;
use crate::value::{IntoValue, Value};
use crate::{k2, unary_ops, DType};

/// torch's error for an integer division or modulo by zero.
fn zero_division() -> Error {
    Error::Runtime("ZeroDivisionError".into())
}

/// Refuses an integer divisor that has a zero (torch checks as its kernel reads the divisor, so
/// an empty result reads nothing and passes). A number divisor counts as the kernel reads it:
/// cast to the compute dtype as C casts, so `2**40` is a zero divisor of int32.
pub fn no_zero_divisor(compute: DType, ops: &[&Value], _: Option<DType>) -> Result<()> {
    if compute.is_floating() || compute == DType::Bool {
        return Ok(());
    }
    let (a, b) = (ops[0], ops[1]);
    if a.numel() == 0 || b.numel() == 0 {
        return Ok(());
    }
    let zero = match b {
        Value::Scalar(s) => match compute {
            DType::Int32 => s.to::<i32>() == 0,
            DType::Int64 => s.to::<i64>() == 0,
            _ => Tensor::scalar_tensor(*s, compute)?.to_vec_i64()?[0] == 0,
        },
        Value::Tensor(t) => {
            let t = t.detach().to_dtype(compute)?;
            match compute {
                DType::Int32 => any::<i32>(&t, |v| v == 0)?,
                DType::Int64 => any::<i64>(&t, |v| v == 0)?,
                _ => any::<i64>(&t.to_dtype(DType::Int64)?, |v| v == 0)?,
            }
        }
    };
    if zero {
        return Err(zero_division());
    }
    Ok(())
}

/// torch's refusal of `-` with a bool operand.
fn check_sub(a: &Value, b: &Value) -> Result<()> {
    let is_bool = |v: &Value| match v {
        Value::Tensor(t) => t.dtype() == DType::Bool,
        Value::Scalar(s) => matches!(s, Scalar::Bool(_)),
    };
    match (is_bool(a), is_bool(b)) {
        (true, true) => Err(Error::NotImplemented(
            "Subtraction, the `-` operator, with two bool tensors is not supported. Use the `^` or `logical_xor()` operator instead."
                .into(),
        )),
        (false, false) => Ok(()),
        _ => Err(Error::NotImplemented(
            "Subtraction, the `-` operator, with a bool tensor is not supported. If you are trying to invert a mask, use the `~` or `logical_not()` operator instead."
                .into(),
        )),
    }
}

/// `a + alpha * b` (`sub`: `a - alpha * b`), torch's `add`/`sub` kernel with `alpha`.
fn add_spec(
    name: &'static str,
    node: &'static str,
    alpha: Scalar,
    sign: f64,
) -> Spec<impl crate::kernels::pointwise::Kernel2> {
    let af = alpha.as_f64() * sign;
    let ai = alpha.to::<i64>().wrapping_mul(sign as i64);
    let ab = alpha.to::<bool>();
    let mut s = Spec::new(
        name,
        k2!(
            float: |a, b| if af == 1.0 { a + b } else if af == -1.0 { a - b } else { a + b * a.lit(af) },
            half: |a, b| if af == 1.0 { a + b } else if af == -1.0 { a - b } else { a + b * af as f32 },
            int: |a, b| a.wrapping_add(b.wrapping_mul(a.lit(ai))),
            bool: |a, b| a | (b & ab),
        ),
    );
    s.scalar_slots = true;
    s.grad = Some(Grad {
        node,
        saves: Default::default(),
        formula: |c, g| {
            let alpha = c.param(0)?;
            c.each(|i| match i {
                0 => Ok(g.clone()),
                _ if alpha.as_f64() == 1.0 => Ok(g.clone()),
                _ => g.mul(alpha),
            })
        },
    });
    s.params = smallvec::smallvec![Scalar::Float(af)];
    s
}

/// torch's checks of `alpha` against the result dtype.
fn check_alpha(a: &Value, b: &Value, alpha: Scalar) -> Result<()> {
    let dtype = crate::ops::pointwise::promote(a, b);
    if !dtype.is_floating() && alpha.is_float() {
        return Err(Error::Runtime(
            "For integral input tensors, argument alpha must not be a floating point number."
                .into(),
        ));
    }
    if dtype != DType::Bool && matches!(alpha, Scalar::Bool(_)) {
        return Err(Error::Runtime(
            "Boolean alpha only supported for Boolean results.".into(),
        ));
    }
    Ok(())
}

/// torch's cast check of the result to an in-place or `out=` destination, which `add`/`sub`
/// make before they check `alpha` (the check belongs to their kernel, after the iterator's
/// dtype checks).
fn check_dest_cast(a: &Value, b: &Value, dest: &Dest<'_>) -> Result<()> {
    let to = match (dest, a) {
        (Dest::Out(o), _) => o.dtype(),
        (Dest::InPlace, Value::Tensor(t)) => t.dtype(),
        _ => return Ok(()),
    };
    crate::ops::pointwise::promote(a, b).check_cast_to(to)
}

/// `add(input, other, *, alpha=1)`.
pub fn add(a: &Value, b: &Value, alpha: Scalar, dest: Dest<'_>) -> Result<Tensor> {
    let spec = add_spec("add", "AddBackward0", alpha, 1.0);
    spec.check_leaf(&dest, a.tensor())?;
    check_dest_cast(a, b, &dest)?;
    check_alpha(a, b, alpha)?;
    binary(a, b, dest, &spec)
}

/// `sub(input, other, *, alpha=1)`.
pub fn sub(a: &Value, b: &Value, alpha: Scalar, dest: Dest<'_>) -> Result<Tensor> {
    let spec = add_spec("sub", "SubBackward0", alpha, -1.0);
    spec.check_leaf(&dest, a.tensor())?;
    check_sub(a, b)?;
    check_dest_cast(a, b, &dest)?;
    check_alpha(a, b, alpha)?;
    binary(a, b, dest, &spec)
}

/// `rsub(input, other, *, alpha=1)`: `other - alpha * input` (what `2 - x` runs). The node links
/// `input` then `other`; a number `other` has no slot (`RsubBackward1`).
pub fn rsub(a: &Tensor, b: &Value, alpha: Scalar) -> Result<Tensor> {
    let x = Value::Tensor(a.clone());
    check_sub(&x, b)?;
    check_alpha(&x, b, alpha)?;
    let af = alpha.as_f64();
    let ai = alpha.to::<i64>();
    let mut s = Spec::new(
        "rsub",
        k2!(
            float: |a, b| if af == 1.0 { b - a } else { b - a * a.lit(af) },
            int: |a, b| b.wrapping_sub(a.wrapping_mul(a.lit(ai))),
        ),
    );
    s.params = smallvec::smallvec![alpha];
    s.grad = Some(Grad {
        node: "RsubBackward0",
        saves: Default::default(),
        formula: |c, g| {
            let alpha = c.param(0)?;
            c.each(|i| match i {
                0 => g.mul(alpha)?.neg(),
                _ => Ok(g.clone()),
            })
        },
    });
    s.scalar_node = Some("RsubBackward1");
    binary(&x, b, Dest::New, &s)
}

impl Tensor {
    /// `self + other`.
    pub fn add(&self, other: impl IntoValue) -> Result<Tensor> {
        add(
            &Value::Tensor(self.clone()),
            &other.into_value(),
            Scalar::Int(1),
            Dest::New,
        )
    }

    /// `self += other` in place.
    pub fn add_(&self, other: impl IntoValue) -> Result<()> {
        add(
            &Value::Tensor(self.clone()),
            &other.into_value(),
            Scalar::Int(1),
            Dest::InPlace,
        )?;
        Ok(())
    }

    /// `self - other`.
    pub fn sub(&self, other: impl IntoValue) -> Result<Tensor> {
        sub(
            &Value::Tensor(self.clone()),
            &other.into_value(),
            Scalar::Int(1),
            Dest::New,
        )
    }

    /// `other - self`.
    pub fn rsub(&self, other: impl IntoValue) -> Result<Tensor> {
        rsub(self, &other.into_value(), Scalar::Int(1))
    }

    /// `self / other` (true division).
    pub fn div(&self, other: impl IntoValue) -> Result<Tensor> {
        div(
            &Value::Tensor(self.clone()),
            &other.into_value(),
            None,
            Dest::New,
        )
    }
}

/// `div(input, other, *, rounding_mode)` with the keyword given (torch's `div.Tensor_mode`
/// overload): as [`div`], but true division (`rounding_mode=None`) records `DivBackward2`.
pub fn div_mode(a: &Value, b: &Value, mode: Option<&str>, dest: Dest<'_>) -> Result<Tensor> {
    if mode.is_some() {
        return div(a, b, mode, dest);
    }
    let mut s = true_divide::spec();
    if let Some(g) = &mut s.grad {
        g.node = "DivBackward2";
    }
    binary(a, b, dest, &s)
}

/// `div(input, other, *, rounding_mode=None)`.
pub fn div(a: &Value, b: &Value, mode: Option<&str>, dest: Dest<'_>) -> Result<Tensor> {
    match mode {
        None => binary(a, b, dest, &true_divide::spec()),
        Some("trunc") => {
            no_zero_divisor(crate::ops::pointwise::promote(a, b), &[a, b], None)?;
            binary(a, b, dest, &div_trunc_spec())
        }
        Some("floor") => {
            no_zero_divisor(crate::ops::pointwise::promote(a, b), &[a, b], None)?;
            binary(a, b, dest, &div_floor_spec())
        }
        Some(m) => Err(Error::Runtime(format!(
            "div expected rounding_mode to be one of None, 'trunc', or 'floor' but found '{}'",
            m
        ))),
    }
}

/// The zero gradient of a rounded division (torch's `DivBackward2`/`DivBackward3`).
fn rounded_div_grad() -> Grad {
    Grad {
        node: "DivBackward2",
        saves: Default::default(),
        formula: |c, g| c.each(|_| g.zeros_like()),
    }
}

fn div_trunc_spec() -> Spec<impl crate::kernels::pointwise::Kernel2> {
    let mut s = Spec::new(
        "div_trunc",
        k2!(
            float: |a, b| (a / b).trunc(),
            // torch's CPU kernel rounds the quotient to the half type before truncating it
            half: |a, b| Half::narrow(a / b).widen().trunc(),
            int: |a, b| a.trunc_div(b),
        ),
    );
    s.scalar_slots = true;
    s.grad = Some(rounded_div_grad());
    s
}

fn div_floor_spec() -> Spec<impl crate::kernels::pointwise::Kernel2> {
    let mut s = Spec::new(
        "div_floor",
        k2!(
            float: |a, b| a.floor_div(b),
            // torch's CPU kernel runs `div_floor_floating` in the half type, rounding each step
            half: |a, b| {
                let r = |v: f32| Half::narrow(v).widen();
                if b == 0.0 {
                    a / b
                } else {
                    let m = a % b;
                    let mut div = r(r(a - m) / b);
                    if m != 0.0 && ((b < 0.0) != (m < 0.0)) {
                        div = r(div - 1.0);
                    }
                    if div != 0.0 {
                        let f = div.floor();
                        if r(div - f) > 0.5 {
                            f + 1.0
                        } else {
                            f
                        }
                    } else {
                        0.0f32.copysign(r(a / b))
                    }
                }
            },
            int: |a, b| a.floor_div(b),
        ),
    );
    s.scalar_slots = true;
    s.grad = Some(rounded_div_grad());
    s
}

/// `add` and `sub` take `alpha`; `div` takes `rounding_mode`.
pub static ADD: OpDef = OpDef {
    name: "add",
    doc: "`input + alpha * other`, with broadcasting and type promotion.",
    signatures: &["add(Value input, Value other, *, Scalar alpha=1)"],
    forms: crate::ops::registry::Forms::ALL,
    aliases: &[],
    nodes: &["AddBackward0"],
    method_signatures: &[],
    source: file!(),
    run: |a, d| Ok(add(&a.value(0)?, &a.value(1)?, a.scalar(2)?, d)?.into()),
};

/// `sub`.
pub static SUB: OpDef = OpDef {
    name: "sub",
    doc: "`input - alpha * other`, with broadcasting and type promotion.",
    signatures: &["sub(Value input, Value other, *, Scalar alpha=1)"],
    forms: crate::ops::registry::Forms::ALL,
    aliases: &["subtract"],
    nodes: &["SubBackward0"],
    method_signatures: &[],
    source: file!(),
    run: |a, d| Ok(sub(&a.value(0)?, &a.value(1)?, a.scalar(2)?, d)?.into()),
};

/// `rsub`.
pub static RSUB: OpDef = OpDef {
    name: "rsub",
    doc: "`other - alpha * input`.",
    signatures: &["rsub(Tensor input, Value other, *, Scalar alpha=1)"],
    forms: crate::ops::registry::Forms::FUNCTION,
    aliases: &[],
    nodes: &["RsubBackward0", "RsubBackward1"],
    method_signatures: &[],
    source: file!(),
    run: |a, _| Ok(rsub(a.tensor(0)?, &a.value(1)?, a.scalar(2)?)?.into()),
};

/// `div`.
pub static DIV: OpDef = OpDef {
    name: "div",
    doc: "`input / other`; `rounding_mode='trunc'` or `'floor'` rounds the quotient.",
    signatures: &[
        "div(Value input, Value other)",
        "div(Value input, Value other, *, str? rounding_mode)",
    ],
    forms: crate::ops::registry::Forms::ALL,
    aliases: &["divide"],
    nodes: &["DivBackward0", "DivBackward2"],
    method_signatures: &[],
    source: file!(),
    run: |a, d| {
        let (x, y) = (a.value(0)?, a.value(1)?);
        Ok(match a.overload {
            0 => div(&x, &y, None, d)?,
            _ => div_mode(&x, &y, a.opt_str(2)?, d)?,
        }
        .into())
    },
};

crate::binary_ops! { BINARY;
    /// Elementwise product, with broadcasting and type promotion.
    mul {
        sig: ["mul(Value input, Value other)"],
        aliases: ["multiply"],
        scalar_slots: true,
        kernel: [float: |a, b| a * b, half: |a, b| a * b, int: |a, b| a.wrapping_mul(b), bool: |a, b| a & b],
        grad: MulBackward0 [other] |c, g| c.each(|i| g.mul(c.input(1 - i)?)),
    }
    /// True division: integer operands give the default float dtype.
    true_divide {
        sig: ["true_divide(Value input, Value other)"],
        compute: Float,
        scalar_slots: true,
        kernel: [float: |a, b| a / b, half: |a, b| a / b],
        grad: DivBackward0 [x1 other] |c, g| c.each(|i| match i {
            0 => g.div(c.input(1)?),
            _ => g.neg()?.mul(c.input(0)?)?.div(c.tensor(1)?.square()?),
        }),
    }
    /// Floor division (Python's `//`); integer division by zero is an error.
    floor_divide {
        // torch's parser takes numbers for both tensors of `floor_divide` (as of `add`, `mul`,
        // `div`): `floor_divide(2, x)`, `floor_divide(5, 3)`; it lists the number overload too.
        sig: [
            "floor_divide(Value input, Value other)",
            "floor_divide(Tensor input, Scalar other)",
        ],
        refuse: Kernel("div_floor_cpu"),
        check: no_zero_divisor,
        kernel: [float: |a, b| a.floor_div(b), int: |a, b| a.floor_div(b)],
        grad: NotImplemented [] |_c, _g| Err(Error::Runtime(
            "derivative for aten::floor_divide is not implemented".into())),
        inplace_grad: NotImplemented |_c, _g| Err(Error::Runtime(
            "derivative for aten::floor_divide_ is not implemented".into())),
    }
    /// Python's modulo: the result has the divisor's sign.
    remainder {
        sig: [
            "remainder(Tensor input, Tensor other)",
            "remainder(Scalar self, Tensor other)",
            "remainder(Tensor input, Scalar other)",
        ],
        check: no_zero_divisor,
        kernel: [float: |a, b| a.py_rem(b), int: |a, b| a.py_rem(b)],
        // torch has no derivative for a number first (`remainder(2, x)`, `2 % x`).
        grad: RemainderBackward1 [input] |c, g| if c.is_number(0) {
            Err(Error::Runtime("derivative for aten::remainder is not implemented".into()))
        } else {
            c.each(|i| match i {
                0 => Ok(g.clone()),
                // The quotient is a step function: its gradient is 0, as torch's
                // `div(rounding_mode="floor")`, so it is kept out of gradients of gradients.
                _ => g.neg()?.mul(c.tensor(0)?.floor_divide(c.input(1)?)?.detach()),
            })
        },
        scalar_node: RemainderBackward0,
        scalar_self_node: NotImplemented,
    }
    /// C's modulo: the result has the dividend's sign.
    fmod {
        sig: ["fmod(Tensor input, Tensor other)", "fmod(Tensor input, Scalar other)"],
        check: no_zero_divisor,
        kernel: [float: |a, b| a % b, int: |a, b| a.c_rem(b)],
        grad: FmodBackward1 [input] |c, g| c.each(|i| match i {
            0 => Ok(g.clone()),
            _ => g.neg()?.mul(c.tensor(0)?.div(c.input(1)?)?.trunc()?),
        }),
        scalar_node: FmodBackward0,
    }
}

unary_ops! { UNARY;
    /// `-input`; bool is refused.
    neg {
        aliases: ["negative"],
        refuse: Message("Negation, the `-` operator, on a bool tensor is not supported. If you are trying to invert a mask, use the `~` or `logical_not()` operator instead."),
        out_rule: Exact,
        kernel: [float: |x| -x, int: |x| x.wrapping_neg()],
        grad: NegBackward0 [] |c, g| c.each(|_| g.neg()),
    }
    /// `|input|`.
    abs {
        aliases: ["absolute"],
        out_rule: Exact,
        kernel: [float: |x| x.abs(), int: |x| x.wrapping_abs()],
        grad: AbsBackward0 [input] |c, g| c.each(|_| g.mul(c.x()?.sgn()?)),
    }
    /// -1, 0 or 1 by the sign of each element (0 for NaN).
    sign {
        out_rule: Exact,
        kernel: [float: |x| crate::kernels::math::Math::sign(x), int: |x| crate::kernels::math::IntMath::sign(x), bool: |x| x],
        grad: SignBackward0 [] |c, g| c.each(|_| g.zeros_like()),
    }
    /// The sign (for real numbers, as `sign`).
    sgn {
        out_rule: Exact,
        kernel: [float: |x| crate::kernels::math::Math::sign(x), int: |x| crate::kernels::math::IntMath::sign(x), bool: |x| x],
        grad: SgnBackward0 [] |c, g| c.each(|_| g.zeros_like()),
    }
    /// `1 / input`; integers give the default float dtype.
    reciprocal {
        compute: Float,
        kernel: [float: |x| x.lit(1.0) / x],
        grad: ReciprocalBackward0 [output] |c, g| c.each(|_| g.neg()?.mul(c.y()?.square()?)),
    }
}

/// `square(input)`: `input ** 2` (bool gives int64, as torch's `pow`).
pub fn square(x: &Tensor, dest: Dest<'_>) -> Result<Tensor> {
    if x.dtype() == DType::Bool {
        if let Dest::InPlace = dest {
            // The int64 result cannot go back into the bool tensor.
            return Err(Error::CannotCast {
                from: DType::Int64.torch_name(),
                to: DType::Bool.torch_name(),
            });
        }
        return crate::ops::pointwise::power::pow(
            &Value::Tensor(x.to_dtype(DType::Int64)?),
            &Value::Scalar(Scalar::Int(2)),
            dest,
        );
    }
    crate::ops::pointwise::power::pow(
        &Value::Tensor(x.clone()),
        &Value::Scalar(Scalar::Int(2)),
        dest,
    )
}

impl Tensor {
    /// `self ** 2`.
    pub fn square(&self) -> Result<Tensor> {
        square(self, Dest::New)
    }

    /// `positive(input)`: the input itself (bool is refused).
    pub fn positive(&self) -> Result<Tensor> {
        if self.dtype() == DType::Bool {
            return Err(Error::NotImplemented(
                "The `+` operator, on a bool tensor is not supported.".into(),
            ));
        }
        Ok(self.clone())
    }

    /// Zeros of this tensor's shape and dtype.
    pub fn zeros_like(&self) -> Result<Tensor> {
        Tensor::zeros(self.shape(), self.dtype())
    }
}

/// `square`.
pub static SQUARE: OpDef = OpDef {
    name: "square",
    doc: "`input ** 2`.",
    signatures: &["square(Tensor input)"],
    forms: crate::ops::registry::Forms::ALL,
    aliases: &[],
    nodes: &["PowBackward0"],
    method_signatures: &[],
    source: file!(),
    run: |a, d| Ok(square(a.tensor(0)?, d)?.into()),
};

/// `positive`.
pub static POSITIVE: OpDef = OpDef {
    name: "positive",
    doc: "`+input`: the input itself.",
    signatures: &["positive(Tensor input)"],
    forms: crate::ops::registry::Forms::BOTH,
    aliases: &[],
    nodes: &[],
    method_signatures: &[],
    source: file!(),
    run: |a, _| Ok(Ret::Tensor(a.tensor(0)?.positive()?)),
};

/// The hand-written declarations of this file.
pub static OPS: &[&OpDef] = &[&ADD, &SUB, &RSUB, &DIV, &SQUARE, &POSITIVE];
