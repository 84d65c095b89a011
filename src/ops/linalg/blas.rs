//! The accumulating products `addmm`, `addmv`, `addr`, `baddbmm` and `addbmm`:
//! `beta * input + alpha * product`, with `input` broadcast to the product's shape. The products
//! go through the gemm, which reads the addend and applies both factors in its own pass; `beta`
//! 0 ignores `input` (NaN and inf included) and `alpha` 0 skips the product, as torch's BLAS
//! calls do. Integer products truncate float factors as torch does (`addr`, a composition in
//! torch, refuses them instead).

use super::gemm::{product_scaled, Mat, Operand, Scale};
use super::{batched, c_name, scalar_type_name, single};
use crate::autograd::mode::without_grad;
use crate::autograd::rules::blas::{record_add_product, AddProduct};
use crate::dtype::DType;
use crate::error::{Error, Result};
use crate::ops::registry::{Args, Forms, OpDef};
use crate::scalar::Scalar;
use crate::tensor::Tensor;
use crate::value::Value;

/// `input` broadcast to `shape` (torch's `expand_size`, with its error).
fn expand_to(input: &Tensor, shape: &[usize]) -> Result<Tensor> {
    let sizes: Vec<i64> = shape.iter().map(|&d| d as i64).collect();
    input.expand(&sizes)
}

/// A factor for a product of `dtype`: floats truncate for integer dtypes as torch's kernels do.
fn factor(s: Scalar, dtype: DType) -> Result<Scalar> {
    match dtype {
        DType::Bool => Ok(Scalar::Bool(s.as_f64() != 0.0)),
        _ => s.checked_to(dtype),
    }
}

/// `beta * input + alpha * (a @ b)` for checked operands: `input` broadcast to `shape` (the
/// product's), the product `a x b` over `batch`, all of one dtype.
fn accumulate(
    input: &Tensor,
    (a, b): (&Operand, &Operand),
    batch: &[usize],
    shape: &[usize],
    (beta, alpha): (Scalar, Scalar),
) -> Result<Tensor> {
    let dtype = a.t.dtype();
    let (beta, alpha) = (factor(beta, dtype)?, factor(alpha, dtype)?);
    without_grad(|| {
        if alpha.as_f64() == 0.0 && beta.as_f64() == 0.0 {
            return Tensor::zeros(shape, dtype);
        }
        if alpha.as_f64() == 0.0 {
            return expand_to(input, shape)?.mul(beta)?.to_dtype(dtype);
        }
        let init = if beta.as_f64() == 0.0 {
            None
        } else {
            let t = Tensor::uninit(shape, dtype)?;
            crate::kernels::copy::copy_checked(&t, &expand_to(input, shape)?)?;
            Some(t)
        };
        let scale = Scale { init, beta, alpha };
        product_scaled(a, b, batch, shape, Some(scale))
    })
}

/// torch's `addmm` dtype checks (also `addbmm`'s): `input` against `mat2`, then `mat1`.
fn check_addmm_dtypes(input: &Tensor, mat1: &Tensor, mat2: &Tensor) -> Result<()> {
    for (t, name) in [(input, "self"), (mat1, "mat1")] {
        if t.dtype() != mat2.dtype() {
            return Err(Error::Runtime(format!(
                "{} and mat2 must have the same dtype, but got {} and {}",
                name,
                scalar_type_name(t.dtype()),
                scalar_type_name(mat2.dtype())
            )));
        }
    }
    Ok(())
}

/// torch's refusal of bool products, named after its kernel.
fn refuse_bool(t: &Tensor, kernel: &'static str) -> Result<()> {
    if t.dtype() == DType::Bool {
        return Err(Error::DTypeNotSupported {
            op: kernel,
            dtype: "Bool",
        });
    }
    Ok(())
}

