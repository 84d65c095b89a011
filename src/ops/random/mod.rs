//! The sampling ops: `normal`, `bernoulli`, `multinomial`, `poisson`, `randperm`, the standard
//! gamma, and the in-place fills (`uniform_`, `normal_`, `random_`, ...), with torch's checks
//! (all made before anything is written) and nodes. Declarations are in `declare.rs`.

pub mod declare;

use crate::autograd::graph::SavedTensor;
use crate::autograd::mode::without_grad;
use crate::autograd::record::{in_place, record};
use crate::autograd::rules::random::{NormalRule, StandardGammaRule};
use crate::autograd::rules::views::NoGradRule;
use crate::autograd::rules::InputMeta;
use crate::dispatch;
use crate::dtype::{DType, Element};
use crate::error::{fmt_double, Error, Result};
use crate::kernels::copy::{check_writable, copy_checked};
use crate::kernels::normal::{self as normal_kernel, Then};
use crate::random::{fill, generate_indexed, require_floating, Generator};
use crate::tensor::Tensor;

/// torch's message for a probability outside [0, 1] in a tensor.
const P_IN_RANGE: &str = "Expected p_in >= 0 && p_in <= 1 to be true, but got false.  (Could this error message be improved?  If so, please report an enhancement request to PyTorch.)";

/// A fresh tensor of `shape` and `dtype` filled by `fill`.
fn fresh(shape: &[usize], dtype: DType, fill: impl Fn(&Tensor) -> Result<()>) -> Result<Tensor> {
    let t = Tensor::uninit(shape, dtype)?;
    fill(&t)?;
    Ok(t)
}

/// An in-place sampler: `fill` writes a contiguous tensor of `dst`'s shape and dtype (making
/// every check before it writes). Under autograd `dst` gets `node`, whose gradient is zero.
pub fn sample_in_place(
    dst: &Tensor,
    node: &'static str,
    fill: impl Fn(&Tensor) -> Result<()>,
) -> Result<()> {
    in_place(
        dst,
        &[],
        || {
            if dst.is_contiguous() {
                check_writable(dst)?;
                fill(dst)?;
                dst.bump_version();
                Ok(())
            } else {
                copy_checked(dst, &fresh(dst.shape(), dst.dtype(), &fill)?)
            }
        },
        |snapshot| {
            let out = fresh(dst.shape(), dst.dtype(), &fill)?;
            Ok(record(out, node, &[snapshot], || {
                NoGradRule(InputMeta::of(snapshot))
            }))
        },
    )
}

/// The smallest and largest integers `random_` may produce in `dtype` (floats: the integers
/// their mantissa holds exactly).
fn integer_range(dtype: DType) -> (i128, i128) {
    match dtype {
        DType::Bool => (0, 1),
        DType::UInt8 => (0, u8::MAX as i128),
        DType::Int8 => (i8::MIN as i128, i8::MAX as i128),
        DType::Int16 => (i16::MIN as i128, i16::MAX as i128),
        DType::Float16 => (-(1 << 11), 1 << 11),
        DType::BFloat16 => (-(1 << 8), 1 << 8),
        DType::Int32 => (i32::MIN as i128, i32::MAX as i128),
        DType::Int64 => (i64::MIN as i128, i64::MAX as i128),
        DType::Float32 => (-(1 << 24), 1 << 24),
        DType::Float64 => (-(1 << 53), 1 << 53),
    }
}

/// Fills `out` with integers uniform in `[from, to]` (inclusive).
fn fill_integers(gen: &Generator, out: &Tensor, from: i128, to: i128) -> Result<()> {
    let span = (to - from + 1) as u128;
    dispatch!(out.dtype(), T => fill::<T>(gen, out, move |r| {
        let k = if span > u64::MAX as u128 { r.next_u64() as u128 } else { r.below(span as u64) as u128 };
        T::from_i64((from + k as i128) as i64)
    }))
}

