//! The Python objects behind registry ops, all with CPython's vectorcall convention
//! (`METH_FASTCALL | METH_KEYWORDS`: positional and keyword arguments arrive as one array, with no
//! tuple or dict built per call). A function is a builtin function whose `self` is its
//! [`OpHandle`]. A Tensor method (or in-place method) is a real method descriptor, so Python calls
//! it without making a bound-method object; its `self` is the tensor, and the op is found by the
//! method's slot: each slot has its own monomorphised entry point (`method_trampoline::<I>`).

use crate::ops::registry::{Arg, Args, Dest, OpDef, Ret, Signature};
use crate::python::args::Kwarg;
use crate::python::tensor::{maybe_detached, PyTensor};
use pyo3::exceptions::{PyRuntimeError, PyTypeError};
use pyo3::ffi;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyString, PyTuple};
use smallvec::SmallVec;
use std::ffi::CString;
use std::panic::AssertUnwindSafe;
use std::sync::atomic::{AtomicPtr, AtomicUsize, Ordering};

/// Which form of an op a callable is.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Form {
    /// `rtensor.op(...)`, with `out=` when the op has it.
    Function,
    /// `tensor.op(...)`.
    Method,
    /// `tensor.op_(...)`: writes into the tensor and returns it.
    InPlace,
}

/// The `self` of an op's builtin function: the declaration, its parsed signatures, and the form.
#[pyclass(frozen, name = "op", module = "rtensor._rtensor")]
pub struct OpHandle {
    def: &'static OpDef,
    sigs: Vec<Signature>,
    /// For each of `sigs`, its overload number as the runner knows it.
    overloads: Vec<usize>,
    form: Form,
    name: String,
    /// A method whose first signature takes nothing but the tensor (`detach()`, `t()`): a call
    /// without arguments needs no binding.
    self_only: bool,
    /// Every signature's first tensor is `Tensor(a)`: the result is a view, made in constant
    /// time, so the call keeps the GIL whatever the tensor's size.
    view: bool,
}

static RETURN_TYPES: PyOnceLock<Py<PyModule>> = PyOnceLock::new();

/// The Python object for an op's result. A result that is one of the call's tensors (an
/// in-place op's target, `out=`, an op that returned its input) is that same Python object.
fn to_python<'a, 'py: 'a>(
    py: Python<'py>,
    ret: Ret,
    inputs: impl Iterator<Item = &'a Bound<'py, PyAny>> + Clone,
) -> PyResult<Bound<'py, PyAny>> {
    let tensor = |t: crate::Tensor| -> PyResult<Bound<'py, PyAny>> {
        for obj in inputs.clone() {
            if let Ok(p) = obj.cast::<PyTensor>() {
                if p.get().t(p.py()).same_tensor(&t) {
                    return Ok(obj.clone());
                }
            }
        }
        Ok(PyTensor::wrap(py, t)?.into_any())
    };
    Ok(match ret {
        Ret::Tensor(t) => tensor(t)?,
        Ret::Tuple(name, ts) => {
            let items = ts.into_iter().map(tensor).collect::<PyResult<Vec<_>>>()?;
            let tuple = PyTuple::new(py, items)?;
            if name.is_empty() {
                tuple.into_any()
            } else {
                let module = RETURN_TYPES.get_or_try_init(py, || -> PyResult<Py<PyModule>> {
                    Ok(py.import("rtensor.return_types")?.unbind())
                })?;
                module.bind(py).getattr(name)?.call1((tuple,))?
            }
        }
        Ret::List(ts) => {
            let items = ts.into_iter().map(tensor).collect::<PyResult<Vec<_>>>()?;
            pyo3::types::PyList::new(py, items)?.into_any()
        }
        Ret::Bool(b) => pyo3::types::PyBool::new(py, b).to_owned().into_any(),
        Ret::Int(i) => i.into_pyobject(py)?.into_any(),
        Ret::Float(f) => f.into_pyobject(py)?.into_any(),
    })
}

