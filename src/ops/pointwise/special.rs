//! Special functions of one operand: `erf`, `erfc`, `erfinv`, `lgamma`, `digamma`, `polygamma`,
//! `mvlgamma`, `i0`, and those only in `rtensor.special` (`i0e`, `i1`, `i1e`, `ndtr`, `ndtri`,
//! `log_ndtr`, `erfcx`, `entr`). Kernels: [`crate::kernels::special`] (torch's Cephes ports) and
//! [`crate::kernels::vmath`] (erf, erfc). Integer inputs compute in the default float dtype.
//! Of two operands: `igamma`, `igammac`, `special.zeta`.

use crate::error::{Error, Result};
use crate::kernels::special::Special;
use crate::ops::pointwise::{unary, Compute, Grad, Spec};
use crate::ops::registry::{Dest, Forms, OpDef};
use crate::scalar::Scalar;
use crate::tensor::Tensor;
use crate::value::Value;
use crate::{binary_ops, k1, unary_ops};
use std::f64::consts::{FRAC_2_SQRT_PI, PI};

/// `sqrt(2 pi)`.
const SQRT_2PI: f64 = 2.506_628_274_631_000_7;

/// `exp(-x^2)`, the shape of erf's derivative.
fn gauss(x: &Tensor) -> Result<Tensor> {
    x.square()?.neg()?.exp()
}

/// `|x| > eps` of `x`'s dtype, and `x` with the rest replaced by `eps` (torch's guard of the
/// Bessel gradients at 0).
fn not_tiny(x: &Tensor) -> Result<(Tensor, Tensor)> {
    let eps = if x.dtype() == crate::DType::Float32 {
        f32::EPSILON as f64
    } else {
        f64::EPSILON
    };
    let keep = x.abs()?.gt(eps)?;
    let safe = Tensor::where_(&keep, &x.clone().into(), &eps.into())?;
    Ok((keep, safe))
}

