//! Diagonals and triangles: `diagonal` (a view), `diag`, `diag_embed`, `diagflat`, `trace`,
//! `tril`/`triu` (in place and with `out=`), `tril_indices`/`triu_indices`.

use crate::autograd::record::record;
use crate::autograd::rules::diag::{DiagEmbedRule, TraceRule, TriangleRule};
use crate::autograd::rules::views::RegionRule;
use crate::autograd::rules::InputMeta;
use crate::dtype::DType;
use crate::error::{Error, Result};
use crate::ops::registry::{Args, Forms, OpDef};
use crate::shape::normalize_dim;
use crate::tensor::Tensor;

/// Normalises the two dims of a diagonal and refuses equal ones, as torch words it.
pub(crate) fn diagonal_dims(dim1: i64, dim2: i64, ndim: usize) -> Result<(usize, usize)> {
    let (d1, d2) = (normalize_dim(dim1, ndim)?, normalize_dim(dim2, ndim)?);
    if d1 == d2 {
        return Err(Error::Runtime(format!(
            "diagonal dimensions cannot be identical {}, {}",
            dim1, dim2
        )));
    }
    Ok((d1, d2))
}

/// A zero tensor of `shape` with `values` written on the diagonal of `dims` (the diagonal view
/// has `values`' shape), unrecorded.
fn embed(values: &Tensor, shape: &[usize], offset: i64, dims: (usize, usize)) -> Result<Tensor> {
    let out = Tensor::zeros(shape, values.dtype())?;
    let target = out.with_layout(out.layout().diagonal_at(offset, dims.0, dims.1));
    crate::kernels::copy::copy_checked(&target, values)?;
    Ok(out)
}

impl Tensor {
    /// `diagonal(offset, dim1, dim2)`: a view; `dim1` and `dim2` are removed and the diagonal
    /// appended as the last dim.
    pub fn diagonal(&self, offset: i64, dim1: i64, dim2: i64) -> Result<Tensor> {
        let (d1, d2) = diagonal_dims(dim1, dim2, self.ndim())?;
        Ok(self.region_view("DiagonalBackward0", move |l| l.diagonal_at(offset, d1, d2)))
    }

    /// `diag_embed(offset, dim1, dim2)`: a new tensor, zero but for the last dim of `self`
    /// written on the diagonal of output dims `dim1` and `dim2`.
    pub fn diag_embed(&self, offset: i64, dim1: i64, dim2: i64) -> Result<Tensor> {
        let nd = self.ndim() + 1;
        let (d1, d2) = diagonal_dims(dim1, dim2, nd)?;
        let n = self.shape().last().copied().unwrap_or(1) + offset.unsigned_abs() as usize;
        let mut rest = self.shape()[..self.ndim().saturating_sub(1)].iter();
        let shape: Vec<usize> = (0..nd)
            .map(|d| {
                if d == d1 || d == d2 {
                    n
                } else {
                    rest.next().copied().unwrap_or(1)
                }
            })
            .collect();
        let out = embed(self, &shape, offset, (d1, d2))?;
        Ok(self.embed_recorded(out, offset, (d1, d2)))
    }

    /// Records `out`, which holds `self`'s elements on the diagonal of `dims`, as
    /// `DiagEmbedBackward0`.
    fn embed_recorded(&self, out: Tensor, offset: i64, dims: (usize, usize)) -> Tensor {
        record(out, "DiagEmbedBackward0", &[self], || DiagEmbedRule {
            input: InputMeta::of(self),
            offset,
            dims,
        })
    }

    /// `diag(diagonal)`: a vector's square matrix, or a matrix's diagonal (a copy).
    pub fn diag(&self, diagonal: i64) -> Result<Tensor> {
        match self.ndim() {
            1 => self.diag_embed(diagonal, 0, 1),
            2 => {
                let view = self.with_layout(self.layout().diagonal_at(diagonal, 0, 1));
                let out = view.clone_contiguous()?;
                Ok(record(out, "DiagonalBackward0_copy", &[self], || {
                    RegionRule {
                        input: InputMeta::of(self),
                        region: std::sync::Arc::new(move |l| l.diagonal_at(diagonal, 0, 1)),
                    }
                }))
            }
            n => Err(Error::Runtime(format!(
                "diag(): Supports 1D or 2D tensors. Got {}D",
                n
            ))),
        }
    }

    /// `diagflat(offset)`: the flattened input on the diagonal of a square matrix.
    pub fn diagflat(&self, offset: i64) -> Result<Tensor> {
        let n = self.numel() + offset.unsigned_abs() as usize;
        let flat = if self.is_contiguous() {
            self.clone()
        } else {
            self.clone_contiguous()?
        };
        let flat = flat.with_layout(crate::layout::Layout::contiguous(&[self.numel()]));
        let out = embed(&flat, &[n, n], offset, (0, 1))?;
        Ok(self.embed_recorded(out, offset, (0, 1)))
    }

