//! The elementwise activations: a kernel (through [`k1!`](crate::k1)), torch's parameters and
//! checks, and the gradient formula of `autograd::rules::activation`, run by the pointwise
//! machinery (`ops::pointwise::unary`: dtypes, half types, in place, autograd).

use crate::autograd::rules::activation as rules;
use crate::autograd::rules::pointwise::{Formula, Saves};
use crate::dtype::DType;
use crate::error::{Error, Result};
use crate::k1;
use crate::kernels::pointwise::Kernel1;
use crate::kernels::vmath::VMath;
use crate::ops::pointwise::{unary, Grad, Refusal, Spec};
use crate::ops::registry::Dest;
use crate::scalar::Scalar;
use crate::tensor::Tensor;

/// torch's `selu` constants.
const SELU_ALPHA: f64 = 1.673_263_242_354_377_3;
/// torch's `selu` scale.
const SELU_SCALE: f64 = 1.050_700_987_355_480_5;

/// The heavier element functions, `#[inline(always)]` so that they inline into the pointwise
/// engine's loops compiled for the CPU's vector instructions (a kernel closure calling several
/// vector-math functions directly is too big to be inlined there, and then runs scalar code
/// without FMA, many times slower).
trait Elem: Sized {
    /// `gelu`, exact or with the tanh approximation.
    fn gelu(self, tanh: bool) -> Self;
    /// `elu` with its constants: `neg = alpha * scale`.
    fn elu(self, neg: f64, scale: f64, input_scale: f64) -> Self;
    /// `softplus`.
    fn softplus(self, beta: f64, threshold: f64) -> Self;
    /// `mish`.
    fn mish(self) -> Self;
}

/// [`Elem`] for one float type.
macro_rules! impl_elem {
    ($t:ty) => {
        impl Elem for $t {
            #[inline(always)]
            fn gelu(self, tanh: bool) -> $t {
                let x = self;
                if tanh {
                    let k =
                        (std::f64::consts::FRAC_2_SQRT_PI * std::f64::consts::FRAC_1_SQRT_2) as $t;
                    let inner = k * (x + 0.044715 * x * x * x);
                    0.5 * x * (1.0 + inner.v_tanh())
                } else {
                    x * 0.5 * (1.0 + (x * std::f64::consts::FRAC_1_SQRT_2 as $t).v_erf())
                }
            }
            #[inline(always)]
            fn elu(self, neg: f64, scale: f64, input_scale: f64) -> $t {
                let x = self;
                let n = (x * input_scale as $t).v_expm1() * neg as $t;
                let p = x * scale as $t;
                if x <= 0.0 {
                    n
                } else {
                    p
                }
            }
            #[inline(always)]
            fn softplus(self, beta: f64, threshold: f64) -> $t {
                let x = self;
                let z = x * beta as $t;
                let soft = z.v_exp().v_log1p() / beta as $t;
                if z > threshold as $t {
                    x
                } else {
                    soft
                }
            }
            #[inline(always)]
            fn mish(self) -> $t {
                self * self.v_exp().v_log1p().v_tanh()
            }
        }
    };
}
impl_elem!(f32);
impl_elem!(f64);

/// How one elementwise activation is run.
struct Act<K> {
    name: &'static str,
    kernel: K,
    refuse: &'static str,
    formula: Formula,
    node: &'static str,
    inplace_node: Option<&'static str>,
}

/// Runs an activation into `dest`, with the formula's parameters `params`.
fn run<K: Kernel1>(x: &Tensor, dest: Dest<'_>, act: Act<K>, params: &[f64]) -> Result<Tensor> {
    let mut s = Spec::new(act.name, act.kernel);
    s.refuse = Refusal::Kernel(act.refuse);
    s.params = params.iter().map(|&v| Scalar::Float(v)).collect();
    let saves = Saves {
        always: 0xff,
        for_others: 0,
        output: false,
    };
    s.grad = Some(Grad {
        node: act.node,
        saves,
        formula: act.formula,
    });
    s.inplace_grad = act.inplace_node.map(|node| Grad {
        node,
        saves,
        formula: act.formula,
    });
    unary(x, dest, &s)
}

/// An activation's declaration without parameters in its formula.
macro_rules! act {
    ($name:literal, $refuse:literal, $formula:path, $node:literal, $inode:expr, $kernel:expr) => {
        Act {
            name: $name,
            kernel: $kernel,
            refuse: $refuse,
            formula: $formula,
            node: $node,
            inplace_node: $inode,
        }
    };
}

