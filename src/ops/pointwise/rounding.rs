//! Rounding: `floor`, `ceil`, `trunc` (`fix`), `frac`, `round` (half to even, with `decimals`),
//! and `nan_to_num`. Integer inputs are already whole: `floor`, `ceil`, `trunc` and `round`
//! return them unchanged.

use crate::error::Result;
use crate::ops::pointwise::{unary, Grad, OutRule, Refusal, Spec};
use crate::ops::registry::{Dest, Forms, OpDef};
use crate::scalar::Scalar;
use crate::tensor::Tensor;
use crate::{k1, unary_ops};

unary_ops! { UNARY;
    /// Rounds down to the nearest integer.
    floor {
        refuse: Kernel("floor_vml_cpu"),
        out_rule: Exact,
        kernel: [float: |x| x.floor(), int: |x| x],
        grad: FloorBackward0 [] |c, g| c.each(|_| g.zeros_like()),
    }
    /// Rounds up to the nearest integer.
    ceil {
        refuse: Kernel("ceil_vml_cpu"),
        out_rule: Exact,
        kernel: [float: |x| x.ceil(), int: |x| x],
        grad: CeilBackward0 [] |c, g| c.each(|_| g.zeros_like()),
    }
    /// Rounds toward zero.
    trunc {
        aliases: ["fix"],
        refuse: Kernel("trunc_vml_cpu"),
        out_rule: Exact,
        kernel: [float: |x| x.trunc(), int: |x| x],
        grad: TruncBackward0 [] |c, g| c.each(|_| g.zeros_like()),
    }
    /// `input - trunc(input)`: the fractional part, with the input's sign.
    frac {
        out_rule: Exact,
        kernel: [float: |x| x.frac_()],
        grad: FracBackward0 [] |c, g| c.each(|_| Ok(g.clone())),
    }
}

/// `round(input, *, decimals=0)`: to the nearest integer (ties to even), or to `decimals`
/// decimal places (negative: to tens, hundreds, ...), as torch computes it.
pub fn round(x: &Tensor, decimals: Option<i64>, dest: Dest<'_>) -> Result<Tensor> {
    let grad = |node| Grad {
        node,
        saves: Default::default(),
        formula: |c, g| c.each(|_| g.zeros_like()),
    };
    let Some(d) = decimals else {
        let mut s = Spec::new("round", k1!(float: |x| x.round_ties_even(), int: |x| x));
        s.refuse = Refusal::Kernel("round_vml_cpu");
        s.out_rule = OutRule::Exact;
        s.grad = Some(grad("RoundBackward0"));
        return unary(x, dest, &s);
    };
    let ten = 10f64.powi(d.unsigned_abs().min(400) as i32);
    let mut s = Spec::new(
        "round",
        k1!(float: |x| {
            let t = x.lit(ten);
            if d < 0 {
                (x / t).round_ties_even() * t
            } else {
                (x * t).round_ties_even() / t
            }
        }),
    );
    if d == 0 {
        // torch runs its plain rounding kernel for 0 decimals (and names it in dtype errors).
        s.refuse = Refusal::Kernel("round_vml_cpu");
    }
    s.out_rule = OutRule::Exact;
    s.grad = Some(grad("RoundBackward1"));
    unary(x, dest, &s)
}

/// `nan_to_num(input, nan=0.0, posinf=None, neginf=None)`: NaN and infinities replaced (by
/// default with 0 and the dtype's largest and smallest finite values).
pub fn nan_to_num(
    x: &Tensor,
    nan: Option<f64>,
    posinf: Option<f64>,
    neginf: Option<f64>,
    dest: Dest<'_>,
) -> Result<Tensor> {
    let nan = nan.unwrap_or(0.0);
    let mut s = Spec::new(
        "nan_to_num",
        k1!(
            float: |x| {
                if x.is_nan() {
                    x.lit(nan)
                } else if x == x.lit(f64::INFINITY) {
                    posinf.map_or(x.finite_max(), |v| x.lit(v))
                } else if x == x.lit(f64::NEG_INFINITY) {
                    neginf.map_or(-x.finite_max(), |v| x.lit(v))
                } else {
                    x
                }
            },
            int: |x| x,
            bool: |x| x,
        ),
    );
    s.params = smallvec::smallvec![Scalar::Float(nan)];
    s.out_rule = OutRule::Input;
    s.grad = Some(Grad {
        node: "NanToNumBackward0",
        saves: crate::autograd::rules::pointwise::Saves {
            always: 1,
            for_others: 0,
            output: false,
        },
        formula: |c, g| c.each(|_| g.mul(&c.x()?.isfinite()?)),
    });
    unary(x, dest, &s)
}

impl Tensor {
    /// Rounds to the nearest integer, ties to even.
    pub fn round(&self) -> Result<Tensor> {
        round(self, None, Dest::New)
    }
}

/// `round`.
pub static ROUND: OpDef = OpDef {
    name: "round",
    doc: "Rounds to the nearest integer (ties to even), or to `decimals` decimal places.",
    signatures: &[
        "round(Tensor input)",
        "round(Tensor input, *, int decimals)",
    ],
    forms: Forms::ALL,
    aliases: &[],
    nodes: &["RoundBackward0", "RoundBackward1"],
    method_signatures: &[],
    source: file!(),
    run: |a, d| {
        let decimals = if a.overload == 1 {
            Some(a.int(1)?)
        } else {
            None
        };
        Ok(round(a.tensor(0)?, decimals, d)?.into())
    },
};

/// `special.round`: always torch's `decimals` path (`RoundBackward1`; integer inputs refused).
pub static SPECIAL_ROUND: OpDef = OpDef {
    name: "special.round",
    doc: "Rounds to `decimals` decimal places (0 by default), ties to even.",
    signatures: &["round(Tensor input, *, int decimals=0)"],
    forms: Forms::FUNCTION_OUT,
    aliases: &[],
    nodes: &["RoundBackward1"],
    method_signatures: &[],
    source: file!(),
    run: |a, d| Ok(round(a.tensor(0)?, Some(a.int(1)?), d)?.into()),
};

/// `nan_to_num`.
pub static NAN_TO_NUM: OpDef = OpDef {
    name: "nan_to_num",
    doc: "Replaces NaN, +inf and -inf (by default with 0 and the dtype's extreme finite values).",
    signatures: &[
        "nan_to_num(Tensor input, float? nan=None, float? posinf=None, float? neginf=None)",
    ],
    forms: Forms::ALL,
    aliases: &[],
    nodes: &["NanToNumBackward0"],
    method_signatures: &[],
    source: file!(),
    run: |a, d| {
        Ok(nan_to_num(
            a.tensor(0)?,
            a.opt_float(1)?,
            a.opt_float(2)?,
            a.opt_float(3)?,
            d,
        )?
        .into())
    },
};

/// The hand-written declarations of this file.
pub static OPS: &[&OpDef] = &[&ROUND, &SPECIAL_ROUND, &NAN_TO_NUM];
