//! The registry declarations of the creation ops (`zeros`, `ones`, `empty`, `full`, their `*_like`
//! forms, `eye`, `arange`, `linspace`, `rand`, `randn`, `randint`) and of joining (`cat`,
//! `stack`, `where`). Each takes torch's `dtype=`, `device=` (the CPU only) and `requires_grad=`.

use crate::dtype::{default_float, DType};
use crate::error::{Error, Result};
use crate::ops::creation::checked_sizes;
use crate::ops::registry::{Args, Forms, OpDef, Ret};
use crate::scalar::Scalar;
use crate::tensor::Tensor;
use crate::value::Value;

/// torch's error for a malformed device string or a device rtensor does not have.
pub(crate) fn check_device(device: Option<&str>) -> Result<()> {
    crate::device::check_device(device)
}

/// Checks `device=` (argument `device`), then makes the tensor and applies `requires_grad=`
/// (argument `requires_grad`).
fn create(
    a: &Args,
    device: usize,
    requires_grad: usize,
    make: impl FnOnce() -> Result<Tensor>,
) -> Result<Ret> {
    check_device(a.opt_str(device)?)?;
    let t = make()?;
    if a.bool(requires_grad)? {
        t.set_requires_grad(true)?;
    }
    Ok(Ret::Tensor(t))
}

/// The sizes argument.
fn sizes(a: &Args, i: usize) -> Result<Vec<usize>> {
    checked_sizes(a.ints(i)?)
}

/// `zeros`, `ones`, `empty` and `full` from a shape.
macro_rules! filled {
    ($stat:ident, $name:literal, $doc:literal, $value:expr) => {
        #[doc = concat!("`", $name, "`.")]
        pub static $stat: OpDef = OpDef {
            name: $name,
            doc: $doc,
            signatures: &[concat!(
                $name,
                "(int[]... size, *, ScalarType? dtype=None, Device? device=None, bool requires_grad=False, Layout? layout=None, bool pin_memory=False)"
            )],
            forms: Forms::FUNCTION_OUT,
            aliases: &[],
            nodes: &[],
            method_signatures: &[],
            source: file!(),
            run: |a, d| {
                // torch's `zeros` checks the sizes itself, with its own message.
                if $name == "zeros" && a.ints(0)?.iter().any(|&s| s < 0) {
                    return Err(Error::Runtime(
                        "zeros: Dimension size must be non-negative.".into(),
                    ));
                }
                let shape = sizes(a, 0)?;
                let dtype = a.opt_dtype(1)?.unwrap_or_else(default_float);
                let ret = create(a, 2, 3, || Tensor::full(&shape, $value, dtype))?;
                d.finish(a, |_| match &ret {
                    Ret::Tensor(t) => Ok(t.clone()),
                    _ => Err(Error::Runtime("internal error: no tensor".into())),
                })
            },
        };
    };
}

filled!(ZEROS, "zeros", "A tensor of zeros.", Scalar::Int(0));
filled!(ONES, "ones", "A tensor of ones.", Scalar::Int(1));
filled!(
    EMPTY,
    "empty",
    "A tensor with unspecified contents (zeros here: fresh pages are free to zero).",
    Scalar::Int(0)
);

/// `full`.
pub static FULL: OpDef = OpDef {
    name: "full",
    doc: "A tensor filled with `fill_value`; the dtype follows the value unless given.",
    signatures: &["full(int[] size, Scalar fill_value, *, ScalarType? dtype=None, Device? device=None, bool requires_grad=False, Layout? layout=None, bool pin_memory=False)"],
    forms: Forms::FUNCTION_OUT,
    aliases: &[],
    nodes: &[],
    method_signatures: &[],
    source: file!(),
    run: |a, d| {
        let shape = sizes(a, 0)?;
        let value = a.scalar(1)?;
        let dtype = a.opt_dtype(2)?.unwrap_or(value.dtype(default_float()));
        let ret = create(a, 3, 4, || Tensor::full(&shape, value, dtype))?;
        d.finish(a, |_| match &ret {
            Ret::Tensor(t) => Ok(t.clone()),
            _ => Err(Error::Runtime("internal error: no tensor".into())),
        })
    },
};

