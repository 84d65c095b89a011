//! Element types, PyTorch's type promotion, and the macro that dispatches a generic kernel on a dtype.

use crate::error::{Error, Result};

/// The element types rtensor supports: bool, then the integers, then the floats, each by width.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum DType {
    Bool,
    UInt8,
    Int8,
    Int16,
    Int32,
    Int64,
    Float16,
    BFloat16,
    Float32,
    Float64,
}

/// Torch's three type categories; promotion across a priority group only wins when the category is higher.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Category {
    Bool,
    Integer,
    Floating,
}

impl DType {
    /// Every dtype, in promotion order.
    pub const ALL: [DType; 10] = [
        DType::Bool,
        DType::UInt8,
        DType::Int8,
        DType::Int16,
        DType::Int32,
        DType::Int64,
        DType::Float16,
        DType::BFloat16,
        DType::Float32,
        DType::Float64,
    ];

    /// Bytes per element.
    pub fn size(self) -> usize {
        match self {
            DType::Bool | DType::UInt8 | DType::Int8 => 1,
            DType::Int16 | DType::Float16 | DType::BFloat16 => 2,
            DType::Int32 | DType::Float32 => 4,
            DType::Int64 | DType::Float64 => 8,
        }
    }

    /// The Python-facing name (`float32`), as in `rtensor.float32`.
    pub fn name(self) -> &'static str {
        match self {
            DType::Bool => "bool",
            DType::UInt8 => "uint8",
            DType::Int8 => "int8",
            DType::Int16 => "int16",
            DType::Int32 => "int32",
            DType::Int64 => "int64",
            DType::Float16 => "float16",
            DType::BFloat16 => "bfloat16",
            DType::Float32 => "float32",
            DType::Float64 => "float64",
        }
    }

    /// The C++ scalar-type name torch uses in error messages (`Float`, `Long`, ...).
    pub fn torch_name(self) -> &'static str {
        match self {
            DType::Bool => "Bool",
            DType::UInt8 => "Byte",
            DType::Int8 => "Char",
            DType::Int16 => "Short",
            DType::Float16 => "Half",
            DType::BFloat16 => "BFloat16",
            DType::Int32 => "Int",
            DType::Int64 => "Long",
            DType::Float32 => "Float",
            DType::Float64 => "Double",
        }
    }

    /// The C++ type name some torch messages use (`float`, `long int`).
    pub fn c_name(self) -> &'static str {
        match self {
            DType::Bool => "bool",
            DType::UInt8 => "unsigned char",
            DType::Int8 => "signed char",
            DType::Int16 => "short int",
            DType::Float16 => "c10::Half",
            DType::BFloat16 => "c10::BFloat16",
            DType::Int32 => "int",
            DType::Int64 => "long int",
            DType::Float32 => "float",
            DType::Float64 => "double",
        }
    }

    /// Parses a name as produced by [`DType::name`].
    pub fn from_name(name: &str) -> Option<DType> {
        DType::ALL.into_iter().find(|d| d.name() == name)
    }

    /// True for the four floating dtypes.
    pub fn is_floating(self) -> bool {
        matches!(
            self,
            DType::Float16 | DType::BFloat16 | DType::Float32 | DType::Float64
        )
    }

    /// True for float16 and bfloat16, which compute in float32 and round once.
    pub fn is_half(self) -> bool {
        matches!(self, DType::Float16 | DType::BFloat16)
    }

    /// True for uint8, int8 and int16, which compute in a wider integer and wrap.
    pub fn is_small_int(self) -> bool {
        matches!(self, DType::UInt8 | DType::Int8 | DType::Int16)
    }

    /// True for the five dtypes every kernel is compiled for (bool, int32, int64, float32, float64).
    pub fn is_kernel_dtype(self) -> bool {
        !self.is_half() && !self.is_small_int()
    }

    /// The kernel dtype that computes for `self`: float32 for the half types, int32 for the small
    /// integers (whose results wrap back when cast), `self` otherwise.
    pub fn compute_dtype(self) -> DType {
        if self.is_half() {
            DType::Float32
        } else if self.is_small_int() {
            DType::Int32
        } else {
            self
        }
    }

    /// The dtype's promotion category.
    pub fn category(self) -> Category {
        match self {
            DType::Bool => Category::Bool,
            DType::UInt8 | DType::Int8 | DType::Int16 | DType::Int32 | DType::Int64 => {
                Category::Integer
            }
            DType::Float16 | DType::BFloat16 | DType::Float32 | DType::Float64 => {
                Category::Floating
            }
        }
    }

    /// Promotion of two dtypes of the same priority (torch's `promoteTypes`): the wider within a
    /// category, the higher category across; uint8 with int8 is int16 and float16 with bfloat16
    /// is float32, as in torch.
    pub fn promote(self, other: DType) -> DType {
        use DType::*;
        match (self, other) {
            (a, b) if a == b => a,
            (Bool, x) | (x, Bool) => x,
            (UInt8, Int8) | (Int8, UInt8) => Int16,
            (Float16, BFloat16) | (BFloat16, Float16) => Float32,
            (a, b) => match a.category().cmp(&b.category()) {
                std::cmp::Ordering::Greater => a,
                std::cmp::Ordering::Less => b,
                std::cmp::Ordering::Equal => {
                    if a.size() >= b.size() {
                        a
                    } else {
                        b
                    }
                }
            },
        }
    }

    /// Whether a value of dtype `self` may be written into a tensor of dtype `to` by an in-place op
    /// (torch's `canCast`: no floating into integral, nothing non-bool into bool; any width).
    pub fn can_cast_to(self, to: DType) -> bool {
        self.category() <= to.category()
    }

    /// Checks `can_cast_to` and builds torch's error otherwise.
    pub fn check_cast_to(self, to: DType) -> Result<()> {
        if self.can_cast_to(to) {
            Ok(())
        } else {
            Err(Error::CannotCast {
                from: self.torch_name(),
                to: to.torch_name(),
            })
        }
    }
}

