//! The rearranging copy behind `flip`, `roll`, `repeat` and `tile`: every output dim reads its
//! source index through a [`Map`]. Dims are coalesced first (an unmoved dim merges into the dim
//! outside it), then the output is written row by row, in parallel blocks of rows: a row is one
//! or two block copies (`memcpy`) of a source row, copies of it made by doubling, or the row
//! reversed. Chunks depend only on the shape, so results never depend on the thread count.

use crate::error::Result;
use crate::strided::SendPtr;
use crate::tensor::Tensor;
use crate::threads;

/// Bytes of output per chunk of work.
const CHUNK_BYTES: usize = 128 * 1024;

/// How one output dim reads its source dim (of size `n`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Map {
    /// Output index `i` reads source index `i`.
    Same,
    /// Output index `i` reads `n - 1 - i`.
    Flip,
    /// Output index `i` reads `(i + n - shift) % n`, for `shift < n`.
    Roll(usize),
    /// The output dim holds this many copies of the source dim: `i` reads `i % n`.
    Tile(usize),
}

/// One coalesced dim: the source size and the map.
#[derive(Clone, Copy, Debug)]
struct Dim {
    n: usize,
    map: Map,
}

impl Dim {
    /// The output's size along this dim.
    fn out(&self) -> usize {
        match self.map {
            Map::Tile(r) => self.n * r,
            _ => self.n,
        }
    }

    /// The source index output index `i` reads.
    fn source(&self, i: usize) -> usize {
        match self.map {
            Map::Same => i,
            Map::Flip => self.n - 1 - i,
            Map::Roll(s) => (i + self.n - s) % self.n,
            Map::Tile(_) => i % self.n,
        }
    }
}

/// The output shape of `maps` applied to `shape`, or `None` when a size overflows.
pub fn output_shape(shape: &[usize], maps: &[Map]) -> Option<Vec<usize>> {
    shape
        .iter()
        .zip(maps)
        .map(|(&n, m)| match m {
            Map::Tile(r) => n.checked_mul(*r),
            _ => Some(n),
        })
        .collect()
}

/// Drops dims of output size 1 and merges each unmoved dim into the dim outside it (a roll by
/// `s` over a dim followed by `m` unmoved elements is a roll by `s * m` of the merged dim, a
/// tile the same; two flipped neighbours are one flipped dim).
fn coalesce(shape: &[usize], maps: &[Map]) -> Vec<Dim> {
    let mut dims: Vec<Dim> = Vec::with_capacity(shape.len());
    for (&n, &map) in shape.iter().zip(maps) {
        let d = Dim { n, map };
        if d.out() == 1 {
            continue;
        }
        if let Some(last) = dims.last_mut() {
            let merged = match (last.map, map) {
                (Map::Same, Map::Same) | (Map::Tile(_), Map::Same) | (Map::Flip, Map::Flip) => {
                    Some(last.map)
                }
                (Map::Roll(s), Map::Same) => Some(Map::Roll(s * n)),
                _ => None,
            };
            if let Some(m) = merged {
                *last = Dim {
                    n: last.n * n,
                    map: m,
                };
                continue;
            }
        }
        dims.push(d);
    }
    dims
}

/// Writes `n` elements of `es` bytes from `s` to `d` in reverse order.
///
/// # Safety
/// `s` must be valid for reads and `d` for writes of `n * es` bytes, not overlapping, and `es`
/// one of 1, 2, 4, 8.
unsafe fn reverse_copy(s: *const u8, d: *mut u8, n: usize, es: usize) {
    macro_rules! rev {
        ($t:ty) => {{
            // SAFETY: the caller's contract; the elements may be unaligned in bytes, so they are
            // read and written as the unsigned integer of their size without alignment.
            unsafe {
                let (s, d) = (s.cast::<$t>(), d.cast::<$t>());
                for i in 0..n {
                    d.add(i).write_unaligned(s.add(n - 1 - i).read_unaligned());
                }
            }
        }};
    }
    match es {
        1 => rev!(u8),
        2 => rev!(u16),
        4 => rev!(u32),
        _ => rev!(u64),
    }
}

