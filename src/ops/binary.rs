//! Elementwise functions of two operands (tensors or Python scalars) with broadcasting and torch's
//! type promotion: arithmetic, comparisons, bitwise logic, and their in-place forms.

use crate::autograd::record::{in_place, is_recording, record};
use crate::autograd::rules::elementwise::{
    binary_name, binary_saves, scalar_has_slot, BinaryRule, Side,
};
use crate::dispatch;
use crate::dtype::{default_float, DType, Element, ResultType};
use crate::error::{Error, Result};
use crate::ops::copy::{check_writable, detach_source};
use crate::ops::kernels::{self, Operand};
use crate::scalar::Scalar;
use crate::shape::{broadcast_shapes, fmt_shape};
use crate::tensor::Tensor;
use std::borrow::Cow;

/// A binary elementwise operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BinaryOp {
    Add,
    Sub,
    Mul,
    Div,
    FloorDiv,
    Remainder,
    Pow,
    Maximum,
    Minimum,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    BitAnd,
    BitOr,
    BitXor,
}

impl BinaryOp {
    /// True for the six comparisons, which give bool tensors.
    pub fn is_comparison(self) -> bool {
        use BinaryOp::*;
        matches!(self, Eq | Ne | Lt | Le | Gt | Ge)
    }

    fn is_bitwise(self) -> bool {
        matches!(self, BinaryOp::BitAnd | BinaryOp::BitOr | BinaryOp::BitXor)
    }

    fn kernel_name(self) -> &'static str {
        use BinaryOp::*;
        match self {
            BitAnd => "bitwise_and_cpu",
            BitOr => "bitwise_or_cpu",
            BitXor => "bitwise_xor_cpu",
            Maximum => "maximum_cpu",
            Minimum => "minimum_cpu",
            Remainder => "remainder_cpu",
            FloorDiv => "div_floor_cpu",
            Pow => "pow",
            _ => "binary_cpu",
        }
    }
}

/// An operand: a tensor, or a Python scalar that promotes as a "wrapped number".
#[derive(Debug, Clone)]
pub enum Value {
    Tensor(Tensor),
    Scalar(Scalar),
}

impl Value {
    fn add_to(&self, rt: ResultType) -> ResultType {
        match self {
            Value::Tensor(t) => rt.tensor(t.dtype(), t.ndim()),
            Value::Scalar(s) => rt.scalar(s.dtype(default_float())),
        }
    }

    /// The operand as a tensor of `dtype` (scalars become 0-dim tensors).
    fn to_tensor(&self, dtype: DType) -> Result<Tensor> {
        Ok(self.as_dtype(dtype)?.into_owned())
    }

    /// Like [`Value::to_tensor`], borrowing the tensor itself when it already has `dtype`
    /// (no reference-count traffic on the small-op path).
    fn as_dtype(&self, dtype: DType) -> Result<Cow<'_, Tensor>> {
        match self {
            Value::Tensor(t) if t.dtype() == dtype => Ok(Cow::Borrowed(t)),
            Value::Tensor(t) => Ok(Cow::Owned(t.to_dtype(dtype)?)),
            Value::Scalar(s) => Ok(Cow::Owned(
                dispatch!(dtype, T => Tensor::from_vec(vec![s.to::<T>()], &[]))?,
            )),
        }
    }

    fn shape(&self) -> &[usize] {
        match self {
            Value::Tensor(t) => t.shape(),
            Value::Scalar(_) => &[],
        }
    }

    fn is_bool(&self) -> bool {
        match self {
            Value::Tensor(t) => t.dtype() == DType::Bool,
            Value::Scalar(s) => matches!(s, Scalar::Bool(_)),
        }
    }
}

/// Per-type arithmetic with torch's semantics (wrapping integers, Python-style floor and modulo).
pub trait Arith: Element {
    fn add(self, o: Self) -> Self;
    fn sub(self, o: Self) -> Self;
    fn mul(self, o: Self) -> Self;
    fn div(self, o: Self) -> Self;
    fn floor_div(self, o: Self) -> Self;
    fn rem(self, o: Self) -> Self;
    fn pow(self, o: Self) -> Self;
    fn is_nan(self) -> bool;
    fn is_zero(self) -> bool;
    fn is_negative(self) -> bool;
}

