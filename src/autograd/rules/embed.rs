//! Gradient rules of the scatter-into-copy ops (`ops/embed.rs`): `diagonal_scatter`,
//! `select_scatter`, `slice_scatter`.

use std::sync::Arc;

use crate::autograd::graph::Backward;
use crate::autograd::rules::InputMeta;
use crate::error::Result;
use crate::layout::Layout;
use crate::tensor::Tensor;

/// Maps a layout of the input's shape to the region the source was written to.
pub type Region = Arc<dyn Fn(&Layout) -> Layout + Send + Sync>;

/// `out = input` with `src` written into `region`: the input's gradient is the gradient with
/// the region zeroed, the source's is the gradient's region.
pub struct EmbedRule {
    /// The op's node name, which the input's gradient is recorded under again.
    pub name: &'static str,
    /// The input's metadata.
    pub input: InputMeta,
    /// The source's metadata.
    pub src: InputMeta,
    /// The region written.
    pub region: Region,
    /// The node name of the source's gradient, a view of the region (`SliceBackward0`).
    pub view_name: &'static str,
}

impl Backward for EmbedRule {
    fn apply(&self, g: &Tensor) -> Result<Vec<Option<Tensor>>> {
        let gi = if self.input.needs_grad {
            let zeros = Tensor::zeros(&self.src.shape, g.dtype())?;
            Some(
                g.embed(&zeros, self.name, self.region.clone())?
                    .to_dtype(self.input.dtype)?,
            )
        } else {
            None
        };
        let gs = if self.src.needs_grad {
            let r = self.region.clone();
            let part = g.region_view(self.view_name, move |l| r(l));
            Some(part.to_dtype(self.src.dtype)?)
        } else {
            None
        };
        Ok(vec![gi, gs])
    }
}
