//! The matrix-product kernel behind `mm`, `bmm` and `matmul`: a batch of `m x k` by `k x n`
//! products whose operands are read in place at any strides (transposed and broadcast operands
//! are never copied).
//!
//! Floats go through the `gemm` crate. One big product lets `gemm` split its blocks over the
//! threads; many small products run one per thread instead, since `gemm` parallelises a
//! 128 x 128 product poorly. Integers use a plain loop (torch allows integer products on the CPU
//! and wraps on overflow); bool is refused as torch refuses it.

use crate::dtype::{DType, Element};
use crate::error::{Error, Result};
use crate::kernels::math::Accumulate;
use crate::strided::SendPtr;
use crate::tensor::Tensor;
use crate::threads;

/// Below this many multiply-adds a product runs on the calling thread.
const PAR_FLOPS: usize = 1 << 18;
/// Products of at most this many multiply-adds run one per thread rather than each in parallel.
const SMALL_PRODUCT: usize = 1 << 22;
/// Output rows per parallel chunk of the integer loop.
const INT_ROWS: usize = 16;

/// One operand of a product seen as a `rows x cols` matrix with element strides.
#[derive(Clone, Copy, Debug)]
pub struct Mat {
    /// Rows.
    pub rows: usize,
    /// Columns.
    pub cols: usize,
    /// Row stride in elements.
    pub rs: isize,
    /// Column stride in elements.
    pub cs: isize,
}

impl Mat {
    /// The last two dims of a tensor of rank >= 2.
    pub fn of(t: &Tensor) -> Mat {
        let n = t.ndim();
        Mat {
            rows: t.shape()[n - 2],
            cols: t.shape()[n - 1],
            rs: t.strides()[n - 2],
            cs: t.strides()[n - 1],
        }
    }

    /// A 1-D tensor as a column (`k x 1`).
    pub fn column(t: &Tensor) -> Mat {
        Mat {
            rows: t.shape()[0],
            cols: 1,
            rs: t.strides()[0],
            cs: 1,
        }
    }
}

/// One side of a batched product: the tensor, its matrix view, and its strides over the batch
/// dims (0 where the batch dim is broadcast).
pub struct Operand<'a> {
    /// The tensor whose memory is read.
    pub t: &'a Tensor,
    /// The matrix of one batch.
    pub mat: Mat,
    /// Element strides over the output's batch dims.
    pub batch_strides: Vec<isize>,
}

/// `a @ b` for every batch index of `batch` into a new contiguous tensor of `out_shape` (the
/// batch dims then `a.rows x b.cols`, or fewer dims when the caller squeezes). The caller checks
/// shapes and dtypes against torch's rules (and words the errors); what the kernels' memory
/// accesses rest on is checked again here, see [`check_operands`].
pub fn product(a: &Operand, b: &Operand, batch: &[usize], out_shape: &[usize]) -> Result<Tensor> {
    product_scaled(a, b, batch, out_shape, None)
}

/// `t` (detached) converted to `dtype` in new memory with `t`'s strides and storage offset, so
/// that the matrix views and batch strides worked out on `t` read the copy: a zeroed buffer as
/// long as `t`'s span, into which each distinct element is converted (a broadcast dim once).
fn same_layout(t: &Tensor, dtype: DType) -> Result<Tensor> {
    let l = t.layout();
    let len = l.span().map_or(0, |(_, hi)| hi + 1);
    let buf = Tensor::zeros(&[len], dtype)?;
    let dims = |shape: &[usize]| shape.iter().map(|&d| d as i64).collect::<Vec<_>>();
    let strides: Vec<i64> = l.strides.iter().map(|&s| s as i64).collect();
    let view = buf.as_strided(&dims(&l.shape), &strides, Some(l.offset as i64))?;
    let distinct: Vec<usize> = l
        .shape
        .iter()
        .zip(&l.strides)
        .map(|(&d, &s)| if s == 0 { d.min(1) } else { d })
        .collect();
    let src = t
        .detach()
        .as_strided(&dims(&distinct), &strides, Some(l.offset as i64))?;
    let dst = buf.as_strided(&dims(&distinct), &strides, Some(l.offset as i64))?;
    crate::kernels::copy::copy_raw(&dst, &src)?;
    Ok(view)
}

