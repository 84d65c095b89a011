//! Rearranging copies: `flip`, `fliplr`, `flipud`, `rot90`, `roll`, `repeat`, `tile` and
//! `repeat_interleave`. The copies are one kernel (`kernels/rearrange.rs`); this file checks the
//! arguments as torch does and records the nodes.

use crate::autograd::record::record;
use crate::autograd::rules::rearrange::{
    FlipRule, InterleaveRule, RepeatRule, RollRule, Rot90Rule,
};
use crate::autograd::rules::InputMeta;
use crate::dtype::DType;
use crate::error::{Error, Result};
use crate::kernels::rearrange::{remap, Map};
use crate::layout::Layout;
use crate::ops::registry::{Forms, OpDef};
use crate::shape::{existing_dim, normalize_dim};
use crate::tensor::Tensor;

/// Normalises `dims`, refusing one named twice (torch's `flip` message).
fn distinct_dims(dims: &[i64], ndim: usize) -> Result<Vec<usize>> {
    let mut seen = vec![false; ndim.max(1)];
    dims.iter()
        .map(|&d| {
            let n = normalize_dim(d, ndim)?;
            if std::mem::replace(&mut seen[n], true) {
                return Err(Error::Runtime(format!(
                    "dim {} appears multiple times in the list of dims",
                    n
                )));
            }
            Ok(n)
        })
        .collect()
}

/// `t`'s elements in row-major order (a contiguous copy when `t` is not contiguous), viewed
/// unrecorded with `shape`, which holds as many elements.
fn contiguous_as(t: &Tensor, shape: &[usize]) -> Result<Tensor> {
    let base = if t.is_contiguous() {
        t.detach()
    } else {
        t.clone_contiguous()?
    };
    Ok(base.with_layout(Layout {
        offset: base.layout().offset,
        ..Layout::contiguous(shape)
    }))
}

/// `t`'s shape with `extra` leading ones.
fn padded_shape(t: &Tensor, extra: usize) -> Vec<usize> {
    let mut shape = vec![1; extra];
    shape.extend_from_slice(t.shape());
    shape
}

impl Tensor {
    /// `flip(dims)`: a copy with the order of the elements along each of `dims` reversed.
    pub fn flip(&self, dims: &[i64]) -> Result<Tensor> {
        let dims = distinct_dims(dims, self.ndim())?;
        let mut maps = vec![Map::Same; self.ndim()];
        for &d in &dims {
            if d < maps.len() {
                maps[d] = Map::Flip;
            }
        }
        let out = remap(self, &maps)?;
        Ok(record(out, "FlipBackward0", &[self], || FlipRule {
            dims: dims.iter().map(|&d| d as i64).collect(),
        }))
    }

    /// `fliplr()`: `flip(1)` of a tensor of at least 2 dims.
    pub fn fliplr(&self) -> Result<Tensor> {
        if self.ndim() < 2 {
            return Err(Error::Runtime("Input must be >= 2-d.".into()));
        }
        self.flip(&[1])
    }

    /// `flipud()`: `flip(0)` of a tensor of at least 1 dim.
    pub fn flipud(&self) -> Result<Tensor> {
        if self.ndim() < 1 {
            return Err(Error::Runtime("Input must be >= 1-d.".into()));
        }
        self.flip(&[0])
    }

    /// `rot90(k, dims)`: the plane of `dims` turned `k` quarter turns from the first dim towards
    /// the second; odd `k` give a transposed view of a new tensor, as torch.
    pub fn rot90(&self, k: i64, dims: &[i64]) -> Result<Tensor> {
        let nd = self.ndim();
        if dims.len() != 2 {
            return Err(Error::Runtime(format!(
                "expected total rotation dims == 2, but got dims = {}",
                dims.len()
            )));
        }
        if nd < 2 {
            return Err(Error::Runtime(format!(
                "expected total dims >= 2, but got total dims = {}",
                nd
            )));
        }
        let (d0, d1) = (normalize_dim(dims[0], nd)?, normalize_dim(dims[1], nd)?);
        if d0 == d1 {
            return Err(Error::Runtime(format!(
                "expected rotation dims to be different, but got dim0 = {} and dim1 = {}",
                dims[0], dims[1]
            )));
        }
        let k = k.rem_euclid(4);
        let mut maps = vec![Map::Same; nd];
        match k {
            1 => maps[d1] = Map::Flip,
            2 => (maps[d0], maps[d1]) = (Map::Flip, Map::Flip),
            3 => maps[d0] = Map::Flip,
            _ => {}
        }
        let out = remap(self, &maps)?;
        let out = if k % 2 == 1 {
            out.with_layout(out.layout().transpose(d0 as i64, d1 as i64)?)
        } else {
            out
        };
        Ok(record(out, "Rot90Backward0", &[self], || Rot90Rule {
            k,
            dims: (d0 as i64, d1 as i64),
        }))
    }

