//! Tensors made from nothing but parameters: full, arange, linspace, eye; and in-place fills.

use crate::autograd::record::{in_place, record};
use crate::autograd::rules::views::NoGradRule;
use crate::autograd::rules::InputMeta;
use crate::dispatch;
use crate::dtype::{DType, Element};
use crate::error::{fmt_double, Error, Result};
use crate::kernels::engine::{self, Operand};
use crate::ops::registry::{Forms, OpDef, Ret};
use crate::scalar::Scalar;
use crate::tensor::Tensor;

/// Checks requested sizes and converts them, with torch's message for negative ones.
pub fn checked_sizes(sizes: &[i64]) -> Result<Vec<usize>> {
    if let Some(&bad) = sizes.iter().find(|&&s| s < 0) {
        return Err(Error::Runtime(format!(
            "Trying to create tensor with negative dimension {}: [{}]",
            bad,
            sizes
                .iter()
                .map(|s| s.to_string())
                .collect::<Vec<_>>()
                .join(", ")
        )));
    }
    Ok(sizes.iter().map(|&s| s as usize).collect())
}

/// Writes `n` values `f(i)` into a fresh contiguous tensor, in parallel chunks.
fn generate<T: Element>(shape: &[usize], f: impl Fn(usize) -> T + Sync + Send) -> Result<Tensor> {
    let out = Tensor::uninit(shape, T::DTYPE)?;
    let n = out.numel();
    let p = crate::strided::SendPtr(out.data_ptr_typed::<T>());
    let chunk = engine::CHUNK;
    let chunks = if n >= engine::PAR_THRESHOLD {
        n.div_ceil(chunk)
    } else {
        1
    };
    crate::threads::for_each_chunk(chunks, |c| {
        let (start, end) = if chunks == 1 {
            (0, n)
        } else {
            (c * chunk, ((c + 1) * chunk).min(n))
        };
        for i in start..end {
            // SAFETY: `out` is a fresh contiguous tensor of `n` `T::DTYPE` elements and
            // `i < end <= n`; chunks cover disjoint ranges `start..end`, so no two threads write
            // one element, and nothing reads `out` until `for_each_chunk` returns.
            unsafe { *p.at(i as isize) = f(i) };
        }
    });
    Ok(out)
}

/// `value` as int64 the way torch's `Scalar::to<int64_t>` gives it (truncated, checked).
fn checked_i64(value: Scalar) -> Result<i64> {
    match value.checked_to(DType::Int64)? {
        Scalar::Int(i) => Ok(i),
        Scalar::Bool(b) => Ok(b as i64),
        Scalar::Float(f) => Ok(f as i64),
    }
}

/// `value` as float32 by one rounding (an int64 converts directly, not through a double).
fn as_f32(value: Scalar) -> f32 {
    match value {
        Scalar::Int(i) => i as f32,
        Scalar::Float(f) => f as f32,
        Scalar::Bool(b) => b as u8 as f32,
    }
}

/// Integer `linspace` of `steps >= 2` from converted ends: a double step, each value a fused
/// multiply-add truncated by `cast` (which gives what x86's conversion gives out of range).
fn int_linspace<T: Element>(
    first: Scalar,
    last: Scalar,
    n: usize,
    cast: fn(f64) -> T,
) -> Result<Tensor> {
    let (a, b) = (first.as_f64(), last.as_f64());
    let step = (b - a) / (n - 1) as f64;
    let half = n / 2;
    generate::<T>(&[n], move |i| {
        cast(if i < half {
            step.mul_add(i as f64, a)
        } else {
            (-step).mul_add((n - 1 - i) as f64, b)
        })
    })
}

impl Tensor {
    /// A tensor of `shape` filled with `value` converted to `dtype`.
    pub fn full(shape: &[usize], value: Scalar, dtype: DType) -> Result<Tensor> {
        let value = value.checked_to(dtype)?;
        if value.as_f64() == 0.0 && !value.as_f64().is_sign_negative() {
            return Tensor::zeros(shape, dtype);
        }
        let out = Tensor::uninit(shape, dtype)?;
        dispatch!(dtype, T => {
            let v = value.to::<T>();
            engine::fill_with::<T>(Operand::of(&out)?, move || v)
        })?;
        Ok(out)
    }

    /// A 0-dim tensor holding `value` converted to `dtype`.
    pub fn scalar_tensor(value: Scalar, dtype: DType) -> Result<Tensor> {
        dispatch!(dtype, T => Tensor::from_vec(vec![value.to::<T>()], &[]))
    }

    /// `full_like`: `value` everywhere, shaped like `src` and in its dim order when dense (torch's
    /// `preserve_format`).
    pub fn full_like(src: &Tensor, value: Scalar, dtype: DType) -> Result<Tensor> {
        Ok(Tensor::full(src.shape(), value, dtype)?.in_dim_order_of(src))
    }

    /// `fill_(value)`: sets every element in place. Allowed on expanded tensors, as in torch:
    /// every element gets the same value, so each memory location is written once.
    pub fn fill_(&self, value: Scalar) -> Result<()> {
        value.checked_to(self.dtype())?;
        self.fill_recorded(value, "FillBackward0")
    }

