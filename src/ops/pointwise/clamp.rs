//! `clamp` (`clip`), `clamp_min`, `clamp_max`, with number bounds (promoted like a Python
//! scalar operand) or tensor bounds (promoted and broadcast with the input).

use crate::autograd::rules::pointwise::{Ctx, Saves};
use crate::dtype::{default_float, DType, ResultType};
use crate::error::{Error, Result};
use crate::k1;
use crate::ops::pointwise::{unary, Grad, Spec};
use crate::ops::registry::{Dest, Forms, OpDef};
use crate::scalar::Scalar;
use crate::tensor::Tensor;
use crate::value::Value;

/// torch's error when neither bound is given.
fn no_bounds() -> Error {
    Error::Runtime("torch.clamp: At least one of 'min' or 'max' must not be None".into())
}

/// A number bound in an integer dtype must be representable there.
fn check_int_bound(which: &str, s: Scalar, dtype: DType) -> Result<()> {
    let v = s.as_f64();
    let (lo, hi) = match dtype {
        DType::Int32 => (i32::MIN as f64, i32::MAX as f64),
        DType::Int64 => (i64::MIN as f64, i64::MAX as f64),
        _ => return Ok(()),
    };
    if v < lo || v > hi {
        return Err(Error::Runtime(format!(
            "Clamp {} value {} is outside the representable range of {}",
            which,
            crate::error::fmt_double(v),
            dtype.torch_name()
        )));
    }
    Ok(())
}

/// `clamp(input, min, max)` with number bounds; `node` is `ClampBackward1`, `ClampMinBackward0`
/// or `ClampMaxBackward0`. The gradient passes where the input lies strictly inside the bounds.
pub fn clamp_scalars(
    x: &Tensor,
    min: Option<Scalar>,
    max: Option<Scalar>,
    node: &'static str,
    dest: Dest<'_>,
) -> Result<Tensor> {
    if min.is_none() && max.is_none() {
        return Err(no_bounds());
    }
    let mut rt = ResultType::default().tensor(x.dtype(), x.ndim().max(1));
    for s in [min, max].into_iter().flatten() {
        rt = rt.scalar(s.dtype(default_float()));
    }
    let dtype = rt.finish();
    if let Some(s) = min {
        check_int_bound("min", s, dtype)?;
    }
    if let Some(s) = max {
        check_int_bound("max", s, dtype)?;
    }
    let (lo_f, hi_f) = (min.map(|s| s.as_f64()), max.map(|s| s.as_f64()));
    let (lo_i, hi_i) = (min.map(|s| s.to::<i64>()), max.map(|s| s.to::<i64>()));
    let mut s = Spec::new(
        "clamp",
        k1!(
            float: |x| {
                let mut v = x;
                if let Some(l) = lo_f { let l = x.lit(l); v = if l.is_nan() || v < l { l } else { v }; }
                if let Some(h) = hi_f { let h = x.lit(h); v = if h.is_nan() || v > h { h } else { v }; }
                if x.is_nan() { x } else { v }
            },
            int: |x| {
                let mut v = x;
                if let Some(l) = lo_i { let l = x.lit(l); if v < l { v = l; } }
                if let Some(h) = hi_i { let h = x.lit(h); if v > h { v = h; } }
                v
            },
        ),
    );
    s.promoted = Some(dtype);
    // torch's kernel, named in its dtype errors, depends on the bounds given.
    s.refuse = crate::ops::pointwise::Refusal::Kernel(match (min, max) {
        (Some(_), None) => "clamp_min_scalar_cpu",
        (None, Some(_)) => "clamp_max_scalar_cpu",
        _ => "clamp_scalar_cpu",
    });
    s.out_rule = crate::ops::pointwise::OutRule::Exact;
    s.c_dest_name = true;
    s.params = smallvec::smallvec![
        min.unwrap_or(Scalar::Float(f64::NEG_INFINITY)),
        max.unwrap_or(Scalar::Float(f64::INFINITY)),
    ];
    s.grad = Some(Grad {
        node,
        saves: Saves {
            always: 1,
            for_others: 0,
            output: false,
        },
        formula: |c, g| {
            let x = c.x()?;
            let inside = x.gt(c.param(0)?)?.logical_and(&x.lt(c.param(1)?)?)?;
            c.each(|_| g.mul(&inside))
        },
    });
    unary(x, dest, &s)
}

