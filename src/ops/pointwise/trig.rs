//! Trigonometric and hyperbolic functions and their inverses, `atan2`, `sinc`, `deg2rad`,
//! `rad2deg`.
//! Integer inputs compute in the default float dtype.

use crate::error::Error;
use crate::{binary_ops, unary_ops};
use std::f64::consts::PI;

unary_ops! { UNARY;
    /// Sine.
    sin {
        compute: Float,
        kernel: [float: |x| x.sin()],
        grad: SinBackward0 [input] |c, g| c.each(|_| g.mul(&c.x()?.cos()?)),
    }
    /// Cosine.
    cos {
        compute: Float,
        kernel: [float: |x| x.cos()],
        grad: CosBackward0 [input] |c, g| c.each(|_| g.mul(&c.x()?.sin()?.neg()?)),
    }
    /// Tangent.
    tan {
        compute: Float,
        kernel: [float: |x| x.tan()],
        grad: TanBackward0 [output] |c, g| c.each(|_| g.mul(&c.y()?.square()?.add(1i64)?)),
    }
    /// Inverse sine.
    asin {
        aliases: ["arcsin"],
        compute: Float,
        kernel: [float: |x| x.asin()],
        grad: AsinBackward0 [input] |c, g| c.each(|_| g.div(&c.x()?.square()?.rsub(1i64)?.sqrt()?)),
    }
    /// Inverse cosine.
    acos {
        aliases: ["arccos"],
        compute: Float,
        kernel: [float: |x| x.acos()],
        grad: AcosBackward0 [input] |c, g| c.each(|_| g.neg()?.div(&c.x()?.square()?.rsub(1i64)?.sqrt()?)),
    }
    /// Inverse tangent.
    atan {
        aliases: ["arctan"],
        compute: Float,
        kernel: [float: |x| x.atan()],
        grad: AtanBackward0 [input] |c, g| c.each(|_| g.div(&c.x()?.square()?.add(1i64)?)),
    }
    /// Hyperbolic sine.
    sinh {
        compute: Float,
        kernel: [float: |x| x.sinh()],
        grad: SinhBackward0 [input] |c, g| c.each(|_| g.mul(&c.x()?.cosh()?)),
    }
    /// Hyperbolic cosine.
    cosh {
        compute: Float,
        kernel: [float: |x| x.cosh()],
        grad: CoshBackward0 [input] |c, g| c.each(|_| g.mul(&c.x()?.sinh()?)),
    }
    /// Hyperbolic tangent.
    tanh {
        compute: Float,
        kernel: [float: |x| x.v_tanh()],
        grad: TanhBackward0 [output] |c, g| c.each(|_| g.mul(&c.y()?.square()?.rsub(1i64)?)),
    }
    /// Inverse hyperbolic sine.
    asinh {
        aliases: ["arcsinh"],
        compute: Float,
        kernel: [float: |x| x.c_asinh()],
        grad: AsinhBackward0 [input] |c, g| c.each(|_| g.div(&c.x()?.square()?.add(1i64)?.sqrt()?)),
        inplace_grad: AsinhBackward1 |_c, _g| Err(Error::NotImplemented(
            "the derivative for 'inplace version of asinh' is not implemented.".into())),
    }
    /// Inverse hyperbolic cosine.
    acosh {
        aliases: ["arccosh"],
        compute: Float,
        kernel: [float: |x| x.c_acosh()],
        grad: AcoshBackward0 [input] |c, g| c.each(|_| g.mul(&c.x()?.square()?.sub(1i64)?.rsqrt()?)),
        inplace_grad: AcoshBackward1 |_c, _g| Err(Error::NotImplemented(
            "the derivative for 'inplace version of acosh' is not implemented.".into())),
    }
    /// Inverse hyperbolic tangent.
    atanh {
        aliases: ["arctanh"],
        compute: Float,
        kernel: [float: |x| x.c_atanh()],
        grad: AtanhBackward0 [input] |c, g| c.each(|_| g.div(&c.x()?.square()?.rsub(1i64)?)),
        inplace_grad: AtanhBackward1 |_c, _g| Err(Error::NotImplemented(
            "the derivative for 'inplace version of atanh' is not implemented.".into())),
    }
    /// The normalised sinc, `sin(pi x) / (pi x)` (1 at 0).
    sinc {
        aliases: ["special.sinc"],
        compute: Float,
        kernel: [float: |x| if x == x.lit(0.0) { x.lit(1.0) } else { let p = x * x.lit(PI); p.sin() / p }],
        grad: SincBackward0 [input] |c, g| {
            let x = c.x()?;
            let p = x.mul(PI)?;
            let d = p.mul(&p.cos()?)?.sub(&p.sin()?)?.div(&p.mul(&x)?)?;
            let d = crate::Tensor::where_(&x.eq(0i64)?, &0i64.into(), &d.into())?;
            c.each(|_| g.mul(&d))
        },
    }
    /// Degrees to radians.
    deg2rad {
        compute: Float,
        kernel: [float: |x| x * x.lit(PI / 180.0)],
        grad: Deg2RadBackward0 [] |c, g| c.each(|_| g.mul(PI / 180.0)),
    }
    /// Radians to degrees.
    rad2deg {
        compute: Float,
        kernel: [float: |x| x * x.lit(180.0 / PI)],
        grad: Rad2DegBackward0 [] |c, g| c.each(|_| g.mul(180.0 / PI)),
    }
}

binary_ops! { BINARY;
    /// The angle of the point `(other, input)`: `atan(input / other)` in the right quadrant.
    atan2 {
        aliases: ["arctan2"],
        compute: Float,
        kernel: [float: |a, b| a.atan2(b)],
        grad: Atan2Backward0 [input] |c, g| {
            let (a, b) = (c.tensor(0)?, c.tensor(1)?);
            let r = g.div(&a.square()?.add(&b.square()?)?)?;
            c.each(|i| if i == 0 { r.mul(&b) } else { r.mul(&a.neg()?) })
        },
    }
}