unary_ops! { UNARY;
    /// The error function `2/sqrt(pi) * integral of exp(-t^2) from 0 to input`.
    erf {
        aliases: ["special.erf"],
        compute: Float,
        kernel: [float: |x| x.v_erf()],
        grad: ErfBackward0 [input] |c, g| c.each(|_| g.mul(&gauss(&c.x()?)?.mul(FRAC_2_SQRT_PI)?)),
    }
    /// `1 - erf(input)`, accurate where erf is close to 1.
    erfc {
        aliases: ["special.erfc"],
        compute: Float,
        kernel: [float: |x| x.v_erfc()],
        grad: ErfcBackward0 [input] |c, g| c.each(|_| g.mul(&gauss(&c.x()?)?.mul(-FRAC_2_SQRT_PI)?)),
    }
    /// The inverse of erf on (-1, 1).
    erfinv {
        aliases: ["special.erfinv"],
        compute: Float,
        kernel: [float: |x| Special::erfinv(x)],
        grad: ErfinvBackward0 [output] |c, g| {
            c.each(|_| g.mul(&c.y()?.square()?.exp()?.mul(0.5 * PI.sqrt())?))
        },
    }
    /// The natural logarithm of the absolute value of the gamma function.
    lgamma {
        aliases: ["special.gammaln"],
        compute: Float,
        kernel: [float: |x| Special::lgamma(x)],
        grad: LgammaBackward0 [input] |c, g| c.each(|_| g.mul(&c.x()?.digamma()?)),
    }
    /// The logarithmic derivative of the gamma function.
    digamma {
        aliases: ["special.digamma", "special.psi"],
        compute: Float,
        kernel: [float: |x| Special::digamma(x)],
        grad: DigammaBackward0 [input] |c, g| c.each(|_| g.mul(&c.x()?.polygamma(1)?)),
    }
    /// The modified Bessel function of the first kind, order 0.
    i0 {
        aliases: ["special.i0"],
        compute: Float,
        kernel: [float: |x| Special::i0(x)],
        grad: I0Backward0 [input] |c, g| c.each(|_| g.mul(&c.x()?.special_i1()?)),
    }
    /// The exponentially scaled modified Bessel function of order 0, `exp(-|x|) * i0(x)`.
    special_i0e {
        name: "special.i0e",
        forms: FUNCTION_OUT,
        compute: Float,
        kernel: [float: |x| Special::i0e(x)],
        grad: SpecialI0EBackward0 [input output] |c, g| {
            let x = c.x()?;
            c.each(|_| g.mul(&x.special_i1e()?.sub(&x.sgn()?.mul(&c.y()?)?)?))
        },
    }
    /// The modified Bessel function of the first kind, order 1.
    special_i1 {
        name: "special.i1",
        forms: FUNCTION_OUT,
        compute: Float,
        kernel: [float: |x| Special::i1(x)],
        grad: SpecialI1Backward0 [input output] |c, g| {
            let (keep, safe) = not_tiny(&c.x()?)?;
            let d = safe.i0()?.sub(&c.y()?.mul(&safe.reciprocal()?)?)?;
            c.each(|_| g.mul(&Tensor::where_(&keep, &d.clone().into(), &0.5.into())?))
        },
    }
    /// The exponentially scaled modified Bessel function of order 1, `exp(-|x|) * i1(x)`.
    special_i1e {
        name: "special.i1e",
        forms: FUNCTION_OUT,
        compute: Float,
        kernel: [float: |x| Special::i1e(x)],
        grad: SpecialI1EBackward0 [input output] |c, g| {
            let (keep, safe) = not_tiny(&c.x()?)?;
            let d = safe
                .special_i0e()?
                .sub(&c.y()?.mul(&safe.sgn()?.add(&safe.reciprocal()?)?)?)?;
            c.each(|_| g.mul(&Tensor::where_(&keep, &d.clone().into(), &0.5.into())?))
        },
    }
    /// The standard normal distribution function.
    special_ndtr {
        name: "special.ndtr",
        forms: FUNCTION_OUT,
        compute: Float,
        kernel: [float: |x| Special::ndtr(x)],
        grad: MulBackward1 [input] |c, g| {
            c.each(|_| g.mul(&c.x()?.square()?.mul(-0.5)?.exp()?.div(SQRT_2PI)?))
        },
    }
    /// The inverse of the standard normal distribution function.
    special_ndtri {
        name: "special.ndtri",
        forms: FUNCTION_OUT,
        compute: Float,
        kernel: [float: |x| Special::ndtri(x)],
        grad: SpecialNdtriBackward0 [output] |c, g| {
            c.each(|_| g.mul(&c.y()?.square()?.div(2i64)?.exp()?.mul(SQRT_2PI)?))
        },
    }
    /// The logarithm of the standard normal distribution function, accurate in the far tail.
    special_log_ndtr {
        name: "special.log_ndtr",
        forms: FUNCTION_OUT,
        compute: Float,
        kernel: [float: |x| Special::log_ndtr(x)],
        grad: SpecialLogNdtrBackward0 [input output] |c, g| {
            let e = c.y()?.add(&c.x()?.square()?.div(2i64)?)?.neg()?.exp()?;
            c.each(|_| g.div(SQRT_2PI)?.mul(&e))
        },
    }
    /// The scaled complementary error function `exp(x^2) * erfc(x)`.
    special_erfcx {
        name: "special.erfcx",
        forms: FUNCTION_OUT,
        compute: Float,
        kernel: [float: |x| Special::erfcx(x)],
        grad: SpecialErfcxBackward0 [input output] |c, g| {
            let d = c.x()?.mul(&c.y()?)?.mul(2i64)?.sub(FRAC_2_SQRT_PI)?;
            c.each(|_| d.mul(g))
        },
    }
    /// The spherical Bessel function of the first kind, order 0: `sin(x) / x` (torch's series
    /// below 0.5, 0 at ±inf). Not differentiable in torch.
    special_spherical_bessel_j0 {
        name: "special.spherical_bessel_j0",
        forms: FUNCTION_OUT,
        compute: Float,
        kernel: [float: |x| {
            if x.is_infinite() {
                x.lit(0.0)
            } else if x.abs() < x.lit(0.5) {
                let x2 = x * x;
                x.lit(1.0) + x2 * (x.lit(-1.0 / 6.0) + x2 * (x.lit(1.0 / 120.0) + x2 * (x.lit(-1.0 / 5040.0)
                    + x2 * (x.lit(1.0 / 362880.0) + x2 * (x.lit(-1.0 / 39916800.0) + x2 * x.lit(1.0 / 6227020800.0))))))
            } else {
                x.sin() / x
            }
        }],
    }
    /// The elementwise entropy `-x * ln(x)` (0 at 0, -inf below).
    special_entr {
        name: "special.entr",
        forms: FUNCTION_OUT,
        compute: Float,
        kernel: [float: |x| Special::entr(x)],
        grad: SpecialEntrBackward0 [input] |c, g| c.each(|_| g.mul(&c.x()?.log()?.add(1i64)?.neg()?)),
    }
}

