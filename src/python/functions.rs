//! Module-level functions: creation, random numbers, joining, settings.

use crate::dtype::{default_float, set_default_float, DType};
use crate::ops::creation::checked_sizes;
use crate::python::convert::{
    extract_dtype, extract_scalar, is_ndarray, parse_size_sequence, parse_sizes, require_value,
    type_name,
};
use crate::python::dtype::{dtype_object, PyDType};
use crate::python::interop::borrow_array;
use crate::python::nested::tensor_from_nested;
use crate::python::tensor::{maybe_detached, PyTensor};
use crate::scalar::Scalar;
use crate::tensor::Tensor;
use crate::value::Value;
use pyo3::exceptions::{PyRuntimeError, PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyList, PyTuple};

/// Applies the common keyword arguments of creation functions.
fn finish(t: Tensor, requires_grad: bool) -> PyResult<Py<PyTensor>> {
    if requires_grad {
        t.set_requires_grad(true)?;
    }
    Python::attach(|py| {
        let obj = Bound::new(py, PyTensor::from(t))?;
        if requires_grad {
            crate::python::autograd::register_owner(&obj)?;
        }
        Ok(obj.unbind())
    })
}

/// Accepts the `device` keyword of creation functions: None, or anything whose `str()` is "cpu"
/// (such as a tensor's `.device`); other devices are a `ValueError`.
pub(crate) fn check_device(device: Option<&Bound<'_, PyAny>>) -> PyResult<()> {
    if let Some(d) = device {
        let s = d.str()?.to_string();
        if !d.is_none() && s != "cpu" {
            return Err(PyValueError::new_err(format!(
                "rtensor only supports the 'cpu' device, got '{}'",
                s
            )));
        }
    }
    Ok(())
}

fn opt_dtype(dtype: Option<&Bound<'_, PyAny>>) -> PyResult<Option<DType>> {
    match dtype {
        Some(d) if !d.is_none() => Ok(Some(extract_dtype(d)?)),
        _ => Ok(None),
    }
}

fn data_to_tensor(data: &Bound<'_, PyAny>, dtype: Option<DType>, share: bool) -> PyResult<Tensor> {
    let py = data.py();
    let source = if let Ok(t) = data.cast::<PyTensor>() {
        Some(t.get().t.clone())
    } else if is_ndarray(data)? {
        Some(borrow_array(data)?)
    } else {
        None
    };
    match source {
        Some(t) => {
            let dtype = dtype.unwrap_or(t.dtype());
            if share && dtype == t.dtype() {
                return Ok(t);
            }
            maybe_detached(py, t.numel(), || {
                if dtype == t.dtype() {
                    t.clone_contiguous()
                } else {
                    t.to_dtype(dtype)?.contiguous()
                }
            })
            .map_err(Into::into)
        }
        None => tensor_from_nested(data, dtype),
    }
}

/// `rt.tensor(data)`: always a copy.
#[pyfunction]
#[pyo3(signature = (data, *, dtype=None, device=None, requires_grad=false, pin_memory=false))]
pub fn tensor(
    data: &Bound<'_, PyAny>,
    dtype: Option<&Bound<'_, PyAny>>,
    device: Option<&Bound<'_, PyAny>>,
    requires_grad: bool,
    pin_memory: bool,
) -> PyResult<Py<PyTensor>> {
    let _ = pin_memory;
    check_device(device)?;
    finish(
        data_to_tensor(data, opt_dtype(dtype)?, false)?,
        requires_grad,
    )
}

/// `rt.as_tensor(data)`: the tensor itself when it already has the dtype; shares memory with
/// numpy arrays when the dtype allows.
#[pyfunction]
#[pyo3(signature = (data, dtype=None, device=None))]
pub fn as_tensor<'py>(
    data: &Bound<'py, PyAny>,
    dtype: Option<&Bound<'py, PyAny>>,
    device: Option<&Bound<'py, PyAny>>,
) -> PyResult<Bound<'py, PyAny>> {
    check_device(device)?;
    let dtype = opt_dtype(dtype)?;
    if let Ok(t) = data.cast::<PyTensor>() {
        if dtype.is_none_or(|d| d == t.get().t.dtype()) {
            return Ok(data.clone());
        }
    }
    let t = data_to_tensor(data, dtype, true)?;
    Ok(Bound::new(data.py(), PyTensor::from(t))?.into_any())
}

