//! The declarations of the gather/scatter family.

use super::ScatterKind;
use crate::error::{Error, Result};
use crate::ops::registry::{Args, Dest, Forms, OpDef, Ret};
use crate::tensor::Tensor;
use crate::value::Value;

/// torch's `out=` rule for these ops: the result's dtype (the input's) exactly.
fn finish_exact(d: Dest<'_>, a: &Args, f: impl Fn(&Args) -> Result<Tensor>) -> Result<Ret> {
    if let Dest::Out(o) = d {
        check_out_overlap(o, a)?;
        let want = a.tensor(0)?.dtype();
        if o.dtype() != want {
            return Err(Error::Runtime(format!(
                "Expected out tensor to have dtype {}, but got {} instead",
                want.c_name(),
                o.dtype().c_name()
            )));
        }
    }
    d.finish(a, f)
}

/// torch's refusal of an `out=` tensor that shares memory with an input.
fn check_out_overlap(out: &Tensor, a: &Args) -> Result<()> {
    if a.all_tensors()
        .iter()
        .any(|t| crate::kernels::copy::may_overlap(out, t))
    {
        return Err(Error::Runtime(
            "unsupported operation: some elements of the input tensor and the written-to tensor refer to a single memory location. Please clone() the tensor before performing the operation."
                .into(),
        ));
    }
    Ok(())
}

/// Runs an in-place op on argument 0 and returns it.
fn in_place(a: &Args, f: impl FnOnce(&Tensor) -> Result<()>) -> Result<Ret> {
    let t = a.tensor(0)?;
    f(t)?;
    Ok(Ret::Tensor(t.clone()))
}

/// The kind of `scatter` a `reduce=` argument asks for.
fn scatter_kind(reduce: Option<&str>) -> Result<ScatterKind> {
    match reduce {
        None => Ok(ScatterKind::Set),
        Some("add") => Ok(ScatterKind::ReduceAdd),
        Some("multiply") => Ok(ScatterKind::ReduceMul),
        Some(_) => Err(Error::Runtime(
            "reduce argument must be either add or multiply.".into(),
        )),
    }
}

/// `gather`.
pub static GATHER: OpDef = OpDef {
    name: "gather",
    doc: "Gathers values along `dim`: `out[i][j] = input[i][index[i][j]]` for `dim=1`.",
    signatures: &["gather(Tensor input, int dim, Tensor index, *, bool sparse_grad=False)"],
    forms: Forms::BOTH_OUT,
    aliases: &[],
    nodes: &["GatherBackward0"],
    method_signatures: &[],
    source: file!(),
    run: |a, d| finish_exact(d, a, |a| a.tensor(0)?.gather(a.int(1)?, a.tensor(2)?)),
};

/// `scatter_add`.
pub static SCATTER_ADD: OpDef = OpDef {
    name: "scatter_add",
    doc: "Sums `src` into `input` at `index` along `dim` (repeated indices add up).",
    signatures: &["scatter_add(Tensor input, int dim, Tensor index, Tensor src)"],
    forms: Forms::ALL,
    aliases: &[],
    nodes: &["ScatterAddBackward0"],
    method_signatures: &[],
    source: file!(),
    run: |a, d| {
        let src = Value::Tensor(a.tensor(3)?.clone());
        match d {
            Dest::InPlace => in_place(a, |t| {
                t.scatter_value_(a.int(1)?, a.tensor(2)?, &src, ScatterKind::Add)
            }),
            _ => finish_exact(d, a, |a| {
                a.tensor(0)?
                    .scatter_value(a.int(1)?, a.tensor(2)?, &src, ScatterKind::Add)
            }),
        }
    },
};

/// `scatter`.
pub static SCATTER: OpDef = OpDef {
    name: "scatter",
    doc: "Writes `src` (or `value`) into `input` at `index` along `dim`; `reduce='add'|'multiply'` combines instead.",
    signatures: &[
        "scatter(Tensor input, int dim, Tensor index, Tensor src, *, str? reduce=None)",
        "scatter(Tensor input, int dim, Tensor index, Scalar value, *, str? reduce=None)",
    ],
    forms: Forms::ALL,
    aliases: &[],
    nodes: &["ScatterBackward0", "ScatterBackward1"],
    method_signatures: &[],
    source: file!(),
    run: |a, d| {
        let kind = scatter_kind(a.opt_str(4)?)?;
        let src = a.value(3)?;
        match d {
            Dest::InPlace => in_place(a, |t| t.scatter_value_(a.int(1)?, a.tensor(2)?, &src, kind)),
            _ => finish_exact(d, a, |a| {
                a.tensor(0)?.scatter_value(a.int(1)?, a.tensor(2)?, &src, kind)
            }),
        }
    },
};

