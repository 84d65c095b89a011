//! The activation family: `torch.nn.functional`'s activations, `linear`, `dropout` and
//! `one_hot`. Functions torch has only in `torch.nn.functional` are declared in the
//! `nn.functional` namespace; those it also has as `torch.*` (`selu`, `celu`, `threshold`,
//! `hardshrink`, `prelu`, `dropout`) are declared there too. The elementwise activations run
//! through the pointwise machinery (`pointwise`); the others are in `layers`. Gradient formulas
//! are in `autograd::rules::activation`.

pub mod declare;
pub mod layers;
pub mod linear;
pub mod pointwise;

use crate::ops::registry::Dest;

/// The destination of an op with torch's `inplace=` flag.
pub(crate) fn dest_of(d: Dest<'_>, inplace: bool) -> Dest<'_> {
    if inplace {
        Dest::InPlace
    } else {
        d
    }
}