/// Sizes of a creation function given as varargs or one sequence; at least one argument is required.
fn sizes_of(size: &Bound<'_, PyTuple>, op: &str) -> PyResult<Vec<usize>> {
    if size.is_empty() {
        return Err(PyTypeError::new_err(format!(
            "{}() missing 1 required positional arguments: \"size\"",
            op
        )));
    }
    Ok(checked_sizes(&parse_sizes(
        size,
        &format!("{}(): argument 'size'", op),
    )?)?)
}

/// Zero-filled tensor.
#[pyfunction]
#[pyo3(signature = (*size, dtype=None, device=None, requires_grad=false))]
pub fn zeros(
    size: &Bound<'_, PyTuple>,
    dtype: Option<&Bound<'_, PyAny>>,
    device: Option<&Bound<'_, PyAny>>,
    requires_grad: bool,
) -> PyResult<Py<PyTensor>> {
    check_device(device)?;
    let shape = sizes_of(size, "zeros")?;
    finish(
        Tensor::zeros(&shape, opt_dtype(dtype)?.unwrap_or_else(default_float))?,
        requires_grad,
    )
}

/// One-filled tensor.
#[pyfunction]
#[pyo3(signature = (*size, dtype=None, device=None, requires_grad=false))]
pub fn ones(
    size: &Bound<'_, PyTuple>,
    dtype: Option<&Bound<'_, PyAny>>,
    device: Option<&Bound<'_, PyAny>>,
    requires_grad: bool,
) -> PyResult<Py<PyTensor>> {
    check_device(device)?;
    let shape = sizes_of(size, "ones")?;
    let dtype = opt_dtype(dtype)?.unwrap_or_else(default_float);
    finish(
        maybe_detached(size.py(), shape.iter().product(), || {
            Tensor::full(&shape, Scalar::Int(1), dtype)
        })?,
        requires_grad,
    )
}

/// Tensor with unspecified contents (zeroed here: fresh pages are free to zero).
#[pyfunction]
#[pyo3(signature = (*size, dtype=None, device=None, requires_grad=false))]
pub fn empty(
    size: &Bound<'_, PyTuple>,
    dtype: Option<&Bound<'_, PyAny>>,
    device: Option<&Bound<'_, PyAny>>,
    requires_grad: bool,
) -> PyResult<Py<PyTensor>> {
    check_device(device)?;
    let shape = sizes_of(size, "empty")?;
    finish(
        Tensor::zeros(&shape, opt_dtype(dtype)?.unwrap_or_else(default_float))?,
        requires_grad,
    )
}

fn fill_dtype(value: Scalar) -> DType {
    value.dtype(default_float())
}

/// Tensor filled with `fill_value`; the dtype follows the value's kind unless given.
#[pyfunction]
#[pyo3(signature = (size, fill_value, *, dtype=None, device=None, requires_grad=false))]
pub fn full(
    size: &Bound<'_, PyAny>,
    fill_value: &Bound<'_, PyAny>,
    dtype: Option<&Bound<'_, PyAny>>,
    device: Option<&Bound<'_, PyAny>>,
    requires_grad: bool,
) -> PyResult<Py<PyTensor>> {
    check_device(device)?;
    let shape = checked_sizes(&parse_size_sequence(
        size,
        "full(): argument 'size' (position 1)",
    )?)?;
    let value = fill_scalar(fill_value)?;
    let dtype = opt_dtype(dtype)?.unwrap_or_else(|| fill_dtype(value));
    finish(
        maybe_detached(size.py(), shape.iter().product(), || {
            Tensor::full(&shape, value, dtype)
        })?,
        requires_grad,
    )
}