/// `random_()`, `random_(to)` and `random_(from, to)` (`to` exclusive; `None`: the dtype's
/// largest value, inclusive).
pub fn random_(
    dst: &Tensor,
    from: i64,
    to: Option<i64>,
    node: &'static str,
    gen: &Generator,
) -> Result<()> {
    let dtype = dst.dtype();
    let (lo, hi) = integer_range(dtype);
    let last = match to {
        Some(to) => {
            if from >= to {
                return Err(Error::Runtime(format!(
                    "random_ expects 'from' to be less than 'to', but got from={} >= to={}",
                    from, to
                )));
            }
            to as i128 - 1
        }
        None => hi,
    };
    if last < from as i128 {
        return Err(Error::Runtime(format!(
            "random_ expects 'from' to be less than or equal to 'to', but got from={} > to={}",
            from, last
        )));
    }
    if !dtype.is_floating() {
        if (from as i128) < lo || (from as i128) > hi {
            return Err(Error::Runtime(format!(
                "from is out of bounds for {}",
                dtype.c_name()
            )));
        }
        if last > hi || last < lo {
            return Err(Error::Runtime(format!(
                "to - 1 is out of bounds for {}",
                dtype.c_name()
            )));
        }
    }
    sample_in_place(dst, node, |out| fill_integers(gen, out, from as i128, last))
}

/// Checks a standard deviation as `normal` does.
fn check_std(std: f64) -> Result<()> {
    if std.is_nan() || std < 0.0 {
        return Err(Error::Runtime(format!(
            "normal expects std >= 0.0, but found std {}",
            fmt_double(std)
        )));
    }
    Ok(())
}

/// Fills `out` with normal samples.
pub fn fill_normal(gen: &Generator, out: &Tensor, mean: f64, std: f64) -> Result<()> {
    require_floating(out.dtype(), "normal_kernel_cpu")?;
    normal_kernel::fill_normal(gen, out, mean, std, Then::Keep)
}

/// `normal(mean, std, size)` of two numbers.
pub fn normal_numbers(
    gen: &Generator,
    mean: f64,
    std: f64,
    shape: &[usize],
    dtype: DType,
) -> Result<Tensor> {
    check_std(std)?;
    require_floating(dtype, "normal_kernel_cpu")?;
    fresh(shape, dtype, |t| fill_normal(gen, t, mean, std))
}

/// A parameter given as a tensor (`Ok`) or as a number (`Err`).
pub type TensorOr<'a> = std::result::Result<&'a Tensor, f64>;

/// `normal` with a tensor mean and/or standard deviation (the other a number): `mean + std *
/// eps` broadcast, with `NormalBackward1` (tensor mean), `NormalBackward2` (tensor std) or
/// `NormalBackward3` (both).
pub fn normal_tensors(gen: &Generator, mean: TensorOr<'_>, std: TensorOr<'_>) -> Result<Tensor> {
    let dtype = match (&mean, &std) {
        (Ok(m), _) => m.dtype(),
        (Err(_), Ok(s)) => s.dtype(),
        (Err(_), Err(_)) => DType::Float32,
    };
    match &std {
        Ok(s) => {
            if s.numel() > 0 && s.to_vec_f64()?.iter().any(|v| v.is_nan() || *v < 0.0) {
                return Err(Error::Runtime(
                    "normal expects all elements of std >= 0.0".into(),
                ));
            }
        }
        Err(s) => check_std(*s)?,
    }
    let shape = match (&mean, &std) {
        (Ok(m), Ok(s)) => crate::shape::broadcast_shapes(m.shape(), s.shape())?,
        (Ok(m), Err(_)) => m.shape().to_vec(),
        (Err(_), Ok(s)) => s.shape().to_vec(),
        (Err(_), Err(_)) => vec![],
    };
    require_floating(dtype, "normal_kernel_cpu")?;
    let eps = fresh(&shape, dtype, |t| fill_normal(gen, t, 0.0, 1.0))?;
    let out = without_grad(|| -> Result<Tensor> {
        let scaled = match &std {
            Ok(s) => eps.mul(*s)?,
            Err(s) => eps.mul(*s)?,
        };
        let shifted = match &mean {
            Ok(m) => scaled.add(*m)?,
            Err(m) => scaled.add(*m)?,
        };
        shifted.to_dtype(dtype)
    })?;
    let (node, inputs): (&'static str, Vec<&Tensor>) = match (&mean, &std) {
        (Ok(m), Ok(s)) => ("NormalBackward3", vec![*m, *s]),
        (Ok(m), Err(_)) => ("NormalBackward1", vec![*m]),
        (Err(_), Ok(s)) => ("NormalBackward2", vec![*s]),
        (Err(_), Err(_)) => return Ok(out),
    };
    Ok(record(out, node, &inputs, || NormalRule {
        mean: mean.ok().map(InputMeta::of),
        std: std.ok().map(InputMeta::of),
        eps: std.is_ok().then(|| SavedTensor::new(&eps)),
    }))
}