/// `index_select`.
pub static INDEX_SELECT: OpDef = OpDef {
    name: "index_select",
    doc: "The slices of `dim` named by the vector `index`, in its order.",
    signatures: &["index_select(Tensor input, int dim, Tensor index)"],
    forms: Forms::BOTH_OUT,
    aliases: &[],
    nodes: &["IndexSelectBackward0"],
    method_signatures: &[],
    source: file!(),
    run: |a, d| {
        if let Dest::Out(o) = d {
            check_out_overlap(o, a)?;
            if o.dtype() != a.tensor(0)?.dtype() {
                return Err(Error::Runtime(
                    "index_select(): self and result must have the same scalar type".into(),
                ));
            }
        }
        d.finish(a, |a| a.tensor(0)?.index_select(a.int(1)?, a.tensor(2)?))
    },
};

/// `take_along_dim`.
pub static TAKE_ALONG_DIM: OpDef = OpDef {
    name: "take_along_dim",
    doc: "Gathers along `dim` after broadcasting `input` and `indices` (flattened without `dim`); indices are checked.",
    signatures: &["take_along_dim(Tensor input, Tensor indices, int? dim=None)"],
    forms: Forms::BOTH_OUT,
    aliases: &[],
    nodes: &["GatherBackward0"],
    method_signatures: &[],
    source: file!(),
    run: |a, d| {
        finish_exact(d, a, |a| {
            a.tensor(0)?.take_along_dim(a.tensor(1)?, a.opt_int(2)?)
        })
    },
};

/// `index_add`.
pub static INDEX_ADD: OpDef = OpDef {
    name: "index_add",
    doc: "Adds `alpha * source` into `input` at the slices of `dim` named by `index` (repeated indices add up).",
    signatures: &["index_add(Tensor input, int dim, Tensor index, Tensor source, *, Scalar alpha=1)"],
    forms: Forms::ALL,
    aliases: &[],
    nodes: &["IndexAddBackward0"],
    method_signatures: &[],
    source: file!(),
    run: |a, d| {
        let (dim, index, source, alpha) = (a.int(1)?, a.tensor(2)?, a.tensor(3)?, a.scalar(4)?);
        match d {
            Dest::InPlace => in_place(a, |t| t.index_add_(dim, index, source, alpha)),
            _ => finish_exact(d, a, |a| a.tensor(0)?.index_add(dim, index, source, alpha)),
        }
    },
};

/// `index_copy`.
pub static INDEX_COPY: OpDef = OpDef {
    name: "index_copy",
    doc: "Copies the slices of `source` into `input` at the slices of `dim` named by `index`.",
    signatures: &["index_copy(Tensor input, int dim, Tensor index, Tensor source)"],
    forms: Forms::ALL,
    aliases: &[],
    nodes: &["IndexCopyBackward0"],
    method_signatures: &[],
    source: file!(),
    run: |a, d| {
        let (dim, index, source) = (a.int(1)?, a.tensor(2)?, a.tensor(3)?);
        match d {
            Dest::InPlace => in_place(a, |t| t.index_copy_(dim, index, source)),
            _ => finish_exact(d, a, |a| a.tensor(0)?.index_copy(dim, index, source)),
        }
    },
};

/// `index_fill`.
pub static INDEX_FILL: OpDef = OpDef {
    name: "index_fill",
    doc: "Fills the slices of `dim` named by `index` with `value` (a number or a 0-dim tensor).",
    signatures: &[
        "index_fill(Tensor input, int dim, Tensor index, Tensor value)",
        "index_fill(Tensor input, int dim, Tensor index, Scalar value)",
    ],
    forms: Forms::BOTH_INPLACE,
    aliases: &[],
    nodes: &["IndexFillBackward0", "IndexFillBackward1"],
    method_signatures: &[],
    source: file!(),
    run: |a, d| {
        let (dim, index, value) = (a.int(1)?, a.tensor(2)?, a.value(3)?);
        match d {
            Dest::InPlace => in_place(a, |t| t.index_fill_(dim, index, &value)),
            _ => d.finish(a, |a| a.tensor(0)?.index_fill(dim, index, &value)),
        }
    },
};