fn fill_scalar(v: &Bound<'_, PyAny>) -> PyResult<Scalar> {
    if let Some(s) = extract_scalar(v)? {
        return Ok(s);
    }
    if let Ok(t) = v.cast::<PyTensor>() {
        if t.get().t.numel() == 1 {
            return crate::python::tensor::item_scalar(&t.get().t);
        }
    }
    Err(PyTypeError::new_err(format!(
        "full(): argument 'fill_value' must be Number, not {}",
        type_name(v)
    )))
}

fn like_dtype(input: &PyTensor, dtype: Option<&Bound<'_, PyAny>>) -> PyResult<DType> {
    Ok(opt_dtype(dtype)?.unwrap_or(input.t.dtype()))
}

/// Zeros shaped like `input`.
#[pyfunction]
#[pyo3(signature = (input, *, dtype=None, device=None, requires_grad=false))]
pub fn zeros_like(
    input: &PyTensor,
    dtype: Option<&Bound<'_, PyAny>>,
    device: Option<&Bound<'_, PyAny>>,
    requires_grad: bool,
) -> PyResult<Py<PyTensor>> {
    check_device(device)?;
    finish(
        Tensor::full_like(&input.t, Scalar::Int(0), like_dtype(input, dtype)?)?,
        requires_grad,
    )
}

/// Ones shaped like `input`.
#[pyfunction]
#[pyo3(signature = (input, *, dtype=None, device=None, requires_grad=false))]
pub fn ones_like(
    input: &PyTensor,
    dtype: Option<&Bound<'_, PyAny>>,
    device: Option<&Bound<'_, PyAny>>,
    requires_grad: bool,
) -> PyResult<Py<PyTensor>> {
    check_device(device)?;
    finish(
        Tensor::full_like(&input.t, Scalar::Int(1), like_dtype(input, dtype)?)?,
        requires_grad,
    )
}

/// Uninitialised (here: zeroed) tensor shaped like `input`.
#[pyfunction]
#[pyo3(signature = (input, *, dtype=None, device=None, requires_grad=false))]
pub fn empty_like(
    input: &PyTensor,
    dtype: Option<&Bound<'_, PyAny>>,
    device: Option<&Bound<'_, PyAny>>,
    requires_grad: bool,
) -> PyResult<Py<PyTensor>> {
    zeros_like(input, dtype, device, requires_grad)
}

/// `fill_value` everywhere, shaped like `input`.
#[pyfunction]
#[pyo3(signature = (input, fill_value, *, dtype=None, device=None, requires_grad=false))]
pub fn full_like(
    input: &PyTensor,
    fill_value: &Bound<'_, PyAny>,
    dtype: Option<&Bound<'_, PyAny>>,
    device: Option<&Bound<'_, PyAny>>,
    requires_grad: bool,
) -> PyResult<Py<PyTensor>> {
    check_device(device)?;
    finish(
        Tensor::full_like(
            &input.t,
            fill_scalar(fill_value)?,
            like_dtype(input, dtype)?,
        )?,
        requires_grad,
    )
}

/// Uniform [0, 1) samples shaped like `input`.
#[pyfunction]
#[pyo3(signature = (input, *, dtype=None, device=None, requires_grad=false))]
pub fn rand_like(
    input: &PyTensor,
    dtype: Option<&Bound<'_, PyAny>>,
    device: Option<&Bound<'_, PyAny>>,
    requires_grad: bool,
) -> PyResult<Py<PyTensor>> {
    check_device(device)?;
    finish(
        crate::random::rand(input.t.shape(), like_dtype(input, dtype)?)?.in_dim_order_of(&input.t),
        requires_grad,
    )
}

