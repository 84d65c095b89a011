//! Matrix products with torch's rules and errors: `dot`, `mv`, `mm`, `bmm` and `outer`;
//! `matmul` (torch's decomposition into those), `einsum` and the norms live in their own files.
//!
//! No product promotes dtypes (torch refuses mixed operands) and none copies a strided operand
//! that its kernel can read at its strides.

mod blas;
mod chain;
pub mod declare;
mod distance;
mod einsum;
mod gemm;
mod inverse;
mod matmul;
mod norm;
mod vector;

pub use blas::OPS as BLAS_OPS;
pub use chain::OPS as CHAIN_OPS;
pub use distance::OPS as DISTANCE_OPS;
pub use einsum::einsum;
pub use inverse::OPS as INVERSE_OPS;
pub use norm::NormOrder;

use crate::autograd::rules::linalg::{record_product, Product};
use crate::dtype::DType;
use crate::error::{Error, Result};
use crate::shape::broadcast_shapes;
use crate::tensor::Tensor;
use gemm::{product, Mat, Operand};
use vector::Dot;

/// torch's C type names in `mm`'s dtype message (`float != double`).
fn c_name(d: DType) -> &'static str {
    d.c_name()
}

/// torch's scalar type names in `bmm`'s dtype message (`Float`, `Double`).
fn scalar_type_name(d: DType) -> &'static str {
    d.torch_name()
}

/// An operand without batch dims.
fn single(t: &Tensor, mat: Mat) -> Operand<'_> {
    Operand {
        t,
        mat,
        batch_strides: vec![],
    }
}

/// `dot` on two checked vectors of one dtype.
fn dot_kernel(a: &Tensor, b: &Tensor) -> Result<Tensor> {
    fn run<T: Dot>(a: &Tensor, b: &Tensor) -> Result<Tensor> {
        // SAFETY: `Tensor::dot`, the one caller, checked that both are 1-D of one dtype and the
        // same `numel`, and `run` is dispatched on that dtype, so element `i < numel` of each is
        // the `T` at `i * strides()[0]` inside its live storage; `dot` only reads, and the
        // borrowed tensors are not written during the call.
        let v = unsafe {
            vector::dot(
                a.data_ptr_typed::<T>(),
                a.strides()[0],
                b.data_ptr_typed::<T>(),
                b.strides()[0],
                a.numel(),
            )
        };
        Tensor::from_vec(vec![v], &[])
    }
    match a.dtype() {
        DType::Float32 => run::<f32>(a, b),
        DType::Float64 => run::<f64>(a, b),
        DType::Int32 => run::<i32>(a, b),
        DType::Int64 => run::<i64>(a, b),
        DType::Bool => Err(Error::DTypeNotSupported {
            op: "dot",
            dtype: "Bool",
        }),
        other => {
            let c = other.compute_dtype();
            dot_kernel(&a.to_dtype(c)?, &b.to_dtype(c)?)?.to_dtype(other)
        }
    }
}

/// `mv` on a checked matrix and vector of one dtype: the memory-bound kernels when the matrix
/// has a unit stride, `gemm` otherwise.
fn mv_kernel(a: &Tensor, x: &Tensor) -> Result<Tensor> {
    fn run<T: Dot>(a: &Tensor, x: &Tensor, am: Mat) -> Result<Tensor> {
        let out = Tensor::uninit(&[am.rows], a.dtype())?;
        let x = x.contiguous()?;
        let (pa, px, po) = (
            a.data_ptr_typed::<T>() as *const T,
            x.data_ptr_typed::<T>() as *const T,
            out.data_ptr_typed::<T>(),
        );
        // SAFETY: `Tensor::mv` checked `a` is 2-D `rows x cols`, `x` 1-D of `cols` and both of
        // `a`'s dtype, `T` (dispatched on it). `a`'s elements `(i, j)` are at `i * rs + j * cs`
        // inside its storage; `mv_rows` runs when `cs == 1` (each row `cols` consecutive
        // elements) and `mv_cols` otherwise, when `rs == 1` (the other case went to `product`
        // above), each column `rows` consecutive elements. `x` is contiguous with `cols`
        // elements, and `out` a fresh contiguous buffer of `rows`, overlapping neither.
        unsafe {
            if am.cs == 1 {
                vector::mv_rows(pa, am.rs, px, po, am.rows, am.cols);
            } else {
                vector::mv_cols(pa, am.cs, px, po, am.rows, am.cols);
            }
        }
        Ok(out)
    }
    let am = Mat::of(a);
    if am.rows == 0 || am.cols == 0 || (am.cs != 1 && am.rs != 1) {
        return product(&single(a, am), &single(x, Mat::column(x)), &[], &[am.rows]);
    }
    match a.dtype() {
        DType::Float32 => run::<f32>(a, x, am),
        DType::Float64 => run::<f64>(a, x, am),
        DType::Int32 => run::<i32>(a, x, am),
        DType::Int64 => run::<i64>(a, x, am),
        DType::Bool => Err(Error::DTypeNotSupported {
            op: "addmv_impl_cpu",
            dtype: "Bool",
        }),
        other => {
            let c = other.compute_dtype();
            mv_kernel(&a.to_dtype(c)?.contiguous()?, &x.to_dtype(c)?)?.to_dtype(other)
        }
    }
}