/// Fills `out` with one Bernoulli draw per element of `p` (values checked to lie in [0, 1]),
/// `p` already of `out`'s shape.
fn fill_bernoulli(gen: &Generator, out: &Tensor, p: &[f64]) -> Result<()> {
    if p.iter().any(|v| !(*v >= 0.0 && *v <= 1.0)) {
        return Err(Error::Runtime(P_IN_RANGE.into()));
    }
    let shape = out.shape().to_vec();
    let t = dispatch!(out.dtype(), T => generate_indexed::<T>(gen, &shape, |r, i| T::from_bool(r.uniform() < p[i])))?;
    copy_checked(out, &t)
}

/// `bernoulli(input)`: one draw per probability, `BernoulliBackward0` (zero gradient).
pub fn bernoulli(gen: &Generator, input: &Tensor) -> Result<Tensor> {
    if !input.dtype().is_floating() {
        return Err(Error::DTypeNotSupported {
            op: "bernoulli_tensor_cpu_p_",
            dtype: input.dtype().torch_name(),
        });
    }
    let p = input.to_vec_f64()?;
    let out = fresh(input.shape(), input.dtype(), |t| fill_bernoulli(gen, t, &p))?;
    Ok(record(out, "BernoulliBackward0", &[input], || {
        NoGradRule(InputMeta::of(input))
    }))
}

/// Checks a number probability as `bernoulli_` does.
fn check_p(p: f64) -> Result<()> {
    if !(0.0..=1.0).contains(&p) {
        return Err(Error::Runtime(format!(
            "bernoulli_ expects p to be in [0, 1], but got p={}",
            fmt_double(p)
        )));
    }
    Ok(())
}

/// Fills `out` with Bernoulli(p) draws.
pub fn fill_bernoulli_number(gen: &Generator, out: &Tensor, p: f64) -> Result<()> {
    check_p(p)?;
    dispatch!(out.dtype(), T => fill::<T>(gen, out, move |r| T::from_bool(r.uniform() < p)))
}

/// `bernoulli(input, p)`: draws of probability `p` shaped like `input`.
pub fn bernoulli_number(gen: &Generator, input: &Tensor, p: f64) -> Result<Tensor> {
    check_p(p)?;
    fresh(input.shape(), input.dtype(), |t| {
        fill_bernoulli_number(gen, t, p)
    })
}

/// `bernoulli_(p)` with a tensor `p` broadcast to `dst`'s shape.
pub fn bernoulli_tensor_(gen: &Generator, dst: &Tensor, p: &Tensor) -> Result<()> {
    let dims: Vec<i64> = dst.shape().iter().map(|&n| n as i64).collect();
    let p = p.detach().expand(&dims)?.to_vec_f64()?;
    if p.iter().any(|v| !(*v >= 0.0 && *v <= 1.0)) {
        return Err(Error::Runtime(P_IN_RANGE.into()));
    }
    sample_in_place(dst, "BernoulliBackward1", |out| {
        fill_bernoulli(gen, out, &p)
    })
}