static DEFAULT_FLOAT_IS_F64: std::sync::atomic::AtomicBool =
    std::sync::atomic::AtomicBool::new(false);

/// The default floating dtype (`rt.get_default_dtype()`): float32 unless changed.
pub fn default_float() -> DType {
    if DEFAULT_FLOAT_IS_F64.load(std::sync::atomic::Ordering::Relaxed) {
        DType::Float64
    } else {
        DType::Float32
    }
}

/// Sets the default floating dtype; only float32 and float64 are accepted, as in torch.
pub fn set_default_float(dtype: DType) -> Result<()> {
    if !dtype.is_floating() {
        return Err(Error::Type(format!(
            "only floating-point types are supported as the default type (got {})",
            dtype.name()
        )));
    }
    DEFAULT_FLOAT_IS_F64.store(
        dtype == DType::Float64,
        std::sync::atomic::Ordering::Relaxed,
    );
    Ok(())
}

/// The three priority groups of torch's result-type computation: tensors with dims, zero-dim tensors,
/// and Python scalars ("wrapped numbers"), each promoted separately then combined by category.
#[derive(Debug, Clone, Copy, Default)]
pub struct ResultType {
    dim: Option<DType>,
    zero_dim: Option<DType>,
    wrapped: Option<DType>,
}

fn promote_opt(a: Option<DType>, b: DType) -> Option<DType> {
    Some(a.map_or(b, |a| a.promote(b)))
}

fn combine_categories(higher: Option<DType>, lower: Option<DType>) -> Option<DType> {
    match (higher, lower) {
        (None, l) => l,
        (Some(h), None) => Some(h),
        (Some(h), Some(l)) => {
            if h.is_floating() {
                Some(h)
            } else if h == DType::Bool || l.is_floating() {
                Some(h.promote(l))
            } else {
                Some(h)
            }
        }
    }
}