impl Tensor {
    /// `addmm`: `beta * self + alpha * (mat1 @ mat2)`.
    pub fn addmm(
        &self,
        mat1: &Tensor,
        mat2: &Tensor,
        beta: Scalar,
        alpha: Scalar,
    ) -> Result<Tensor> {
        for (t, name) in [(mat1, "self"), (mat2, "mat2")] {
            if t.ndim() != 2 {
                return Err(Error::Runtime(format!(
                    "addmm: {} must be a matrix, got {}-D tensor",
                    name,
                    t.ndim()
                )));
            }
        }
        let (a, b) = (Mat::of(mat1), Mat::of(mat2));
        if a.cols != b.rows {
            return Err(Error::Runtime(format!(
                "addmm: mat1 and mat2 shapes cannot be multiplied ({}x{} and {}x{})",
                a.rows, a.cols, b.rows, b.cols
            )));
        }
        let shape = [a.rows, b.cols];
        expand_to(self, &shape)?;
        check_addmm_dtypes(self, mat1, mat2)?;
        refuse_bool(mat1, "addmm_impl_cpu_")?;
        let ops = (&single(mat1, a), &single(mat2, b));
        let out = accumulate(self, ops, &[], &shape, (beta, alpha))?;
        Ok(record_add_product(
            out,
            "AddmmBackward0",
            AddProduct::Mm,
            (beta, alpha),
            [self, mat1, mat2],
        ))
    }

    /// `addmv`: `beta * self + alpha * (mat @ vec)`.
    pub fn addmv(&self, mat: &Tensor, vec: &Tensor, beta: Scalar, alpha: Scalar) -> Result<Tensor> {
        if mat.ndim() != 2 || vec.ndim() != 1 || self.ndim() > 1 {
            return Err(Error::Runtime(format!(
                "vector + matrix @ vector expected, got {}, {}, {}",
                self.ndim(),
                mat.ndim(),
                vec.ndim()
            )));
        }
        let m = Mat::of(mat);
        if m.cols != vec.shape()[0] || (m.rows != self.numel() && self.numel() != 1) {
            return Err(Error::Runtime(format!(
                "size mismatch, got input ({}), mat ({}x{}), vec ({})",
                self.shape().first().copied().unwrap_or(1),
                m.rows,
                m.cols,
                vec.shape()[0]
            )));
        }
        if self.dtype() != mat.dtype() || mat.dtype() != vec.dtype() {
            return Err(Error::Runtime(format!(
                "addmv input tensors must have the same dtype, but got {}, {}, and {}",
                self.dtype().torch_name(),
                mat.dtype().torch_name(),
                vec.dtype().torch_name()
            )));
        }
        refuse_bool(mat, "addmv_impl_cpu")?;
        let ops = (&single(mat, m), &single(vec, Mat::column(vec)));
        let out = accumulate(self, ops, &[], &[m.rows], (beta, alpha))?;
        Ok(record_add_product(
            out,
            "AddmvBackward0",
            AddProduct::Mv,
            (beta, alpha),
            [self, mat, vec],
        ))
    }

    /// `addr`: `beta * self + alpha * outer(vec1, vec2)`, promoting as torch's does.
    pub fn addr(
        &self,
        vec1: &Tensor,
        vec2: &Tensor,
        beta: Scalar,
        alpha: Scalar,
    ) -> Result<Tensor> {
        for (t, name) in [(vec1, "vec1"), (vec2, "vec2")] {
            if t.ndim() != 1 {
                return Err(Error::Runtime(format!(
                    "addr: Expected 1-D argument {}, but got {}-D",
                    name,
                    t.ndim()
                )));
            }
        }
        let promote = |a: &Tensor, b: &Tensor| {
            crate::ops::pointwise::promote(&Value::Tensor(a.clone()), &Value::Tensor(b.clone()))
        };
        let dtype = promote(vec1, vec2).promote(self.dtype());
        for (s, name) in [(beta, "beta"), (alpha, "alpha")] {
            if dtype == DType::Bool {
                continue;
            }
            if matches!(s, Scalar::Bool(_)) {
                return Err(Error::Runtime(format!(
                    "Boolean {} only supported for Boolean results.",
                    name
                )));
            }
            if !dtype.is_floating() && s.is_float() {
                return Err(Error::Runtime(format!(
                    "For integral input tensors, argument {} must not be a floating point number.",
                    name
                )));
            }
        }
        let shape = [vec1.numel(), vec2.numel()];
        let input = expand_to(self, &shape)?;
        let out = without_grad(|| {
            let (beta, alpha) = (factor(beta, dtype)?, factor(alpha, dtype)?);
            // torch's kernel: `beta * self + alpha * vec1 * vec2`, left to right, each product
            // in the result dtype (the half types round beta, alpha and every product)
            let scale = |t: Tensor, s: Scalar| -> Result<Tensor> {
                if dtype.is_half() {
                    Tensor::full(&[], s, dtype)?.mul(&t)
                } else {
                    t.mul(s)
                }
            };
            let v1 = vec1.to_dtype(dtype)?;
            let v1 = if alpha.as_f64() == 1.0 {
                v1
            } else {
                scale(v1, alpha)?
            };
            let outer = v1.unsqueeze(1)?.mul(&vec2.to_dtype(dtype)?)?;
            if beta.as_f64() == 0.0 {
                return Ok(outer);
            }
            let input = input.to_dtype(dtype)?;
            let input = if beta.as_f64() == 1.0 {
                input
            } else {
                scale(input, beta)?
            };
            input.add(&outer)
        })?;
        Ok(record_add_product(
            out,
            "AddrBackward0",
            AddProduct::Outer,
            (beta, alpha),
            [self, vec1, vec2],
        ))
    }

