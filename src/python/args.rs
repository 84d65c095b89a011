//! Binds Python arguments to an op's signatures as torch's argument parser does: positional then
//! keyword arguments (with numpy's names `axis`, `keepdims`, `x`, ... accepted as torch accepts
//! them), defaults, sizes given as varargs, overloads tried in order, and torch's TypeError
//! messages when nothing matches.

use crate::ops::registry::args::Ints;
use crate::ops::registry::signature::{Default, Param, ParamType, Signature};
use crate::ops::registry::{Arg, Args};
use crate::python::convert::{extract_dtype, extract_scalar, type_name};
use crate::python::tensor::PyTensor;
use crate::tensor::Tensor;
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyFloat, PyInt, PyList, PyString, PyTuple};
use smallvec::SmallVec;

/// The keyword names numpy code uses for torch's parameters, which torch's parser accepts too.
fn numpy_alias(param: &str, kw: &str) -> bool {
    matches!(
        (param, kw),
        ("dim", "axis") | ("keepdim", "keepdims") | ("input", "x" | "a" | "x1") | ("other", "x2")
    )
}

/// Why one signature did not match.
enum Mismatch {
    /// An argument of the wrong type: (parameter, position when positional, the object's type).
    Type(usize, Option<usize>, String),
    /// More positional arguments than the signature takes.
    TooMany(usize, usize),
    /// A required parameter was not given.
    Missing(usize),
    /// A keyword no parameter has.
    UnknownKeyword(String),
    /// A parameter given both by position and by keyword.
    Twice(usize),
}

/// A Python object's type as torch names it in messages (`Tensor`, `int`, `list`).
fn describe(obj: &Bound<'_, PyAny>) -> String {
    if obj.is_instance_of::<PyTensor>() {
        "Tensor".into()
    } else if obj.cast::<crate::python::dtype::PyDType>().is_ok() {
        "rtensor.dtype".into()
    } else {
        type_name(obj)
    }
}

/// True for Python ints and objects with `__index__` (numpy integers), but not bools or floats.
fn is_int_like(obj: &Bound<'_, PyAny>) -> bool {
    if obj.is_exact_instance_of::<PyInt>() {
        return true;
    }
    if obj.is_instance_of::<PyBool>() || obj.is_instance_of::<PyFloat>() {
        return false;
    }
    if obj.is_instance_of::<PyInt>() {
        return true;
    }
    if let Ok(t) = obj.cast::<PyTensor>() {
        let t = &t.get().t(t.py());
        return !t.dtype().is_floating() && t.dtype() != crate::DType::Bool && t.numel() == 1;
    }
    obj.hasattr(pyo3::intern!(obj.py(), "__index__"))
        .unwrap_or(false)
}

fn to_int(obj: &Bound<'_, PyAny>) -> PyResult<i64> {
    if obj.is_exact_instance_of::<PyInt>() {
        return crate::python::convert::extract_i64_arg(obj);
    }
    if let Ok(t) = obj.cast::<PyTensor>() {
        return Ok(t.get().t(t.py()).item_i64()?);
    }
    // PyLong_AsLongLong takes ints directly and calls `__index__` on anything else.
    crate::python::convert::extract_i64_arg(obj)
}

/// An element of an int list, with torch's TypeError when it does not fit in int64.
fn list_int(obj: &Bound<'_, PyAny>, at: &Site, pos: usize) -> PyResult<i64> {
    to_int(obj).map_err(|e| {
        PyTypeError::new_err(format!(
            "{}(): argument '{}' failed to unpack the object at pos {} with error \"{}\"",
            at.op,
            at.param,
            pos,
            e.value(obj.py())
        ))
    })
}

/// Where an argument goes, for messages.
struct Site<'a> {
    op: &'a str,
    param: &'a str,
    index: usize,
}

/// A sequence of ints (tuple, list, `Size`), or `None` when `obj` is not one.
fn int_sequence(obj: &Bound<'_, PyAny>, at: &Site) -> PyResult<Option<Ints>> {
    if !(obj.is_instance_of::<PyTuple>() || obj.is_instance_of::<PyList>()) {
        return Ok(None);
    }
    let mut out = Ints::new();
    for (i, item) in obj.try_iter()?.enumerate() {
        let item = item?;
        if !is_int_like(&item) {
            return Ok(None);
        }
        out.push(list_int(&item, at, i + 1)?);
    }
    Ok(Some(out))
}