/// Writes output elements `lo..hi` of one row, whose source row (of `inner.n` elements of `es`
/// bytes) starts at `s` and whose output row starts at `d`.
///
/// # Safety
/// `s` must be valid for reads of the source row and `d` for writes of output elements
/// `lo..hi < inner.out()`, the two not overlapping, no other thread touching those output
/// elements, and `es` one of 1, 2, 4, 8.
unsafe fn write_range(s: *const u8, d: *mut u8, inner: Dim, es: usize, lo: usize, hi: usize) {
    let n = inner.n;
    // SAFETY: every copy below stays inside the source row (indices below `n`) and inside output
    // elements `lo..hi`, as the caller guarantees valid.
    unsafe {
        let copy = |from: usize, to: usize, len: usize| {
            std::ptr::copy_nonoverlapping(s.add(from * es), d.add(to * es), len * es)
        };
        match inner.map {
            Map::Same => copy(lo, lo, hi - lo),
            Map::Roll(k) => {
                if lo < k {
                    copy(lo + n - k, lo, hi.min(k) - lo);
                }
                if hi > k {
                    let from = lo.max(k);
                    copy(from - k, from, hi - from);
                }
            }
            Map::Tile(_) => {
                // The first period (from the right phase), then copies of what is written so
                // far, doubling it: a multiple of the period keeps the phase.
                let phase = lo % n;
                let first = (n - phase).min(hi - lo);
                copy(phase, lo, first);
                let mut filled = first;
                if filled < hi - lo && first == n - phase {
                    let wrap = phase.min(hi - lo - filled);
                    copy(0, lo + filled, wrap);
                    filled += wrap;
                }
                let base = d.add(lo * es);
                while filled < hi - lo {
                    let len = filled.min(hi - lo - filled);
                    std::ptr::copy_nonoverlapping(base, base.add(filled * es), len * es);
                    filled += len;
                }
            }
            Map::Flip => reverse_copy(s.add((n - hi) * es), d.add(lo * es), hi - lo, es),
        }
    }
}

