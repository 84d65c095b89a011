//! Views: new tensors over the same storage with another layout (transpose, permute, reshape
//! when the strides allow, squeeze, unsqueeze, expand, select, slice, narrow, diagonal, split
//! pieces), each recorded with its backward rule when autograd needs it.

use crate::autograd::graph::Backward;
use crate::autograd::record::{record, record_view};
use crate::autograd::rules::views::{
    PassRule, PermuteRule, RegionRule, ReshapeRule, TransposeRule,
};
use crate::autograd::rules::InputMeta;
use crate::dtype::DType;
use crate::error::{Error, Result};
use crate::layout::{infer_shape, Layout};
use crate::ops::registry::{Args, Forms, OpDef, Ret};
use crate::shape::Dims;
use crate::shape::{normalize_dim, normalize_insert_dim};
use crate::tensor::{Tensor, TensorImpl};

impl Tensor {
    /// A view of this tensor with `layout`, recorded under `name` with `rule` when needed.
    fn recorded_view<R: Backward + 'static>(
        &self,
        layout: Layout,
        name: &'static str,
        rule: impl FnOnce() -> R,
    ) -> Tensor {
        record_view(self.with_layout(layout), name, self, rule)
    }

    /// A view with a new shape, whose gradient is reshaped back.
    fn reshaped_view(&self, layout: Layout, name: &'static str) -> Tensor {
        self.recorded_view(layout, name, || ReshapeRule(self.shape().to_vec()))
    }

    /// A view of a region (select, slice), whose gradient lands in that region of zeros.
    pub(crate) fn region_view(
        &self,
        name: &'static str,
        region: impl Fn(&Layout) -> Layout + Send + Sync + 'static,
    ) -> Tensor {
        let layout = region(self.layout());
        self.recorded_view(layout, name, || RegionRule {
            input: InputMeta::of(self),
            region: std::sync::Arc::new(region),
        })
    }

    /// Swaps two dims.
    pub fn transpose(&self, d0: i64, d1: i64) -> Result<Tensor> {
        let layout = self.layout().transpose(d0, d1)?;
        Ok(self.recorded_view(layout, "TransposeBackward0", || TransposeRule(d0, d1)))
    }

    /// Reorders dims.
    pub fn permute(&self, dims: &[i64]) -> Result<Tensor> {
        let layout = self.layout().permute(dims)?;
        Ok(self.recorded_view(layout, "PermuteBackward0", || PermuteRule::new(dims)))
    }

    /// `t()`: transposes a tensor of at most 2 dims.
    pub fn t(&self) -> Result<Tensor> {
        if self.ndim() > 2 {
            return Err(Error::Runtime(format!(
                "t() expects a tensor with <= 2 dimensions, but self is {}D",
                self.ndim()
            )));
        }
        if self.ndim() < 2 {
            return Ok(self.reshaped_view(self.layout().clone(), "TBackward0"));
        }
        let layout = self.layout().transpose(0, 1)?;
        Ok(self.recorded_view(layout, "TBackward0", || TransposeRule(0, 1)))
    }

    /// `T`: reverses all dims.
    pub fn reverse_dims(&self) -> Result<Tensor> {
        let dims: Vec<i64> = (0..self.ndim() as i64).rev().collect();
        self.permute(&dims)
    }

    /// Inserts a size-1 dim.
    pub fn unsqueeze(&self, dim: i64) -> Result<Tensor> {
        let d = normalize_insert_dim(dim, self.ndim())?;
        Ok(self.reshaped_view(self.layout().unsqueeze(d), "UnsqueezeBackward0"))
    }

    /// Removes size-1 dims: every one (`squeeze()`, `SqueezeBackward0`) or those listed
    /// (`squeeze(dims)`, `SqueezeBackward2`).
    pub fn squeeze(&self, dims: Option<&[i64]>) -> Result<Tensor> {
        match dims {
            None => Ok(self.reshaped_view(self.layout().squeeze(None), "SqueezeBackward0")),
            Some(ds) => {
                let mut seen = Vec::with_capacity(ds.len());
                for &d in ds {
                    let n = normalize_dim(d, self.ndim())?;
                    if seen.contains(&n) {
                        return Err(Error::Runtime(format!(
                            "dim {} appears multiple times in the list of dims",
                            n
                        )));
                    }
                    seen.push(n);
                }
                let ds = seen;
                let layout = self.layout().squeeze(Some(&ds));
                Ok(self.reshaped_view(layout, "SqueezeBackward2"))
            }
        }
    }

    /// Removes `dim` when its size is 1 (`squeeze(dim)`, `SqueezeBackward1`).
    pub fn squeeze_dim(&self, dim: i64) -> Result<Tensor> {
        self.squeeze_dim_named(dim, "SqueezeBackward1")
    }

    /// [`Tensor::squeeze_dim`] recorded under `name`: `SqueezeBackward4` for what torch squeezes
    /// in place (`squeeze_(dim)` on a result of its own, as in `matmul`).
    pub(crate) fn squeeze_dim_named(&self, dim: i64, name: &'static str) -> Result<Tensor> {
        let d = normalize_dim(dim, self.ndim())?;
        Ok(self.reshaped_view(self.layout().squeeze(Some(&[d])), name))
    }

    /// Broadcasts to `sizes` (`-1` keeps a dim) without copying.
    pub fn expand(&self, sizes: &[i64]) -> Result<Tensor> {
        let layout = self.layout().expand(sizes)?;
        Ok(self.recorded_view(layout, "ExpandBackward0", || PassRule(InputMeta::of(self))))
    }

    /// The tensor viewed with `shape` (same element count), when its strides allow that,
    /// recorded under `name`.
    fn try_view(&self, shape: Dims, name: &'static str) -> Option<Tensor> {
        let strides = self.layout().view_strides(&shape)?;
        let layout = Layout {
            shape,
            strides,
            offset: self.storage_offset(),
        };
        Some(self.reshaped_view(layout, name))
    }

    /// `view`: a new shape over the same memory, or torch's error when the strides forbid it.
    pub fn view(&self, sizes: &[i64]) -> Result<Tensor> {
        self.try_view(infer_shape(sizes, self.numel())?, "ViewBackward0")
            .ok_or_else(|| {
                Error::Runtime(
                    "view size is not compatible with input tensor's size and stride (at least one dimension spans across two contiguous subspaces). Use .reshape(...) instead."
                        .into(),
                )
            })
    }

    /// `reshape`, as torch decomposes it: a `view` of a contiguous tensor (`ViewBackward0`), a
    /// view at other strides when they allow it (`_reshape_alias`, `ReshapeAliasBackward0`),
    /// otherwise a contiguous copy (`CloneBackward0`) given the shape (`UnsafeViewBackward0`).
    pub fn reshape(&self, sizes: &[i64]) -> Result<Tensor> {
        let shape = infer_shape(sizes, self.numel())?;
        let name = if self.is_contiguous() {
            "ViewBackward0"
        } else {
            "ReshapeAliasBackward0"
        };
        if let Some(view) = self.try_view(shape.clone(), name) {
            return Ok(view);
        }
        self.contiguous()?.unsafe_view(&shape)
    }

    /// torch's `_unsafe_view`: a new shape over the same memory like `view`, but an op of its own
    /// (`UnsafeViewBackward0`) whose result is not a view of `self`, for results an op made
    /// itself (a copy, a product's output). Errors when the strides do not allow the shape.
    pub fn unsafe_view(&self, shape: &[usize]) -> Result<Tensor> {
        let strides = self.layout().view_strides(shape).ok_or_else(|| {
            Error::Runtime(format!(
                "_unsafe_view: shape {} does not fit the strides of a {} tensor",
                crate::error::fmt_shape(shape),
                crate::error::fmt_shape(self.shape())
            ))
        })?;
        let layout = Layout {
            shape: Dims::from_slice(shape),
            strides,
            offset: self.storage_offset(),
        };
        Ok(record(
            self.with_layout(layout),
            "UnsafeViewBackward0",
            &[self],
            || ReshapeRule(self.shape().to_vec()),
        ))
    }

    /// Flattens dims `start..=end` into one.
    pub fn flatten(&self, start: i64, end: i64) -> Result<Tensor> {
        if self.ndim() == 0 {
            // A 0-dim tensor has the one dim 0 (or -1) here, as for every dim argument in torch.
            normalize_dim(start, 0)?;
            normalize_dim(end, 0)?;
            return self.reshape(&[1]);
        }
        let s = normalize_dim(start, self.ndim())?;
        let e = normalize_dim(end, self.ndim())?;
        if s > e {
            return Err(Error::Runtime(
                "flatten() has invalid args: start_dim cannot come after end_dim".into(),
            ));
        }
        if s == e {
            return Ok(self.clone());
        }
        let shape = self.shape();
        let mut sizes: Vec<i64> = shape[..s].iter().map(|&d| d as i64).collect();
        sizes.push(shape[s..=e].iter().product::<usize>() as i64);
        sizes.extend(shape[e + 1..].iter().map(|&d| d as i64));
        self.reshape(&sizes)
    }

    /// The diagonal of dims `keep` < `merge` as a view (einsum's `ii->i`): it stays at `keep`,
    /// `merge` is removed. Out-of-range dims are an error.
    pub fn diagonal_view(&self, keep: usize, merge: usize) -> Result<Tensor> {
        if keep >= merge || merge >= self.ndim() {
            return Err(Error::Index(format!(
                "diagonal dimensions {} and {} are invalid for a tensor of {} dims",
                keep,
                merge,
                self.ndim()
            )));
        }
        Ok(self.region_view("DiagonalBackward0", move |l| l.diagonal(keep, merge)))
    }

    /// Selects one index along a dim (negative indices count from the end), removing the dim.
    pub fn select(&self, dim: i64, index: i64) -> Result<Tensor> {
        if self.ndim() == 0 {
            return Err(Error::Index(
                "invalid index of a 0-dim tensor. Use `tensor.item()` in Python or `tensor.item<T>()` in C++ to convert a 0-dim tensor to a number".into(),
            ));
        }
        let d = normalize_dim(dim, self.ndim())?;
        let size = self.shape()[d] as i64;
        if index < -size || index >= size {
            return Err(Error::IndexOutOfRange {
                index,
                dim: d,
                size: size as usize,
            });
        }
        let i = if index < 0 { index + size } else { index } as usize;
        Ok(self.region_view("SelectBackward0", move |l| l.select(d, i)))
    }

    /// Python-style slice `start:stop:step` along a dim (bounds clamp as in Python; step > 0).
    pub fn slice(
        &self,
        dim: usize,
        start: Option<i64>,
        stop: Option<i64>,
        step: i64,
    ) -> Result<Tensor> {
        if step == 0 {
            return Err(Error::Value("slice step cannot be zero".into()));
        }
        if step < 0 {
            return Err(Error::Value("step must be greater than zero".into()));
        }
        let size = self.shape()[dim] as i64;
        let clamp = |v: i64| {
            if v < 0 {
                v.saturating_add(size).max(0)
            } else {
                v.min(size)
            }
        };
        let s = start.map_or(0, clamp);
        let e = stop.map_or(size, clamp);
        let len = if e > s { (e - s - 1) / step + 1 } else { 0 };
        let (s, len, step) = (s as usize, len as usize, step as usize);
        Ok(self.region_view("SliceBackward0", move |l| l.slice(dim, s, len, step)))
    }

    /// `narrow(dim, start, length)` as the user calls it: checked, negative `start` counts from the end.
    pub fn narrow_checked(&self, dim: i64, start: i64, length: i64) -> Result<Tensor> {
        if self.ndim() == 0 {
            return Err(Error::Runtime(
                "narrow() cannot be applied to a 0-dim tensor.".into(),
            ));
        }
        // torch's checks, in its order and with its exception types.
        if length < 0 {
            return Err(Error::Runtime(
                "narrow(): length must be non-negative.".into(),
            ));
        }
        let d = normalize_dim(dim, self.ndim())?;
        let size = self.shape()[d] as i64;
        let s = if start < 0 {
            start.saturating_add(size)
        } else {
            start
        };
        if start < -size || start > size {
            return Err(Error::Index(format!(
                "start out of range (expected to be in range of [{}, {}], but got {})",
                -size, size, start
            )));
        }
        if length > size - s {
            return Err(Error::Runtime(format!(
                "start ({}) + length ({}) exceeds dimension size ({}).",
                s, length, size
            )));
        }
        let (s, len) = (s as usize, length as usize);
        Ok(self.region_view("SliceBackward0", move |l| l.slice(d, s, len, 1)))
    }

    /// Room for `n` views of this tensor (the pieces of `split`, `chunk`, iteration), or torch's
    /// out-of-memory error when `n` views would not fit in memory: a dim of 2**40 expanded from
    /// one element is cheap to make and must not abort the process when split into single rows.
    pub fn reserve_views(&self, n: usize) -> Result<Vec<Tensor>> {
        let per_view = std::mem::size_of::<Tensor>()
            + std::mem::size_of::<TensorImpl>()
            + 2 * 16 // the Arc's counts, and the Python object that will wrap the view
            + self.ndim() * (std::mem::size_of::<usize>() + std::mem::size_of::<isize>())
            + 64;
        crate::storage::check_allocatable(n, per_view)?;
        crate::storage::try_vec(n)
    }

    /// `unbind(dim)`: every `select(dim, i)` view, in order (what iterating a tensor yields).
    pub fn unbind(&self, dim: i64) -> Result<Vec<Tensor>> {
        if self.ndim() == 0 {
            return Err(Error::Index(
                "Dimension specified as 0 but tensor has no dimensions".into(),
            ));
        }
        let d = normalize_dim(dim, self.ndim())?;
        let n = self.shape()[d];
        let mut out = self.reserve_views(n)?;
        for i in 0..n {
            out.push(self.select(d as i64, i as i64)?);
        }
        Ok(out)
    }

    /// A recorded `narrow` for the pieces of `split` and `chunk`, under `name`
    /// (`SplitBackward0`, or `SplitWithSizesBackward0` for a list of sizes).
    pub fn split_piece(
        &self,
        name: &'static str,
        dim: usize,
        start: usize,
        length: usize,
    ) -> Tensor {
        self.region_view(name, move |l| l.slice(dim, start, length, 1))
    }
}