/// How a product accumulates into its output: `out = beta * init + alpha * (a @ b)` (torch's
/// `addmm`), done by the gemm itself (`init` is read once, in place of a separate pass).
pub struct Scale {
    /// A fresh contiguous tensor of the output's shape and dtype holding the addend, which the
    /// product overwrites and returns; `None`: no addend (`beta` is 0).
    pub init: Option<Tensor>,
    /// The addend's factor.
    pub beta: crate::Scalar,
    /// The product's factor.
    pub alpha: crate::Scalar,
}

/// [`product`], scaled and accumulated as `scale` says (a plain product when `None`). With a
/// non-empty output and an empty inner size the result is `beta * init` (zeros without `init`).
pub fn product_scaled(
    a: &Operand,
    b: &Operand,
    batch: &[usize],
    out_shape: &[usize],
    scale: Option<Scale>,
) -> Result<Tensor> {
    let dt = a.t.dtype();
    if !dt.is_kernel_dtype() && dt == b.t.dtype() {
        // The half types multiply in float32 (accumulating there, rounding each result once),
        // the small integers in int32 (wrapping back), on copies laid out as the operands.
        let c = dt.compute_dtype();
        let (wa, wb) = (same_layout(a.t, c)?, same_layout(b.t, c)?);
        let scale = match scale {
            Some(s) => Some(Scale {
                init: s.init.map(|t| t.to_dtype(c)).transpose()?,
                ..s
            }),
            None => None,
        };
        let oa = Operand {
            t: &wa,
            mat: a.mat,
            batch_strides: a.batch_strides.clone(),
        };
        let ob = Operand {
            t: &wb,
            mat: b.mat,
            batch_strides: b.batch_strides.clone(),
        };
        return product_scaled(&oa, &ob, batch, out_shape, scale)?.to_dtype(dt);
    }
    let (m, k, n) = (a.mat.rows, a.mat.cols, b.mat.cols);
    let count: usize = batch.iter().product();
    check_operands(a, b, batch, out_shape)?;
    let init = scale.as_ref().and_then(|s| s.init.clone());
    if let Some(t) = &init {
        if t.shape() != out_shape || t.dtype() != a.t.dtype() || !t.is_contiguous() {
            return Err(Error::Runtime(
                "internal error: a matrix product's addend is not its fresh output".into(),
            ));
        }
    }
    if m == 0 || n == 0 || k == 0 || count == 0 {
        return match (init, &scale) {
            (Some(t), Some(s)) if !t.shape().contains(&0) => t.mul(s.beta),
            _ => Tensor::zeros(out_shape, a.t.dtype()),
        };
    }
    // The output first: it is at least as big as the offsets, and its failure is torch's error.
    let out = match &init {
        Some(t) => t.clone(),
        None => Tensor::uninit(out_shape, a.t.dtype())?,
    };
    let (beta, alpha, read) = match &scale {
        Some(s) => (s.beta, s.alpha, init.is_some()),
        None => (crate::Scalar::Int(0), crate::Scalar::Int(1), false),
    };
    let offsets = batch_offsets(batch, &a.batch_strides, &b.batch_strides)?;
    let sc = (beta, alpha, read);
    match a.t.dtype() {
        DType::Float32 => float_product::<f32>(a, b, &offsets, &out, sc),
        DType::Float64 => float_product::<f64>(a, b, &offsets, &out, sc),
        DType::Int32 => int_product::<i32>(a, b, &offsets, &out, sc),
        DType::Int64 => int_product::<i64>(a, b, &offsets, &out, sc),
        other => {
            return Err(Error::DTypeNotSupported {
                op: "addmm_impl_cpu_",
                dtype: other.torch_name(),
            })
        }
    }
    Ok(out)
}

