//! More views, as torch makes them: `unbind`, `movedim`/`moveaxis`, `unflatten`, `view_as`,
//! `as_strided` (bounds-checked against the storage), `ravel`, `atleast_1d/2d/3d`,
//! `broadcast_to`, `broadcast_tensors`, `meshgrid`; and `unravel_index`, which turns flat
//! positions into coordinates.

use crate::autograd::record::record_view;
use crate::autograd::rules::reshape::AsStridedRule;
use crate::autograd::rules::InputMeta;
use crate::dtype::DType;
use crate::error::{fmt_shape, Error, Result};
use crate::layout::Layout;
use crate::ops::registry::{Args, Forms, OpDef, Ret};
use crate::shape::{broadcast_shapes, normalize_dim, Dims, Strides};
use crate::tensor::Tensor;

/// Joins numbers as torch prints a list: `1, 2, 3`.
fn listed(v: &[i64]) -> String {
    v.iter()
        .map(|s| s.to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

impl Tensor {
    /// `unbind(dim)` as the op: every slice along `dim` as a view (`UnbindBackward0`).
    pub fn unbind_op(&self, dim: i64) -> Result<Vec<Tensor>> {
        if self.ndim() == 0 {
            return Err(Error::Index(
                "Dimension specified as 0 but tensor has no dimensions".into(),
            ));
        }
        let d = normalize_dim(dim, self.ndim())?;
        let n = self.shape()[d];
        let mut out = self.reserve_views(n)?;
        out.extend((0..n).map(|i| self.region_view("UnbindBackward0", move |l| l.select(d, i))));
        Ok(out)
    }

    /// `movedim(source, destination)`: the dims `source` moved to the places `destination`
    /// names, the others keeping their order (a permute view).
    pub fn movedim(&self, source: &[i64], destination: &[i64]) -> Result<Tensor> {
        if source.len() != destination.len() {
            return Err(Error::Runtime(format!(
                "movedim: Invalid source or destination dims: source ([{}] dims) should contain the same number of dims as destination ([{}] dims)",
                listed(source),
                listed(destination)
            )));
        }
        let n = self.ndim();
        let norm =
            |v: &[i64]| -> Result<Vec<usize>> { v.iter().map(|&d| normalize_dim(d, n)).collect() };
        let (src, dst) = (norm(source)?, norm(destination)?);
        for (name, given, dims) in [("source", source, &src), ("destination", destination, &dst)] {
            let mut seen = vec![false; n.max(1)];
            for &d in dims {
                if std::mem::replace(&mut seen[d], true) {
                    return Err(Error::Runtime(format!(
                        "movedim: repeated dim in `{}` ([{}])",
                        name,
                        listed(given)
                    )));
                }
            }
        }
        if n == 0 {
            return self.permute(&[]);
        }
        let mut perm: Vec<Option<usize>> = vec![None; n];
        for (&s, &d) in src.iter().zip(&dst) {
            perm[d] = Some(s);
        }
        let mut rest = (0..n).filter(|i| !src.contains(i));
        let perm: Vec<i64> = perm
            .into_iter()
            .map(|p| p.or_else(|| rest.next()).unwrap_or(0) as i64)
            .collect();
        self.permute(&perm)
    }

    /// `unflatten(dim, sizes)`: dim `dim` viewed as the dims `sizes` (one may be `-1`).
    pub fn unflatten(&self, dim: i64, sizes: &[i64]) -> Result<Tensor> {
        let unexpected =
            |e: Error| Error::Runtime(format!("unflatten got an unexpected error:\n{}", e));
        if self.ndim() == 0 {
            return Err(unexpected(Error::Index(
                "Dimension specified as 0 but tensor has no dimensions".into(),
            )));
        }
        let d = normalize_dim(dim, self.ndim())?;
        if sizes.is_empty() {
            return Err(Error::Runtime("unflatten: sizes must be non-empty".into()));
        }
        let n = self.shape()[d];
        let inferred = crate::layout::infer_shape(sizes, n).map_err(|e| match e {
            Error::SizeMismatch { .. } => Error::Runtime(format!(
                "unflatten: Provided sizes [{}] don't multiply up to the size of dim {} ({}) in the input tensor",
                listed(sizes),
                d,
                n
            )),
            e => unexpected(e),
        })?;
        let mut shape: Vec<i64> = self.shape()[..d].iter().map(|&s| s as i64).collect();
        shape.extend(inferred.iter().map(|&s| s as i64));
        shape.extend(self.shape()[d + 1..].iter().map(|&s| s as i64));
        self.view(&shape)
    }

    /// `as_strided(size, stride, storage_offset)`: any layout over this tensor's storage that
    /// stays inside it (`AsStridedBackward0`).
    pub fn as_strided(
        &self,
        size: &[i64],
        stride: &[i64],
        storage_offset: Option<i64>,
    ) -> Result<Tensor> {
        if size.len() != stride.len() {
            return Err(Error::Runtime(
                "mismatch in length of strides and shape".into(),
            ));
        }
        if stride.iter().any(|&s| s < 0) {
            return Err(Error::Runtime(format!(
                "as_strided: Negative strides are not supported at the moment, got strides: [{}]",
                listed(stride)
            )));
        }
        let offset = storage_offset.unwrap_or(self.storage_offset() as i64);
        if offset < 0 {
            return Err(Error::Runtime(format!(
                "Tensor: invalid storage offset {}",
                offset
            )));
        }
        let overflow = || {
            Error::Runtime(format!(
                "Storage size calculation overflowed with sizes=[{}] and strides=[{}]",
                listed(size),
                listed(stride)
            ))
        };
        let itemsize = self.dtype().size() as u128;
        // The elements the layout reaches (0 when empty), in u128 so no product can wrap.
        let mut needed: u128 = 1;
        for (&n, &s) in size.iter().zip(stride) {
            if n < 0 {
                return Err(overflow());
            }
            if n == 0 {
                needed = 0;
                break;
            }
            needed += (n as u128 - 1) * s as u128;
        }
        if needed > 0 {
            needed += offset as u128;
        }
        let bytes = needed * itemsize;
        if bytes > i64::MAX as u128 {
            return Err(overflow());
        }
        let have = self.storage().nbytes() as u128;
        if bytes > have {
            return Err(Error::Runtime(format!(
                "setStorage: sizes [{}], strides [{}], storage offset {}, and itemsize {} requiring a storage size of {} are out of bounds for storage of size {}",
                listed(size),
                listed(stride),
                offset,
                itemsize,
                bytes,
                have
            )));
        }
        let layout = Layout {
            shape: size.iter().map(|&n| n as usize).collect::<Dims>(),
            strides: stride.iter().map(|&s| s as isize).collect::<Strides>(),
            offset: offset as usize,
        };
        let rule_layout = layout.clone();
        Ok(record_view(
            self.with_layout(layout),
            "AsStridedBackward0",
            self,
            || AsStridedRule {
                input: InputMeta::of(self),
                input_layout: self.layout().clone(),
                output: rule_layout,
            },
        ))
    }

    /// `ravel()`: the elements as one dim, a view when contiguous, else a copy.
    pub fn ravel(&self) -> Result<Tensor> {
        self.contiguous()?.view(&[-1])
    }

    /// `atleast_{n}d` for `n` in 1..=3: this tensor, or a view of it with size-1 dims added as
    /// torch places them.
    pub fn atleast_nd(&self, n: usize) -> Result<Tensor> {
        match (self.ndim(), n) {
            (0, _) => self.reshape(&vec![1; n]),
            (1, 2) => self.unsqueeze(0),
            (1, 3) => self.unsqueeze(0)?.unsqueeze(-1),
            (2, 3) => self.unsqueeze(-1),
            _ => Ok(self.clone()),
        }
    }
}

/// `broadcast_tensors`: every tensor expanded to their common shape (as is when it has it).
pub fn broadcast_tensors(tensors: &[Tensor]) -> Result<Vec<Tensor>> {
    let mut shape: Vec<usize> = vec![];
    for t in tensors {
        shape = broadcast_shapes(&shape, t.shape())?;
    }
    let sizes: Vec<i64> = shape.iter().map(|&s| s as i64).collect();
    tensors
        .iter()
        .map(|t| {
            if t.shape() == shape.as_slice() {
                Ok(t.clone())
            } else {
                t.expand(&sizes)
            }
        })
        .collect()
}

/// `meshgrid(tensors, indexing=)`: coordinate grids of 0-d/1-d tensors, `"ij"` (matrix) or
/// `"xy"` (Cartesian, the first two dims swapped) indexing.
pub fn meshgrid(tensors: &[Tensor], indexing: Option<&str>) -> Result<Vec<Tensor>> {
    let Some(first) = tensors.first() else {
        return Err(Error::Runtime(
            "meshgrid expects a non-empty TensorList".into(),
        ));
    };
    let xy = match indexing.unwrap_or("ij") {
        "ij" => false,
        "xy" => true,
        other => {
            return Err(Error::Runtime(format!(
                "torch.meshgrid: indexing must be one of \"xy\" or \"ij\", but received: {}",
                other
            )))
        }
    };
    for t in tensors {
        if t.ndim() > 1 {
            return Err(Error::Runtime(format!(
                "torch.meshgrid: Expected 0D or 1D tensor in the tensor list but got: a tensor of shape {}",
                fmt_shape(t.shape())
            )));
        }
        if t.dtype() != first.dtype() {
            return Err(Error::Runtime(
                "meshgrid expects all tensors to have the same dtype".into(),
            ));
        }
    }
    let mut order: Vec<&Tensor> = tensors.iter().collect();
    let swap = xy && order.len() >= 2;
    if swap {
        order.swap(0, 1);
    }
    let n = order.len();
    let sizes: Vec<i64> = order.iter().map(|t| t.numel() as i64).collect();
    let mut grids = crate::storage::try_vec(n)?;
    for (i, t) in order.iter().enumerate() {
        let mut view = vec![1i64; n];
        view[i] = -1;
        grids.push(t.view(&view)?.expand(&sizes)?);
    }
    if swap {
        grids.swap(0, 1);
    }
    Ok(grids)
}

/// `unravel_index(indices, shape)`: the coordinates in `shape` of flat positions, one int64
/// tensor per dim, as torch computes them (floor division, then the remainder: no bounds check).
pub fn unravel_index(indices: &Tensor, shape: &[i64]) -> Result<Vec<Tensor>> {
    if indices.dtype().is_floating() || indices.dtype() == DType::Bool {
        return Err(Error::Type(format!(
            "expected 'indices' to be integer dtype, but got rtensor.{}",
            indices.dtype().name()
        )));
    }
    let tuple = || {
        if shape.len() == 1 {
            format!("({},)", shape[0])
        } else {
            format!("({})", listed(shape))
        }
    };
    if shape.iter().any(|&s| s < 0) {
        return Err(Error::Value(format!(
            "'shape' cannot have negative values, but got {}",
            tuple()
        )));
    }
    if indices.numel() > 0 && shape.contains(&0) {
        return Err(Error::Value(format!(
            "'shape' cannot have zero dimensions when 'indices' is non-empty, but got {}",
            tuple()
        )));
    }
    // The position step of each dim: the product of the sizes after it.
    let mut coefs = vec![1i64; shape.len()];
    for k in (0..shape.len().saturating_sub(1)).rev() {
        coefs[k] = coefs[k + 1]
            .checked_mul(shape[k + 1])
            .ok_or_else(|| Error::Runtime("Overflow when unpacking long".into()))?;
    }
    let flat = indices.to_vec_i64()?;
    let mut out = crate::storage::try_vec(shape.len())?;
    for (&c, &s) in coefs.iter().zip(shape) {
        let vals: Vec<i64> = flat
            .iter()
            .map(|&i| {
                let q = i.div_euclid(c);
                if s == 0 {
                    q
                } else {
                    q.rem_euclid(s)
                }
            })
            .collect();
        out.push(Tensor::from_vec(vals, indices.shape())?);
    }
    Ok(out)
}

/// `unbind`.
pub static UNBIND: OpDef = OpDef {
    name: "unbind",
    doc: "Every slice along `dim`, each a view without that dim.",
    signatures: &["unbind(Tensor(a) input, int dim=0) -> tuple[Tensor, ...]"],
    forms: Forms::BOTH,
    aliases: &[],
    nodes: &["UnbindBackward0"],
    method_signatures: &[],
    source: file!(),
    run: |a, _| Ok(Ret::Tuple("", a.tensor(0)?.unbind_op(a.int(1)?)?)),
};

/// `movedim`.
pub static MOVEDIM: OpDef = OpDef {
    name: "movedim",
    doc: "Moves the dims `source` to the places `destination` (a permute view).",
    signatures: &["movedim(Tensor(a) input, int[1] source, int[1] destination)"],
    forms: Forms::BOTH,
    aliases: &["moveaxis"],
    nodes: &["PermuteBackward0"],
    method_signatures: &[],
    source: file!(),
    run: |a, _| Ok(a.tensor(0)?.movedim(a.ints(1)?, a.ints(2)?)?.into()),
};

/// `unflatten`.
pub static UNFLATTEN: OpDef = OpDef {
    name: "unflatten",
    doc: "Views dim `dim` as the dims `sizes` (one of them may be -1).",
    signatures: &["unflatten(Tensor(a) input, int dim, int[] sizes)"],
    forms: Forms::BOTH,
    aliases: &[],
    nodes: &["ViewBackward0"],
    method_signatures: &[],
    source: file!(),
    run: |a, _| Ok(a.tensor(0)?.unflatten(a.int(1)?, a.ints(2)?)?.into()),
};

/// `view_as`.
pub static VIEW_AS: OpDef = OpDef {
    name: "view_as",
    doc: "A view with `other`'s shape.",
    signatures: &["view_as(Tensor(a) input, Tensor other)"],
    forms: Forms::METHOD,
    aliases: &[],
    nodes: &["ViewBackward0"],
    method_signatures: &[],
    source: file!(),
    run: |a, _| {
        let sizes: Vec<i64> = a.tensor(1)?.shape().iter().map(|&d| d as i64).collect();
        Ok(a.tensor(0)?.view(&sizes)?.into())
    },
};

/// `as_strided`.
pub static AS_STRIDED: OpDef = OpDef {
    name: "as_strided",
    doc: "A view with the given sizes, strides and storage offset, inside the storage.",
    signatures: &[
        "as_strided(Tensor(a) input, int[] size, int[] stride, int? storage_offset=None)",
    ],
    forms: Forms::BOTH,
    aliases: &[],
    nodes: &["AsStridedBackward0"],
    method_signatures: &[],
    source: file!(),
    run: |a, _| {
        Ok(a.tensor(0)?
            .as_strided(a.ints(1)?, a.ints(2)?, a.opt_int(3)?)?
            .into())
    },
};

/// `ravel`.
pub static RAVEL: OpDef = OpDef {
    name: "ravel",
    doc: "The elements as one dim: a view when contiguous, else a copy.",
    signatures: &["ravel(Tensor input)"],
    forms: Forms::BOTH,
    aliases: &[],
    nodes: &["ViewBackward0"],
    method_signatures: &[],
    source: file!(),
    run: |a, _| Ok(a.tensor(0)?.ravel()?.into()),
};

/// `atleast_1d`/`2d`/`3d`: one tensor, or a tuple for several.
fn atleast(a: &Args, n: usize) -> Result<Ret> {
    match a.overload {
        0 => Ok(a.tensor(0)?.atleast_nd(n)?.into()),
        2 => Ok(Ret::Tuple("", vec![])),
        _ => Ok(Ret::Tuple(
            "",
            a.tensors(0)?
                .iter()
                .map(|t| t.atleast_nd(n))
                .collect::<Result<_>>()?,
        )),
    }
}

/// `atleast_1d`.
pub static ATLEAST_1D: OpDef = OpDef {
    name: "atleast_1d",
    doc: "The tensor (or each tensor) with at least 1 dim.",
    signatures: &[
        "atleast_1d(Tensor input)",
        "atleast_1d(Tensor[]... tensors) -> tuple[Tensor, ...]",
        "atleast_1d() -> tuple[Tensor, ...]",
    ],
    forms: Forms::FUNCTION,
    aliases: &[],
    nodes: &["ViewBackward0"],
    method_signatures: &[],
    source: file!(),
    run: |a, _| atleast(a, 1),
};

/// `atleast_2d`.
pub static ATLEAST_2D: OpDef = OpDef {
    name: "atleast_2d",
    doc: "The tensor (or each tensor) with at least 2 dims.",
    signatures: &[
        "atleast_2d(Tensor input)",
        "atleast_2d(Tensor[]... tensors) -> tuple[Tensor, ...]",
        "atleast_2d() -> tuple[Tensor, ...]",
    ],
    forms: Forms::FUNCTION,
    aliases: &[],
    nodes: &["ViewBackward0", "UnsqueezeBackward0"],
    method_signatures: &[],
    source: file!(),
    run: |a, _| atleast(a, 2),
};

/// `atleast_3d`.
pub static ATLEAST_3D: OpDef = OpDef {
    name: "atleast_3d",
    doc: "The tensor (or each tensor) with at least 3 dims.",
    signatures: &[
        "atleast_3d(Tensor input)",
        "atleast_3d(Tensor[]... tensors) -> tuple[Tensor, ...]",
        "atleast_3d() -> tuple[Tensor, ...]",
    ],
    forms: Forms::FUNCTION,
    aliases: &[],
    nodes: &["ViewBackward0", "UnsqueezeBackward0"],
    method_signatures: &[],
    source: file!(),
    run: |a, _| atleast(a, 3),
};

/// `broadcast_to`.
pub static BROADCAST_TO: OpDef = OpDef {
    name: "broadcast_to",
    doc: "Broadcasts to `size` without copying (an expand view).",
    signatures: &["broadcast_to(Tensor(a) input, int[] size)"],
    forms: Forms::BOTH,
    aliases: &[],
    nodes: &["ExpandBackward0"],
    method_signatures: &[],
    source: file!(),
    run: |a, _| Ok(a.tensor(0)?.expand(a.ints(1)?)?.into()),
};

/// `broadcast_tensors`.
pub static BROADCAST_TENSORS: OpDef = OpDef {
    name: "broadcast_tensors",
    doc: "The tensors expanded to their common broadcast shape (views).",
    signatures: &[
        "broadcast_tensors(Tensor[]... tensors) -> tuple[Tensor, ...]",
        "broadcast_tensors() -> tuple[Tensor, ...]",
    ],
    forms: Forms::FUNCTION,
    aliases: &[],
    nodes: &["ExpandBackward0"],
    method_signatures: &[],
    source: file!(),
    run: |a, _| match a.overload {
        0 => Ok(Ret::Tuple("", broadcast_tensors(a.tensors(0)?)?)),
        _ => Ok(Ret::Tuple("", vec![])),
    },
};

/// `meshgrid`.
pub static MESHGRID: OpDef = OpDef {
    name: "meshgrid",
    doc: "Coordinate grids of 0-d/1-d tensors (`indexing='ij'` or `'xy'`), as expand views.",
    signatures: &["meshgrid(Tensor[]... tensors, *, str? indexing=None) -> tuple[Tensor, ...]"],
    forms: Forms::FUNCTION,
    aliases: &[],
    nodes: &["ExpandBackward0"],
    method_signatures: &[],
    source: file!(),
    run: |a, _| Ok(Ret::Tuple("", meshgrid(a.tensors(0)?, a.opt_str(1)?)?)),
};

/// `unravel_index`.
pub static UNRAVEL_INDEX: OpDef = OpDef {
    name: "unravel_index",
    doc: "The coordinates in `shape` of flat positions, one int64 tensor per dim.",
    signatures: &["unravel_index(Tensor indices, int[1] shape) -> tuple[Tensor, ...]"],
    forms: Forms::FUNCTION,
    aliases: &[],
    nodes: &[],
    method_signatures: &[],
    source: file!(),
    run: |a, _| Ok(Ret::Tuple("", unravel_index(a.tensor(0)?, a.ints(1)?)?)),
};

/// The declarations of this file.
pub static OPS: &[&OpDef] = &[
    &UNBIND,
    &MOVEDIM,
    &UNFLATTEN,
    &VIEW_AS,
    &AS_STRIDED,
    &RAVEL,
    &ATLEAST_1D,
    &ATLEAST_2D,
    &ATLEAST_3D,
    &BROADCAST_TO,
    &BROADCAST_TENSORS,
    &MESHGRID,
    &UNRAVEL_INDEX,
];