/// Converts `obj` for parameter `p` (number `index` of op `op`); `Ok(None)` when the type does
/// not fit.
#[inline(always)]
fn convert<'a>(
    obj: &'a Bound<'_, PyAny>,
    p: &Param,
    op: &str,
    index: usize,
    out: &mut Args<'a>,
) -> PyResult<Option<Arg<'a>>> {
    let at = Site {
        op,
        param: &p.name,
        index,
    };
    if obj.is_none() {
        // As torch's parser: None passes an optional parameter, and a list parameter whose
        // default is a list (`amax(x, None)` is `amax(x, [])`).
        return Ok(match &p.default {
            _ if p.optional => Some(Arg::None),
            Some(Default::None) => Some(Arg::None),
            Some(Default::Ints(_)) => Some(default_arg(p, out)),
            _ => None,
        });
    }
    Ok(match p.ty {
        ParamType::Tensor => obj
            .cast::<PyTensor>()
            .ok()
            .map(|t| Arg::OwnedTensor(t.get().t(t.py()))),
        ParamType::Value => match obj.cast::<PyTensor>() {
            Ok(t) => Some(Arg::OwnedTensor(t.get().t(t.py()))),
            Err(_) => extract_scalar(obj)?.map(Arg::Scalar),
        },
        ParamType::Scalar => match obj.cast::<PyTensor>() {
            // torch takes a 0-dim tensor that does not require grad where it wants a number.
            Ok(t) if t.get().t(t.py()).ndim() == 0 && !t.get().t(t.py()).requires_grad() => Some(
                Arg::Scalar(crate::python::tensor::item_scalar(&t.get().t(t.py()))?),
            ),
            Ok(_) => None,
            Err(_) => extract_scalar(obj)?.map(Arg::Scalar),
        },
        ParamType::Int => {
            if is_int_like(obj) {
                Some(Arg::Int(to_int(obj)?))
            } else {
                None
            }
        }
        ParamType::Float => match extract_scalar(obj)? {
            Some(s) if !obj.is_instance_of::<PyBool>() => Some(Arg::Float(s.as_f64())),
            _ => None,
        },
        ParamType::Bool => {
            if obj.is_instance_of::<PyBool>() {
                Some(Arg::Bool(obj.extract::<bool>()?))
            } else {
                None
            }
        }
        ParamType::IntList => {
            if is_int_like(obj) && p.size > 0 {
                Some(out.int_list(&[to_int(obj)?]))
            } else {
                int_sequence(obj, &at)?.map(|v| out.int_list(&v))
            }
        }
        ParamType::IntLists => {
            if !(obj.is_instance_of::<PyTuple>() || obj.is_instance_of::<PyList>()) {
                None
            } else {
                let mut lists = vec![];
                for (i, item) in obj.try_iter()?.enumerate() {
                    let item = item?;
                    // A bare int is a list of one, as torch's `int[]` takes it.
                    if is_int_like(&item) {
                        let mut one = Ints::new();
                        one.push(list_int(&item, &at, i + 1)?);
                        lists.push(one);
                        continue;
                    }
                    match int_sequence(&item, &at)? {
                        Some(v) => lists.push(v),
                        None => return Ok(None),
                    }
                }
                let mut flat: Vec<i64> = vec![lists.len() as i64];
                flat.extend(lists.iter().map(|l| l.len() as i64));
                flat.extend(lists.iter().flat_map(|l| l.iter().copied()));
                Some(out.int_list(&flat))
            }
        }
        ParamType::DType => extract_dtype(obj).ok().map(Arg::DType),
        ParamType::Str => obj
            .cast::<PyString>()
            .ok()
            .map(|s| Arg::Str(Box::new(s.to_string()))),
        ParamType::TensorList => {
            if obj.is_instance_of::<PyTuple>() || obj.is_instance_of::<PyList>() {
                let mut ts = vec![];
                for (i, item) in obj.try_iter()?.enumerate() {
                    let item = item?;
                    match item.cast::<PyTensor>() {
                        Ok(t) => ts.push(t.get().t(t.py())),
                        // torch's own message for a sequence holding something else.
                        Err(_) => {
                            return Err(PyTypeError::new_err(format!(
                                "expected Tensor as element {} in argument {}, but got {}",
                                i,
                                at.index,
                                type_name(&item)
                            )))
                        }
                    }
                }
                Some(out.tensor_list(ts))
            } else {
                None
            }
        }
        ParamType::Generator => obj
            .cast::<crate::python::random::PyGenerator>()
            .ok()
            .map(|g| Arg::Generator(g.get().g.clone())),
        // `rtensor.strided`, the only layout: accepted and ignored, as torch's default.
        ParamType::Layout => (type_name(obj) == "layout"
            && obj.str()?.to_str()? == "rtensor.strided")
            .then_some(Arg::None),
        // A memory format object (`rtensor.channels_last`): its name.
        ParamType::MemoryFormat => {
            if type_name(obj) == "memory_format" {
                let name = obj
                    .str()?
                    .to_str()?
                    .trim_start_matches("rtensor.")
                    .to_string();
                Some(Arg::Str(Box::new(name)))
            } else {
                None
            }
        }
        ParamType::FloatList => {
            if obj.is_instance_of::<PyTuple>() || obj.is_instance_of::<PyList>() {
                let mut v = Vec::new();
                for item in obj.try_iter()? {
                    let item = item?;
                    match extract_scalar(&item)? {
                        Some(s) if !item.is_instance_of::<PyBool>() => v.push(s.as_f64()),
                        _ => return Ok(None),
                    }
                }
                Some(out.float_list(&v))
            } else {
                None
            }
        }
        ParamType::ScalarOrStr => {
            if let Ok(s) = obj.cast::<PyString>() {
                Some(Arg::Str(Box::new(s.to_string())))
            } else if obj.is_instance_of::<PyBool>() {
                None
            } else {
                extract_scalar(obj)?.map(Arg::Scalar)
            }
        }
        ParamType::Device => {
            if obj.is_instance_of::<PyString>()
                || obj.is_instance_of::<crate::python::device::PyDevice>()
                || (obj.is_instance_of::<PyInt>() && !obj.is_instance_of::<PyBool>())
            {
                Some(Arg::Str(Box::new(crate::python::device::device_string(
                    obj,
                )?)))
            } else {
                None
            }
        }
    })
}

