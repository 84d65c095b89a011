//! Pointwise kernels: per-dtype element functions bundled with the dtypes they take. The macros
//! [`k1!`](crate::k1) and [`k2!`](crate::k2) turn one element expression per dtype family into a
//! kernel: `k1!(float: |x| x.floor(), int: |x| x)` runs `floor` on float32 and float64 and the
//! identity on int32 and int64, each compiled for that type. Kernels know nothing of autograd,
//! promotion or destinations; the op layer (`ops::pointwise`) decides those.

use crate::dtype::DType;
use crate::error::Result;
use crate::tensor::Tensor;

/// A kernel of one operand.
pub trait Kernel1 {
    /// Whether it computes in `dtype`.
    fn supports(&self, dtype: DType) -> bool;
    /// `dst = f(src)`, `src` of `dtype`, `dst` of the kernel's output dtype, one shape.
    fn run(&self, dtype: DType, src: &Tensor, dst: &Tensor) -> Result<()>;
    /// `t = f(t)` in place, when the output dtype is the input's (else `None`).
    fn run_in_place(&self, dtype: DType, t: &Tensor) -> Option<Result<()>>;
}

/// A kernel of two operands.
pub trait Kernel2 {
    /// Whether it computes in `dtype`.
    fn supports(&self, dtype: DType) -> bool;
    /// `dst = f(a, b)`, operands of `dtype` with `dst`'s shape (broadcast beforehand).
    fn run(&self, dtype: DType, a: &Tensor, b: &Tensor, dst: &Tensor) -> Result<()>;
}

/// A kernel of three operands.
pub trait Kernel3 {
    /// Whether it computes in `dtype`.
    fn supports(&self, dtype: DType) -> bool;
    /// `dst = f(a, b, c)`, operands of `dtype` with `dst`'s shape (broadcast beforehand).
    fn run(&self, dtype: DType, a: &Tensor, b: &Tensor, c: &Tensor, dst: &Tensor) -> Result<()>;
}

/// A [`Kernel1`] made of closures (what [`k1!`](crate::k1) builds).
pub struct K1<S, R, P> {
    /// Which dtypes it takes.
    pub supports: S,
    /// The out-of-place loop.
    pub run: R,
    /// The in-place loop.
    pub in_place: P,
}

impl<S, R, P> Kernel1 for K1<S, R, P>
where
    S: Fn(DType) -> bool,
    R: Fn(DType, &Tensor, &Tensor) -> Result<()>,
    P: Fn(DType, &Tensor) -> Option<Result<()>>,
{
    fn supports(&self, dtype: DType) -> bool {
        (self.supports)(dtype)
    }
    fn run(&self, dtype: DType, src: &Tensor, dst: &Tensor) -> Result<()> {
        (self.run)(dtype, src, dst)
    }
    fn run_in_place(&self, dtype: DType, t: &Tensor) -> Option<Result<()>> {
        (self.in_place)(dtype, t)
    }
}

/// A [`Kernel2`] made of closures (what [`k2!`](crate::k2) builds).
pub struct K2<S, R> {
    /// Which dtypes it takes.
    pub supports: S,
    /// The loop.
    pub run: R,
}

impl<S, R> Kernel2 for K2<S, R>
where
    S: Fn(DType) -> bool,
    R: Fn(DType, &Tensor, &Tensor, &Tensor) -> Result<()>,
{
    fn supports(&self, dtype: DType) -> bool {
        (self.supports)(dtype)
    }
    fn run(&self, dtype: DType, a: &Tensor, b: &Tensor, dst: &Tensor) -> Result<()> {
        (self.run)(dtype, a, b, dst)
    }
}

/// A [`Kernel3`] made of closures (what [`k3!`](crate::k3) builds).
pub struct K3<S, R> {
    /// Which dtypes it takes.
    pub supports: S,
    /// The loop.
    pub run: R,
}

impl<S, R> Kernel3 for K3<S, R>
where
    S: Fn(DType) -> bool,
    R: Fn(DType, &Tensor, &Tensor, &Tensor, &Tensor) -> Result<()>,
{
    fn supports(&self, dtype: DType) -> bool {
        (self.supports)(dtype)
    }
    fn run(&self, dtype: DType, a: &Tensor, b: &Tensor, c: &Tensor, dst: &Tensor) -> Result<()> {
        (self.run)(dtype, a, b, c, dst)
    }
}