/// `zeros_like`, `ones_like`, `empty_like`.
macro_rules! like {
    ($stat:ident, $name:literal, $doc:literal, |$t:ident, $dt:ident| $make:expr) => {
        #[doc = concat!("`", $name, "`.")]
        pub static $stat: OpDef = OpDef {
            name: $name,
            doc: $doc,
            signatures: &[concat!(
                $name,
                "(Tensor input, *, ScalarType? dtype=None, Device? device=None, bool requires_grad=False, Layout? layout=None, bool pin_memory=False, MemoryFormat? memory_format=None)"
            )],
            forms: Forms::FUNCTION,
            aliases: &[],
            nodes: &[],
            method_signatures: &[],
            source: file!(),
            run: |a, _| {
                let $t = a.tensor(0)?;
                let $dt = a.opt_dtype(1)?.unwrap_or($t.dtype());
                let format = a.opt_str(6)?;
                create(a, 2, 3, || $make?.in_memory_format($t, format))
            },
        };
    };
}

like!(
    ZEROS_LIKE,
    "zeros_like",
    "Zeros shaped like `input`.",
    |t, dt| Tensor::full(t.shape(), Scalar::Int(0), dt)
);
like!(
    ONES_LIKE,
    "ones_like",
    "Ones shaped like `input`.",
    |t, dt| Tensor::full(t.shape(), Scalar::Int(1), dt)
);
like!(
    EMPTY_LIKE,
    "empty_like",
    "A tensor shaped like `input` with unspecified contents (zeros here).",
    |t, dt| Tensor::full(t.shape(), Scalar::Int(0), dt)
);
/// `full_like`.
pub static FULL_LIKE: OpDef = OpDef {
    name: "full_like",
    doc: "`fill_value` everywhere, shaped like `input`.",
    signatures: &["full_like(Tensor input, Scalar fill_value, *, ScalarType? dtype=None, Device? device=None, bool requires_grad=False, Layout? layout=None, bool pin_memory=False, MemoryFormat? memory_format=None)"],
    forms: Forms::FUNCTION,
    aliases: &[],
    nodes: &[],
    method_signatures: &[],
    source: file!(),
    run: |a, _| {
        let t = a.tensor(0)?;
        let dtype = a.opt_dtype(2)?.unwrap_or(t.dtype());
        let format = a.opt_str(7)?;
        create(a, 3, 4, || {
            Tensor::full(t.shape(), a.scalar(1)?, dtype)?.in_memory_format(t, format)
        })
    },
};

/// `eye`.
pub static EYE: OpDef = OpDef {
    name: "eye",
    doc: "The `n` x `m` identity matrix.",
    signatures: &["eye(int n, int? m=None, *, ScalarType? dtype=None, Device? device=None, bool requires_grad=False, Layout? layout=None, bool pin_memory=False)"],
    forms: Forms::FUNCTION_OUT,
    aliases: &[],
    nodes: &[],
    method_signatures: &[],
    source: file!(),
    run: |a, d| {
        let n = a.int(0)?;
        let m = a.opt_int(1)?.unwrap_or(n);
        let dtype = a.opt_dtype(2)?.unwrap_or_else(default_float);
        let ret = create(a, 3, 4, || Tensor::eye(n, m, dtype))?;
        d.finish(a, |_| match &ret {
            Ret::Tensor(t) => Ok(t.clone()),
            _ => Err(Error::Runtime("internal error: no tensor".into())),
        })
    },
};

