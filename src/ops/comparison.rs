//! The comparison family: `eq`, `ne`, `lt`, `le`, `gt`, `ge` (and their names `not_equal`,
//! `less`, ...), `maximum`, `minimum`, `fmax`, `fmin`, the predicates `isnan`, `isinf`,
//! `isfinite`, `isposinf`, `isneginf`, `isreal`, `signbit`, and `isclose`, `allclose`, `equal`,
//! `isin`. Sorting is the indexing family's.

use crate::dtype::DType;
use crate::error::{Error, Result};
use crate::ops::pointwise::{binary, Output, Spec};
use crate::ops::registry::{Dest, Forms, OpDef, Ret};
use crate::tensor::Tensor;
use crate::value::{IntoValue, Value};
use crate::{binary_ops, k2, unary_ops};

// The gradient of a comparison is zero. A bool result records nothing; the in-place forms on a
// float tensor (`x.eq_(y)`) record it, as torch does (`EqBackward1`, `EqBackward0` for a number).
binary_ops! { COMPARE;
    /// `input == other`, elementwise.
    eq {
        sig: ["eq(Tensor input, Tensor other)", "eq(Tensor input, Scalar other)"],
        output: Bool,
        kernel: [float -> bool: |a, b| a == b, int -> bool: |a, b| a == b, bool -> bool: |a, b| a == b],
        grad: EqBackward1 [] |c, g| c.each(|_| g.zeros_like()),
        scalar_node: EqBackward0,
    }
    /// `input != other`, elementwise.
    ne {
        sig: ["ne(Tensor input, Tensor other)", "ne(Tensor input, Scalar other)"],
        aliases: ["not_equal"],
        output: Bool,
        kernel: [float -> bool: |a, b| a != b, int -> bool: |a, b| a != b, bool -> bool: |a, b| a != b],
        grad: NeBackward1 [] |c, g| c.each(|_| g.zeros_like()),
        scalar_node: NeBackward0,
    }
    /// `input < other`, elementwise.
    lt {
        sig: ["lt(Tensor input, Tensor other)", "lt(Tensor input, Scalar other)"],
        aliases: ["less"],
        output: Bool,
        kernel: [float -> bool: |a, b| a < b, int -> bool: |a, b| a < b, bool -> bool: |a, b| !a & b],
        grad: LtBackward1 [] |c, g| c.each(|_| g.zeros_like()),
        scalar_node: LtBackward0,
    }
    /// `input <= other`, elementwise.
    le {
        sig: ["le(Tensor input, Tensor other)", "le(Tensor input, Scalar other)"],
        aliases: ["less_equal"],
        output: Bool,
        kernel: [float -> bool: |a, b| a <= b, int -> bool: |a, b| a <= b, bool -> bool: |a, b| !a | b],
        grad: LeBackward1 [] |c, g| c.each(|_| g.zeros_like()),
        scalar_node: LeBackward0,
    }
    /// `input > other`, elementwise.
    gt {
        sig: ["gt(Tensor input, Tensor other)", "gt(Tensor input, Scalar other)"],
        aliases: ["greater"],
        output: Bool,
        kernel: [float -> bool: |a, b| a > b, int -> bool: |a, b| a > b, bool -> bool: |a, b| a & !b],
        grad: GtBackward1 [] |c, g| c.each(|_| g.zeros_like()),
        scalar_node: GtBackward0,
    }
    /// `input >= other`, elementwise.
    ge {
        sig: ["ge(Tensor input, Tensor other)", "ge(Tensor input, Scalar other)"],
        aliases: ["greater_equal"],
        output: Bool,
        kernel: [float -> bool: |a, b| a >= b, int -> bool: |a, b| a >= b, bool -> bool: |a, b| a | !b],
        grad: GeBackward1 [] |c, g| c.each(|_| g.zeros_like()),
        scalar_node: GeBackward0,
    }
}