/// An error unless `a` and `b` share a dtype, `a.cols == b.rows`, each has a stride per batch dim,
/// `out_shape` holds `count * m * n` elements, and every element an operand's matrices reach over
/// the batch lies inside its tensor's storage: a few comparisons per dim, once per product.
fn check_operands(a: &Operand, b: &Operand, batch: &[usize], out_shape: &[usize]) -> Result<()> {
    let internal = |what: &str| {
        Err(Error::Runtime(format!(
            "internal error: a matrix product {what}"
        )))
    };
    if a.t.dtype() != b.t.dtype() {
        return internal("of two dtypes");
    }
    if a.mat.cols != b.mat.rows {
        return internal("of mismatched inner sizes");
    }
    let count = batch.iter().try_fold(1usize, |n, &d| n.checked_mul(d));
    let want = count.and_then(|c| c.checked_mul(a.mat.rows)?.checked_mul(b.mat.cols));
    if want != out_shape.iter().try_fold(1usize, |n, &d| n.checked_mul(d)) {
        return internal("with an output of the wrong size");
    }
    for op in [a, b] {
        if op.batch_strides.len() != batch.len() {
            return internal("with batch strides of the wrong rank");
        }
        let dims = batch
            .iter()
            .zip(&op.batch_strides)
            .map(|(&d, &s)| (d, s))
            .chain([(op.mat.rows, op.mat.rs), (op.mat.cols, op.mat.cs)]);
        if dims.clone().any(|(d, _)| d == 0) {
            continue; // nothing is read
        }
        // The lowest and highest element offsets reached, from the storage's start.
        let (mut lo, mut hi) = (op.t.layout().offset as i128, op.t.layout().offset as i128);
        for (d, s) in dims {
            let ext = (d as i128 - 1) * s as i128;
            if ext < 0 {
                lo += ext;
            } else {
                hi += ext;
            }
        }
        let size = op.t.dtype().size() as i128;
        if lo < 0 || (hi + 1) * size > op.t.storage().nbytes() as i128 {
            return internal("reaching outside an operand's memory");
        }
    }
    Ok(())
}

/// The element offsets of `a` and `b` for each batch index, in row-major batch order (allocated
/// fallibly: broadcast batch dims can make the count large).
fn batch_offsets(batch: &[usize], sa: &[isize], sb: &[isize]) -> Result<Vec<(isize, isize)>> {
    let count: usize = batch.iter().product();
    let mut out = crate::storage::try_vec(count)?;
    let mut index = vec![0usize; batch.len()];
    let (mut oa, mut ob) = (0isize, 0isize);
    for _ in 0..count {
        out.push((oa, ob));
        // Odometer step over the batch dims, last dim fastest.
        for d in (0..batch.len()).rev() {
            index[d] += 1;
            oa += sa[d];
            ob += sb[d];
            if index[d] < batch[d] {
                break;
            }
            oa -= sa[d] * batch[d] as isize;
            ob -= sb[d] * batch[d] as isize;
            index[d] = 0;
        }
    }
    Ok(out)
}

/// The factors of an accumulating product: `beta`, `alpha`, and whether the output holds an
/// addend to read.
type Factors = (crate::Scalar, crate::Scalar, bool);