/// `view`/`reshape`'s size argument.
fn shape_arg(a: &Args, i: usize) -> Result<Vec<i64>> {
    Ok(a.ints(i)?.to_vec())
}

/// `reshape`.
pub static RESHAPE: OpDef = OpDef {
    name: "reshape",
    doc: "A new shape over the same memory when the strides allow, else a contiguous copy.",
    signatures: &["reshape(Tensor input, int[]... shape)"],
    forms: Forms::BOTH,
    aliases: &[],
    nodes: &[
        "ViewBackward0",
        "ReshapeAliasBackward0",
        "UnsafeViewBackward0",
    ],
    method_signatures: &[],
    source: file!(),
    run: |a, _| Ok(a.tensor(0)?.reshape(&shape_arg(a, 1)?)?.into()),
};

/// `view`.
pub static VIEW: OpDef = OpDef {
    name: "view",
    doc: "A new shape over the same memory; RuntimeError when the strides forbid it.",
    signatures: &[
        "view(Tensor(a) input, ScalarType dtype)",
        "view(Tensor(a) input, int[]... size)",
    ],
    forms: Forms::METHOD,
    aliases: &[],
    nodes: &["ViewBackward0"],
    method_signatures: &[],
    source: file!(),
    run: |a, _| {
        let t = a.tensor(0)?;
        Ok(match a.overload {
            0 if a.opt_dtype(1)? == Some(t.dtype()) => t.detach().into(),
            0 => return Err(Error::Runtime("view(dtype) is not supported".into())),
            _ => t.view(&shape_arg(a, 1)?)?.into(),
        })
    },
};

