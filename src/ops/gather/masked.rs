//! `masked_fill`, `masked_select`, `masked_scatter` and `nonzero`/`argwhere`: the mask is
//! broadcast with the input, its true positions found in row-major order
//! (`kernels::gather::mask_positions`), and values gathered or scattered there.

use super::{run_in_place, scalar_tensor, value_tensor, Scatter};
use crate::autograd::record::record;
use crate::autograd::rules::gather::{MaskedRule, MaskedRuleKind};
use crate::dtype::DType;
use crate::error::{Error, Result};
use crate::kernels::gather::{gather_into, mask_positions, true_coordinates, Combine, Coordinates};
use crate::shape::broadcast_shapes;
use crate::tensor::Tensor;
use crate::value::Value;

fn sizes(shape: &[usize]) -> Vec<i64> {
    shape.iter().map(|&s| s as i64).collect()
}

impl Tensor {
    /// Checks a `masked_fill` and returns the broadcast shape and the value as a 0-dim tensor
    /// of `self`'s dtype.
    fn plan_masked_fill(&self, mask: &Tensor, value: &Value) -> Result<(Vec<usize>, Tensor)> {
        if mask.dtype() != DType::Bool {
            return Err(Error::Runtime(format!(
                "masked_fill_ only supports boolean masks, but got mask with dtype {}",
                mask.dtype().c_name()
            )));
        }
        let v = match value {
            Value::Scalar(s) => *s,
            Value::Tensor(t) => {
                if t.ndim() != 0 {
                    return Err(Error::Runtime(format!(
                        "masked_fill_ only supports a 0-dimensional value tensor, but got tensor with {} dimension(s).",
                        t.ndim()
                    )));
                }
                t.detach().item_scalar()?
            }
        };
        let shape = broadcast_shapes(mask.shape(), self.shape())?;
        Ok((shape, scalar_tensor(v, self.dtype())?))
    }

    /// `masked_fill` without recording.
    fn masked_fill_raw(&self, mask: &Tensor, value: &Value) -> Result<Tensor> {
        let (shape, v) = self.plan_masked_fill(mask, value)?;
        let x = self.detach().broadcast_to(&shape);
        crate::autograd::mode::without_grad(|| {
            Tensor::where_(
                &mask.broadcast_to(&shape),
                &Value::Tensor(v),
                &Value::Tensor(x),
            )
        })
    }

    /// `masked_fill(mask, value)`: `value` (a number or a 0-dim tensor) where `mask` holds;
    /// `self` and `mask` broadcast.
    pub fn masked_fill(&self, mask: &Tensor, value: &Value) -> Result<Tensor> {
        let out = self.masked_fill_raw(mask, value)?;
        let mut inputs = vec![self];
        inputs.extend(value_tensor(value));
        let (name, kind) = match value {
            Value::Scalar(_) => ("MaskedFillBackward0", MaskedRuleKind::Fill),
            Value::Tensor(_) => ("MaskedFillBackward1", MaskedRuleKind::FillTensor),
        };
        Ok(record(out, name, &inputs, || {
            MaskedRule::new(kind, self, mask, value_tensor(value))
        }))
    }

    /// `masked_fill_`: the mask must broadcast to `self`'s shape.
    pub fn masked_fill_(&self, mask: &Tensor, value: &Value) -> Result<()> {
        let others: Vec<&Tensor> = value_tensor(value).into_iter().collect();
        let check = |shape: &[usize]| -> Result<()> {
            if shape != self.shape() {
                return Err(Error::OutputShape {
                    output: self.shape().to_vec(),
                    broadcast: shape.to_vec(),
                });
            }
            Ok(())
        };
        run_in_place(
            self,
            &others,
            || {
                check(&self.plan_masked_fill(mask, value)?.0)?;
                let out = self.masked_fill_raw(mask, value)?;
                crate::kernels::copy::copy_checked(self, &out)
            },
            |snapshot| {
                check(&self.plan_masked_fill(mask, value)?.0)?;
                snapshot.masked_fill(mask, value)
            },
        )
    }

