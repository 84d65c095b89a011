//! Gradient rules of the sampling ops: `normal`'s reparameterisation and the standard gamma's
//! implicit gradient. Samplers whose values do not depend smoothly on an input record
//! `NoGradRule` (`views.rs`): a zero gradient, as torch's.

use crate::autograd::graph::{Backward, SavedTensor};
use crate::autograd::rules::{reduce_to, InputMeta};
use crate::error::Result;
use crate::tensor::Tensor;

/// `normal(mean, std)`: `mean + std * eps`, so the mean's gradient is the output's and the
/// standard deviation's is the output's times `eps = (output - mean) / std` (saved). Each
/// input is present only in the overloads that take it as a tensor.
pub struct NormalRule {
    /// The mean, when a tensor.
    pub mean: Option<InputMeta>,
    /// The standard deviation, when a tensor.
    pub std: Option<InputMeta>,
    /// `(output - mean) / std`, when the standard deviation is a tensor.
    pub eps: Option<SavedTensor>,
}

impl Backward for NormalRule {
    fn apply(&self, g: &Tensor) -> Result<Vec<Option<Tensor>>> {
        let mut grads = Vec::with_capacity(2);
        if let Some(m) = &self.mean {
            grads.push(Some(reduce_to(g.clone(), m)?));
        }
        if let (Some(s), Some(eps)) = (&self.std, &self.eps) {
            grads.push(Some(reduce_to(g.mul(&eps.get()?)?, s)?));
        }
        Ok(grads)
    }

    fn release(&self) {
        if let Some(e) = &self.eps {
            e.release();
        }
    }
}

/// `_standard_gamma(alpha)`: the implicit reparameterisation gradient
/// `grad * _standard_gamma_grad(alpha, sample)`.
pub struct StandardGammaRule {
    /// The shapes `alpha`.
    pub alpha: SavedTensor,
    /// The sample.
    pub sample: SavedTensor,
}

impl Backward for StandardGammaRule {
    fn apply(&self, g: &Tensor) -> Result<Vec<Option<Tensor>>> {
        let d = self.alpha.get()?.standard_gamma_grad(&self.sample.get()?)?;
        Ok(vec![Some(g.mul(&d)?)])
    }

    fn release(&self) {
        self.alpha.release();
        self.sample.release();
    }
}