/// `flatten`.
pub static FLATTEN: OpDef = OpDef {
    name: "flatten",
    doc: "Merges dims `start_dim..=end_dim` into one (a view when the strides allow).",
    signatures: &["flatten(Tensor input, int start_dim=0, int end_dim=-1)"],
    forms: Forms::BOTH,
    aliases: &[],
    nodes: &[
        "ViewBackward0",
        "ReshapeAliasBackward0",
        "UnsafeViewBackward0",
    ],
    method_signatures: &[],
    source: file!(),
    run: |a, _| Ok(a.tensor(0)?.flatten(a.int(1)?, a.int(2)?)?.into()),
};

/// `squeeze`.
pub static SQUEEZE: OpDef = OpDef {
    name: "squeeze",
    doc: "Removes size-1 dims: all of them, one, or those listed.",
    signatures: &[
        "squeeze(Tensor(a) input)",
        "squeeze(Tensor(a) input, int dim)",
        "squeeze(Tensor(a) input, int[] dim)",
    ],
    forms: Forms::BOTH,
    aliases: &[],
    nodes: &["SqueezeBackward0", "SqueezeBackward1", "SqueezeBackward2"],
    method_signatures: &[],
    source: file!(),
    run: |a, _| {
        let t = a.tensor(0)?;
        Ok(match a.overload {
            0 => t.squeeze(None)?,
            1 => t.squeeze_dim(a.int(1)?)?,
            _ => t.squeeze(Some(a.ints(1)?))?,
        }
        .into())
    },
};

