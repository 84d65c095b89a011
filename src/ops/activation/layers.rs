//! The activation family's ops that are not elementwise: `glu`, `prelu`, `softmin`, `dropout`
//! and `one_hot`.

use crate::autograd::mode::without_grad;
use crate::autograd::rules::activation::{record_glu, record_prelu};
use crate::dtype::DType;
use crate::error::{fmt_double, Error, Result};
use crate::ops::registry::Dest;
use crate::scalar::Scalar;
use crate::shape::normalize_dim;
use crate::tensor::Tensor;
use crate::value::Value;

/// `glu(input, dim)`: `a * sigmoid(b)` for the two halves `a`, `b` of `input` along `dim`.
pub fn glu(x: &Tensor, dim: i64) -> Result<Tensor> {
    if x.ndim() == 0 {
        return Err(Error::Runtime(
            "glu does not support scalars because halving size must be even".into(),
        ));
    }
    let d = normalize_dim(dim, x.ndim())?;
    let n = x.shape()[d];
    if !n.is_multiple_of(2) {
        return Err(Error::Runtime(format!(
            "Halving dimension must be even, but dimension {} is size {}",
            d, n
        )));
    }
    if !x.dtype().is_floating() {
        return Err(Error::DTypeNotSupported {
            op: "glu_cpu",
            dtype: x.dtype().torch_name(),
        });
    }
    let half = (n / 2) as i64;
    let out = without_grad(|| {
        let a = x.narrow_checked(d as i64, 0, half)?;
        let b = x.narrow_checked(d as i64, half, half)?;
        a.mul(&b.sigmoid()?)
    })?;
    Ok(record_glu(out, x, d as i64))
}

/// `prelu(input, weight)`: `x` above 0, `weight * x` elsewhere, the weight (one value, or one
/// per channel: dim 1) broadcast against the input.
pub fn prelu(x: &Tensor, w: &Tensor) -> Result<Tensor> {
    if w.ndim() > 1 {
        return Err(Error::Runtime(format!(
            "prelu: Expected `weight` to be a scalar or 1D tensor, but got: ndim = {}",
            w.ndim()
        )));
    }
    let channels = if x.ndim() >= 2 { x.shape()[1] } else { 1 };
    if w.numel() != 1 && w.numel() != channels {
        return Err(Error::Runtime(format!(
            "Mismatch of parameter numbers and input channel size. Found parameter numbers = {} and channel size = {}.",
            w.numel(),
            channels
        )));
    }
    if !x.dtype().is_floating() {
        return Err(Error::DTypeNotSupported {
            op: "prelu_cpu",
            dtype: x.dtype().torch_name(),
        });
    }
    let mut wb_shape = vec![1i64; x.ndim()];
    if x.ndim() >= 2 {
        wb_shape[1] = w.numel() as i64;
    }
    let out = without_grad(|| {
        let wb = w.reshape(&wb_shape)?;
        Tensor::where_(
            &x.gt(0i64)?,
            &Value::Tensor(x.clone()),
            &Value::Tensor(x.mul(&wb)?),
        )
    })?;
    Ok(record_prelu(out, x, w, wb_shape))
}

/// `softmin(input, dim, dtype)`: `softmax(-input)`; without a dim, torch's implicit choice
/// (0 for 0-, 1- and 3-dim inputs, else 1).
pub fn softmin(x: &Tensor, dim: Option<i64>, dtype: Option<DType>) -> Result<Tensor> {
    let dim = dim.unwrap_or(if matches!(x.ndim(), 0 | 1 | 3) { 0 } else { 1 });
    x.neg()?.softmax(dim, dtype)
}

/// `x * m`, or `x *= m` when `inplace` (`MulBackward0`).
fn multiply(x: &Tensor, m: Tensor, inplace: bool) -> Result<Tensor> {
    let dest = super::dest_of(Dest::New, inplace);
    crate::ops::pointwise::binary(
        &Value::Tensor(x.clone()),
        &Value::Tensor(m),
        dest,
        &crate::ops::pointwise::arith::mul::spec(),
    )
}

/// torch's `dropout(input, p, train)`: each element zeroed with probability `p` (draws from
/// rtensor's default generator), the others scaled by `1 / (1 - p)`: `input * mask`
/// (`MulBackward0`). With `p = 0`, not training, or no elements, the input itself.
pub fn dropout(x: &Tensor, p: f64, train: bool, inplace: bool) -> Result<Tensor> {
    if !(0.0..=1.0).contains(&p) {
        return Err(Error::Runtime(format!(
            "dropout probability has to be between 0 and 1, but got {}",
            fmt_double(p)
        )));
    }
    if p == 0.0 || !train || x.numel() == 0 {
        return Ok(x.clone());
    }
    if p == 1.0 {
        return multiply(x, Tensor::zeros(&[], x.dtype())?, inplace);
    }
    if !x.dtype().is_floating() {
        return Err(Error::CannotCast {
            from: "Float",
            to: x.dtype().torch_name(),
        });
    }
    let gen = crate::random::Generator::default_generator();
    let noise = crate::ops::random::bernoulli_number(gen, &x.detach(), 1.0 - p)?;
    let noise = noise.div(1.0 - p)?;
    multiply(x, noise, inplace)
}

/// `torch.nn.functional.dropout`'s check of `p` (a NaN passes, for `dropout`'s own check).
pub fn check_dropout_p(p: f64) -> Result<()> {
    if !p.is_nan() && !(0.0..=1.0).contains(&p) {
        return Err(Error::Value(format!(
            "dropout probability has to be between 0 and 1, but got {}",
            fmt_double(p)
        )));
    }
    Ok(())
}

/// `one_hot(tensor, num_classes)`: int64, one more dim of `num_classes` (inferred as the
/// largest class plus one when -1) with a 1 at each element's class.
pub fn one_hot(t: &Tensor, num_classes: i64) -> Result<Tensor> {
    if t.dtype() != DType::Int64 {
        return Err(Error::Runtime(
            "one_hot is only applicable to index tensor of type LongTensor.".into(),
        ));
    }
    let mut shape = t.shape().to_vec();
    if t.numel() == 0 {
        if num_classes <= 0 {
            return Err(Error::Runtime(
                "Can not infer total number of classes from empty tensor.".into(),
            ));
        }
        shape.push(num_classes as usize);
        return Tensor::zeros(&shape, DType::Int64);
    }
    let values = t.to_vec_i64()?;
    let (lo, hi) = values
        .iter()
        .fold((i64::MAX, i64::MIN), |(l, h), &v| (l.min(v), h.max(v)));
    if lo < 0 {
        return Err(Error::Runtime("Class values must be non-negative.".into()));
    }
    let classes = if num_classes == -1 {
        hi + 1
    } else if num_classes <= hi {
        return Err(Error::Runtime(
            "Class values must be smaller than num_classes.".into(),
        ));
    } else {
        num_classes
    };
    shape.push(classes as usize);
    let index = t.detach().unsqueeze(-1)?;
    Tensor::zeros(&shape, DType::Int64)?.scatter_fill(-1, &index, Scalar::Int(1))
}