    /// `trace()`: the sum of a matrix's main diagonal (integers and bool give int64).
    pub fn trace(&self) -> Result<Tensor> {
        if self.ndim() != 2 {
            return Err(Error::Runtime(format!(
                "trace: expected a matrix, but got tensor with dim {}",
                self.ndim()
            )));
        }
        if self.dtype() == DType::Bool {
            return Err(Error::DTypeNotSupported {
                op: "trace",
                dtype: "Bool",
            });
        }
        let d = self.with_layout(self.layout().diagonal_at(0, 0, 1));
        let out = d.sum(None, false, None)?;
        Ok(record(out, "TraceBackward0", &[self], || {
            TraceRule(InputMeta::of(self))
        }))
    }

    /// `tril(k)`: the lower triangle (`j - i <= k`) of each matrix, zero elsewhere.
    pub fn tril(&self, k: i64) -> Result<Tensor> {
        self.triangle(k, true)
    }

    /// `triu(k)`: the upper triangle (`j - i >= k`) of each matrix, zero elsewhere.
    pub fn triu(&self, k: i64) -> Result<Tensor> {
        self.triangle(k, false)
    }

    fn triangle(&self, k: i64, lower: bool) -> Result<Tensor> {
        let (name, node) = if lower {
            ("tril", "TrilBackward0")
        } else {
            ("triu", "TriuBackward0")
        };
        if self.ndim() < 2 {
            return Err(Error::Runtime(format!(
                "{}: input tensor must have at least 2 dimensions",
                name
            )));
        }
        let out = crate::kernels::diag::triangle(self, k, lower)?;
        Ok(record(out, node, &[self], || TriangleRule { k, lower }))
    }
}

/// `tril_indices`/`triu_indices`: the (row, column) coordinates of a `row` x `col` matrix's
/// lower (upper) triangle, in row-major order, as a `2 x N` tensor.
fn triangle_indices(a: &Args, lower: bool) -> Result<Tensor> {
    let (name, row, col, offset) = (
        if lower {
            "tril_indices"
        } else {
            "triu_indices"
        },
        a.int(0)?,
        a.int(1)?,
        a.int(2)?,
    );
    for (what, v) in [("row", row), ("col", col)] {
        if v < 0 {
            return Err(Error::Runtime(format!(
                "{} must be non-negative, got{}",
                what, v
            )));
        }
    }
    let dtype = a.opt_dtype(3)?.unwrap_or(DType::Int64);
    if !matches!(dtype, DType::Int32 | DType::Int64) {
        return Err(Error::DTypeNotSupported {
            op: name,
            dtype: dtype.torch_name(),
        });
    }
    crate::ops::factory::check_device(a.opt_str(4)?)?;
    // Row `i` keeps the columns in `lo(i)..hi(i)`; the total is counted before anything is
    // allocated, so a huge matrix fails as an allocation rather than aborting.
    let span = |i: i64| -> (i64, i64) {
        if lower {
            (0, i.saturating_add(offset).saturating_add(1).clamp(0, col))
        } else {
            (i.saturating_add(offset).clamp(0, col), col)
        }
    };
    let count = clamped_sum(offset as i128 + i128::from(lower), row, col);
    let count = if lower {
        count
    } else {
        (row as i128) * (col as i128) - count
    };
    let n = usize::try_from(count).map_err(|_| {
        Error::OutOfMemory(format!(
            "Storage size calculation overflowed with sizes=[2, {}]",
            count
        ))
    })?;
    let out = Tensor::uninit(&[2, n], DType::Int64)?;
    // SAFETY: `out` is a new contiguous int64 tensor of `2 * n` elements; the loop below writes
    // exactly `n` coordinates per row of it (the count above is the sum of the spans).
    let data = unsafe { std::slice::from_raw_parts_mut(out.data_ptr().cast::<i64>(), 2 * n) };
    let (rows, cols) = data.split_at_mut(n);
    let mut at = 0;
    // Only rows with at least one element are visited, so the work is the count's.
    let rows_with_elements = if n == 0 {
        0..0
    } else if lower {
        offset.saturating_neg().saturating_sub(1).clamp(0, row)..row
    } else {
        0..col.saturating_sub(offset).clamp(0, row)
    };
    for i in rows_with_elements {
        let (lo, hi) = span(i);
        for j in lo..hi {
            rows[at] = i;
            cols[at] = j;
            at += 1;
        }
    }
    out.to_dtype(dtype)
}

/// `Σ_{i < n} clamp(start + i, 0, cap)` in closed form (`n`, `cap` >= 0).
fn clamped_sum(start: i128, n: i64, cap: i64) -> i128 {
    let (n, cap) = (n as i128, cap as i128);
    // Terms before `z` are <= 0; from `t` on they are >= cap; between, start + i.
    let z = (-start).clamp(0, n);
    let t = (cap - start).clamp(z, n);
    (t - z) * (2 * start + z + t - 1) / 2 + cap * (n - t)
}