impl ResultType {
    /// Adds a tensor operand of the given dtype and rank.
    pub fn tensor(mut self, dtype: DType, ndim: usize) -> Self {
        if ndim > 0 {
            self.dim = promote_opt(self.dim, dtype);
        } else {
            self.zero_dim = promote_opt(self.zero_dim, dtype);
        }
        self
    }

    /// Adds a Python scalar operand, whose float dtype is the default float dtype.
    pub fn scalar(mut self, dtype: DType) -> Self {
        self.wrapped = promote_opt(self.wrapped, dtype);
        self
    }

    /// The promoted dtype (Bool when nothing was added).
    pub fn finish(self) -> DType {
        combine_categories(self.dim, combine_categories(self.zero_dim, self.wrapped))
            .unwrap_or(DType::Bool)
    }
}

/// A Rust type that can be a tensor element.
pub trait Element: Copy + Send + Sync + PartialOrd + PartialEq + std::fmt::Debug + 'static {
    /// The dtype this type stores.
    const DTYPE: DType;
    /// The additive identity.
    const ZERO: Self;
    /// The multiplicative identity.
    const ONE: Self;
    /// The value as f64 (exact for all but huge int64).
    fn to_f64(self) -> f64;
    /// The value as i64 (floats truncate toward zero, as a C cast).
    fn to_i64(self) -> i64;
    /// Converts from f64 as a C cast would.
    fn from_f64(v: f64) -> Self;
    /// Converts from i64 as a C cast would.
    fn from_i64(v: i64) -> Self;
    /// Converts from bool (true is one).
    fn from_bool(v: bool) -> Self;
    /// Whether the value is nonzero.
    fn to_bool(self) -> bool;
}

macro_rules! impl_numeric_element {
    ($t:ty, $dt:expr, $zero:expr, $one:expr, x86) => {
        impl_numeric_element!($t, $dt, $zero, $one, |v: f64| CastTo::<$t>::cast(v));
    };
    ($t:ty, $dt:expr, $zero:expr, $one:expr) => {
        impl_numeric_element!($t, $dt, $zero, $one, |v: f64| v as $t);
    };
    ($t:ty, $dt:expr, $zero:expr, $one:expr, $from_f64:expr) => {
        impl Element for $t {
            const DTYPE: DType = $dt;
            const ZERO: Self = $zero;
            const ONE: Self = $one;
            #[inline(always)]
            fn to_f64(self) -> f64 {
                self as f64
            }
            #[inline(always)]
            fn to_i64(self) -> i64 {
                self as i64
            }
            #[inline(always)]
            #[allow(clippy::redundant_closure_call)]
            fn from_f64(v: f64) -> Self {
                ($from_f64)(v)
            }
            #[inline(always)]
            fn from_i64(v: i64) -> Self {
                v as $t
            }
            #[inline(always)]
            fn from_bool(v: bool) -> Self {
                if v {
                    $one
                } else {
                    $zero
                }
            }
            #[inline(always)]
            fn to_bool(self) -> bool {
                self != $zero
            }
        }
    };
}

impl_numeric_element!(u8, DType::UInt8, 0, 1, x86);
impl_numeric_element!(i8, DType::Int8, 0, 1, x86);
impl_numeric_element!(i16, DType::Int16, 0, 1, x86);
impl_numeric_element!(i32, DType::Int32, 0, 1);
impl_numeric_element!(i64, DType::Int64, 0, 1);
impl_numeric_element!(f32, DType::Float32, 0.0, 1.0);
impl_numeric_element!(f64, DType::Float64, 0.0, 1.0);

/// Google's brain float (`rtensor.bfloat16`): float32's exponent with an 8-bit mantissa.
pub use half::bf16;
/// The IEEE half-precision float (`rtensor.float16`).
pub use half::f16;