/// Standard normal samples shaped like `input`.
#[pyfunction]
#[pyo3(signature = (input, *, dtype=None, device=None, requires_grad=false))]
pub fn randn_like(
    input: &PyTensor,
    dtype: Option<&Bound<'_, PyAny>>,
    device: Option<&Bound<'_, PyAny>>,
    requires_grad: bool,
) -> PyResult<Py<PyTensor>> {
    check_device(device)?;
    finish(
        crate::random::randn(input.t.shape(), like_dtype(input, dtype)?)?.in_dim_order_of(&input.t),
        requires_grad,
    )
}

/// Identity matrix (`n` x `m`).
#[pyfunction]
#[pyo3(signature = (n, m=None, *, dtype=None, device=None, requires_grad=false))]
pub fn eye(
    n: i64,
    m: Option<i64>,
    dtype: Option<&Bound<'_, PyAny>>,
    device: Option<&Bound<'_, PyAny>>,
    requires_grad: bool,
) -> PyResult<Py<PyTensor>> {
    check_device(device)?;
    finish(
        Tensor::eye(
            n,
            m.unwrap_or(n),
            opt_dtype(dtype)?.unwrap_or_else(default_float),
        )?,
        requires_grad,
    )
}

/// A number argument of `op` (`start`, `end`, `step`): a Python number or a one-element tensor.
fn number(obj: &Bound<'_, PyAny>, op: &str, what: &str) -> PyResult<Scalar> {
    if let Some(s) = extract_scalar(obj)? {
        return Ok(s);
    }
    if let Ok(t) = obj.cast::<PyTensor>() {
        if t.get().t.numel() == 1 {
            return crate::python::tensor::item_scalar(&t.get().t);
        }
    }
    Err(PyTypeError::new_err(format!(
        "{}(): argument '{}' must be Number, not {}",
        op,
        what,
        type_name(obj)
    )))
}

/// `arange(end)` / `arange(start, end, step)`: int64 unless an argument is a float.
#[pyfunction]
#[pyo3(signature = (start, end=None, step=None, *, dtype=None, device=None, requires_grad=false))]
pub fn arange(
    start: &Bound<'_, PyAny>,
    end: Option<&Bound<'_, PyAny>>,
    step: Option<&Bound<'_, PyAny>>,
    dtype: Option<&Bound<'_, PyAny>>,
    device: Option<&Bound<'_, PyAny>>,
    requires_grad: bool,
) -> PyResult<Py<PyTensor>> {
    check_device(device)?;
    let (s, e) = match end {
        Some(e) if !e.is_none() => (
            number(start, "arange", "start")?,
            number(e, "arange", "end")?,
        ),
        _ => (Scalar::Int(0), number(start, "arange", "end")?),
    };
    let st = match step {
        Some(st) if !st.is_none() => number(st, "arange", "step")?,
        _ => Scalar::Int(1),
    };
    let any_float = [s, e, st].iter().any(|v| v.is_float());
    let dtype = opt_dtype(dtype)?.unwrap_or(if any_float {
        default_float()
    } else {
        DType::Int64
    });
    finish(Tensor::arange(s, e, st, dtype)?, requires_grad)
}

/// `steps` evenly spaced values from `start` to `end` inclusive; `start` and `end` may be numbers
/// or 0-dim tensors.
#[pyfunction]
#[pyo3(signature = (start, end, steps, *, dtype=None, device=None, requires_grad=false))]
pub fn linspace(
    start: &Bound<'_, PyAny>,
    end: &Bound<'_, PyAny>,
    steps: i64,
    dtype: Option<&Bound<'_, PyAny>>,
    device: Option<&Bound<'_, PyAny>>,
    requires_grad: bool,
) -> PyResult<Py<PyTensor>> {
    check_device(device)?;
    let dims = |o: &Bound<'_, PyAny>| o.cast::<PyTensor>().ok().map(|t| t.get().t.ndim());
    let message = match (dims(start), dims(end)) {
        (Some(a), Some(b)) if a != 0 || b != 0 => Some(format!(
            "but got start with {} dimension(s) and end with {} dimension(s).",
            a, b
        )),
        (Some(a), None) if a != 0 => Some(format!("but got start with {} dimension(s).", a)),
        (None, Some(b)) if b != 0 => Some(format!("but got end with {} dimension(s).", b)),
        _ => None,
    };
    if let Some(m) = message {
        return Err(PyRuntimeError::new_err(format!(
            "linspace only supports 0-dimensional start and end tensors, {}",
            m
        )));
    }
    finish(
        Tensor::linspace(
            number(start, "linspace", "start")?,
            number(end, "linspace", "end")?,
            steps,
            opt_dtype(dtype)?.unwrap_or_else(default_float),
        )?,
        requires_grad,
    )
}

