//! Nested Python data and tensors: `rt.tensor([[1, 2], [3, 4]])` (shape discovery, torch's dtype
//! inference and its errors) and `tolist()`.

use crate::dispatch;
use crate::dtype::{default_float, DType, Element};
use crate::python::convert::{extract_i64_arg, is_ndarray, numpy_scalar, type_name};
use crate::python::interop::borrow_array;
use crate::python::tensor::{item_scalar, PyTensor};
use crate::scalar::Scalar;
use crate::storage::{check_allocatable, out_of_memory, try_collect, try_vec};
use crate::tensor::Tensor;
use pyo3::exceptions::{PyRuntimeError, PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyBytes, PyFloat, PyInt, PyList, PySequence, PyString, PyTuple};
use pyo3::IntoPyObjectExt;

/// One element of nested data, with the dtype torch infers for it alone.
fn leaf(obj: &Bound<'_, PyAny>) -> PyResult<(Scalar, DType)> {
    if obj.is_instance_of::<PyBool>() {
        return Ok((Scalar::Bool(obj.extract::<bool>()?), DType::Bool));
    }
    if obj.is_instance_of::<PyInt>() {
        return Ok((Scalar::Int(extract_i64_arg(obj)?), DType::Int64));
    }
    if obj.is_exact_instance_of::<PyFloat>() {
        return Ok((Scalar::Float(obj.extract::<f64>()?), default_float()));
    }
    if let Some((s, dtype)) = numpy_scalar(obj)? {
        return Ok((s, dtype.unwrap_or_else(|| s.dtype(default_float()))));
    }
    if obj.is_instance_of::<PyFloat>() {
        return Ok((Scalar::Float(obj.extract::<f64>()?), default_float()));
    }
    if let Ok(t) = obj.cast::<PyTensor>() {
        let t = &t.get().t(t.py());
        return Ok((item_scalar(t)?, t.dtype()));
    }
    if obj.is_instance_of::<PyString>() || obj.is_instance_of::<PyBytes>() {
        return Err(PyTypeError::new_err(format!(
            "new(): invalid data type '{}'",
            type_name(obj)
        )));
    }
    Err(PyRuntimeError::new_err(format!(
        "Could not infer dtype of {}",
        type_name(obj)
    )))
}

/// How torch reads one object of nested data.
enum Part<'py> {
    /// A list, tuple or other sequence (such as `range`): walked element by element.
    Sequence(Bound<'py, PyAny>),
    /// A tensor or numpy array with dims: a block of elements of a known dtype.
    Block(Tensor),
    /// Anything else is one element (strings included).
    Element,
}

fn classify<'py>(obj: &Bound<'py, PyAny>) -> PyResult<Part<'py>> {
    if obj.is_instance_of::<PyList>() || obj.is_instance_of::<PyTuple>() {
        return Ok(Part::Sequence(obj.clone()));
    }
    if obj.is_instance_of::<PyFloat>()
        || obj.is_instance_of::<PyInt>()
        || obj.is_instance_of::<PyString>()
        || obj.is_instance_of::<PyBytes>()
    {
        return Ok(Part::Element);
    }
    let tensor = if let Ok(t) = obj.cast::<PyTensor>() {
        Some(t.get().t(t.py()))
    } else if is_ndarray(obj)? {
        Some(borrow_array(obj)?)
    } else {
        None
    };
    Ok(match tensor {
        Some(t) if t.ndim() > 0 => Part::Block(t),
        Some(_) => Part::Element,
        None => match obj.cast::<PySequence>() {
            Ok(s) => Part::Sequence(s.clone().into_any()),
            Err(_) => Part::Element,
        },
    })
}

/// Appends the elements of a tensor in row-major order, each as a scalar of its kind.
fn push_scalars_of(t: &Tensor, out: &mut Vec<Scalar>) -> PyResult<()> {
    let c = t.contiguous()?;
    check_allocatable(c.numel(), std::mem::size_of::<Scalar>())?;
    out.try_reserve(c.numel())
        .map_err(|_| out_of_memory((c.numel() * std::mem::size_of::<Scalar>()) as u128))?;
    dispatch!(c.dtype(), T => {
        // SAFETY: `dispatch!` made `T` `c`'s dtype and `c` is contiguous, so its `numel` elements
        // are consecutive `T`s from its data pointer; `c` lives, unwritten, while `data` does.
        let data = unsafe { std::slice::from_raw_parts(c.data_ptr_typed::<T>() as *const T, c.numel()) };
        out.extend(data.iter().map(|&v| match c.dtype() {
            DType::Bool => Scalar::Bool(v.to_bool()),
            d if d.is_floating() => Scalar::Float(v.to_f64()),
            _ => Scalar::Int(v.to_i64()),
        }))
    });
    Ok(())
}