/// float16 to float32, exactly, without branches (so loops of it vectorise): the exponent and
/// mantissa bits moved into place and rescaled by 2^112 (which also normalises subnormals);
/// infinities and NaNs keep their payload.
#[inline(always)]
pub fn f16_to_f32(h: f16) -> f32 {
    let h = h.to_bits() as u32;
    let sign = (h & 0x8000) << 16;
    let em = h & 0x7fff;
    let scaled = (f32::from_bits(em << 13) * f32::from_bits(0x7780_0000)).to_bits();
    let bits = if em >= 0x7c00 {
        (em << 13) | 0x7f80_0000
    } else {
        scaled
    };
    f32::from_bits(bits | sign)
}

/// float32 to float16, rounding to nearest even as torch's `c10::Half` does (beyond the range:
/// infinity; NaN: the quiet NaN 0x7e00), without branches (F. Giesen's `float_to_half_fast3_rtne`).
#[inline(always)]
pub fn f32_to_f16(f: f32) -> f16 {
    let u = f.to_bits();
    let sign = u & 0x8000_0000;
    let a = u ^ sign;
    // Subnormal results: adding 0.5 aligns the 10 mantissa bits at the bottom, rounding as the
    // float addition rounds (to nearest even).
    let denorm_magic = f32::from_bits(((127 - 15) + (23 - 10) + 1) << 23);
    let sub = (f32::from_bits(a) + denorm_magic)
        .to_bits()
        .wrapping_sub(denorm_magic.to_bits());
    let odd = (a >> 13) & 1;
    let norm = a
        .wrapping_add(((15u32.wrapping_sub(127)) << 23).wrapping_add(0xfff))
        .wrapping_add(odd)
        >> 13;
    let finite = if a < (113 << 23) { sub } else { norm };
    let special = if a > 0x7f80_0000 { 0x7e00 } else { 0x7c00 };
    let o = if a >= (127 + 16) << 23 {
        special
    } else {
        finite
    };
    f16::from_bits((o | (sign >> 16)) as u16)
}

/// bfloat16 to float32 (exact: the upper half of the bits).
#[inline(always)]
pub fn bf16_to_f32(h: bf16) -> f32 {
    f32::from_bits((h.to_bits() as u32) << 16)
}

/// float32 to bfloat16, rounding to nearest even as torch's `c10::BFloat16` does (NaN: 0x7fc0).
#[inline(always)]
pub fn f32_to_bf16(f: f32) -> bf16 {
    let u = f.to_bits();
    let rounded = (u.wrapping_add(0x7fff + ((u >> 16) & 1)) >> 16) as u16;
    bf16::from_bits(if f.is_nan() { 0x7fc0 } else { rounded })
}

/// The fast conversions of the half types to and from float32.
pub trait HalfBits: Copy {
    /// To float32 (exact).
    fn widen(self) -> f32;
    /// From float32, rounding to nearest even.
    fn narrow(v: f32) -> Self;
}

impl HalfBits for f16 {
    #[inline(always)]
    fn widen(self) -> f32 {
        f16_to_f32(self)
    }
    #[inline(always)]
    fn narrow(v: f32) -> Self {
        f32_to_f16(v)
    }
}

impl HalfBits for bf16 {
    #[inline(always)]
    fn widen(self) -> f32 {
        bf16_to_f32(self)
    }
    #[inline(always)]
    fn narrow(v: f32) -> Self {
        f32_to_bf16(v)
    }
}

