//! The C library's `lgamma` as torch's scalar code calls it (in `igamma` and `polygamma`):
//! glibc's fdlibm port for positive arguments, `libm`'s otherwise.
//!
//! The coefficients are fdlibm's (`e_lgamma_r.c`): `A` for `[0.73, 1.23]` around 1 and 2,
//! `T` around the minimum `TC`, `U` / `V` the rational near 1 and 2, `S` / `R` the rational on
//! `[2, 3)`, `W` Stirling's series.
// fdlibm: Copyright (C) 1993 by Sun Microsystems, Inc.; the notice is in `mod.rs`.

const A: [f64; 12] = [
    7.72156649015328655494e-02,
    3.22467033424113591611e-01,
    6.73523010531292681824e-02,
    2.05808084325167332806e-02,
    7.38555086081402883957e-03,
    2.89051383673415629091e-03,
    1.19270763183362067845e-03,
    5.10069792153511336608e-04,
    2.20862790713908385557e-04,
    1.08011567247583939954e-04,
    2.52144565451257326939e-05,
    4.48640949618915160150e-05,
];
const TC: f64 = 1.46163214496836224576e+00;
const TF: f64 = -1.21486290535849611461e-01;
/// `-(tail of TF)`.
const TT: f64 = -3.63867699703950536541e-18;
/// The float32 split of `TF` and its tail.
const TF32: f32 = -1.2148628384e-01;
const TT32: f32 = 6.6971006518e-09;
const T: [f64; 15] = [
    4.83836122723810047042e-01,
    -1.47587722994593911752e-01,
    6.46249402391333854778e-02,
    -3.27885410759859649565e-02,
    1.79706750811820387126e-02,
    -1.03142241298341437450e-02,
    6.10053870246291332635e-03,
    -3.68452016781138256760e-03,
    2.25964780900612472250e-03,
    -1.40346469989232843813e-03,
    8.81081882437654011382e-04,
    -5.38595305356740546715e-04,
    3.15632070903625950361e-04,
    -3.12754168375120860518e-04,
    3.35529192635519073543e-04,
];
const U: [f64; 6] = [
    -7.72156649015328655494e-02,
    6.32827064025093366517e-01,
    1.45492250137234768737e+00,
    9.77717527963372745603e-01,
    2.28963728064692451092e-01,
    1.33810918536787660377e-02,
];
const V: [f64; 6] = [
    1.0,
    2.45597793713041134822e+00,
    2.12848976379893395361e+00,
    7.69285150456672783825e-01,
    1.04222645593369134254e-01,
    3.21709242282423911810e-03,
];
const S: [f64; 7] = [
    -7.72156649015328655494e-02,
    2.14982415960608852501e-01,
    3.25778796408930981787e-01,
    1.46350472652464452805e-01,
    2.66422703033638609560e-02,
    1.84028451407337715652e-03,
    3.19475326584100867617e-05,
];
const R: [f64; 7] = [
    1.0,
    1.39200533467621045958e+00,
    7.21935547567138069525e-01,
    1.71933865632803078993e-01,
    1.86459191715652901344e-02,
    7.77942496381893596434e-04,
    7.32668430744625636189e-06,
];
const W: [f64; 7] = [
    4.18938533204672725052e-01,
    8.33333333333329678849e-02,
    -2.77777777728775536470e-03,
    7.93650558643019558500e-04,
    -5.95187557450339963135e-04,
    8.36339918996282139126e-04,
    -1.63092934096575273989e-03,
];

/// `c[0] + z (c[1] + z (... + z c[n]))`, innermost first, unfused (as the C library computes).
macro_rules! nested {
    ($t:ty; $z:expr; $c:expr) => {{
        let z: $t = $z;
        let c = &$c;
        let mut acc = c[c.len() - 1] as $t;
        for &k in c[..c.len() - 1].iter().rev() {
            acc = k as $t + z * acc;
        }
        acc
    }};
}

