//! The pointwise family on the op layer: what every elementwise op shares. A declaration (in this
//! folder's files, through the [`unary_ops!`](crate::unary_ops) and
//! [`binary_ops!`](crate::binary_ops) macros) gives a kernel and a gradient formula; [`unary`] and
//! [`binary`] do the rest: torch's type promotion (with integer inputs computed in the default
//! float dtype where torch does), broadcasting, the three destinations (a new tensor, `out=`, in
//! place) with torch's checks made before anything is written, and the autograd node.

pub mod arith;
pub mod bits;
pub mod clamp;
pub mod exp_log;
pub mod floating;
pub mod macros;
pub mod power;
pub mod rounding;
pub mod special;
pub mod ternary;
pub mod trig;

use crate::autograd::record::{in_place, record};
use crate::autograd::rules::pointwise::{Formula, Params, PointwiseRule, Saves};
use crate::dtype::{default_float, DType, ResultType};
use crate::error::{Error, Result};
use crate::kernels::copy::{check_writable, detach_source, empty_like_preserving};
use crate::kernels::pointwise::{Kernel1, Kernel2};
use crate::ops::registry::dest::{check_destination, check_out};
use crate::ops::registry::Dest;
use crate::shape::broadcast_shapes;
use crate::tensor::Tensor;
use crate::value::Value;
use std::borrow::Cow;

/// The dtype a pointwise op computes in, from its operands' promoted dtype.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Compute {
    /// The promoted dtype.
    Same,
    /// Integer and bool operands compute in the default float dtype (torch's
    /// `promote_integer_inputs_to_float`).
    Float,
    /// Every operand is read as bool (the logical ops). torch implements these ops outside
    /// autograd (composites of their `out=` form), so their in-place form writes without
    /// autograd's checks and leaves the destination's history as it was.
    Bool,
}

/// The dtype of a pointwise op's result.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Output {
    /// The dtype it computes in.
    Same,
    /// Bool (comparisons, predicates).
    Bool,
}

/// The dtype an `out=` tensor must have.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OutRule {
    /// One the result casts to (torch's `can_cast`; most ops).
    Castable,
    /// Exactly the result's, for ops that keep their input's dtype (`abs`, `floor`, `clamp`):
    /// `Found dtype Long but expected Int`.
    Exact,
    /// Bool (`signbit`, `isposinf`, `isneginf`): `signbit does not support non-boolean outputs.`
    Bool,
    /// The input's (`nan_to_num`): `nan_to_num: dtype of out: Double should be same as input:
    /// Float`.
    Input,
}

/// Where a pointwise result is written, with the destination's dtype: what [`Spec::admit`]
/// checks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Target {
    /// An `out=` tensor.
    Out(DType),
    /// The first operand, in place.
    InPlace(DType),
}

impl Target {
    /// The target of `dest` for an op whose first operand is `input` (a number cannot be
    /// written into: none).
    pub fn of(dest: Dest<'_>, input: &Value) -> Option<Target> {
        match (dest, input) {
            (Dest::Out(o), _) => Some(Target::Out(o.dtype())),
            (Dest::InPlace, Value::Tensor(t)) => Some(Target::InPlace(t.dtype())),
            _ => None,
        }
    }

    /// [`Target::of`] for a tensor first operand.
    pub fn of_tensor(dest: Dest<'_>, input: &Tensor) -> Option<Target> {
        match dest {
            Dest::New => None,
            Dest::Out(o) => Some(Target::Out(o.dtype())),
            Dest::InPlace => Some(Target::InPlace(input.dtype())),
        }
    }

    /// The destination's dtype.
    pub fn dtype(self) -> DType {
        match self {
            Target::Out(d) | Target::InPlace(d) => d,
        }
    }
}

/// A gradient: the node name torch gives it, what the formula reads, and the formula.
#[derive(Clone, Copy)]
pub struct Grad {
    /// torch's node name (`FloorBackward0`).
    pub node: &'static str,
    /// What backward keeps.
    pub saves: Saves,
    /// The formula, written with differentiable Tensor ops.
    pub formula: Formula,
}