macro_rules! impl_half_element {
    ($t:ty, $dt:expr) => {
        impl Element for $t {
            const DTYPE: DType = $dt;
            const ZERO: Self = <$t>::ZERO;
            const ONE: Self = <$t>::ONE;
            #[inline(always)]
            fn to_f64(self) -> f64 {
                self.widen() as f64
            }
            #[inline(always)]
            fn to_i64(self) -> i64 {
                CastTo::<i64>::cast(self.widen())
            }
            #[inline(always)]
            fn from_f64(v: f64) -> Self {
                <$t>::narrow(v as f32)
            }
            #[inline(always)]
            fn from_i64(v: i64) -> Self {
                <$t>::narrow(v as f32)
            }
            #[inline(always)]
            fn from_bool(v: bool) -> Self {
                if v {
                    <$t>::ONE
                } else {
                    <$t>::ZERO
                }
            }
            #[inline(always)]
            fn to_bool(self) -> bool {
                self.widen() != 0.0
            }
        }
    };
}
impl_half_element!(f16, DType::Float16);
impl_half_element!(bf16, DType::BFloat16);

impl Element for bool {
    const DTYPE: DType = DType::Bool;
    const ZERO: Self = false;
    const ONE: Self = true;
    #[inline(always)]
    fn to_f64(self) -> f64 {
        self as u8 as f64
    }
    #[inline(always)]
    fn to_i64(self) -> i64 {
        self as i64
    }
    #[inline(always)]
    fn from_f64(v: f64) -> Self {
        v != 0.0
    }
    #[inline(always)]
    fn from_i64(v: i64) -> Self {
        v != 0
    }
    #[inline(always)]
    fn from_bool(v: bool) -> Self {
        v
    }
    #[inline(always)]
    fn to_bool(self) -> bool {
        self
    }
}

/// A direct conversion between element types, as torch's CPU casts on x86: integers wrap, a float
/// outside int32's (int64's) range or NaN becomes int32's (int64's) minimum as `cvttss2si` gives,
/// narrower integers take the low bits of that int32, and the half types convert through float32.
pub trait CastTo<D>: Copy {
    /// Converts one value.
    fn cast(self) -> D;
}

macro_rules! impl_cast_as {
    ($($s:ty => $($d:ty),*);*) => { $($(impl CastTo<$d> for $s {
        #[inline(always)]
        fn cast(self) -> $d { self as $d }
    })*)* };
}
impl_cast_as!(u8 => u8, i8, i16, i32, i64, f32, f64; i8 => u8, i8, i16, i32, i64, f32, f64;
              i16 => u8, i8, i16, i32, i64, f32, f64; i32 => u8, i8, i16, i32, i64, f32, f64;
              i64 => u8, i8, i16, i32, i64, f32, f64;
              f32 => f32, f64; f64 => f32, f64);

macro_rules! impl_cast_float_int {
    ($($f:ty),*) => { $(
        impl CastTo<i64> for $f {
            #[inline(always)]
            fn cast(self) -> i64 {
                // [-2^63, 2^63): anything else (and NaN) is what cvttsd2si gives, i64::MIN.
                let limit = (2.0 as $f).powi(63);
                if (-limit..limit).contains(&self) {
                    self as i64
                } else {
                    i64::MIN
                }
            }
        }
        impl CastTo<i32> for $f {
            #[inline(always)]
            fn cast(self) -> i32 {
                // [-2^31, 2^31): what truncates into int32 (-2^31 - 0.5 also gives int32's minimum).
                let limit = (2.0 as $f).powi(31);
                if (-limit..limit).contains(&self) {
                    self as i32
                } else {
                    i32::MIN
                }
            }
        }
        impl CastTo<i16> for $f {
            #[inline(always)]
            fn cast(self) -> i16 {
                CastTo::<i32>::cast(self) as i16
            }
        }
        impl CastTo<i8> for $f {
            #[inline(always)]
            fn cast(self) -> i8 {
                CastTo::<i32>::cast(self) as i8
            }
        }
        impl CastTo<u8> for $f {
            #[inline(always)]
            fn cast(self) -> u8 {
                CastTo::<i32>::cast(self) as u8
            }
        }
    )* };
}
impl_cast_float_int!(f32, f64);

