//! The registry declarations of the reduction family: `sum`, `mean`, `prod`, `amax`, `amin`,
//! `max`, `min`, `argmax`, `argmin`, `all`, `any`, `count_nonzero`, `logsumexp`, `var`, `std`.
//! Each names its overloads in torch's notation; the runners call the ops implemented beside
//! this file.

use crate::ops::registry::{Args, Dest, Forms, OpDef, Ret};
use crate::Result;

/// `dim` as an optional list (`int[1]? dim`).
fn dims(a: &Args, i: usize) -> Result<Option<Vec<i64>>> {
    Ok(a.opt_ints(i)?.map(|d| d.to_vec()))
}

/// `sum`.
pub static SUM: OpDef = OpDef {
    name: "sum",
    doc: "The sum over `dim` (every dim when absent); bool and integers sum to int64.",
    signatures: &[
        "sum(Tensor input, *, ScalarType? dtype=None)",
        "sum(Tensor input, int[1]? dim, bool keepdim=False, *, ScalarType? dtype=None)",
    ],
    forms: Forms::BOTH_OUT,
    aliases: &[],
    nodes: &["SumBackward0", "SumBackward1"],
    method_signatures: &[],
    source: file!(),
    run: |a, d| {
        d.finish(a, |a| match a.overload {
            0 => a.tensor(0)?.sum(None, false, a.opt_dtype(1)?),
            _ => {
                let dims = dims(a, 1)?;
                a.tensor(0)?.sum(
                    Some(dims.as_deref().unwrap_or(&[])),
                    a.bool(2)?,
                    a.opt_dtype(3)?,
                )
            }
        })
    },
};

/// `mean`.
pub static MEAN: OpDef = OpDef {
    name: "mean",
    doc: "The mean over `dim` (every dim when absent); floating inputs or a floating `dtype`.",
    signatures: &[
        "mean(Tensor input, *, ScalarType? dtype=None)",
        "mean(Tensor input, int[1]? dim, bool keepdim=False, *, ScalarType? dtype=None)",
    ],
    forms: Forms::BOTH_OUT,
    aliases: &[],
    nodes: &["MeanBackward0", "MeanBackward1"],
    method_signatures: &[],
    source: file!(),
    run: |a, d| {
        d.finish(a, |a| match a.overload {
            0 => a.tensor(0)?.mean(None, false, a.opt_dtype(1)?),
            _ => {
                let dims = dims(a, 1)?;
                a.tensor(0)?.mean(
                    Some(dims.as_deref().unwrap_or(&[])),
                    a.bool(2)?,
                    a.opt_dtype(3)?,
                )
            }
        })
    },
};

/// `prod`.
pub static PROD: OpDef = OpDef {
    name: "prod",
    doc: "The product over `dim` (every element when absent); bool and integers give int64.",
    signatures: &[
        "prod(Tensor input, *, ScalarType? dtype=None)",
        "prod(Tensor input, int dim, bool keepdim=False, *, ScalarType? dtype=None)",
    ],
    forms: Forms::BOTH_OUT,
    aliases: &[],
    nodes: &["ProdBackward0", "ProdBackward1"],
    method_signatures: &[],
    source: file!(),
    run: |a, d| {
        d.finish(a, |a| match a.overload {
            0 => a.tensor(0)?.prod(None, false, a.opt_dtype(1)?),
            _ => a
                .tensor(0)?
                .prod(Some(a.int(1)?), a.bool(2)?, a.opt_dtype(3)?),
        })
    },
};

/// `amax`.
pub static AMAX: OpDef = OpDef {
    name: "amax",
    doc: "The largest elements over `dim` (every dim when empty); ties share the gradient.",
    signatures: &["amax(Tensor input, int[1] dim=[], bool keepdim=False)"],
    forms: Forms::BOTH_OUT,
    aliases: &[],
    nodes: &["AmaxBackward0"],
    method_signatures: &[],
    source: file!(),
    run: |a, d| d.finish_same_dtype(a, |a| a.tensor(0)?.amax(Some(a.ints(1)?), a.bool(2)?)),
};

