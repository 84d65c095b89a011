//! Joins and splits in numpy's style, as torch defines them: `hstack`, `vstack`/`row_stack`,
//! `dstack`, `column_stack` (a `cat` after `atleast_Nd`), `tensor_split`, `hsplit`, `vsplit`,
//! `dsplit` (slice views), and `narrow_copy`.

use crate::autograd::record::record;
use crate::autograd::rules::views::RegionRule;
use crate::autograd::rules::InputMeta;
use crate::dtype::DType;
use crate::error::{Error, Result};
use crate::ops::join::cat;
use crate::ops::registry::{Args, Forms, OpDef, Ret};
use crate::shape::normalize_dim;
use crate::tensor::Tensor;

/// Refuses an empty list as torch's `<op> expects a non-empty TensorList`.
fn non_empty(tensors: &[Tensor], op: &str) -> Result<()> {
    if tensors.is_empty() {
        return Err(Error::Runtime(format!(
            "{} expects a non-empty TensorList",
            op
        )));
    }
    Ok(())
}

/// Every tensor with at least `n` dims.
fn all_atleast(tensors: &[Tensor], n: usize) -> Result<Vec<Tensor>> {
    tensors.iter().map(|t| t.atleast_nd(n)).collect()
}

/// `hstack`: concatenated along dim 1, or dim 0 when the inputs are 1-D.
pub fn hstack(tensors: &[Tensor]) -> Result<Tensor> {
    non_empty(tensors, "hstack")?;
    let parts = all_atleast(tensors, 1)?;
    let dim = if parts[0].ndim() == 1 { 0 } else { 1 };
    cat(&parts, dim)
}

/// `vstack`/`row_stack`: concatenated along dim 0 after `atleast_2d`.
pub fn vstack(tensors: &[Tensor]) -> Result<Tensor> {
    non_empty(tensors, "vstack")?;
    cat(&all_atleast(tensors, 2)?, 0)
}

/// `dstack`: concatenated along dim 2 after `atleast_3d`.
pub fn dstack(tensors: &[Tensor]) -> Result<Tensor> {
    non_empty(tensors, "dstack")?;
    cat(&all_atleast(tensors, 3)?, 2)
}

/// `column_stack`: 0-d and 1-d inputs become columns, then `hstack`.
pub fn column_stack(tensors: &[Tensor]) -> Result<Tensor> {
    non_empty(tensors, "column_stack")?;
    let parts = tensors
        .iter()
        .map(|t| {
            if t.ndim() <= 1 {
                t.reshape(&[t.numel() as i64, 1])
            } else {
                Ok(t.clone())
            }
        })
        .collect::<Result<Vec<_>>>()?;
    hstack(&parts)
}

impl Tensor {
    /// The dim `tensor_split` splits, refusing a 0-dim tensor.
    fn tensor_split_dim(&self, dim: i64) -> Result<usize> {
        if self.ndim() == 0 {
            return Err(Error::Runtime(format!(
                "tensor_split expected at least a 1-dimensional tensor, but got a tensor with {} dims",
                self.ndim()
            )));
        }
        normalize_dim(dim, self.ndim())
    }

    /// `tensor_split(sections, dim)`: `sections` views along `dim`, the first
    /// `size % sections` one element longer.
    pub fn tensor_split_sections(&self, sections: i64, dim: i64) -> Result<Vec<Tensor>> {
        let d = self.tensor_split_dim(dim)?;
        if sections <= 0 {
            return Err(Error::Runtime(format!(
                "number of sections must be larger than 0, got {}",
                sections
            )));
        }
        let n = self.shape()[d];
        let k = sections as usize;
        let (min, extra) = (n / k, n % k);
        let mut out = self.reserve_views(k)?;
        let mut start = 0;
        for i in 0..k {
            let len = min + usize::from(i < extra);
            out.push(self.split_piece("SliceBackward0", d, start, len));
            start += len;
        }
        Ok(out)
    }

    /// `tensor_split(indices, dim)`: the views between consecutive indices along `dim` (each
    /// clamped as a Python slice bound).
    pub fn tensor_split_indices(&self, indices: &[i64], dim: i64) -> Result<Vec<Tensor>> {
        let d = self.tensor_split_dim(dim)?;
        let size = self.shape()[d] as i64;
        let clamp = |v: i64| {
            if v < 0 {
                v.saturating_add(size).max(0)
            } else {
                v.min(size)
            }
        };
        let mut out = self.reserve_views(indices.len() + 1)?;
        let mut start = 0i64;
        for &end in indices.iter().chain(std::iter::once(&i64::MAX)) {
            let (s, e) = (clamp(start), clamp(end));
            let len = (e - s).max(0);
            out.push(self.split_piece("SliceBackward0", d, s as usize, len as usize));
            start = end;
        }
        Ok(out)
    }

