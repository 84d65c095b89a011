//! Matrix products: `mm`, `mv`, `dot` and `matmul` for 1-D and 2-D operands, with torch's errors.
//!
//! Floats go through the `gemm` crate, which takes row and column strides, so transposed and other
//! strided operands are read in place (no copy). Integers use a plain loop (torch allows integer
//! products on the CPU and wraps on overflow); bool is refused as torch refuses it.

use crate::autograd::rules::linalg::{record_product, Product};
use crate::dtype::{DType, Element};
use crate::error::{Error, Result};
use crate::ops::binary::Arith;
use crate::strided::SendPtr;
use crate::tensor::Tensor;
use crate::threads;

/// Below this many multiply-adds `gemm` runs on the calling thread.
const PAR_FLOPS: usize = 1 << 18;
/// Output rows per parallel chunk of the integer loop.
const INT_ROWS: usize = 16;

/// One operand of a product seen as an `rows x cols` matrix with element strides.
#[derive(Clone, Copy)]
struct Mat {
    rows: usize,
    cols: usize,
    rs: isize,
    cs: isize,
}

impl Mat {
    /// A 2-D tensor as it is.
    fn of(t: &Tensor) -> Mat {
        Mat {
            rows: t.shape()[0],
            cols: t.shape()[1],
            rs: t.strides()[0],
            cs: t.strides()[1],
        }
    }

    /// A 1-D tensor as a column (`k x 1`).
    fn column(t: &Tensor) -> Mat {
        Mat {
            rows: t.shape()[0],
            cols: 1,
            rs: t.strides()[0],
            cs: 1,
        }
    }

    /// A 1-D tensor as a row (`1 x k`).
    fn row(t: &Tensor) -> Mat {
        Mat {
            rows: 1,
            cols: t.shape()[0],
            rs: 1,
            cs: t.strides()[0],
        }
    }
}

/// `a @ b` into a new contiguous tensor of `out_shape` (whose element count is `a.rows * b.cols`).
/// Shapes and dtypes are checked by the caller.
fn product(a: &Tensor, am: Mat, b: &Tensor, bm: Mat, out_shape: &[usize]) -> Result<Tensor> {
    let (m, k, n) = (am.rows, am.cols, bm.cols);
    if m == 0 || n == 0 || k == 0 {
        return Tensor::zeros(out_shape, a.dtype());
    }
    let out = Tensor::uninit(out_shape, a.dtype())?;
    match a.dtype() {
        DType::Float32 => float_product::<f32>(a, am, b, bm, &out),
        DType::Float64 => float_product::<f64>(a, am, b, bm, &out),
        DType::Int32 => int_product::<i32>(a, am, b, bm, &out),
        DType::Int64 => int_product::<i64>(a, am, b, bm, &out),
        DType::Bool => {
            return Err(Error::NotImplemented(
                "\"addmm_impl_cpu_\" not implemented for 'Bool'".into(),
            ))
        }
    }
    Ok(out)
}

fn float_product<T: Element>(a: &Tensor, am: Mat, b: &Tensor, bm: Mat, out: &Tensor) {
    let (m, k, n) = (am.rows, am.cols, bm.cols);
    let (pa, pb, po) = (
        SendPtr(a.data_ptr_typed::<T>()),
        SendPtr(b.data_ptr_typed::<T>()),
        SendPtr(out.data_ptr_typed::<T>()),
    );
    let run = move |parallelism: gemm::Parallelism| {
        // Whole `SendPtr`s are captured (not their raw-pointer fields) so the closure is `Send`.
        let (po, pa, pb) = (po, pa, pb);
        // SAFETY: the operands' layouts cover `m x k` and `k x n` elements at these strides (they
        // are the tensors' own shapes and strides), and `out` is a fresh contiguous `m x n` buffer.
        unsafe {
            gemm::gemm(
                m,
                n,
                k,
                po.0,
                1,
                n as isize,
                false,
                pa.0 as *const T,
                am.cs,
                am.rs,
                pb.0 as *const T,
                bm.cs,
                bm.rs,
                T::ZERO,
                T::ONE,
                false,
                false,
                false,
                parallelism,
            )
        }
    };
    let work = m.saturating_mul(n).saturating_mul(k);
    if work < PAR_FLOPS || threads::num_threads() <= 1 {
        run(gemm::Parallelism::None);
    } else {
        threads::install(|t| {
            run(if t > 1 {
                gemm::Parallelism::Rayon(t)
            } else {
                gemm::Parallelism::None
            })
        });
    }
}