impl OpHandle {
    /// Runs one call: binds the arguments, runs the op (without the GIL when it is big), and
    /// converts the result. `slf` is the tensor a method is called on, `rest` the positional
    /// arguments after it.
    fn call<'py>(
        &self,
        py: Python<'py>,
        slf: Option<&Bound<'py, PyAny>>,
        rest: &[Bound<'py, PyAny>],
        kwargs: &[Kwarg<'py>],
    ) -> PyResult<Bound<'py, PyAny>> {
        let this = match (self.form, slf) {
            (Form::Function, _) => None,
            (_, None) => {
                return Err(PyTypeError::new_err(format!(
                    "descriptor '{}' of 'rtensor.Tensor' object needs an argument",
                    self.name
                )))
            }
            (_, Some(first)) => {
                let t = first.cast::<PyTensor>().map_err(|_| {
                    PyTypeError::new_err(format!(
                        "descriptor '{}' requires a 'rtensor.Tensor' object but received a '{}'",
                        self.name,
                        crate::python::convert::type_name(first)
                    ))
                })?;
                Some(t.get().t(t.py()))
            }
        };
        let args = slf.into_iter().chain(rest);
        // `out=` is the function's; it is not one of the signature's parameters.
        let out_at = match self.form {
            Form::Function => kwargs
                .iter()
                .position(|(k, v)| !v.is_none() && k.to_str().is_ok_and(|k| k == "out")),
            _ => None,
        };
        let Some(at) = out_at else {
            let mut bound = Args::default();
            match this.as_ref() {
                Some(t) if self.self_only && rest.is_empty() && kwargs.is_empty() => {
                    bound.method = true;
                    bound.values.push(Arg::Tensor(t));
                }
                _ => crate::python::args::bind(
                    &self.name,
                    &self.sigs,
                    this.as_ref(),
                    rest,
                    kwargs,
                    &mut bound,
                )?,
            }
            bound.overload = self.overloads.get(bound.overload).copied().unwrap_or(0);
            let dest = match self.form {
                Form::InPlace => Dest::InPlace,
                _ => Dest::New,
            };
            let run = self.def.run;
            let work = if self.view { 0 } else { bound.work() };
            let ret = maybe_detached(py, work, || run(&bound, dest))?;
            return to_python(py, ret, args.chain(kwargs.iter().map(|(_, v)| v)));
        };
        let out_obj = &kwargs[at].1;
        let kw: SmallVec<[Kwarg<'py>; 4]> = kwargs
            .iter()
            .enumerate()
            .filter(|&(i, _)| i != at)
            .map(|(_, kv)| kv.clone())
            .collect();
        let mut bound = Args::default();
        crate::python::args::bind(&self.name, &self.sigs, this.as_ref(), rest, &kw, &mut bound)?;
        bound.overload = self.overloads.get(bound.overload).copied().unwrap_or(0);
        // `out=` is a tensor, or a tuple of tensors for ops that return several.
        let mut outs: SmallVec<[crate::tensor::Tensor; 2]> = SmallVec::new();
        let bad = || {
            PyTypeError::new_err(format!(
                "{}(): argument 'out' must be Tensor, not {}",
                self.name,
                crate::python::convert::type_name(out_obj)
            ))
        };
        let out_tuple = if let Ok(t) = out_obj.cast::<PyTensor>() {
            outs.push(t.get().t(t.py()));
            false
        } else if let Ok(items) = out_obj.cast::<PyTuple>() {
            for item in items.iter() {
                outs.push(item.cast::<PyTensor>().map_err(|_| bad())?.get().t(py));
            }
            true
        } else {
            return Err(bad());
        };
        let dest = match outs.first() {
            Some(o) if !out_tuple => Dest::Out(o),
            _ => Dest::New,
        };
        let run = self.def.run;
        if crate::autograd::is_grad_enabled() {
            // torch refuses `out=` while autograd records only for ops that record a gradient,
            // before any other check: with an input that requires grad the op first runs into
            // a new tensor, and ops whose result has no gradient (eq, argmax, logical_and, ...)
            // go on, as do ops whose node only fails (torch's `NotImplemented`: `histogram`,
            // `heaviside`). When that run fails, an op that declares gradient nodes is refused
            // (torch's order), any other reports its own error.
            let refuse = outs.iter().any(|o| o.requires_grad())
                || (bound.all_tensors().iter().any(|t| t.requires_grad())
                    && match maybe_detached(py, bound.work(), || run(&bound, Dest::New)) {
                        Ok(probe) => probe.has_derivative(),
                        Err(_) if !self.def.nodes.is_empty() => true,
                        Err(e) => return Err(e.into()),
                    });
            if refuse {
                return Err(PyRuntimeError::new_err(format!(
                    "{}(): functions with out=... arguments don't support automatic differentiation, but one of the arguments requires grad.",
                    self.name
                )));
            }
        }
        let ret = maybe_detached(py, bound.work(), || {
            let ret = run(&bound, dest)?;
            if out_tuple {
                crate::ops::registry::dest::deliver_tuple(&outs, ret)
            } else {
                Ok(ret)
            }
        })?;
        // An `out=` tuple's tensors are returned as the very objects passed in.
        let out_items: SmallVec<[Bound<'py, PyAny>; 2]> = if out_tuple {
            out_obj.try_iter()?.collect::<PyResult<_>>()?
        } else {
            SmallVec::new()
        };
        let inputs = args
            .chain(std::iter::once(out_obj))
            .chain(out_items.iter())
            .chain(kw.iter().map(|(_, v)| v));
        to_python(py, ret, inputs)
    }
}

/// Collects the keyword arguments of a vectorcall into (keyword, object) pairs.
///
/// # Safety
/// `args` must point to `nargs` positional objects followed by one object per name in
/// `kwnames` (a tuple of str or null), as CPython passes them to a `METH_FASTCALL | METH_KEYWORDS`
/// function, all borrowed for the duration of the call.
unsafe fn keywords<'py>(
    py: Python<'py>,
    args: *const *mut ffi::PyObject,
    nargs: usize,
    kwnames: *mut ffi::PyObject,
    keywords: &mut SmallVec<[Kwarg<'py>; 4]>,
) -> PyResult<()> {
    if !kwnames.is_null() {
        // SAFETY: a non-null kwnames is a borrowed tuple of str (the convention above).
        let names = unsafe { Bound::from_borrowed_ptr(py, kwnames) }.cast_into::<PyTuple>()?;
        for (j, name) in names.iter().enumerate() {
            // SAFETY: the keyword values follow the positional ones, one per name.
            let value = unsafe { Bound::from_borrowed_ptr(py, *args.add(nargs + j)) };
            keywords.push((name.cast_into::<PyString>()?, value));
        }
    }
    Ok(())
}

/// Runs a call to `handle` from the vectorcall arguments (`this`: the tensor a method descriptor
/// was called on), turning errors and panics into a Python exception.
///
/// # Safety
/// The arguments must follow the `METH_FASTCALL | METH_KEYWORDS` convention (see [`collect`]),
/// and `handle` must be a valid `OpHandle`.
unsafe fn dispatch(
    handle: *mut ffi::PyObject,
    this: Option<*mut ffi::PyObject>,
    args: *const *mut ffi::PyObject,
    nargs: ffi::Py_ssize_t,
    kwnames: *mut ffi::PyObject,
) -> *mut ffi::PyObject {
    // SAFETY: CPython calls a builtin function's C function with the GIL held.
    let py = unsafe { Python::assume_attached() };
    let result = std::panic::catch_unwind(AssertUnwindSafe(|| -> PyResult<*mut ffi::PyObject> {
        // SAFETY: the caller's contract: a valid OpHandle, kept alive by the callable; so the
        // unchecked cast names the object's own type.
        let handle =
            unsafe { Bound::from_borrowed_ptr(py, handle).cast_into_unchecked::<OpHandle>() };
        let nargs = nargs.max(0) as usize;
        let positional: &[Bound<'_, PyAny>] = if nargs == 0 {
            &[]
        } else {
            // SAFETY: `Bound<PyAny>` is a `repr(transparent)` non-null object pointer, and
            // CPython passes `nargs` borrowed, non-null object pointers at `args` that stay
            // alive for the call: viewing them as a slice of `Bound` takes no references and
            // gives none back (a shared slice never drops its items).
            unsafe { std::slice::from_raw_parts(args.cast::<Bound<'_, PyAny>>(), nargs) }
        };
        // SAFETY: a method descriptor's `self` is a borrowed, valid object for the call.
        let this = this.map(|p| unsafe { Bound::from_borrowed_ptr(py, p) });
        let mut kw = SmallVec::new();
        // SAFETY: CPython passes the vectorcall arguments as `keywords` requires.
        unsafe { keywords(py, args, nargs, kwnames, &mut kw) }?;
        Ok(handle
            .get()
            .call(py, this.as_ref(), positional, &kw)?
            .into_ptr())
    }));
    match result {
        Ok(Ok(ptr)) => ptr,
        Ok(Err(e)) => {
            e.restore(py);
            std::ptr::null_mut()
        }
        Err(_) => {
            PyRuntimeError::new_err("internal error: an rtensor op panicked").restore(py);
            std::ptr::null_mut()
        }
    }
}

/// The C entry point of every op function: `slf` is its `OpHandle`.
///
/// # Safety
/// Only CPython calls it, with the GIL held, as the `METH_FASTCALL | METH_KEYWORDS` function of
/// a builtin made by [`make_function`], whose `self` is the `OpHandle` it was created with.
unsafe extern "C" fn trampoline(
    slf: *mut ffi::PyObject,
    args: *const *mut ffi::PyObject,
    nargs: ffi::Py_ssize_t,
    kwnames: *mut ffi::PyObject,
) -> *mut ffi::PyObject {
    // SAFETY: `slf` is the OpHandle this function was created with (`make_function`); the rest
    // is CPython's vectorcall convention.
    unsafe { dispatch(slf, None, args, nargs, kwnames) }
}

/// How many Tensor methods (in-place forms and aliases included) the registry may install.
const METHOD_SLOTS: usize = 2048;

/// The `OpHandle` of each installed method, by slot (leaked: methods live as long as the type).
static METHOD_HANDLES: [AtomicPtr<ffi::PyObject>; METHOD_SLOTS] =
    [const { AtomicPtr::new(std::ptr::null_mut()) }; METHOD_SLOTS];

/// The C entry point of the method in slot `I`: a method descriptor passes the tensor as `slf`,
/// so the op is found by the slot, which each method gets its own copy of this function for.
///
/// # Safety
/// Only CPython calls it, with the GIL held, as the `METH_FASTCALL | METH_KEYWORDS` function of
/// the method descriptor made for slot `I` by [`make_function`], with the tensor as `slf`.
unsafe extern "C" fn method_trampoline<const I: usize>(
    slf: *mut ffi::PyObject,
    args: *const *mut ffi::PyObject,
    nargs: ffi::Py_ssize_t,
    kwnames: *mut ffi::PyObject,
) -> *mut ffi::PyObject {
    let handle = METHOD_HANDLES[I].load(Ordering::Acquire);
    // SAFETY: slot I is filled (with a leaked, valid OpHandle) before the descriptor that calls
    // this function is created; the rest is CPython's vectorcall convention.
    unsafe { dispatch(handle, Some(slf), args, nargs, kwnames) }
}

seq_macro::seq!(N in 0..2048 {
    /// The method entry points, one per slot.
    static METHOD_TRAMPOLINES: [ffi::PyCFunctionFastWithKeywords; METHOD_SLOTS] = [
        #(method_trampoline::<N>,)*
    ];
});

/// The next free method slot.
static NEXT_SLOT: AtomicUsize = AtomicUsize::new(0);

/// A C string that lives for the rest of the process (method definitions must).
fn leak_cstring(s: String) -> PyResult<*const std::ffi::c_char> {
    let c = CString::new(s).map_err(|e| PyRuntimeError::new_err(e.to_string()))?;
    Ok(Box::leak(c.into_boxed_c_str()).as_ptr())
}

/// Makes the builtin function of one form of `def`, named `name`.
pub fn make_function<'py>(
    py: Python<'py>,
    def: &'static OpDef,
    form: Form,
    name: &str,
) -> PyResult<Bound<'py, PyAny>> {
    let (overloads, sigs_for_form): (Vec<usize>, Vec<Signature>) = match form {
        Form::Function => def.parsed_signatures()?.into_iter().enumerate().unzip(),
        Form::Method | Form::InPlace => def.method_overloads().into_iter().unzip(),
    };
    // `name(args)\n--\n\n` gives the function its `__text_signature__`.
    let doc = format!(
        "{}{}\n--\n\n{}",
        name,
        Signature::merged(&sigs_for_form).0.text_signature(false),
        def.doc
    );
    let self_only =
        form != Form::Function && sigs_for_form.first().is_some_and(|s| s.params.len() == 1);
    let view = sigs_for_form
        .iter()
        .all(|s| s.params.first().is_some_and(|p| p.alias));
    let handle = Bound::new(
        py,
        OpHandle {
            def,
            sigs: sigs_for_form,
            overloads,
            form,
            name: name.to_string(),
            self_only,
            view,
        },
    )?;
    if form == Form::Function {
        // Each definition is created once per process (at import) and must outlive its function.
        let method_def = Box::leak(Box::new(ffi::PyMethodDef {
            ml_name: leak_cstring(name.to_string())?,
            ml_meth: ffi::PyMethodDefPointer {
                PyCFunctionFastWithKeywords: trampoline,
            },
            ml_flags: ffi::METH_FASTCALL | ffi::METH_KEYWORDS,
            ml_doc: leak_cstring(doc)?,
        }));
        let module = PyString::new(py, "rtensor");
        // SAFETY: `method_def` is leaked (lives forever) and `handle` and `module` are valid
        // objects; PyCFunction_NewEx takes new references to both.
        let f = unsafe { ffi::PyCFunction_NewEx(method_def, handle.as_ptr(), module.as_ptr()) };
        // SAFETY: a new reference, or null with an exception set.
        return unsafe { Bound::from_owned_ptr_or_err(py, f) };
    }
    let slot = NEXT_SLOT.fetch_add(1, Ordering::Relaxed);
    if slot >= METHOD_SLOTS {
        return Err(PyRuntimeError::new_err(
            "internal error: more Tensor methods than METHOD_SLOTS",
        ));
    }
    METHOD_HANDLES[slot].store(handle.into_ptr(), Ordering::Release);
    let method_def = Box::leak(Box::new(ffi::PyMethodDef {
        ml_name: leak_cstring(name.to_string())?,
        ml_meth: ffi::PyMethodDefPointer {
            PyCFunctionFastWithKeywords: METHOD_TRAMPOLINES[slot],
        },
        ml_flags: ffi::METH_FASTCALL | ffi::METH_KEYWORDS,
        ml_doc: leak_cstring(doc)?,
    }));
    let tensor = py.get_type::<PyTensor>();
    // SAFETY: the type object is valid and `method_def` lives forever; a new reference or null
    // with an exception set comes back.
    unsafe {
        Bound::from_owned_ptr_or_err(
            py,
            ffi::PyDescr_NewMethod(tensor.as_ptr().cast::<ffi::PyTypeObject>(), method_def),
        )
    }
}