    /// `zero_()`: sets every element to zero in place.
    pub fn zero_(&self) -> Result<()> {
        self.fill_recorded(Scalar::Int(0), "ZeroBackward0")
    }

    fn fill_recorded(&self, value: Scalar, name: &'static str) -> Result<()> {
        in_place(
            self,
            &[],
            || self.fill_raw(value),
            |snapshot| {
                let out = Tensor::full_like(snapshot, value, self.dtype())?;
                Ok(record(out, name, &[snapshot], || {
                    NoGradRule(InputMeta::of(snapshot))
                }))
            },
        )
    }

    /// `fill_` without recording anything.
    pub fn fill_raw(&self, value: Scalar) -> Result<()> {
        crate::kernels::copy::check_not_read_only(self)?;
        let target = self.with_layout(self.layout().distinct_elements());
        dispatch!(self.dtype(), T => {
            let v = value.to::<T>();
            engine::fill_with::<T>(Operand::of(&target)?, move || v)
        })?;
        self.bump_version();
        Ok(())
    }

    /// `arange(start, end, step)` in `dtype` as torch computes it: the checks and the size in
    /// double on the values as given (for int64 from three ints, in wrapping integer arithmetic as
    /// torch's); integer dtypes cast start and step to int64 first (truncating, with torch's
    /// overflow check) and fill `start + step * i` in wrapping int64, narrowed to the dtype.
    pub fn arange(start: Scalar, end: Scalar, step: Scalar, dtype: DType) -> Result<Tensor> {
        if dtype == DType::Bool {
            return Err(Error::DTypeNotSupported {
                op: "arange_cpu",
                dtype: "Bool",
            });
        }
        let (s, e, st) = (start.as_f64(), end.as_f64(), step.as_f64());
        if st == 0.0 {
            return Err(Error::Runtime("step must be nonzero".into()));
        }
        if !st.is_finite() {
            return Err(Error::Runtime(format!(
                "step must be finite but got {}",
                fmt_double(st)
            )));
        }
        if !s.is_finite() || !e.is_finite() {
            return Err(Error::Runtime(format!(
                "unsupported range: {} -> {}",
                fmt_double(s),
                fmt_double(e)
            )));
        }
        if (st > 0.0 && e < s) || (st < 0.0 && e > s) {
            return Err(Error::Runtime(
                "upper bound and lower bound inconsistent with step sign".into(),
            ));
        }
        let size = match (dtype, start, end, step) {
            (DType::Int64, Scalar::Int(a), Scalar::Int(b), Scalar::Int(c)) => {
                // torch: (end - start + step - sign(step)) / step in int64, whose overflow wraps.
                let n = b
                    .wrapping_sub(a)
                    .wrapping_add(c)
                    .wrapping_sub(c.signum())
                    .wrapping_div(c);
                n as f64
            }
            _ => ((e - s) / st).ceil(),
        };
        if !(0.0..=i64::MAX as f64).contains(&size) {
            return Err(Error::Runtime("invalid size, possible overflow?".into()));
        }
        let n = size as usize;
        match dtype {
            // torch accumulates every integer dtype in int64 (the start and step truncated)
            DType::Int32 | DType::Int64 | DType::Int16 | DType::Int8 | DType::UInt8 => {
                let first = checked_i64(start)?;
                let step = checked_i64(step)?;
                dispatch!(dtype, T => generate::<T>(&[n], move |i| {
                    T::from_i64(first.wrapping_add(step.wrapping_mul(i as i64)))
                }))
            }
            _ => {
                dispatch!(dtype, T => generate::<T>(&[n], move |i| T::from_f64(s + st * i as f64)))
            }
        }
    }

    /// `arange` over integers, computed exactly in i64.
    pub fn arange_int(start: i64, end: i64, step: i64, dtype: DType) -> Result<Tensor> {
        if step == 0 {
            return Err(Error::Runtime("step must be nonzero".into()));
        }
        if (step > 0 && end < start) || (step < 0 && end > start) {
            return Err(Error::Runtime(
                "upper bound and lower bound inconsistent with step sign".into(),
            ));
        }
        let span = (end as i128 - start as i128).unsigned_abs();
        let n = span.div_ceil(step.unsigned_abs() as u128) as usize;
        dispatch!(dtype, T => generate::<T>(&[n], move |i| T::from_i64(start.wrapping_add(step.wrapping_mul(i as i64)))))
    }

