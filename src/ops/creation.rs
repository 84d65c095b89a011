//! Tensors made from nothing but parameters: full, arange, linspace, eye; and in-place fills.

use crate::autograd::record::{in_place, record};
use crate::autograd::rules::views::NoGradRule;
use crate::autograd::rules::InputMeta;
use crate::dispatch;
use crate::dtype::{DType, Element};
use crate::error::{Error, Result};
use crate::kernels::engine::{self, Operand};
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
            // SAFETY: i < n, chunks are disjoint.
            unsafe { *p.at(i as isize) = f(i) };
        }
    });
    Ok(out)
}

impl Tensor {
    /// A tensor of `shape` filled with `value` converted to `dtype`.
    pub fn full(shape: &[usize], value: Scalar, dtype: DType) -> Result<Tensor> {
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
        crate::ops::copy::check_not_read_only(self)?;
        let target = self.with_layout(self.layout().distinct_elements());
        dispatch!(self.dtype(), T => {
            let v = value.to::<T>();
            engine::fill_with::<T>(Operand::of(&target)?, move || v)
        })?;
        self.bump_version();
        Ok(())
    }

    /// `arange(start, end, step)` in `dtype`, with torch's size rule and checks.
    pub fn arange(start: f64, end: f64, step: f64, dtype: DType) -> Result<Tensor> {
        if step == 0.0 {
            return Err(Error::Runtime("step must be nonzero".into()));
        }
        if !start.is_finite() || !end.is_finite() {
            return Err(Error::Runtime(format!(
                "unsupported range: {} -> {}",
                start, end
            )));
        }
        if (step > 0.0 && end < start) || (step < 0.0 && end > start) {
            return Err(Error::Runtime(
                "upper bound and lower bound inconsistent with step sign".into(),
            ));
        }
        let size = ((end - start) / step).ceil();
        if !(0.0..=i64::MAX as f64).contains(&size) {
            return Err(Error::Runtime(format!(
                "invalid size, possible overflow? (start={}, end={}, step={})",
                start, end, step
            )));
        }
        let n = size as usize;
        dispatch!(dtype, T => generate::<T>(&[n], move |i| T::from_f64(start + step * i as f64)))
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

    /// `linspace(start, end, steps)`: symmetric from both ends, as torch computes it.
    pub fn linspace(start: f64, end: f64, steps: i64, dtype: DType) -> Result<Tensor> {
        if steps < 0 {
            return Err(Error::Runtime(
                "number of steps must be non-negative".into(),
            ));
        }
        let n = steps as usize;
        if n == 1 {
            return Tensor::full(&[1], Scalar::Float(start), dtype);
        }
        let step = if n > 1 {
            (end - start) / (n - 1) as f64
        } else {
            0.0
        };
        let half = n / 2;
        dispatch!(dtype, T => generate::<T>(&[n], move |i| {
            if i < half {
                T::from_f64(start + step * i as f64)
            } else {
                T::from_f64(end - step * (n - i - 1) as f64)
            }
        }))
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