macro_rules! impl_int_arith {
    ($t:ty) => {
        impl Arith for $t {
            #[inline(always)]
            fn add(self, o: Self) -> Self {
                self.wrapping_add(o)
            }
            #[inline(always)]
            fn sub(self, o: Self) -> Self {
                self.wrapping_sub(o)
            }
            #[inline(always)]
            fn mul(self, o: Self) -> Self {
                self.wrapping_mul(o)
            }
            #[inline(always)]
            fn div(self, o: Self) -> Self {
                if o == 0 {
                    0
                } else {
                    self.wrapping_div(o)
                }
            }
            #[inline(always)]
            fn floor_div(self, o: Self) -> Self {
                if o == 0 {
                    return 0;
                }
                let q = self.wrapping_div(o);
                if (self.wrapping_rem(o) != 0) && ((self < 0) != (o < 0)) {
                    q.wrapping_sub(1)
                } else {
                    q
                }
            }
            #[inline(always)]
            fn rem(self, o: Self) -> Self {
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
            /// Negative exponents give what C's integer arithmetic would (torch's `powi`):
            /// 1 for a base of 1, +-1 for -1, else 0. A negative scalar exponent is refused earlier.
            #[inline(always)]
            fn pow(self, o: Self) -> Self {
                if o < 0 {
                    return match self {
                        1 => 1,
                        -1 => {
                            if o & 1 == 0 {
                                1
                            } else {
                                -1
                            }
                        }
                        _ => 0,
                    };
                }
                let (mut base, mut exp, mut acc) = (self, o, 1 as $t);
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
            fn is_nan(self) -> bool {
                false
            }
            #[inline(always)]
            fn is_zero(self) -> bool {
                self == 0
            }
            #[inline(always)]
            fn is_negative(self) -> bool {
                self < 0
            }
        }
    };
}
impl_int_arith!(i32);
impl_int_arith!(i64);

macro_rules! impl_float_arith {
    ($t:ty) => {
        impl Arith for $t {
            #[inline(always)]
            fn add(self, o: Self) -> Self {
                self + o
            }
            #[inline(always)]
            fn sub(self, o: Self) -> Self {
                self - o
            }
            #[inline(always)]
            fn mul(self, o: Self) -> Self {
                self * o
            }
            #[inline(always)]
            fn div(self, o: Self) -> Self {
                self / o
            }
            /// torch's `div_floor_floating`.
            #[inline(always)]
            fn floor_div(self, o: Self) -> Self {
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
            fn rem(self, o: Self) -> Self {
                let m = self % o;
                if m != 0.0 && ((o < 0.0) != (m < 0.0)) {
                    m + o
                } else {
                    m
                }
            }
            #[inline(always)]
            fn pow(self, o: Self) -> Self {
                if o == 2.0 {
                    self * self
                } else {
                    self.powf(o)
                }
            }
            #[inline(always)]
            fn is_nan(self) -> bool {
                self != self
            }
            #[inline(always)]
            fn is_zero(self) -> bool {
                self == 0.0
            }
            #[inline(always)]
            fn is_negative(self) -> bool {
                self < 0.0
            }
        }
    };
}
impl_float_arith!(f32);
impl_float_arith!(f64);

/// Bool arithmetic as torch defines it: `+` is or, `*` is and.
impl Arith for bool {
    fn add(self, o: Self) -> Self {
        self | o
    }
    fn sub(self, o: Self) -> Self {
        self ^ o
    }
    fn mul(self, o: Self) -> Self {
        self & o
    }
    fn div(self, o: Self) -> Self {
        self & o
    }
    fn floor_div(self, o: Self) -> Self {
        self & o
    }
    fn rem(self, _o: Self) -> Self {
        false
    }
    fn pow(self, o: Self) -> Self {
        self | !o
    }
    fn is_nan(self) -> bool {
        false
    }
    fn is_zero(self) -> bool {
        !self
    }
    fn is_negative(self) -> bool {
        false
    }
}

/// Integer bit operations (bool included).
pub trait Bits: Element {
    fn and(self, o: Self) -> Self;
    fn or(self, o: Self) -> Self;
    fn xor(self, o: Self) -> Self;
}
macro_rules! impl_bits {
    ($($t:ty),*) => { $(impl Bits for $t {
        #[inline(always)] fn and(self, o: Self) -> Self { self & o }
        #[inline(always)] fn or(self, o: Self) -> Self { self | o }
        #[inline(always)] fn xor(self, o: Self) -> Self { self ^ o }
    })* };
}
impl_bits!(bool, i32, i64);

/// Runs an arithmetic op into `dst` (dtype `T`); operands already have dtype `T` and dst's shape.
fn run_arith<T: Arith>(op: BinaryOp, dst: &Tensor, a: &Tensor, b: &Tensor) {
    let (d, x, y) = (
        Operand::<T>::of(dst),
        Operand::<T>::of(a),
        Operand::<T>::of(b),
    );
    use BinaryOp::*;
    match op {
        Add => kernels::binary(d, x, y, T::add),
        Sub => kernels::binary(d, x, y, T::sub),
        Mul => kernels::binary(d, x, y, T::mul),
        Div => kernels::binary(d, x, y, T::div),
        FloorDiv => kernels::binary(d, x, y, T::floor_div),
        Remainder => kernels::binary(d, x, y, T::rem),
        Pow => kernels::binary(d, x, y, T::pow),
        Maximum => kernels::binary(d, x, y, |p: T, q: T| {
            if p.is_nan() || q.is_nan() || p > q {
                if q.is_nan() {
                    q
                } else {
                    p
                }
            } else {
                q
            }
        }),
        Minimum => kernels::binary(d, x, y, |p: T, q: T| {
            if p.is_nan() || q.is_nan() || p < q {
                if q.is_nan() {
                    q
                } else {
                    p
                }
            } else {
                q
            }
        }),
        _ => unreachable!("not an arithmetic op"),
    }
}

fn run_compare<T: Element>(op: BinaryOp, dst: &Tensor, a: &Tensor, b: &Tensor) {
    let (d, x, y) = (
        Operand::<bool>::of(dst),
        Operand::<T>::of(a),
        Operand::<T>::of(b),
    );
    use BinaryOp::*;
    match op {
        Eq => kernels::binary(d, x, y, |p: T, q: T| p == q),
        Ne => kernels::binary(d, x, y, |p: T, q: T| p != q),
        Lt => kernels::binary(d, x, y, |p: T, q: T| p < q),
        Le => kernels::binary(d, x, y, |p: T, q: T| p <= q),
        Gt => kernels::binary(d, x, y, |p: T, q: T| p > q),
        Ge => kernels::binary(d, x, y, |p: T, q: T| p >= q),
        _ => unreachable!("not a comparison"),
    }
}

fn run_bits<T: Bits>(op: BinaryOp, dst: &Tensor, a: &Tensor, b: &Tensor) {
    let (d, x, y) = (
        Operand::<T>::of(dst),
        Operand::<T>::of(a),
        Operand::<T>::of(b),
    );
    match op {
        BinaryOp::BitAnd => kernels::binary(d, x, y, T::and),
        BinaryOp::BitOr => kernels::binary(d, x, y, T::or),
        _ => kernels::binary(d, x, y, T::xor),
    }
}

/// Runs `op` with all operands of dtype `compute` into `dst`.
fn run(op: BinaryOp, compute: DType, dst: &Tensor, a: &Tensor, b: &Tensor) {
    if op.is_comparison() {
        dispatch!(compute, T => run_compare::<T>(op, dst, a, b))
    } else if op.is_bitwise() {
        match compute {
            DType::Bool => run_bits::<bool>(op, dst, a, b),
            DType::Int32 => run_bits::<i32>(op, dst, a, b),
            _ => run_bits::<i64>(op, dst, a, b),
        }
    } else {
        dispatch!(compute, T => run_arith::<T>(op, dst, a, b))
    }
}

/// The dtype the kernel computes in, and the dtype of the result, for promoted dtype `promoted`.
fn plan(op: BinaryOp, promoted: DType) -> Result<(DType, DType)> {
    use BinaryOp::*;
    if op.is_comparison() {
        return Ok((promoted, DType::Bool));
    }
    if op.is_bitwise() && promoted.is_floating() {
        return Err(Error::Runtime(format!(
            "\"{}\" not implemented for '{}'",
            op.kernel_name(),
            promoted.torch_name()
        )));
    }
    if promoted == DType::Bool {
        match op {
            Div => return Ok((default_float(), default_float())),
            FloorDiv | Remainder | Pow => {
                return Err(Error::Runtime(format!(
                    "\"{}\" not implemented for 'Bool'",
                    op.kernel_name()
                )))
            }
            _ => {}
        }
    }
    if op == Div && !promoted.is_floating() {
        return Ok((default_float(), default_float()));
    }
    Ok((promoted, promoted))
}

/// Integer division and modulo by zero, and integer powers with a negative scalar exponent, are
/// errors (a tensor exponent is not checked, as in torch).
fn check_integer_domain(
    op: BinaryOp,
    compute: DType,
    b: &Value,
    tb: &Tensor,
    out_numel: usize,
) -> Result<()> {
    if compute.is_floating() || compute == DType::Bool {
        return Ok(());
    }
    let bad = match (op, b) {
        // torch finds a zero divisor as its kernel reads it: an empty result reads nothing.
        (BinaryOp::FloorDiv | BinaryOp::Remainder, _) if out_numel == 0 => false,
        (BinaryOp::FloorDiv | BinaryOp::Remainder, _) => {
            dispatch!(compute, T => any_value::<T>(tb, |v: T| v.to_i64() == 0))
        }
        (BinaryOp::Pow, Value::Scalar(s)) => s.as_f64() < 0.0,
        _ => false,
    };
    if bad {
        return Err(Error::Runtime(match op {
            BinaryOp::Pow => "Integers to negative integer powers are not allowed.".into(),
            _ => "ZeroDivisionError".into(),
        }));
    }
    Ok(())
}

/// torch refuses subtraction as soon as either operand (tensor or Python scalar) is bool.
fn check_sub(op: BinaryOp, a: &Value, b: &Value) -> Result<()> {
    if op != BinaryOp::Sub {
        return Ok(());
    }
    match (a.is_bool(), b.is_bool()) {
        (true, true) => Err(Error::Runtime(
            "Subtraction, the `-` operator, with two bool tensors is not supported. Use the `^` or `logical_xor()` operator instead."
                .into(),
        )),
        (false, false) => Ok(()),
        _ => Err(Error::Runtime(
            "Subtraction, the `-` operator, with a bool tensor is not supported. If you are trying to invert a mask, use the `~` or `logical_not()` operator instead."
                .into(),
        )),
    }
}

/// True when any element satisfies `pred` (a sequential scan; used only for validation). Only
/// distinct elements are read: a broadcast view of one element is one element to check.
fn any_value<T: Element>(t: &Tensor, pred: impl Fn(T) -> bool) -> bool {
    let mut found = false;
    let p = t.data_ptr_typed::<T>();
    let l = t.layout().distinct_elements();
    crate::strided::Coalesced::new(&l.shape, [&l.strides]).for_each_run(
        0,
        l.numel(),
        |[o], len, [s]| {
            for i in 0..len as isize {
                // SAFETY: offsets come from the tensor's own layout.
                if pred(unsafe { *p.offset(o + i * s) }) {
                    found = true;
                }
            }
        },
    );
    found
}

/// An operand broadcast to the output shape (itself when it already has it).
fn fit<'t>(t: Cow<'t, Tensor>, shape: &[usize]) -> Cow<'t, Tensor> {
    if t.shape() == shape {
        t
    } else {
        Cow::Owned(t.broadcast_to(shape))
    }
}

/// `a op b` out of place, with broadcasting and promotion.
pub fn binary(op: BinaryOp, a: &Value, b: &Value) -> Result<Tensor> {
    check_sub(op, a, b)?;
    if let (BinaryOp::Pow, Value::Tensor(t), Value::Scalar(Scalar::Bool(e))) = (op, a, b) {
        if t.dtype() == DType::Bool {
            // torch's pow(Tensor, Scalar) fills ones for the exponent 0 and copies for 1 before it
            // looks for a kernel, so a bool tensor to a bool power works (there is no bool pow).
            return if *e {
                t.clone_contiguous()
            } else {
                Tensor::full(t.shape(), Scalar::Int(1), DType::Bool)
            };
        }
    }
    let promoted = b.add_to(a.add_to(ResultType::default())).finish();
    let (compute, result) = plan(op, promoted)?;
    let shape: Cow<[usize]> = if a.shape() == b.shape() {
        a.shape().into()
    } else {
        broadcast_shapes(a.shape(), b.shape())?.into()
    };
    let (ta, tb) = (a.as_dtype(compute)?, b.as_dtype(compute)?);
    check_integer_domain(op, compute, b, &tb, shape.iter().product())?;
    let out = Tensor::uninit(&shape, result)?;
    run(op, compute, &out, &fit(ta, &shape), &fit(tb, &shape));
    let Some(name) = binary_name(op, a, b) else {
        return Ok(out);
    };
    let tensors: Vec<&Tensor> = [a, b]
        .into_iter()
        .filter_map(|v| match v {
            Value::Tensor(t) => Some(t),
            Value::Scalar(_) => None,
        })
        .collect();
    if !is_recording(&tensors) {
        return Ok(out);
    }
    // A scalar operand of add/sub/mul/div has an empty input slot of its own, as in torch.
    let slot = scalar_has_slot(op, a) && tensors.len() == 1;
    let placeholder = Tensor::zeros(&[], DType::Bool)?;
    let inputs: Vec<&Tensor> = [a, b]
        .into_iter()
        .filter_map(|v| match v {
            Value::Tensor(t) => Some(t),
            Value::Scalar(_) => slot.then_some(&placeholder),
        })
        .collect();
    Ok(record(out, name, &inputs, || {
        let (sa, sb) = binary_saves(op, a, b);
        BinaryRule {
            op,
            a: Side::of(a, sa),
            b: Side::of(b, sb),
            scalar_slot: slot,
            released: Default::default(),
        }
    }))
}

/// `dst op= b` in place: the promoted result must be castable to `dst`'s dtype and `b` must
/// broadcast to `dst`'s shape; nothing is written when either check fails.
pub fn binary_(op: BinaryOp, dst: &Tensor, b: &Value) -> Result<()> {
    let others: Vec<&Tensor> = match b {
        Value::Tensor(t) => vec![t],
        Value::Scalar(_) => vec![],
    };
    in_place(
        dst,
        &others,
        || binary_raw(op, dst, b),
        |snapshot| {
            plan_in_place(op, dst, b)?;
            binary(op, &Value::Tensor(snapshot.clone()), b)?.to_dtype(dst.dtype())
        },
    )
}

/// Validates `dst op= b` and returns the (compute, result) dtypes.
fn plan_in_place(op: BinaryOp, dst: &Tensor, b: &Value) -> Result<(DType, DType)> {
    let a = Value::Tensor(dst.clone());
    check_sub(op, &a, b)?;
    let promoted = b.add_to(a.add_to(ResultType::default())).finish();
    let (compute, result) = plan(op, promoted)?;
    result.check_cast_to(dst.dtype())?;
    let shape = broadcast_shapes(dst.shape(), b.shape())?;
    if shape != dst.shape() {
        return Err(Error::Runtime(format!(
            "output with shape {} doesn't match the broadcast shape {}",
            fmt_shape(dst.shape()),
            fmt_shape(&shape)
        )));
    }
    check_writable(dst)?;
    Ok((compute, result))
}

/// `dst op= b` without recording.
fn binary_raw(op: BinaryOp, dst: &Tensor, b: &Value) -> Result<()> {
    let (compute, result) = plan_in_place(op, dst, b)?;
    let shape = dst.shape().to_vec();
    let tb = detach_source(dst, &b.to_tensor(compute)?)?;
    check_integer_domain(op, compute, b, &tb, dst.numel())?;
    let tb = tb.broadcast_to(&shape);
    if compute == dst.dtype() {
        // The kernel reads each element of `dst` before writing it, so `dst` is also the left operand.
        run(op, compute, dst, dst, &tb);
        dst.bump_version();
    } else {
        let out = Tensor::uninit(&shape, result)?;
        run(op, compute, &out, &dst.to_dtype(compute)?, &tb);
        crate::ops::copy::copy_checked(dst, &out)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integer_arithmetic_wraps_and_never_panics() {
        assert_eq!(Arith::floor_div(i64::MIN, -1), i64::MIN);
        assert_eq!(Arith::rem(i64::MIN, -1), 0);
        assert_eq!(Arith::floor_div(i32::MIN, -1), i32::MIN);
        assert_eq!(Arith::floor_div(-7i64, 2), -4);
        assert_eq!(Arith::rem(-7i64, 2), 1);
        assert_eq!(Arith::pow(2i64, -1), 0);
        assert_eq!(Arith::pow(-1i64, i64::MIN), 1);
        assert_eq!(Arith::pow(-1i64, -3), -1);
    }

    #[test]
    fn subtraction_with_a_bool_operand_is_refused() {
        let i = Value::Tensor(Tensor::from_vec(vec![1i64, 2], &[2]).unwrap());
        let b = Value::Scalar(Scalar::Bool(true));
        let e = binary(BinaryOp::Sub, &i, &b).unwrap_err();
        assert!(e
            .to_string()
            .contains("with a bool tensor is not supported"));
        assert!(binary(BinaryOp::Add, &i, &b).is_ok());
    }

    #[test]
    fn only_a_scalar_exponent_is_checked() {
        let i = Value::Tensor(Tensor::from_vec(vec![1i64, 2, 3], &[3]).unwrap());
        assert!(binary(BinaryOp::Pow, &i, &Value::Scalar(Scalar::Int(-1))).is_err());
        let e = Value::Tensor(Tensor::from_vec(vec![-1i64], &[]).unwrap());
        let r = binary(BinaryOp::Pow, &i, &e).unwrap();
        assert_eq!(r.to_vec_i64().unwrap(), vec![1, 0, 0]);
    }
}