/// `maximum`/`minimum`'s gradient for operand `i`: all of it where that operand wins, half on
/// ties, as torch.
fn extremum_grad(
    c: &crate::autograd::rules::pointwise::Ctx,
    g: &Tensor,
    i: usize,
    max: bool,
) -> Result<Tensor> {
    let (mine, other) = (c.tensor(i)?, c.tensor(1 - i)?);
    let wins = if max {
        mine.gt(&other)?
    } else {
        mine.lt(&other)?
    };
    let ties = mine.eq(&other)?;
    g.mul(
        &wins
            .to_dtype(g.dtype())?
            .add(&ties.to_dtype(g.dtype())?.mul(0.5)?)?,
    )
}

/// `fmax`/`fmin`'s gradient for operand `i`: where that operand was taken (NaN loses).
fn fextremum_grad(
    c: &crate::autograd::rules::pointwise::Ctx,
    g: &Tensor,
    i: usize,
    max: bool,
) -> Result<Tensor> {
    let (mine, other) = (c.tensor(i)?, c.tensor(1 - i)?);
    let takes = if max {
        mine.ge(&other)?
    } else {
        mine.le(&other)?
    };
    let takes = if i == 0 {
        takes.logical_or(&other.isnan()?)?
    } else {
        takes
            .logical_and(&mine.isnan()?.logical_not()?)?
            .logical_or(&other.isnan()?.logical_and(&mine.isnan()?.logical_not()?)?)?
    };
    g.mul(&takes)
}

binary_ops! { EXTREMA;
    /// The larger of each pair; NaN propagates.
    maximum {
        forms: BOTH_OUT,
        kernel: [
            float: |a, b| if a.is_nan() || b.is_nan() { a + b } else if a > b { a } else { b },
            int: |a, b| a.max(b),
            bool: |a, b| a | b,
        ],
        grad: MaximumBackward0 [input] |c, g| c.each(|i| extremum_grad(c, g, i, true)),
    }
    /// The smaller of each pair; NaN propagates.
    minimum {
        forms: BOTH_OUT,
        kernel: [
            float: |a, b| if a.is_nan() || b.is_nan() { a + b } else if a < b { a } else { b },
            int: |a, b| a.min(b),
            bool: |a, b| a & b,
        ],
        grad: MinimumBackward0 [input] |c, g| c.each(|i| extremum_grad(c, g, i, false)),
    }
    /// The larger of each pair, ignoring NaN (NaN only where both are).
    fmax {
        forms: BOTH_OUT,
        kernel: [float: |a, b| a.max(b), int: |a, b| a.max(b), bool: |a, b| a | b],
        grad: FmaxBackward0 [input] |c, g| c.each(|i| fextremum_grad(c, g, i, true)),
    }
    /// The smaller of each pair, ignoring NaN (NaN only where both are).
    fmin {
        forms: BOTH_OUT,
        kernel: [float: |a, b| a.min(b), int: |a, b| a.min(b), bool: |a, b| a & b],
        grad: FminBackward0 [input] |c, g| c.each(|i| fextremum_grad(c, g, i, false)),
    }
}

unary_ops! { PREDICATES;
    /// True where the element is NaN.
    isnan {
        forms: BOTH,
        output: Bool,
        kernel: [float -> bool: |x| x.is_nan(), int -> bool: |_x| false, bool: |_x| false],
    }
    /// True where the element is ±inf.
    isinf {
        forms: BOTH,
        output: Bool,
        kernel: [float -> bool: |x| x.is_infinite(), int -> bool: |_x| false, bool: |_x| false],
    }
    /// True where the element is finite.
    isfinite {
        forms: BOTH,
        output: Bool,
        kernel: [float -> bool: |x| x.is_finite(), int -> bool: |_x| true, bool: |_x| true],
    }
    /// True where the element is +inf.
    isposinf {
        forms: BOTH_OUT,
        output: Bool,
        out_rule: Bool,
        kernel: [float -> bool: |x| x == x.lit(f64::INFINITY), int -> bool: |_x| false, bool: |_x| false],
    }
    /// True where the element is -inf.
    isneginf {
        forms: BOTH_OUT,
        output: Bool,
        out_rule: Bool,
        kernel: [float -> bool: |x| x == x.lit(f64::NEG_INFINITY), int -> bool: |_x| false, bool: |_x| false],
    }
    /// True where the element is real: every element of a real tensor.
    isreal {
        forms: BOTH,
        output: Bool,
        kernel: [float -> bool: |_x| true, int -> bool: |_x| true, bool: |_x| true],
    }
    /// True where the sign bit is set (-0.0 included).
    signbit {
        forms: BOTH_OUT,
        output: Bool,
        out_rule: Bool,
        kernel: [float -> bool: |x| x.is_sign_negative(), int -> bool: |x| x < 0, bool: |_x| false],
    }
}

