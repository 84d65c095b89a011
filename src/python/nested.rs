//! Nested Python data and tensors: `rt.tensor([[1, 2], [3, 4]])` (shape discovery, torch's dtype
//! inference and its errors) and `tolist()`.

use crate::dispatch;
use crate::dtype::{default_float, DType, Element};
use crate::python::convert::{extract_i64_arg, is_ndarray, numpy_scalar, type_name};
use crate::python::interop::borrow_array;
use crate::python::tensor::{item_scalar, PyTensor};
use crate::scalar::Scalar;
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
        let t = &t.get().t;
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
        Some(t.get().t.clone())
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

/// The elements of a tensor in row-major order, each as a scalar of its kind.
fn scalars_of(t: &Tensor) -> PyResult<Vec<Scalar>> {
    let c = t.contiguous()?;
    Ok(dispatch!(c.dtype(), T => {
        // SAFETY: a contiguous tensor of numel elements of T.
        let data = unsafe { std::slice::from_raw_parts(c.data_ptr_typed::<T>() as *const T, c.numel()) };
        data.iter()
            .map(|&v| match c.dtype() {
                DType::Bool => Scalar::Bool(v.to_bool()),
                DType::Int32 | DType::Int64 => Scalar::Int(v.to_i64()),
                _ => Scalar::Float(v.to_f64()),
            })
            .collect()
    }))
}

fn promote_opt(a: Option<DType>, b: DType) -> DType {
    a.map_or(b, |a| a.promote(b))
}

/// What a walk over nested data has found so far.
#[derive(Default)]
struct Nested {
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
        self.dims(obj, &[seq.len()?], depth)?;
        for item in seq.try_iter()? {
            self.collect(&item?, depth + 1)?;
        }
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
        self.values.extend(scalars_of(t)?);
        Ok(())
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
    let dtype = dtype.or(nested.dtype).unwrap_or_else(default_float);
    let values = nested.values;
    Ok(
        dispatch!(dtype, T => Tensor::from_vec(values.iter().map(|v| v.to::<T>()).collect::<Vec<T>>(), &nested.shape)?),
    )
}

fn build_list<T: Element + for<'py> IntoPyObject<'py>>(
    py: Python<'_>,
    data: &[T],
    shape: &[usize],
) -> PyResult<Py<PyAny>> {
    let Some((&first, rest)) = shape.split_first() else {
        return match data.first() {
            Some(v) => v.into_py_any(py),
            None => Ok(PyList::empty(py).into_any().unbind()),
        };
    };
    let step: usize = rest.iter().product();
    let items = (0..first)
        .map(|i| build_list(py, &data[i * step..(i + 1) * step], rest))
        .collect::<PyResult<Vec<_>>>()?;
    Ok(PyList::new(py, items)?.into_any().unbind())
}

/// `tolist()`: nested Python lists (a plain number for a 0-dim tensor).
pub fn to_pylist(py: Python<'_>, t: &Tensor) -> PyResult<Py<PyAny>> {
    let c = t.contiguous()?;
    dispatch!(c.dtype(), T => {
        // SAFETY: contiguous tensor of numel elements of T.
        let data = unsafe { std::slice::from_raw_parts(c.data_ptr_typed::<T>() as *const T, c.numel()) };
        if c.numel() == 0 && c.ndim() > 0 {
            return build_empty(py, c.shape());
        }
        build_list::<T>(py, data, c.shape())
    })
}

fn build_empty(py: Python<'_>, shape: &[usize]) -> PyResult<Py<PyAny>> {
    if shape[0] == 0 || shape.len() == 1 {
        return Ok(PyList::empty(py).into_any().unbind());
    }
    let items = (0..shape[0])
        .map(|_| build_empty(py, &shape[1..]))
        .collect::<PyResult<Vec<_>>>()?;
    Ok(PyList::new(py, items)?.into_any().unbind())
}