macro_rules! impl_cast_half {
    ($($h:ty),*) => { $(
        impl CastTo<$h> for $h {
            #[inline(always)]
            fn cast(self) -> $h { self }
        }
        impl CastTo<bool> for $h {
            #[inline(always)]
            fn cast(self) -> bool { self.widen() != 0.0 }
        }
        impl CastTo<$h> for bool {
            #[inline(always)]
            fn cast(self) -> $h { if self { <$h>::ONE } else { <$h>::ZERO } }
        }
        impl_cast_half!(@other $h => u8, i8, i16, i32, i64, f32, f64);
    )* };
    (@other $h:ty => $($o:ty),*) => { $(
        impl CastTo<$o> for $h {
            #[inline(always)]
            fn cast(self) -> $o { CastTo::<$o>::cast(self.widen()) }
        }
        impl CastTo<$h> for $o {
            #[inline(always)]
            fn cast(self) -> $h { <$h>::narrow(CastTo::<f32>::cast(self)) }
        }
    )* };
}
impl_cast_half!(f16, bf16);
impl CastTo<bf16> for f16 {
    #[inline(always)]
    fn cast(self) -> bf16 {
        bf16::narrow(self.widen())
    }
}
impl CastTo<f16> for bf16 {
    #[inline(always)]
    fn cast(self) -> f16 {
        f16::narrow(self.widen())
    }
}

macro_rules! impl_cast_bool {
    ($($t:ty),*) => { $(
        impl CastTo<bool> for $t {
            #[inline(always)]
            fn cast(self) -> bool { self != (0 as $t) }
        }
        impl CastTo<$t> for bool {
            #[inline(always)]
            fn cast(self) -> $t { self as u8 as $t }
        }
    )* };
}
impl_cast_bool!(u8, i8, i16, i32, i64, f32, f64);
impl CastTo<bool> for bool {
    #[inline(always)]
    fn cast(self) -> bool {
        self
    }
}

/// Runs `$body` with `$T` bound to the Rust element type of `$dtype` (all ten dtypes).
#[macro_export]
macro_rules! dispatch {
    ($dtype:expr, $T:ident => $body:expr) => {
        match $dtype {
            $crate::dtype::DType::Bool => {
                type $T = bool;
                $body
            }
            $crate::dtype::DType::UInt8 => {
                type $T = u8;
                $body
            }
            $crate::dtype::DType::Int8 => {
                type $T = i8;
                $body
            }
            $crate::dtype::DType::Int16 => {
                type $T = i16;
                $body
            }
            $crate::dtype::DType::Int32 => {
                type $T = i32;
                $body
            }
            $crate::dtype::DType::Int64 => {
                type $T = i64;
                $body
            }
            $crate::dtype::DType::Float16 => {
                type $T = $crate::dtype::f16;
                $body
            }
            $crate::dtype::DType::BFloat16 => {
                type $T = $crate::dtype::bf16;
                $body
            }
            $crate::dtype::DType::Float32 => {
                type $T = f32;
                $body
            }
            $crate::dtype::DType::Float64 => {
                type $T = f64;
                $body
            }
        }
    };
}

/// Like [`dispatch!`] for the five kernel dtypes (bool, int32, int64, float32, float64); the op
/// layer converts the others to their [`compute_dtype`](DType::compute_dtype) first, so a heavy
/// kernel is compiled five times, not ten. `$o => $other` handles a dtype that was not converted.
#[macro_export]
macro_rules! dispatch_kernel {
    ($dtype:expr, $T:ident => $body:expr, $o:ident => $other:expr) => {
        match $dtype {
            $crate::dtype::DType::Bool => {
                type $T = bool;
                $body
            }
            $crate::dtype::DType::Int32 => {
                type $T = i32;
                $body
            }
            $crate::dtype::DType::Int64 => {
                type $T = i64;
                $body
            }
            $crate::dtype::DType::Float32 => {
                type $T = f32;
                $body
            }
            $crate::dtype::DType::Float64 => {
                type $T = f64;
                $body
            }
            $o => $other,
        }
    };
}