    /// `masked_select(mask)`: the elements where `mask` holds, in row-major order of the
    /// broadcast shape, as a vector.
    pub fn masked_select(&self, mask: &Tensor) -> Result<Tensor> {
        if mask.dtype() != DType::Bool {
            return Err(Error::Runtime(
                "masked_select: expected BoolTensor for mask".into(),
            ));
        }
        let shape = broadcast_shapes(mask.shape(), self.shape())?;
        let pos = mask_positions(&mask.broadcast_to(&shape))?;
        let n = pos.tensor().numel();
        let out = Tensor::uninit(&[n], self.dtype())?;
        if n > 0 {
            let flat = self
                .detach()
                .broadcast_to(&shape)
                .contiguous()?
                .reshape(&[-1])?;
            gather_into(&out, &flat, 0, &pos)?;
        }
        Ok(record(out, "MaskedSelectBackward0", &[self], || {
            MaskedRule::new(MaskedRuleKind::Select, self, mask, None)
        }))
    }

    /// Checks a `masked_scatter` into `self` and prepares the flat scatter into a tensor of the
    /// broadcast shape.
    fn plan_masked_scatter(&self, mask: &Tensor, source: &Tensor) -> Result<(Vec<usize>, Scatter)> {
        if mask.dtype() != DType::Bool {
            return Err(Error::Runtime(format!(
                "masked_scatter_ only supports boolean masks, but got mask with dtype {}",
                mask.dtype().torch_name()
            )));
        }
        if source.dtype() != self.dtype() {
            return Err(Error::Runtime(format!(
                "masked_scatter: expected self and source to have same dtypes but got{} and {}",
                self.dtype().torch_name(),
                source.dtype().torch_name()
            )));
        }
        let shape = broadcast_shapes(mask.shape(), self.shape())?;
        let pos = mask_positions(&mask.broadcast_to(&shape))?;
        let n = pos.tensor().numel();
        if n > source.numel() {
            return Err(Error::Runtime(
                "Number of elements of source < number of ones in mask".into(),
            ));
        }
        let src = source.detach().reshape(&[-1])?.narrow(0, 0, n);
        Ok((
            shape,
            Scatter {
                dim: 0,
                index: pos,
                src,
                how: Combine::Set,
                flat: true,
            },
        ))
    }

    /// `masked_scatter(mask, source)`: `source`'s elements, in order, written where `mask`
    /// holds; `self` and `mask` broadcast.
    pub fn masked_scatter(&self, mask: &Tensor, source: &Tensor) -> Result<Tensor> {
        let (shape, plan) = self.plan_masked_scatter(mask, source)?;
        let base = self.detach().expand(&sizes(&shape))?;
        let out = Scatter::new_tensor(Some(&plan), &base)?;
        Ok(record(
            out,
            "MaskedScatterBackward0",
            &[self, source],
            || MaskedRule::new(MaskedRuleKind::Scatter, self, mask, Some(source)),
        ))
    }

    /// `masked_scatter_`: the mask must broadcast to `self`'s shape.
    pub fn masked_scatter_(&self, mask: &Tensor, source: &Tensor) -> Result<()> {
        let plan = |t: &Tensor| -> Result<Scatter> {
            let (shape, p) = t.plan_masked_scatter(mask, source)?;
            if shape != t.shape() {
                return Err(Error::OutputShape {
                    output: t.shape().to_vec(),
                    broadcast: shape,
                });
            }
            Ok(p)
        };
        run_in_place(
            self,
            &[source],
            || plan(self)?.apply(self),
            |snapshot| {
                plan(snapshot)?;
                snapshot.masked_scatter(mask, source)
            },
        )
    }

    /// `nonzero()`: the coordinates of the nonzero elements, one row each (`[n, ndim]`).
    pub fn nonzero(&self) -> Result<Tensor> {
        let flags = self.detach().to_dtype(DType::Bool)?;
        if self.ndim() == 0 {
            let n = flags.reshape(&[1])?.nonzero_columns()?[0].numel();
            return Tensor::zeros(&[n, 0], DType::Int64);
        }
        true_coordinates(&flags, self.shape(), Coordinates::Rows)
    }

    /// `nonzero(as_tuple=True)`: one coordinate vector per dim (one for a 0-dim tensor).
    pub fn nonzero_tuple(&self) -> Result<Vec<Tensor>> {
        if self.ndim() == 0 {
            let one = self.detach().reshape(&[1])?;
            return one.nonzero_columns();
        }
        self.detach().nonzero_columns()
    }
}
