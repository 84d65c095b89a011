//! Special functions with torch's values: the element functions behind `erfinv`, `lgamma`,
//! `digamma`, `polygamma`, `mvlgamma`, `i0`, `igamma`, `igammac` and `torch.special`'s `i0e`,
//! `i1`, `i1e`, `ndtr`, `ndtri`, `log_ndtr`, `erfcx`, `entr`, `xlog1py` and `zeta`, as methods of
//! [`Special`] for `f32` and `f64`.
//!
//! The algorithms are PyTorch's (`aten/src/ATen/native/Math.h`, which takes them from Cephes,
//! SciPy, Boost and the Faddeeva package), ported operation by operation together with what
//! decides the last bits of torch's CPU results, so that most functions return torch's values
//! bit for bit (each method's doc says how close it is):
//!
//! - Mixed precision. Torch's `float` instantiations run in float32, except where its C++
//!   mixes in `double`: a `double` literal in a `float` expression (`x > 1.1`, `0.4 * |a|`,
//!   `erfcx`'s `x*x + 4.5` and its table of `double` coefficients), `::log` and `::sqrt` (the
//!   C library's double functions) in `ndtri`, the reflection's `tan` in `digamma`, `zeta`'s
//!   float64 accumulator (whose first term `q^-x` is still a float `pow`), and
//!   `_igam_helper_asymptotic_series`' float64 exponential with a float32 `pi`. The port does
//!   the same with explicit `as f64` (no-ops in the float64 instantiation). Tables torch
//!   declares as `T` from `double` literals are cast from `f64`; those it writes as `float`
//!   literals are `f32` literals.
//! - Fused multiply-adds. Torch's CPU kernels are compiled by GCC for AVX2 / AVX-512 with FMA,
//!   and GCC contracts `a * b + c` into one fused operation (`-ffp-contract=fast`, its
//!   default): the Chebyshev and polynomial recurrences (`chbevl`, `polevl`), the rational
//!   approximations, `trigamma`'s series, `ndtri`'s `y + y r`, the incomplete gamma helpers.
//!   The port writes those as `mul_add` (a call to the C library's `fma` where this crate is
//!   built without FMA: the same result, slower). A product converted between float and
//!   double before the addition cannot be fused, and is not. Two exceptions were found by
//!   comparing with torch: `erfcx` and `log_ndtr` run unfused, and `igamma` calls an unfused
//!   copy of `igammac`'s code (see `igammac_impl`).
//! - The C library. `exp`, `ln`, `ln_1p`, `exp_m1`, `powf`, `sin`, `tan` are std's, which call
//!   the platform's libm as torch does (glibc on Linux). The `lgamma` that torch's scalar code
//!   calls inside `igamma` and `polygamma` is ported from fdlibm (glibc's, for positive
//!   arguments) over std's `ln`; `erfc` is the `libm` crate's (musl's), which can differ from
//!   glibc's by an ulp.
//! - MKL and SLEEF. Torch's x86 builds compute `erfinv`, and the `erf` inside `ndtr`, with MKL's
//!   vector math in high-accuracy mode, and `lgamma` with SLEEF. Here `erfinv` is an accurate
//!   float64 Newton iteration from torch's first guess, `erf` for float32 goes through float64
//!   (both correctly rounded in float32 but for rare ties, as MKL's), and `lgamma` is `libm`'s
//!   `lgamma_r` in float64. Torch builds without MKL (aarch64, macOS) use `calc_erfinv`, which
//!   loses accuracy within ~1e-7 of ±1 in float32: there the values differ from those builds'.
//!
//! Domain errors that torch raises (`polygamma` with `n < 0`, `mvlgamma` with `p < 1` or an
//! element not above `(p - 1) / 2`) are the caller's to check; these functions return NaN for a
//! negative `n` or `p < 1` and compute the formula otherwise. They never panic.
//!
//! The code is split by topic, one file each: `gamma` (`lgamma`, `digamma`, `polygamma`,
//! `mvlgamma`, `zeta`), `fdlibm_lgamma` (the C library's `lgamma` that torch's scalar code
//! calls), `bessel` (`i0`, `i0e`, `i1`, `i1e`), `normal` (`erfinv`, `ndtr`, `ndtri`, `log_ndtr`,
//! `erfcx`), `incomplete_gamma` (`igamma`, `igammac`) and `entropy` (`entr`, `xlog1py`). Each
//! topic's macro expands its functions once per float type, into modules `imp32` and `imp64`
//! (`T` is the type inside), which share the helpers of `common`; the [`Special`] impls below
//! call them.
//!
//! The code derives from PyTorch's, Cephes', SciPy's, Boost's, fdlibm's and the Faddeeva
//! package's: their notices are in the comment below.

