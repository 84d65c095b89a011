//! Gradient rules of the gather/scatter family. A gather's gradient scatters back with
//! accumulation (`scatter_add`, `index_add`, `put(accumulate=True)`), so repeated indices sum as
//! in torch; a scatter's gradient gathers, and the overwritten places get none.

use crate::autograd::graph::{Backward, SavedTensor};
use crate::autograd::rules::InputMeta;
use crate::error::{Error, Result};
use crate::index_item::IndexItem;
use crate::scalar::Scalar;
use crate::tensor::Tensor;
use crate::value::Value;

/// `g` (of the index's shape) placed at the start of a zero tensor of `shape`: the gradient of a
/// source larger than its index, whose extra elements are never read.
fn pad_to(g: Tensor, shape: &[usize]) -> Result<Tensor> {
    if g.shape() == shape {
        return Ok(g);
    }
    if g.numel() == shape.iter().product::<usize>() {
        let sizes: Vec<i64> = shape.iter().map(|&s| s as i64).collect();
        return g.reshape(&sizes);
    }
    let out = Tensor::zeros(shape, g.dtype())?;
    let items: Vec<IndexItem> = g
        .shape()
        .iter()
        .map(|&n| IndexItem::Slice {
            start: Some(0),
            stop: Some(n as i64),
            step: 1,
        })
        .collect();
    out.index_put_raw(&items, &Value::Tensor(g), false)?;
    Ok(out)
}

/// `input.gather(dim, index)` (also `take_along_dim`).
pub struct GatherRule {
    input: InputMeta,
    dim: usize,
    index: SavedTensor,
}

impl GatherRule {
    /// The rule for `input.gather(dim, index)` (`dim` normalised).
    pub fn new(input: &Tensor, dim: usize, index: &Tensor) -> GatherRule {
        GatherRule {
            input: InputMeta::of(input),
            dim,
            index: SavedTensor::new(index),
        }
    }
}

impl Backward for GatherRule {
    fn apply(&self, g: &Tensor) -> Result<Vec<Option<Tensor>>> {
        let zeros = Tensor::zeros(&self.input.shape, g.dtype())?;
        let grad = zeros.scatter_add(self.dim as i64, &self.index.get()?, g)?;
        Ok(vec![Some(grad.to_dtype(self.input.dtype)?)])
    }

    fn release(&self) {
        self.index.release();
    }
}

/// Which scatter a [`ScatterRule`] differentiates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScatterKind {
    /// `scatter_add`.
    Add,
    /// `scatter` without `reduce`.
    Set,
    /// `scatter(reduce='add')`.
    ReduceAdd,
    /// `scatter(reduce='multiply')`.
    ReduceMul,
}

impl ScatterKind {
    /// torch's node name, for a tensor source (`src`) or a number.
    pub fn node(self, src: &Value) -> &'static str {
        match (self, src) {
            (ScatterKind::Add, _) => "ScatterAddBackward0",
            (ScatterKind::Set, Value::Tensor(_)) => "ScatterBackward0",
            (ScatterKind::Set, Value::Scalar(_)) => "ScatterBackward1",
            _ => "NotImplemented",
        }
    }
}

/// `self.scatter_add(dim, index, src)` and `self.scatter(dim, index, src or value)`.
pub struct ScatterRule {
    kind: ScatterKind,
    dim: usize,
    index: SavedTensor,
    src: Option<InputMeta>,
}

impl ScatterRule {
    /// The rule for a scatter of `src` (or a number) into `input` along `dim` (normalised).
    pub fn new(
        kind: ScatterKind,
        _input: &Tensor,
        dim: usize,
        index: &Tensor,
        src: Option<&Tensor>,
    ) -> ScatterRule {
        ScatterRule {
            kind,
            dim,
            index: SavedTensor::new(index),
            src: src.map(InputMeta::of),
        }
    }
}