/// `take`.
pub static TAKE: OpDef = OpDef {
    name: "take",
    doc:
        "The elements at flat positions `index` (negative count from the end), in `index`'s shape.",
    signatures: &["take(Tensor input, Tensor index)"],
    forms: Forms::BOTH_OUT,
    aliases: &[],
    nodes: &["TakeBackward0"],
    method_signatures: &[],
    source: file!(),
    run: |a, d| finish_exact(d, a, |a| a.tensor(0)?.take(a.tensor(1)?)),
};

/// `put`.
pub static PUT: OpDef = OpDef {
    name: "put",
    doc: "Writes `source` at the flat positions `index` (summing with `accumulate=True`).",
    signatures: &["put(Tensor input, Tensor index, Tensor source, bool accumulate=False)"],
    forms: Forms::BOTH_INPLACE,
    aliases: &[],
    nodes: &["PutBackward0"],
    method_signatures: &[],
    source: file!(),
    run: |a, d| {
        let (index, source, acc) = (a.tensor(1)?, a.tensor(2)?, a.bool(3)?);
        match d {
            Dest::InPlace => in_place(a, |t| t.put_(index, source, acc)),
            _ => d.finish(a, |a| a.tensor(0)?.put(index, source, acc)),
        }
    },
};

/// `masked_fill`.
pub static MASKED_FILL: OpDef = OpDef {
    name: "masked_fill",
    doc: "`value` (a number or a 0-dim tensor) where the bool `mask` holds; `mask` broadcasts.",
    signatures: &[
        "masked_fill(Tensor input, Tensor mask, Tensor value)",
        "masked_fill(Tensor input, Tensor mask, Scalar value)",
    ],
    forms: Forms::BOTH_INPLACE,
    aliases: &[],
    nodes: &["MaskedFillBackward0", "MaskedFillBackward1"],
    method_signatures: &[],
    source: file!(),
    run: |a, d| {
        let (mask, value) = (a.tensor(1)?, a.value(2)?);
        match d {
            Dest::InPlace => in_place(a, |t| t.masked_fill_(mask, &value)),
            _ => d.finish(a, |a| a.tensor(0)?.masked_fill(mask, &value)),
        }
    },
};

/// `masked_select`.
pub static MASKED_SELECT: OpDef = OpDef {
    name: "masked_select",
    doc: "The elements where the bool `mask` holds (input and mask broadcast), as a vector.",
    signatures: &["masked_select(Tensor input, Tensor mask)"],
    forms: Forms::BOTH_OUT,
    aliases: &[],
    nodes: &["MaskedSelectBackward0"],
    method_signatures: &[],
    source: file!(),
    run: |a, d| finish_exact(d, a, |a| a.tensor(0)?.masked_select(a.tensor(1)?)),
};

/// `masked_scatter`.
pub static MASKED_SCATTER: OpDef = OpDef {
    name: "masked_scatter",
    doc: "Writes `source`'s elements, in order, where the bool `mask` holds.",
    signatures: &["masked_scatter(Tensor input, Tensor mask, Tensor source)"],
    forms: Forms::BOTH_INPLACE,
    aliases: &[],
    nodes: &["MaskedScatterBackward0"],
    method_signatures: &[],
    source: file!(),
    run: |a, d| {
        let (mask, source) = (a.tensor(1)?, a.tensor(2)?);
        match d {
            Dest::InPlace => in_place(a, |t| t.masked_scatter_(mask, source)),
            _ => d.finish(a, |a| a.tensor(0)?.masked_scatter(mask, source)),
        }
    },
};

/// `nonzero`.
pub static NONZERO: OpDef = OpDef {
    name: "nonzero",
    doc: "The coordinates of the nonzero elements: one row each, or one vector per dim with `as_tuple=True`.",
    signatures: &["nonzero(Tensor input, *, bool as_tuple=False)"],
    forms: Forms::BOTH_OUT,
    aliases: &[],
    nodes: &[],
    method_signatures: &[],
    source: file!(),
    run: |a, d| {
        if a.bool(1)? {
            if let Dest::Out(_) = d {
                return Err(Error::Runtime(
                    "nonzero(): as_tuple=True does not take out=".into(),
                ));
            }
            return Ok(Ret::Tuple("", a.tensor(0)?.nonzero_tuple()?));
        }
        if let Dest::Out(o) = d {
            if o.dtype() != crate::DType::Int64 {
                return Err(Error::Runtime(format!(
                    "nonzero: Expected out tensor to have scalar type Long but got scalar type{}",
                    o.dtype().torch_name()
                )));
            }
        }
        d.finish(a, |a| a.tensor(0)?.nonzero())
    },
};