    /// `roll(shifts, dims)`: elements shifted cyclically along each of `dims` (repeated dims add
    /// up); without dims, along the flattened tensor.
    pub fn roll(&self, shifts: &[i64], dims: &[i64]) -> Result<Tensor> {
        if shifts.is_empty() {
            return Err(Error::Runtime("`shifts` required".into()));
        }
        if dims.is_empty() && shifts.len() == 1 {
            let n = self.numel();
            let flat = contiguous_as(self, &[n])?;
            let s = if n == 0 {
                0
            } else {
                shifts[0].rem_euclid(n as i64) as usize
            };
            let out = remap(&flat, &[Map::Roll(s)])?;
            let out = out.with_layout(Layout::contiguous(self.shape()));
            return Ok(self.roll_recorded(out, shifts, dims));
        }
        if shifts.len() != dims.len() {
            return Err(Error::Runtime(format!(
                "shifts and dimensions must align. shifts: {}, dims:{}",
                shifts.len(),
                dims.len()
            )));
        }
        let nd = self.ndim();
        let mut total = vec![0i64; nd];
        for (&s, &d) in shifts.iter().zip(dims) {
            let d = existing_dim(d, nd)?;
            let n = self.shape()[d].max(1) as i64;
            total[d] = (total[d] + s.rem_euclid(n)) % n;
        }
        let maps: Vec<Map> = (0..nd).map(|d| Map::Roll(total[d] as usize)).collect();
        let out = remap(self, &maps)?;
        Ok(self.roll_recorded(out, shifts, dims))
    }

    /// Records `out = roll(self, shifts, dims)`.
    fn roll_recorded(&self, out: Tensor, shifts: &[i64], dims: &[i64]) -> Tensor {
        record(out, "RollBackward0", &[self], || RollRule {
            shifts: shifts.iter().map(|s| s.wrapping_neg()).collect(),
            dims: dims.to_vec(),
        })
    }

    /// `repeat(*sizes)`: the tensor tiled `sizes[i]` times along dim `i`; `sizes` may be longer
    /// than the tensor's dims (new leading dims), not shorter.
    pub fn repeat(&self, sizes: &[i64]) -> Result<Tensor> {
        let nd = self.ndim();
        if sizes.len() < nd {
            return Err(Error::Runtime("Number of dimensions of repeat dims can not be smaller than number of dimensions of tensor".into()));
        }
        let extra = sizes.len() - nd;
        let padded: Vec<usize> = (0..sizes.len())
            .map(|i| {
                if i < extra {
                    1
                } else {
                    self.shape()[i - extra]
                }
            })
            .collect();
        if sizes.iter().any(|&r| r < 0) {
            let shape: Vec<String> = padded
                .iter()
                .zip(sizes)
                .map(|(&n, &r)| (n as i64).saturating_mul(r).to_string())
                .collect();
            let bad = padded
                .iter()
                .zip(sizes)
                .map(|(&n, &r)| (n as i64).saturating_mul(r))
                .find(|&v| v < 0)
                .unwrap_or(-1);
            return Err(Error::Runtime(format!(
                "Trying to create tensor with negative dimension {}: [{}]",
                bad,
                shape.join(", ")
            )));
        }
        let src = contiguous_as(self, &padded_shape(self, extra))?;
        let maps: Vec<Map> = sizes.iter().map(|&r| Map::Tile(r as usize)).collect();
        let out = remap(&src, &maps)?;
        Ok(record(out, "RepeatBackward0", &[self], || RepeatRule {
            input: InputMeta::of(self),
            sizes: sizes.iter().map(|&r| r as usize).collect(),
        }))
    }

    /// `tile(dims)`: `repeat` with `dims` padded with leading ones to the tensor's dims.
    pub fn tile(&self, dims: &[i64]) -> Result<Tensor> {
        let nd = self.ndim();
        if dims.len() >= nd {
            return self.repeat(dims);
        }
        let mut sizes = vec![1; nd - dims.len()];
        sizes.extend_from_slice(dims);
        self.repeat(&sizes)
    }