/// The derivative of the regularized incomplete gamma functions in `x`:
/// `exp((a - 1) ln x - x - lgamma(a))`.
fn igamma_grad_x(a: &Tensor, x: &Tensor) -> Result<Tensor> {
    a.sub(1i64)?
        .mul(&x.log()?)?
        .sub(x)?
        .sub(&a.lgamma()?)?
        .exp()
}

/// `zeta(a, q)` for a number or tensor `a`.
fn zeta_of(a: &Value, q: &Tensor) -> Result<Tensor> {
    crate::ops::pointwise::binary(
        a,
        &Value::Tensor(q.clone()),
        Dest::New,
        &special_zeta::spec(),
    )
}

binary_ops! { BINARY;
    /// The regularized lower incomplete gamma function `P(input, other)`.
    igamma {
        aliases: ["special.gammainc"],
        kernel: [float: |a, x| Special::igamma(a, x)],
        grad: IgammaBackward0 [input] |c, g| c.each(|i| match i {
            0 => Err(Error::NotImplemented(
                "the derivative for 'igamma: input' is not implemented.".into())),
            _ => g.mul(&igamma_grad_x(&c.tensor(0)?, &c.tensor(1)?)?),
        }),
    }
    /// The regularized upper incomplete gamma function `Q(input, other) = 1 - P(input, other)`.
    igammac {
        aliases: ["special.gammaincc"],
        kernel: [float: |a, x| Special::igammac(a, x)],
        grad: IgammacBackward0 [input] |c, g| c.each(|i| match i {
            0 => Err(Error::NotImplemented(
                "the derivative for 'igammac: input' is not implemented.".into())),
            _ => g.mul(&igamma_grad_x(&c.tensor(0)?, &c.tensor(1)?)?)?.neg(),
        }),
    }
    /// The Hurwitz zeta function `sum over k >= 0 of (k + other) ** -input`.
    special_zeta {
        name: "special.zeta",
        sig: [
            "special.zeta(Tensor input, Tensor other)",
            "special.zeta(Scalar self, Tensor other)",
            "special.zeta(Tensor input, Scalar other)",
        ],
        forms: FUNCTION_OUT,
        compute: Float,
        kernel: [float: |x, q| Special::zeta(x, q)],
        grad: SpecialZetaBackward0 [input] |c, g| c.each(|i| match i {
            0 => Err(Error::NotImplemented(
                "the derivative for 'zeta' is not implemented.".into())),
            _ => {
                let s = c.input(0)?;
                let s1 = match &s {
                    Value::Scalar(v) => Value::Scalar(crate::scalar::Scalar::Float(v.as_f64() + 1.0)),
                    Value::Tensor(t) => Value::Tensor(t.add(1.0)?),
                };
                g.mul(&s)?.neg()?.mul(&zeta_of(&s1, &c.tensor(1)?)?)
            }
        }),
        scalar_node: SpecialZetaBackward2,
        scalar_self_node: SpecialZetaBackward1,
    }
}

/// `polygamma(n, input)`: the `n`-th derivative of digamma.
pub fn polygamma(n: i64, x: &Tensor, dest: Dest<'_>) -> Result<Tensor> {
    if n < 0 {
        return Err(Error::Runtime(
            "polygamma(n, x) does not support negative n.".into(),
        ));
    }
    let mut s = Spec::new("polygamma", k1!(float: |x| Special::polygamma(x, n)));
    s.compute = Compute::Float;
    s.params = smallvec::smallvec![Scalar::Int(n)];
    s.grad = Some(Grad {
        // torch's in-place form (`polygamma_`) is its own node.
        node: if matches!(dest, Dest::InPlace) {
            "PolygammaBackward1"
        } else {
            "PolygammaBackward0"
        },
        saves: crate::autograd::rules::pointwise::Saves {
            always: 1,
            for_others: 0,
            output: false,
        },
        formula: |c, g| {
            let n = c.param(0)?.to::<i64>();
            c.each(|_| g.mul(&c.x()?.polygamma(n + 1)?))
        },
    });
    unary(x, dest, &s)
}