/// `maximum`'s share for the operand that is `mine` against `other`: 1 where it wins, 0.5 on
/// ties (torch's rule for clamp with tensor bounds).
fn share(mine: &Tensor, other: &Tensor, max: bool) -> Result<Tensor> {
    let wins = if max {
        mine.gt(other)?
    } else {
        mine.lt(other)?
    };
    wins.to_dtype(default_float())?
        .add(&mine.eq(other)?.to_dtype(default_float())?.mul(0.5)?)
}

/// The gradient of `min(max(x, lo), hi)` for operand `i` (0: x, 1: lo, 2: hi); an absent bound
/// is a NaN number.
fn clamp_tensors_grad(c: &Ctx, g: &Tensor, i: usize) -> Result<Tensor> {
    let x = c.tensor(0)?;
    let (lo, hi) = (c.input(1)?, c.input(2)?);
    let t = match &lo {
        Value::Tensor(l) => x.maximum(l)?,
        Value::Scalar(_) => x.clone(),
    };
    let (g_t, g_hi) = match &hi {
        Value::Tensor(h) => (g.mul(&share(&t, h, false)?)?, g.mul(&share(h, &t, false)?)?),
        Value::Scalar(_) => (g.clone(), g.zeros_like()?),
    };
    match (i, &lo) {
        (0, Value::Tensor(l)) => g_t.mul(&share(&x, l, true)?),
        (0, _) => Ok(g_t),
        (1, Value::Tensor(l)) => g_t.mul(&share(l, &x, true)?),
        _ => Ok(g_hi),
    }
}

/// `clamp(input, min, max)` with tensor bounds: `min(max(input, min), max)`, promoted and
/// broadcast together; `node` is `ClampBackward0`, `ClampMinBackward1` or `ClampMaxBackward1`.
pub fn clamp_tensors(
    x: &Tensor,
    min: Option<&Tensor>,
    max: Option<&Tensor>,
    node: &'static str,
    dest: Dest<'_>,
) -> Result<Tensor> {
    if min.is_none() && max.is_none() {
        return Err(no_bounds());
    }
    let dtype = [Some(x), min, max]
        .into_iter()
        .flatten()
        .fold(ResultType::default(), |r, t| r.tensor(t.dtype(), t.ndim()))
        .finish();
    let compute = |x: &Tensor| -> Result<Tensor> {
        crate::autograd::mode::without_grad(|| {
            let mut out = x.to_dtype(dtype)?;
            if let Some(l) = min {
                out = out.maximum(l)?;
            }
            if let Some(h) = max {
                out = out.minimum(h)?;
            }
            out.to_dtype(dtype)
        })
    };
    let absent = Value::Scalar(Scalar::Float(f64::NAN));
    let operand = |t: Option<&Tensor>| t.map_or(absent.clone(), |t| Value::Tensor(t.clone()));
    let operands = [Value::Tensor(x.clone()), operand(min), operand(max)];
    let mut spec = Spec::new("clamp", ());
    spec.scalar_slots = true;
    spec.grad = Some(Grad {
        node,
        saves: Saves {
            always: 0xff,
            for_others: 0,
            output: false,
        },
        formula: |c, g| c.each(|i| clamp_tensors_grad(c, g, i)),
    });
    let args = crate::ops::registry::Args::new(vec![crate::ops::registry::Arg::Tensor(x)]);
    let ret = dest.finish(&args, |a| {
        let x = a.tensor(0)?;
        let out = compute(x)?;
        let mut ops = operands.clone();
        ops[0] = Value::Tensor(x.clone());
        spec.record(out, &ops)
    })?;
    match ret {
        crate::ops::registry::Ret::Tensor(t) => Ok(t),
        _ => Err(Error::Runtime(
            "internal error: clamp returned no tensor".into(),
        )),
    }
}

