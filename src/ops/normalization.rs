//! torch.nn.functional's normalisations: `layer_norm`, `batch_norm` and `group_norm` (also as
//! `rtensor.layer_norm`, ... with torch's argument orders). layer_norm's kernel is
//! `kernels::normalization`; batch_norm and group_norm are computed, unrecorded, with float64
//! ops. Statistics are float64, results rounded once. The gradient rule is
//! `autograd::rules::normalization`.

use crate::autograd::rules::normalization::{record_norm, NormSpec};
use crate::dtype::DType;
use crate::error::{Error, Result};
use crate::ops::registry::{Args, Forms, OpDef};
use crate::tensor::Tensor;

/// torch's checks of `layer_norm`'s (and `rms_norm`'s) shapes, `star` what the message puts
/// before the normalised shape: the number of normalised elements.
fn check_normalized_shape(
    x: &Tensor,
    normalized_shape: &[i64],
    weight: Option<&Tensor>,
    bias: Option<&Tensor>,
    star: &str,
) -> Result<usize> {
    if normalized_shape.is_empty() {
        return Err(Error::Runtime(format!(
            "Expected normalized_shape to be at least 1-dimensional, i.e., containing at least one element, but got normalized_shape = {:?}",
            normalized_shape
        )));
    }
    for (what, t) in [("weight", weight), ("bias", bias)] {
        if let Some(t) = t {
            let shape: Vec<i64> = t.shape().iter().map(|&d| d as i64).collect();
            if shape != normalized_shape {
                return Err(Error::Runtime(format!(
                    "Expected {} to be of same shape as normalized_shape, but got {} of shape {:?} and normalized_shape = {:?}",
                    what, what, shape, normalized_shape
                )));
            }
        }
    }
    let shape = x.shape();
    let k = normalized_shape.len();
    let fits = shape.len() >= k
        && shape[shape.len() - k..]
            .iter()
            .zip(normalized_shape)
            .all(|(&d, &n)| d as i64 == n);
    if !fits {
        let ns = normalized_shape
            .iter()
            .map(|n| n.to_string())
            .collect::<Vec<_>>()
            .join(", ");
        return Err(Error::Runtime(format!(
            "Given normalized_shape={:?}, expected input with shape [{}{}], but got input of size{:?}",
            normalized_shape, star, ns, shape
        )));
    }
    Ok(shape[shape.len() - k..].iter().product())
}

/// torch's refusal of parameters of another dtype than the input's.
fn check_mixed(dtype: DType, params: &[Option<&Tensor>]) -> Result<()> {
    match params.iter().flatten().find(|t| t.dtype() != dtype) {
        None => Ok(()),
        Some(_) if dtype == DType::Float32 => Err(Error::Runtime(
            "mixed dtype (CPU): expect parameter to have scalar type of Float".into(),
        )),
        Some(_) => Err(Error::Runtime(
            "mixed dtype (CPU): all inputs must share same datatype.".into(),
        )),
    }
}

/// `t` as i64 sizes.
fn sizes(shape: &[usize]) -> Vec<i64> {
    shape.iter().map(|&d| d as i64).collect()
}

/// The normalisation `spec` of `x` (over the statistics of `x`, or the fixed `(mean, rstd)`
/// broadcasting against the view), times `weight` and plus `bias` (broadcast as `spec.affine`),
/// computed unrecorded in float64 and rounded once to `x`'s dtype; with the mean and biased
/// variance when computed from `x` (kept dims of the view).
fn normalize64(
    x: &Tensor,
    weight: Option<&Tensor>,
    bias: Option<&Tensor>,
    spec: &NormSpec,
    fixed: Option<(&Tensor, &Tensor)>,
) -> Result<(Tensor, Option<(Tensor, Tensor)>)> {
    let f64 = DType::Float64;
    let xv = x.detach().to_dtype(f64)?.reshape(&spec.view)?;
    let (y, stats) = match fixed {
        Some((mean, rstd)) => (xv.sub(mean)?.mul(rstd)?, None),
        None => {
            let mean = xv.mean(Some(&spec.dims), true, None)?;
            let xc = xv.sub(&mean)?;
            let var = xc.mul(&xc)?.mean(Some(&spec.dims), true, None)?;
            (xc.mul(&var.add(spec.eps)?.rsqrt()?)?, Some((mean, var)))
        }
    };
    let affine = sizes(&spec.affine);
    let mut y = y.reshape(&sizes(x.shape()))?;
    if let Some(w) = weight {
        y = y.mul(&w.detach().to_dtype(f64)?.reshape(&affine)?)?;
    }
    if let Some(b) = bias {
        y = y.add(&b.detach().to_dtype(f64)?.reshape(&affine)?)?;
    }
    Ok((y.to_dtype(x.dtype())?, stats))
}