/// The error of a kernel asked for a dtype it does not take (the op layer checks first).
pub fn no_kernel(dtype: DType) -> crate::error::Error {
    crate::error::Error::Runtime(format!("internal error: no kernel for {}", dtype.name()))
}

/// Builds a [`K1`] from element expressions per dtype family: `float`, `int`, `bool` (same type
/// out), or `float -> bool`, `int -> bool` (a bool result).
#[macro_export]
macro_rules! k1 {
    ($($cat:ident $(-> $out:ident)? : |$x:ident| $e:expr),+ $(,)?) => {
        $crate::kernels::pointwise::K1 {
            supports: |dt: $crate::DType| false $(|| $crate::k1!(@has $cat, dt))+,
            run: move |dt: $crate::DType, s: &$crate::Tensor, d: &$crate::Tensor|
                -> $crate::Result<()> {
                $($crate::k1!(@run $cat $(-> $out)?, dt, s, d, |$x| $e);)+
                Err($crate::kernels::pointwise::no_kernel(dt))
            },
            in_place: move |dt: $crate::DType, t: &$crate::Tensor|
                -> Option<$crate::Result<()>> {
                $($crate::k1!(@in_place $cat $(-> $out)?, dt, t, |$x| $e);)+
                None
            },
        }
    };
    (@has float, $dt:ident) => { matches!($dt, $crate::DType::Float32 | $crate::DType::Float64) };
    (@has half, $dt:ident) => { matches!($dt, $crate::DType::Float16 | $crate::DType::BFloat16) };
    (@has int, $dt:ident) => { matches!($dt, $crate::DType::Int32 | $crate::DType::Int64) };
    (@has bool, $dt:ident) => { $dt == $crate::DType::Bool };
    (@one $t:ty => $o:ty, $s:ident, $d:ident, |$x:ident| $e:expr) => {{
        #[allow(unused_imports)]
        use $crate::kernels::math::{IntMath as _, Math as _};
        #[allow(unused_imports)]
        use $crate::kernels::vmath::VMath as _;
        $crate::kernels::engine::unary(
            $crate::kernels::engine::Operand::<$o>::of($d)?,
            $crate::kernels::engine::Operand::<$t>::of($s)?,
            |$x: $t| -> $o { $e },
        )
    }};
    (@run float, $dt:ident, $s:ident, $d:ident, |$x:ident| $e:expr) => {
        if $dt == $crate::DType::Float32 { return $crate::k1!(@one f32 => f32, $s, $d, |$x| $e); }
        if $dt == $crate::DType::Float64 { return $crate::k1!(@one f64 => f64, $s, $d, |$x| $e); }
    };
    (@run float -> bool, $dt:ident, $s:ident, $d:ident, |$x:ident| $e:expr) => {
        if $dt == $crate::DType::Float32 { return $crate::k1!(@one f32 => bool, $s, $d, |$x| $e); }
        if $dt == $crate::DType::Float64 { return $crate::k1!(@one f64 => bool, $s, $d, |$x| $e); }
    };
    (@run int, $dt:ident, $s:ident, $d:ident, |$x:ident| $e:expr) => {
        if $dt == $crate::DType::Int32 { return $crate::k1!(@one i32 => i32, $s, $d, |$x| $e); }
        if $dt == $crate::DType::Int64 { return $crate::k1!(@one i64 => i64, $s, $d, |$x| $e); }
    };
    (@run int -> bool, $dt:ident, $s:ident, $d:ident, |$x:ident| $e:expr) => {
        if $dt == $crate::DType::Int32 { return $crate::k1!(@one i32 => bool, $s, $d, |$x| $e); }
        if $dt == $crate::DType::Int64 { return $crate::k1!(@one i64 => bool, $s, $d, |$x| $e); }
    };
    (@run bool, $dt:ident, $s:ident, $d:ident, |$x:ident| $e:expr) => {
        if $dt == $crate::DType::Bool { return $crate::k1!(@one bool => bool, $s, $d, |$x| $e); }
    };
    (@in_one $t:ty, $d:ident, |$x:ident| $e:expr) => {
        #[allow(unused_imports)]
        use $crate::kernels::math::{IntMath as _, Math as _};
        #[allow(unused_imports)]
        use $crate::kernels::vmath::VMath as _;
        return Some((|| -> $crate::Result<()> {
            $crate::kernels::engine::unary_in_place(
                $crate::kernels::engine::Operand::<$t>::of($d)?,
                |$x: $t| -> $t { $e },
            )
        })())
    };
    (@in_place float, $dt:ident, $t:ident, |$x:ident| $e:expr) => {
        if $dt == $crate::DType::Float32 { $crate::k1!(@in_one f32, $t, |$x| $e); }
        if $dt == $crate::DType::Float64 { $crate::k1!(@in_one f64, $t, |$x| $e); }
    };
    (@in_place int, $dt:ident, $t:ident, |$x:ident| $e:expr) => {
        if $dt == $crate::DType::Int32 { $crate::k1!(@in_one i32, $t, |$x| $e); }
        if $dt == $crate::DType::Int64 { $crate::k1!(@in_one i64, $t, |$x| $e); }
    };
    (@in_place bool, $dt:ident, $t:ident, |$x:ident| $e:expr) => {
        if $dt == $crate::DType::Bool { $crate::k1!(@in_one bool, $t, |$x| $e); }
    };
    (@in_place $cat:ident -> $out:ident, $dt:ident, $t:ident, |$x:ident| $e:expr) => {};
}

