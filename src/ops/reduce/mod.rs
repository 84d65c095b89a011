//! Reductions over any set of dims, with torch's dtype rules, computed deterministically by the
//! reduction kernels (`kernels/reduce`): sum and mean here, the others in their files.
//! Accuracy: float32 accumulates in float64, integers in wrapping int64.

pub mod declare;
mod extrema;
mod logical;
mod logsumexp;
mod moments;
mod nan;
pub(crate) use moments::reduced_count;
mod products;

use crate::autograd::rules::reduce::{record_reduction, ReductionKind};
use crate::dtype::{bf16, f16, CastTo, DType, Element};
use crate::error::{Error, Result};
use crate::kernels::reduce::reduce_into;
use crate::kernels::reduce::reducers::{Acc, Accumulate, Sum};
use crate::shape::{broadcast_shapes, fmt_shape, normalize_dim};
use crate::tensor::Tensor;

/// The reduced-dim mask: `None` or an empty list mean every dim; torch's errors otherwise.
pub(crate) fn dim_mask(dims: Option<&[i64]>, ndim: usize) -> Result<Vec<bool>> {
    let dims = match dims {
        Some(d) if !d.is_empty() => d,
        _ => return Ok(vec![true; ndim]),
    };
    let mut mask = vec![false; ndim.max(1)];
    for &d in dims {
        let n = normalize_dim(d, ndim)?;
        if mask[n] {
            return Err(Error::Runtime(format!(
                "dim {} appears multiple times in the list of dims",
                n
            )));
        }
        mask[n] = true;
    }
    mask.truncate(ndim);
    Ok(mask)
}

/// The output shape: kept dims, plus size-1 reduced dims with `keepdim`.
pub(crate) fn out_shape(shape: &[usize], mask: &[bool], keepdim: bool) -> Vec<usize> {
    shape
        .iter()
        .zip(mask)
        .filter_map(|(&d, &m)| match (m, keepdim) {
            (false, _) => Some(d),
            (true, true) => Some(1),
            (true, false) => None,
        })
        .collect()
}

/// The output of a reduction over the dims in `mask`, after checking that the kernel's scratch
/// fits in memory: about one accumulator per [`CHUNK`](crate::kernels::reduce::CHUNK) reduced elements per running
/// output, or per 64 rows when rows are accumulated. A reduction of a broadcast view of 2**62
/// elements would otherwise abort on that allocation.
pub(crate) fn reduction_output(
    shape: &[usize],
    mask: &[bool],
    keepdim: bool,
    dtype: DType,
) -> Result<Tensor> {
    let out = Tensor::uninit(&out_shape(shape, mask, keepdim), dtype)?;
    let kept = out.numel();
    if kept == 0 {
        return Ok(out);
    }
    let reduced = shape
        .iter()
        .zip(mask)
        .filter(|(_, &m)| m)
        .try_fold(1usize, |n, (&d, _)| n.checked_mul(d))
        .unwrap_or(usize::MAX);
    let mut scratch = reduced
        .div_ceil(crate::kernels::reduce::CHUNK)
        .saturating_mul(crate::threads::num_threads().min(1024) + 1);
    if kept >= 8 && reduced > 1 {
        scratch = scratch.max(kept.saturating_mul(reduced.div_ceil(64)));
    }
    // 24 bytes: the widest accumulator (var's count, mean and squared deviations). Checked, not
    // allocated.
    crate::storage::check_allocatable(scratch, 24)?;
    Ok(out)
}

/// Whether a `from` input may feed a `to` kernel without a cast (an exact widening into the same
/// accumulator); anything else is cast first, as torch does.
fn direct(from: DType, to: DType) -> bool {
    from == to
        || matches!(
            (from, to),
            (DType::Float32, DType::Float64)
                | (DType::Bool | DType::Int32, DType::Int64)
                | (DType::Float16 | DType::BFloat16, DType::Float32)
        )
}

fn sum_kernel<T: Accumulate, O: Element>(src: &Tensor, mask: &[bool], out: &Tensor) -> Result<()>
where
    T::Acc: CastTo<O>,
{
    reduce_into::<T, Sum, O>(src, mask, out, |a| a.cast())
}