/// `amin`.
pub static AMIN: OpDef = OpDef {
    name: "amin",
    doc: "The smallest elements over `dim` (every dim when empty); ties share the gradient.",
    signatures: &["amin(Tensor input, int[1] dim=[], bool keepdim=False)"],
    forms: Forms::BOTH_OUT,
    aliases: &[],
    nodes: &["AminBackward0"],
    method_signatures: &[],
    source: file!(),
    run: |a, d| d.finish_same_dtype(a, |a| a.tensor(0)?.amin(Some(a.ints(1)?), a.bool(2)?)),
};

/// `max`/`min`: everything, `(values, indices)` along a dim, or the elementwise extreme.
fn max_min(a: &Args, max: bool) -> Result<Ret> {
    let t = a.tensor(0)?;
    Ok(match a.overload {
        0 => Ret::Tensor(t.extreme_all(max)?),
        1 if max => Ret::Tensor(t.maximum(a.tensor(1)?)?),
        1 => Ret::Tensor(t.minimum(a.tensor(1)?)?),
        _ => {
            let (values, indices) = t.extreme_dim(max, a.int(1)?, a.bool(2)?)?;
            Ret::Tuple(if max { "max" } else { "min" }, vec![values, indices])
        }
    })
}

/// `max`.
pub static MAX: OpDef = OpDef {
    name: "max",
    doc: "The largest element; `(values, indices)` along `dim`; or the elementwise maximum.",
    signatures: &[
        "max(Tensor input)",
        "max(Tensor input, Tensor other)",
        "max(Tensor input, int dim, bool keepdim=False) -> return_types.max",
    ],
    forms: Forms::BOTH,
    aliases: &[],
    nodes: &["MaxBackward0", "MaxBackward1", "MaximumBackward0"],
    method_signatures: &[],
    source: file!(),
    run: |a, _: Dest<'_>| max_min(a, true),
};

/// `min`.
pub static MIN: OpDef = OpDef {
    name: "min",
    doc: "The smallest element; `(values, indices)` along `dim`; or the elementwise minimum.",
    signatures: &[
        "min(Tensor input)",
        "min(Tensor input, Tensor other)",
        "min(Tensor input, int dim, bool keepdim=False) -> return_types.min",
    ],
    forms: Forms::BOTH,
    aliases: &[],
    nodes: &["MinBackward0", "MinBackward1", "MinimumBackward0"],
    method_signatures: &[],
    source: file!(),
    run: |a, _: Dest<'_>| max_min(a, false),
};

/// `argmax`.
pub static ARGMAX: OpDef = OpDef {
    name: "argmax",
    doc: "The index of the first largest element along `dim` (of the flattened tensor by default).",
    signatures: &["argmax(Tensor input, int? dim=None, bool keepdim=False)"],
    forms: Forms::BOTH_OUT,
    aliases: &[],
    nodes: &[],
    method_signatures: &[],
    source: file!(),
    run: |a, d| {
        d.finish(a, |a| {
            a.tensor(0)?
                .arg_extreme_dim(true, a.opt_int(1)?, a.bool(2)?)
        })
    },
};

/// `argmin`.
pub static ARGMIN: OpDef = OpDef {
    name: "argmin",
    doc:
        "The index of the first smallest element along `dim` (of the flattened tensor by default).",
    signatures: &["argmin(Tensor input, int? dim=None, bool keepdim=False)"],
    forms: Forms::BOTH_OUT,
    aliases: &[],
    nodes: &[],
    method_signatures: &[],
    source: file!(),
    run: |a, d| {
        d.finish(a, |a| {
            a.tensor(0)?
                .arg_extreme_dim(false, a.opt_int(1)?, a.bool(2)?)
        })
    },
};

/// `all`/`any` over everything, a list of dims, or one dim.
fn logical(a: &Args, every: bool) -> Result<crate::Tensor> {
    let t = a.tensor(0)?;
    let (dims, keepdim) = match a.overload {
        0 => (None, false),
        1 => (dims(a, 1)?, a.bool(2)?),
        _ => (Some(vec![a.int(1)?]), a.bool(2)?),
    };
    match every {
        true => t.all(dims.as_deref(), keepdim),
        false => t.any(dims.as_deref(), keepdim),
    }
}

/// `all`.
pub static ALL: OpDef = OpDef {
    name: "all",
    doc: "Whether every element over `dim` is nonzero (a bool tensor).",
    signatures: &[
        "all(Tensor input)",
        "all(Tensor input, int[]? dim=None, bool keepdim=False)",
        "all(Tensor input, int dim, bool keepdim=False)",
    ],
    forms: Forms::BOTH_OUT,
    aliases: &[],
    nodes: &[],
    method_signatures: &[],
    source: file!(),
    run: |a, d| d.finish(a, |a| logical(a, true)),
};

