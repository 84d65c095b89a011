//! The declarations of the activation family.

use super::dest_of;
use super::layers;
use super::pointwise as pw;
use crate::ops::registry::{Dest, Forms, OpDef};

/// Declares one op: `def!(STATIC, "name", "doc", [signatures], FORMS, [aliases], [nodes], run)`.
macro_rules! def {
    ($id:ident, $name:literal, $doc:literal, [$($sig:literal),+], $forms:ident,
     [$($alias:literal),*], [$($node:literal),*], $run:expr) => {
        #[doc = $doc]
        pub static $id: OpDef = OpDef {
            name: $name,
            doc: $doc,
            signatures: &[$($sig),+],
            forms: Forms::$forms,
            aliases: &[$($alias),*],
            nodes: &[$($node),*],
            method_signatures: &[],
            source: file!(),
            run: $run,
        };
    };
}

def!(
    GELU,
    "nn.functional.gelu",
    "`x * Φ(x)` (`approximate='tanh'`: its tanh approximation).",
    ["gelu(Tensor input, *, str approximate='none')"],
    FUNCTION,
    [],
    ["GeluBackward0"],
    |a, d| Ok(pw::gelu(a.tensor(0)?, a.str(1)?, d)?.into())
);

def!(
    SILU,
    "nn.functional.silu",
    "`x * sigmoid(x)`.",
    ["silu(Tensor input, bool inplace=False)"],
    FUNCTION,
    [],
    ["SiluBackward0"],
    |a, d| Ok(pw::silu(a.tensor(0)?, dest_of(d, a.bool(1)?))?.into())
);

def!(
    LEAKY_RELU,
    "nn.functional.leaky_relu",
    "`x` above 0, `negative_slope * x` elsewhere.",
    ["leaky_relu(Tensor input, Scalar negative_slope=0.01, bool inplace=False)"],
    FUNCTION,
    [],
    ["LeakyReluBackward0", "LeakyReluBackward1"],
    |a, d| Ok(pw::leaky_relu(a.tensor(0)?, a.scalar(1)?.as_f64(), dest_of(d, a.bool(2)?))?.into())
);

def!(
    LEAKY_RELU_,
    "nn.functional.leaky_relu_",
    "`leaky_relu`, in place.",
    ["leaky_relu_(Tensor input, Scalar negative_slope=0.01)"],
    FUNCTION,
    [],
    ["LeakyReluBackward1"],
    |a, _| Ok(pw::leaky_relu(a.tensor(0)?, a.scalar(1)?.as_f64(), Dest::InPlace)?.into())
);

def!(
    ELU,
    "nn.functional.elu",
    "`x` above 0, `alpha * (exp(x) - 1)` elsewhere.",
    ["elu(Tensor input, Scalar alpha=1.0, bool inplace=False)"],
    FUNCTION,
    [],
    ["EluBackward0", "EluBackward1"],
    |a, d| Ok(pw::elu(a.tensor(0)?, a.scalar(1)?.as_f64(), dest_of(d, a.bool(2)?))?.into())
);

def!(
    ELU_,
    "nn.functional.elu_",
    "`elu`, in place.",
    ["elu_(Tensor input, Scalar alpha=1.0)"],
    FUNCTION,
    [],
    ["EluBackward1"],
    |a, _| Ok(pw::elu(a.tensor(0)?, a.scalar(1)?.as_f64(), Dest::InPlace)?.into())
);

def!(
    SELU,
    "selu",
    "`scale * elu(x, alpha)` with torch's fixed alpha and scale.",
    ["selu(Tensor input)"],
    FUNCTION,
    [],
    ["EluBackward0"],
    |a, d| Ok(pw::selu(a.tensor(0)?, d)?.into())
);

def!(
    SELU_,
    "selu_",
    "`selu`, in place.",
    ["selu_(Tensor input)"],
    FUNCTION,
    ["nn.functional.selu_"],
    ["EluBackward1"],
    |a, _| Ok(pw::selu(a.tensor(0)?, Dest::InPlace)?.into())
);