// Notices of the sources this module's code derives from.
//
// PyTorch (aten/src/ATen/native/Math.h): Copyright (c) 2016- Facebook, Inc (Adam Paszke) and
// the PyTorch contributors; BSD-3-Clause, the same conditions and disclaimer as below.
//
// Cephes (zeta, digamma, i0/i0e/i1/i1e, ndtri, the incomplete gamma functions): Copyright (c)
// 2018, Steven Moshier. All rights reserved. Redistribution and use in source and binary forms,
// with or without modification, are permitted provided that the following conditions are met:
// * Redistributions of source code must retain the above copyright notice, this list of
//   conditions and the following disclaimer.
// * Redistributions in binary form must reproduce the above copyright notice, this list of
//   conditions and the following disclaimer in the documentation and/or other materials
//   provided with the distribution.
// * Neither the name of the nor the names of its contributors may be used to endorse or promote
//   products derived from this software without specific prior written permission.
// THIS SOFTWARE IS PROVIDED BY THE COPYRIGHT HOLDERS AND CONTRIBUTORS "AS IS" AND ANY EXPRESS
// OR IMPLIED WARRANTIES, INCLUDING, BUT NOT LIMITED TO, THE IMPLIED WARRANTIES OF
// MERCHANTABILITY AND FITNESS FOR A PARTICULAR PURPOSE ARE DISCLAIMED. IN NO EVENT SHALL Steven
// Moshier BE LIABLE FOR ANY DIRECT, INDIRECT, INCIDENTAL, SPECIAL, EXEMPLARY, OR CONSEQUENTIAL
// DAMAGES (INCLUDING, BUT NOT LIMITED TO, PROCUREMENT OF SUBSTITUTE GOODS OR SERVICES; LOSS OF
// USE, DATA, OR PROFITS; OR BUSINESS INTERRUPTION) HOWEVER CAUSED AND ON ANY THEORY OF
// LIABILITY, WHETHER IN CONTRACT, STRICT LIABILITY, OR TORT (INCLUDING NEGLIGENCE OR OTHERWISE)
// ARISING IN ANY WAY OUT OF THE USE OF THIS SOFTWARE, EVEN IF ADVISED OF THE POSSIBILITY OF
// SUCH DAMAGE.
//
// SciPy (igam.c, the incomplete gamma functions and log_ndtr): Copyright (c) 2001-2002
// Enthought, Inc. 2003-2019, SciPy Developers. All rights reserved. BSD-3-Clause: the same
// conditions and disclaimer as Cephes' above, with "the copyright holder" for the name.
//
// Boost (the Lanczos approximation `lanczos_sum_expg_scaled`): (C) Copyright John Maddock 2006.
// Boost Software License - Version 1.0 - August 17th, 2003. Permission is hereby granted, free
// of charge, to any person or organization obtaining a copy of the software and accompanying
// documentation covered by this license (the "Software") to use, reproduce, display,
// distribute, execute, and transmit the Software, and to prepare derivative works of the
// Software, and to permit third-parties to whom the Software is furnished to do so, all subject
// to the following: The copyright notices in the Software and this entire statement, including
// the above license grant, this restriction and the following disclaimer, must be included in
// all copies of the Software, in whole or in part, and all derivative works of the Software,
// unless such copies or derivative works are solely in the form of machine-executable object
// code generated by a source language processor. THE SOFTWARE IS PROVIDED "AS IS", WITHOUT
// WARRANTY OF ANY KIND, EXPRESS OR IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF
// MERCHANTABILITY, FITNESS FOR A PARTICULAR PURPOSE, TITLE AND NON-INFRINGEMENT. IN NO EVENT
// SHALL THE COPYRIGHT HOLDERS OR ANYONE DISTRIBUTING THE SOFTWARE BE LIABLE FOR ANY DAMAGES OR
// OTHER LIABILITY, WHETHER IN CONTRACT, TORT OR OTHERWISE, ARISING FROM, OUT OF OR IN
// CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE SOFTWARE.
//
// fdlibm (the positive-argument `lgamma` / `lgammaf` of `lgamma_c64` / `lgamma_c32`, ported
// from the `libm` crate's `lgamma_r.rs` / `lgammaf_r.rs`, themselves from FreeBSD's
// `e_lgamma_r.c` / `e_lgammaf_r.c`, the float conversion by Ian Lance Taylor, Cygnus Support):
// Copyright (C) 1993 by Sun Microsystems, Inc. All rights reserved. Developed at SunPro, a Sun
// Microsystems, Inc. business. Permission to use, copy, modify, and distribute this software is
// freely granted, provided that this notice is preserved. The `libm` crate (rust-lang/libm) is
// available under the MIT license, with the same permission notice as the Faddeeva package's
// below.
//
// The Faddeeva package (erfcx, http://ab-initio.mit.edu/faddeeva, by Steven G. Johnson):
// Copyright (c) 2012 Massachusetts Institute of Technology. Permission is hereby granted, free
// of charge, to any person obtaining a copy of this software and associated documentation
// files (the "Software"), to deal in the Software without restriction, including without
// limitation the rights to use, copy, modify, merge, publish, distribute, sublicense, and/or
// sell copies of the Software, and to permit persons to whom the Software is furnished to do
// so, subject to the following conditions: The above copyright notice and this permission
// notice shall be included in all copies or substantial portions of the Software. THE SOFTWARE
// IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR IMPLIED, INCLUDING BUT NOT
// LIMITED TO THE WARRANTIES OF MERCHANTABILITY, FITNESS FOR A PARTICULAR PURPOSE AND
// NONINFRINGEMENT. IN NO EVENT SHALL THE AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM,
// DAMAGES OR OTHER LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,
// OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE SOFTWARE.