/// Uniform samples in [0, 1).
#[pyfunction]
#[pyo3(signature = (*size, dtype=None, device=None, requires_grad=false, generator=None))]
pub fn rand(
    size: &Bound<'_, PyTuple>,
    dtype: Option<&Bound<'_, PyAny>>,
    device: Option<&Bound<'_, PyAny>>,
    requires_grad: bool,
    generator: Option<&Bound<'_, PyAny>>,
) -> PyResult<Py<PyTensor>> {
    let _ = generator;
    check_device(device)?;
    let shape = sizes_of(size, "rand")?;
    let dtype = opt_dtype(dtype)?.unwrap_or_else(default_float);
    finish(
        maybe_detached(size.py(), shape.iter().product(), || {
            crate::random::rand(&shape, dtype)
        })?,
        requires_grad,
    )
}

/// Standard normal samples.
#[pyfunction]
#[pyo3(signature = (*size, dtype=None, device=None, requires_grad=false, generator=None))]
pub fn randn(
    size: &Bound<'_, PyTuple>,
    dtype: Option<&Bound<'_, PyAny>>,
    device: Option<&Bound<'_, PyAny>>,
    requires_grad: bool,
    generator: Option<&Bound<'_, PyAny>>,
) -> PyResult<Py<PyTensor>> {
    let _ = generator;
    check_device(device)?;
    let shape = sizes_of(size, "randn")?;
    let dtype = opt_dtype(dtype)?.unwrap_or_else(default_float);
    finish(
        maybe_detached(size.py(), shape.iter().product(), || {
            crate::random::randn(&shape, dtype)
        })?,
        requires_grad,
    )
}

/// Integers uniform in [low, high): `randint(high, size)` or `randint(low, high, size)`.
#[pyfunction]
#[pyo3(signature = (*args, size=None, dtype=None, device=None, requires_grad=false, generator=None))]
pub fn randint(
    args: &Bound<'_, PyTuple>,
    size: Option<&Bound<'_, PyAny>>,
    dtype: Option<&Bound<'_, PyAny>>,
    device: Option<&Bound<'_, PyAny>>,
    requires_grad: bool,
    generator: Option<&Bound<'_, PyAny>>,
) -> PyResult<Py<PyTensor>> {
    let _ = generator;
    check_device(device)?;
    let mut items: Vec<Bound<'_, PyAny>> = args.iter().collect();
    if let Some(s) = size {
        items.push(s.clone());
    }
    let (low, high, size) = match items.as_slice() {
        [h, s] => (0, h.extract::<i64>()?, s.clone()),
        [l, h, s] => (l.extract::<i64>()?, h.extract::<i64>()?, s.clone()),
        _ => return Err(PyTypeError::new_err("randint() received an invalid combination of arguments: expected (high, size) or (low, high, size)")),
    };
    let shape = checked_sizes(&parse_size_sequence(&size, "randint(): argument 'size'")?)?;
    let dtype = opt_dtype(dtype)?.unwrap_or(DType::Int64);
    finish(
        crate::random::randint(low, high, &shape, dtype)?,
        requires_grad,
    )
}

/// Seeds the random generator.
#[pyfunction]
pub fn manual_seed(seed: i64) {
    crate::random::manual_seed(seed as u64);
}

/// The seed last set.
#[pyfunction]
pub fn initial_seed() -> u64 {
    crate::random::initial_seed()
}

