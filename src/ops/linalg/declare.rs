//! The registry declarations of the linear-algebra family: the products (`mm`, `mv`, `dot`,
//! `bmm`, `matmul`, `outer`, `einsum`) and the norms (`norm`, `linalg.vector_norm`,
//! `linalg.matrix_norm`, `linalg.norm`).

use super::NormOrder;
use crate::error::{Error, Result};
use crate::ops::registry::{Arg, Args, Forms, OpDef};
use crate::tensor::Tensor;

/// A product of two tensors, declared by name, argument name and the method that computes it.
macro_rules! product {
    ($(#[$doc:meta])* $stat:ident, $name:literal, $other:literal, $node:literal, $doc_text:literal, $f:expr) => {
        product!($(#[$doc])* $stat, $name, $other, $node, $doc_text, $f, &[]);
    };
    ($(#[$doc:meta])* $stat:ident, $name:literal, $other:literal, $node:literal, $doc_text:literal, $f:expr, $aliases:expr) => {
        $(#[$doc])*
        pub static $stat: OpDef = OpDef {
            name: $name,
            doc: $doc_text,
            signatures: &[concat!($name, "(Tensor input, Tensor ", $other, ")")],
            forms: Forms::BOTH_OUT,
            aliases: $aliases,
            nodes: &[$node],
            method_signatures: &[],
            source: file!(),
            run: |a, d| {
                let f: fn(&Tensor, &Tensor) -> Result<Tensor> = $f;
                d.finish(a, |a| f(a.tensor(0)?, a.tensor(1)?))
            },
        };
    };
}

product!(
    /// `mm`.
    MM, "mm", "mat2", "MmBackward0", "The matrix product of two 2-D tensors.", Tensor::mm
);
product!(
    /// `mv`.
    MV, "mv", "vec", "MvBackward0", "The product of a matrix and a vector.", Tensor::mv
);
product!(
    /// `dot`.
    DOT, "dot", "tensor", "DotBackward0", "The inner product of two 1-D tensors.", Tensor::dot
);
product!(
    /// `bmm`.
    BMM, "bmm", "mat2", "BmmBackward0", "The batched matrix product of two 3-D tensors.", Tensor::bmm
);
product!(
    /// `outer`.
    OUTER, "outer", "vec2", "MulBackward0", "The outer product of two vectors.", Tensor::outer,
    &["ger"]
);

/// `matmul`.
pub static MATMUL: OpDef = OpDef {
    name: "matmul",
    doc:
        "The matrix product with torch's rules: dot, mv, mm, or batched with broadcast batch dims.",
    signatures: &["matmul(Tensor input, Tensor other)"],
    forms: Forms::BOTH_OUT,
    aliases: &["linalg.matmul"],
    nodes: &[
        "DotBackward0",
        "MvBackward0",
        "MmBackward0",
        "SqueezeBackward4",
        "UnsafeViewBackward0",
        "CloneBackward0",
        "TransposeBackward0",
    ],
    method_signatures: &[],
    source: file!(),
    run: |a, d| d.finish(a, |a| a.tensor(0)?.matmul(a.tensor(1)?)),
};

/// `einsum`.
pub static EINSUM: OpDef = OpDef {
    name: "einsum",
    doc: "Sums products of the operands' elements over the indices the equation names.",
    signatures: &["einsum(str equation, Tensor[]... tensors)"],
    forms: Forms::FUNCTION,
    aliases: &[],
    nodes: &[],
    method_signatures: &[],
    source: file!(),
    run: |a, d| d.finish(a, |a| super::einsum::einsum(a.str(0)?, a.tensors(1)?)),
};

/// A norm order argument: a number, or `'fro'` / `'nuc'`.
fn order(a: &Args, i: usize) -> Result<Option<NormOrder>> {
    Ok(match a.values.get(i) {
        Some(Arg::Str(s)) => Some(match s.as_str() {
            "fro" => NormOrder::Fro,
            "nuc" => NormOrder::Nuc,
            other => {
                return Err(Error::Runtime(format!(
                    "linalg.matrix_norm: Order {} not supported.",
                    other
                )))
            }
        }),
        Some(Arg::None) | None => None,
        _ => Some(NormOrder::Num(a.scalar(i)?.as_f64())),
    })
}

/// The input in `dtype=` when given (torch computes the norm in it).
fn in_dtype(a: &Args, i: usize) -> Result<Tensor> {
    match a.opt_dtype(i)? {
        Some(d) => a.tensor(0)?.to_dtype(d),
        None => Ok(a.tensor(0)?.clone()),
    }
}

/// `norm`.
pub static NORM: OpDef = OpDef {
    name: "norm",
    doc: "The `p`-norm over `dim` (Frobenius, the 2-norm of every element, by default).",
    signatures: &["norm(Tensor input, ScalarOrStr? p='fro', int[1]? dim=None, bool keepdim=False, *, ScalarType? dtype=None)"],
    forms: Forms::BOTH_OUT,
    aliases: &[],
    nodes: &["NormBackward1", "LinalgVectorNormBackward0"],
    method_signatures: &[],
    source: file!(),
    run: |a, d| {
        d.finish(a, |a| {
            let p = order(a, 1)?.unwrap_or(NormOrder::Fro);
            in_dtype(a, 4)?.norm(p, a.opt_ints(2)?, a.bool(3)?)
        })
    },
};

/// `linalg.vector_norm`.
pub static VECTOR_NORM: OpDef = OpDef {
    name: "linalg.vector_norm",
    doc: "The vector `ord`-norm over `dim` (every element by default).",
    signatures: &["vector_norm(Tensor x, Scalar ord=2, int[1]? dim=None, bool keepdim=False, *, ScalarType? dtype=None)"],
    forms: Forms::FUNCTION_OUT,
    aliases: &[],
    nodes: &["LinalgVectorNormBackward0"],
    method_signatures: &[],
    source: file!(),
    run: |a, d| {
        d.finish(a, |a| {
            in_dtype(a, 4)?.vector_norm(a.scalar(1)?.as_f64(), a.opt_ints(2)?, a.bool(3)?)
        })
    },
};

/// `linalg.matrix_norm`.
pub static MATRIX_NORM: OpDef = OpDef {
    name: "linalg.matrix_norm",
    doc: "The matrix `ord`-norm over the two dims `dim` (Frobenius by default).",
    signatures: &["matrix_norm(Tensor A, ScalarOrStr ord='fro', int[] dim=[-2, -1], bool keepdim=False, *, ScalarType? dtype=None)"],
    forms: Forms::FUNCTION_OUT,
    aliases: &[],
    nodes: &["LinalgVectorNormBackward0", "AmaxBackward0", "AminBackward0"],
    method_signatures: &[],
    source: file!(),
    run: |a, d| {
        d.finish(a, |a| {
            let ord = order(a, 1)?.unwrap_or(NormOrder::Fro);
            in_dtype(a, 4)?.matrix_norm(ord, a.ints(2)?, a.bool(3)?)
        })
    },
};

/// `linalg.norm`.
pub static LINALG_NORM: OpDef = OpDef {
    name: "linalg.norm",
    doc: "A vector or matrix norm, chosen by `ord` and `dim` as torch.linalg.norm does.",
    signatures: &["norm(Tensor A, ScalarOrStr? ord=None, int[1]? dim=None, bool keepdim=False, *, ScalarType? dtype=None)"],
    forms: Forms::FUNCTION_OUT,
    aliases: &[],
    nodes: &["LinalgVectorNormBackward0", "AmaxBackward0", "AminBackward0"],
    method_signatures: &[],
    source: file!(),
    run: |a, d| {
        d.finish(a, |a| {
            in_dtype(a, 4)?.linalg_norm(order(a, 1)?, a.opt_ints(2)?, a.bool(3)?)
        })
    },
};

/// `dist`.
pub static DIST: OpDef = OpDef {
    name: "dist",
    doc: "The `p`-norm of `input - other` (broadcast).",
    signatures: &["dist(Tensor input, Tensor other, Scalar p=2)"],
    forms: Forms::BOTH,
    aliases: &[],
    nodes: &["DistBackward0"],
    method_signatures: &[],
    source: file!(),
    run: |a, _| {
        Ok(a.tensor(0)?
            .dist(a.tensor(1)?, a.scalar(2)?.as_f64())?
            .into())
    },
};

/// The declarations of this file.
pub static OPS: &[&OpDef] = &[
    &DIST,
    &MM,
    &MV,
    &DOT,
    &BMM,
    &OUTER,
    &MATMUL,
    &EINSUM,
    &NORM,
    &VECTOR_NORM,
    &MATRIX_NORM,
    &LINALG_NORM,
];
