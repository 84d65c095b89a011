//! Element types, PyTorch's type promotion, and the macro that dispatches a generic kernel on a dtype.

use crate::error::{Error, Result};

/// The element types rtensor supports, ordered so that promotion between two of them is their maximum.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum DType {
    Bool,
    Int32,
    Int64,
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
    pub const ALL: [DType; 5] = [
        DType::Bool,
        DType::Int32,
        DType::Int64,
        DType::Float32,
        DType::Float64,
    ];

    /// Bytes per element.
    pub fn size(self) -> usize {
        match self {
            DType::Bool => 1,
            DType::Int32 | DType::Float32 => 4,
            DType::Int64 | DType::Float64 => 8,
        }
    }

    /// The Python-facing name (`float32`), as in `rtensor.float32`.
    pub fn name(self) -> &'static str {
        match self {
            DType::Bool => "bool",
            DType::Int32 => "int32",
            DType::Int64 => "int64",
            DType::Float32 => "float32",
            DType::Float64 => "float64",
        }
    }

    /// The C++ scalar-type name torch uses in error messages (`Float`, `Long`, ...).
    pub fn torch_name(self) -> &'static str {
        match self {
            DType::Bool => "Bool",
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

    /// True for float32 and float64.
    pub fn is_floating(self) -> bool {
        matches!(self, DType::Float32 | DType::Float64)
    }

    /// The dtype's promotion category.
    pub fn category(self) -> Category {
        match self {
            DType::Bool => Category::Bool,
            DType::Int32 | DType::Int64 => Category::Integer,
            DType::Float32 | DType::Float64 => Category::Floating,
        }
    }

    /// Promotion of two dtypes of the same priority (torch's `promoteTypes` on our dtypes).
    pub fn promote(self, other: DType) -> DType {
        self.max(other)
    }

    /// Whether a value of dtype `self` may be written into a tensor of dtype `to` by an in-place op
    /// (torch's `canCast`: no floating into integral, nothing non-bool into bool).
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
    ($t:ty, $dt:expr, $zero:expr, $one:expr) => {
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
            fn from_f64(v: f64) -> Self {
                v as $t
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

impl_numeric_element!(i32, DType::Int32, 0, 1);
impl_numeric_element!(i64, DType::Int64, 0, 1);
impl_numeric_element!(f32, DType::Float32, 0.0, 1.0);
impl_numeric_element!(f64, DType::Float64, 0.0, 1.0);

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

/// A direct conversion between element types, as a C cast (no detour through f64).
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
impl_cast_as!(i32 => i32, i64, f32, f64; i64 => i32, i64, f32, f64;
              f32 => i32, i64, f32, f64; f64 => i32, i64, f32, f64);

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
impl_cast_bool!(i32, i64, f32, f64);
impl CastTo<bool> for bool {
    #[inline(always)]
    fn cast(self) -> bool {
        self
    }
}

/// Runs `$body` with `$T` bound to the Rust element type of `$dtype`.
#[macro_export]
macro_rules! dispatch {
    ($dtype:expr, $T:ident => $body:expr) => {
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
        }
    };
}

/// Like [`dispatch!`] for the numeric (non-bool) dtypes; `$bool` handles bool.
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
    fn in_place_cast_rules() {
        assert!(DType::Int64.can_cast_to(DType::Float32));
        assert!(!DType::Float32.can_cast_to(DType::Int64));
        assert!(!DType::Int32.can_cast_to(DType::Bool));
        assert!(DType::Bool.can_cast_to(DType::Bool));
    }
}
