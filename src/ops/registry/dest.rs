//! Where an op's result goes: a new tensor, an `out=` tensor, or the op's first argument (the
//! in-place `op_` form). Ops whose kernels write straight into a destination handle all three
//! themselves; every other op computes a new tensor and lets [`Dest::finish`] deliver it with
//! torch's checks and autograd rules.

use super::{Arg, Args, Ret};
use crate::autograd::mode::is_grad_enabled;
use crate::autograd::record::in_place;
use crate::dtype::DType;
use crate::error::{Error, Result};
use crate::tensor::Tensor;

/// The destination of an op's result.
#[derive(Debug, Clone, Copy)]
pub enum Dest<'a> {
    /// A new tensor.
    New,
    /// `out=`: this tensor, which must have the result's shape and a dtype the result casts to.
    Out(&'a Tensor),
    /// The in-place form: the op's first argument.
    InPlace,
}

/// torch's error for `out=` while autograd records.
pub fn out_requires_grad_error() -> Error {
    Error::Runtime(
        "out=... arguments don't support automatic differentiation, but one of the arguments requires grad."
            .into(),
    )
}

/// Checks that a result of `shape` and `dtype` may be written into `dst` by an in-place op or
/// through `out=`, before anything is written.
pub fn check_destination(dst: &Tensor, shape: &[usize], dtype: DType) -> Result<()> {
    dtype.check_cast_to(dst.dtype())?;
    if dst.shape() != shape {
        return Err(Error::OutputShape {
            output: dst.shape().to_vec(),
            broadcast: shape.to_vec(),
        });
    }
    Ok(())
}

/// The `out=` checks torch makes before computing: autograd does not record through `out=`, so
/// an op that `records` a gradient refuses inputs that require grad (an op without one does
/// not), and no op writes into an `out=` that requires grad.
pub fn check_out(out: &Tensor, inputs: &[&Tensor], records: bool) -> Result<()> {
    if is_grad_enabled()
        && (out.requires_grad() || (records && inputs.iter().any(|t| t.requires_grad())))
    {
        return Err(out_requires_grad_error());
    }
    crate::kernels::copy::check_writable(out)
}

/// Delivers the results of an op that returns several tensors into the `out=` tuple `outs`,
/// every destination checked before any is written.
pub fn deliver_tuple(outs: &[Tensor], ret: Ret) -> Result<Ret> {
    let Ret::Tuple(name, results) = ret else {
        return Err(Error::Type(
            "argument 'out' must be Tensor, not tuple".into(),
        ));
    };
    if results.len() != outs.len() {
        return Err(Error::Type(format!(
            "expected a tuple of {} tensors for out=, got {}",
            results.len(),
            outs.len()
        )));
    }
    for (i, a) in outs.iter().enumerate() {
        if outs[i + 1..]
            .iter()
            .any(|b| crate::kernels::copy::may_overlap(a, b))
        {
            return Err(if name == "aminmax" {
                Error::Value("aminmax(): the `min` and `max` out= tensors must not overlap.".into())
            } else {
                Error::Runtime(format!(
                    "{}(): the out= tensors must not overlap.",
                    if name.is_empty() { "op" } else { name }
                ))
            });
        }
    }
    for (o, r) in outs.iter().zip(&results) {
        if o.dtype() != r.dtype() {
            return Err(Error::Runtime(format!(
                "Expected out tensor to have dtype {}, but got {} instead",
                r.dtype().c_name(),
                o.dtype().c_name()
            )));
        }
        check_destination(o, r.shape(), r.dtype())?;
        crate::kernels::copy::check_writable(o)?;
    }
    for (o, r) in outs.iter().zip(&results) {
        crate::kernels::copy::copy_checked(o, r)?;
    }
    Ok(Ret::Tuple(name, outs.to_vec()))
}

impl Dest<'_> {
    /// The destination's dtype: the `out=` tensor's, `input`'s in place, none for a new tensor.
    pub fn dtype(&self, input: &Tensor) -> Option<DType> {
        match self {
            Dest::New => None,
            Dest::Out(o) => Some(o.dtype()),
            Dest::InPlace => Some(input.dtype()),
        }
    }

    /// [`Dest::dtype`] with the input a value (a number has no dtype to write into).
    pub fn dtype_of(&self, input: &crate::value::Value) -> Option<DType> {
        match (self, input) {
            (Dest::Out(o), _) => Some(o.dtype()),
            (Dest::InPlace, crate::value::Value::Tensor(t)) => Some(t.dtype()),
            _ => None,
        }
    }

    /// Delivers the result of `compute` (which builds a new tensor from the arguments, recording
    /// autograd as it goes) to this destination.
    pub fn finish(self, args: &Args, compute: impl Fn(&Args) -> Result<Tensor>) -> Result<Ret> {
        self.deliver(args, false, &compute)
    }

    /// [`Dest::finish`] for ops whose `out=` must have the input's (argument 0's) dtype exactly
    /// rather than one the result casts to (torch's `amax`, `amin`): checked after the autograd
    /// check and before anything else, as torch does.
    pub fn finish_same_dtype(
        self,
        args: &Args,
        compute: impl Fn(&Args) -> Result<Tensor>,
    ) -> Result<Ret> {
        self.deliver(args, true, &compute)
    }

    /// [`Dest::finish`], with `out=`'s dtype required to be the input's when `same_dtype`. Not
    /// generic (`compute` is a trait object), so it is compiled once rather than once per op.
    fn deliver(
        self,
        args: &Args,
        same_dtype: bool,
        compute: &dyn Fn(&Args) -> Result<Tensor>,
    ) -> Result<Ret> {
        match self {
            Dest::New => compute(args).map(Ret::Tensor),
            Dest::Out(out) => {
                // Whether the op records a gradient shows in its result (below).
                check_out(out, &[], false)?;
                if same_dtype {
                    let input = args.tensor(0)?.dtype();
                    if out.dtype() != input {
                        return Err(Error::OutDTypeMismatch {
                            input: input.torch_name(),
                            out: out.dtype().torch_name(),
                        });
                    }
                }
                let r = compute(args)?;
                if r.requires_grad() && is_grad_enabled() {
                    return Err(out_requires_grad_error());
                }
                check_destination(out, r.shape(), r.dtype())?;
                crate::kernels::copy::copy_checked(out, &r)?;
                Ok(Ret::Tensor(out.clone()))
            }
            Dest::InPlace => {
                let dst = args.tensor(0)?;
                let tensors = args.all_tensors();
                in_place(
                    dst,
                    &tensors[1..],
                    || {
                        let r = crate::autograd::mode::without_grad(|| compute(args))?;
                        check_destination(dst, r.shape(), r.dtype())?;
                        crate::kernels::copy::copy_checked(dst, &r)
                    },
                    |snapshot| {
                        let r = compute(&args.with(0, Arg::OwnedTensor(snapshot.clone())))?;
                        check_destination(dst, r.shape(), r.dtype())?;
                        r.to_dtype(dst.dtype())
                    },
                )?;
                Ok(Ret::Tensor(dst.clone()))
            }
        }
    }
}