/// The matrix `t` as a batched operand over `batch` (right-aligned; broadcast dims stride 0).
fn batched<'a>(t: &'a Tensor, batch: &[usize]) -> Operand<'a> {
    let own = t.ndim() - 2;
    let skip = batch.len() - own;
    let batch_strides = (0..batch.len())
        .map(|i| {
            if i < skip || t.shape()[i - skip] == 1 {
                0
            } else {
                t.strides()[i - skip]
            }
        })
        .collect();
    Operand {
        t,
        mat: Mat::of(t),
        batch_strides,
    }
}

impl Tensor {
    /// `mm`: the product of two matrices; torch refuses mixed dtypes rather than promoting.
    pub fn mm(&self, other: &Tensor) -> Result<Tensor> {
        for (t, name) in [(self, "self"), (other, "mat2")] {
            if t.ndim() != 2 {
                return Err(Error::Runtime(format!(
                    "mm: {} must be a matrix, got {}-D tensor",
                    name,
                    t.ndim()
                )));
            }
        }
        let (a, b) = (Mat::of(self), Mat::of(other));
        if a.cols != b.rows {
            return Err(Error::Runtime(format!(
                "mm: mat1 and mat2 shapes cannot be multiplied ({}x{} and {}x{})",
                a.rows, a.cols, b.rows, b.cols
            )));
        }
        if self.dtype() != other.dtype() {
            return Err(Error::Runtime(format!(
                "expected m1 and m2 to have the same dtype, but got: {} != {}",
                c_name(self.dtype()),
                c_name(other.dtype())
            )));
        }
        let out = product(&single(self, a), &single(other, b), &[], &[a.rows, b.cols])?;
        Ok(record_product(out, "MmBackward0", Product::Mm, self, other))
    }

    /// `mv`: matrix times vector.
    pub fn mv(&self, vec: &Tensor) -> Result<Tensor> {
        if self.ndim() != 2 || vec.ndim() != 1 {
            return Err(Error::Runtime(format!(
                "vector + matrix @ vector expected, got 1, {}, {}",
                self.ndim(),
                vec.ndim()
            )));
        }
        let (rows, cols) = (self.shape()[0], self.shape()[1]);
        if cols != vec.shape()[0] {
            return Err(Error::Runtime(format!(
                "size mismatch, got input ({}), mat ({}x{}), vec ({})",
                rows,
                rows,
                cols,
                vec.shape()[0]
            )));
        }
        if self.dtype() != vec.dtype() {
            let (m, v) = (self.dtype().torch_name(), vec.dtype().torch_name());
            return Err(Error::Runtime(format!(
                "addmv input tensors must have the same dtype, but got {}, {}, and {}",
                v, m, v
            )));
        }
        let out = mv_kernel(self, vec)?;
        Ok(record_product(out, "MvBackward0", Product::Mv, self, vec))
    }

    /// `dot`: the inner product of two vectors of the same length and dtype.
    pub fn dot(&self, other: &Tensor) -> Result<Tensor> {
        self.dot_node(other, "DotBackward0")
    }

    /// `dot`, recorded under `node` (`vdot` has its own).
    fn dot_node(&self, other: &Tensor, node: &'static str) -> Result<Tensor> {
        if self.ndim() != 1 || other.ndim() != 1 {
            return Err(Error::Runtime(format!(
                "1D tensors expected, but got {}D and {}D tensors",
                self.ndim(),
                other.ndim()
            )));
        }
        if self.dtype() != other.dtype() {
            return Err(Error::Runtime(format!(
                "dot : expected both vectors to have same dtype, but found {} and {}",
                self.dtype().torch_name(),
                other.dtype().torch_name()
            )));
        }
        let (n, m) = (self.numel(), other.numel());
        if n != m {
            return Err(Error::Runtime(format!(
                "inconsistent tensor size, expected tensor [{}] and src [{}] to have the same number of elements, but got {} and {} elements respectively",
                n, m, n, m
            )));
        }
        let out = dot_kernel(self, other)?;
        Ok(record_product(out, node, Product::Dot, self, other))
    }