def!(
    F_SELU,
    "nn.functional.selu",
    "`scale * elu(x, alpha)` with torch's fixed alpha and scale.",
    ["selu(Tensor input, bool inplace=False)"],
    FUNCTION,
    [],
    ["EluBackward0", "EluBackward1"],
    |a, d| Ok(pw::selu(a.tensor(0)?, dest_of(d, a.bool(1)?))?.into())
);

def!(
    CELU,
    "celu",
    "`max(0, x) + min(0, alpha * (exp(x / alpha) - 1))`.",
    ["celu(Tensor input, Scalar alpha=1.0)"],
    FUNCTION,
    [],
    ["CeluBackward0"],
    |a, d| Ok(pw::celu(a.tensor(0)?, a.scalar(1)?.as_f64(), d)?.into())
);

def!(
    CELU_,
    "celu_",
    "`celu`, in place.",
    ["celu_(Tensor input, Scalar alpha=1.0)"],
    FUNCTION,
    ["nn.functional.celu_"],
    ["CeluBackward1"],
    |a, _| Ok(pw::celu(a.tensor(0)?, a.scalar(1)?.as_f64(), Dest::InPlace)?.into())
);

def!(
    F_CELU,
    "nn.functional.celu",
    "`max(0, x) + min(0, alpha * (exp(x / alpha) - 1))`.",
    ["celu(Tensor input, Scalar alpha=1.0, bool inplace=False)"],
    FUNCTION,
    [],
    ["CeluBackward0", "CeluBackward1"],
    |a, d| Ok(pw::celu(a.tensor(0)?, a.scalar(1)?.as_f64(), dest_of(d, a.bool(2)?))?.into())
);

def!(
    SOFTPLUS,
    "nn.functional.softplus",
    "`log(1 + exp(beta * x)) / beta`, `x` where `beta * x > threshold`.",
    ["softplus(Tensor input, Scalar beta=1, Scalar threshold=20)"],
    FUNCTION,
    [],
    ["SoftplusBackward0"],
    |a, d| Ok(pw::softplus(
        a.tensor(0)?,
        a.scalar(1)?.as_f64(),
        a.scalar(2)?.as_f64(),
        d
    )?
    .into())
);

def!(
    RELU6,
    "nn.functional.relu6",
    "`min(max(x, 0), 6)`.",
    ["relu6(Tensor input, bool inplace=False)"],
    FUNCTION,
    [],
    ["HardtanhBackward0"],
    |a, d| {
        let (lo, hi) = (crate::scalar::Scalar::Int(0), crate::scalar::Scalar::Int(6));
        Ok(pw::hardtanh(a.tensor(0)?, lo, hi, dest_of(d, a.bool(1)?))?.into())
    }
);

def!(
    HARDTANH,
    "nn.functional.hardtanh",
    "`x` clamped to `[min_val, max_val]`.",
    ["hardtanh(Tensor input, Scalar min_val=-1, Scalar max_val=1, bool inplace=False)"],
    FUNCTION,
    [],
    ["HardtanhBackward0"],
    |a, d| {
        let (lo, hi) = (a.scalar(1)?, a.scalar(2)?);
        if lo.as_f64() > hi.as_f64() {
            return Err(crate::error::Error::Value(
                "min_val cannot be greater than max_val".into(),
            ));
        }
        Ok(pw::hardtanh(a.tensor(0)?, lo, hi, dest_of(d, a.bool(3)?))?.into())
    }
);

def!(
    HARDTANH_,
    "nn.functional.hardtanh_",
    "`hardtanh`, in place.",
    ["hardtanh_(Tensor input, Scalar min_val=-1, Scalar max_val=1)"],
    FUNCTION,
    [],
    ["HardtanhBackward0"],
    |a, _| Ok(pw::hardtanh(a.tensor(0)?, a.scalar(1)?, a.scalar(2)?, Dest::InPlace)?.into())
);

