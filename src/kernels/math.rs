//! Element functions for the pointwise kernels, as methods of [`Math`] (floats) and [`IntMath`]
//! (integers) implemented for each element type, so that one kernel expression such as
//! `|x| x.sigmoid()` compiles for f32 and f64 alike. Integer arithmetic wraps and divides as torch
//! does (Python's floor and modulo); float division by zero follows IEEE.

/// Float functions the kernels use beyond `f32`'s and `f64`'s inherent methods.
pub trait Math: Copy {
    /// `v` in this type (for constants inside kernel expressions: `x * x.lit(0.5)`).
    fn lit(self, v: f64) -> Self;
    /// -1, 0 or 1 (0 for NaN and ±0, as torch).
    fn sign(self) -> Self;
    /// Python's `//` on floats (torch's `div_floor_floating`).
    fn floor_div(self, o: Self) -> Self;
    /// Python's `%` on floats: the sign of the divisor.
    fn py_rem(self, o: Self) -> Self;
    /// `x ** y`, with `x * x` for `y == 2`.
    fn pow_(self, y: Self) -> Self;
    /// `x - trunc(x)` (NaN for ±inf, as torch).
    fn frac_(self) -> Self;
    /// The largest finite value of this type.
    fn finite_max(self) -> Self;
    /// The next representable value after `self` towards `o` (C's `nextafter`).
    fn next_after(self, o: Self) -> Self;
    /// The mantissa of C's `frexp`: in `[0.5, 1)` in magnitude (`self` for 0, ±inf and NaN).
    fn frexp_mantissa(self) -> Self;
    /// The exponent of C's `frexp` (0 for 0, ±inf and NaN).
    fn frexp_exponent(self) -> i32;
    /// C's `asinh` (the `libm` crate's: accurate near 0 and finite for huge inputs, where std's
    /// formula overflows).
    fn c_asinh(self) -> Self;
    /// C's `acosh` (accurate just above 1 and finite for huge inputs).
    fn c_acosh(self) -> Self;
    /// C's `atanh` (accurate near ±1).
    fn c_atanh(self) -> Self;
}

macro_rules! impl_math {
    ($t:ty, $next:path, $frexp:path, $asinh:path, $acosh:path, $atanh:path) => {
        impl Math for $t {
            #[inline(always)]
            fn lit(self, v: f64) -> $t {
                v as $t
            }
            #[inline(always)]
            fn sign(self) -> $t {
                if self > 0.0 {
                    1.0
                } else if self < 0.0 {
                    -1.0
                } else {
                    0.0
                }
            }
            #[inline(always)]
            fn floor_div(self, o: $t) -> $t {
                if o == 0.0 {
                    return self / o;
                }
                let m = self % o;
                let mut div = (self - m) / o;
                if m != 0.0 && ((o < 0.0) != (m < 0.0)) {
                    div -= 1.0;
                }
                if div != 0.0 {
                    let f = div.floor();
                    if div - f > 0.5 {
                        f + 1.0
                    } else {
                        f
                    }
                } else {
                    (0.0 as $t).copysign(self / o)
                }
            }
            #[inline(always)]
            fn py_rem(self, o: $t) -> $t {
                let m = self % o;
                if m != 0.0 && ((o < 0.0) != (m < 0.0)) {
                    m + o
                } else {
                    m
                }
            }
            #[inline(always)]
            fn pow_(self, y: $t) -> $t {
                if y == 2.0 {
                    self * self
                } else {
                    self.powf(y)
                }
            }
            #[inline(always)]
            fn frac_(self) -> $t {
                self - self.trunc()
            }
            #[inline(always)]
            fn finite_max(self) -> $t {
                <$t>::MAX
            }
            #[inline(always)]
            fn next_after(self, o: $t) -> $t {
                $next(self, o)
            }
            #[inline(always)]
            fn frexp_mantissa(self) -> $t {
                $frexp(self).0
            }
            #[inline(always)]
            fn frexp_exponent(self) -> i32 {
                $frexp(self).1
            }
            #[inline(always)]
            fn c_asinh(self) -> $t {
                $asinh(self)
            }
            #[inline(always)]
            fn c_acosh(self) -> $t {
                // Below 1 it is NaN (the crate's float32 version answers some negative inputs).
                if self < 1.0 {
                    <$t>::NAN
                } else {
                    $acosh(self)
                }
            }
            #[inline(always)]
            fn c_atanh(self) -> $t {
                $atanh(self)
            }
        }
    };
}
impl_math!(
    f32,
    libm::nextafterf,
    libm::frexpf,
    libm::asinhf,
    libm::acoshf,
    libm::atanhf
);
impl_math!(
    f64,
    libm::nextafter,
    libm::frexp,
    libm::asinh,
    libm::acosh,
    libm::atanh
);