/// `clamp`/`clip` from the bound arguments: both numbers (or absent), or both tensors.
fn clamp_values(
    x: &Tensor,
    min: Option<Value>,
    max: Option<Value>,
    nodes: [&'static str; 2],
    dest: Dest<'_>,
) -> Result<Tensor> {
    match (min, max) {
        (Some(Value::Tensor(l)), Some(Value::Tensor(h))) => {
            clamp_tensors(x, Some(&l), Some(&h), nodes[1], dest)
        }
        (Some(Value::Tensor(l)), None) => clamp_tensors(x, Some(&l), None, nodes[1], dest),
        (None, Some(Value::Tensor(h))) => clamp_tensors(x, None, Some(&h), nodes[1], dest),
        (l, h) => {
            let scalar = |v: Option<Value>| {
                match v {
                Some(Value::Scalar(s)) => Ok(Some(s)),
                None => Ok(None),
                Some(Value::Tensor(_)) => Err(Error::Type(
                    "clamp() received an invalid combination of arguments: 'min' and 'max' must both be Tensors or both be Numbers".into(),
                )),
            }
            };
            clamp_scalars(x, scalar(l)?, scalar(h)?, nodes[0], dest)
        }
    }
}

impl Tensor {
    /// `clamp(min, max)` with number bounds.
    pub fn clamp(&self, min: Option<Scalar>, max: Option<Scalar>) -> Result<Tensor> {
        clamp_scalars(self, min, max, "ClampBackward1", Dest::New)
    }
}

/// `clamp`.
pub static CLAMP: OpDef = OpDef {
    name: "clamp",
    doc: "Limits each element to `[min, max]` (numbers or tensors; `max` wins if they cross).",
    signatures: &[
        "clamp(Tensor input, Tensor? min=None, Tensor? max=None)",
        "clamp(Tensor input, Scalar? min=None, Scalar? max=None)",
    ],
    forms: Forms::ALL,
    aliases: &["clip"],
    nodes: &["ClampBackward0", "ClampBackward1"],
    method_signatures: &[],
    source: file!(),
    run: |a, d| {
        let x = a.tensor(0)?;
        Ok(clamp_values(
            x,
            a.opt_value(1)?,
            a.opt_value(2)?,
            ["ClampBackward1", "ClampBackward0"],
            d,
        )?
        .into())
    },
};

/// `clamp_min`.
pub static CLAMP_MIN: OpDef = OpDef {
    name: "clamp_min",
    doc: "Limits each element to at least `min`.",
    signatures: &[
        "clamp_min(Tensor input, Tensor min)",
        "clamp_min(Tensor input, Scalar min)",
    ],
    forms: Forms::ALL,
    aliases: &[],
    nodes: &["ClampMinBackward0", "ClampMinBackward1"],
    method_signatures: &[],
    source: file!(),
    run: |a, d| {
        let x = a.tensor(0)?;
        Ok(clamp_values(
            x,
            a.opt_value(1)?,
            None,
            ["ClampMinBackward0", "ClampMinBackward1"],
            d,
        )?
        .into())
    },
};

/// `clamp_max`.
pub static CLAMP_MAX: OpDef = OpDef {
    name: "clamp_max",
    doc: "Limits each element to at most `max`.",
    signatures: &[
        "clamp_max(Tensor input, Tensor max)",
        "clamp_max(Tensor input, Scalar max)",
    ],
    forms: Forms::ALL,
    aliases: &[],
    nodes: &["ClampMaxBackward0", "ClampMaxBackward1"],
    method_signatures: &[],
    source: file!(),
    run: |a, d| {
        let x = a.tensor(0)?;
        Ok(clamp_values(
            x,
            None,
            a.opt_value(1)?,
            ["ClampMaxBackward0", "ClampMaxBackward1"],
            d,
        )?
        .into())
    },
};

/// The declarations of this file.
pub static OPS: &[&OpDef] = &[&CLAMP, &CLAMP_MIN, &CLAMP_MAX];