/// `unsqueeze`.
pub static UNSQUEEZE: OpDef = OpDef {
    name: "unsqueeze",
    doc: "Inserts a size-1 dim at `dim`.",
    signatures: &["unsqueeze(Tensor(a) input, int dim)"],
    forms: Forms::BOTH,
    aliases: &[],
    nodes: &["UnsqueezeBackward0"],
    method_signatures: &[],
    source: file!(),
    run: |a, _| Ok(a.tensor(0)?.unsqueeze(a.int(1)?)?.into()),
};

/// `transpose`.
pub static TRANSPOSE: OpDef = OpDef {
    name: "transpose",
    doc: "Swaps two dims (a view).",
    signatures: &["transpose(Tensor(a) input, int dim0, int dim1)"],
    forms: Forms::BOTH,
    aliases: &["swapdims"],
    nodes: &["TransposeBackward0"],
    method_signatures: &[],
    source: file!(),
    run: |a, _| Ok(a.tensor(0)?.transpose(a.int(1)?, a.int(2)?)?.into()),
};

/// `swapaxes`.
pub static SWAPAXES: OpDef = OpDef {
    name: "swapaxes",
    doc: "Swaps two dims (numpy's name for `transpose`).",
    signatures: &["swapaxes(Tensor(a) input, int axis0, int axis1)"],
    forms: Forms::BOTH,
    aliases: &[],
    nodes: &["TransposeBackward0"],
    method_signatures: &[],
    source: file!(),
    run: |a, _| Ok(a.tensor(0)?.transpose(a.int(1)?, a.int(2)?)?.into()),
};