// The coefficient tables keep torch's digits (more than an f64 holds) so that they can be
// compared with the source.
#![allow(clippy::excessive_precision, clippy::unreadable_literal)]

mod bessel;
mod common;
mod entropy;
mod fdlibm_lgamma;
mod gamma;
mod incomplete_gamma;
mod normal;
#[cfg(test)]
mod tests;

/// Torch's special functions on one element (`self` is the tensor element; binary functions take
/// the other operand as argument, in torch's argument order). "Identical to torch" below means
/// bit for bit on the golden values of this module's tests (torch 2.15, x86-64 Linux); the ulp
/// figures are the largest distances measured there and on 50 000 random points.
pub trait Special: Copy {
    /// Inverse error function (`torch.erfinv`): `±inf` at `±1`, NaN beyond. Torch's first guess
    /// refined by Newton steps in float64 with a residual accurate in the tails: float32
    /// identical to torch's x86 builds (which call MKL), float64 within 1 ulp.
    fn erfinv(self) -> Self;
    /// `ln |Γ(x)|` (`torch.lgamma`): `+inf` at zero and the negative integers. `libm`'s
    /// `lgamma_r` (float32 through float64); torch uses SLEEF: within 3 ulps of it (float32 1)
    /// where `|lgamma(x)| >= 1/2`, nearer the zeros an absolute difference ~1e-16.
    fn lgamma(self) -> Self;
    /// Digamma `ψ(x) = Γ'(x) / Γ(x)` (`torch.digamma`): `-inf` at `+0`, `+inf` at `-0`, NaN at
    /// the negative integers and `-inf`. Identical to torch.
    fn digamma(self) -> Self;
    /// Polygamma `ψ⁽ⁿ⁾(x)` (`torch.polygamma(n, x)`): digamma for `n = 0`, trigamma for
    /// `n = 1`, `(-1)^(n+1) n! ζ(n + 1, x)` above; NaN for `n < 0` (which torch rejects).
    /// Identical to torch.
    fn polygamma(self, n: i64) -> Self;
    /// Multivariate log-gamma of dimension `p` (`torch.mvlgamma(x, p)`):
    /// `Σ_{j<p} lgamma(x - j / 2) + p (p - 1) / 4 ln π`, the terms summed in the order of
    /// torch's `sum` kernel; within 2 ulps of torch (its `lgamma`'s). NaN for `p < 1`;
    /// torch's check that `x > (p - 1) / 2` is the caller's. Costs `p` `lgamma`s.
    fn mvlgamma(self, p: i64) -> Self;
    /// Hurwitz zeta `ζ(x, q) = Σ_k (k + q)^-x` (`torch.special.zeta(x, q)`, `self` is `x`):
    /// `inf` at `x = 1` and at integer `q <= 0`, NaN for `x < 1`. Summed in float64 for both
    /// types, as torch does; identical to torch. For a negative non-integer `q` the direct sum
    /// runs about `|q|` terms (as torch's does).
    fn zeta(self, q: Self) -> Self;
    /// Modified Bessel function of the first kind of order 0 (`torch.i0`). Identical to torch.
    fn i0(self) -> Self;
    /// Exponentially scaled `i0`: `e^-|x| I0(x)` (`torch.special.i0e`). Identical to torch.
    fn i0e(self) -> Self;
    /// Modified Bessel function of the first kind of order 1 (`torch.special.i1`). Identical
    /// to torch.
    fn i1(self) -> Self;
    /// Exponentially scaled `i1`: `e^-|x| I1(x)` (`torch.special.i1e`). Identical to torch.
    fn i1e(self) -> Self;
    /// Standard normal CDF (`torch.special.ndtr`) by torch's formula
    /// `(1 + erf(x / sqrt 2)) / 2`. Float32 mostly identical to torch, float64 within 8 ulps
    /// (the `erf`, MKL's in torch, differs by an ulp, which `1 + erf` magnifies below 0); in
    /// the lower tail `1 + erf` cancels, and both have absolute errors ~1e-16 (float32 ~6e-8),
    /// which can make them differ by that much (`log_ndtr` is accurate there).
    fn ndtr(self) -> Self;
    /// Inverse of the standard normal CDF (`torch.special.ndtri`): `-inf` at 0, `inf` at 1,
    /// NaN outside `[0, 1]`. Identical to torch.
    fn ndtri(self) -> Self;
    /// Log of the standard normal CDF (`torch.special.log_ndtr`), accurate far into the lower
    /// tail (through `erfcx`). Within 3 ulps of torch (float32 2: the C library's `erfc` above
    /// `x = -1`).
    fn log_ndtr(self) -> Self;
    /// Scaled complementary error function `e^(x²) erfc(x)` (`torch.special.erfcx`). Identical
    /// to torch.
    fn erfcx(self) -> Self;
    /// Regularized lower incomplete gamma `P(a, x)` (`torch.igamma(a, x)`, `self` is `a`).
    /// NaN for negative arguments; `P(0, x > 0) = 1`, `P(a > 0, 0) = 0`, `P(inf, finite x) = 0`,
    /// `P(finite a, inf) = 1`, NaN for `a = x = 0` and `a = x = inf`. Within 2 ulps of torch
    /// (the `erfc` in its asymptotic series for large `a`), mostly identical.
    fn igamma(self, x: Self) -> Self;
    /// Regularized upper incomplete gamma `Q(a, x) = 1 - P(a, x)` (`torch.igammac(a, x)`,
    /// `self` is `a`), with the edge values complementary to [`Special::igamma`]'s. Within 3
    /// ulps of torch (as `igamma`), mostly identical.
    fn igammac(self, x: Self) -> Self;
    /// Entropy term `-x ln x` (`torch.special.entr`): 0 at 0, `-inf` below, NaN stays NaN.
    /// Identical to torch.
    fn entr(self) -> Self;
    /// `x ln(1 + y)` (`torch.special.xlog1py(x, y)`, `self` is `x`): 0 where `x == 0` unless
    /// `y` is NaN, NaN where `y` is NaN. Identical to torch.
    fn xlog1py(self, y: Self) -> Self;
}