/// `arange`.
pub static ARANGE: OpDef = OpDef {
    name: "arange",
    doc: "`start, start + step, ...` below `end`: int64 unless an argument is a float.",
    signatures: &[
        "arange(Scalar end, *, ScalarType? dtype=None, Device? device=None, bool requires_grad=False, Layout? layout=None, bool pin_memory=False)",
        "arange(Scalar start, Scalar end, Scalar step=1, *, ScalarType? dtype=None, Device? device=None, bool requires_grad=False, Layout? layout=None, bool pin_memory=False)",
    ],
    forms: Forms::FUNCTION_OUT,
    aliases: &[],
    nodes: &[],
    method_signatures: &[],
    source: file!(),
    run: |a, d| {
        let (s, e, st, rest) = match a.overload {
            0 => (Scalar::Int(0), a.scalar(0)?, Scalar::Int(1), 1),
            _ => (a.scalar(0)?, a.scalar(1)?, a.scalar(2)?, 3),
        };
        let any_float = [s, e, st].iter().any(|v| v.is_float());
        let dtype = a.opt_dtype(rest)?.unwrap_or(if any_float {
            default_float()
        } else {
            DType::Int64
        });
        let ret = create(a, rest + 1, rest + 2, || Tensor::arange(s, e, st, dtype))?;
        d.finish(a, |_| match &ret {
            Ret::Tensor(t) => Ok(t.clone()),
            _ => Err(Error::Runtime("internal error: no tensor".into())),
        })
    },
};

/// A `linspace` bound: a number or a 0-dim tensor.
fn bound(v: &Value) -> Result<Scalar> {
    match v {
        Value::Scalar(s) => Ok(*s),
        Value::Tensor(t) => t.item_scalar(),
    }
}

/// `linspace`.
pub static LINSPACE: OpDef = OpDef {
    name: "linspace",
    doc: "`steps` evenly spaced values from `start` to `end`, both included.",
    signatures: &["linspace(Value start, Value end, int steps, *, ScalarType? dtype=None, Device? device=None, bool requires_grad=False, Layout? layout=None, bool pin_memory=False)"],
    forms: Forms::FUNCTION_OUT,
    aliases: &[],
    nodes: &[],
    method_signatures: &[],
    source: file!(),
    run: |a, d| {
        let (start, end) = (a.value(0)?, a.value(1)?);
        let ndim = |v: &Value| v.tensor().map(Tensor::ndim);
        let detail = match (ndim(&start), ndim(&end)) {
            (Some(x), Some(y)) if x != 0 || y != 0 => Some(format!(
                "but got start with {} dimension(s) and end with {} dimension(s).",
                x, y
            )),
            (Some(x), None) if x != 0 => Some(format!("but got start with {} dimension(s).", x)),
            (None, Some(y)) if y != 0 => Some(format!("but got end with {} dimension(s).", y)),
            _ => None,
        };
        if let Some(m) = detail {
            return Err(Error::Runtime(format!(
                "linspace only supports 0-dimensional start and end tensors, {}",
                m
            )));
        }
        let dtype = a.opt_dtype(3)?.unwrap_or_else(default_float);
        let (s, e, n) = (bound(&start)?, bound(&end)?, a.int(2)?);
        let ret = create(a, 4, 5, || Tensor::linspace(s, e, n, dtype))?;
        d.finish(a, |_| match &ret {
            Ret::Tensor(t) => Ok(t.clone()),
            _ => Err(Error::Runtime("internal error: no tensor".into())),
        })
    },
};

/// `rand` and `randn`.
macro_rules! random {
    ($stat:ident, $name:literal, $doc:literal, $f:path) => {
        #[doc = concat!("`", $name, "`.")]
        pub static $stat: OpDef = OpDef {
            name: $name,
            doc: $doc,
            signatures: &[concat!(
                $name,
                "(int[]... size, *, Generator? generator=None, ScalarType? dtype=None, Device? device=None, bool requires_grad=False, Layout? layout=None, bool pin_memory=False)"
            )],
            forms: Forms::FUNCTION_OUT,
            aliases: &[],
            nodes: &[],
            method_signatures: &[],
            source: file!(),
            run: |a, d| {
                let shape = sizes(a, 0)?;
                let dtype = a.opt_dtype(2)?.unwrap_or_else(default_float);
                let ret = create(a, 3, 4, || $f(a.generator(1)?, &shape, dtype))?;
                d.finish(a, |_| match &ret {
                    Ret::Tensor(t) => Ok(t.clone()),
                    _ => Err(Error::Runtime("internal error: no tensor".into())),
                })
            },
        };
    };
}

random!(
    RAND,
    "rand",
    "Uniform samples in [0, 1), reproducible with `manual_seed`.",
    crate::random::rand
);
random!(
    RANDN,
    "randn",
    "Standard normal samples, reproducible with `manual_seed`.",
    crate::kernels::normal::randn
);