fn mean_kernel<T: Accumulate, O: Element>(
    src: &Tensor,
    mask: &[bool],
    out: &Tensor,
    n: usize,
) -> Result<()> {
    let n = n as f64;
    reduce_into::<T, Sum, O>(src, mask, out, |a| O::from_f64(a.as_f64() / n))
}

impl Tensor {
    /// Validates dims, computes the output, and casts the input when the kernel needs it.
    pub(crate) fn reduction_setup(
        &self,
        dims: Option<&[i64]>,
        keepdim: bool,
        out_dtype: DType,
    ) -> Result<(Vec<bool>, Tensor, Tensor)> {
        let mask = dim_mask(dims, self.ndim())?;
        let out = reduction_output(self.shape(), &mask, keepdim, out_dtype)?;
        let src = if direct(self.dtype(), out_dtype) {
            self.clone()
        } else {
            self.to_dtype(out_dtype)?
        };
        Ok((mask, src, out))
    }

    /// `sum(dim, keepdim, dtype=)`: bool and integer inputs give int64 unless `dtype` is given;
    /// with `dtype`, the input is converted first, as in torch.
    pub fn sum(&self, dims: Option<&[i64]>, keepdim: bool, dtype: Option<DType>) -> Result<Tensor> {
        let out_dtype = dtype.unwrap_or(if self.dtype().is_floating() {
            self.dtype()
        } else {
            DType::Int64
        });
        if !out_dtype.is_kernel_dtype() {
            // Half results accumulate in float32's kernel (itself in float64) and round once;
            // small integers accumulate in int32 and wrap, as torch's.
            let mask = dim_mask(dims, self.ndim())?;
            let wide = self
                .detach()
                .sum(dims, keepdim, Some(out_dtype.compute_dtype()))?;
            let out = wide.to_dtype(out_dtype)?;
            return Ok(record_reduction(
                out,
                ReductionKind::Sum,
                self,
                &mask,
                keepdim,
                dims.is_none(),
            ));
        }
        let (mask, src, out) = self.reduction_setup(dims, keepdim, out_dtype)?;
        match (src.dtype(), out_dtype) {
            (DType::Bool, DType::Int64) => sum_kernel::<bool, i64>(&src, &mask, &out),
            (DType::Int32, DType::Int64) => sum_kernel::<i32, i64>(&src, &mask, &out),
            (DType::Float32, DType::Float64) => sum_kernel::<f32, f64>(&src, &mask, &out),
            (DType::Float16, DType::Float32) => sum_kernel::<f16, f32>(&src, &mask, &out),
            (DType::BFloat16, DType::Float32) => sum_kernel::<bf16, f32>(&src, &mask, &out),
            (DType::Bool, DType::Bool) => sum_kernel::<bool, bool>(&src, &mask, &out),
            (DType::Int32, DType::Int32) => sum_kernel::<i32, i32>(&src, &mask, &out),
            (DType::Int64, DType::Int64) => sum_kernel::<i64, i64>(&src, &mask, &out),
            (DType::Float32, DType::Float32) => sum_kernel::<f32, f32>(&src, &mask, &out),
            (DType::Float64, DType::Float64) => sum_kernel::<f64, f64>(&src, &mask, &out),
            (s, o) => {
                return Err(Error::Runtime(format!(
                    "sum: no kernel from {} to {}",
                    s.name(),
                    o.name()
                )))
            }
        }?;
        Ok(record_reduction(
            out,
            ReductionKind::Sum,
            self,
            &mask,
            keepdim,
            dims.is_none(),
        ))
    }