/// `t` detached, contiguous and in `dtype`.
fn operand(t: &Tensor, dtype: DType) -> Result<Tensor> {
    t.detach().to_dtype(dtype)?.contiguous()
}

impl Tensor {
    /// `layer_norm(normalized_shape, weight, bias, eps)`: each slice over the last dims
    /// normalised to mean 0 and (biased) variance 1, then scaled and shifted.
    pub fn layer_norm(
        &self,
        normalized_shape: &[i64],
        weight: Option<&Tensor>,
        bias: Option<&Tensor>,
        eps: f64,
    ) -> Result<Tensor> {
        let n = check_normalized_shape(self, normalized_shape, weight, bias, "*, ")?;
        let dtype = self.dtype();
        if !dtype.is_floating() {
            return Err(Error::DTypeNotSupported {
                op: "LayerNormKernelImpl",
                dtype: dtype.torch_name(),
            });
        }
        check_mixed(dtype, &[weight, bias])?;
        // The half types compute in float32 and round once.
        let compute = dtype.compute_dtype();
        let x = operand(self, compute)?;
        let w = weight.map(|w| operand(w, compute)).transpose()?;
        let b = bias.map(|b| operand(b, compute)).transpose()?;
        let out = Tensor::uninit(x.shape(), compute)?;
        if out.numel() > 0 {
            crate::kernels::normalization::layer_norm(&x, n, w.as_ref(), b.as_ref(), eps, &out)?;
        }
        let out = if compute == dtype {
            out
        } else {
            out.to_dtype(dtype)?
        };
        let nd = self.ndim() as i64;
        let spec = NormSpec {
            view: self.shape().iter().map(|&d| d as i64).collect(),
            dims: (nd - normalized_shape.len() as i64..nd).collect(),
            affine: self.shape()[self.ndim() - normalized_shape.len()..].to_vec(),
            eps,
            fixed: None,
        };
        Ok(record_norm(
            out,
            "NativeLayerNormBackward0",
            self,
            weight,
            bias,
            spec,
        ))
    }
}

/// Runs `layer_norm` from the registry's arguments.
fn run_layer_norm(a: &Args) -> Result<Tensor> {
    a.tensor(0)?
        .layer_norm(a.ints(1)?, a.opt_tensor(2)?, a.opt_tensor(3)?, a.float(4)?)
}

/// `nn.functional.layer_norm`.
pub static LAYER_NORM: OpDef = OpDef {
    name: "nn.functional.layer_norm",
    doc: "Normalises each slice over the last dims to mean 0 and variance 1, then scales and shifts.",
    signatures: &["layer_norm(Tensor input, int[] normalized_shape, Tensor? weight=None, Tensor? bias=None, float eps=1e-05)"],
    forms: Forms::FUNCTION,
    aliases: &[],
    nodes: &["NativeLayerNormBackward0"],
    method_signatures: &[],
    source: file!(),
    run: |a, d| d.finish(a, run_layer_norm),
};