/// `gelu(input, approximate)`: `x Φ(x)`, or its tanh approximation.
pub fn gelu(x: &Tensor, approximate: &str, dest: Dest<'_>) -> Result<Tensor> {
    let tanh = match approximate {
        "none" => false,
        "tanh" => true,
        _ => {
            return Err(Error::Runtime(
                "approximate argument must be either none or tanh.".into(),
            ))
        }
    };
    // One kernel per form: a closure that branched on `tanh` would be too big to inline into the
    // engine's vector loops (it then ran as scalar code with software FMA, 20x slower).
    let params = [if tanh { 1.0 } else { 0.0 }];
    if tanh {
        let a = act!(
            "gelu",
            "GeluKernelImpl",
            rules::gelu,
            "GeluBackward0",
            None,
            k1!(float: |x| x.gelu(true))
        );
        return run(x, dest, a, &params);
    }
    let a = act!(
        "gelu",
        "GeluKernelImpl",
        rules::gelu,
        "GeluBackward0",
        None,
        k1!(float: |x| x.gelu(false))
    );
    run(x, dest, a, &params)
}

/// `silu`: `x σ(x)`.
pub fn silu(x: &Tensor, dest: Dest<'_>) -> Result<Tensor> {
    let a = act!(
        "silu",
        "silu_cpu",
        rules::silu,
        "SiluBackward0",
        None,
        k1!(float: |x| x * x.v_sigmoid())
    );
    run(x, dest, a, &[])
}

/// `leaky_relu(input, negative_slope)`.
pub fn leaky_relu(x: &Tensor, slope: f64, dest: Dest<'_>) -> Result<Tensor> {
    let a = act!(
        "leaky_relu",
        "leaky_relu_cpu",
        rules::leaky_relu,
        "LeakyReluBackward0",
        Some("LeakyReluBackward1"),
        k1!(float: |x| if x > x.lit(0.0) { x } else { x * x.lit(slope) })
    );
    run(x, dest, a, &[slope])
}

/// torch's `elu` with its three parameters: `scale x` above 0, else
/// `scale alpha (exp(input_scale x) - 1)`; `celu` records `CeluBackward0/1`, the others
/// `EluBackward0/1`.
pub fn elu_general(
    x: &Tensor,
    (alpha, scale, input_scale): (f64, f64, f64),
    celu: bool,
    dest: Dest<'_>,
) -> Result<Tensor> {
    let neg = alpha * scale;
    let (node, inode) = if celu {
        ("CeluBackward0", "CeluBackward1")
    } else {
        ("EluBackward0", "EluBackward1")
    };
    let a = Act {
        name: "elu",
        kernel: k1!(float: |x| x.elu(neg, scale, input_scale)),
        refuse: "elu_cpu",
        formula: rules::elu,
        node,
        inplace_node: Some(inode),
    };
    run(x, dest, a, &[alpha, scale, input_scale])
}

/// `elu(input, alpha)`.
pub fn elu(x: &Tensor, alpha: f64, dest: Dest<'_>) -> Result<Tensor> {
    elu_general(x, (alpha, 1.0, 1.0), false, dest)
}

/// `selu(input)`: `elu` with torch's fixed alpha and scale.
pub fn selu(x: &Tensor, dest: Dest<'_>) -> Result<Tensor> {
    elu_general(x, (SELU_ALPHA, SELU_SCALE, 1.0), false, dest)
}

/// `celu(input, alpha)`: `max(0, x) + min(0, alpha (exp(x / alpha) - 1))`.
pub fn celu(x: &Tensor, alpha: f64, dest: Dest<'_>) -> Result<Tensor> {
    if alpha == 0.0 {
        return Err(Error::Runtime(
            "ZeroDivisionError: alpha cannot be 0 for CELU".into(),
        ));
    }
    elu_general(x, (alpha, 1.0, 1.0 / alpha), true, dest)
}

/// `softplus(input, beta, threshold)`: `log(1 + exp(beta x)) / beta`, `x` past the threshold.
pub fn softplus(x: &Tensor, beta: f64, threshold: f64, dest: Dest<'_>) -> Result<Tensor> {
    let a = act!(
        "softplus",
        "softplus_cpu",
        rules::softplus,
        "SoftplusBackward0",
        None,
        k1!(float: |x| x.softplus(beta, threshold))
    );
    run(x, dest, a, &[beta, threshold])
}

/// `hardtanh(input, min_val, max_val)` (`relu6` is `hardtanh(0, 6)`): a clamp, integers too.
pub fn hardtanh(x: &Tensor, lo: Scalar, hi: Scalar, dest: Dest<'_>) -> Result<Tensor> {
    let (lf, hf) = (lo.as_f64(), hi.as_f64());
    let (li, hi_i) = (lo.to::<i64>(), hi.to::<i64>());
    let a = act!(
        "hardtanh",
        "hardtanh_cpu",
        rules::hardtanh,
        "HardtanhBackward0",
        None,
        k1!(
            float: |x| {
                let mut v = x;
                if v < x.lit(lf) { v = x.lit(lf); }
                if v > x.lit(hf) { v = x.lit(hf); }
                v
            },
            int: |x| {
                let mut v = x;
                if v < x.lit(li) { v = x.lit(li); }
                if v > x.lit(hi_i) { v = x.lit(hi_i); }
                v
            },
        )
    );
    run(x, dest, a, &[lf, hf])
}

