//! `cumsum` and `cumprod`: torch's dtype rules around the scan kernels (`kernels/scan.rs`), and the
//! autograd nodes.

use crate::autograd::record::record;
use crate::autograd::rules::scan::{CumprodRule, CumsumRule};
use crate::dtype::DType;
use crate::error::Result;
use crate::kernels::scan::{scan_raw, ScanKind};
use crate::ops::registry::{Forms, OpDef};
use crate::shape::normalize_dim;
use crate::tensor::Tensor;

impl Tensor {
    /// `cumsum(dim, dtype=)`: bool and integer inputs give int64 unless `dtype` is given; with
    /// `dtype`, the input is converted first, as in torch.
    pub fn cumsum(&self, dim: i64, dtype: Option<DType>) -> Result<Tensor> {
        let (d, out) = self.scan(dim, ScanKind::Sum, dtype)?;
        Ok(record(out, "CumsumBackward0", &[self], || {
            CumsumRule::new(self, d)
        }))
    }

    /// `cumprod(dim, dtype=)`: the dtype rules of [`Tensor::cumsum`].
    pub fn cumprod(&self, dim: i64, dtype: Option<DType>) -> Result<Tensor> {
        let (d, out) = self.scan(dim, ScanKind::Prod, dtype)?;
        let saved = out.clone();
        Ok(record(out, "CumprodBackward0", &[self], || {
            CumprodRule::new(self, &saved, d)
        }))
    }

    /// Validates the dim and dtype, then runs the kernel.
    fn scan(&self, dim: i64, kind: ScanKind, dtype: Option<DType>) -> Result<(usize, Tensor)> {
        let d = normalize_dim(dim, self.ndim())?;
        let out_dtype = dtype.unwrap_or(if self.dtype().is_floating() {
            self.dtype()
        } else {
            DType::Int64
        });
        Ok((d, scan_raw(self, d, kind, out_dtype)?))
    }
}

/// `cumsum`.
pub static CUMSUM: OpDef = OpDef {
    name: "cumsum",
    doc: "The running sum along `dim`; bool and integers give int64 unless `dtype` is given.",
    signatures: &["cumsum(Tensor input, int dim, *, ScalarType? dtype=None)"],
    forms: Forms::ALL,
    aliases: &[],
    nodes: &["CumsumBackward0"],
    source: file!(),
    run: |a, d| d.finish(a, |a| a.tensor(0)?.cumsum(a.int(1)?, a.opt_dtype(2)?)),
};

/// `cumprod`.
pub static CUMPROD: OpDef = OpDef {
    name: "cumprod",
    doc: "The running product along `dim`; bool and integers give int64 unless `dtype` is given.",
    signatures: &["cumprod(Tensor input, int dim, *, ScalarType? dtype=None)"],
    forms: Forms::ALL,
    aliases: &[],
    nodes: &["CumprodBackward0"],
    source: file!(),
    run: |a, d| d.finish(a, |a| a.tensor(0)?.cumprod(a.int(1)?, a.opt_dtype(2)?)),
};

/// The declarations of this file.
pub static OPS: &[&OpDef] = &[&CUMSUM, &CUMPROD];

#[cfg(test)]
mod tests {
    use super::*;

    fn data(t: &Tensor) -> Vec<f64> {
        crate::dispatch!(t.dtype(), T => {
            let c = t.contiguous().unwrap();
            let p = c.data_ptr_typed::<T>();
            (0..c.numel()).map(|i| unsafe { (*p.add(i)).to_f64() }).collect()
        })
    }

    /// The obvious loop over (outer, scanned, inner).
    fn naive(v: &[f64], shape: &[usize], dim: usize, prod: bool) -> Vec<f64> {
        let (outer, n, inner) = split_at_dim(shape, dim);
        let mut out = v.to_vec();
        for o in 0..outer {
            for i in 0..inner {
                let mut acc = if prod { 1.0 } else { 0.0 };
                for k in 0..n {
                    let at = (o * n + k) * inner + i;
                    acc = if prod { acc * v[at] } else { acc + v[at] };
                    out[at] = acc;
                }
            }
        }
        out
    }

    #[test]
    fn every_dim_and_both_loops() {
        for shape in [
            vec![3, 5000, 2],
            vec![2, 9000],
            vec![10_000],
            vec![4, 3, 1030],
        ] {
            let n: usize = shape.iter().product();
            let v: Vec<f64> = (0..n).map(|i| (i % 7) as f64 - 3.0).collect();
            let t = Tensor::from_vec(v.clone(), &shape).unwrap();
            for dim in 0..shape.len() {
                let got = data(&t.cumsum(dim as i64, None).unwrap());
                assert_eq!(got, naive(&v, &shape, dim, false), "{shape:?} dim {dim}");
            }
        }
        let v: Vec<f64> = (0..40).map(|i| 1.0 + (i % 3) as f64 * 0.25).collect();
        let t = Tensor::from_vec(v.clone(), &[5, 8]).unwrap();
        for dim in 0..2 {
            let got = data(&t.cumprod(dim as i64, None).unwrap());
            let want = naive(&v, &[5, 8], dim, true);
            for (g, w) in got.iter().zip(&want) {
                assert!((g - w).abs() <= 1e-12 * w.abs(), "{g} vs {w}");
            }
        }
    }

    #[test]
    fn dtypes_errors_and_reverse() {
        let b = Tensor::from_vec(vec![true, false, true], &[3]).unwrap();
        let s = b.cumsum(0, None).unwrap();
        assert_eq!((s.dtype(), data(&s)), (DType::Int64, vec![1.0, 1.0, 2.0]));
        assert!(matches!(
            b.cumsum(0, Some(DType::Bool)),
            Err(Error::NotImplemented(_))
        ));
        assert!(matches!(
            b.cumsum(1, None),
            Err(Error::DimOutOfRange { .. })
        ));
        let z = Tensor::from_vec(vec![4.0f32], &[]).unwrap();
        assert_eq!(data(&z.cumprod(-1, None).unwrap()), vec![4.0]);
        let t = Tensor::from_vec(vec![1.0f64, 2.0, 3.0, 4.0, 5.0, 6.0], &[2, 3]).unwrap();
        let r = reverse_cumsum(&t, 1).unwrap();
        assert_eq!(data(&r), vec![6.0, 5.0, 3.0, 15.0, 11.0, 6.0]);
        let r = reverse_cumsum(&t, 0).unwrap();
        assert_eq!(data(&r), vec![5.0, 7.0, 9.0, 4.0, 5.0, 6.0]);
    }

    #[test]
    fn float32_is_exact_and_thread_independent() {
        let n = (1 << 25) + 3;
        let t = Tensor::from_vec(vec![1.0f32; n], &[n]).unwrap();
        let last = |t: &Tensor| data(&t.cumsum(0, None).unwrap())[n - 1];
        assert_eq!(last(&t), n as f32 as f64, "the exact sum, rounded once");
        let m = 300_000;
        let v: Vec<f32> = (0..m).map(|i| ((i * 7919) % 1000) as f32 * 0.001).collect();
        let t = Tensor::from_vec(v, &[m]).unwrap();
        threads::set_num_threads(1);
        let one = data(&t.cumsum(0, None).unwrap());
        threads::set_num_threads(2);
        let two = data(&t.cumsum(0, None).unwrap());
        assert!(one
            .iter()
            .zip(&two)
            .all(|(a, b)| a.to_bits() == b.to_bits()));
    }
}