/// `layer_norm` (torch's form, with `cudnn_enable`).
pub static LAYER_NORM_TORCH: OpDef = OpDef {
    name: "layer_norm",
    doc: "`nn.functional.layer_norm` (`cudnn_enable` has no effect on the CPU).",
    signatures: &["layer_norm(Tensor input, int[] normalized_shape, Tensor? weight=None, Tensor? bias=None, float eps=1e-05, bool cudnn_enable=True)"],
    forms: Forms::FUNCTION,
    aliases: &[],
    nodes: &["NativeLayerNormBackward0"],
    method_signatures: &[],
    source: file!(),
    run: |a, d| d.finish(a, run_layer_norm),
};

/// torch.nn.functional's check that training statistics cover more than one value (`size`: the
/// shape the statistics see, `shown` how the message prints it).
fn check_values_per_channel(size: &[usize], shown: String) -> Result<()> {
    let n: usize = size.iter().take(1).chain(size.iter().skip(2)).product();
    if n == 1 {
        return Err(Error::Value(format!(
            "Expected more than 1 value per channel when training, got input size {}",
            shown
        )));
    }
    Ok(())
}

/// `[1, C, 1, ...]` for an input of `ndim` dims with `c` channels.
fn channel_shape(c: usize, ndim: usize) -> Vec<usize> {
    (0..ndim).map(|d| if d == 1 { c } else { 1 }).collect()
}

impl Tensor {
    /// `batch_norm(running_mean, running_var, weight, bias, training, momentum, eps)` with
    /// torch.nn.functional's checks (`functional`) or torch.batch_norm's: each channel (dim 1)
    /// normalised by the batch's statistics when `training` (then `running_mean`/`running_var`,
    /// when given, are updated in place: `(1 - momentum) * running + momentum * batch`, with the
    /// unbiased variance), else by the running statistics.
    #[allow(clippy::too_many_arguments)]
    pub fn batch_norm(
        &self,
        running_mean: Option<&Tensor>,
        running_var: Option<&Tensor>,
        weight: Option<&Tensor>,
        bias: Option<&Tensor>,
        training: bool,
        momentum: f64,
        eps: f64,
        functional: bool,
    ) -> Result<Tensor> {
        let nd = self.ndim();
        if functional && training {
            if nd == 0 {
                return Err(Error::Index("tuple index out of range".into()));
            }
            check_values_per_channel(self.shape(), format!("torch.Size({:?})", self.shape()))?;
        }
        if self.numel() == 0 {
            // torch returns an (unnormalised) copy of an empty input before any other check.
            return self.clone_tensor();
        }
        let c = if nd > 1 { self.shape()[1] } else { 0 };
        let params = [
            ("weight", weight),
            ("bias", bias),
            ("running_mean", running_mean),
            ("running_var", running_var),
        ];
        for (what, t) in params {
            if let Some(t) = t {
                if t.numel() != c {
                    return Err(Error::Runtime(format!(
                        "{} should contain {} elements not {}",
                        what,
                        c,
                        t.numel()
                    )));
                }
            }
        }
        let fixed = match (training, running_mean, running_var) {
            (true, _, _) => None,
            (false, Some(m), Some(v)) => Some((m, v)),
            (false, None, _) => {
                return Err(Error::Runtime(
                    "running_mean must be defined in evaluation mode".into(),
                ))
            }
            (false, Some(_), None) => {
                return Err(Error::Runtime(
                    "running_var must be defined in evaluation mode".into(),
                ))
            }
        };
        if nd < 2 {
            return Err(Error::Index(format!(
                "Dimension out of range (expected to be in range of [{}, {}], but got 1)",
                -(nd.max(1) as i64),
                nd.max(1) - 1
            )));
        }
        let dtype = self.dtype();
        if !dtype.is_floating() {
            return Err(Error::DTypeNotSupported {
                op: "batch_norm",
                dtype: dtype.torch_name(),
            });
        }
        check_mixed(dtype, &[weight, bias, running_mean, running_var])?;
        let affine = channel_shape(c, nd);
        let mut spec = NormSpec {
            view: sizes(self.shape()),
            dims: (0..nd as i64).filter(|&d| d != 1).collect(),
            affine: affine.clone(),
            eps,
            fixed: None,
        };
        let fixed64 = fixed
            .map(|(m, v)| -> Result<(Tensor, Tensor)> {
                let shape = sizes(&affine);
                let m = m.detach().to_dtype(DType::Float64)?.reshape(&shape)?;
                let v = v.detach().to_dtype(DType::Float64)?.reshape(&shape)?;
                Ok((m, v.add(eps)?.rsqrt()?))
            })
            .transpose()?;
        let (out, stats) = normalize64(
            self,
            weight,
            bias,
            &spec,
            fixed64.as_ref().map(|(m, r)| (m, r)),
        )?;
        if let (Some((mean, var)), true) = (stats, training) {
            let n = (self.numel() / c.max(1)) as f64;
            let unbiased = var.mul(n / (n - 1.0))?;
            for (run, batch) in [(running_mean, mean), (running_var, unbiased)] {
                if let Some(run) = run {
                    let run = run.detach();
                    let new = run
                        .to_dtype(DType::Float64)?
                        .mul(1.0 - momentum)?
                        .add(&batch.reshape(&sizes(run.shape()))?.mul(momentum)?)?;
                    run.copy_(&new.to_dtype(run.dtype())?)?;
                }
            }
        }
        spec.fixed = fixed64
            .map(|(m, r)| -> Result<(Tensor, Tensor)> {
                Ok((m.to_dtype(dtype)?, r.to_dtype(dtype)?))
            })
            .transpose()?;
        Ok(record_norm(
            out,
            "NativeBatchNormBackward0",
            self,
            weight,
            bias,
            spec,
        ))
    }