/// How an op refuses a dtype: torch's NotImplementedError naming its kernel, or its own error.
#[derive(Clone, Copy)]
pub enum Refusal {
    /// `"<kernel>" not implemented for '<dtype>'`.
    Kernel(&'static str),
    /// A message of the op's own, as NotImplementedError (`Boolean inputs not supported for relu`).
    Message(&'static str),
}

impl Refusal {
    fn error(self, dtype: DType) -> Error {
        match self {
            Refusal::Kernel(k) => Error::DTypeNotSupported {
                op: k,
                dtype: dtype.torch_name(),
            },
            Refusal::Message(m) => Error::NotImplemented(m.into()),
        }
    }
}

/// Everything about one pointwise op but its operands.
pub struct Spec<K> {
    /// The op's name.
    pub name: &'static str,
    /// The compute dtype rule.
    pub compute: Compute,
    /// The result dtype rule.
    pub output: Output,
    /// The kernel.
    pub kernel: K,
    /// How a dtype the kernel does not take is refused.
    pub refuse: Refusal,
    /// The gradient, for differentiable ops.
    pub grad: Option<Grad>,
    /// The gradient of the in-place form, when torch records another node there
    /// (`AcoshBackward1`, whose backward is not implemented).
    pub inplace_grad: Option<Grad>,
    /// Scalar parameters the formula reads.
    pub params: Params,
    /// Whether scalar operands get an (empty) input slot on the node, as torch's wrapped
    /// numbers of `add`, `sub`, `mul` and `div` do.
    pub scalar_slots: bool,
    /// The node when the second operand is a number (torch's `Scalar other` overload), if it
    /// differs from the tensor one.
    pub scalar_node: Option<&'static str>,
    /// The name torch's message gives a result that cannot be cast to the destination, when it
    /// is not `result type <dtype>` (`ldexp`).
    pub cast_name: Option<&'static str>,
    /// The node when the first operand is a number (torch's `Scalar self` overload).
    pub scalar_self_node: Option<&'static str>,
    /// A check of the operands in the compute dtype, made before anything is computed
    /// (integer division by zero).
    pub check: Option<Check>,
    /// For one-operand ops whose dtype also depends on number arguments (`clamp`'s bounds): the
    /// promoted dtype, in place of the input's.
    pub promoted: Option<DType>,
    /// The dtype an `out=` tensor must have.
    pub out_rule: OutRule,
    /// Whether the cast error of the in-place form names the destination's dtype as C++ does
    /// (`... desired output type long int`), as torch's `clamp_` with number bounds does.
    pub c_dest_name: bool,
}

/// A domain check: (compute dtype, operands, destination dtype for `out=` and in place) ->
/// error.
pub type Check = fn(DType, &[&Value], Option<DType>) -> Result<()>;

impl<K> Spec<K> {
    /// A spec with the defaults: same dtype in and out, torch's `<name>_cpu` refusal, no gradient.
    pub fn new(name: &'static str, kernel: K) -> Spec<K> {
        Spec {
            name,
            compute: Compute::Same,
            output: Output::Same,
            kernel,
            refuse: Refusal::Kernel(""),
            grad: None,
            inplace_grad: None,
            params: Params::new(),
            scalar_slots: false,
            scalar_node: None,
            scalar_self_node: None,
            cast_name: None,
            check: None,
            promoted: None,
            out_rule: OutRule::Castable,
            c_dest_name: false,
        }
    }

    /// The (compute, result) dtypes for operands promoting to `promoted`.
    pub(crate) fn resolve(&self, promoted: DType) -> (DType, DType) {
        let compute = match self.compute {
            Compute::Same => promoted,
            Compute::Float if !promoted.is_floating() => default_float(),
            Compute::Float => promoted,
            Compute::Bool => DType::Bool,
        };
        let out = match self.output {
            Output::Same => compute,
            Output::Bool => DType::Bool,
        };
        (compute, out)
    }

    /// torch's checks of resolved dtypes, in its order: an op's own refusal of a dtype
    /// (`Refusal::Message`, made as torch builds the op), then the destination (`out=` by the
    /// op's [`OutRule`], in place by the cast rule), then that the kernel takes the compute dtype.
    pub(crate) fn admit(
        &self,
        (compute, out): (DType, DType),
        target: Option<Target>,
        supports: impl Fn(DType) -> bool,
    ) -> Result<()> {
        let refusal = || match self.refuse {
            Refusal::Kernel("") => Error::DTypeNotSupported {
                op: kernel_name(self.name),
                dtype: compute.torch_name(),
            },
            r => r.error(compute),
        };
        if matches!(self.refuse, Refusal::Message(_)) && !supports(compute) {
            return Err(refusal());
        }
        match target {
            Some(Target::Out(d)) if self.out_rule != OutRule::Castable => {
                self.check_out_dtype(out, d)?
            }
            Some(t) => self.check_cast(out, t)?,
            None => {}
        }
        if !supports(compute) {
            return Err(refusal());
        }
        Ok(())
    }

    /// The [`OutRule`] of an `out=` tensor of dtype `d` for a result of dtype `out`.
    fn check_out_dtype(&self, out: DType, d: DType) -> Result<()> {
        match self.out_rule {
            OutRule::Exact if d != out => Err(Error::OutDType {
                found: d.torch_name(),
                expected: out.torch_name(),
            }),
            OutRule::Bool if d != DType::Bool => Err(Error::Runtime(format!(
                "{} does not support non-boolean outputs.",
                self.name
            ))),
            OutRule::Input if d != out => Err(Error::Runtime(format!(
                "{}: dtype of out: {} should be same as input: {}",
                self.name,
                d.torch_name(),
                out.torch_name()
            ))),
            _ => out.check_cast_to(d),
        }
    }

    /// torch's cast rule for a result of dtype `out` written into `target`.
    fn check_cast(&self, out: DType, target: Target) -> Result<()> {
        let d = target.dtype();
        if out.can_cast_to(d) {
            return Ok(());
        }
        Err(match (self.cast_name, target) {
            (Some(name), _) => Error::Runtime(format!(
                "{} can't be cast to the desired output type {}",
                name,
                d.torch_name()
            )),
            (None, Target::InPlace(_)) if self.c_dest_name => Error::CannotCast {
                from: out.torch_name(),
                to: d.c_name(),
            },
            _ => Error::CannotCast {
                from: out.torch_name(),
                to: d.torch_name(),
            },
        })
    }

    /// [`Spec::resolve`] then [`Spec::admit`].
    pub(crate) fn dtypes(
        &self,
        promoted: DType,
        target: Option<Target>,
        supports: impl Fn(DType) -> bool,
    ) -> Result<(DType, DType)> {
        let d = self.resolve(promoted);
        self.admit(d, target, supports)?;
        Ok(d)
    }

    /// Records `out = op(operands)` when autograd needs it.
    pub fn record(&self, out: Tensor, operands: &[Value]) -> Result<Tensor> {
        self.record_as(self.grad, out, operands)
    }

    /// [`Spec::record`] for the in-place form (its own gradient, if it has one).
    fn record_in_place(&self, out: Tensor, operands: &[Value]) -> Result<Tensor> {
        self.record_as(self.inplace_grad.or(self.grad), out, operands)
    }

    /// Whether the in-place form writes without autograd (the logical ops; see
    /// [`Compute::Bool`]).
    fn untracked_in_place(&self) -> bool {
        self.compute == Compute::Bool
    }

    /// True when the op's result of `out_dtype` records a gradient (a comparison's bool result
    /// does not, though its in-place form records one).
    pub(crate) fn records(&self, out_dtype: DType) -> bool {
        self.grad.is_some() && out_dtype.is_floating()
    }

    /// torch's autograd layer refuses an in-place op on a leaf that requires grad before the
    /// op's own checks run (dtypes, casts, arguments), except for ops it does not track.
    pub(crate) fn check_leaf(&self, dest: &Dest<'_>, target: Option<&Tensor>) -> Result<()> {
        match (dest, target) {
            (Dest::InPlace, Some(t))
                if !self.untracked_in_place()
                    && t.requires_grad()
                    && t.is_leaf()
                    && crate::autograd::is_grad_enabled() =>
            {
                Err(crate::autograd::record::leaf_in_place_error())
            }
            _ => Ok(()),
        }
    }

    /// Records `out = op(operands)` with `grad`, when autograd needs it.
    fn record_as(&self, grad: Option<Grad>, out: Tensor, operands: &[Value]) -> Result<Tensor> {
        let Some(mut grad) = grad else {
            return Ok(out);
        };
        let tracked = operands
            .iter()
            .any(|v| matches!(v, Value::Tensor(t) if t.requires_grad()));
        if !tracked || !out.dtype().is_floating() || !crate::autograd::is_grad_enabled() {
            return Ok(out);
        }
        let scalar_other = matches!(operands.get(1), Some(Value::Scalar(_)));
        let slots = self.scalar_slots && !(scalar_other && self.scalar_node.is_some());
        if let (true, Some(node)) = (scalar_other, self.scalar_node) {
            grad.node = node;
        }
        if let (Some(Value::Scalar(_)), Some(node)) = (operands.first(), self.scalar_self_node) {
            grad.node = node;
        }
        let placeholder = Tensor::zeros(&[], DType::Bool)?;
        let inputs: Vec<&Tensor> = operands
            .iter()
            .filter_map(|v| match v {
                Value::Tensor(t) => Some(t),
                Value::Scalar(_) => slots.then_some(&placeholder),
            })
            .collect();
        let o = out.clone();
        Ok(record(out, grad.node, &inputs, || {
            PointwiseRule::new(
                grad.node,
                grad.formula,
                operands,
                grad.saves,
                &o,
                self.params.clone(),
                slots,
            )
        }))
    }
}

/// The dtypes a kernel runs in for the (compute, result) dtypes of an op: the half types compute
/// in float32 and the small integers in int32 (the kernels are compiled for the five kernel dtypes
/// only); the result is converted back, rounding once (or wrapping) as torch's CPU kernels do.
pub(crate) fn kernel_dtypes((compute, out): (DType, DType)) -> (DType, DType) {
    let kc = compute.compute_dtype();
    (
        kc,
        if out == compute {
            kc
        } else {
            out.compute_dtype()
        },
    )
}

/// `r` (a fresh kernel result, untracked) in `dtype`.
pub(crate) fn narrow(r: Tensor, dtype: DType) -> Result<Tensor> {
    if r.dtype() == dtype {
        Ok(r)
    } else {
        r.to_dtype(dtype)
    }
}

/// torch's kernel name in dtype errors: `floor` -> `floor_cpu`.
fn kernel_name(name: &'static str) -> &'static str {
    // Leaked once per op name at most: the set of names is fixed.
    use std::collections::HashMap;
    use std::sync::{Mutex, OnceLock};
    static NAMES: OnceLock<Mutex<HashMap<&'static str, &'static str>>> = OnceLock::new();
    let mut map = NAMES
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(|e| e.into_inner());
    map.entry(name)
        .or_insert_with(|| Box::leak(format!("{}_cpu", name).into_boxed_str()))
}

/// `t` in `dtype`, without recording (the kernel's input; the node links to `t` itself).
fn operand(t: &Tensor, dtype: DType) -> Result<Cow<'_, Tensor>> {
    if t.dtype() == dtype {
        // Kernels record nothing: the tensor itself is the operand, with no new handle.
        Ok(Cow::Borrowed(t))
    } else {
        Ok(Cow::Owned(t.detach().to_dtype(dtype)?))
    }
}

/// Runs a one-operand op into `dest`.
pub fn unary<K: Kernel1>(x: &Tensor, dest: Dest<'_>, spec: &Spec<K>) -> Result<Tensor> {
    spec.check_leaf(&dest, Some(x))?;
    let promoted = spec.promoted.unwrap_or(x.dtype());
    let (compute, out_dtype) = spec.dtypes(promoted, Target::of_tensor(dest, x), |d| {
        spec.kernel.supports(d.compute_dtype())
    })?;
    let (kc, ko) = kernel_dtypes((compute, out_dtype));
    let fresh = |x: &Tensor| -> Result<Tensor> {
        let src = operand(x, kc)?;
        let out = empty_like_preserving(&src, ko)?;
        spec.kernel.run(kc, &src, &out)?;
        narrow(out, out_dtype)
    };
    match dest {
        Dest::New => spec.record(fresh(x)?, &[Value::Tensor(x.clone())]),
        Dest::Out(o) => {
            check_out(o, &[x], spec.records(out_dtype))?;
            check_destination(o, x.shape(), out_dtype)?;
            let r = fresh(x)?;
            crate::kernels::copy::copy_checked(o, &r)?;
            Ok(o.clone())
        }
        Dest::InPlace => {
            check_destination(x, x.shape(), out_dtype)?;
            check_writable(x)?;
            let raw = || {
                if compute == x.dtype() && out_dtype == x.dtype() && kc == compute {
                    if let Some(r) = spec.kernel.run_in_place(compute, x) {
                        r?;
                        x.bump_version();
                        return Ok(());
                    }
                }
                crate::kernels::copy::copy_checked(x, &fresh(x)?)
            };
            if spec.untracked_in_place() {
                raw()?;
            } else {
                in_place(x, &[], raw, |snapshot| {
                    let r =
                        spec.record_in_place(fresh(snapshot)?, &[Value::Tensor(snapshot.clone())])?;
                    r.to_dtype(x.dtype())
                })?;
            }
            Ok(x.clone())
        }
    }
}

/// The promoted dtype of two operands.
pub fn promote(a: &Value, b: &Value) -> DType {
    b.add_to(a.add_to(ResultType::default())).finish()
}

/// Runs a two-operand op into `dest` (in place: into `a`, which must be a tensor).
pub fn binary<K: Kernel2>(a: &Value, b: &Value, dest: Dest<'_>, spec: &Spec<K>) -> Result<Tensor> {
    spec.check_leaf(&dest, a.tensor())?;
    // The op's own check comes first (torch makes it as it builds the op), then the dtypes'.
    let (compute, out_dtype) = spec.resolve(promote(a, b));
    let target = Target::of(dest, a);
    if let Some(check) = spec.check {
        check(compute, &[a, b], target.map(Target::dtype))?;
    }
    spec.admit((compute, out_dtype), target, |d| {
        spec.kernel.supports(d.compute_dtype())
    })?;
    let shape: Cow<'_, [usize]> = if a.shape() == b.shape() {
        Cow::Borrowed(a.shape())
    } else {
        Cow::Owned(broadcast_shapes(a.shape(), b.shape())?)
    };
    // A kernel compiled for a half type runs it natively when both operands are tensors (a number
    // stays in float32, as torch's `opmath` keeps it).
    let native = compute.is_kernel_dtype()
        || (spec.kernel.supports(compute) && a.tensor().is_some() && b.tensor().is_some());
    let (kc, ko) = if native {
        (compute, out_dtype)
    } else {
        kernel_dtypes((compute, out_dtype))
    };
    let fresh = |x: &Value, y: &Value| -> Result<Tensor> {
        let out = Tensor::uninit(&shape, ko)?;
        let x = fit(value_operand(x, kc)?, &shape);
        let y = fit(value_operand(y, kc)?, &shape);
        spec.kernel.run(kc, &x, &y, &out)?;
        narrow(out, out_dtype)
    };
    match dest {
        Dest::New => spec.record(fresh(a, b)?, &[a.clone(), b.clone()]),
        Dest::Out(o) => {
            let inputs: Vec<&Tensor> = [a, b].into_iter().filter_map(Value::tensor).collect();
            check_out(o, &inputs, spec.records(out_dtype))?;
            check_destination(o, &shape, out_dtype)?;
            crate::kernels::copy::copy_checked(o, &fresh(a, b)?)?;
            Ok(o.clone())
        }
        Dest::InPlace => {
            let Value::Tensor(x) = a else {
                return Err(Error::Runtime(
                    "internal error: in place into a number".into(),
                ));
            };
            check_destination(x, &shape, out_dtype)?;
            check_writable(x)?;
            let raw = || {
                if compute == x.dtype() && out_dtype == x.dtype() && kc == compute {
                    // `b` is copied first when it shares `x`'s memory (`a += a`), and
                    // refused when it overlaps it partly, as torch does.
                    let y = match b {
                        Value::Tensor(t) => Value::Tensor(detach_source(x, t)?),
                        s => s.clone(),
                    };
                    let yt = value_operand(&y, compute)?.into_owned();
                    spec.kernel.run(compute, x, &yt.broadcast_to(&shape), x)?;
                    x.bump_version();
                    Ok(())
                } else {
                    crate::kernels::copy::copy_checked(x, &fresh(a, b)?)
                }
            };
            if spec.untracked_in_place() {
                raw()?;
                return Ok(x.clone());
            }
            let others: Vec<&Tensor> = b.tensor().into_iter().collect();
            in_place(x, &others, raw, |snapshot| {
                let s = Value::Tensor(snapshot.clone());
                let r = fresh(&s, b)?;
                let operands = [s, b.clone()];
                // A bool result cast into a float tensor in place: that is what is
                // differentiated (comparisons' zero gradients).
                match spec.output {
                    Output::Bool => spec.record_in_place(r.to_dtype(x.dtype())?, &operands),
                    Output::Same => spec.record_in_place(r, &operands)?.to_dtype(x.dtype()),
                }
            })?;
            Ok(x.clone())
        }
    }
}

/// An operand broadcast to `shape` (itself when it already has it: no new handle).
pub(crate) fn fit<'a>(t: Cow<'a, Tensor>, shape: &[usize]) -> Cow<'a, Tensor> {
    if t.shape() == shape {
        t
    } else {
        Cow::Owned(t.broadcast_to(shape))
    }
}

/// A binary operand in `dtype`, without recording (scalars become 0-dim tensors).
pub(crate) fn value_operand(v: &Value, dtype: DType) -> Result<Cow<'_, Tensor>> {
    match v {
        Value::Tensor(t) => operand(t, dtype),
        Value::Scalar(s) => Ok(Cow::Owned(Tensor::scalar_tensor(*s, dtype)?)),
    }
}
