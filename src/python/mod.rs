//! The Python extension module `rtensor._rtensor`.

mod args;
pub(crate) mod autograd;
mod autograd_ext;
mod callable;
mod convert;
pub(crate) mod device;
mod dlpack;
mod dtype;
pub(crate) mod errors;
mod functions;
mod indexing;
mod interop;
mod nested;
mod object;
mod operators;
mod ops;
mod promotion;
mod random;
mod safetensors;
mod tensor;

use pyo3::prelude::*;

#[pymodule]
fn _rtensor(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    m.add_class::<tensor::PyTensor>()?;
    m.add("_LinAlgError", py.get_type::<errors::LinAlgError>())?;
    m.add_class::<autograd::PyNodeHandle>()?;
    m.add_function(wrap_pyfunction!(autograd::_backward, m)?)?;
    m.add_function(wrap_pyfunction!(autograd::_grad, m)?)?;
    m.add_function(wrap_pyfunction!(autograd::_set_grad_enabled, m)?)?;
    m.add_function(wrap_pyfunction!(autograd::is_grad_enabled, m)?)?;
    m.add_class::<autograd_ext::PyHookHandle>()?;
    m.add_function(wrap_pyfunction!(autograd_ext::_set_inference_mode, m)?)?;
    m.add_function(wrap_pyfunction!(
        autograd_ext::is_inference_mode_enabled,
        m
    )?)?;
    m.add_function(wrap_pyfunction!(autograd_ext::_record_function, m)?)?;
    m.add_class::<dtype::PyDType>()?;
    m.add_class::<device::PyDevice>()?;
    for d in crate::dtype::DType::ALL {
        m.add(d.name(), dtype::dtype_object(py, d))?;
    }
    m.add_function(wrap_pyfunction!(functions::tensor, m)?)?;
    m.add_function(wrap_pyfunction!(promotion::promote_types, m)?)?;
    m.add_function(wrap_pyfunction!(promotion::result_type, m)?)?;
    m.add_function(wrap_pyfunction!(promotion::can_cast, m)?)?;
    m.add_function(wrap_pyfunction!(functions::as_tensor, m)?)?;
    m.add_class::<random::PyGenerator>()?;
    m.add("default_generator", random::default_generator(py)?)?;
    m.add_function(wrap_pyfunction!(functions::get_default_dtype, m)?)?;
    m.add_function(wrap_pyfunction!(functions::set_default_dtype, m)?)?;
    m.add_function(wrap_pyfunction!(functions::set_num_threads, m)?)?;
    m.add_function(wrap_pyfunction!(functions::get_num_threads, m)?)?;
    m.add_function(wrap_pyfunction!(interop::from_numpy, m)?)?;
    m.add_function(wrap_pyfunction!(interop::_borrow_interface, m)?)?;
    m.add_function(wrap_pyfunction!(dlpack::from_dlpack, m)?)?;
    m.add(
        "_SafetensorError",
        py.get_type::<safetensors::SafetensorError>(),
    )?;
    m.add_function(wrap_pyfunction!(safetensors::_safetensors_serialize, m)?)?;
    m.add_function(wrap_pyfunction!(
        safetensors::_safetensors_serialize_file,
        m
    )?)?;
    m.add_function(wrap_pyfunction!(safetensors::_safetensors_deserialize, m)?)?;
    m.add_function(wrap_pyfunction!(safetensors::_safetensors_load_fd, m)?)?;
    ops::install(m)?;
    Ok(())
}