impl Backward for ScatterRule {
    fn apply(&self, g: &Tensor) -> Result<Vec<Option<Tensor>>> {
        let dim = self.dim as i64;
        let index = self.index.get()?;
        let grad_self = match self.kind {
            ScatterKind::Add => g.clone(),
            ScatterKind::Set => g.scatter_fill(dim, &index, Scalar::Int(0))?,
            _ => {
                return Err(Error::Runtime(
                    "the derivative for 'scatter' with `reduce` is not implemented.".into(),
                ))
            }
        };
        let mut out = vec![Some(grad_self)];
        if let Some(src) = &self.src {
            out.push(if src.needs_grad {
                let gs = pad_to(g.gather(dim, &index)?, &src.shape)?;
                Some(gs.to_dtype(src.dtype)?)
            } else {
                None
            });
        }
        Ok(out)
    }

    fn release(&self) {
        self.index.release();
    }
}

/// Which `index_*`/`take`/`put` op an [`IndexRule`] differentiates.
#[derive(Debug, Clone, Copy)]
pub enum IndexRuleKind {
    /// `index_select`.
    Select,
    /// `index_add` with its `alpha`.
    Add(Scalar),
    /// `index_copy`.
    Copy,
    /// `index_fill`.
    Fill,
    /// `take`.
    Take,
    /// `put` with its `accumulate`.
    Put(bool),
}

/// `index_select`, `index_add`, `index_copy`, `index_fill`, `take` and `put`.
pub struct IndexRule {
    kind: IndexRuleKind,
    dim: usize,
    index: SavedTensor,
    input: Option<InputMeta>,
    source: Option<InputMeta>,
}

impl IndexRule {
    /// The rule for `input.index_select(dim, index)`.
    pub fn select(input: &Tensor, dim: usize, index: &Tensor) -> IndexRule {
        IndexRule {
            kind: IndexRuleKind::Select,
            dim,
            index: SavedTensor::new(index),
            input: Some(InputMeta::of(input)),
            source: None,
        }
    }

    /// The rule for `index_add`/`index_copy`/`index_fill` along `dim` with `source` (a tensor
    /// source or value, if any).
    pub fn write(
        kind: IndexRuleKind,
        dim: usize,
        index: &Tensor,
        source: Option<&Tensor>,
    ) -> IndexRule {
        IndexRule {
            kind,
            dim,
            index: SavedTensor::new(index),
            input: None,
            source: source.map(InputMeta::of),
        }
    }

    /// The rule for `input.take(index)`.
    pub fn take(input: &Tensor, index: &Tensor) -> IndexRule {
        IndexRule {
            kind: IndexRuleKind::Take,
            dim: 0,
            index: SavedTensor::new(index),
            input: Some(InputMeta::of(input)),
            source: None,
        }
    }

    /// The rule for `put(index, source, accumulate)`.
    pub fn put(index: &Tensor, source: &Tensor, accumulate: bool) -> IndexRule {
        IndexRule {
            kind: IndexRuleKind::Put(accumulate),
            dim: 0,
            index: SavedTensor::new(index),
            input: None,
            source: Some(InputMeta::of(source)),
        }
    }

    fn input(&self) -> Result<&InputMeta> {
        self.input
            .as_ref()
            .ok_or_else(|| Error::Runtime("internal error: index rule without input".into()))
    }
}

/// `t` reshaped to `meta`'s shape and converted to its dtype.
fn as_input(t: Tensor, meta: &InputMeta) -> Result<Tensor> {
    let sizes: Vec<i64> = meta.shape.iter().map(|&s| s as i64).collect();
    t.reshape(&sizes)?.to_dtype(meta.dtype)
}