/// `mvlgamma(input, p)`: the log of the multivariate gamma function of dimension `p`.
pub fn mvlgamma(x: &Tensor, p: i64, dest: Dest<'_>) -> Result<Tensor> {
    if p < 1 {
        return Err(Error::Runtime(
            "p has to be greater than or equal to 1".into(),
        ));
    }
    if x.dtype() == crate::DType::Bool {
        return Err(Error::Runtime(
            "The input tensor may not be a boolean tensor.".into(),
        ));
    }
    let written = match dest {
        Dest::Out(o) => Some(o.dtype()),
        Dest::InPlace => Some(x.dtype()),
        Dest::New => None,
    };
    if let Some(w) = written {
        if !w.is_floating() {
            // torch's message (it names the input's dtype and the float result's).
            let result = if x.dtype().is_floating() {
                x.dtype()
            } else {
                crate::dtype::default_float()
            };
            return Err(Error::Runtime(format!(
                "mvlgamma: result type {} can't be cast to the desired output type {}",
                x.dtype().torch_name(),
                result.torch_name()
            )));
        }
    }
    // torch sums over a `[..., p]` intermediate: sizes it cannot allocate fail as there
    // (rather than running `p` terms per element for ever).
    let item = if x.dtype() == crate::DType::Float64 {
        8
    } else {
        4
    };
    crate::storage::check_allocatable(x.numel().saturating_mul(p as usize), item)?;
    let mut s = Spec::new("mvlgamma", k1!(float: |x| Special::mvlgamma(x, p)));
    s.compute = Compute::Float;
    s.params = smallvec::smallvec![Scalar::Int(p)];
    s.grad = Some(Grad {
        node: "MvlgammaBackward0",
        saves: crate::autograd::rules::pointwise::Saves {
            always: 1,
            for_others: 0,
            output: false,
        },
        formula: |c, g| {
            // sum over j < p of digamma(x - j / 2).
            let p = c.param(0)?.to::<i64>();
            let x = c.x()?;
            let mut d = x.digamma()?;
            for j in 1..p {
                d = d.add(&x.sub(j as f64 / 2.0)?.digamma()?)?;
            }
            c.each(|_| g.mul(&d))
        },
    });
    unary(x, dest, &s)
}

impl Tensor {
    /// `polygamma(n)`: the `n`-th derivative of digamma.
    pub fn polygamma(&self, n: i64) -> Result<Tensor> {
        polygamma(n, self, Dest::New)
    }

    /// `mvlgamma(p)`: the log of the multivariate gamma function of dimension `p`.
    pub fn mvlgamma(&self, p: i64) -> Result<Tensor> {
        mvlgamma(self, p, Dest::New)
    }
}

/// `polygamma`.
pub static POLYGAMMA: OpDef = OpDef {
    name: "polygamma",
    doc: "The `n`-th derivative of digamma.",
    signatures: &["polygamma(int n, Tensor input)"],
    forms: Forms::ALL,
    aliases: &["special.polygamma"],
    nodes: &["PolygammaBackward0", "PolygammaBackward1"],
    method_signatures: &["polygamma(Tensor input, int n)"],
    source: file!(),
    run: |a, d| {
        Ok(if a.method {
            polygamma(a.int(1)?, a.tensor(0)?, d)?
        } else {
            polygamma(a.int(0)?, a.tensor(1)?, d)?
        }
        .into())
    },
};

/// `mvlgamma`.
pub static MVLGAMMA: OpDef = OpDef {
    name: "mvlgamma",
    doc: "The log of the multivariate gamma function of dimension `p`.",
    signatures: &["mvlgamma(Tensor input, int p)"],
    forms: Forms::ALL,
    aliases: &["special.multigammaln"],
    nodes: &["MvlgammaBackward0"],
    method_signatures: &[],
    source: file!(),
    run: |a, d| Ok(mvlgamma(a.tensor(0)?, a.int(1)?, d)?.into()),
};

/// The hand-written declarations of this file.
pub static OPS: &[&OpDef] = &[&POLYGAMMA, &MVLGAMMA];