    /// `linspace(start, end, steps)` as torch computes it, in the output dtype: start and end are
    /// converted to it (with torch's overflow check), `step = (end - start) / (steps - 1)`, and the
    /// first half is `start + step * i`, the rest `end - step * (steps - 1 - i)`, each one fused
    /// multiply-add (torch's compiled kernel contracts them). Integer dtypes take a double step and
    /// truncate each value; one step fills `start`; bool has no kernel.
    pub fn linspace(start: Scalar, end: Scalar, steps: i64, dtype: DType) -> Result<Tensor> {
        if steps < 0 {
            return Err(Error::Runtime(
                "number of steps must be non-negative".into(),
            ));
        }
        let n = steps as usize;
        match n {
            0 => return Tensor::zeros(&[0], dtype),
            1 => return Tensor::full(&[1], start.checked_to(dtype)?, dtype),
            _ => {}
        }
        let (first, last) = (start.checked_to(dtype)?, end.checked_to(dtype)?);
        if !dtype.is_kernel_dtype() {
            return Tensor::linspace(first, last, steps, dtype.compute_dtype())?.to_dtype(dtype);
        }
        let half = n / 2;
        match dtype {
            DType::Bool => Err(Error::DTypeNotSupported {
                op: "linspace_cpu",
                dtype: "Bool",
            }),
            DType::Int32 => int_linspace(first, last, n, |v| {
                if v > -2147483649.0 && v < 2147483648.0 {
                    v as i32
                } else {
                    i32::MIN
                }
            }),
            DType::Int64 => int_linspace(first, last, n, |v| {
                if (-9223372036854775808.0..9223372036854775808.0).contains(&v) {
                    v as i64
                } else {
                    i64::MIN
                }
            }),
            DType::Float32 => {
                let (a, b) = (as_f32(first), as_f32(last));
                let step = (b - a) / (n - 1) as f32;
                generate::<f32>(&[n], move |i| {
                    if i < half {
                        step.mul_add(i as f32, a)
                    } else {
                        (-step).mul_add((n - 1 - i) as f32, b)
                    }
                })
            }
            DType::Float64 => {
                let (a, b) = (first.as_f64(), last.as_f64());
                let step = (b - a) / (n - 1) as f64;
                generate::<f64>(&[n], move |i| {
                    if i < half {
                        step.mul_add(i as f64, a)
                    } else {
                        (-step).mul_add((n - 1 - i) as f64, b)
                    }
                })
            }
            other => Err(crate::kernels::pointwise::no_kernel(other)),
        }
    }

    /// `eye(n, m)`: ones on the main diagonal.
    pub fn eye(n: i64, m: i64, dtype: DType) -> Result<Tensor> {
        if n < 0 {
            return Err(Error::Runtime(format!(
                "n must be greater or equal to 0, got {}",
                n
            )));
        }
        if m < 0 {
            return Err(Error::Runtime(format!(
                "m must be greater or equal to 0, got {}",
                m
            )));
        }
        let (n, m) = (n as usize, m as usize);
        dispatch!(dtype, T => generate::<T>(&[n, m], move |i| T::from_bool(i / m.max(1) == i % m.max(1))))
    }
}

/// `fill_`.
pub static FILL_: OpDef = OpDef {
    name: "fill_",
    doc: "Sets every element to `value` in place.",
    signatures: &[
        "fill_(Tensor input, Scalar value)",
        "fill_(Tensor input, Tensor value)",
    ],
    forms: Forms::METHOD,
    aliases: &[],
    nodes: &["FillBackward0"],
    method_signatures: &[],
    source: file!(),
    run: |a, _| {
        let t = a.tensor(0)?;
        let value = match a.overload {
            0 => a.scalar(1)?,
            _ => {
                let v = a.tensor(1)?;
                if v.ndim() != 0 {
                    return Err(Error::Runtime(format!(
                        "fill_ only supports 0-dimension value tensor but got tensor with {} dimensions.",
                        v.ndim()
                    )));
                }
                v.item_scalar()?
            }
        };
        t.fill_(value)?;
        Ok(t.clone().into())
    },
};

/// `zero_`.
pub static ZERO_: OpDef = OpDef {
    name: "zero_",
    doc: "Sets every element to zero in place.",
    signatures: &["zero_(Tensor input)"],
    forms: Forms::METHOD,
    aliases: &[],
    nodes: &["ZeroBackward0"],
    method_signatures: &[],
    source: file!(),
    run: |a, _| {
        let t = a.tensor(0)?;
        t.zero_()?;
        Ok(t.clone().into())
    },
};

/// `numel`.
pub static NUMEL: OpDef = OpDef {
    name: "numel",
    doc: "The number of elements.",
    signatures: &["numel(Tensor input) -> int"],
    forms: Forms::BOTH,
    aliases: &[],
    nodes: &[],
    method_signatures: &[],
    source: file!(),
    run: |a, _| Ok(Ret::Int(a.tensor(0)?.numel() as i64)),
};

/// `is_floating_point`.
pub static IS_FLOATING_POINT: OpDef = OpDef {
    name: "is_floating_point",
    doc: "Whether the dtype is a floating one.",
    signatures: &["is_floating_point(Tensor input) -> bool"],
    forms: Forms::BOTH,
    aliases: &[],
    nodes: &[],
    method_signatures: &[],
    source: file!(),
    run: |a, _| Ok(Ret::Bool(a.tensor(0)?.dtype().is_floating())),
};

/// The declarations of this file.
pub static OPS: &[&OpDef] = &[&FILL_, &ZERO_, &NUMEL, &IS_FLOATING_POINT];