    /// `tensor_split(tensor_indices_or_sections, dim)`: a 0-dim int64 tensor of sections or a
    /// 1-D one of indices.
    pub fn tensor_split_tensor(&self, spec: &Tensor, dim: i64) -> Result<Vec<Tensor>> {
        self.tensor_split_dim(dim)?;
        if spec.dtype() != DType::Int64 {
            return Err(Error::Runtime(format!(
                "tensor_split expected tensor_indices_or_sections to have dtype of long, but got {}",
                spec.dtype().torch_name()
            )));
        }
        match spec.ndim() {
            0 => self.tensor_split_sections(spec.item_i64()?, dim),
            1 => self.tensor_split_indices(&spec.to_vec_i64()?, dim),
            n => Err(Error::Runtime(format!(
                "tensor_split expected tensor_indices_or_sections to be a zero-dimensional or one-dimensional tensor, but got a tensor with {} dims",
                n
            ))),
        }
    }

    /// `hsplit`/`vsplit`/`dsplit` (`which` 0, 1, 2): `tensor_split` along dim 1 (0 for 1-D),
    /// 0, or 2, with torch's checks; `sections` must divide the dim.
    pub fn numpy_split(&self, which: usize, spec: SplitSpec<'_>) -> Result<Vec<Tensor>> {
        let (name, min_dims) = [("hsplit", 1), ("vsplit", 2), ("dsplit", 3)][which];
        if self.ndim() < min_dims {
            return Err(Error::Runtime(format!(
                "torch.{} requires a tensor with at least {} dimension, but got a tensor with {} dimensions!",
                name,
                min_dims,
                self.ndim()
            )));
        }
        let dim = match which {
            0 if self.ndim() == 1 => 0,
            0 => 1,
            1 => 0,
            _ => 2,
        };
        match spec {
            SplitSpec::Sections(k) => {
                let n = self.shape()[dim] as i64;
                if k == 0 || n % k != 0 {
                    return Err(Error::Runtime(format!(
                        "torch.{} attempted to split along dimension {}, but the size of the dimension {} is not divisible by the split_size {}!",
                        name, dim, n, k
                    )));
                }
                self.tensor_split_sections(k, dim as i64)
            }
            SplitSpec::Indices(ix) => self.tensor_split_indices(ix, dim as i64),
        }
    }

    /// `narrow_copy(dim, start, length)`: a copy of the `narrow` view (`NarrowCopyBackward0`).
    pub fn narrow_copy(&self, dim: i64, start: i64, length: i64) -> Result<Tensor> {
        if self.ndim() > 0 && dim >= self.ndim() as i64 {
            return Err(Error::Runtime(
                "Expected dim < static_cast<int64_t>(self_sizes.size()) to be true, but got false.  (Could this error message be improved?  If so, please report an enhancement request to PyTorch.)".into(),
            ));
        }
        let view = self.narrow_checked(dim, start, length.max(0))?;
        let d = normalize_dim(dim, self.ndim())?;
        let size = self.shape()[d] as i64;
        let s = if start < 0 { start + size } else { start };
        if length < 0 {
            return Err(Error::Runtime(format!(
                "start ({}) + length ({}) exceeds dimension size ({}).",
                s, length, size
            )));
        }
        let out = view.detach().clone_contiguous()?;
        let (s, len) = (s as usize, length as usize);
        Ok(record(out, "NarrowCopyBackward0", &[self], || RegionRule {
            input: InputMeta::of(self),
            region: std::sync::Arc::new(move |l| l.slice(d, s, len, 1)),
        }))
    }
}

/// How `hsplit`/`vsplit`/`dsplit` split: into equal sections, or at indices.
#[derive(Debug, Clone, Copy)]
pub enum SplitSpec<'a> {
    /// That many equal sections.
    Sections(i64),
    /// At these indices.
    Indices(&'a [i64]),
}

/// Runs a numpy-style split from its two overloads (`int sections`, `int[] indices`).
fn run_numpy_split(a: &Args, which: usize) -> Result<Ret> {
    let t = a.tensor(0)?;
    let spec = match a.overload {
        0 => SplitSpec::Sections(a.int(1)?),
        _ => SplitSpec::Indices(a.ints(1)?),
    };
    Ok(Ret::Tuple("", t.numpy_split(which, spec)?))
}

/// `hstack`.
pub static HSTACK: OpDef = OpDef {
    name: "hstack",
    doc: "Concatenates along dim 1 (dim 0 for 1-D tensors), after `atleast_1d`.",
    signatures: &["hstack(Tensor[] tensors)"],
    forms: Forms::FUNCTION_OUT,
    aliases: &[],
    nodes: &["CatBackward0"],
    method_signatures: &[],
    source: file!(),
    run: |a, d| d.finish(a, |a| hstack(a.tensors(0)?)),
};

/// `vstack`.
pub static VSTACK: OpDef = OpDef {
    name: "vstack",
    doc: "Concatenates along dim 0, after `atleast_2d`.",
    signatures: &["vstack(Tensor[] tensors)"],
    forms: Forms::FUNCTION_OUT,
    aliases: &["row_stack"],
    nodes: &["CatBackward0"],
    method_signatures: &[],
    source: file!(),
    run: |a, d| d.finish(a, |a| vstack(a.tensors(0)?)),
};

