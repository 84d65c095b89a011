//! The components of an index expression (`t[1, ::2, None, ..., idx]`), as the bindings parse
//! them and as indexing and its gradient rules read them.

use crate::dtype::DType;
use crate::tensor::Tensor;

/// One component of an index expression.
#[derive(Debug, Clone)]
pub enum IndexItem {
    /// `t[3]`, `t[-1]`: selects and removes a dim.
    Int(i64),
    /// `t[a:b:c]` with `c > 0`.
    Slice {
        start: Option<i64>,
        stop: Option<i64>,
        step: i64,
    },
    /// `t[None]`: inserts a size-1 dim.
    NewAxis,
    /// `t[...]`: as many full slices as needed.
    Ellipsis,
    /// An integer or bool tensor (advanced indexing).
    Tensor(Tensor),
}

impl IndexItem {
    /// How many dims of the indexed tensor this item consumes.
    pub fn dims_consumed(&self) -> usize {
        match self {
            IndexItem::Int(_) | IndexItem::Slice { .. } => 1,
            IndexItem::Tensor(t) if is_mask_dtype(t.dtype()) => t.ndim(),
            IndexItem::Tensor(_) => 1,
            IndexItem::NewAxis | IndexItem::Ellipsis => 0,
        }
    }
}

/// Whether an index tensor of `dtype` is a mask: bool, or uint8 (torch's deprecated byte mask).
pub fn is_mask_dtype(dtype: DType) -> bool {
    matches!(dtype, DType::Bool | DType::UInt8)
}