    /// `group_norm(num_groups, weight, bias, eps)` with torch.nn.functional's checks: the
    /// channels (dim 1) split into `num_groups` groups, each sample's group normalised over its
    /// channels and the remaining dims, then each channel scaled and shifted.
    pub fn group_norm(
        &self,
        num_groups: i64,
        weight: Option<&Tensor>,
        bias: Option<&Tensor>,
        eps: f64,
    ) -> Result<Tensor> {
        let nd = self.ndim();
        if nd < 2 {
            return Err(Error::Runtime(format!(
                "Expected at least 2 dimensions for input tensor but received {}",
                nd
            )));
        }
        let shape = self.shape();
        let (n, c) = (shape[0], shape[1]);
        if num_groups == 0 {
            return Err(Error::Runtime("integer division or modulo by zero".into()));
        }
        if num_groups > 0 {
            let mut size = vec![(n * c) / num_groups as usize, num_groups as usize];
            size.extend_from_slice(&shape[2..]);
            check_values_per_channel(&size, format!("{:?}", size))?;
        }
        if num_groups < 0 {
            return Err(Error::Runtime(format!(
                "Expected num groups to be greater than 0, got {}",
                num_groups
            )));
        }
        let g = num_groups as usize;
        if c % g != 0 {
            return Err(Error::Runtime(format!(
                "Expected number of channels in input to be divisible by num_groups, but got input of shape {:?} and num_groups={}",
                shape, num_groups
            )));
        }
        for (what, t) in [("weight", weight), ("bias", bias)] {
            if let Some(t) = t {
                if t.ndim() != 1 || t.numel() != c {
                    return Err(Error::Runtime(format!(
                        "Expected {} to be a vector of size equal to the number of channels in input, but got {} of shape {:?} and input of shape {:?}",
                        what, what, t.shape(), shape
                    )));
                }
            }
        }
        let rest: usize = shape[2..].iter().product();
        if c == 0 {
            return Err(Error::Runtime(
                "Expected number of channels to be greater than 0, got 0".into(),
            ));
        }
        if rest == 0 {
            return Err(Error::Runtime(
                "Expected HxW to be greater than 0, got 0".into(),
            ));
        }
        let dtype = self.dtype();
        if !dtype.is_floating() {
            return Err(Error::DTypeNotSupported {
                op: "GroupNormKernelImpl",
                dtype: dtype.torch_name(),
            });
        }
        check_mixed(dtype, &[weight, bias])?;
        let spec = NormSpec {
            view: vec![n as i64, g as i64, ((c / g) * rest) as i64],
            dims: vec![2],
            affine: channel_shape(c, nd),
            eps,
            fixed: None,
        };
        let (out, _) = normalize64(self, weight, bias, &spec, None)?;
        Ok(record_norm(
            out,
            "NativeGroupNormBackward0",
            self,
            weight,
            bias,
            spec,
        ))
    }
}