/// `dstack`.
pub static DSTACK: OpDef = OpDef {
    name: "dstack",
    doc: "Concatenates along dim 2, after `atleast_3d`.",
    signatures: &["dstack(Tensor[] tensors)"],
    forms: Forms::FUNCTION_OUT,
    aliases: &[],
    nodes: &["CatBackward0"],
    method_signatures: &[],
    source: file!(),
    run: |a, d| d.finish(a, |a| dstack(a.tensors(0)?)),
};

/// `column_stack`.
pub static COLUMN_STACK: OpDef = OpDef {
    name: "column_stack",
    doc: "Stacks 0-d/1-d tensors as columns (and 2-D+ ones along dim 1).",
    signatures: &["column_stack(Tensor[] tensors)"],
    forms: Forms::FUNCTION_OUT,
    aliases: &[],
    nodes: &["CatBackward0"],
    method_signatures: &[],
    source: file!(),
    run: |a, d| d.finish(a, |a| column_stack(a.tensors(0)?)),
};

/// `tensor_split`.
pub static TENSOR_SPLIT: OpDef = OpDef {
    name: "tensor_split",
    doc: "Views along `dim`: `sections` near-equal ones, or between the given indices.",
    signatures: &[
        "tensor_split(Tensor(a) input, Tensor tensor_indices_or_sections, int dim=0) -> tuple[Tensor, ...]",
        "tensor_split(Tensor(a) input, int sections, int dim=0) -> tuple[Tensor, ...]",
        "tensor_split(Tensor(a) input, int[] indices, int dim=0) -> tuple[Tensor, ...]",
    ],
    forms: Forms::BOTH,
    aliases: &[],
    nodes: &["SliceBackward0"],
    method_signatures: &[],
    source: file!(),
    run: |a, _| {
        let t = a.tensor(0)?;
        let dim = a.int(2)?;
        Ok(Ret::Tuple(
            "",
            match a.overload {
                0 => t.tensor_split_tensor(a.tensor(1)?, dim)?,
                1 => t.tensor_split_sections(a.int(1)?, dim)?,
                _ => t.tensor_split_indices(a.ints(1)?, dim)?,
            },
        ))
    },
};

/// `hsplit`.
pub static HSPLIT: OpDef = OpDef {
    name: "hsplit",
    doc: "`tensor_split` along dim 1 (dim 0 for 1-D); sections must divide the dim.",
    signatures: &[
        "hsplit(Tensor(a) input, int sections) -> tuple[Tensor, ...]",
        "hsplit(Tensor(a) input, int[] indices) -> tuple[Tensor, ...]",
    ],
    forms: Forms::BOTH,
    aliases: &[],
    nodes: &["SliceBackward0"],
    method_signatures: &[],
    source: file!(),
    run: |a, _| run_numpy_split(a, 0),
};

/// `vsplit`.
pub static VSPLIT: OpDef = OpDef {
    name: "vsplit",
    doc: "`tensor_split` along dim 0 of a tensor of 2+ dims; sections must divide the dim.",
    signatures: &[
        "vsplit(Tensor(a) input, int sections) -> tuple[Tensor, ...]",
        "vsplit(Tensor(a) input, int[] indices) -> tuple[Tensor, ...]",
    ],
    forms: Forms::BOTH,
    aliases: &[],
    nodes: &["SliceBackward0"],
    method_signatures: &[],
    source: file!(),
    run: |a, _| run_numpy_split(a, 1),
};

/// `dsplit`.
pub static DSPLIT: OpDef = OpDef {
    name: "dsplit",
    doc: "`tensor_split` along dim 2 of a tensor of 3+ dims; sections must divide the dim.",
    signatures: &[
        "dsplit(Tensor(a) input, int sections) -> tuple[Tensor, ...]",
        "dsplit(Tensor(a) input, int[] indices) -> tuple[Tensor, ...]",
    ],
    forms: Forms::BOTH,
    aliases: &[],
    nodes: &["SliceBackward0"],
    method_signatures: &[],
    source: file!(),
    run: |a, _| run_numpy_split(a, 2),
};

/// `narrow_copy`.
pub static NARROW_COPY: OpDef = OpDef {
    name: "narrow_copy",
    doc: "A copy of `length` elements along `dim` from `start`.",
    signatures: &["narrow_copy(Tensor input, int dim, int start, int length)"],
    forms: Forms::BOTH_OUT,
    aliases: &[],
    nodes: &["NarrowCopyBackward0"],
    method_signatures: &[],
    source: file!(),
    run: |a, d| {
        d.finish(a, |a| {
            a.tensor(0)?.narrow_copy(a.int(1)?, a.int(2)?, a.int(3)?)
        })
    },
};

/// The declarations of this file.
pub static OPS: &[&OpDef] = &[
    &HSTACK,
    &VSTACK,
    &DSTACK,
    &COLUMN_STACK,
    &TENSOR_SPLIT,
    &HSPLIT,
    &VSPLIT,
    &DSPLIT,
    &NARROW_COPY,
];