/// `multinomial(input, num_samples, replacement)`.
pub fn multinomial(gen: &Generator, input: &Tensor, n: i64, replacement: bool) -> Result<Tensor> {
    if !input.dtype().is_floating() {
        return Err(Error::Runtime(format!(
            "multinomial only supports floating-point dtypes for input, got: {}",
            input.dtype().torch_name()
        )));
    }
    if n <= 0 {
        return Err(Error::Runtime("cannot sample n_sample <= 0 samples".into()));
    }
    if input.ndim() != 1 && input.ndim() != 2 {
        return Err(Error::Runtime("prob_dist must be 1 or 2 dim".into()));
    }
    let cats = input.shape()[input.ndim() - 1];
    let n = n as usize;
    if !replacement && n > cats {
        return Err(Error::Runtime(
            "cannot sample n_sample > prob_dist.size(-1) samples without replacement".into(),
        ));
    }
    let rows = if input.ndim() == 2 {
        input.shape()[0]
    } else {
        1
    };
    let probs = input.to_vec_f64()?;
    if probs.iter().any(|v| !(v.is_finite() && *v >= 0.0)) {
        return Err(Error::Runtime(
            "probability tensor contains either `inf`, `nan` or element < 0".into(),
        ));
    }
    if cats == 0 || probs.chunks(cats).any(|row| row.iter().sum::<f64>() <= 0.0) {
        return Err(Error::Runtime(
            "invalid multinomial distribution (sum of probabilities <= 0)".into(),
        ));
    }
    let shape: Vec<usize> = if input.ndim() == 2 {
        vec![rows, n]
    } else {
        vec![n]
    };
    let out = Tensor::uninit(&shape, DType::Int64)?;
    // SAFETY: `out` is a fresh contiguous int64 tensor of `rows * n` elements, not shared.
    let data = unsafe { std::slice::from_raw_parts_mut(out.data_ptr_typed::<i64>(), out.numel()) };
    crate::kernels::random::multinomial(gen, &probs, cats, n, replacement, data);
    Ok(out)
}

/// `randperm(n)`.
pub fn randperm(gen: &Generator, n: i64, dtype: DType) -> Result<Tensor> {
    if n < 0 {
        return Err(Error::Runtime(format!(
            "Trying to create tensor with negative dimension {}: [{}]",
            n, n
        )));
    }
    if dtype == DType::Bool {
        return Err(Error::DTypeNotSupported {
            op: "randperm",
            dtype: "Bool",
        });
    }
    if dtype == DType::Float32 && n > (1 << 24) + 1 {
        return Err(Error::Runtime(
            "n cannot be greater than 2^24+1 for Float type.".into(),
        ));
    }
    if dtype == DType::Int32 && n > i32::MAX as i64 + 1 {
        return Err(Error::Runtime(
            "n cannot be greater than 2^31+1 for Int type.".into(),
        ));
    }
    let out = Tensor::uninit(&[n as usize], DType::Int64)?;
    // SAFETY: `out` is a fresh contiguous int64 tensor of `n` elements, not shared.
    let data = unsafe { std::slice::from_raw_parts_mut(out.data_ptr_typed::<i64>(), n as usize) };
    crate::kernels::random::randperm(gen, data);
    if dtype == DType::Int64 {
        Ok(out)
    } else {
        out.to_dtype(dtype)
    }
}

/// `poisson(input)`: one Poisson draw per rate, `PoissonBackward0` (zero gradient).
pub fn poisson(gen: &Generator, input: &Tensor) -> Result<Tensor> {
    require_floating(input.dtype(), "poisson_cpu")?;
    let rates = input.to_vec_f64()?;
    if rates.iter().any(|v| v.is_nan() || *v < 0.0) {
        return Err(Error::Runtime(
            "invalid Poisson rate, expected rate to be non-negative".into(),
        ));
    }
    let out = dispatch!(input.dtype(), T => generate_indexed::<T>(gen, input.shape(), |r, i| {
        T::from_f64(crate::kernels::random::poisson(r, rates[i]))
    }))?;
    Ok(record(out, "PoissonBackward0", &[input], || {
        NoGradRule(InputMeta::of(input))
    }))
}