/// `hardsigmoid`: `relu6(x + 3) / 6`.
pub fn hardsigmoid(x: &Tensor, dest: Dest<'_>) -> Result<Tensor> {
    let a = act!(
        "hardsigmoid",
        "hardsigmoid_cpu",
        rules::hardsigmoid,
        "HardsigmoidBackward0",
        None,
        k1!(float: |x| {
            let v = x + x.lit(3.0);
            let v = if v < x.lit(0.0) { x.lit(0.0) } else if v > x.lit(6.0) { x.lit(6.0) } else { v };
            v / x.lit(6.0)
        })
    );
    run(x, dest, a, &[])
}

/// `hardswish`: `x relu6(x + 3) / 6`.
pub fn hardswish(x: &Tensor, dest: Dest<'_>) -> Result<Tensor> {
    let a = act!(
        "hardswish",
        "hardswish_cpu",
        rules::hardswish,
        "HardswishBackward0",
        None,
        k1!(float: |x| {
            let v = x + x.lit(3.0);
            let v = if v < x.lit(0.0) { x.lit(0.0) } else if v > x.lit(6.0) { x.lit(6.0) } else { v };
            x * v / x.lit(6.0)
        })
    );
    run(x, dest, a, &[])
}

/// `mish`: `x tanh(softplus(x))`.
pub fn mish(x: &Tensor, dest: Dest<'_>) -> Result<Tensor> {
    let a = act!(
        "mish",
        "mish_cpu",
        rules::mish,
        "MishBackward0",
        None,
        k1!(float: |x| x.mish())
    );
    run(x, dest, a, &[])
}

/// `logsigmoid`: `log σ(x)`, as `min(x, 0) - log1p(exp(-|x|))`.
pub fn logsigmoid(x: &Tensor) -> Result<Tensor> {
    let a = act!(
        "log_sigmoid",
        "log_sigmoid_cpu",
        rules::logsigmoid,
        "LogSigmoidBackward0",
        None,
        k1!(float: |x| {
            let m = if x < x.lit(0.0) { x } else { x.lit(0.0) };
            m - (-x.abs()).v_exp().v_log1p()
        })
    );
    run(x, Dest::New, a, &[])
}

/// `softshrink(input, lambd)`: `x - lambd` above `lambd`, `x + lambd` below `-lambd`, else 0.
pub fn softshrink(x: &Tensor, lambd: f64) -> Result<Tensor> {
    let upper = match x.dtype() {
        DType::Float32 => Some("3.40282e+38"),
        DType::Float64 => Some("1.79769e+308"),
        DType::Float16 => Some("65504"),
        DType::BFloat16 => Some("3.38953e+38"),
        _ => None,
    };
    if let Some(u) = upper {
        if lambd.is_nan() || lambd < 0.0 {
            return Err(Error::Runtime(format!(
                "lambda must be in range [0, {}] for input dtype {}, but found {}",
                u,
                x.dtype().torch_name(),
                crate::error::fmt_double(lambd)
            )));
        }
    }
    let a = act!(
        "softshrink",
        "softshrink_check",
        rules::shrink,
        "SoftshrinkBackward0",
        None,
        k1!(float: |x| {
            let l = x.lit(lambd);
            if x > l { x - l } else if x < -l { x + l } else { x * x.lit(0.0) }
        })
    );
    run(x, Dest::New, a, &[lambd])
}

/// `hardshrink(input, lambd)`: `x` outside `[-lambd, lambd]`, else 0.
pub fn hardshrink(x: &Tensor, lambd: f64) -> Result<Tensor> {
    let a = act!(
        "hardshrink",
        "hardshrink_cpu",
        rules::shrink,
        "HardshrinkBackward0",
        None,
        k1!(float: |x| {
            let l = x.lit(lambd);
            if x >= -l && x <= l { x.lit(0.0) } else { x }
        })
    );
    run(x, Dest::New, a, &[lambd])
}

/// `threshold(input, threshold, value)`: `value` where `x <= threshold`, integers too.
pub fn threshold(x: &Tensor, th: Scalar, value: Scalar, dest: Dest<'_>) -> Result<Tensor> {
    let (tf, vf) = (th.as_f64(), value.as_f64());
    let (ti, vi) = (th.to::<i64>(), value.to::<i64>());
    let a = act!(
        "threshold",
        "threshold_cpu",
        rules::threshold,
        "ThresholdBackward0",
        Some("ThresholdBackward1"),
        k1!(
            float: |x| if x <= x.lit(tf) { x.lit(vf) } else { x },
            int: |x| if x <= x.lit(ti) { x.lit(vi) } else { x },
        )
    );
    run(x, dest, a, &[tf])
}

/// `softsign`: `x / (1 + |x|)` (`DivBackward0`).
pub fn softsign(x: &Tensor) -> Result<Tensor> {
    x.div(&x.abs()?.add(1i64)?)
}

/// `tanhshrink`: `x - tanh(x)` (`SubBackward0`).
pub fn tanhshrink(x: &Tensor) -> Result<Tensor> {
    x.sub(&x.tanh()?)
}
