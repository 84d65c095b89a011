//! Gradient rules of the gather/scatter family. A gather's gradient scatters back with
//! accumulation (`scatter_add`, `index_add`, `put(accumulate=True)`), so repeated indices sum as
//! in torch; a scatter's gradient gathers, and the overwritten places get none.

use crate::autograd::graph::{Backward, SavedTensor};
use crate::autograd::record::linear_in;
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
    out.index_put_raw(&items, &Value::Tensor(g.clone()), false)?;
    let shape = g.shape().to_vec();
    Ok(linear_in(out, "CopySlices", &g, move |gg| {
        block(gg, &shape)?.contiguous()
    }))
}

/// The leading block of `t` of `shape` (a view): the part of a source its index reads.
fn block(t: &Tensor, shape: &[usize]) -> Result<Tensor> {
    let mut v = t.clone();
    for (d, &n) in shape.iter().enumerate().take(t.ndim()) {
        v = v.narrow_checked(d as i64, 0, n as i64)?;
    }
    Ok(v)
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

/// `scatter_reduce` (sum, mean, amax, amin; prod's gradient is not implemented).
pub struct ScatterReduceRule {
    kind: u8,
    include_self: bool,
    dim: usize,
    index: SavedTensor,
    input: SavedTensor,
    src: SavedTensor,
    result: SavedTensor,
    input_meta: InputMeta,
    src_meta: InputMeta,
}

impl ScatterReduceRule {
    /// The rule for `result = input.scatter_reduce(dim, index, src, ..)`; `kind` is 0 for sum,
    /// 1 for prod, 2 for mean, 3 for amax and amin.
    pub fn new(
        kind: u8,
        include_self: bool,
        input: &Tensor,
        dim: usize,
        index: &Tensor,
        src: &Tensor,
        result: &Tensor,
    ) -> ScatterReduceRule {
        ScatterReduceRule {
            kind,
            include_self,
            dim,
            index: SavedTensor::new(index),
            input: SavedTensor::new(input),
            src: SavedTensor::new(src),
            result: SavedTensor::output(result, "ScatterReduceBackward0"),
            input_meta: InputMeta::of(input),
            src_meta: InputMeta::of(src),
        }
    }
}

impl ScatterReduceRule {
    /// torch's `scatter_reduce_backward` for `prod`: each factor's gradient is the product of the
    /// others, computed without dividing by a zero (a lone zero in a group gets the product of
    /// the rest; two zeros give zero).
    fn prod(&self, g: &Tensor, index: &Tensor) -> Result<(Tensor, Tensor)> {
        let dim = self.dim as i64;
        let (x, result) = (self.input.get()?, self.result.get()?);
        let src = block(&self.src.get()?, index.shape())?;
        let one = Value::Scalar(Scalar::Int(1));
        let masked_self = x.masked_fill(&x.eq(Scalar::Int(0))?, &one)?;
        let masked_self_result =
            masked_self.scatter_reduce_named(dim, index, &src, "prod", self.include_self)?;
        let grad_self = g.mul(&masked_self_result)?.div(&masked_self)?;
        let src_zero = src.eq(Scalar::Int(0))?;
        let src_num_zeros = Tensor::zeros(x.shape(), g.dtype())?
            .scatter_add(dim, index, &src_zero.to_dtype(g.dtype())?)?
            .gather(dim, index)?;
        let single = src_zero.logical_and(&src_num_zeros.eq(Scalar::Int(1))?)?;
        let masked_src = src.masked_fill(&single, &one)?;
        let masked_src_result =
            x.scatter_reduce_named(dim, index, &masked_src, "prod", self.include_self)?;
        let with_zero = g.mul(&masked_src_result)?.gather(dim, index)?;
        let others = g
            .mul(&result)?
            .gather(dim, index)?
            .div(&src.masked_fill(&src_zero, &one)?)?;
        let grad_src = Tensor::where_(&single, &Value::Tensor(with_zero), &Value::Tensor(others))?;
        Ok((grad_self, grad_src))
    }
}

impl Backward for ScatterReduceRule {
    fn apply(&self, g: &Tensor) -> Result<Vec<Option<Tensor>>> {
        let dim = self.dim as i64;
        let index = self.index.get()?;
        let zero = Scalar::Int(0);
        let (grad_self, grad_src) = match self.kind {
            0 => (g.clone(), g.gather(dim, &index)?),
            2 => {
                let counts = if self.include_self {
                    Tensor::full(&self.input_meta.shape, Scalar::Int(1), g.dtype())?
                } else {
                    Tensor::zeros(&self.input_meta.shape, g.dtype())?
                };
                let ones = Tensor::full(index.shape(), Scalar::Int(1), g.dtype())?;
                let n = counts
                    .scatter_add(dim, &index, &ones)?
                    .clamp(Some(Scalar::Int(1)), None)?;
                let gn = g.div(&n)?;
                (gn.clone(), gn.gather(dim, &index)?)
            }
            3 => {
                let (x, src, result) = (self.input.get()?, self.src.get()?, self.result.get()?);
                let value = result.gather(dim, &index)?;
                let self_is = x.eq(&result)?.to_dtype(g.dtype())?;
                let src_is = block(&src, index.shape())?
                    .eq(&value)?
                    .to_dtype(g.dtype())?;
                let n = self_is.scatter_add(dim, &index, &src_is)?;
                let gd = g.div(&n)?;
                (self_is.mul(&gd)?, src_is.mul(gd.gather(dim, &index)?)?)
            }
            _ => self.prod(g, &index)?,
        };
        let grad_self = if self.include_self {
            grad_self
        } else {
            grad_self.scatter_fill(dim, &index, zero)?
        };
        Ok(vec![
            Some(grad_self.to_dtype(self.input_meta.dtype)?),
            if self.src_meta.needs_grad {
                Some(pad_to(grad_src, &self.src_meta.shape)?.to_dtype(self.src_meta.dtype)?)
            } else {
                None
            },
        ])
    }

    fn release(&self) {
        self.index.release();
        self.input.release();
        self.src.release();
        self.result.release();
    }
}

/// `index_put(indices, values, accumulate=True)`: the input's gradient passes through, the
/// values' is the indexed region of it (summed over broadcasting).
pub struct IndexPutAccumulateRule {
    items: Vec<IndexItem>,
    value: InputMeta,
}

impl IndexPutAccumulateRule {
    /// The rule for `index_put(items, values, accumulate=True)`.
    pub fn new(items: Vec<IndexItem>, values: &Tensor) -> IndexPutAccumulateRule {
        IndexPutAccumulateRule {
            items,
            value: InputMeta::of(values),
        }
    }
}

impl Backward for IndexPutAccumulateRule {
    fn apply(&self, g: &Tensor) -> Result<Vec<Option<Tensor>>> {
        let meta = &self.value;
        let grad_value = if meta.needs_grad {
            let region = g.index(&self.items)?;
            let keep = meta.shape.len().min(region.ndim());
            let summed = region.sum_to_shape(&meta.shape[meta.shape.len() - keep..])?;
            Some(as_input(summed, meta)?)
        } else {
            None
        };
        Ok(vec![Some(g.clone()), grad_value])
    }
}

/// `index_reduce(dim, index, source, reduce, include_self)` (`IndexReduceBackward0`), computed
/// on inputs of at least one dim: prod as torch (exact where factors are zero), mean and
/// amax/amin as the `scatter_reduce` of the index expanded over `source`.
pub struct IndexReduceRule {
    kind: u8,
    include_self: bool,
    dim: usize,
    index: SavedTensor,
    expanded: SavedTensor,
    input: SavedTensor,
    src: SavedTensor,
    result: SavedTensor,
    input_meta: InputMeta,
    src_meta: InputMeta,
}

impl IndexReduceRule {
    /// The rule for `result = input.index_reduce(dim, index, src, ..)`, all of at least one
    /// dim (`index` flat int64, `expanded` it over `src`'s shape); `kind` is 1 for prod, 2 for
    /// mean, 3 for amax and amin; `metas` are the original input's and source's.
    pub fn new(
        (kind, include_self, dim): (u8, bool, usize),
        (index, expanded): (&Tensor, &Tensor),
        (input, src, result): (&Tensor, &Tensor, &Tensor),
        metas: (InputMeta, InputMeta),
    ) -> IndexReduceRule {
        IndexReduceRule {
            kind,
            include_self,
            dim,
            index: SavedTensor::new(index),
            expanded: SavedTensor::new(expanded),
            input: SavedTensor::new(input),
            src: SavedTensor::new(src),
            result: SavedTensor::output(result, "IndexReduceBackward0"),
            input_meta: metas.0,
            src_meta: metas.1,
        }
    }

    /// torch's `index_reduce_backward` for prod: `(grad_self, grad_src)`.
    fn prod(&self, g: &Tensor) -> Result<(Tensor, Tensor)> {
        let d = self.dim as i64;
        let (x, src, result) = (self.input.get()?, self.src.get()?, self.result.get()?);
        let index = self.index.get()?;
        let one = Value::Scalar(Scalar::Int(1));
        let masked_self = x.masked_fill(&x.eq(Scalar::Int(0))?, &one)?;
        let masked_self_result =
            masked_self.index_reduce(d, &index, &src, "prod", self.include_self)?;
        let grad_self = g.mul(&masked_self_result)?.div(&masked_self)?;
        let src_zero = src.eq(Scalar::Int(0))?;
        let zeros = Tensor::zeros(x.shape(), x.dtype())?;
        let src_num_zeros = zeros
            .index_add(d, &index, &src_zero.to_dtype(x.dtype())?, Scalar::Int(1))?
            .index_select(d, &index)?;
        let single = src_zero
            .to_dtype(g.dtype())?
            .mul(src_num_zeros.eq(Scalar::Int(1))?.to_dtype(g.dtype())?)?;
        let masked_src = src.masked_fill(&single.ne(Scalar::Int(0))?, &one)?;
        let masked_src_result =
            x.index_reduce(d, &index, &masked_src, "prod", self.include_self)?;
        let with_zero = g.mul(&masked_src_result)?.index_select(d, &index)?;
        let others = g
            .mul(&result)?
            .index_select(d, &index)?
            .div(&src.masked_fill(&src_zero, &one)?)?;
        // single ? with_zero : others, without a `where` (both are finite).
        let grad_src = single
            .mul(&with_zero)?
            .add(&single.rsub(one.clone())?.mul(&others)?)?;
        Ok((grad_self, grad_src))
    }
}

impl Backward for IndexReduceRule {
    fn apply(&self, g: &Tensor) -> Result<Vec<Option<Tensor>>> {
        let input = self.input.get()?;
        let g1 = g.reshape(&input.shape().iter().map(|&s| s as i64).collect::<Vec<_>>())?;
        let (grad_self, grad_src) = if self.kind == 1 {
            let (gs, gsrc) = self.prod(&g1)?;
            let gs = if self.include_self {
                gs
            } else {
                let zero = Value::Scalar(Scalar::Int(0));
                gs.index_fill(self.dim as i64, &self.index.get()?, &zero)?
            };
            (gs, gsrc)
        } else {
            let (src, result) = (self.src.get()?, self.result.get()?);
            let mut meta = InputMeta::of(&src);
            meta.needs_grad = true;
            let rule = ScatterReduceRule {
                kind: self.kind,
                include_self: self.include_self,
                dim: self.dim,
                index: SavedTensor::new(&self.expanded.get()?),
                input: SavedTensor::new(&input),
                src: SavedTensor::new(&src),
                result: SavedTensor::new(&result),
                input_meta: InputMeta::of(&input),
                src_meta: meta,
            };
            let mut grads = rule.apply(&g1)?.into_iter();
            match (grads.next().flatten(), grads.next().flatten()) {
                (Some(a), Some(b)) => (a, b),
                _ => return Err(Error::Runtime("internal error: no gradient".into())),
            }
        };
        let shape = |m: &InputMeta| m.shape.iter().map(|&s| s as i64).collect::<Vec<_>>();
        let grad_self = grad_self.reshape(&shape(&self.input_meta))?;
        Ok(vec![
            Some(grad_self.to_dtype(self.input_meta.dtype)?),
            if self.src_meta.needs_grad {
                let grad_src = grad_src.reshape(&shape(&self.src_meta))?;
                Some(grad_src.to_dtype(self.src_meta.dtype)?)
            } else {
                None
            },
        ])
    }

    fn release(&self) {
        self.index.release();
        self.expanded.release();
        self.input.release();
        self.src.release();
        self.result.release();
    }
}