    /// `repeat_interleave(repeats, dim)` with an int: each slice along `dim` (of the flattened
    /// tensor without `dim`) repeated `repeats` times in place.
    pub fn repeat_interleave_int(
        &self,
        repeats: i64,
        dim: Option<i64>,
        output_size: Option<i64>,
    ) -> Result<Tensor> {
        if repeats < 0 {
            return Err(Error::Runtime("Repeats must be non-negative".into()));
        }
        let (input, d) = match dim {
            Some(d) => (
                contiguous_as(self, self.shape())?,
                normalize_dim(d, self.ndim())?,
            ),
            None => (contiguous_as(self, &[self.numel()])?, 0),
        };
        if input.ndim() == 0 {
            // torch unsqueezes `dim + 1`, which a 0-dim tensor does not have.
            return Err(Error::DimOutOfRange {
                dim: d as i64 + 1,
                min: -1,
                max: 0,
            });
        }
        let n = input.shape()[d];
        let total = (n as i64)
            .checked_mul(repeats)
            .ok_or_else(|| Error::Runtime("Storage size calculation overflowed".into()))?;
        if let Some(size) = output_size {
            if size != total {
                return Err(Error::Runtime(format!(
                    "repeat_interleave: Invalid output_size, expected {} but got {}",
                    total, size
                )));
            }
        }
        // The input with a new dim of size 1 after `d`, tiled `repeats` times.
        let mut shape = input.shape().to_vec();
        shape.insert(d + 1, 1);
        let src = input.with_layout(Layout {
            offset: input.layout().offset,
            ..Layout::contiguous(&shape)
        });
        let mut maps = vec![Map::Same; shape.len()];
        maps[d + 1] = Map::Tile(repeats as usize);
        let out = remap(&src, &maps)?;
        let mut out_shape = input.shape().to_vec();
        out_shape[d] = total as usize;
        let out = out.with_layout(Layout::contiguous(&out_shape));
        Ok(record(out, "ViewBackward0", &[self], || InterleaveRule {
            input: InputMeta::of(self),
            dim: d,
            repeats: repeats as usize,
            shape: input.shape().to_vec(),
        }))
    }

    /// `repeat_interleave(repeats, dim)` with a tensor of counts (one per slice, or one for all):
    /// `index_select` with each index repeated its count.
    pub fn repeat_interleave_tensor(
        &self,
        repeats: &Tensor,
        dim: Option<i64>,
        output_size: Option<i64>,
    ) -> Result<Tensor> {
        let (input, d) = match dim {
            Some(d) => (self.clone(), normalize_dim(d, self.ndim())?),
            None => (self.reshape(&[-1])?, 0),
        };
        if repeats.ndim() > 1 {
            return Err(Error::Runtime(
                "repeats must be 0-dim or 1-dim tensor".into(),
            ));
        }
        let n = input.shape().get(d).copied().unwrap_or(1);
        let repeats = if repeats.numel() == 1 {
            repeats.reshape(&[1])?.expand(&[n as i64])?
        } else if repeats.numel() != n {
            return Err(Error::Runtime(format!(
                "repeats must have the same size as input along dim, but got repeats.size(0) = {} and input.size({}) = {}",
                repeats.numel(),
                d,
                n
            )));
        } else {
            repeats.reshape(&[-1])?
        };
        let index = interleave_index(&repeats, output_size)?;
        input.index_select(d as i64, &index)
    }
}

/// `repeat_interleave(repeats)`: `i` repeated `repeats[i]` times, in order, in `repeats`' dtype.
pub fn interleave_index(repeats: &Tensor, output_size: Option<i64>) -> Result<Tensor> {
    if !matches!(repeats.dtype(), DType::Int32 | DType::Int64) {
        return Err(Error::DTypeNotSupported {
            op: "repeat_interleave_cpu",
            dtype: repeats.dtype().torch_name(),
        });
    }
    if repeats.ndim() != 1 {
        return Err(Error::Runtime(
            "repeat_interleave only accept 1D vector as repeat".into(),
        ));
    }
    let counts = repeats.to_vec_i64()?;
    let mut total: i64 = 0;
    for &c in &counts {
        if c < 0 {
            return Err(Error::Runtime("repeats can not be negative".into()));
        }
        total = total
            .checked_add(c)
            .ok_or_else(|| Error::Runtime("Storage size calculation overflowed".into()))?;
    }
    if output_size.is_some_and(|s| s != total) {
        return Err(Error::Runtime(
            "allocated size does not match required size".into(),
        ));
    }
    let out = Tensor::uninit(&[total as usize], DType::Int64)?;
    let len = total as usize;
    // SAFETY: `out` is a new contiguous int64 tensor of `len` elements, the sum of the counts,
    // and the loop below writes exactly the counts' sum of elements into it.
    let data = unsafe { std::slice::from_raw_parts_mut(out.data_ptr().cast::<i64>(), len) };
    let mut at = 0;
    for (i, &c) in counts.iter().enumerate() {
        data[at..at + c as usize].fill(i as i64);
        at += c as usize;
    }
    out.to_dtype(repeats.dtype())
}

/// `flip`.
pub static FLIP: OpDef = OpDef {
    name: "flip",
    doc: "A copy with the elements along each of `dims` in reverse order.",
    signatures: &["flip(Tensor input, int[]... dims)"],
    forms: Forms::BOTH,
    aliases: &[],
    nodes: &["FlipBackward0"],
    method_signatures: &[],
    source: file!(),
    run: |a, _| Ok(a.tensor(0)?.flip(a.ints(1)?)?.into()),
};