fn default_arg<'a>(p: &Param, out: &mut Args<'a>) -> Arg<'a> {
    match &p.default {
        None | Some(Default::None) => Arg::None,
        Some(Default::Bool(b)) => Arg::Bool(*b),
        Some(Default::Int(i)) => match p.ty {
            ParamType::Float => Arg::Float(*i as f64),
            ParamType::Scalar | ParamType::Value => Arg::Scalar(crate::Scalar::Int(*i)),
            _ => Arg::Int(*i),
        },
        Some(Default::Float(f)) => match p.ty {
            ParamType::Scalar | ParamType::Value => Arg::Scalar(crate::Scalar::Float(*f)),
            _ => Arg::Float(*f),
        },
        Some(Default::Str(s)) => Arg::Str(Box::new(s.clone())),
        Some(Default::Ints(v)) => out.int_list(v),
    }
}

/// Binds against one signature; `this` (the tensor a method is called on) fills the first
/// parameter. Positional arguments are pushed in order; only a call with keywords needs the
/// per-parameter slots of the rest.
fn bind_one<'a>(
    name: &str,
    sig: &Signature,
    this: Option<&'a Tensor>,
    args: &'a [Bound<'_, PyAny>],
    kwargs: &'a [Kwarg<'_>],
    out: &mut Args<'a>,
) -> PyResult<Result<(), Mismatch>> {
    let skip = usize::from(this.is_some());
    let params = &sig.params;
    out.clear();
    if let Some(t) = this {
        out.values.push(Arg::Tensor(t));
    }
    let positional = params.iter().filter(|p| !p.kw_only).count();
    // Sizes as varargs: `zeros(2, 3)` for a first parameter `int[]... size`.
    let varargs = params
        .get(skip)
        .is_some_and(|p| p.varargs && p.ty == ParamType::IntList && !p.kw_only)
        && !args.is_empty()
        && (args.len() > 1 || is_int_like(&args[0]));
    if varargs {
        let mut ints = Ints::with_capacity(args.len());
        let at = Site {
            op: name,
            param: &params[skip].name,
            index: skip,
        };
        for (i, a) in args.iter().enumerate() {
            if !is_int_like(a) {
                return Ok(Err(Mismatch::Type(skip, Some(i + 1), describe(a))));
            }
            ints.push(list_int(a, &at, i + 1)?);
        }
        let ints = out.int_list(&ints);
        out.values.push(ints);
    } else {
        let tensor_varargs = params[..positional]
            .last()
            .is_some_and(|p| p.ty == ParamType::TensorList && p.varargs);
        if args.len() > positional - skip && !tensor_varargs {
            return Ok(Err(Mismatch::TooMany(positional - skip, args.len())));
        }
        for (i, a) in args.iter().enumerate() {
            let next = out.values.len();
            if next >= positional {
                return Ok(Err(Mismatch::TooMany(positional - skip, args.len())));
            }
            // Tensors as varargs for a `Tensor[]` parameter: `einsum('ij,jk', a, b)`.
            if params[next].ty == ParamType::TensorList
                && params[next].varargs
                && a.is_instance_of::<PyTensor>()
            {
                let mut ts = vec![];
                for (j, t) in args[i..].iter().enumerate() {
                    match t.cast::<PyTensor>() {
                        Ok(t) => ts.push(t.get().t(t.py())),
                        Err(_) => {
                            return Ok(Err(Mismatch::Type(next, Some(i + j + 1), describe(t))))
                        }
                    }
                }
                let ts = out.tensor_list(ts);
                out.values.push(ts);
                break;
            }
            match convert(a, &params[next], name, next, out)? {
                Some(v) => out.values.push(v),
                None => return Ok(Err(Mismatch::Type(next, Some(i + 1), describe(a)))),
            }
        }
    }
    if kwargs.is_empty() {
        // The parameters after the positional ones take their defaults.
        for (i, p) in params.iter().enumerate().skip(out.values.len()) {
            if p.default.is_some() || p.optional {
                let v = default_arg(p, out);
                out.values.push(v);
            } else if is_tensor_varargs(p) {
                let none = out.tensor_list(vec![]);
                out.values.push(none);
            } else {
                return Ok(Err(Mismatch::Missing(i)));
            }
        }
        return Ok(Ok(()));
    }
    bind_keywords(name, params, skip, kwargs, out)
}