/// The default floating dtype.
#[pyfunction]
pub fn get_default_dtype(py: Python<'_>) -> Py<PyDType> {
    dtype_object(py, default_float())
}

/// Sets the default floating dtype (float32 or float64).
#[pyfunction]
pub fn set_default_dtype(d: &Bound<'_, PyAny>) -> PyResult<()> {
    Ok(set_default_float(extract_dtype(d)?)?)
}

/// Sets the number of threads kernels use.
#[pyfunction]
pub fn set_num_threads(n: i64) -> PyResult<()> {
    if n < 1 {
        return Err(PyValueError::new_err(
            "set_num_threads expects a positive integer",
        ));
    }
    if n > i32::MAX as i64 {
        // torch reads the count as a C int.
        return Err(PyValueError::new_err("Overflow when unpacking long"));
    }
    crate::threads::set_num_threads(n as usize);
    Ok(())
}

/// The number of threads kernels use.
#[pyfunction]
pub fn get_num_threads() -> usize {
    crate::threads::num_threads()
}

fn tensor_list(tensors: &Bound<'_, PyAny>, op: &str) -> PyResult<Vec<Tensor>> {
    if !(tensors.is_instance_of::<PyList>() || tensors.is_instance_of::<PyTuple>()) {
        return Err(PyTypeError::new_err(format!(
            "{}(): argument 'tensors' (position 1) must be tuple of Tensors, not {}",
            op,
            type_name(tensors)
        )));
    }
    tensors
        .try_iter()?
        .enumerate()
        .map(|(i, t)| {
            let t = t?;
            t.cast::<PyTensor>()
                .map(|t| t.get().t.clone())
                .map_err(|_| {
                    PyTypeError::new_err(format!(
                        "expected Tensor as element {} in argument 0, but got {}",
                        i,
                        type_name(&t)
                    ))
                })
        })
        .collect()
}

/// Concatenates tensors along an existing dim.
#[pyfunction]
#[pyo3(signature = (tensors, dim=0, *, axis=None))]
pub fn cat(
    py: Python<'_>,
    tensors: &Bound<'_, PyAny>,
    dim: i64,
    axis: Option<i64>,
) -> PyResult<PyTensor> {
    let ts = tensor_list(tensors, "cat")?;
    let n = ts.iter().map(Tensor::numel).sum();
    Ok(maybe_detached(py, n, || crate::ops::join::cat(&ts, axis.unwrap_or(dim)))?.into())
}

/// Stacks tensors along a new dim.
#[pyfunction]
#[pyo3(signature = (tensors, dim=0))]
pub fn stack(py: Python<'_>, tensors: &Bound<'_, PyAny>, dim: i64) -> PyResult<PyTensor> {
    let ts = tensor_list(tensors, "stack")?;
    let n = ts.iter().map(Tensor::numel).sum();
    Ok(maybe_detached(py, n, || crate::ops::join::stack(&ts, dim))?.into())
}

/// `where(condition, input, other)`; with only a condition, the indices of nonzero elements.
#[pyfunction]
#[pyo3(name = "where", signature = (condition, input=None, other=None))]
pub fn where_(
    py: Python<'_>,
    condition: &PyTensor,
    input: Option<&Bound<'_, PyAny>>,
    other: Option<&Bound<'_, PyAny>>,
) -> PyResult<Py<PyAny>> {
    match (input, other) {
        (Some(a), Some(b)) => {
            let (a, b): (Value, Value) = (
                require_value(a, "where", "input")?,
                require_value(b, "where", "other")?,
            );
            let c = &condition.t;
            let out = maybe_detached(py, c.numel(), || crate::ops::join::where_(c, &a, &b))?;
            Ok(Bound::new(py, PyTensor::from(out))?.into_any().unbind())
        }
        (None, None) => {
            Ok(crate::python::tensor::tuple_of(py, condition.t.nonzero_columns()?)?.into_any())
        }
        _ => Err(PyTypeError::new_err("where() takes 1 or 3 arguments")),
    }
}