fn promote_opt(a: Option<DType>, b: DType) -> DType {
    a.map_or(b, |a| a.promote(b))
}

/// The deepest nesting torch reads (`torch.tensor` of 129 nested lists is "too many dimensions").
const MAX_DIMS: usize = 128;

/// What a walk over nested data has found so far.
#[derive(Default)]
struct Nested {
    /// The sequences being walked, outermost first: a list that contains itself is caught here
    /// instead of recursing until the stack overflows.
    ancestors: Vec<usize>,
    shape: Vec<usize>,
    /// The depth at which elements (not sequences) sit, once known.
    leaf_depth: Option<usize>,
    values: Vec<Scalar>,
    /// The promoted dtype of every element seen (torch's `infer_scalar_type`).
    dtype: Option<DType>,
}

impl Nested {
    /// Walks `obj` at `depth`, checking that the data is rectangular.
    fn collect(&mut self, obj: &Bound<'_, PyAny>, depth: usize) -> PyResult<()> {
        let seq = match classify(obj)? {
            Part::Element => return self.element(obj, depth),
            Part::Block(t) => return self.block(obj, &t, depth),
            Part::Sequence(seq) => seq,
        };
        if self.ancestors.contains(&(obj.as_ptr() as usize)) {
            return Err(PyTypeError::new_err(
                "new(): self-referential lists are incompatible",
            ));
        }
        if depth >= MAX_DIMS {
            return Err(PyValueError::new_err(format!(
                "too many dimensions '{}'",
                type_name(obj)
            )));
        }
        self.dims(obj, &[seq.len()?], depth)?;
        self.ancestors.push(obj.as_ptr() as usize);
        for item in seq.try_iter()? {
            self.collect(&item?, depth + 1)?;
        }
        self.ancestors.pop();
        Ok(())
    }

    /// Checks (or records) the sizes of a sequence's dims starting at `depth`.
    fn dims(&mut self, obj: &Bound<'_, PyAny>, sizes: &[usize], depth: usize) -> PyResult<()> {
        if self.leaf_depth.is_some_and(|ld| ld <= depth) {
            return Err(PyTypeError::new_err(format!(
                "'{}' object cannot be interpreted as an integer",
                type_name(obj)
            )));
        }
        for (k, &len) in sizes.iter().enumerate() {
            let d = depth + k;
            if self.shape.len() == d {
                self.shape.push(len);
            } else if self.shape[d] != len {
                return Err(PyValueError::new_err(format!(
                    "expected sequence of length {} at dim {} (got {})",
                    self.shape[d], d, len
                )));
            }
            if len == 0 && self.leaf_depth.is_none() {
                self.leaf_depth = Some(d + 1);
            }
        }
        Ok(())
    }

    /// Records a tensor or array found at `depth`: its dims continue the shape, its dtype joins
    /// the inference.
    fn block(&mut self, obj: &Bound<'_, PyAny>, t: &Tensor, depth: usize) -> PyResult<()> {
        self.dims(obj, t.shape(), depth)?;
        let elements_at = depth + t.ndim();
        if t.numel() > 0 {
            if self.leaf_depth.is_some_and(|ld| ld != elements_at) {
                return Err(PyTypeError::new_err("not a sequence"));
            }
            self.leaf_depth = Some(elements_at);
        }
        self.dtype = Some(promote_opt(self.dtype, t.dtype()));
        push_scalars_of(t, &mut self.values)
    }