/// torch's refusal of operands of two dtypes in `isclose`/`allclose`.
fn same_dtype(a: &Tensor, b: &Tensor) -> Result<()> {
    if a.dtype() != b.dtype() {
        return Err(Error::Runtime(format!(
            "{} did not match {}",
            a.dtype().torch_name(),
            b.dtype().torch_name()
        )));
    }
    Ok(())
}

/// `isclose(input, other, rtol, atol, equal_nan)`: `|a - b| <= atol + rtol * |b|`, or equal
/// (which covers infinities), or both NaN with `equal_nan`. One fused pass.
pub fn isclose(a: &Tensor, b: &Tensor, rtol: f64, atol: f64, equal_nan: bool) -> Result<Tensor> {
    same_dtype(a, b)?;
    if rtol < 0.0 {
        return Err(Error::Runtime(format!(
            "rtol must be greater than or equal to zero, but got {}",
            rtol
        )));
    }
    if atol < 0.0 {
        return Err(Error::Runtime(format!(
            "atol must be greater than or equal to zero, but got {}",
            atol
        )));
    }
    let mut s = Spec::new(
        "isclose",
        k2!(
            float -> bool: |x, y| {
                let d = (x - y).abs();
                x == y || (equal_nan && x.is_nan() && y.is_nan())
                    || (d.is_finite() && d <= x.lit(atol) + (x.lit(rtol) * y).abs())
            },
            int -> bool: |x, y| {
                let d = (x as f64 - y as f64).abs();
                x == y || d <= atol + (rtol * y as f64).abs()
            },
            bool -> bool: |x, y| x == y,
        ),
    );
    s.output = Output::Bool;
    binary(
        &Value::Tensor(a.clone()),
        &Value::Tensor(b.clone()),
        Dest::New,
        &s,
    )
}

/// `allclose(...)`: whether `isclose` holds everywhere.
pub fn allclose(a: &Tensor, b: &Tensor, rtol: f64, atol: f64, equal_nan: bool) -> Result<bool> {
    let close = isclose(a, b, rtol, atol, equal_nan)?;
    Ok(!crate::kernels::engine::any::<bool>(&close, |v| !v)?)
}

/// `equal(input, other)`: the same shape and the same values.
pub fn equal(a: &Tensor, b: &Tensor) -> Result<bool> {
    if a.shape() != b.shape() {
        return Ok(false);
    }
    let e = a.eq(b)?;
    Ok(!crate::kernels::engine::any::<bool>(&e, |v| !v)?)
}

/// `isin(elements, test_elements, *, assume_unique=False, invert=False)`: whether each element
/// is among the test elements (sorted once, then searched).
pub fn isin(elements: &Value, test: &Value, invert: bool) -> Result<Tensor> {
    let dtype = crate::ops::pointwise::promote(elements, test);
    for v in [elements, test] {
        if v.dtype() == DType::Bool && matches!(v, Value::Tensor(_)) {
            return Err(Error::NotImplemented(
                "Unsupported input type encountered for isin(): Bool".into(),
            ));
        }
    }
    let e = elements.to_tensor(dtype)?;
    let mut pool = test.to_tensor(dtype)?.to_vec_f64()?;
    pool.retain(|v| !v.is_nan());
    pool.sort_by(|x, y| x.total_cmp(y));
    let found: Vec<bool> = e
        .to_vec_f64()?
        .into_iter()
        .map(|v| {
            let hit = pool
                .binary_search_by(|p| p.partial_cmp(&v).unwrap_or(std::cmp::Ordering::Less))
                .is_ok();
            hit != invert
        })
        .collect();
    Tensor::from_vec(found, e.shape())
}