    /// `bmm`: a batch of matrix products; both operands 3-D with the same batch size.
    pub fn bmm(&self, other: &Tensor) -> Result<Tensor> {
        for (t, name) in [(self, "batch1"), (other, "batch2")] {
            if t.ndim() != 3 {
                return Err(Error::Runtime(format!("{} must be a 3D tensor", name)));
            }
        }
        let (s, o) = (self.shape(), other.shape());
        if o[0] != s[0] || o[1] != s[2] {
            return Err(Error::Runtime(format!(
                "Expected size for first two dimensions of batch2 tensor to be: [{}, {}] but got: [{}, {}].",
                s[0], s[2], o[0], o[1]
            )));
        }
        self.batched_product(other)
    }

    /// The product of two operands of rank >= 2 whose batch dims broadcast and whose inner
    /// dims agree (checked here with `bmm`'s message), recorded as `BmmBackward0`. As torch's `bmm`:
    /// an empty product is zeros of `other`'s dtype whatever the dtypes; otherwise a bool `self`
    /// has no kernel and `other` must have `self`'s dtype.
    fn batched_product(&self, other: &Tensor) -> Result<Tensor> {
        let (an, bn) = (self.ndim() - 2, other.ndim() - 2);
        let batch = broadcast_shapes(&self.shape()[..an], &other.shape()[..bn])?;
        let (a, b) = (batched(self, &batch), batched(other, &batch));
        if a.mat.cols != b.mat.rows {
            let count: usize = batch.iter().product();
            return Err(Error::Runtime(format!(
                "Expected size for first two dimensions of batch2 tensor to be: [{}, {}] but got: [{}, {}].",
                count, a.mat.cols, count, b.mat.rows
            )));
        }
        let mut shape = batch.clone();
        shape.extend([a.mat.rows, b.mat.cols]);
        let out = if shape.contains(&0) || a.mat.cols == 0 {
            Tensor::zeros(&shape, other.dtype())?
        } else if self.dtype() == DType::Bool {
            return Err(Error::DTypeNotSupported {
                op: "bmm",
                dtype: "Bool",
            });
        } else if self.dtype() != other.dtype() {
            return Err(Error::Runtime(format!(
                "expected scalar type {} but found {}",
                scalar_type_name(self.dtype()),
                scalar_type_name(other.dtype())
            )));
        } else {
            product(&a, &b, &batch, &shape)?
        };
        Ok(record_product(
            out,
            "BmmBackward0",
            Product::Batched,
            self,
            other,
        ))
    }