/// `any`.
pub static ANY: OpDef = OpDef {
    name: "any",
    doc: "Whether some element over `dim` is nonzero (a bool tensor).",
    signatures: &[
        "any(Tensor input)",
        "any(Tensor input, int[]? dim=None, bool keepdim=False)",
        "any(Tensor input, int dim, bool keepdim=False)",
    ],
    forms: Forms::BOTH_OUT,
    aliases: &[],
    nodes: &[],
    method_signatures: &[],
    source: file!(),
    run: |a, d| d.finish(a, |a| logical(a, false)),
};

/// `count_nonzero`.
pub static COUNT_NONZERO: OpDef = OpDef {
    name: "count_nonzero",
    doc: "The number of nonzero elements over `dim` (every dim when absent), as int64.",
    signatures: &[
        "count_nonzero(Tensor input, int? dim=None)",
        "count_nonzero(Tensor input, int[] dim)",
    ],
    forms: Forms::BOTH,
    aliases: &[],
    nodes: &[],
    method_signatures: &[],
    source: file!(),
    run: |a, d| {
        d.finish(a, |a| {
            let t = a.tensor(0)?;
            match a.overload {
                0 => match a.opt_int(1)? {
                    Some(dim) => t.count_nonzero(Some(&[dim])),
                    None => t.count_nonzero(None),
                },
                _ => t.count_nonzero(Some(a.ints(1)?)),
            }
        })
    },
};

/// `logsumexp`.
pub static LOGSUMEXP: OpDef = OpDef {
    name: "logsumexp",
    doc: "`log(sum(exp(input)))` over `dim`, computed without overflow in one read.",
    signatures: &["logsumexp(Tensor input, int[1] dim, bool keepdim=False)"],
    forms: Forms::BOTH_OUT,
    aliases: &["special.logsumexp"],
    nodes: &["LogsumexpBackward0"],
    method_signatures: &[],
    source: file!(),
    run: |a, d| d.finish(a, |a| a.tensor(0)?.logsumexp(a.ints(1)?, a.bool(2)?)),
};

/// The `var`/`std` overloads: `(dim, unbiased, keepdim)`, `(dim, *, correction, keepdim)`,
/// `(unbiased)`; as (dims, correction, keepdim).
pub(crate) fn moment_args(a: &Args) -> Result<(Option<Vec<i64>>, f64, bool)> {
    let bessel = |unbiased: bool| if unbiased { 1.0 } else { 0.0 };
    Ok(match a.overload {
        0 => (dims(a, 1)?, bessel(a.bool(2)?), a.bool(3)?),
        1 => (
            dims(a, 1)?,
            a.opt_scalar(2)?.map_or(1.0, |s| s.as_f64()),
            a.bool(3)?,
        ),
        _ => (None, bessel(a.bool(1)?), false),
    })
}

/// The signatures of `var`, `std`, `var_mean` and `std_mean`.
macro_rules! moment_signatures {
    ($name:literal $(, $ret:literal)?) => {
        &[
            concat!($name, "(Tensor input, int[1]? dim, bool unbiased=True, bool keepdim=False)" $(, " -> ", $ret)?),
            concat!($name, "(Tensor input, int[1]? dim=None, *, Scalar? correction=None, bool keepdim=False)" $(, " -> ", $ret)?),
            concat!($name, "(Tensor input, bool unbiased=True)" $(, " -> ", $ret)?),
        ]
    };
}

/// `var`.
pub static VAR: OpDef = OpDef {
    name: "var",
    doc: "The variance over `dim` with `correction` (Bessel's by default).",
    signatures: moment_signatures!("var"),
    forms: Forms::BOTH_OUT,
    aliases: &[],
    nodes: &["VarBackward0"],
    method_signatures: &[],
    source: file!(),
    run: |a, d| {
        d.finish(a, |a| {
            let (dims, correction, keepdim) = moment_args(a)?;
            a.tensor(0)?
                .moment(dims.as_deref(), correction, keepdim, false)
        })
    },
};