/// `fliplr`.
pub static FLIPLR: OpDef = OpDef {
    name: "fliplr",
    doc: "A copy with the columns (dim 1) in reverse order.",
    signatures: &["fliplr(Tensor input)"],
    forms: Forms::BOTH,
    aliases: &[],
    nodes: &["FlipBackward0"],
    method_signatures: &[],
    source: file!(),
    run: |a, _| Ok(a.tensor(0)?.fliplr()?.into()),
};

/// `flipud`.
pub static FLIPUD: OpDef = OpDef {
    name: "flipud",
    doc: "A copy with the rows (dim 0) in reverse order.",
    signatures: &["flipud(Tensor input)"],
    forms: Forms::BOTH,
    aliases: &[],
    nodes: &["FlipBackward0"],
    method_signatures: &[],
    source: file!(),
    run: |a, _| Ok(a.tensor(0)?.flipud()?.into()),
};

/// `rot90`.
pub static ROT90: OpDef = OpDef {
    name: "rot90",
    doc: "The plane of two dims turned by `k` quarter turns.",
    signatures: &["rot90(Tensor input, int k=1, int[] dims=[0, 1])"],
    forms: Forms::BOTH,
    aliases: &[],
    nodes: &["Rot90Backward0"],
    method_signatures: &[],
    source: file!(),
    run: |a, _| Ok(a.tensor(0)?.rot90(a.int(1)?, a.ints(2)?)?.into()),
};

/// `roll`.
pub static ROLL: OpDef = OpDef {
    name: "roll",
    doc: "Elements shifted cyclically along dims (along the flattened tensor without dims).",
    signatures: &["roll(Tensor input, int[1] shifts, int[1] dims=[])"],
    forms: Forms::BOTH,
    aliases: &[],
    nodes: &["RollBackward0"],
    method_signatures: &[],
    source: file!(),
    run: |a, _| Ok(a.tensor(0)?.roll(a.ints(1)?, a.ints(2)?)?.into()),
};

/// `Tensor.repeat`.
pub static REPEAT: OpDef = OpDef {
    name: "repeat",
    doc: "The tensor tiled along each dim (more counts than dims add leading dims).",
    signatures: &["repeat(Tensor input, int[]... repeats)"],
    forms: Forms::METHOD,
    aliases: &[],
    nodes: &["RepeatBackward0"],
    method_signatures: &[],
    source: file!(),
    run: |a, _| Ok(a.tensor(0)?.repeat(a.ints(1)?)?.into()),
};

/// `tile`.
pub static TILE: OpDef = OpDef {
    name: "tile",
    doc: "The tensor tiled along its last dims (`repeat` with leading ones added to `dims`).",
    signatures: &["tile(Tensor input, int[]... dims)"],
    forms: Forms::BOTH,
    aliases: &[],
    nodes: &["RepeatBackward0"],
    method_signatures: &[],
    source: file!(),
    run: |a, _| Ok(a.tensor(0)?.tile(a.ints(1)?)?.into()),
};

/// `repeat_interleave`.
pub static REPEAT_INTERLEAVE: OpDef = OpDef {
    name: "repeat_interleave",
    doc: "Each element (slice along `dim`) repeated in place; with counts only, their indices.",
    signatures: &[
        "repeat_interleave(Tensor input, Tensor repeats, int? dim=None, *, int? output_size=None)",
        "repeat_interleave(Tensor input, int repeats, int? dim=None, *, int? output_size=None)",
        "repeat_interleave(Tensor repeats, *, int? output_size=None)",
    ],
    forms: Forms::BOTH,
    aliases: &[],
    nodes: &["IndexSelectBackward0", "ViewBackward0"],
    method_signatures: &[
        "repeat_interleave(Tensor input, Tensor repeats, int? dim=None, *, int? output_size=None)",
        "repeat_interleave(Tensor input, int repeats, int? dim=None, *, int? output_size=None)",
    ],
    source: file!(),
    run: |a, _| {
        let t = a.tensor(0)?;
        Ok(match a.overload {
            0 => t.repeat_interleave_tensor(a.tensor(1)?, a.opt_int(2)?, a.opt_int(3)?)?,
            1 => t.repeat_interleave_int(a.int(1)?, a.opt_int(2)?, a.opt_int(3)?)?,
            _ => interleave_index(t, a.opt_int(1)?)?,
        }
        .into())
    },
};

/// The declarations of this file.
pub static OPS: &[&OpDef] = &[
    &FLIP,
    &FLIPLR,
    &FLIPUD,
    &ROT90,
    &ROLL,
    &REPEAT,
    &TILE,
    &REPEAT_INTERLEAVE,
];
