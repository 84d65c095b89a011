//! Exponentials, logarithms and roots: `exp`, `exp2`, `expm1`, `log`, `log2`, `log10`, `log1p`,
//! `sqrt`, `rsqrt`, `sigmoid`, `logit`, `relu`; of two operands `logaddexp`, `logaddexp2`,
//! `xlogy`, `special.xlog1py`. Integer inputs compute in the default float dtype.

use crate::error::Result;
use crate::kernels::special::Special;
use crate::ops::pointwise::{unary, Compute, Grad, Spec};
use crate::ops::registry::{Dest, Forms, OpDef};
use crate::scalar::Scalar;
use crate::tensor::Tensor;
use crate::{binary_ops, k1, unary_ops};
use std::f64::consts::{LN_10, LN_2};

unary_ops! { UNARY;
    /// `e ** input`.
    exp {
        compute: Float,
        kernel: [float: |x| x.v_exp()],
        grad: ExpBackward0 [output] |c, g| c.each(|_| g.mul(&c.y()?)),
    }
    /// `2 ** input`.
    exp2 {
        aliases: ["special.exp2"],
        compute: Float,
        kernel: [float: |x| x.v_exp2()],
        grad: Exp2Backward0 [output] |c, g| c.each(|_| g.mul(&c.y()?)?.mul(LN_2)),
    }
    /// `e ** input - 1`, accurate near 0.
    expm1 {
        aliases: ["special.expm1"],
        compute: Float,
        kernel: [float: |x| x.v_expm1()],
        grad: Expm1Backward0 [output] |c, g| c.each(|_| g.mul(&c.y()?.add(1i64)?)),
    }
    /// Natural logarithm.
    log {
        compute: Float,
        kernel: [float: |x| x.v_log()],
        grad: LogBackward0 [input] |c, g| c.each(|_| g.div(&c.x()?)),
    }
    /// Base-2 logarithm.
    log2 {
        compute: Float,
        kernel: [float: |x| x.v_log2()],
        grad: Log2Backward0 [input] |c, g| c.each(|_| g.div(&c.x()?.mul(LN_2)?)),
    }
    /// Base-10 logarithm.
    log10 {
        compute: Float,
        kernel: [float: |x| x.v_log10()],
        grad: Log10Backward0 [input] |c, g| c.each(|_| g.div(&c.x()?.mul(LN_10)?)),
    }
    /// `log(1 + input)`, accurate near 0.
    log1p {
        aliases: ["special.log1p"],
        compute: Float,
        kernel: [float: |x| x.v_log1p()],
        grad: Log1PBackward0 [input] |c, g| c.each(|_| g.div(&c.x()?.add(1i64)?)),
    }
    /// Square root.
    sqrt {
        compute: Float,
        kernel: [float: |x| x.sqrt()],
        grad: SqrtBackward0 [output] |c, g| c.each(|_| g.div(&c.y()?.mul(2i64)?)),
    }
    /// `1 / sqrt(input)`.
    rsqrt {
        compute: Float,
        kernel: [float: |x| x.lit(1.0) / x.sqrt()],
        grad: RsqrtBackward0 [output] |c, g| c.each(|_| g.mul(&c.y()?.pow(3i64)?)?.mul(-0.5)),
    }
    /// The logistic function `1 / (1 + exp(-input))`.
    sigmoid {
        aliases: ["special.expit"],
        compute: Float,
        kernel: [float: |x| x.v_sigmoid()],
        grad: SigmoidBackward0 [output] |c, g| {
            let y = c.y()?;
            c.each(|_| g.mul(&y.mul(&y.rsub(1i64)?)?))
        },
    }
    /// `max(input, 0)`, keeping the dtype; bool is refused.
    relu {
        forms: BOTH_INPLACE,
        refuse: Message("Boolean inputs not supported for relu"),
        kernel: [float: |x| if x < x.lit(0.0) { x.lit(0.0) } else { x }, int: |x| x.max(0)],
        grad: ReluBackward0 [output] |c, g| c.each(|_| g.mul(&c.y()?.gt(0i64)?)),
    }
}