fn float_product<T: Element>(
    a: &Operand,
    b: &Operand,
    offsets: &[(isize, isize)],
    out: &Tensor,
    (beta, alpha, read): Factors,
) {
    let (beta, alpha) = (beta.to::<T>(), alpha.to::<T>());
    let (am, bm) = (a.mat, b.mat);
    let (m, k, n) = (am.rows, am.cols, bm.cols);
    let (pa, pb, po) = (
        SendPtr(a.t.data_ptr_typed::<T>()),
        SendPtr(b.t.data_ptr_typed::<T>()),
        SendPtr(out.data_ptr_typed::<T>()),
    );
    let one = move |i: usize, parallelism: gemm::Parallelism| {
        // Whole `SendPtr`s are captured (not their raw-pointer fields) so the closure is `Send`.
        let (po, pa, pb) = (po, pa, pb);
        let (oa, ob) = offsets[i];
        // SAFETY: `check_operands` showed both operands are `T` (`product` dispatched on `a`'s
        // dtype), `a.cols == b.rows`, and every element the `m x k` and `k x n` matrices reach
        // at (`rs`, `cs`) from any batch offset `oa`/`ob` (a sum of batch index times batch
        // stride) lies inside the operand's live storage. `out` is a fresh contiguous tensor of
        // `offsets.len() * m * n` elements (also checked), and product `i` writes only its
        // `m * n` block from `i * m * n`, overlapping no input; with `read_dst` false gemm
        // never reads the uninitialised output, and when true the output holds the addend
        // (`product_scaled` checked it is the fresh contiguous output).
        unsafe {
            gemm::gemm(
                m,
                n,
                k,
                po.at((i * m * n) as isize),
                1,
                n as isize,
                read,
                pa.at(oa) as *const T,
                am.cs,
                am.rs,
                pb.at(ob) as *const T,
                bm.cs,
                bm.rs,
                beta,
                alpha,
                false,
                false,
                false,
                parallelism,
            )
        }
    };
    let work = m.saturating_mul(n).saturating_mul(k);
    let total = work.saturating_mul(offsets.len());
    if total < PAR_FLOPS || threads::num_threads() <= 1 {
        (0..offsets.len()).for_each(|i| one(i, gemm::Parallelism::None));
    } else if offsets.len() > 1 && work <= SMALL_PRODUCT {
        threads::for_each_chunk(offsets.len(), |i| one(i, gemm::Parallelism::None));
    } else {
        threads::install(|t| {
            let p = if t > 1 {
                gemm::Parallelism::Rayon(t)
            } else {
                gemm::Parallelism::None
            };
            (0..offsets.len()).for_each(|i| one(i, p));
        });
    }
}

fn int_product<T: Accumulate + crate::dtype::Element>(
    a: &Operand,
    b: &Operand,
    offsets: &[(isize, isize)],
    out: &Tensor,
    (beta, alpha, read): Factors,
) {
    let (beta, alpha) = (beta.to::<T>(), alpha.to::<T>());
    let (am, bm) = (a.mat, b.mat);
    let (m, k, n) = (am.rows, am.cols, bm.cols);
    let (pa, pb, po) = (
        SendPtr(a.t.data_ptr_typed::<T>()),
        SendPtr(b.t.data_ptr_typed::<T>()),
        SendPtr(out.data_ptr_typed::<T>()),
    );
    let per_batch = m.div_ceil(INT_ROWS);
    let rows = |chunk: usize| {
        let (batch, chunk) = (chunk / per_batch, chunk % per_batch);
        let (oa, ob) = offsets[batch];
        for i in chunk * INT_ROWS..((chunk + 1) * INT_ROWS).min(m) {
            // SAFETY: by `check_operands`, as in `float_product`: element (`i`, `p`) of `a`'s
            // and (`p`, `j`) of `b`'s matrix at `oa`/`ob` (`i < m`, `p < k`, `j < n`) are inside
            // the live `T` tensors' storages, and `out` is fresh and contiguous with `count * m *
            // n` elements, so row `i` of batch `batch` is the `n` elements from `(batch * m + i)
            // * n`, which only this chunk writes and no input overlaps (initialised: it holds
            // the addend when `read`).
            unsafe {
                let o = std::slice::from_raw_parts_mut(po.at(((batch * m + i) * n) as isize), n);
                if read {
                    o.iter_mut().for_each(|v| *v = v.times(beta));
                } else {
                    o.fill(T::ZERO);
                }
                for p in 0..k {
                    let av = alpha.times(*pa.at(oa + i as isize * am.rs + p as isize * am.cs));
                    let brow = pb.at(ob + p as isize * bm.rs);
                    for (j, oj) in o.iter_mut().enumerate() {
                        *oj = oj.acc(av.times(*brow.offset(j as isize * bm.cs)));
                    }
                }
            }
        }
    };
    let chunks = per_batch * offsets.len();
    let work = m.saturating_mul(n).saturating_mul(k);
    if work.saturating_mul(offsets.len()) < PAR_FLOPS {
        (0..chunks).for_each(rows);
    } else {
        threads::for_each_chunk(chunks, rows);
    }
}