fn int_product<T: Arith>(a: &Tensor, am: Mat, b: &Tensor, bm: Mat, out: &Tensor) {
    let (m, k, n) = (am.rows, am.cols, bm.cols);
    let (pa, pb, po) = (
        SendPtr(a.data_ptr_typed::<T>()),
        SendPtr(b.data_ptr_typed::<T>()),
        SendPtr(out.data_ptr_typed::<T>()),
    );
    let rows = |chunk: usize| {
        for i in chunk * INT_ROWS..((chunk + 1) * INT_ROWS).min(m) {
            // SAFETY: row `i` of the fresh output is written by this chunk only; reads stay inside
            // the operands' layouts.
            unsafe {
                let o = std::slice::from_raw_parts_mut(po.at((i * n) as isize), n);
                o.fill(T::ZERO);
                for p in 0..k {
                    let av = *pa.at(i as isize * am.rs + p as isize * am.cs);
                    let brow = pb.at(p as isize * bm.rs);
                    for (j, oj) in o.iter_mut().enumerate() {
                        *oj = oj.add(av.mul(*brow.offset(j as isize * bm.cs)));
                    }
                }
            }
        }
    };
    let chunks = m.div_ceil(INT_ROWS);
    if m.saturating_mul(n).saturating_mul(k) < PAR_FLOPS {
        (0..chunks).for_each(rows);
    } else {
        threads::for_each_chunk(chunks, rows);
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
        let out = product(self, a, other, b, &[a.rows, b.cols])?;
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
        let (a, v) = (Mat::of(self), Mat::column(vec));
        if a.cols != v.rows {
            return Err(Error::Runtime(format!(
                "size mismatch, got input ({}), mat ({}x{}), vec ({})",
                a.rows, a.rows, a.cols, v.rows
            )));
        }
        if self.dtype() != vec.dtype() {
            let (m, v) = (self.dtype().torch_name(), vec.dtype().torch_name());
            return Err(Error::Runtime(format!(
                "addmv input tensors must have the same dtype, but got {}, {}, and {}",
                v, m, v
            )));
        }
        let out = product(self, a, vec, v, &[a.rows])?;
        Ok(record_product(out, "MvBackward0", Product::Mv, self, vec))
    }

    /// `dot`: the inner product of two vectors of the same length and dtype.
    pub fn dot(&self, other: &Tensor) -> Result<Tensor> {
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
        let (a, b) = (Mat::row(self), Mat::column(other));
        if a.cols != b.rows {
            return Err(Error::Runtime(format!(
                "inconsistent tensor size, expected tensor [{}] and src [{}] to have the same number of elements, but got {} and {} elements respectively",
                a.cols, b.rows, a.cols, b.rows
            )));
        }
        let out = product(self, a, other, b, &[])?;
        Ok(record_product(
            out,
            "DotBackward0",
            Product::Dot,
            self,
            other,
        ))
    }

    /// `matmul` / `@` for 1-D and 2-D operands: dot, mv, a row vector times a matrix, and mm.
    pub fn matmul(&self, other: &Tensor) -> Result<Tensor> {
        match (self.ndim(), other.ndim()) {
            (0, _) | (_, 0) => Err(Error::Runtime(format!(
                "both arguments to matmul need to be at least 1D, but they are {}D and {}D",
                self.ndim(),
                other.ndim()
            ))),
            (1, 1) => self.dot(other),
            (2, 1) => self.mv(other),
            (1, 2) => self.unsqueeze(0)?.mm(other)?.squeeze(Some(&[0])),
            (2, 2) => self.mm(other),
            (a, b) => Err(Error::NotImplemented(format!(
                "matmul of {}D and {}D tensors (batched matmul) is not supported yet",
                a, b
            ))),
        }
    }
}

/// torch's C type names in `mm`'s dtype message (`float != double`).
fn c_name(d: DType) -> &'static str {
    match d {
        DType::Bool => "bool",
        DType::Int32 => "int",
        DType::Int64 => "long int",
        DType::Float32 => "float",
        DType::Float64 => "double",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values(t: &Tensor) -> Vec<f64> {
        crate::dispatch!(t.dtype(), T => {
            let c = t.contiguous().unwrap();
            let p = c.data_ptr_typed::<T>();
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
        assert!(matches!(b.mm(&b), Err(Error::NotImplemented(_))));
    }
}
