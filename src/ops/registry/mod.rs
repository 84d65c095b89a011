//! The op registry: every op rtensor exposes is declared once, as an [`OpDef`] in its family's
//! file under `ops/`. A declaration gives the Python names (function, Tensor method, in-place
//! `op_` method, `out=`, aliases and namespaced aliases such as `special.expit`), the signatures
//! torch's argument parser would use, the autograd node names the op records, a doc line, and the
//! function that runs it. The bindings install every declaration (`python/ops.rs`); the stubs and
//! docs/OPS.md are printed from the same table (`rtensor._rtensor._registry()`).

pub mod args;
pub mod dest;
pub mod signature;

pub use args::{Arg, Args};
pub use dest::Dest;
pub use signature::{ParamType, Signature};

use crate::error::Result;
use crate::tensor::Tensor;

/// What an op returns to Python.
#[derive(Debug)]
pub enum Ret {
    /// One tensor.
    Tensor(Tensor),
    /// A named tuple of tensors (`rtensor.return_types.<name>`), or a plain tuple for `""`.
    Tuple(&'static str, Vec<Tensor>),
    /// A Python list of tensors.
    List(Vec<Tensor>),
    /// A Python bool.
    Bool(bool),
    /// A Python int.
    Int(i64),
    /// A Python float.
    Float(f64),
}

impl Ret {
    /// True when a tensor of the result has a gradient, not only a node whose backward fails
    /// (torch's `NotImplemented`, which `out=` does not refuse).
    pub fn has_derivative(&self) -> bool {
        let derivative = |t: &Tensor| {
            t.requires_grad() && t.grad_fn().is_none_or(|n| n.name != "NotImplemented")
        };
        match self {
            Ret::Tensor(t) => derivative(t),
            Ret::Tuple(_, ts) | Ret::List(ts) => ts.iter().any(derivative),
            Ret::Bool(_) | Ret::Int(_) | Ret::Float(_) => false,
        }
    }
}

impl From<Tensor> for Ret {
    fn from(t: Tensor) -> Ret {
        Ret::Tensor(t)
    }
}

/// Which Python forms an op has.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Forms(u8);

impl Forms {
    /// `rtensor.<name>(...)` (or `rtensor.<namespace>.<name>`).
    pub const FUNCTION: Forms = Forms(1);
    /// `Tensor.<name>(...)`.
    pub const METHOD: Forms = Forms(2);
    /// `Tensor.<name>_(...)`, writing into the tensor.
    pub const INPLACE: Forms = Forms(4);
    /// `out=` on the function.
    pub const OUT: Forms = Forms(8);
    /// Function and method.
    pub const BOTH: Forms = Forms(3);
    /// Function, method and in-place method, without `out=`.
    pub const BOTH_INPLACE: Forms = Forms(7);
    /// Function, method and `out=`, without an in-place form.
    pub const BOTH_OUT: Forms = Forms(11);
    /// Function and `out=`.
    pub const FUNCTION_OUT: Forms = Forms(9);
    /// Function, method, in-place method and `out=`: a pointwise op.
    pub const ALL: Forms = Forms(15);

    /// Both sets of forms.
    pub const fn with(self, other: Forms) -> Forms {
        Forms(self.0 | other.0)
    }

    /// True when every form of `other` is in `self`.
    pub const fn has(self, other: Forms) -> bool {
        self.0 & other.0 == other.0
    }
}

/// The runner of an op: the parsed arguments and where the result goes.
pub type Runner = fn(&Args, Dest<'_>) -> Result<Ret>;

/// One op, declared once.
pub struct OpDef {
    /// The Python name; `special.ndtr` puts a function in the `special` namespace only.
    pub name: &'static str,
    /// One line for `help()` and the ops table.
    pub doc: &'static str,
    /// The overloads, tried in order, in torch's argument-parser notation. The first parameter
    /// of a method's signature is the tensor it is called on.
    pub signatures: &'static [&'static str],
    /// Which forms exist.
    pub forms: Forms,
    /// Other names: a bare alias names every form (`absolute`, `absolute_`); one with a namespace
    /// (`special.expit`) names a function there.
    pub aliases: &'static [&'static str],
    /// The autograd node names the op records (`FloorBackward0`); empty when not differentiable.
    pub nodes: &'static [&'static str],
    /// The method's overloads when they differ from the function's (`Tensor.where(condition,
    /// other)` against `rtensor.where(condition, input, other)`); empty: the function's.
    pub method_signatures: &'static [&'static str],
    /// The file that declares the op (its kernel and gradient formula are there or named there).
    pub source: &'static str,
    /// Runs the op.
    pub run: Runner,
}