/// Builds a [`K2`] from element expressions of two operands per dtype family: `float`, `int`,
/// `bool` (same type out), or `float -> bool`, `int -> bool`, `bool -> bool`; `half` runs the
/// expression on float16 and bfloat16 operands widened to float32, rounding the result once (for
/// the hot arithmetic only: other ops reach the half types through float32 tensors); inside it,
/// `Half` names the storage type, for the ops where torch rounds an intermediate too.
#[macro_export]
macro_rules! k2 {
    ($($cat:ident $(-> $out:ident)? : |$a:ident, $b:ident| $e:expr),+ $(,)?) => {
        $crate::kernels::pointwise::K2 {
            supports: |dt: $crate::DType| false $(|| $crate::k1!(@has $cat, dt))+,
            run: move |dt: $crate::DType, a: &$crate::Tensor, b: &$crate::Tensor,
                       d: &$crate::Tensor| -> $crate::Result<()> {
                $($crate::k2!(@run $cat $(-> $out)?, dt, a, b, d, |$a, $b| $e);)+
                Err($crate::kernels::pointwise::no_kernel(dt))
            },
        }
    };
    (@one $t:ty => $o:ty, $pa:ident, $pb:ident, $d:ident, |$a:ident, $b:ident| $e:expr) => {{
        #[allow(unused_imports)]
        use $crate::kernels::math::{IntMath as _, Math as _};
        #[allow(unused_imports)]
        use $crate::kernels::vmath::VMath as _;
        $crate::kernels::engine::binary(
            $crate::kernels::engine::Operand::<$o>::of($d)?,
            $crate::kernels::engine::Operand::<$t>::of($pa)?,
            $crate::kernels::engine::Operand::<$t>::of($pb)?,
            |$a: $t, $b: $t| -> $o { $e },
        )
    }};
    (@one_half $t:ty, $pa:ident, $pb:ident, $d:ident, |$a:ident, $b:ident| $e:expr) => {{
        #[allow(unused_imports)]
        use $crate::kernels::math::{IntMath as _, Math as _};
        use $crate::dtype::HalfBits as _;
        // The storage type, for expressions that round an intermediate to it (`Half::narrow`).
        #[allow(dead_code)]
        type Half = $t;
        $crate::kernels::engine::binary(
            $crate::kernels::engine::Operand::<$t>::of($d)?,
            $crate::kernels::engine::Operand::<$t>::of($pa)?,
            $crate::kernels::engine::Operand::<$t>::of($pb)?,
            |x: $t, y: $t| -> $t {
                let ($a, $b): (f32, f32) = (x.widen(), y.widen());
                <$t>::narrow($e)
            },
        )
    }};
    (@run half, $dt:ident, $pa:ident, $pb:ident, $d:ident, |$a:ident, $b:ident| $e:expr) => {
        if $dt == $crate::DType::Float16 { return $crate::k2!(@one_half $crate::dtype::f16, $pa, $pb, $d, |$a, $b| $e); }
        if $dt == $crate::DType::BFloat16 { return $crate::k2!(@one_half $crate::dtype::bf16, $pa, $pb, $d, |$a, $b| $e); }
    };
    (@run float, $dt:ident, $pa:ident, $pb:ident, $d:ident, |$a:ident, $b:ident| $e:expr) => {
        if $dt == $crate::DType::Float32 { return $crate::k2!(@one f32 => f32, $pa, $pb, $d, |$a, $b| $e); }
        if $dt == $crate::DType::Float64 { return $crate::k2!(@one f64 => f64, $pa, $pb, $d, |$a, $b| $e); }
    };
    (@run float -> bool, $dt:ident, $pa:ident, $pb:ident, $d:ident, |$a:ident, $b:ident| $e:expr) => {
        if $dt == $crate::DType::Float32 { return $crate::k2!(@one f32 => bool, $pa, $pb, $d, |$a, $b| $e); }
        if $dt == $crate::DType::Float64 { return $crate::k2!(@one f64 => bool, $pa, $pb, $d, |$a, $b| $e); }
    };
    (@run int, $dt:ident, $pa:ident, $pb:ident, $d:ident, |$a:ident, $b:ident| $e:expr) => {
        if $dt == $crate::DType::Int32 { return $crate::k2!(@one i32 => i32, $pa, $pb, $d, |$a, $b| $e); }
        if $dt == $crate::DType::Int64 { return $crate::k2!(@one i64 => i64, $pa, $pb, $d, |$a, $b| $e); }
    };
    (@run int -> bool, $dt:ident, $pa:ident, $pb:ident, $d:ident, |$a:ident, $b:ident| $e:expr) => {
        if $dt == $crate::DType::Int32 { return $crate::k2!(@one i32 => bool, $pa, $pb, $d, |$a, $b| $e); }
        if $dt == $crate::DType::Int64 { return $crate::k2!(@one i64 => bool, $pa, $pb, $d, |$a, $b| $e); }
    };
    (@run bool $(-> bool)?, $dt:ident, $pa:ident, $pb:ident, $d:ident, |$a:ident, $b:ident| $e:expr) => {
        if $dt == $crate::DType::Bool { return $crate::k2!(@one bool => bool, $pa, $pb, $d, |$a, $b| $e); }
    };
}