/// A `Tensor[]...` parameter: given no tensors at all, it takes an empty list, as a Python
/// `*tensors` does (`block_diag()`); the op decides whether that is an error.
fn is_tensor_varargs(p: &Param) -> bool {
    p.varargs && p.ty == ParamType::TensorList && !p.kw_only
}

/// The parameters after the positional ones (already in `out`), from keywords, else their
/// defaults.
#[inline(never)]
fn bind_keywords<'a>(
    name: &str,
    params: &[Param],
    skip: usize,
    kwargs: &'a [Kwarg<'_>],
    out: &mut Args<'a>,
) -> PyResult<Result<(), Mismatch>> {
    let given = out.values.len();
    let mut rest: SmallVec<[Option<Arg>; 8]> = SmallVec::new();
    rest.resize(params.len() - given, None);
    for (kw, v) in kwargs {
        let kw = kw.to_str()?;
        let idx = params
            .iter()
            .position(|p| p.name == kw)
            .or_else(|| params.iter().position(|p| numpy_alias(&p.name, kw)));
        let Some(idx) = idx.filter(|&i| i >= skip) else {
            return Ok(Err(Mismatch::UnknownKeyword(kw.to_string())));
        };
        if idx < given || rest[idx - given].is_some() {
            // An alias of a parameter given already (`sum(0, axis=0)`) is unknown, as in torch.
            if params[idx].name != kw {
                return Ok(Err(Mismatch::UnknownKeyword(kw.to_string())));
            }
            return Ok(Err(Mismatch::Twice(idx)));
        }
        match convert(v, &params[idx], name, idx, out)? {
            Some(a) => rest[idx - given] = Some(a),
            None => return Ok(Err(Mismatch::Type(idx, None, describe(v)))),
        }
    }
    for (i, p) in params.iter().enumerate().skip(given) {
        match rest[i - given].take() {
            Some(a) => out.values.push(a),
            None if p.default.is_some() || p.optional => {
                let v = default_arg(p, out);
                out.values.push(v);
            }
            None if is_tensor_varargs(p) => {
                let none = out.tensor_list(vec![]);
                out.values.push(none);
            }
            None => return Ok(Err(Mismatch::Missing(i))),
        }
    }
    Ok(Ok(()))
}