binary_ops! { BINARY;
    /// `log(exp(input) + exp(other))`, without overflow.
    logaddexp {
        forms: BOTH_OUT,
        kernel: [float: |a, b| {
            if a.is_infinite() && a == b {
                a
            } else {
                let m = if a < b { b } else { a };
                m + (-(a - b).abs()).exp().ln_1p()
            }
        }],
        grad: LogaddexpBackward0 [input] |c, g| {
            let (a, b) = (c.tensor(0)?, c.tensor(1)?);
            c.each(|i| {
                let (x, y) = if i == 0 { (&a, &b) } else { (&b, &a) };
                g.div(&y.sub(x)?.exp()?.add(1i64)?)
            })
        },
    }
    /// `log2(2 ** input + 2 ** other)`, without overflow.
    logaddexp2 {
        forms: BOTH_OUT,
        kernel: [float: |a, b| {
            if a.is_infinite() && a == b {
                a
            } else {
                let m = if a < b { b } else { a };
                // Fused, as torch's vectorised kernel: `(-|a - b|).exp2().log1p() * log2(e) + m`.
                (-(a - b).abs()).exp2().ln_1p().mul_add(a.lit(std::f64::consts::LOG2_E), m)
            }
        }],
        grad: Logaddexp2Backward0 [input] |c, g| {
            let (a, b) = (c.tensor(0)?, c.tensor(1)?);
            c.each(|i| {
                let (x, y) = if i == 0 { (&a, &b) } else { (&b, &a) };
                g.div(&y.sub(x)?.exp2()?.add(1i64)?)
            })
        },
    }
    /// `input * log(other)`, 0 where `input` is 0 (unless `other` is NaN).
    xlogy {
        sig: [
            "xlogy(Tensor input, Tensor other)",
            "xlogy(Scalar self, Tensor other)",
            "xlogy(Tensor input, Scalar other)",
        ],
        aliases: ["special.xlogy"],
        compute: Float,
        kernel: [float: |a, b| {
            if b.is_nan() {
                b
            } else if a == a.lit(0.0) {
                a.lit(0.0)
            } else {
                a * b.ln()
            }
        }],
        grad: XlogyBackward0 [input] |c, g| c.each(|i| match i {
            0 => g.mul(&c.tensor(0)?.ne(0i64)?.xlogy(c.input(1)?)?),
            _ => g.mul(c.input(0)?)?.div(c.input(1)?),
        }),
        scalar_node: XlogyBackward2,
        scalar_self_node: XlogyBackward1,
    }
    /// `input * log1p(other)`, 0 where `input` is 0 (unless `other` is NaN).
    special_xlog1py {
        name: "special.xlog1py",
        sig: [
            "special.xlog1py(Tensor input, Tensor other)",
            "special.xlog1py(Scalar self, Tensor other)",
            "special.xlog1py(Tensor input, Scalar other)",
        ],
        forms: FUNCTION_OUT,
        compute: Float,
        kernel: [float: |a, b| Special::xlog1py(a, b)],
        grad: SpecialXlog1PyBackward0 [input] |c, g| c.each(|i| match i {
            0 => g.mul(&c.tensor(0)?.ne(0i64)?.special_xlog1py(c.input(1)?)?),
            _ => g.mul(c.input(0)?)?.div(&c.tensor(1)?.add(1i64)?),
        }),
        scalar_node: SpecialXlog1PyBackward2,
        scalar_self_node: SpecialXlog1PyBackward1,
    }
}

/// `logit(input, eps=None)`: `log(p / (1 - p))`, with `p` clamped to `[eps, 1 - eps]` when
/// `eps` is given.
pub fn logit(x: &Tensor, eps: Option<f64>, dest: Dest<'_>) -> Result<Tensor> {
    let e = eps.unwrap_or(-1.0);
    let mut s = Spec::new(
        "logit",
        k1!(float: |x| {
            let lo = x.lit(e);
            let p = if e < 0.0 { x } else if x < lo { lo } else if x > x.lit(1.0) - lo { x.lit(1.0) - lo } else { x };
            (p / (x.lit(1.0) - p)).ln()
        }),
    );
    s.compute = Compute::Float;
    s.params = smallvec::smallvec![Scalar::Float(e)];
    s.grad = Some(Grad {
        node: "LogitBackward0",
        saves: crate::autograd::rules::pointwise::Saves {
            always: 1,
            for_others: 0,
            output: false,
        },
        formula: |c, g| {
            let eps = c.param(0)?.as_f64();
            let x = c.x()?;
            // g / (x (1 - x)); outside [eps, 1 - eps] the clamp makes it 0 (NaN with no eps).
            let d = g.div(&x.mul(&x.rsub(1i64)?)?)?;
            let d = if eps < 0.0 {
                d
            } else {
                let outside = x.lt(eps)?.logical_or(&x.gt(1.0 - eps)?)?;
                Tensor::where_(&outside, &0i64.into(), &d.into())?
            };
            c.each(|_| Ok(d.clone()))
        },
    });
    unary(x, dest, &s)
}

impl Tensor {
    /// `logit(eps)`.
    pub fn logit(&self, eps: Option<f64>) -> Result<Tensor> {
        logit(self, eps, Dest::New)
    }
}

/// `logit`.
pub static LOGIT: OpDef = OpDef {
    name: "logit",
    doc: "`log(p / (1 - p))`, with `p` clamped to `[eps, 1 - eps]` when `eps` is given.",
    signatures: &["logit(Tensor input, float? eps=None)"],
    forms: Forms::ALL,
    aliases: &["special.logit"],
    nodes: &["LogitBackward0"],
    method_signatures: &[],
    source: file!(),
    run: |a, d| Ok(logit(a.tensor(0)?, a.opt_float(1)?, d)?.into()),
};

/// The hand-written declarations of this file.
pub static OPS: &[&OpDef] = &[&LOGIT];