/// `nn.functional.batch_norm`.
pub static BATCH_NORM: OpDef = OpDef {
    name: "nn.functional.batch_norm",
    doc: "Normalises each channel (dim 1) by the batch's statistics (`training`, updating the running ones in place) or the running ones.",
    signatures: &["batch_norm(Tensor input, Tensor? running_mean, Tensor? running_var, Tensor? weight=None, Tensor? bias=None, bool training=False, float momentum=0.1, float eps=1e-05)"],
    forms: Forms::FUNCTION,
    aliases: &[],
    nodes: &["NativeBatchNormBackward0"],
    method_signatures: &[],
    source: file!(),
    run: |a, d| {
        d.finish(a, |a| {
            a.tensor(0)?.batch_norm(
                a.opt_tensor(1)?,
                a.opt_tensor(2)?,
                a.opt_tensor(3)?,
                a.opt_tensor(4)?,
                a.bool(5)?,
                a.float(6)?,
                a.float(7)?,
                true,
            )
        })
    },
};

/// `batch_norm` (torch's form: weight and bias first).
pub static BATCH_NORM_TORCH: OpDef = OpDef {
    name: "batch_norm",
    doc: "`nn.functional.batch_norm` with the weight and bias first (`cudnn_enabled` has no effect on the CPU).",
    signatures: &["batch_norm(Tensor input, Tensor? weight, Tensor? bias, Tensor? running_mean, Tensor? running_var, bool training, float momentum, float eps, bool cudnn_enabled)"],
    forms: Forms::FUNCTION,
    aliases: &[],
    nodes: &["NativeBatchNormBackward0"],
    method_signatures: &[],
    source: file!(),
    run: |a, d| {
        d.finish(a, |a| {
            a.tensor(0)?.batch_norm(
                a.opt_tensor(3)?,
                a.opt_tensor(4)?,
                a.opt_tensor(1)?,
                a.opt_tensor(2)?,
                a.bool(5)?,
                a.float(6)?,
                a.float(7)?,
                false,
            )
        })
    },
};

/// Runs `group_norm` from the registry's arguments.
fn run_group_norm(a: &Args) -> Result<Tensor> {
    a.tensor(0)?
        .group_norm(a.int(1)?, a.opt_tensor(2)?, a.opt_tensor(3)?, a.float(4)?)
}

/// `nn.functional.group_norm`.
pub static GROUP_NORM: OpDef = OpDef {
    name: "nn.functional.group_norm",
    doc: "Normalises each sample's groups of channels over the group and the remaining dims, then scales and shifts each channel.",
    signatures: &["group_norm(Tensor input, int num_groups, Tensor? weight=None, Tensor? bias=None, float eps=1e-05)"],
    forms: Forms::FUNCTION,
    aliases: &[],
    nodes: &["NativeGroupNormBackward0"],
    method_signatures: &[],
    source: file!(),
    run: |a, d| d.finish(a, run_group_norm),
};

/// `group_norm` (torch's form, with `cudnn_enabled`).
pub static GROUP_NORM_TORCH: OpDef = OpDef {
    name: "group_norm",
    doc: "`nn.functional.group_norm` (`cudnn_enabled` has no effect on the CPU).",
    signatures: &["group_norm(Tensor input, int num_groups, Tensor? weight=None, Tensor? bias=None, float eps=1e-05, bool cudnn_enabled=True)"],
    forms: Forms::FUNCTION,
    aliases: &[],
    nodes: &["NativeGroupNormBackward0"],
    method_signatures: &[],
    source: file!(),
    run: |a, d| d.finish(a, run_group_norm),
};