    /// `mean(dim, keepdim, dtype=)`: floating inputs (or a floating `dtype`) only, as torch; the
    /// float64 sum is divided before rounding, so a float32 mean is as good as its exact value.
    pub fn mean(
        &self,
        dims: Option<&[i64]>,
        keepdim: bool,
        dtype: Option<DType>,
    ) -> Result<Tensor> {
        let out_dtype = match dtype {
            Some(d) if !d.is_floating() => {
                return Err(Error::NotImplemented(format!(
                    "mean(): could not infer output dtype. Optional dtype must be either a floating point or complex dtype. Got: {}",
                    d.torch_name()
                )))
            }
            Some(d) => d,
            None if !self.dtype().is_floating() => {
                return Err(Error::NotImplemented(format!(
                    "mean(): could not infer output dtype. Input dtype must be either a floating point or complex dtype. Got: {}",
                    self.dtype().torch_name()
                )))
            }
            None => self.dtype(),
        };
        if !out_dtype.is_kernel_dtype() {
            let mask = dim_mask(dims, self.ndim())?;
            let n = reduced_count(self.shape(), &mask);
            let wide = self.detach().mean(dims, keepdim, Some(DType::Float32))?;
            let out = wide.to_dtype(out_dtype)?;
            return Ok(record_reduction(
                out,
                ReductionKind::Mean(n),
                self,
                &mask,
                keepdim,
                dims.is_none(),
            ));
        }
        let (mask, src, out) = self.reduction_setup(dims, keepdim, out_dtype)?;
        let n = reduced_count(self.shape(), &mask);
        match (src.dtype(), out_dtype) {
            (DType::Float32, DType::Float64) => mean_kernel::<f32, f64>(&src, &mask, &out, n),
            (DType::Float16, DType::Float32) => mean_kernel::<f16, f32>(&src, &mask, &out, n),
            (DType::BFloat16, DType::Float32) => mean_kernel::<bf16, f32>(&src, &mask, &out, n),
            (DType::Float32, DType::Float32) => mean_kernel::<f32, f32>(&src, &mask, &out, n),
            (DType::Float64, DType::Float64) => mean_kernel::<f64, f64>(&src, &mask, &out, n),
            (s, o) => {
                return Err(Error::Runtime(format!(
                    "mean: no kernel from {} to {}",
                    s.name(),
                    o.name()
                )))
            }
        }?;
        Ok(record_reduction(
            out,
            ReductionKind::Mean(n),
            self,
            &mask,
            keepdim,
            dims.is_none(),
        ))
    }