impl Backward for IndexRule {
    fn apply(&self, g: &Tensor) -> Result<Vec<Option<Tensor>>> {
        let dim = self.dim as i64;
        let index = self.index.get()?.to_dtype(crate::DType::Int64)?;
        let zero = Value::Scalar(Scalar::Int(0));
        let source_grad = |f: &dyn Fn() -> Result<Tensor>| -> Result<Option<Tensor>> {
            match &self.source {
                Some(m) if m.needs_grad => Ok(Some(as_input(f()?, m)?)),
                _ => Ok(None),
            }
        };
        let mut out = match self.kind {
            IndexRuleKind::Select => {
                let input = self.input()?;
                let zeros = Tensor::zeros(&input.shape, g.dtype())?;
                let grad = zeros.index_add(dim, &index, g, Scalar::Int(1))?;
                return Ok(vec![Some(grad.to_dtype(input.dtype)?)]);
            }
            IndexRuleKind::Take => {
                let input = self.input()?;
                let zeros = Tensor::zeros(&input.shape, g.dtype())?;
                let grad = zeros.put(&index, g, true)?;
                return Ok(vec![Some(grad.to_dtype(input.dtype)?)]);
            }
            IndexRuleKind::Add(_) => vec![Some(g.clone())],
            IndexRuleKind::Copy | IndexRuleKind::Fill => {
                vec![Some(g.index_fill(dim, &index, &zero)?)]
            }
            IndexRuleKind::Put(true) => vec![Some(g.clone())],
            IndexRuleKind::Put(false) => {
                let m = self
                    .source
                    .as_ref()
                    .map(|m| m.shape.clone())
                    .unwrap_or_default();
                vec![Some(g.put(
                    &index,
                    &Tensor::zeros(&m, g.dtype())?,
                    false,
                )?)]
            }
        };
        if self.source.is_some() {
            out.push(match self.kind {
                IndexRuleKind::Add(alpha) => source_grad(&|| {
                    let s = g.index_select(dim, &index)?;
                    match alpha {
                        Scalar::Int(1) => Ok(s),
                        a => s.mul(a),
                    }
                })?,
                IndexRuleKind::Copy => source_grad(&|| g.index_select(dim, &index))?,
                // Each filled element takes the value once, however often its index repeats.
                IndexRuleKind::Fill => source_grad(&|| {
                    g.sub(g.index_fill(dim, &index, &zero)?)?
                        .sum(None, false, None)
                })?,
                _ => source_grad(&|| g.take(&index))?,
            });
        }
        Ok(out)
    }

    fn release(&self) {
        self.index.release();
    }
}

/// Which masked op a [`MaskedRule`] differentiates.
#[derive(Debug, Clone, Copy)]
pub enum MaskedRuleKind {
    /// `masked_fill` with a number.
    Fill,
    /// `masked_fill` with a 0-dim tensor.
    FillTensor,
    /// `masked_select`.
    Select,
    /// `masked_scatter`.
    Scatter,
}

/// `masked_fill`, `masked_select` and `masked_scatter`.
pub struct MaskedRule {
    kind: MaskedRuleKind,
    mask: SavedTensor,
    input: InputMeta,
    source: Option<InputMeta>,
}

impl MaskedRule {
    /// The rule for a masked op on `input` with `mask` and a tensor `source` (or value).
    pub fn new(
        kind: MaskedRuleKind,
        input: &Tensor,
        mask: &Tensor,
        source: Option<&Tensor>,
    ) -> MaskedRule {
        MaskedRule {
            kind,
            mask: SavedTensor::new(mask),
            input: InputMeta::of(input),
            source: source.map(InputMeta::of),
        }
    }
}

impl Backward for MaskedRule {
    fn apply(&self, g: &Tensor) -> Result<Vec<Option<Tensor>>> {
        let mask = self.mask.get()?;
        let zero = Value::Scalar(Scalar::Int(0));
        match self.kind {
            MaskedRuleKind::Select => {
                let shape = crate::shape::broadcast_shapes(&self.input.shape, mask.shape())?;
                let zeros = Tensor::zeros(&shape, g.dtype())?;
                let grad = zeros.masked_scatter(&mask, g)?;
                Ok(vec![Some(super::reduce_to(grad, &self.input)?)])
            }
            MaskedRuleKind::Fill | MaskedRuleKind::FillTensor | MaskedRuleKind::Scatter => {
                let kept = g.masked_fill(&mask, &zero)?;
                let mut out = vec![Some(super::reduce_to(kept.clone(), &self.input)?)];
                if self.source.is_some() {
                    out.push(
                        match (self.kind, self.source.as_ref().filter(|m| m.needs_grad)) {
                            (_, None) => None,
                            (MaskedRuleKind::Scatter, Some(m)) => {
                                let picked = g.masked_select(&mask)?;
                                let n: usize = m.shape.iter().product();
                                Some(as_input(pad_to(picked, &[n])?, m)?)
                            }
                            (_, Some(m)) => {
                                Some(g.sub(&kept)?.sum(None, false, None)?.to_dtype(m.dtype)?)
                            }
                        },
                    );
                }
                Ok(out)
            }
        }
    }

    fn release(&self) {
        self.mask.release();
    }
}
