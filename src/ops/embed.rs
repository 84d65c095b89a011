//! The scatter-into-copy ops: `diagonal_scatter`, `select_scatter`, `slice_scatter` — a copy
//! of the input with a source written into the region a view (`diagonal`, `select`, `slice`)
//! would show, and their gradients (`autograd/rules/embed.rs`).

use std::sync::Arc;

use crate::autograd::record::record;
use crate::autograd::rules::embed::{EmbedRule, Region};
use crate::autograd::rules::InputMeta;
use crate::error::{fmt_shape, Error, Result};
use crate::layout::Layout;
use crate::ops::diag::diagonal_dims;
use crate::ops::registry::{Forms, OpDef};
use crate::shape::normalize_dim;
use crate::tensor::Tensor;

/// The region view's node name for each scatter's node, for the source's gradient.
fn view_name(name: &str) -> &'static str {
    match name {
        "DiagonalScatterBackward0" => "DiagonalBackward0",
        "SelectScatterBackward0" => "SelectBackward0",
        _ => "SliceBackward0",
    }
}

impl Tensor {
    /// A copy of this tensor with `src` written into `region` (which must have `src`'s shape),
    /// recorded under `name`.
    pub fn embed(&self, src: &Tensor, name: &'static str, region: Region) -> Result<Tensor> {
        let slice = region(&Layout::contiguous(self.shape()));
        if slice.shape.as_slice() != src.shape() {
            return Err(Error::Runtime(format!(
                "expected src to have a size equal to the slice of self. src size = {}, slice size = {}",
                fmt_shape(src.shape()),
                fmt_shape(&slice.shape)
            )));
        }
        let out = self.detach().clone_contiguous()?;
        let target = out.with_layout(region(out.layout()));
        crate::kernels::copy::copy_checked(&target, &src.detach())?;
        Ok(record(out, name, &[self, src], || EmbedRule {
            name,
            input: InputMeta::of(self),
            src: InputMeta::of(src),
            region,
            view_name: view_name(name),
        }))
    }

    /// `diagonal_scatter(src, offset, dim1, dim2)`: a copy with `src` on the diagonal.
    pub fn diagonal_scatter(
        &self,
        src: &Tensor,
        offset: i64,
        dim1: i64,
        dim2: i64,
    ) -> Result<Tensor> {
        let (d1, d2) = diagonal_dims(dim1, dim2, self.ndim())?;
        self.embed(
            src,
            "DiagonalScatterBackward0",
            Arc::new(move |l: &Layout| l.diagonal_at(offset, d1, d2)),
        )
    }

    /// `select_scatter(src, dim, index)`: a copy with `src` as the slice `index` of `dim`.
    pub fn select_scatter(&self, src: &Tensor, dim: i64, index: i64) -> Result<Tensor> {
        if self.ndim() == 0 {
            return Err(Error::Index(
                "select() cannot be applied to a 0-dim tensor.".into(),
            ));
        }
        let d = normalize_dim(dim, self.ndim())?;
        let size = self.shape()[d] as i64;
        if index < -size || index >= size {
            return Err(Error::Index(format!(
                "select(): index {} out of range for tensor of size {} at dimension {}",
                index,
                fmt_shape(self.shape()),
                d
            )));
        }
        let i = index.rem_euclid(size.max(1)) as usize;
        self.embed(
            src,
            "SelectScatterBackward0",
            Arc::new(move |l: &Layout| l.select(d, i)),
        )
    }

    /// `slice_scatter(src, dim, start, end, step)`: a copy with `src` as the slice
    /// `start:end:step` of `dim` (bounds clamped as Python's).
    pub fn slice_scatter(
        &self,
        src: &Tensor,
        dim: i64,
        start: Option<i64>,
        end: Option<i64>,
        step: i64,
    ) -> Result<Tensor> {
        if self.ndim() == 0 {
            return Err(Error::Index(
                "slice() cannot be applied to a 0-dim tensor.".into(),
            ));
        }
        let d = normalize_dim(dim, self.ndim())?;
        if step <= 0 {
            return Err(Error::Runtime("slice step must be positive".into()));
        }
        let size = self.shape()[d] as i64;
        let clamp = |v: i64| {
            if v < 0 {
                v.saturating_add(size).max(0)
            } else {
                v.min(size)
            }
        };
        let s = start.map_or(0, clamp);
        let e = end.map_or(size, clamp);
        let len = if e > s { (e - s - 1) / step + 1 } else { 0 };
        let (s, len, step) = (s as usize, len as usize, step as usize);
        self.embed(
            src,
            "SliceScatterBackward0",
            Arc::new(move |l: &Layout| l.slice(d, s, len, step)),
        )
    }
}

/// `diagonal_scatter`.
pub static DIAGONAL_SCATTER: OpDef = OpDef {
    name: "diagonal_scatter",
    doc: "A copy of `input` with `src` written on the diagonal of `dim1` and `dim2`.",
    signatures: &[
        "diagonal_scatter(Tensor input, Tensor src, int offset=0, int dim1=0, int dim2=1)",
    ],
    forms: Forms::BOTH_OUT,
    aliases: &[],
    nodes: &["DiagonalScatterBackward0"],
    method_signatures: &[],
    source: file!(),
    run: |a, d| {
        d.finish(a, |a| {
            a.tensor(0)?
                .diagonal_scatter(a.tensor(1)?, a.int(2)?, a.int(3)?, a.int(4)?)
        })
    },
};

/// `select_scatter`.
pub static SELECT_SCATTER: OpDef = OpDef {
    name: "select_scatter",
    doc: "A copy of `input` with `src` written as the slice `index` of `dim`.",
    signatures: &["select_scatter(Tensor input, Tensor src, int dim, int index)"],
    forms: Forms::BOTH_OUT,
    aliases: &[],
    nodes: &["SelectScatterBackward0"],
    method_signatures: &[],
    source: file!(),
    run: |a, d| {
        d.finish(a, |a| {
            a.tensor(0)?
                .select_scatter(a.tensor(1)?, a.int(2)?, a.int(3)?)
        })
    },
};

/// `slice_scatter`.
pub static SLICE_SCATTER: OpDef = OpDef {
    name: "slice_scatter",
    doc: "A copy of `input` with `src` written as the slice `start:end:step` of `dim`.",
    signatures: &[
        "slice_scatter(Tensor input, Tensor src, int dim=0, int? start=None, int? end=None, int step=1)",
    ],
    forms: Forms::BOTH_OUT,
    aliases: &[],
    nodes: &["SliceScatterBackward0"],
    method_signatures: &[],
    source: file!(),
    run: |a, d| {
        d.finish(a, |a| {
            a.tensor(0)?.slice_scatter(
                a.tensor(1)?,
                a.int(2)?,
                a.opt_int(3)?,
                a.opt_int(4)?,
                a.int(5)?,
            )
        })
    },
};

/// The declarations of this file.
pub static OPS: &[&OpDef] = &[&DIAGONAL_SCATTER, &SELECT_SCATTER, &SLICE_SCATTER];