    /// `baddbmm`: `beta * self + alpha * bmm(batch1, batch2)`.
    pub fn baddbmm(
        &self,
        batch1: &Tensor,
        batch2: &Tensor,
        beta: Scalar,
        alpha: Scalar,
    ) -> Result<Tensor> {
        check_batches(batch1, batch2)?;
        let (s, o) = (batch1.shape(), batch2.shape());
        if o[0] != s[0] || o[1] != s[2] {
            return Err(Error::Runtime(format!(
                "Expected size for first two dimensions of batch2 tensor to be: [{}, {}] but got: [{}, {}].",
                s[0], s[2], o[0], o[1]
            )));
        }
        let shape = [s[0], s[1], o[2]];
        expand_to(self, &shape)?;
        if self.dtype() != batch1.dtype() {
            return Err(Error::Runtime(format!(
                "Input dtypes must be the same, got: input {}, batch1: {}, batch2: {}",
                c_name(self.dtype()),
                c_name(batch1.dtype()),
                c_name(batch2.dtype())
            )));
        }
        if batch1.dtype() != batch2.dtype() {
            return Err(Error::Runtime(format!(
                "expected scalar type {} but found {}",
                scalar_type_name(batch1.dtype()),
                scalar_type_name(batch2.dtype())
            )));
        }
        refuse_bool(batch1, "baddbmm_with_gemm")?;
        let batch = [s[0]];
        let ops = (&batched(batch1, &batch), &batched(batch2, &batch));
        let out = accumulate(self, ops, &batch, &shape, (beta, alpha))?;
        Ok(record_add_product(
            out,
            "BaddbmmBackward0",
            AddProduct::Bmm,
            (beta, alpha),
            [self, batch1, batch2],
        ))
    }