    /// Records one element found at `depth`.
    fn element(&mut self, obj: &Bound<'_, PyAny>, depth: usize) -> PyResult<()> {
        if self.shape.len() > depth {
            return Err(PyTypeError::new_err("not a sequence"));
        }
        if self.leaf_depth.is_none() && depth > 0 && obj.is_instance_of::<PyString>() {
            // torch walks into the first element to find the shape, and a string never ends.
            return Err(PyValueError::new_err(format!(
                "too many dimensions '{}'",
                type_name(obj)
            )));
        }
        self.leaf_depth = Some(depth);
        let (value, dtype) = leaf(obj)?;
        self.dtype = Some(promote_opt(self.dtype, dtype));
        self.values.push(value);
        Ok(())
    }
}

/// `rt.tensor(data)` for nested sequences and scalars; without `dtype`, torch's inference (the
/// promoted dtype of all elements, the default float for no elements).
pub fn tensor_from_nested(obj: &Bound<'_, PyAny>, dtype: Option<DType>) -> PyResult<Tensor> {
    let mut nested = Nested::default();
    nested.collect(obj, 0)?;
    if let Some(d) = dtype {
        for v in &nested.values {
            v.check_data_to(d)?;
        }
    }
    let dtype = dtype.or(nested.dtype).unwrap_or_else(default_float);
    let values = nested.values;
    Ok(dispatch!(dtype, T => Tensor::from_vec(
        try_collect(values.len(), values.iter().map(|v| v.to::<T>()))?,
        &nested.shape
    )?))
}

/// Nested lists of `shape` around `items` (row-major), built from the innermost lists outwards so
/// that no depth of nesting can overflow the stack.
fn nest(py: Python<'_>, mut items: Vec<Py<PyAny>>, shape: &[usize]) -> PyResult<Py<PyAny>> {
    for &d in shape.iter().rev() {
        let mut level = try_vec(items.len() / d.max(1))?;
        let mut rest = items.into_iter();
        while rest.len() > 0 {
            level.push(PyList::new(py, rest.by_ref().take(d))?.into_any().unbind());
        }
        items = level;
    }
    items
        .pop()
        .ok_or_else(|| PyRuntimeError::new_err("tolist(): no elements"))
}

/// Python objects (about 32 bytes each, and a pointer in a list) for `n` elements or lists, or
/// torch's out-of-memory error when they could not fit.
fn check_objects(n: usize) -> PyResult<()> {
    Ok(check_allocatable(n, 40)?)
}

/// `tolist()`: nested Python lists (a plain number for a 0-dim tensor).
fn to_pylist(py: Python<'_>, t: &Tensor) -> PyResult<Py<PyAny>> {
    if t.numel() == 0 && t.ndim() > 0 {
        return build_empty(py, t.shape());
    }
    check_objects(t.numel())?;
    let c = t.contiguous()?;
    dispatch!(c.dtype(), T => {
        // SAFETY: `dispatch!` made `T` `c`'s dtype and `c` is contiguous, so its `numel` elements
        // are consecutive `T`s from its data pointer; `c` lives, unwritten, while `data` does.
        let data = unsafe { std::slice::from_raw_parts(c.data_ptr_typed::<T>() as *const T, c.numel()) };
        let mut items = try_vec(data.len())?;
        for &v in data {
            items.push(match c.dtype() {
                DType::Bool => v.to_bool().into_py_any(py)?,
                d if d.is_floating() => v.to_f64().into_py_any(py)?,
                _ => v.to_i64().into_py_any(py)?,
            });
        }
        nest(py, items, c.shape())
    })
}

/// The lists of a tensor with no elements: lists down to the first 0 in the shape.
fn build_empty(py: Python<'_>, shape: &[usize]) -> PyResult<Py<PyAny>> {
    let zero = shape
        .iter()
        .position(|&d| d == 0)
        .unwrap_or(shape.len() - 1);
    let outer = &shape[..zero];
    let lists = outer.iter().try_fold(1usize, |acc, &d| acc.checked_mul(d));
    let lists = lists.ok_or_else(|| {
        out_of_memory(
            outer
                .iter()
                .fold(40u128, |acc, &d| acc.saturating_mul(d as u128)),
        )
    })?;
    check_objects(lists)?;
    let mut items = try_vec(lists)?;
    for _ in 0..lists {
        items.push(PyList::empty(py).into_any().unbind());
    }
    nest(py, items, outer)
}

#[pymethods]
impl PyTensor {
    /// Nested Python lists of the elements.
    fn tolist(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        to_pylist(py, &self.t(py))
    }
}