/// `_standard_gamma(input)`: one Gamma(alpha, 1) draw per shape, `StandardGammaBackward0`.
pub fn standard_gamma(gen: &Generator, input: &Tensor) -> Result<Tensor> {
    require_floating(input.dtype(), "gamma_cpu")?;
    let alphas = input.to_vec_f64()?;
    let out = if input.dtype() == DType::Float32 {
        generate_indexed::<f32>(gen, input.shape(), |r, i| {
            crate::kernels::random::standard_gamma(r, alphas[i], f32::MIN_POSITIVE as f64) as f32
        })?
    } else {
        generate_indexed::<f64>(gen, input.shape(), |r, i| {
            crate::kernels::random::standard_gamma(r, alphas[i], f64::MIN_POSITIVE)
        })?
    };
    Ok(record(
        out.clone(),
        "StandardGammaBackward0",
        &[input],
        || StandardGammaRule {
            alpha: SavedTensor::new(input),
            sample: SavedTensor::output(&out, "StandardGammaBackward0"),
        },
    ))
}

impl Tensor {
    /// torch's `_standard_gamma_grad(self, output)`: the reparameterised gradient of a
    /// Gamma(self) sample `output`, elementwise (broadcast), in `self`'s dtype.
    pub fn standard_gamma_grad(&self, output: &Tensor) -> Result<Tensor> {
        require_floating(self.dtype(), "_standard_gamma_grad_cpu")?;
        let shape = crate::shape::broadcast_shapes(self.shape(), output.shape())?;
        let dims: Vec<i64> = shape.iter().map(|&n| n as i64).collect();
        let a = self.detach().expand(&dims)?.to_vec_f64()?;
        let x = output.detach().expand(&dims)?.to_vec_f64()?;
        let v: Vec<f64> = a
            .iter()
            .zip(&x)
            .map(|(&a, &x)| crate::kernels::random::standard_gamma_grad(a, x))
            .collect();
        Tensor::from_vec(v, &shape)?.to_dtype(self.dtype())
    }
}

/// `uniform_(from, to)`.
pub fn uniform_(gen: &Generator, dst: &Tensor, from: f64, to: f64) -> Result<()> {
    if from > to {
        return Err(Error::Runtime(format!(
            "uniform_ expects to return a [from, to) range, but found from={} > to={}",
            fmt_double(from),
            fmt_double(to)
        )));
    }
    require_floating(dst.dtype(), "check_uniform_bounds")?;
    let max = if dst.dtype() == DType::Float32 {
        f32::MAX as f64
    } else {
        f64::MAX
    };
    if !(from >= -max && from <= max) {
        return Err(Error::Runtime(format!(
            "from is out of bounds for {}",
            dst.dtype().c_name()
        )));
    }
    if !(to >= -max && to <= max) {
        return Err(Error::Runtime(format!(
            "to is out of bounds for {}",
            dst.dtype().c_name()
        )));
    }
    sample_in_place(dst, "UniformBackward0", |out| {
        let w = to - from;
        dispatch!(out.dtype(), T => fill::<T>(gen, out, move |r| {
            let v = T::from_f64(from + r.uniform() * w);
            if w > 0.0 && v.to_f64() >= to { T::from_f64(from) } else { v }
        }))
    })
}

/// The continuous samplers' dtype check, as torch words it for `exponential_` and `cauchy_`.
fn require_continuous(dtype: DType, name: &str, type_name: &str) -> Result<()> {
    if !dtype.is_floating() {
        return Err(Error::Runtime(format!(
            "{} distribution is a continuous probability distribution. dtype must be a floating point but you specified {}",
            name, type_name
        )));
    }
    Ok(())
}

/// `exponential_(lambd)`.
pub fn exponential_(gen: &Generator, dst: &Tensor, lambd: f64) -> Result<()> {
    if lambd.is_nan() || lambd <= 0.0 {
        return Err(Error::Runtime(format!(
            "exponential_ expects lambda > 0.0, but found lambda={}",
            fmt_double(lambd)
        )));
    }
    require_continuous(dst.dtype(), "Exponential", dst.dtype().torch_name())?;
    sample_in_place(
        dst,
        "ExponentialBackward0",
        |out| dispatch!(out.dtype(), T => fill::<T>(gen, out, move |r| T::from_f64(r.exponential() / lambd))),
    )
}