    /// Sums the dims that broadcasting added or stretched so the result has `shape` (which must
    /// broadcast to this tensor's shape), keeping the dtype: undoes broadcasting for gradients.
    pub fn sum_to_shape(&self, shape: &[usize]) -> Result<Tensor> {
        if self.shape() == shape {
            return Ok(self.clone());
        }
        let broadcast_ok = shape.len() <= self.ndim()
            && broadcast_shapes(shape, self.shape()).is_ok_and(|s| s == self.shape());
        if !broadcast_ok {
            return Err(Error::Runtime(format!(
                "sum_to_shape: shape {} is not broadcastable to {}",
                fmt_shape(shape),
                fmt_shape(self.shape())
            )));
        }
        let lead = self.ndim() - shape.len();
        let dims: Vec<i64> = (0..self.ndim())
            .filter(|&d| d < lead || (shape[d - lead] == 1 && self.shape()[d] != 1))
            .map(|d| d as i64)
            .collect();
        if dims.is_empty() {
            return self.reshape(&shape.iter().map(|&d| d as i64).collect::<Vec<_>>());
        }
        let summed = self.sum(Some(&dims), true, Some(self.dtype()))?;
        summed.reshape(&shape.iter().map(|&d| d as i64).collect::<Vec<_>>())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::threads;

    fn data(t: &Tensor) -> Vec<f64> {
        crate::dispatch!(t.dtype(), T => {
            let c = t.contiguous().unwrap();
            let p = c.data_ptr_typed::<T>();
            // SAFETY: `dispatch!` made `T` `c`'s dtype, and `c` is contiguous, so its elements are
            // `p..p + numel`; `c` lives across the read.
            (0..c.numel()).map(|i| unsafe { (*p.add(i)).to_f64() }).collect()
        })
    }

    fn arange(n: usize, shape: &[usize]) -> Tensor {
        Tensor::from_vec((0..n).map(|i| i as f64).collect::<Vec<_>>(), shape).unwrap()
    }

    /// The obvious triple loop over (outer, reduced, inner) for one dim.
    fn naive(v: &[f64], shape: &[usize], dim: usize) -> Vec<f64> {
        let outer: usize = shape[..dim].iter().product();
        let inner: usize = shape[dim + 1..].iter().product();
        let mut out = vec![0.0; outer * inner];
        for o in 0..outer {
            for r in 0..shape[dim] {
                for i in 0..inner {
                    out[o * inner + i] += v[(o * shape[dim] + r) * inner + i];
                }
            }
        }
        out
    }

    #[test]
    fn sums_every_dim_of_every_layout() {
        let shape = [3, 70, 5];
        let t = arange(3 * 70 * 5, &shape);
        let v = data(&t);
        for dim in 0..3 {
            let s = t.sum(Some(&[dim as i64]), false, None).unwrap();
            assert_eq!(data(&s), naive(&v, &shape, dim), "dim {dim}");
        }
        // Transposed input: sum(0) of t.T is sum over the original last dim.
        let tt = t.permute(&[2, 1, 0]).unwrap();
        let s = tt.sum(Some(&[2]), false, None).unwrap();
        let want = naive(&v, &shape, 0);
        let got = data(&s.permute(&[1, 0]).unwrap());
        assert_eq!(got, want);
        // Two dims at once, keepdim.
        let s = t.sum(Some(&[0, -1]), true, None).unwrap();
        assert_eq!(s.shape(), &[1, 70, 1]);
        let by_hand: Vec<f64> = (0..70)
            .map(|j| {
                (0..3)
                    .flat_map(|i| (0..5).map(move |k| ((i * 70 + j) * 5 + k) as f64))
                    .sum()
            })
            .collect();
        assert_eq!(data(&s), by_hand);
    }

    #[test]
    fn dtypes_and_errors() {
        let b = Tensor::from_vec(vec![true, false, true], &[3]).unwrap();
        let s = b.sum(None, false, None).unwrap();
        assert_eq!((s.dtype(), data(&s)), (DType::Int64, vec![2.0]));
        let i = Tensor::from_vec(vec![1i32, 2, 3], &[3]).unwrap();
        assert_eq!(i.sum(None, false, None).unwrap().dtype(), DType::Int64);
        assert!(matches!(
            i.mean(None, false, None),
            Err(Error::NotImplemented(m)) if m.contains("Got: Int")
        ));
        let m = i.mean(None, false, Some(DType::Float32)).unwrap();
        assert_eq!((m.dtype(), data(&m)), (DType::Float32, vec![2.0]));
        let t = arange(6, &[2, 3]);
        assert!(matches!(
            t.sum(Some(&[2]), false, None),
            Err(Error::DimOutOfRange { .. })
        ));
        assert_eq!(
            t.sum(Some(&[0, -2]), false, None).unwrap_err().to_string(),
            "dim 0 appears multiple times in the list of dims"
        );
        let e = Tensor::zeros(&[0, 3], DType::Float32).unwrap();
        assert_eq!(data(&e.sum(Some(&[0]), false, None).unwrap()), vec![0.0; 3]);
        assert!(data(&e.mean(None, false, None).unwrap())[0].is_nan());
        let z = Tensor::from_vec(vec![4.0f32], &[]).unwrap();
        assert_eq!(data(&z.sum(Some(&[-1]), false, None).unwrap()), vec![4.0]);
    }

    #[test]
    fn float32_is_accurate_and_thread_independent() {
        let n = 3_000_000;
        let t = Tensor::from_vec(vec![0.1f32; n], &[n]).unwrap();
        threads::set_num_threads(1);
        let one = data(&t.sum(None, false, None).unwrap());
        let rows = data(
            &t.reshape(&[1000, 3000])
                .unwrap()
                .sum(Some(&[0]), false, None)
                .unwrap(),
        );
        threads::set_num_threads(2);
        let two = data(&t.sum(None, false, None).unwrap());
        let rows2 = data(
            &t.reshape(&[1000, 3000])
                .unwrap()
                .sum(Some(&[0]), false, None)
                .unwrap(),
        );
        assert_eq!(one[0].to_bits(), two[0].to_bits());
        assert_eq!(rows, rows2);
        let exact = (0.1f32 as f64 * n as f64) as f32;
        assert_eq!(one[0] as f32, exact);
    }

    #[test]
    fn sum_to_shape_undoes_broadcasting() {
        let t = arange(24, &[2, 3, 4]);
        let s = t.sum_to_shape(&[3, 1]).unwrap();
        assert_eq!(s.shape(), &[3, 1]);
        assert_eq!(data(&s), vec![60.0, 92.0, 124.0]);
        assert_eq!(t.sum_to_shape(&[]).unwrap().shape(), &[] as &[usize]);
        assert!(t.sum_to_shape(&[5]).is_err());
        let i = Tensor::from_vec(vec![1i32; 6], &[2, 3]).unwrap();
        assert_eq!(i.sum_to_shape(&[3]).unwrap().dtype(), DType::Int32);
    }
}