/// `permute`.
pub static PERMUTE: OpDef = OpDef {
    name: "permute",
    doc: "Reorders the dims (a view).",
    signatures: &["permute(Tensor(a) input, int[]... dims)"],
    forms: Forms::BOTH,
    aliases: &[],
    nodes: &["PermuteBackward0"],
    method_signatures: &[],
    source: file!(),
    run: |a, _| Ok(a.tensor(0)?.permute(a.ints(1)?)?.into()),
};

/// `t`.
pub static T: OpDef = OpDef {
    name: "t",
    doc: "The transpose of a tensor of at most 2 dims.",
    signatures: &["t(Tensor(a) input)"],
    forms: Forms::BOTH,
    aliases: &[],
    nodes: &["TBackward0"],
    method_signatures: &[],
    source: file!(),
    run: |a, _| Ok(a.tensor(0)?.t()?.into()),
};

/// `expand`.
pub static EXPAND: OpDef = OpDef {
    name: "expand",
    doc: "Broadcasts to a bigger shape without copying (`-1` keeps a dim).",
    signatures: &["expand(Tensor(a) input, int[]... size, *, bool implicit=False)"],
    forms: Forms::METHOD,
    aliases: &[],
    nodes: &["ExpandBackward0"],
    method_signatures: &[],
    source: file!(),
    run: |a, _| Ok(a.tensor(0)?.expand(a.ints(1)?)?.into()),
};

/// `expand_as`.
pub static EXPAND_AS: OpDef = OpDef {
    name: "expand_as",
    doc: "Broadcasts to `other`'s shape without copying.",
    signatures: &["expand_as(Tensor(a) input, Tensor other)"],
    forms: Forms::METHOD,
    aliases: &[],
    nodes: &["ExpandBackward0"],
    method_signatures: &[],
    source: file!(),
    run: |a, _| {
        let sizes: Vec<i64> = a.tensor(1)?.shape().iter().map(|&d| d as i64).collect();
        Ok(a.tensor(0)?.expand(&sizes)?.into())
    },
};

