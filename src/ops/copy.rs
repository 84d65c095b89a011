//! The copy ops: `contiguous`, `clone`, dtype conversion and `copy_`, recorded for autograd; the
//! copying itself is `kernels/copy.rs`.

use crate::autograd::record::{in_place, record};
use crate::autograd::rules::copy::CopyRule;
use crate::autograd::rules::views::PassRule;
use crate::autograd::rules::InputMeta;
use crate::dtype::DType;
use crate::error::Result;
use crate::kernels::copy::{copy_checked, copy_raw, empty_like_preserving};
use crate::tensor::Tensor;

impl Tensor {
    /// This tensor if row-major contiguous, else a contiguous copy.
    pub fn contiguous(&self) -> Result<Tensor> {
        if self.is_contiguous() {
            return Ok(self.clone());
        }
        let out = self.clone_contiguous()?;
        Ok(record(out, "CloneBackward0", &[self], || {
            PassRule(InputMeta::of(self))
        }))
    }

    /// `clone()`: new storage, same values, the same dim order when dense (torch's preserve_format).
    pub fn clone_tensor(&self) -> Result<Tensor> {
        let out = empty_like_preserving(self, self.dtype())?;
        copy_raw(&out, self)?;
        Ok(record(out, "CloneBackward0", &[self], || {
            PassRule(InputMeta::of(self))
        }))
    }

    /// Converts to `dtype`, returning this tensor itself when the dtype already matches.
    pub fn to_dtype(&self, dtype: DType) -> Result<Tensor> {
        if dtype == self.dtype() {
            return Ok(self.clone());
        }
        let out = empty_like_preserving(self, dtype)?;
        copy_raw(&out, self)?;
        Ok(record(out, "ToCopyBackward0", &[self], || {
            PassRule(InputMeta::of(self))
        }))
    }

    /// `copy_(src)`: writes `src` (broadcast, converted) into this tensor in place; the gradient
    /// flows to `src` and no longer to what this tensor held.
    pub fn copy_(&self, src: &Tensor) -> Result<()> {
        in_place(
            self,
            &[src],
            || copy_checked(self, src),
            |snapshot| {
                let out = snapshot.clone_contiguous()?;
                copy_checked(&out, src)?;
                Ok(record(out, "CopyBackwards", &[snapshot, src], || {
                    CopyRule(InputMeta::of(snapshot), InputMeta::of(src))
                }))
            },
        )
    }
}
