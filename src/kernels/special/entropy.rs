//! The entropy terms `entr` (`-x ln x`) and `xlog1py` (`x ln(1 + y)`), with torch's values at
//! 0, below 0 and at NaN.
// Derived from the sources whose notices are in `mod.rs` (see there).

/// The entropy terms' implementations for one float type, in module `$m`: `$t` is the type
/// (`T` inside).
macro_rules! entropy_impl {
    ($m:ident, $t:ident) => {
        pub(super) mod $m {
            use crate::kernels::special::common::$m::*;

            type T = $t;

            #[inline]
            pub fn entr(x: T) -> T {
                if x.is_nan() {
                    x
                } else if x > 0.0 {
                    -x * x.ln()
                } else if x == 0.0 {
                    0.0
                } else {
                    -INF
                }
            }

            #[inline]
            pub fn xlog1py(x: T, y: T) -> T {
                if y.is_nan() {
                    NAN
                } else if x == 0.0 {
                    0.0
                } else {
                    x * y.ln_1p()
                }
            }
        }
    };
}

entropy_impl!(imp32, f32);
entropy_impl!(imp64, f64);