/// The message of a single signature's mismatch, as torch words it.
fn message(name: &str, sig: &Signature, skip: usize, m: Mismatch) -> String {
    match m {
        Mismatch::Type(i, pos, got) => {
            let p = &sig.params[i];
            let pos = match pos {
                Some(n) => format!(" (position {})", n),
                None => String::new(),
            };
            format!(
                "{}(): argument '{}'{} must be {}, not {}",
                name,
                p.name,
                pos,
                p.ty.torch_name(),
                got
            )
        }
        Mismatch::TooMany(takes, given) => format!(
            "{}() takes {} positional argument{} but {} {} given",
            name,
            takes,
            if takes == 1 { "" } else { "s" },
            given,
            if given == 1 { "was" } else { "were" }
        ),
        Mismatch::Missing(i) => format!(
            "{}() missing 1 required positional arguments: \"{}\"",
            name, sig.params[i].name
        ),
        Mismatch::UnknownKeyword(k) => {
            format!("{}() got an unexpected keyword argument '{}'", name, k)
        }
        Mismatch::Twice(i) => format!(
            "argument for {}() given by name ('{}') and position ({})",
            name,
            sig.params[i].name,
            i + 1 - skip
        ),
    }
}

/// A keyword argument: its name and its value.
pub type Kwarg<'py> = (Bound<'py, PyString>, Bound<'py, PyAny>);

/// Binds a call against the signatures into `out` (its overload and values); `this` is the
/// tensor a method was called on.
pub fn bind<'a>(
    name: &str,
    sigs: &[Signature],
    this: Option<&'a Tensor>,
    args: &'a [Bound<'_, PyAny>],
    kwargs: &'a [Kwarg<'_>],
    out: &mut Args<'a>,
) -> PyResult<()> {
    out.method = this.is_some();
    for (overload, sig) in sigs.iter().enumerate() {
        if bind_one(name, sig, this, args, kwargs, out)?.is_ok() {
            out.overload = overload;
            return Ok(());
        }
    }
    out.clear();
    Err(no_match(name, sigs, this, args, kwargs))
}

/// torch's TypeError when no signature matches: the one plausible signature's own error (by the
/// number of arguments, between its required parameters and all of them), or every signature. A
/// parameter without a default is required even when it takes `None` (`str? rounding_mode`), as
/// in torch's parser.
fn no_match(
    name: &str,
    sigs: &[Signature],
    this: Option<&Tensor>,
    args: &[Bound<'_, PyAny>],
    kwargs: &[Kwarg<'_>],
) -> PyErr {
    let skip = usize::from(this.is_some());
    let given = args.len() + kwargs.len();
    let plausible: Vec<usize> = sigs
        .iter()
        .enumerate()
        .filter(|(_, sig)| {
            let params = &sig.params[skip.min(sig.params.len())..];
            let required = params.iter().filter(|p| p.default.is_none()).count();
            required <= given && given <= params.len().max(1)
        })
        .map(|(i, _)| i)
        .collect();
    let single = match (sigs.len(), plausible.as_slice()) {
        (1, _) => Some(0),
        (_, [i]) => Some(*i),
        _ => None,
    };
    if let Some(i) = single {
        match bind_one(name, &sigs[i], this, args, kwargs, &mut Args::default()) {
            Ok(Err(m)) => return PyTypeError::new_err(message(name, &sigs[i], skip, m)),
            Err(e) => return e,
            Ok(Ok(())) => {}
        }
    }
    let mut got: Vec<String> = args.iter().map(describe).collect();
    got.extend(kwargs.iter().map(|(k, v)| format!("{}={}", k, describe(v))));
    let mut msg = format!(
        "{}() received an invalid combination of arguments - got ({}), but expected one of:\n",
        name,
        got.join(", ")
    );
    for sig in sigs {
        msg.push_str(&format!(" * {}\n", sig.torch_repr(skip == 1)));
    }
    PyTypeError::new_err(msg)
}