/// `narrow`.
pub static NARROW: OpDef = OpDef {
    name: "narrow",
    doc: "`length` elements along `dim` from `start` (a view).",
    signatures: &[
        "narrow(Tensor(a) input, int dim, Tensor start, int length)",
        "narrow(Tensor(a) input, int dim, int start, int length)",
    ],
    forms: Forms::BOTH,
    aliases: &[],
    nodes: &["SliceBackward0"],
    method_signatures: &[],
    source: file!(),
    run: |a, _| {
        let start = match a.overload {
            0 => narrow_start(a.tensor(2)?)?,
            _ => a.int(2)?,
        };
        Ok(a.tensor(0)?
            .narrow_checked(a.int(1)?, start, a.int(3)?)?
            .into())
    },
};

/// `narrow`'s tensor `start`: torch takes only a 0-dim integer (not bool) tensor, checked before
/// anything else.
fn narrow_start(start: &Tensor) -> Result<i64> {
    if start.ndim() != 0 || !matches!(start.dtype(), DType::Int32 | DType::Int64) {
        return Err(Error::Runtime(
            "start must be an 0-dim integral Tensor.".into(),
        ));
    }
    start.item_i64()
}

/// `select`.
pub static SELECT: OpDef = OpDef {
    name: "select",
    doc: "The slice at `index` along `dim`, which it removes (a view).",
    signatures: &["select(Tensor(a) input, int dim, int index)"],
    forms: Forms::BOTH,
    aliases: &[],
    nodes: &["SelectBackward0"],
    method_signatures: &[],
    source: file!(),
    run: |a, _| Ok(a.tensor(0)?.select(a.int(1)?, a.int(2)?)?.into()),
};

/// `split`.
pub static SPLIT: OpDef = OpDef {
    name: "split",
    doc:
        "Views of `split_size` elements along `dim` (the last one shorter), or of the listed sizes.",
    signatures: &[
        "split(Tensor(a) tensor, int split_size_or_sections, int dim=0) -> tuple[Tensor, ...]",
        "split(Tensor(a) tensor, int[] split_size_or_sections, int dim=0) -> tuple[Tensor, ...]",
    ],
    forms: Forms::BOTH,
    aliases: &[],
    nodes: &["SplitBackward0", "SplitWithSizesBackward0"],
    method_signatures: &[
        "split(Tensor(a) input, int split_size, int dim=0) -> tuple[Tensor, ...]",
        "split(Tensor(a) input, int[] split_size, int dim=0) -> tuple[Tensor, ...]",
    ],
    source: file!(),
    run: |a, _| {
        let t = a.tensor(0)?;
        let parts = match a.overload {
            0 => t.split_size(a.int(1)?, a.int(2)?)?,
            _ => t.split_sizes(a.ints(1)?, a.int(2)?)?,
        };
        Ok(Ret::Tuple("", parts))
    },
};

/// `chunk`.
pub static CHUNK: OpDef = OpDef {
    name: "chunk",
    doc: "`chunks` views of near-equal size along `dim`.",
    signatures: &["chunk(Tensor(a) input, int chunks, int dim=0) -> tuple[Tensor, ...]"],
    forms: Forms::BOTH,
    aliases: &[],
    nodes: &["SplitBackward0"],
    method_signatures: &[],
    source: file!(),
    run: |a, _| Ok(Ret::Tuple("", a.tensor(0)?.chunk(a.int(1)?, a.int(2)?)?)),
};

/// `detach`.
pub static DETACH: OpDef = OpDef {
    name: "detach",
    doc: "The same memory and version counter, with no gradient flowing back through it.",
    signatures: &["detach(Tensor(a) input)"],
    forms: Forms::BOTH,
    aliases: &[],
    nodes: &[],
    method_signatures: &[],
    source: file!(),
    run: |a, _| Ok(a.tensor(0)?.detach().into()),
};

/// The declarations of this file.
pub static OPS: &[&OpDef] = &[
    &RESHAPE, &VIEW, &FLATTEN, &SQUEEZE, &UNSQUEEZE, &TRANSPOSE, &SWAPAXES, &PERMUTE, &T, &EXPAND,
    &EXPAND_AS, &NARROW, &SELECT, &SPLIT, &CHUNK, &DETACH,
];