/// `Special` for the float type `$t`: each method calls its topic's implementation in the
/// topic's module `$m` for the type (`imp32` / `imp64`).
macro_rules! special_impl {
    ($t:ident, $m:ident) => {
        impl Special for $t {
            #[inline]
            fn erfinv(self) -> $t {
                normal::$m::erfinv(self)
            }
            #[inline]
            fn lgamma(self) -> $t {
                gamma::$m::lgamma(self)
            }
            #[inline]
            fn digamma(self) -> $t {
                gamma::$m::digamma(self)
            }
            #[inline]
            fn polygamma(self, n: i64) -> $t {
                gamma::$m::polygamma(self, n)
            }
            #[inline]
            fn mvlgamma(self, p: i64) -> $t {
                gamma::$m::mvlgamma(self, p)
            }
            #[inline]
            fn zeta(self, q: $t) -> $t {
                gamma::$m::zeta(self, q)
            }
            #[inline]
            fn i0(self) -> $t {
                bessel::$m::i0(self)
            }
            #[inline]
            fn i0e(self) -> $t {
                bessel::$m::i0e(self)
            }
            #[inline]
            fn i1(self) -> $t {
                bessel::$m::i1(self)
            }
            #[inline]
            fn i1e(self) -> $t {
                bessel::$m::i1e(self)
            }
            #[inline]
            fn ndtr(self) -> $t {
                normal::$m::ndtr(self)
            }
            #[inline]
            fn ndtri(self) -> $t {
                normal::$m::ndtri(self)
            }
            #[inline]
            fn log_ndtr(self) -> $t {
                normal::$m::log_ndtr(self)
            }
            #[inline]
            fn erfcx(self) -> $t {
                normal::$m::erfcx(self)
            }
            #[inline]
            fn igamma(self, x: $t) -> $t {
                incomplete_gamma::$m::igamma(self, x)
            }
            #[inline]
            fn igammac(self, x: $t) -> $t {
                incomplete_gamma::$m::igammac(self, x)
            }
            #[inline]
            fn entr(self) -> $t {
                entropy::$m::entr(self)
            }
            #[inline]
            fn xlog1py(self, y: $t) -> $t {
                entropy::$m::xlog1py(self, y)
            }
        }
    };
}

special_impl!(f32, imp32);
special_impl!(f64, imp64);