    /// `outer`: the outer product of two vectors (promoting, as torch's does).
    pub fn outer(&self, vec2: &Tensor) -> Result<Tensor> {
        for (t, name) in [(self, "self"), (vec2, "vec2")] {
            if t.ndim() != 1 {
                return Err(Error::Runtime(format!(
                    "outer: Expected 1-D argument {}, but got {}-D",
                    name,
                    t.ndim()
                )));
            }
        }
        self.unsqueeze(1)?.mul(vec2)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dtype::Element;

    #[test]
    fn products_refuse_operands_that_reach_outside_their_memory() {
        let a = Tensor::from_vec(vec![1.0f32; 6], &[2, 3]).unwrap();
        let b = Tensor::from_vec(vec![1.0f32; 12], &[3, 4]).unwrap();
        let run =
            |am: Mat, bm: Mat, bt: &Tensor, batch: &[usize], sa: Vec<isize>, out: &[usize]| {
                let op = |t, mat, batch_strides| Operand {
                    t,
                    mat,
                    batch_strides,
                };
                product(
                    &op(&a, am, sa),
                    &op(bt, bm, vec![0; batch.len()]),
                    batch,
                    out,
                )
            };
        let (am, bm) = (Mat::of(&a), Mat::of(&b));
        assert_eq!(
            run(am, bm, &b, &[], vec![], &[2, 4]).unwrap().shape(),
            &[2, 4]
        );
        // More rows than `a` has, a batch stride past its end, a wrong inner size, an output of
        // the wrong size, another dtype.
        let tall = Mat { rows: 5, ..am };
        assert!(run(tall, bm, &b, &[], vec![], &[5, 4]).is_err());
        assert!(run(am, bm, &b, &[2], vec![6], &[2, 2, 4]).is_err());
        let short = Mat { rows: 2, ..bm };
        assert!(run(am, short, &b, &[], vec![], &[2, 4]).is_err());
        assert!(run(am, bm, &b, &[], vec![], &[3, 4]).is_err());
        let ints = Tensor::from_vec(vec![1i64; 12], &[3, 4]).unwrap();
        assert!(run(am, bm, &ints, &[], vec![], &[2, 4]).is_err());
    }

    fn values(t: &Tensor) -> Vec<f64> {
        crate::dispatch!(t.dtype(), T => {
            let c = t.contiguous().unwrap();
            let p = c.data_ptr_typed::<T>();
            // SAFETY: `dispatch!` made `T` `c`'s dtype, and `c` is contiguous, so its elements are
            // `p..p + numel`; `c` lives across the read.
            (0..c.numel()).map(|i| unsafe { (*p.add(i)).to_f64() }).collect()
        })
    }

    fn naive(a: &[f64], b: &[f64], m: usize, k: usize, n: usize) -> Vec<f64> {
        let mut out = vec![0.0; m * n];
        for i in 0..m {
            for p in 0..k {
                for j in 0..n {
                    out[i * n + j] += a[i * k + p] * b[p * n + j];
                }
            }
        }
        out
    }

    #[test]
    fn products_match_the_triple_loop() {
        let (m, k, n) = (37, 70, 45);
        let av: Vec<f64> = (0..m * k).map(|i| (i % 7) as f64 - 3.0).collect();
        let bv: Vec<f64> = (0..k * n).map(|i| (i % 5) as f64 - 2.0).collect();
        let want = naive(&av, &bv, m, k, n);
        for dtype in [DType::Float32, DType::Float64, DType::Int32, DType::Int64] {
            let a = Tensor::from_vec(av.clone(), &[m, k])
                .unwrap()
                .to_dtype(dtype)
                .unwrap();
            let b = Tensor::from_vec(bv.clone(), &[k, n])
                .unwrap()
                .to_dtype(dtype)
                .unwrap();
            let c = a.mm(&b).unwrap();
            assert_eq!((c.dtype(), c.shape()), (dtype, &[m, n][..]));
            assert_eq!(values(&c), want, "{dtype:?}");
            // Transposed operands: (b.T @ a.T).T == a @ b, read in place.
            let bt = b.t().unwrap();
            let at = a.t().unwrap();
            let ct = bt.mm(&at).unwrap().t().unwrap();
            assert_eq!(values(&ct), want, "{dtype:?} transposed");
        }
    }

    #[test]
    fn vectors_and_errors() {
        let a = Tensor::from_vec(vec![1.0f32, 2.0, 3.0, 4.0, 5.0, 6.0], &[2, 3]).unwrap();
        let v = Tensor::from_vec(vec![1.0f32, 0.0, -1.0], &[3]).unwrap();
        assert_eq!(values(&a.matmul(&v).unwrap()), vec![-2.0, -2.0]);
        assert_eq!(values(&v.matmul(&v).unwrap()), vec![2.0]);
        let w = Tensor::from_vec(vec![1.0f32, 1.0], &[2]).unwrap();
        assert_eq!(values(&w.matmul(&a).unwrap()), vec![5.0, 7.0, 9.0]);
        let e = a.mm(&a).unwrap_err().to_string();
        assert_eq!(
            e,
            "mm: mat1 and mat2 shapes cannot be multiplied (2x3 and 2x3)"
        );
        let e = v.mm(&a).unwrap_err().to_string();
        assert_eq!(e, "mm: self must be a matrix, got 1-D tensor");
        let d = a.t().unwrap().to_dtype(DType::Float64).unwrap();
        let e = a.mm(&d).unwrap_err().to_string();
        assert_eq!(
            e,
            "expected m1 and m2 to have the same dtype, but got: float != double"
        );
        let z = Tensor::zeros(&[2, 0], DType::Float32).unwrap();
        let y = Tensor::zeros(&[0, 4], DType::Float32).unwrap();
        assert_eq!(values(&z.mm(&y).unwrap()), vec![0.0; 8]);
        let b = Tensor::zeros(&[2, 2], DType::Bool).unwrap();
        assert!(matches!(
            b.mm(&b),
            Err(Error::DTypeNotSupported {
                op: "addmm_impl_cpu_",
                ..
            })
        ));
    }

    fn seq(n: usize, shape: &[usize]) -> Tensor {
        let v: Vec<f64> = (0..n).map(|i| ((i * 7) % 11) as f64 - 5.0).collect();
        Tensor::from_vec(v, shape).unwrap()
    }

    #[test]
    fn batched_matmul_broadcasts_and_matches_per_batch_mm() {
        let a = seq(2 * 3 * 4, &[2, 1, 3, 4]);
        let b = seq(5 * 4 * 2, &[5, 4, 2]);
        let c = a.matmul(&b).unwrap();
        assert_eq!(c.shape(), &[2, 5, 3, 2]);
        for i in 0..2 {
            for j in 0..5 {
                let want = a.select(0, i).unwrap().select(0, 0).unwrap();
                let want = want.mm(&b.select(0, j).unwrap()).unwrap();
                let got = c.select(0, i).unwrap().select(0, j).unwrap();
                assert_eq!(values(&got), values(&want));
            }
        }
        let v = seq(4, &[4]);
        assert_eq!(a.matmul(&v).unwrap().shape(), &[2, 1, 3]);
        assert_eq!(seq(3, &[3]).matmul(&a).unwrap().shape(), &[2, 1, 4]);
        let e = a.bmm(&b).unwrap_err().to_string();
        assert_eq!(e, "batch1 must be a 3D tensor");
    }

    #[test]
    fn dot_and_mv_kernels_match_gemm_for_every_layout() {
        let n = 200_003;
        let x = seq(n, &[n]);
        let want: f64 = values(&x).iter().map(|v| v * v).sum();
        assert_eq!(values(&x.dot(&x).unwrap()), vec![want]);
        let a = seq(300 * 257, &[300, 257]);
        let v = seq(257, &[257]);
        let want = values(&a.mm(&v.unsqueeze(1).unwrap()).unwrap());
        assert_eq!(values(&a.mv(&v).unwrap()), want);
        let at = a.t().unwrap().contiguous().unwrap().t().unwrap();
        assert_eq!(values(&at.mv(&v).unwrap()), want);
        for dtype in [DType::Float32, DType::Int32, DType::Int64] {
            let a = a.to_dtype(dtype).unwrap();
            let v = v.to_dtype(dtype).unwrap();
            assert_eq!(values(&a.mv(&v).unwrap()), want, "{dtype:?}");
        }
    }

    #[test]
    fn einsum_contracts_like_matmul() {
        let a = seq(6, &[2, 3]);
        let b = seq(12, &[3, 4]);
        let want = values(&a.mm(&b).unwrap());
        assert_eq!(
            values(&einsum("ij,jk->ik", &[a.clone(), b.clone()]).unwrap()),
            want
        );
        assert_eq!(
            values(&einsum("ij,jk", &[a.clone(), b.clone()]).unwrap()),
            want
        );
        let tr = einsum("ji->ij", std::slice::from_ref(&a)).unwrap();
        assert_eq!(values(&tr), values(&a.t().unwrap()));
        let sq = seq(9, &[3, 3]);
        assert_eq!(
            values(&einsum("ii->i", std::slice::from_ref(&sq)).unwrap()),
            vec![-5.0, 1.0, -4.0]
        );
        let e = einsum("ij,jk->ik", &[a.clone(), a])
            .unwrap_err()
            .to_string();
        assert!(e.contains("subscript j has size 2 for operand 1"), "{e}");
    }

    #[test]
    fn norms_in_float64() {
        let u = Tensor::from_vec(vec![3.0f32, -4.0], &[2]).unwrap();
        assert_eq!(values(&u.vector_norm(2.0, None, false).unwrap()), vec![5.0]);
        assert_eq!(values(&u.vector_norm(1.0, None, false).unwrap()), vec![7.0]);
        assert_eq!(
            values(&u.vector_norm(f64::INFINITY, None, false).unwrap()),
            vec![4.0]
        );
        assert_eq!(
            values(&u.vector_norm(f64::NEG_INFINITY, None, false).unwrap()),
            vec![3.0]
        );
        assert_eq!(values(&u.vector_norm(0.0, None, false).unwrap()), vec![2.0]);
        let three = values(&u.vector_norm(3.0, None, false).unwrap())[0];
        assert!((three - 91f64.cbrt()).abs() < 1e-6);
        let ones = Tensor::full(&[4, 9], crate::Scalar::Float(1.0), DType::Float32).unwrap();
        assert_eq!(
            values(&ones.norm(NormOrder::Fro, None, false).unwrap()),
            vec![6.0]
        );
        let m = ones
            .matrix_norm(NormOrder::Num(1.0), &[-2, -1], false)
            .unwrap();
        assert_eq!(values(&m), vec![4.0]);
        let e = ones
            .matrix_norm(NormOrder::Nuc, &[0, 1], false)
            .unwrap_err();
        assert!(matches!(e, Error::NotImplemented(_)));
        let i = Tensor::zeros(&[3], DType::Int64).unwrap();
        assert!(matches!(
            i.vector_norm(2.0, None, false),
            Err(Error::NotImplemented(_))
        ));
    }
}