impl OpDef {
    /// The namespace (`""` for `rtensor.*`) and the Python name.
    pub fn split_name(&self) -> (&'static str, &'static str) {
        split_qualified(self.name)
    }

    /// The signatures a method form has: those whose first parameter can be the tensor the
    /// method is called on (`pow(Scalar self, Tensor exponent)` is a function overload only).
    pub fn method_signatures(&self) -> Vec<Signature> {
        self.method_overloads()
            .into_iter()
            .map(|(_, s)| s)
            .collect()
    }

    /// The method's signatures with the index each has among the op's declared function
    /// signatures (so the runner sees the function's overload numbers), or among
    /// `method_signatures` when the op declares its own.
    pub fn method_overloads(&self) -> Vec<(usize, Signature)> {
        let sigs = if self.method_signatures.is_empty() {
            self.parsed_signatures().unwrap_or_default()
        } else {
            self.method_signatures
                .iter()
                .filter_map(|s| Signature::parse(s).ok())
                .collect()
        };
        sigs.into_iter()
            .enumerate()
            .filter(|(_, s)| {
                matches!(
                    s.params.first().map(|p| p.ty),
                    Some(ParamType::Tensor | ParamType::Value)
                )
            })
            .map(|(i, mut s)| {
                s.params.retain(|p| p.name != "out");
                (i, s)
            })
            .collect()
    }

    /// Parses the signatures (done once by the bindings; `cargo test` checks every declaration).
    pub fn parsed_signatures(&self) -> Result<Vec<Signature>> {
        self.signatures
            .iter()
            .map(|s| {
                let mut sig = Signature::parse(s)?;
                if self.forms.has(Forms::OUT) && sig.index_of("out").is_none() {
                    sig.params.push(signature::Param {
                        name: "out".into(),
                        ty: ParamType::Tensor,
                        optional: true,
                        size: 0,
                        default: Some(signature::Default::None),
                        kw_only: true,
                        varargs: false,
                        alias: false,
                    });
                }
                Ok(sig)
            })
            .collect()
    }
}

/// Splits `special.expit` into (`special`, `expit`).
pub fn split_qualified(name: &'static str) -> (&'static str, &'static str) {
    match name.rsplit_once('.') {
        Some((ns, n)) => (ns, n),
        None => ("", name),
    }
}

/// Every declared op, family by family.
pub fn all() -> impl Iterator<Item = &'static OpDef> {
    crate::ops::FAMILIES.iter().flat_map(|f| f.iter().copied())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn every_declaration_parses_and_names_are_unique() {
        let mut names = HashSet::new();
        for op in all() {
            let sigs = op
                .parsed_signatures()
                .unwrap_or_else(|e| panic!("{}: {}", op.name, e));
            assert!(!sigs.is_empty(), "{} has no signature", op.name);
            let short = op.split_name().1;
            for s in &sigs {
                assert_eq!(s.name, short, "{}: signature named {}", op.name, s.name);
            }
            if op.forms.has(Forms::METHOD) || op.forms.has(Forms::INPLACE) {
                assert!(
                    !op.method_signatures().is_empty(),
                    "{}: a method needs a signature whose first parameter is a Tensor",
                    op.name
                );
            }
            for n in std::iter::once(op.name).chain(op.aliases.iter().copied()) {
                assert!(names.insert(n), "{} is declared twice", n);
            }
            assert!(!op.doc.is_empty(), "{} has no doc", op.name);
        }
    }
}
