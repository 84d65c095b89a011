//! What the topic files share, per float type: `common_impl!` puts the table cast, the constants
//! and the polynomial evaluation for each type in a module (`imp32`, `imp64`), which each topic's
//! module of the same name imports.
// Derived from the sources whose notices are in `mod.rs` (see there).

/// The shared helpers for the float type `$t` (`T` inside), in module `$m`.
macro_rules! common_impl {
    ($m:ident, $t:ident) => {
        pub(super) mod $m {
            type T = $t;

            /// `a` cast element by element (torch's `static const T c[] = {double literals}`).
            pub const fn cast<const N: usize>(a: [f64; N]) -> [T; N] {
                let mut out = [0.0; N];
                let mut i = 0;
                while i < N {
                    out[i] = a[i] as T;
                    i += 1;
                }
                out
            }

            pub const INF: T = T::INFINITY;
            /// Whether `T` is `f64` (where torch's float32 code converts a product to double
            /// before adding, which keeps the compiler from fusing them).
            pub const F64: bool = std::mem::size_of::<T>() == 8;
            pub const NAN: T = T::NAN;

            /// Cephes' `polevl`: the polynomial with coefficients `a` (highest degree first).
            #[inline]
            pub fn polevl(x: T, a: &[T]) -> T {
                let mut r: T = 0.0;
                for &c in a {
                    r = r.mul_add(x, c);
                }
                r
            }
        }
    };
}

common_impl!(imp32, f32);
common_impl!(imp64, f64);