/// `lgamma` for `x > 0` as glibc computes it (fdlibm's `__ieee754_lgamma_r`, here with std's `ln`,
/// which is glibc's `log` on Linux): the C library `lgamma` that torch's scalar code calls in
/// `igamma` and `polygamma`, where its last bits are amplified. (Ported from the `libm` crate's
/// `lgamma_r`: MIT, from FreeBSD's `e_lgamma_r.c`, Copyright (C) 1993 by Sun Microsystems, Inc.
/// "Developed at SunPro, a Sun Microsystems, Inc. business. Permission to use, copy, modify,
/// and distribute this software is freely granted, provided that this notice is preserved.")
/// Other arguments go to `libm::lgamma_r`.
pub(super) fn lgamma_c64(x: f64) -> f64 {
    let ix = (x.to_bits() >> 32) as u32;
    let lo = x.to_bits() as u32;
    // Negative, NaN, inf, zero and |x| < 2^-70 (where lgamma is -ln x).
    if x.is_sign_negative() || !((0x3ff - 70) << 20..0x7ff00000).contains(&ix) {
        return libm::lgamma_r(x).0;
    }
    if (ix == 0x3ff00000 || ix == 0x40000000) && lo == 0 {
        return 0.0;
    }
    if ix < 0x40000000 {
        // x < 2
        let (mut r, y, i) = if ix <= 0x3feccccc {
            let r = -x.ln();
            if ix >= 0x3fe76944 {
                (r, 1.0 - x, 0)
            } else if ix >= 0x3fcda661 {
                (r, x - (TC - 1.0), 1)
            } else {
                (r, x, 2)
            }
        } else if ix >= 0x3ffbb4c3 {
            (0.0, 2.0 - x, 0)
        } else if ix >= 0x3ff3b4c4 {
            (0.0, x - TC, 1)
        } else {
            (0.0, x - 1.0, 2)
        };
        match i {
            0 => {
                let z = y * y;
                let p1 = nested!(f64; z; [A[0], A[2], A[4], A[6], A[8], A[10]]);
                let p2 = z * nested!(f64; z; [A[1], A[3], A[5], A[7], A[9], A[11]]);
                let p = y * p1 + p2;
                r += p - 0.5 * y;
            }
            1 => {
                let z = y * y;
                let w = z * y;
                let p1 = nested!(f64; w; [T[0], T[3], T[6], T[9], T[12]]);
                let p2 = nested!(f64; w; [T[1], T[4], T[7], T[10], T[13]]);
                let p3 = nested!(f64; w; [T[2], T[5], T[8], T[11], T[14]]);
                let p = z * p1 - (TT - w * (p2 + y * p3));
                r += TF + p;
            }
            _ => {
                let p1 = y * nested!(f64; y; U);
                let p2 = nested!(f64; y; V);
                r += -0.5 * y + p1 / p2;
            }
        }
        r
    } else if ix < 0x40200000 {
        // 2 <= x < 8
        let i = x as i32;
        let y = x - i as f64;
        let p = y * nested!(f64; y; S);
        let q = nested!(f64; y; R);
        let mut r = 0.5 * y + p / q;
        let mut z = 1.0;
        for k in (2..i).rev() {
            z *= y + k as f64;
        }
        if i >= 3 {
            r += z.ln();
        }
        r
    } else if ix < 0x43900000 {
        // 8 <= x < 2^58
        let t = x.ln();
        let z = 1.0 / x;
        let y = z * z;
        let w = W[0] + z * nested!(f64; y; W[1..]);
        (x - 0.5) * (t - 1.0) + w
    } else {
        x * (x.ln() - 1.0)
    }
}

/// [`lgamma_c64`] for float32: glibc's `lgammaf` for `x > 0` (fdlibm's `e_lgammaf_r.c`, the
/// float conversion by Ian Lance Taylor, Cygnus Support; same notice), with std's `ln` (glibc's
/// `logf`). Other arguments go to `libm::lgammaf_r`.
pub(super) fn lgamma_c32(x: f32) -> f32 {
    let ix = x.to_bits();
    // Negative, NaN, inf, zero and |x| < 2^-21.
    if x.is_sign_negative() || !(0x35000000..0x7f800000).contains(&ix) {
        return libm::lgammaf_r(x).0;
    }
    if ix == 0x3f800000 || ix == 0x40000000 {
        return 0.0;
    }
    let tc = TC as f32;
    if ix < 0x40000000 {
        let (mut r, y, i) = if ix <= 0x3f666666 {
            let r = -x.ln();
            if ix >= 0x3f3b4a20 {
                (r, 1.0 - x, 0)
            } else if ix >= 0x3e6d3308 {
                (r, x - (tc - 1.0), 1)
            } else {
                (r, x, 2)
            }
        } else if ix >= 0x3fdda618 {
            (0.0, 2.0 - x, 0)
        } else if ix >= 0x3f9da620 {
            (0.0, x - tc, 1)
        } else {
            (0.0, x - 1.0, 2)
        };
        match i {
            0 => {
                let z = y * y;
                let p1 = nested!(f32; z; [A[0], A[2], A[4], A[6], A[8], A[10]]);
                let p2 = z * nested!(f32; z; [A[1], A[3], A[5], A[7], A[9], A[11]]);
                let p = y * p1 + p2;
                r += p - 0.5 * y;
            }
            1 => {
                let z = y * y;
                let w = z * y;
                let p1 = nested!(f32; w; [T[0], T[3], T[6], T[9], T[12]]);
                let p2 = nested!(f32; w; [T[1], T[4], T[7], T[10], T[13]]);
                let p3 = nested!(f32; w; [T[2], T[5], T[8], T[11], T[14]]);
                let p = z * p1 - (TT32 - w * (p2 + y * p3));
                r += TF32 + p;
            }
            _ => {
                let p1 = y * nested!(f32; y; U);
                let p2 = nested!(f32; y; V);
                r += -0.5 * y + p1 / p2;
            }
        }
        r
    } else if ix < 0x41000000 {
        let i = x as i32;
        let y = x - i as f32;
        let p = y * nested!(f32; y; S);
        let q = nested!(f32; y; R);
        let mut r = 0.5 * y + p / q;
        let mut z: f32 = 1.0;
        for k in (2..i).rev() {
            z *= y + k as f32;
        }
        if i >= 3 {
            r += z.ln();
        }
        r
    } else if ix < 0x5c800000 {
        let t = x.ln();
        let z = 1.0 / x;
        let y = z * z;
        let w = W[0] as f32 + z * nested!(f32; y; W[1..]);
        (x - 0.5) * (t - 1.0) + w
    } else {
        x * (x.ln() - 1.0)
    }
}
