//! The triangle kernel of `tril`/`triu`: each row of each matrix keeps the elements on one side
//! of a diagonal and zeroes the others. It works on bytes (zero bytes are zero in every dtype),
//! one block of rows per chunk, in parallel; chunks depend only on the shape.

use crate::error::Result;
use crate::strided::SendPtr;
use crate::tensor::Tensor;
use crate::threads;

/// Rows per chunk of work.
const ROWS_PER_CHUNK: usize = 64;

/// A new contiguous tensor holding `src` (at least 2-D) with the elements off the triangle set to
/// zero: `lower` keeps column `j` of row `i` when `j - i <= k` (`tril`), otherwise when
/// `j - i >= k` (`triu`).
pub fn triangle(src: &Tensor, k: i64, lower: bool) -> Result<Tensor> {
    let src = if src.is_contiguous() {
        src.clone()
    } else {
        src.clone_contiguous()?
    };
    let out = Tensor::uninit(src.shape(), src.dtype())?;
    let nd = src.ndim();
    let (rows, cols) = (src.shape()[nd - 2], src.shape()[nd - 1]);
    let total_rows = src.numel().checked_div(cols).unwrap_or(0);
    let es = src.dtype().size();
    let row_bytes = cols * es;
    let from = SendPtr(src.data_ptr());
    let to = SendPtr(out.data_ptr());
    let chunks = total_rows.div_ceil(ROWS_PER_CHUNK);
    threads::for_each_chunk(chunks, |c| {
        let (from, to) = (&from, &to);
        for r in c * ROWS_PER_CHUNK..((c + 1) * ROWS_PER_CHUNK).min(total_rows) {
            let i = (r % rows) as i64;
            // Columns before `split` are kept by tril and zeroed by triu.
            let split = if lower { i + k + 1 } else { i + k };
            let split = split.clamp(0, cols as i64) as usize * es;
            // SAFETY: `src` and `out` are contiguous with `total_rows` rows of `row_bytes` bytes,
            // and `r < total_rows`, so both row ranges are inside their buffers; `out` is new,
            // each row is written by one chunk only, and `src` (kept alive above) is only read.
            unsafe {
                let s = from.0.add(r * row_bytes);
                let d = to.0.add(r * row_bytes);
                if lower {
                    std::ptr::copy_nonoverlapping(s, d, split);
                    std::ptr::write_bytes(d.add(split), 0, row_bytes - split);
                } else {
                    std::ptr::write_bytes(d, 0, split);
                    std::ptr::copy_nonoverlapping(s.add(split), d.add(split), row_bytes - split);
                }
            }
        }
    });
    Ok(out)
}