def!(
    HARDSIGMOID,
    "nn.functional.hardsigmoid",
    "`relu6(x + 3) / 6`.",
    ["hardsigmoid(Tensor input, bool inplace=False)"],
    FUNCTION,
    [],
    ["HardsigmoidBackward0"],
    |a, d| Ok(pw::hardsigmoid(a.tensor(0)?, dest_of(d, a.bool(1)?))?.into())
);

def!(
    HARDSWISH,
    "nn.functional.hardswish",
    "`x * relu6(x + 3) / 6`.",
    ["hardswish(Tensor input, bool inplace=False)"],
    FUNCTION,
    [],
    ["HardswishBackward0"],
    |a, d| Ok(pw::hardswish(a.tensor(0)?, dest_of(d, a.bool(1)?))?.into())
);

def!(
    MISH,
    "nn.functional.mish",
    "`x * tanh(softplus(x))`.",
    ["mish(Tensor input, bool inplace=False)"],
    FUNCTION,
    [],
    ["MishBackward0"],
    |a, d| Ok(pw::mish(a.tensor(0)?, dest_of(d, a.bool(1)?))?.into())
);

def!(
    LOGSIGMOID,
    "nn.functional.logsigmoid",
    "`log(sigmoid(x))`, computed without overflow.",
    ["logsigmoid(Tensor input)"],
    FUNCTION,
    [],
    ["LogSigmoidBackward0"],
    |a, d| d.finish(a, |a| pw::logsigmoid(a.tensor(0)?))
);

def!(
    SOFTSIGN,
    "nn.functional.softsign",
    "`x / (1 + |x|)`.",
    ["softsign(Tensor input)"],
    FUNCTION,
    [],
    ["DivBackward0"],
    |a, d| d.finish(a, |a| pw::softsign(a.tensor(0)?))
);

def!(
    TANHSHRINK,
    "nn.functional.tanhshrink",
    "`x - tanh(x)`.",
    ["tanhshrink(Tensor input)"],
    FUNCTION,
    [],
    ["SubBackward0"],
    |a, d| d.finish(a, |a| pw::tanhshrink(a.tensor(0)?))
);

def!(
    SOFTSHRINK,
    "nn.functional.softshrink",
    "`x - lambd` above `lambd`, `x + lambd` below `-lambd`, else 0.",
    ["softshrink(Tensor input, Scalar lambd=0.5)"],
    FUNCTION,
    [],
    ["SoftshrinkBackward0"],
    |a, d| d.finish(a, |a| pw::softshrink(a.tensor(0)?, a.scalar(1)?.as_f64()))
);

def!(
    HARDSHRINK,
    "hardshrink",
    "`x` outside `[-lambd, lambd]`, else 0.",
    ["hardshrink(Tensor input, Scalar lambd=0.5)"],
    BOTH,
    ["nn.functional.hardshrink"],
    ["HardshrinkBackward0"],
    |a, d| d.finish(a, |a| pw::hardshrink(a.tensor(0)?, a.scalar(1)?.as_f64()))
);

def!(
    THRESHOLD,
    "threshold",
    "`value` where `x <= threshold`, else `x`.",
    ["threshold(Tensor input, Scalar threshold, Scalar value)"],
    FUNCTION,
    [],
    ["ThresholdBackward0"],
    |a, d| Ok(pw::threshold(a.tensor(0)?, a.scalar(1)?, a.scalar(2)?, d)?.into())
);

def!(
    THRESHOLD_,
    "threshold_",
    "`threshold`, in place.",
    ["threshold_(Tensor input, Scalar threshold, Scalar value)"],
    FUNCTION,
    ["nn.functional.threshold_"],
    ["ThresholdBackward1"],
    |a, _| Ok(pw::threshold(a.tensor(0)?, a.scalar(1)?, a.scalar(2)?, Dest::InPlace)?.into())
);

def!(
    F_THRESHOLD,
    "nn.functional.threshold",
    "`value` where `x <= threshold`, else `x`.",
    ["threshold(Tensor input, Scalar threshold, Scalar value, bool inplace=False)"],
    FUNCTION,
    [],
    ["ThresholdBackward0", "ThresholdBackward1"],
    |a, d| Ok(pw::threshold(
        a.tensor(0)?,
        a.scalar(1)?,
        a.scalar(2)?,
        dest_of(d, a.bool(3)?)
    )?
    .into())
);