    /// `addbmm`: `beta * self + alpha * (the sum over the batch of batch1[i] @ batch2[i])`,
    /// one gemm over the batch folded into the inner dim.
    pub fn addbmm(
        &self,
        batch1: &Tensor,
        batch2: &Tensor,
        beta: Scalar,
        alpha: Scalar,
    ) -> Result<Tensor> {
        check_batches(batch1, batch2)?;
        let (s, o) = (batch1.shape(), batch2.shape());
        if s[0] != o[0] {
            return Err(Error::Runtime(format!(
                "batch1 and batch2 must have same number of batches, got {} and {}",
                s[0], o[0]
            )));
        }
        if s[2] != o[1] {
            return Err(Error::Runtime(format!(
                "Incompatible matrix sizes for bmm ({}x{} and {}x{})",
                s[1], s[2], o[1], o[2]
            )));
        }
        let shape = [s[1], o[2]];
        expand_to(self, &shape)?;
        check_addmm_dtypes(self, batch1, batch2)?;
        refuse_bool(batch1, "addmm_impl_cpu_")?;
        let inner = s[0]
            .checked_mul(s[2])
            .ok_or_else(|| Error::Runtime("addbmm: the batch is too large".into()))?
            as i64;
        let (a, b) = without_grad(|| {
            let a = batch1.transpose(0, 1)?.reshape(&[s[1] as i64, inner])?;
            Ok::<_, Error>((a, batch2.reshape(&[inner, o[2] as i64])?))
        })?;
        let out = if batch1.dtype().is_half() && s[0] > 0 {
            // torch's CPU kernel: one addmm per batch, the half result rounded after each
            without_grad(|| {
                let pair = |i: usize| -> Result<(Tensor, Tensor)> {
                    Ok((batch1.select(0, i as i64)?, batch2.select(0, i as i64)?))
                };
                let (m1, m2) = pair(0)?;
                let mut acc = self.addmm(&m1, &m2, beta, alpha)?;
                for i in 1..s[0] {
                    let (m1, m2) = pair(i)?;
                    acc = acc.addmm(&m1, &m2, Scalar::Int(1), alpha)?;
                }
                Ok::<_, Error>(acc)
            })?
        } else {
            let ops = (&single(&a, Mat::of(&a)), &single(&b, Mat::of(&b)));
            accumulate(self, ops, &[], &shape, (beta, alpha))?
        };
        Ok(record_add_product(
            out,
            "AddbmmBackward0",
            AddProduct::SumBmm,
            (beta, alpha),
            [self, batch1, batch2],
        ))
    }
}

/// Both operands of a batched product 3-D.
fn check_batches(batch1: &Tensor, batch2: &Tensor) -> Result<()> {
    for (t, name) in [(batch1, "batch1"), (batch2, "batch2")] {
        if t.ndim() != 3 {
            return Err(Error::Runtime(format!("{} must be a 3D tensor", name)));
        }
    }
    Ok(())
}

/// An accumulating product declared by name, operand names, node and method.
macro_rules! add_product {
    ($stat:ident, $name:literal, $a:literal, $b:literal, $node:literal, $doc:literal, $f:expr) => {
        #[doc = concat!("`", $name, "`.")]
        pub static $stat: OpDef = OpDef {
            name: $name,
            doc: $doc,
            signatures: &[concat!(
                $name,
                "(Tensor input, Tensor ",
                $a,
                ", Tensor ",
                $b,
                ", *, Scalar beta=1, Scalar alpha=1)"
            )],
            forms: Forms::ALL,
            aliases: &[],
            nodes: &[$node],
            method_signatures: &[],
            source: file!(),
            run: |a, d| {
                let f: fn(&Tensor, &Tensor, &Tensor, Scalar, Scalar) -> Result<Tensor> = $f;
                d.finish(a, |a: &Args| {
                    f(
                        a.tensor(0)?,
                        a.tensor(1)?,
                        a.tensor(2)?,
                        a.scalar(3)?,
                        a.scalar(4)?,
                    )
                })
            },
        };
    };
}

add_product!(
    ADDMM,
    "addmm",
    "mat1",
    "mat2",
    "AddmmBackward0",
    "`beta * input + alpha * (mat1 @ mat2)`, input broadcast.",
    Tensor::addmm
);
add_product!(
    ADDMV,
    "addmv",
    "mat",
    "vec",
    "AddmvBackward0",
    "`beta * input + alpha * (mat @ vec)`, input broadcast.",
    Tensor::addmv
);
add_product!(
    ADDR,
    "addr",
    "vec1",
    "vec2",
    "AddrBackward0",
    "`beta * input + alpha * outer(vec1, vec2)`, input broadcast.",
    Tensor::addr
);
add_product!(
    BADDBMM,
    "baddbmm",
    "batch1",
    "batch2",
    "BaddbmmBackward0",
    "`beta * input + alpha * bmm(batch1, batch2)`, input broadcast.",
    Tensor::baddbmm
);
add_product!(
    ADDBMM,
    "addbmm",
    "batch1",
    "batch2",
    "AddbmmBackward0",
    "`beta * input + alpha * (sum of bmm(batch1, batch2) over the batch)`.",
    Tensor::addbmm
);

/// The declarations of this file.
pub static OPS: &[&OpDef] = &[&ADDMM, &ADDMV, &ADDR, &BADDBMM, &ADDBMM];