impl Tensor {
    /// `where(cond, a, b)`: `a` where `cond` holds, else `b`.
    pub fn where_(cond: &Tensor, a: &Value, b: &Value) -> Result<Tensor> {
        crate::ops::join::where_(cond, a, b)
    }

    /// `isclose` with torch's default tolerances.
    pub fn isclose_default(&self, other: impl IntoValue) -> Result<Tensor> {
        match other.into_value() {
            Value::Tensor(t) => isclose(self, &t, 1e-5, 1e-8, false),
            Value::Scalar(s) => isclose(
                self,
                &Tensor::scalar_tensor(s, self.dtype())?,
                1e-5,
                1e-8,
                false,
            ),
        }
    }
}

/// `isclose`.
pub static ISCLOSE: OpDef = OpDef {
    name: "isclose",
    doc: "Whether `|input - other| <= atol + rtol * |other|`, elementwise.",
    signatures: &["isclose(Tensor input, Tensor other, float rtol=1e-05, float atol=1e-08, bool equal_nan=False)"],
    forms: Forms::BOTH,
    aliases: &[],
    nodes: &[],
    method_signatures: &[],
    source: file!(),
    run: |a, _| {
        Ok(isclose(a.tensor(0)?, a.tensor(1)?, a.float(2)?, a.float(3)?, a.bool(4)?)?.into())
    },
};

/// `allclose`.
pub static ALLCLOSE: OpDef = OpDef {
    name: "allclose",
    doc: "Whether `isclose` holds for every element.",
    signatures: &["allclose(Tensor input, Tensor other, float rtol=1e-05, float atol=1e-08, bool equal_nan=False) -> bool"],
    forms: Forms::BOTH,
    aliases: &[],
    nodes: &[],
    method_signatures: &[],
    source: file!(),
    run: |a, _| {
        Ok(Ret::Bool(allclose(a.tensor(0)?, a.tensor(1)?, a.float(2)?, a.float(3)?, a.bool(4)?)?))
    },
};

/// `equal`.
pub static EQUAL: OpDef = OpDef {
    name: "equal",
    doc: "Whether both tensors have the same shape and values.",
    signatures: &["equal(Tensor input, Tensor other) -> bool"],
    forms: Forms::BOTH,
    aliases: &[],
    nodes: &[],
    method_signatures: &[],
    source: file!(),
    run: |a, _| Ok(Ret::Bool(equal(a.tensor(0)?, a.tensor(1)?)?)),
};

/// `isin`.
pub static ISIN: OpDef = OpDef {
    name: "isin",
    doc: "Whether each element is among `test_elements`.",
    signatures: &[
        "isin(Tensor elements, Tensor test_elements, *, bool assume_unique=False, bool invert=False)",
        "isin(Scalar element, Tensor test_elements, *, bool assume_unique=False, bool invert=False)",
        "isin(Tensor elements, Scalar test_element, *, bool assume_unique=False, bool invert=False)",
    ],
    forms: Forms::FUNCTION_OUT,
    aliases: &[],
    nodes: &[],
    method_signatures: &[],
    source: file!(),
    run: |a, d| d.finish(a, |a| isin(&a.value(0)?, &a.value(1)?, a.bool(3)?)),
};

/// The hand-written declarations of this file.
pub static OPS: &[&OpDef] = &[&ISCLOSE, &ALLCLOSE, &EQUAL, &ISIN];