/// `argwhere`.
pub static ARGWHERE: OpDef = OpDef {
    name: "argwhere",
    doc: "The coordinates of the nonzero elements, one row each (`nonzero()`).",
    signatures: &["argwhere(Tensor input)"],
    forms: Forms::BOTH,
    aliases: &[],
    nodes: &[],
    method_signatures: &[],
    source: file!(),
    run: |a, _| Ok(Ret::Tensor(a.tensor(0)?.nonzero()?)),
};

/// `scatter_reduce`.
pub static SCATTER_REDUCE: OpDef = OpDef {
    name: "scatter_reduce",
    doc: "Combines `src` into `input` at `index` along `dim` by `reduce` (sum, prod, mean, amax, amin); `include_self=False` ignores `input` where written.",
    signatures: &["scatter_reduce(Tensor input, int dim, Tensor index, Tensor src, str reduce, *, bool include_self=True)"],
    forms: Forms::ALL,
    aliases: &[],
    nodes: &["ScatterReduceBackward0"],
    method_signatures: &[],
    source: file!(),
    run: |a, d| {
        let (dim, index, src) = (a.int(1)?, a.tensor(2)?, a.tensor(3)?);
        let (how, inc) = (super::reduce::ScatterReduce::parse(a.str(4)?)?, a.bool(5)?);
        match d {
            Dest::InPlace => in_place(a, |t| t.scatter_reduce_(dim, index, src, how, inc)),
            _ => finish_exact(d, a, |a| a.tensor(0)?.scatter_reduce(dim, index, src, how, inc)),
        }
    },
};

/// `index_reduce`.
pub static INDEX_REDUCE: OpDef = OpDef {
    name: "index_reduce",
    doc: "Combines the slices of `source` into `input` at the slices of `dim` named by `index` by `reduce` (prod, mean, amax, amin); `include_self=False` ignores `input` where written.",
    signatures: &["index_reduce(Tensor input, int dim, Tensor index, Tensor source, str reduce, *, bool include_self=True)"],
    forms: Forms::ALL,
    aliases: &[],
    nodes: &["IndexReduceBackward0"],
    method_signatures: &[],
    source: file!(),
    run: |a, d| {
        let (dim, index, source) = (a.int(1)?, a.tensor(2)?, a.tensor(3)?);
        let (how, inc) = (a.str(4)?, a.bool(5)?);
        match d {
            Dest::InPlace => in_place(a, |t| t.index_reduce_(dim, index, source, how, inc)),
            _ => finish_exact(d, a, |a| a.tensor(0)?.index_reduce(dim, index, source, how, inc)),
        }
    },
};

/// `index_put`.
pub static INDEX_PUT: OpDef = OpDef {
    name: "index_put",
    doc: "Writes `values` at the advanced index `indices` (a tuple of index tensors); `accumulate=True` sums, repeated indices adding up.",
    signatures: &["index_put(Tensor input, Tensor[] indices, Tensor values, bool accumulate=False)"],
    forms: Forms::BOTH_INPLACE,
    aliases: &[],
    nodes: &["IndexPutBackward0"],
    method_signatures: &[],
    source: file!(),
    run: |a, d| {
        let (indices, values, acc) = (a.tensors(1)?, a.tensor(2)?, a.bool(3)?);
        match d {
            Dest::InPlace => in_place(a, |t| t.index_put_op_(indices, values, acc)),
            _ => d.finish(a, |a| a.tensor(0)?.index_put_op(indices, values, acc)),
        }
    },
};

/// The declarations of this family.
pub static OPS: &[&OpDef] = &[
    &GATHER,
    &SCATTER_ADD,
    &SCATTER,
    &INDEX_SELECT,
    &TAKE_ALONG_DIM,
    &INDEX_ADD,
    &INDEX_COPY,
    &INDEX_FILL,
    &TAKE,
    &PUT,
    &MASKED_FILL,
    &MASKED_SELECT,
    &MASKED_SCATTER,
    &NONZERO,
    &ARGWHERE,
    &SCATTER_REDUCE,
    &INDEX_REDUCE,
    &INDEX_PUT,
];