/// `diagonal`.
pub static DIAGONAL: OpDef = OpDef {
    name: "diagonal",
    doc: "The diagonal of two dims as a view, appended as the last dim.",
    signatures: &["diagonal(Tensor(a) input, int offset=0, int dim1=0, int dim2=1)"],
    forms: Forms::BOTH,
    aliases: &[],
    nodes: &["DiagonalBackward0"],
    method_signatures: &[],
    source: file!(),
    run: |a, _| {
        Ok(a.tensor(0)?
            .diagonal(a.int(1)?, a.int(2)?, a.int(3)?)?
            .into())
    },
};

/// `diag`.
pub static DIAG: OpDef = OpDef {
    name: "diag",
    doc: "A vector's square matrix with it on a diagonal, or a matrix's diagonal.",
    signatures: &["diag(Tensor input, int diagonal=0)"],
    forms: Forms::BOTH_OUT,
    aliases: &[],
    nodes: &["DiagEmbedBackward0", "DiagonalBackward0_copy"],
    method_signatures: &[],
    source: file!(),
    run: |a, d| d.finish(a, |a| a.tensor(0)?.diag(a.int(1)?)),
};

/// `diag_embed`.
pub static DIAG_EMBED: OpDef = OpDef {
    name: "diag_embed",
    doc: "The last dim written on the diagonal of two new dims, zero elsewhere.",
    signatures: &["diag_embed(Tensor input, int offset=0, int dim1=-2, int dim2=-1)"],
    forms: Forms::BOTH_OUT,
    aliases: &[],
    nodes: &["DiagEmbedBackward0"],
    method_signatures: &[],
    source: file!(),
    run: |a, d| {
        d.finish(a, |a| {
            a.tensor(0)?.diag_embed(a.int(1)?, a.int(2)?, a.int(3)?)
        })
    },
};

/// `diagflat`.
pub static DIAGFLAT: OpDef = OpDef {
    name: "diagflat",
    doc: "The flattened input on a diagonal of a square matrix.",
    signatures: &["diagflat(Tensor input, int offset=0)"],
    forms: Forms::BOTH,
    aliases: &[],
    nodes: &["DiagEmbedBackward0"],
    method_signatures: &[],
    source: file!(),
    run: |a, _| Ok(a.tensor(0)?.diagflat(a.int(1)?)?.into()),
};

/// `trace`.
pub static TRACE: OpDef = OpDef {
    name: "trace",
    doc: "The sum of a matrix's main diagonal.",
    signatures: &["trace(Tensor input)"],
    forms: Forms::BOTH,
    aliases: &[],
    nodes: &["TraceBackward0"],
    method_signatures: &[],
    source: file!(),
    run: |a, _| Ok(a.tensor(0)?.trace()?.into()),
};

/// `tril`.
pub static TRIL: OpDef = OpDef {
    name: "tril",
    doc: "The lower triangle of each matrix (`j - i <= diagonal`), zero elsewhere.",
    signatures: &["tril(Tensor input, int diagonal=0)"],
    forms: Forms::ALL,
    aliases: &[],
    nodes: &["TrilBackward0"],
    method_signatures: &[],
    source: file!(),
    run: |a, d| d.finish(a, |a| a.tensor(0)?.tril(a.int(1)?)),
};

/// `triu`.
pub static TRIU: OpDef = OpDef {
    name: "triu",
    doc: "The upper triangle of each matrix (`j - i >= diagonal`), zero elsewhere.",
    signatures: &["triu(Tensor input, int diagonal=0)"],
    forms: Forms::ALL,
    aliases: &[],
    nodes: &["TriuBackward0"],
    method_signatures: &[],
    source: file!(),
    run: |a, d| d.finish(a, |a| a.tensor(0)?.triu(a.int(1)?)),
};

/// `tril_indices`.
pub static TRIL_INDICES: OpDef = OpDef {
    name: "tril_indices",
    doc: "The coordinates of a matrix's lower triangle as a 2 x N tensor.",
    signatures: &["tril_indices(int row, int col, int offset=0, *, ScalarType? dtype=None, Device? device=None)"],
    forms: Forms::FUNCTION,
    aliases: &[],
    nodes: &[],
    method_signatures: &[],
    source: file!(),
    run: |a, _| Ok(triangle_indices(a, true)?.into()),
};

/// `triu_indices`.
pub static TRIU_INDICES: OpDef = OpDef {
    name: "triu_indices",
    doc: "The coordinates of a matrix's upper triangle as a 2 x N tensor.",
    signatures: &["triu_indices(int row, int col, int offset=0, *, ScalarType? dtype=None, Device? device=None)"],
    forms: Forms::FUNCTION,
    aliases: &[],
    nodes: &[],
    method_signatures: &[],
    source: file!(),
    run: |a, _| Ok(triangle_indices(a, false)?.into()),
};

/// The declarations of this file.
pub static OPS: &[&OpDef] = &[
    &DIAGONAL,
    &DIAG,
    &DIAG_EMBED,
    &DIAGFLAT,
    &TRACE,
    &TRIL,
    &TRIU,
    &TRIL_INDICES,
    &TRIU_INDICES,
];