/// `randint`.
pub static RANDINT: OpDef = OpDef {
    name: "randint",
    doc: "Integers uniform in [low, high), int64 unless `dtype` is given.",
    signatures: &[
        "randint(int high, int[] size, *, Generator? generator=None, ScalarType? dtype=None, Device? device=None, bool requires_grad=False, Layout? layout=None, bool pin_memory=False)",
        "randint(int low, int high, int[] size, *, Generator? generator=None, ScalarType? dtype=None, Device? device=None, bool requires_grad=False, Layout? layout=None, bool pin_memory=False)",
    ],
    forms: Forms::FUNCTION_OUT,
    aliases: &[],
    nodes: &[],
    method_signatures: &[],
    source: file!(),
    run: |a, d| {
        let (low, high, rest) = match a.overload {
            0 => (0, a.int(0)?, 1),
            _ => (a.int(0)?, a.int(1)?, 2),
        };
        let shape = sizes(a, rest)?;
        let dtype = a.opt_dtype(rest + 2)?.unwrap_or(DType::Int64);
        let ret = create(a, rest + 3, rest + 4, || {
            crate::random::randint(a.generator(rest + 1)?, low, high, &shape, dtype)
        })?;
        d.finish(a, |_| match &ret {
            Ret::Tensor(t) => Ok(t.clone()),
            _ => Err(Error::Runtime("internal error: no tensor".into())),
        })
    },
};

/// `cat`.
pub static CAT: OpDef = OpDef {
    name: "cat",
    doc: "Concatenates tensors along an existing dim.",
    signatures: &["cat(Tensor[] tensors, int dim=0)"],
    forms: Forms::FUNCTION_OUT,
    aliases: &["concat", "concatenate"],
    nodes: &["CatBackward0"],
    method_signatures: &[],
    source: file!(),
    run: |a, d| d.finish(a, |a| crate::ops::join::cat(a.tensors(0)?, a.int(1)?)),
};

/// `stack`.
pub static STACK: OpDef = OpDef {
    name: "stack",
    doc: "Stacks tensors of one shape along a new dim.",
    signatures: &["stack(Tensor[] tensors, int dim=0)"],
    forms: Forms::FUNCTION_OUT,
    aliases: &[],
    nodes: &["StackBackward0"],
    method_signatures: &[],
    source: file!(),
    run: |a, d| d.finish(a, |a| crate::ops::join::stack(a.tensors(0)?, a.int(1)?)),
};

/// `where`.
pub static WHERE: OpDef = OpDef {
    name: "where",
    doc: "`input` where `condition` holds, else `other`; with only a condition, the indices of its nonzero elements.",
    signatures: &[
        "where(Tensor condition, Value input, Value other)",
        "where(Tensor condition) -> tuple[Tensor, ...]",
    ],
    forms: Forms::BOTH,
    aliases: &[],
    nodes: &["WhereBackward0"],
    method_signatures: &["where(Tensor input, Tensor condition, Value other)"],
    source: file!(),
    run: |a, _| match (a.overload, a.method) {
        // The method is `input.where(condition, other)`.
        (_, true) => Ok(Ret::Tensor(crate::ops::join::where_(
            a.tensor(1)?,
            &a.value(0)?,
            &a.value(2)?,
        )?)),
        (0, false) => Ok(Ret::Tensor(crate::ops::join::where_(
            a.tensor(0)?,
            &a.value(1)?,
            &a.value(2)?,
        )?)),
        _ => Ok(Ret::Tuple("", a.tensor(0)?.nonzero_tuple()?)),
    },
};

/// The declarations of this file.
pub static OPS: &[&OpDef] = &[
    &ZEROS,
    &ONES,
    &EMPTY,
    &FULL,
    &ZEROS_LIKE,
    &ONES_LIKE,
    &EMPTY_LIKE,
    &FULL_LIKE,
    &EYE,
    &ARANGE,
    &LINSPACE,
    &RAND,
    &RANDN,
    &RANDINT,
    &CAT,
    &STACK,
    &WHERE,
];