def!(
    GLU,
    "nn.functional.glu",
    "`a * sigmoid(b)` for the halves `a`, `b` of `input` along `dim`.",
    ["glu(Tensor input, int dim=-1)"],
    FUNCTION,
    [],
    ["GluBackward0"],
    |a, d| d.finish(a, |a| layers::glu(a.tensor(0)?, a.int(1)?))
);

def!(
    PRELU,
    "prelu",
    "`x` above 0, `weight * x` elsewhere (one weight, or one per channel).",
    ["prelu(Tensor input, Tensor weight)"],
    BOTH,
    ["nn.functional.prelu"],
    ["PreluKernelBackward0"],
    |a, d| d.finish(a, |a| layers::prelu(a.tensor(0)?, a.tensor(1)?))
);

def!(
    SOFTMIN,
    "nn.functional.softmin",
    "`softmax(-input, dim)`.",
    ["softmin(Tensor input, int? dim=None, int _stacklevel=3, ScalarType? dtype=None)"],
    FUNCTION,
    [],
    ["SoftmaxBackward0"],
    |a, d| d.finish(a, |a| layers::softmin(
        a.tensor(0)?,
        a.opt_int(1)?,
        a.opt_dtype(3)?
    ))
);

def!(
    DROPOUT,
    "dropout",
    "Zeroes each element with probability `p` and scales the rest by `1 / (1 - p)` when `train`.",
    ["dropout(Tensor input, float p, bool train)"],
    FUNCTION,
    [],
    ["MulBackward0"],
    |a, _| Ok(layers::dropout(a.tensor(0)?, a.float(1)?, a.bool(2)?, false)?.into())
);

def!(
    DROPOUT_,
    "dropout_",
    "`dropout`, in place.",
    ["dropout_(Tensor input, float p, bool train)"],
    FUNCTION,
    [],
    ["MulBackward0"],
    |a, _| Ok(layers::dropout(a.tensor(0)?, a.float(1)?, a.bool(2)?, true)?.into())
);

def!(F_DROPOUT, "nn.functional.dropout", "Zeroes each element with probability `p` and scales the rest by `1 / (1 - p)` when `training`.",
    ["dropout(Tensor input, float p=0.5, bool training=True, bool inplace=False)"], FUNCTION, [],
    ["MulBackward0"],
    |a, _| {
        let p = a.float(1)?;
        layers::check_dropout_p(p)?;
        Ok(layers::dropout(a.tensor(0)?, p, a.bool(2)?, a.bool(3)?)?.into())
    });

def!(
    ONE_HOT,
    "nn.functional.one_hot",
    "int64 one-hot encoding: a new last dim of `num_classes` with a 1 at each value.",
    ["one_hot(Tensor tensor, int num_classes=-1)"],
    FUNCTION,
    [],
    [],
    |a, d| d.finish(a, |a| layers::one_hot(a.tensor(0)?, a.int(1)?))
);

/// The declarations of the family.
pub static OPS: &[&OpDef] = &[
    &GELU,
    &SILU,
    &LEAKY_RELU,
    &LEAKY_RELU_,
    &ELU,
    &ELU_,
    &SELU,
    &SELU_,
    &F_SELU,
    &CELU,
    &CELU_,
    &F_CELU,
    &SOFTPLUS,
    &RELU6,
    &HARDTANH,
    &HARDTANH_,
    &HARDSIGMOID,
    &HARDSWISH,
    &MISH,
    &LOGSIGMOID,
    &SOFTSIGN,
    &TANHSHRINK,
    &SOFTSHRINK,
    &HARDSHRINK,
    &THRESHOLD,
    &THRESHOLD_,
    &F_THRESHOLD,
    &GLU,
    &PRELU,
    &SOFTMIN,
    &super::linear::LINEAR,
    &DROPOUT,
    &DROPOUT_,
    &F_DROPOUT,
    &ONE_HOT,
];