/// Builds a [`K3`] from element expressions of three operands per dtype family: `float`, `int`
/// (same type out).
#[macro_export]
macro_rules! k3 {
    ($($cat:ident : |$a:ident, $b:ident, $c:ident| $e:expr),+ $(,)?) => {
        $crate::kernels::pointwise::K3 {
            supports: |dt: $crate::DType| false $(|| $crate::k1!(@has $cat, dt))+,
            run: move |dt: $crate::DType, a: &$crate::Tensor, b: &$crate::Tensor,
                       c: &$crate::Tensor, d: &$crate::Tensor| -> $crate::Result<()> {
                $($crate::k3!(@run $cat, dt, a, b, c, d, |$a, $b, $c| $e);)+
                Err($crate::kernels::pointwise::no_kernel(dt))
            },
        }
    };
    (@one $t:ty, $pa:ident, $pb:ident, $pc:ident, $d:ident, |$a:ident, $b:ident, $c:ident| $e:expr) => {{
        #[allow(unused_imports)]
        use $crate::kernels::math::{IntMath as _, Math as _};
        $crate::kernels::engine::ternary(
            $crate::kernels::engine::Operand::<$t>::of($d)?,
            $crate::kernels::engine::Operand::<$t>::of($pa)?,
            $crate::kernels::engine::Operand::<$t>::of($pb)?,
            $crate::kernels::engine::Operand::<$t>::of($pc)?,
            |$a: $t, $b: $t, $c: $t| -> $t { $e },
        )
    }};
    (@run float, $dt:ident, $pa:ident, $pb:ident, $pc:ident, $d:ident, |$a:ident, $b:ident, $c:ident| $e:expr) => {
        if $dt == $crate::DType::Float32 { return $crate::k3!(@one f32, $pa, $pb, $pc, $d, |$a, $b, $c| $e); }
        if $dt == $crate::DType::Float64 { return $crate::k3!(@one f64, $pa, $pb, $pc, $d, |$a, $b, $c| $e); }
    };
    (@run int, $dt:ident, $pa:ident, $pb:ident, $pc:ident, $d:ident, |$a:ident, $b:ident, $c:ident| $e:expr) => {
        if $dt == $crate::DType::Int32 { return $crate::k3!(@one i32, $pa, $pb, $pc, $d, |$a, $b, $c| $e); }
        if $dt == $crate::DType::Int64 { return $crate::k3!(@one i64, $pa, $pb, $pc, $d, |$a, $b, $c| $e); }
    };
}