/// Integer functions with torch's semantics: wrapping arithmetic, Python's floor division and
/// modulo (a zero divisor is refused before the kernel runs, so it gives 0 here), C's powers.
pub trait IntMath: Copy {
    /// `v` in this type (wrapping).
    fn lit(self, v: i64) -> Self;
    /// Python's `//`.
    fn floor_div(self, o: Self) -> Self;
    /// Python's `%`.
    fn py_rem(self, o: Self) -> Self;
    /// C's `%` (the sign of the dividend): `fmod`.
    fn c_rem(self, o: Self) -> Self;
    /// Division rounded toward zero.
    fn trunc_div(self, o: Self) -> Self;
    /// `x ** y`; a negative exponent gives what integer arithmetic would: 1 for a base of 1,
    /// ±1 for -1, else 0.
    fn pow_(self, y: Self) -> Self;
    /// -1, 0 or 1.
    fn sign(self) -> Self;
}

macro_rules! impl_int_math {
    ($t:ty) => {
        impl IntMath for $t {
            #[inline(always)]
            fn lit(self, v: i64) -> $t {
                v as $t
            }
            #[inline(always)]
            fn floor_div(self, o: $t) -> $t {
                if o == 0 {
                    return 0;
                }
                let q = self.wrapping_div(o);
                if self.wrapping_rem(o) != 0 && ((self < 0) != (o < 0)) {
                    q.wrapping_sub(1)
                } else {
                    q
                }
            }
            #[inline(always)]
            fn py_rem(self, o: $t) -> $t {
                if o == 0 {
                    return 0;
                }
                let r = self.wrapping_rem(o);
                if r != 0 && ((r < 0) != (o < 0)) {
                    r.wrapping_add(o)
                } else {
                    r
                }
            }
            #[inline(always)]
            fn c_rem(self, o: $t) -> $t {
                if o == 0 {
                    0
                } else {
                    self.wrapping_rem(o)
                }
            }
            #[inline(always)]
            fn trunc_div(self, o: $t) -> $t {
                if o == 0 {
                    0
                } else {
                    self.wrapping_div(o)
                }
            }
            #[inline(always)]
            fn pow_(self, y: $t) -> $t {
                if y < 0 {
                    return match self {
                        1 => 1,
                        -1 => {
                            if y & 1 == 0 {
                                1
                            } else {
                                -1
                            }
                        }
                        _ => 0,
                    };
                }
                let (mut base, mut exp, mut acc) = (self, y, 1 as $t);
                while exp > 0 {
                    if exp & 1 == 1 {
                        acc = acc.wrapping_mul(base);
                    }
                    base = base.wrapping_mul(base);
                    exp >>= 1;
                }
                acc
            }
            #[inline(always)]
            fn sign(self) -> $t {
                self.signum()
            }
        }
    };
}
impl_int_math!(i32);
impl_int_math!(i64);

/// Addition and multiplication as torch's integer kernels do them: wrapping for integers, `or`
/// and `and` for bool (an accumulating scatter, the integer matrix product).
pub trait Accumulate: Copy {
    /// `self + o`.
    fn acc(self, o: Self) -> Self;
    /// `self * o`.
    fn times(self, o: Self) -> Self;
}

macro_rules! impl_accumulate {
    ($($t:ty => |$a:ident, $b:ident| $add:expr, $mul:expr;)*) => {$(
        impl Accumulate for $t {
            #[inline(always)]
            fn acc(self, o: $t) -> $t {
                let ($a, $b) = (self, o);
                $add
            }
            #[inline(always)]
            fn times(self, o: $t) -> $t {
                let ($a, $b) = (self, o);
                $mul
            }
        }
    )*};
}
impl_accumulate! {
    f32 => |a, b| a + b, a * b;
    f64 => |a, b| a + b, a * b;
    i32 => |a, b| a.wrapping_add(b), a.wrapping_mul(b);
    i64 => |a, b| a.wrapping_add(b), a.wrapping_mul(b);
    u8 => |a, b| a.wrapping_add(b), a.wrapping_mul(b);
    i8 => |a, b| a.wrapping_add(b), a.wrapping_mul(b);
    i16 => |a, b| a.wrapping_add(b), a.wrapping_mul(b);
    crate::dtype::f16 => |a, b| a + b, a * b;
    crate::dtype::bf16 => |a, b| a + b, a * b;
    bool => |a, b| a | b, a & b;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integer_arithmetic_wraps_and_never_panics() {
        assert_eq!(i64::MIN.floor_div(-1), i64::MIN);
        assert_eq!(i64::MIN.py_rem(-1), 0);
        assert_eq!(i32::MIN.floor_div(-1), i32::MIN);
        assert_eq!((-7i64).floor_div(2), -4);
        assert_eq!((-7i64).py_rem(2), 1);
        assert_eq!((-7i64).c_rem(2), -1);
        assert_eq!(2i64.pow_(-1), 0);
        assert_eq!((-1i64).pow_(i64::MIN), 1);
        assert_eq!((-1i64).pow_(-3), -1);
        assert_eq!(3i64.pow_(4), 81);
    }

    #[test]
    fn float_floor_division_and_modulo_follow_python() {
        assert_eq!((-7.0f64).floor_div(2.0), -4.0);
        assert_eq!((-7.0f64).py_rem(2.0), 1.0);
        assert_eq!(7.0f64.py_rem(-2.0), -1.0);
        assert!((1.0f64).floor_div(0.0).is_infinite());
        assert_eq!(f64::NAN.sign(), 0.0);
        assert_eq!((-0.0f32).sign(), 0.0);
    }
}