/// A new contiguous tensor whose element at output index `(i_0, ..)` is `src`'s element at
/// `(maps[0] applied to i_0, ..)`; `maps` has one entry per dim of `src`, and a `Roll` shift is
/// below its dim's size.
pub fn remap(src: &Tensor, maps: &[Map]) -> Result<Tensor> {
    let shape = output_shape(src.shape(), maps).ok_or_else(|| {
        crate::error::Error::Runtime("Storage size calculation overflowed".into())
    })?;
    let out = Tensor::uninit(&shape, src.dtype())?;
    if out.numel() == 0 {
        return Ok(out);
    }
    let src = if src.is_contiguous() {
        src.clone()
    } else {
        src.clone_contiguous()?
    };
    let dims = coalesce(src.shape(), maps);
    let es = src.dtype().size();
    let Some((inner, outer)) = dims.split_last() else {
        // A single element.
        // SAFETY: both tensors hold one element of `es` bytes.
        unsafe { std::ptr::copy_nonoverlapping(src.data_ptr(), out.data_ptr(), es) };
        return Ok(out);
    };
    // Source strides in bytes of the coalesced dims (the source is contiguous).
    let mut strides = vec![0usize; dims.len()];
    let mut acc = es;
    for (k, d) in dims.iter().enumerate().rev() {
        strides[k] = acc;
        acc *= d.n;
    }
    let inner = *inner;
    let row_len = inner.out();
    let rows: usize = outer.iter().map(Dim::out).product();
    // Short rows go several to a chunk; long rows are cut into pieces of `CHUNK_BYTES`.
    let per_piece = (CHUNK_BYTES / es).min(row_len);
    let pieces = row_len.div_ceil(per_piece);
    let rows_per_chunk = if pieces > 1 {
        1
    } else {
        (CHUNK_BYTES / (row_len * es)).max(1)
    };
    let chunks = rows.div_ceil(rows_per_chunk) * pieces;
    let (from, to) = (SendPtr(src.data_ptr()), SendPtr(out.data_ptr()));
    threads::for_each_chunk(chunks, |c| {
        let (from, to) = (&from, &to);
        let (block, piece) = (c / pieces, c % pieces);
        let (lo, hi) = (piece * per_piece, ((piece + 1) * per_piece).min(row_len));
        for r in block * rows_per_chunk..((block + 1) * rows_per_chunk).min(rows) {
            let (mut rest, mut offset) = (r, 0);
            for (k, d) in outer.iter().enumerate().rev() {
                let o = d.out();
                offset += d.source(rest % o) * strides[k];
                rest /= o;
            }
            // SAFETY: `offset` is the byte offset of a source row (each coalesced index is
            // below its source size) of `inner.n` elements inside the contiguous `src` kept
            // alive above; output row `r < rows` holds `row_len` elements inside the new `out`,
            // and elements `lo..hi` of it belong to this chunk only. Different buffers.
            unsafe {
                write_range(
                    from.0.add(offset),
                    to.0.add(r * row_len * es),
                    inner,
                    es,
                    lo,
                    hi,
                )
            };
        }
    });
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unmoved_dims_merge_outward() {
        let d = coalesce(&[2, 3, 4], &[Map::Roll(1), Map::Same, Map::Same]);
        assert_eq!(d.len(), 1);
        assert_eq!((d[0].n, d[0].map), (24, Map::Roll(12)));
        let d = coalesce(&[2, 3, 4], &[Map::Flip, Map::Flip, Map::Same]);
        assert_eq!(d.len(), 2);
        assert_eq!((d[0].n, d[0].map), (6, Map::Flip));
        let t = Tensor::from_vec(vec![1i64, 2, 3, 4, 5, 6], &[2, 3]).unwrap();
        let r = remap(&t, &[Map::Tile(2), Map::Roll(1)]).unwrap();
        assert_eq!(
            r.to_vec_i64().unwrap(),
            [3, 1, 2, 6, 4, 5, 3, 1, 2, 6, 4, 5]
        );
        let f = remap(&t, &[Map::Flip, Map::Tile(2)]).unwrap();
        assert_eq!(
            f.to_vec_i64().unwrap(),
            [4, 5, 6, 4, 5, 6, 1, 2, 3, 1, 2, 3]
        );
    }

    #[test]
    fn long_rows_are_cut_into_pieces() {
        // Rows longer than a chunk: each piece starts at its own phase of the period.
        let n = 3 * CHUNK_BYTES / 8 + 5;
        let data: Vec<i64> = (0..n as i64).collect();
        let t = Tensor::from_vec(data.clone(), &[n]).unwrap();
        let rolled = remap(&t, &[Map::Roll(n / 2 + 7)]).unwrap();
        let want: Vec<i64> = (0..n).map(|j| data[(j + n - (n / 2 + 7)) % n]).collect();
        assert_eq!(rolled.to_vec_i64().unwrap(), want);
        let flipped = remap(&t, &[Map::Flip]).unwrap();
        let want: Vec<i64> = data.iter().rev().copied().collect();
        assert_eq!(flipped.to_vec_i64().unwrap(), want);
        let short = Tensor::from_vec(vec![1i64, 2, 3], &[3]).unwrap();
        let tiled = remap(&short, &[Map::Tile(n)]).unwrap();
        let want: Vec<i64> = (0..3 * n).map(|j| j as i64 % 3 + 1).collect();
        assert_eq!(tiled.to_vec_i64().unwrap(), want);
    }
}