/// `std`.
pub static STD: OpDef = OpDef {
    name: "std",
    doc: "The standard deviation over `dim` with `correction` (Bessel's by default).",
    signatures: moment_signatures!("std"),
    forms: Forms::BOTH_OUT,
    aliases: &[],
    nodes: &["StdBackward0"],
    method_signatures: &[],
    source: file!(),
    run: |a, d| {
        d.finish(a, |a| {
            let (dims, correction, keepdim) = moment_args(a)?;
            a.tensor(0)?
                .moment(dims.as_deref(), correction, keepdim, true)
        })
    },
};

/// `var_mean` and `std_mean`.
fn moment_mean(a: &Args, root: bool) -> Result<Ret> {
    let (dims, correction, keepdim) = moment_args(a)?;
    let (m, mean) = a
        .tensor(0)?
        .moment_mean(dims.as_deref(), correction, keepdim, root)?;
    Ok(Ret::Tuple("", vec![m, mean]))
}

/// `var_mean`.
pub static VAR_MEAN: OpDef = OpDef {
    name: "var_mean",
    doc: "The variance and the mean over `dim`, in one node.",
    signatures: moment_signatures!("var_mean", "tuple[Tensor, Tensor]"),
    forms: Forms::FUNCTION,
    aliases: &[],
    nodes: &["VarMeanBackward0"],
    method_signatures: &[],
    source: file!(),
    run: |a, _| moment_mean(a, false),
};

/// `std_mean`.
pub static STD_MEAN: OpDef = OpDef {
    name: "std_mean",
    doc: "The standard deviation and the mean over `dim`, in one node.",
    signatures: moment_signatures!("std_mean", "tuple[Tensor, Tensor]"),
    forms: Forms::FUNCTION,
    aliases: &[],
    nodes: &["StdMeanBackward0"],
    method_signatures: &[],
    source: file!(),
    run: |a, _| moment_mean(a, true),
};

/// `aminmax`.
pub static AMINMAX: OpDef = OpDef {
    name: "aminmax",
    doc: "The smallest and largest elements (over `dim`, or everything), as `(min, max)`.",
    signatures: &[
        "aminmax(Tensor input, *, int? dim=None, bool keepdim=False) -> return_types.aminmax",
    ],
    forms: Forms::BOTH,
    aliases: &[],
    nodes: &["AminmaxBackward0"],
    method_signatures: &[],
    source: file!(),
    run: |a, _| {
        let (min, max) = a.tensor(0)?.aminmax(a.opt_int(1)?, a.bool(2)?)?;
        Ok(Ret::Tuple("aminmax", vec![min, max]))
    },
};

/// `nansum`.
pub static NANSUM: OpDef = OpDef {
    name: "nansum",
    doc: "The sum over `dim` with NaN read as zero.",
    signatures: &[
        "nansum(Tensor input, int[1]? dim=None, bool keepdim=False, *, ScalarType? dtype=None)",
    ],
    forms: Forms::BOTH_OUT,
    aliases: &[],
    nodes: &["NansumBackward0"],
    method_signatures: &[],
    source: file!(),
    run: |a, d| {
        d.finish(a, |a| {
            a.tensor(0)?
                .nansum(a.opt_ints(1)?, a.bool(2)?, a.opt_dtype(3)?)
        })
    },
};

/// `nanmean`.
pub static NANMEAN: OpDef = OpDef {
    name: "nanmean",
    doc: "The mean over `dim` of the elements that are not NaN.",
    signatures: &[
        "nanmean(Tensor input, int[1]? dim=None, bool keepdim=False, *, ScalarType? dtype=None)",
    ],
    forms: Forms::BOTH_OUT,
    aliases: &[],
    nodes: &["DivBackward0"],
    method_signatures: &[],
    source: file!(),
    run: |a, d| {
        d.finish(a, |a| {
            a.tensor(0)?
                .nanmean(a.opt_ints(1)?, a.bool(2)?, a.opt_dtype(3)?)
        })
    },
};

/// The declarations of this file.
pub static OPS: &[&OpDef] = &[
    &SUM,
    &MEAN,
    &PROD,
    &AMAX,
    &AMIN,
    &MAX,
    &MIN,
    &ARGMAX,
    &ARGMIN,
    &ALL,
    &ANY,
    &COUNT_NONZERO,
    &LOGSUMEXP,
    &VAR,
    &STD,
    &VAR_MEAN,
    &STD_MEAN,
    &AMINMAX,
    &NANSUM,
    &NANMEAN,
];
