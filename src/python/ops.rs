//! Installs every op of the registry: module functions (`rtensor.floor`), namespaced functions
//! (`rtensor.special.expit`, collected in `_rtensor._namespaces`), Tensor methods and in-place
//! methods, under their names and aliases; and `_registry()`, the table the stubs test and the
//! ops table are checked against.

use crate::ops::registry::{self, split_qualified, Forms, OpDef, Signature};
use crate::python::callable::{as_method, make_function, Form};
use crate::python::tensor::PyTensor;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};

/// Puts `func` at `qualified` (`floor`, `special.expit`): the module, or a namespace dict.
fn put_function(
    m: &Bound<'_, PyModule>,
    namespaces: &Bound<'_, PyDict>,
    qualified: &'static str,
    func: &Bound<'_, PyAny>,
) -> PyResult<()> {
    let (ns, name) = split_qualified(qualified);
    if ns.is_empty() {
        return m.add(name, func);
    }
    let dict = match namespaces.get_item(ns)? {
        Some(d) => d.cast_into::<PyDict>()?,
        None => {
            let d = PyDict::new(m.py());
            namespaces.set_item(ns, &d)?;
            d
        }
    };
    dict.set_item(name, func)
}

fn install_op(
    m: &Bound<'_, PyModule>,
    namespaces: &Bound<'_, PyDict>,
    def: &'static OpDef,
) -> PyResult<()> {
    let py = m.py();
    let tensor = py.get_type::<PyTensor>();
    let (_, name) = def.split_name();
    if def.forms.has(Forms::FUNCTION) {
        let f = make_function(py, def, Form::Function, name)?;
        put_function(m, namespaces, def.name, &f)?;
        for alias in def.aliases {
            let f = make_function(py, def, Form::Function, split_qualified(alias).1)?;
            put_function(m, namespaces, alias, &f)?;
        }
    }
    let bare_aliases = def.aliases.iter().filter(|a| !a.contains('.'));
    for method in std::iter::once(&name).chain(bare_aliases) {
        if def.forms.has(Forms::METHOD) {
            let f = make_function(py, def, Form::Method, method)?;
            tensor.setattr(*method, as_method(&f)?)?;
        }
        if def.forms.has(Forms::INPLACE) {
            let in_place = format!("{}_", method);
            let f = make_function(py, def, Form::InPlace, &in_place)?;
            tensor.setattr(in_place.as_str(), as_method(&f)?)?;
        }
    }
    Ok(())
}

/// Installs every registry op into the extension module and the Tensor class.
pub fn install(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let namespaces = PyDict::new(m.py());
    for def in registry::all() {
        install_op(m, &namespaces, def)?;
    }
    m.add("_namespaces", namespaces)?;
    m.add_function(wrap_pyfunction!(_registry, m)?)?;
    Ok(())
}

/// One merged signature as Python data: `[{name, types, optional, default, kw_only}]`.
fn params_data<'py>(
    py: Python<'py>,
    sigs: &[Signature],
    skip: usize,
) -> PyResult<Bound<'py, PyList>> {
    let out = PyList::empty(py);
    if sigs.is_empty() {
        return Ok(out);
    }
    let (merged, types) = Signature::merged(sigs);
    for (p, tys) in merged.params.iter().zip(types).skip(skip) {
        let pd = PyDict::new(py);
        pd.set_item("name", &p.name)?;
        let names: Vec<&str> = tys.iter().map(|t| t.stub_type()).collect();
        pd.set_item("types", names)?;
        pd.set_item("optional", p.optional)?;
        pd.set_item("default", p.default.as_ref().map(|d| d.python()))?;
        pd.set_item("kw_only", p.kw_only)?;
        pd.set_item("varargs", p.varargs)?;
        out.append(pd)?;
    }
    Ok(out)
}

/// The registry as Python data: one dict per op with its name, doc, forms, aliases, node names,
/// signatures (torch's notation) and the merged parameters of its function and method forms,
/// for the stub generator and the ops table.
#[pyfunction]
fn _registry(py: Python<'_>) -> PyResult<Bound<'_, PyList>> {
    let out = PyList::empty(py);
    for def in registry::all() {
        let d = PyDict::new(py);
        d.set_item("name", def.name)?;
        d.set_item("doc", def.doc)?;
        d.set_item("function", def.forms.has(Forms::FUNCTION))?;
        d.set_item("method", def.forms.has(Forms::METHOD))?;
        d.set_item("inplace", def.forms.has(Forms::INPLACE))?;
        d.set_item("out", def.forms.has(Forms::OUT))?;
        d.set_item("aliases", def.aliases.to_vec())?;
        d.set_item("nodes", def.nodes.to_vec())?;
        d.set_item("source", def.source)?;
        d.set_item("text", def.signatures.to_vec())?;
        let sigs = def.parsed_signatures()?;
        d.set_item("returns", sigs.first().map(|s| s.returns.clone()))?;
        d.set_item("function_params", params_data(py, &sigs, 0)?)?;
        d.set_item(
            "method_params",
            params_data(py, &def.method_signatures(), 1)?,
        )?;
        let torch: Vec<String> = sigs.iter().map(|s| s.torch_repr(false)).collect();
        d.set_item("torch", torch)?;
        out.append(d)?;
    }
    Ok(out)
}