/// Like [`dispatch_kernel!`] for the numeric kernel dtypes; `$bool` handles bool.
#[macro_export]
macro_rules! dispatch_numeric {
    ($dtype:expr, $T:ident => $body:expr, bool => $bool:expr) => {
        match $dtype {
            $crate::dtype::DType::Bool => $bool,
            $crate::dtype::DType::Int32 => {
                type $T = i32;
                $body
            }
            $crate::dtype::DType::Int64 => {
                type $T = i64;
                $body
            }
            $crate::dtype::DType::Float32 => {
                type $T = f32;
                $body
            }
            $crate::dtype::DType::Float64 => {
                type $T = f64;
                $body
            }
            _ => $bool,
        }
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn promotion_follows_torch_priority_groups() {
        // int tensor * 2.5 -> default float
        let r = ResultType::default()
            .tensor(DType::Int64, 1)
            .scalar(DType::Float32);
        assert_eq!(r.finish(), DType::Float32);
        // float32 tensor + 0-dim float64 -> float32
        let r = ResultType::default()
            .tensor(DType::Float32, 1)
            .tensor(DType::Float64, 0);
        assert_eq!(r.finish(), DType::Float32);
        // int32 tensor + 0-dim int64 -> int32
        let r = ResultType::default()
            .tensor(DType::Int32, 2)
            .tensor(DType::Int64, 0);
        assert_eq!(r.finish(), DType::Int32);
        // int32 tensor + 0-dim float64 -> float64 (zero-dim wins on category)
        let r = ResultType::default()
            .tensor(DType::Int32, 2)
            .tensor(DType::Float64, 0);
        assert_eq!(r.finish(), DType::Float64);
        // bool tensor + int scalar -> int64
        let r = ResultType::default()
            .tensor(DType::Bool, 1)
            .scalar(DType::Int64);
        assert_eq!(r.finish(), DType::Int64);
        // int32 tensor + int scalar -> int32
        let r = ResultType::default()
            .tensor(DType::Int32, 1)
            .scalar(DType::Int64);
        assert_eq!(r.finish(), DType::Int32);
        // 1-d int32 + 1-d float64 -> float64
        let r = ResultType::default()
            .tensor(DType::Int32, 1)
            .tensor(DType::Float64, 1);
        assert_eq!(r.finish(), DType::Float64);
    }

    #[test]
    fn half_conversions_match_the_half_crate() {
        for bits in 0..=u16::MAX {
            let h = f16::from_bits(bits);
            let (ours, theirs) = (f16_to_f32(h), h.to_f32());
            assert!(ours.to_bits() == theirs.to_bits() || (ours.is_nan() && theirs.is_nan()));
            // Exact, as torch's `c10::BFloat16`: a signalling NaN stays signalling (the crate
            // quiets it), so NaNs are compared as NaNs.
            let b = bf16::from_bits(bits);
            let (ours, theirs) = (bf16_to_f32(b), b.to_f32());
            assert!(ours.to_bits() == theirs.to_bits() || (ours.is_nan() && theirs.is_nan()));
        }
        let mut x = 1u32;
        for _ in 0..200_000 {
            x = x.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            let f = f32::from_bits(x);
            if f.is_nan() {
                assert!(f32_to_f16(f).is_nan() && f32_to_bf16(f).is_nan());
                continue;
            }
            assert_eq!(f32_to_f16(f).to_bits(), f16::from_f32(f).to_bits(), "{f:e}");
            assert_eq!(
                f32_to_bf16(f).to_bits(),
                bf16::from_f32(f).to_bits(),
                "{f:e}"
            );
        }
    }

    #[test]
    fn in_place_cast_rules() {
        assert!(DType::Int64.can_cast_to(DType::Float32));
        assert!(!DType::Float32.can_cast_to(DType::Int64));
        assert!(!DType::Int32.can_cast_to(DType::Bool));
        assert!(DType::Bool.can_cast_to(DType::Bool));
    }
}