/// `geometric_(p)`: the number of Bernoulli(p) trials up to the first success.
pub fn geometric_(gen: &Generator, dst: &Tensor, p: f64) -> Result<()> {
    if !(p > 0.0 && p < 1.0) {
        return Err(Error::Runtime(format!(
            "geometric_ expects p to be in (0, 1), but got p={}",
            fmt_double(p)
        )));
    }
    if dst.dtype() == DType::Bool {
        return Err(Error::DTypeNotSupported {
            op: "geometric_cpu",
            dtype: "Bool",
        });
    }
    let denom = (-p).ln_1p();
    sample_in_place(dst, "GeometricBackward0", |out| {
        dispatch!(out.dtype(), T => fill::<T>(gen, out, move |r| {
            T::from_f64((r.uniform_open0().ln() / denom).ceil().max(1.0))
        }))
    })
}

/// `cauchy_(median, sigma)`.
pub fn cauchy_(gen: &Generator, dst: &Tensor, median: f64, sigma: f64) -> Result<()> {
    if sigma.is_nan() || sigma <= 0.0 {
        return Err(Error::Runtime(format!(
            "cauchy_ expects sigma > 0.0, but found sigma={}",
            fmt_double(sigma)
        )));
    }
    require_continuous(dst.dtype(), "Cauchy", dst.dtype().c_name())?;
    sample_in_place(dst, "CauchyBackward0", |out| {
        dispatch!(out.dtype(), T => fill::<T>(gen, out, move |r| {
            T::from_f64(median + sigma * (std::f64::consts::PI * (r.uniform() - 0.5)).tan())
        }))
    })
}

/// `log_normal_(mean, std)`.
pub fn log_normal_(gen: &Generator, dst: &Tensor, mean: f64, std: f64) -> Result<()> {
    if std.is_nan() || std <= 0.0 {
        return Err(Error::Runtime(format!(
            "log_normal_ expects std > 0.0, but found std={}",
            fmt_double(std)
        )));
    }
    require_floating(dst.dtype(), "log_normal_cpu")?;
    sample_in_place(dst, "LogNormalBackward0", |out| {
        normal_kernel::fill_normal(gen, out, mean, std, Then::Exp)
    })
}

/// `normal_(mean, std)`.
pub fn normal_(gen: &Generator, dst: &Tensor, mean: f64, std: f64) -> Result<()> {
    check_std(std)?;
    require_floating(dst.dtype(), "normal_kernel_cpu")?;
    sample_in_place(dst, "NormalBackward0", |out| {
        fill_normal(gen, out, mean, std)
    })
}

/// `bernoulli_(p)` with a number `p`.
pub fn bernoulli_number_(gen: &Generator, dst: &Tensor, p: f64) -> Result<()> {
    check_p(p)?;
    sample_in_place(dst, "BernoulliBackward2", |out| {
        fill_bernoulli_number(gen, out, p)
    })
}

/// Integers uniform in `[low, high)` shaped like `like` (`randint_like`), in `dtype`, laid out
/// in torch's `memory_format` (`None` keeps `like`'s dim order).
pub fn randint_like(
    gen: &Generator,
    like: &Tensor,
    (low, high): (i64, i64),
    dtype: DType,
    format: Option<&str>,
) -> Result<Tensor> {
    like_format(like, format, |shape| {
        crate::random::randint(gen, low, high, shape, dtype)
    })
}

/// Samples of `make` shaped like `like` (`rand_like`, `randn_like`), laid out in torch's
/// `memory_format` (`None` keeps `like`'s dim order); a bad format fails before any draw.
pub fn like_format(
    like: &Tensor,
    format: Option<&str>,
    make: impl FnOnce(&[usize]) -> Result<Tensor>,
) -> Result<Tensor> {
    crate::kernels::copy::format_strides(like, format)?;
    make(like.shape())?.in_memory_format(like, format)
}