impl Tensor {
    /// `normalize(p, dim, eps)`: `self / max(‖self‖_p, eps)`, the norm over `dim` (torch's
    /// composite: the node is the division's).
    pub fn normalize(&self, p: f64, dim: i64, eps: f64) -> Result<Tensor> {
        let norm = self.norm(crate::ops::linalg::NormOrder::Num(p), Some(&[dim]), true)?;
        let denom = norm
            .clamp(Some(crate::Scalar::Float(eps)), None)?
            .expand(&sizes(self.shape()))?;
        self.div(&denom)
    }

    /// `rms_norm(normalized_shape, weight, eps)`: each slice over the last dims divided by its
    /// root mean square (`eps`, by default the dtype's machine epsilon, added to the mean
    /// square), then scaled (torch's composite: the node is the last product's).
    pub fn rms_norm(
        &self,
        normalized_shape: &[i64],
        weight: Option<&Tensor>,
        eps: Option<f64>,
    ) -> Result<Tensor> {
        check_normalized_shape(self, normalized_shape, weight, None, "*")?;
        let dtype = self.dtype();
        if !dtype.is_floating() {
            return Err(Error::DTypeNotSupported {
                op: "rms_norm",
                dtype: dtype.torch_name(),
            });
        }
        let eps = eps.unwrap_or(match dtype {
            DType::Float64 => f64::EPSILON,
            DType::Float16 => 0.0009765625,
            DType::BFloat16 => 0.0078125,
            _ => f64::from(f32::EPSILON),
        });
        let x = self.to_dtype(dtype.compute_dtype())?;
        let nd = self.ndim() as i64;
        let dims: Vec<i64> = (nd - normalized_shape.len() as i64..nd).collect();
        let r = x
            .pow(2i64)?
            .mean(Some(&dims), true, None)?
            .add(eps)?
            .rsqrt()?;
        let mut y = x.mul(&r)?;
        if let Some(w) = weight {
            y = y.mul(w)?;
        }
        y.to_dtype(dtype)
    }
}

/// `nn.functional.normalize`.
pub static NORMALIZE: OpDef = OpDef {
    name: "nn.functional.normalize",
    doc: "`input / max(‖input‖_p, eps)`, the norm over `dim`.",
    signatures: &["normalize(Tensor input, float p=2.0, int dim=1, float eps=1e-12)"],
    forms: Forms::FUNCTION_OUT,
    aliases: &[],
    nodes: &["DivBackward0"],
    method_signatures: &[],
    source: file!(),
    run: |a, d| {
        d.finish(a, |a| {
            a.tensor(0)?.normalize(a.float(1)?, a.int(2)?, a.float(3)?)
        })
    },
};

/// `nn.functional.rms_norm`, also `rtensor.rms_norm`.
pub static RMS_NORM: OpDef = OpDef {
    name: "rms_norm",
    doc: "Divides each slice over the last dims by its root mean square, then scales it.",
    signatures: &[
        "rms_norm(Tensor input, int[] normalized_shape, Tensor? weight=None, float? eps=None)",
    ],
    forms: Forms::FUNCTION,
    aliases: &["nn.functional.rms_norm"],
    nodes: &["MulBackward0"],
    method_signatures: &[],
    source: file!(),
    run: |a, d| {
        d.finish(a, |a| {
            a.tensor(0)?
                .rms_norm(a.ints(1)?, a.opt_tensor(2)?, a.opt_float(3)?)
        })
    },
};

/// The declarations of this file.
pub static OPS: &[&OpDef] = &[
    &LAYER_NORM,
    &LAYER_NORM_TORCH,
    &BATCH_NORM,
    &BATCH_NORM_TORCH,
    &GROUP_NORM,
    &GROUP_NORM_TORCH,
    &NORMALIZE,
    &RMS_NORM,
];
