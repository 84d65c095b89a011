//! `searchsorted` / `bucketize`: a binary search of every value in its row of boundaries, as
//! torch's `cus_lower_bound` / `cus_upper_bound` (`aten/src/ATen/native/Bucketization.cpp`):
//! the same comparisons (`!(b >= v)` / `!(b > v)`), so NaN values land past the end as in torch.
//! Values go to the team in fixed chunks; each result depends only on its own value.

use crate::dtype::{DType, Element};
use crate::error::Result;
use crate::strided::SendPtr;
use crate::tensor::Tensor;
use crate::threads;

/// Values per chunk.
const CHUNK: usize = 1 << 14;

/// The insertion point of every element of `values` (contiguous `T`) in its row of
/// `boundaries` (contiguous `T`, rows of its last dim; one row for all values when it is 1-D,
/// otherwise row `j / m` for value `j` with `m` values per row), through `sorter` (contiguous
/// int64 with `boundaries`' shape, every entry in `0..n`) when given: the first position whose
/// boundary is `>= v` (`> v` when `right`). The result has `values`' shape and `out` (int32 or
/// int64) as dtype.
pub fn searchsorted<T: Element>(
    boundaries: &Tensor,
    values: &Tensor,
    sorter: Option<&Tensor>,
    right: bool,
    out: DType,
) -> Result<Tensor> {
    let res = Tensor::uninit(values.shape(), out)?;
    let total = values.numel();
    if total == 0 {
        return Ok(res);
    }
    let n = boundaries.shape().last().copied().unwrap_or(1);
    let per_row = if boundaries.ndim() <= 1 {
        total
    } else {
        values.shape().last().copied().unwrap_or(1)
    };
    let bp = SendPtr(boundaries.data_ptr_typed::<T>());
    let vp = SendPtr(values.data_ptr_typed::<T>());
    let sp = SendPtr(sorter.map_or(std::ptr::null_mut(), |s| s.data_ptr_typed::<i64>()));
    let rp = SendPtr(res.data_ptr());
    let chunks = total.div_ceil(CHUNK);
    let run = |c: usize| {
        let (bp, vp, sp, rp) = (&bp, &vp, &sp, &rp);
        for j in c * CHUNK..((c + 1) * CHUNK).min(total) {
            let row = j / per_row;
            // SAFETY: `values` is a live contiguous `T` tensor of `total` elements and `j <
            // total`. Row `row` of `boundaries` (contiguous, `rows * n` elements, and `row <
            // rows` because the op layer checked that the leading dims match) covers `start..
            // start + n`; `sorter`, when present, has the same layout and entries in `0..n`
            // (checked by the op layer), so every boundary read is inside `boundaries`. The
            // result is a fresh tensor of `total` elements of `out`'s type, element `j`
            // written by this chunk only.
            unsafe {
                let v = *vp.0.add(j);
                let start = row * n;
                let (mut lo, mut hi) = (start, start + n);
                while lo < hi {
                    let mid = lo + ((hi - lo) >> 1);
                    let b = if sp.0.is_null() {
                        *bp.0.add(mid)
                    } else {
                        *bp.0.add(*sp.0.add(mid) as usize + start)
                    };
                    // torch's negated comparisons: a NaN value goes right of every boundary.
                    #[allow(clippy::neg_cmp_op_on_partial_ord)]
                    let go_right = if right { !(b > v) } else { !(b >= v) };
                    if go_right {
                        lo = mid + 1;
                    } else {
                        hi = mid;
                    }
                }
                let pos = (lo - start) as i64;
                if out == DType::Int32 {
                    *(rp.0 as *mut i32).add(j) = pos as i32;
                } else {
                    *(rp.0 as *mut i64).add(j) = pos;
                }
            }
        }
    };
    if total >= CHUNK {
        threads::for_each_chunk(chunks, run);
    } else {
        (0..chunks).for_each(run);
    }
    Ok(res)
}
