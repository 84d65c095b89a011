//! Iteration over N operands that share one shape but have their own strides. Dims that are
//! contiguous for every operand are merged first, so most work reduces to a few long inner runs.

/// Shape and per-operand strides after merging dims; the innermost dim is last.
#[derive(Debug, Clone, PartialEq)]
pub struct Coalesced<const N: usize> {
    /// The merged shape (empty for a single element).
    pub shape: Vec<usize>,
    /// Each operand's strides over `shape`.
    pub strides: [Vec<isize>; N],
}

impl<const N: usize> Coalesced<N> {
    /// Drops size-1 dims and merges neighbours `i`, `i+1` wherever every operand has
    /// `stride[i] == stride[i+1] * shape[i+1]`.
    pub fn new(shape: &[usize], strides: [&[isize]; N]) -> Self {
        let mut out_shape: Vec<usize> = Vec::with_capacity(shape.len());
        let mut out_strides: [Vec<isize>; N] =
            std::array::from_fn(|_| Vec::with_capacity(shape.len()));
        for d in 0..shape.len() {
            if shape[d] == 1 {
                continue;
            }
            if let Some(&last) = out_shape.last() {
                let mergeable = (0..N).all(|k| {
                    *out_strides[k].last().unwrap_or(&0) == strides[k][d] * shape[d] as isize
                });
                if mergeable {
                    let n = out_shape.len() - 1;
                    out_shape[n] = last * shape[d];
                    for k in 0..N {
                        out_strides[k][n] = strides[k][d];
                    }
                    continue;
                }
            }
            out_shape.push(shape[d]);
            for k in 0..N {
                out_strides[k].push(strides[k][d]);
            }
        }
        Coalesced {
            shape: out_shape,
            strides: out_strides,
        }
    }

    /// Number of elements.
    pub fn numel(&self) -> usize {
        self.shape.iter().product()
    }

    /// True when everything is one run with unit stride for every operand.
    pub fn is_flat_contiguous(&self) -> bool {
        self.shape.len() <= 1 && (0..N).all(|k| self.strides[k].first().is_none_or(|&s| s == 1))
    }

    /// Calls `f(offsets, len, inner_strides)` for each innermost run covering linear indices
    /// `start..end`; offsets are in elements relative to each operand's first element.
    #[inline]
    pub fn for_each_run(
        &self,
        start: usize,
        end: usize,
        mut f: impl FnMut([isize; N], usize, [isize; N]),
    ) {
        if start >= end {
            return;
        }
        let nd = self.shape.len();
        if nd == 0 {
            f([0; N], 1, [0; N]);
            return;
        }
        let inner = self.shape[nd - 1];
        let inner_strides: [isize; N] = std::array::from_fn(|k| self.strides[k][nd - 1]);
        // Unravel `start` into a multi-index and per-operand offsets.
        let mut index = vec![0usize; nd];
        let mut rem = start;
        for d in (0..nd).rev() {
            index[d] = rem % self.shape[d];
            rem /= self.shape[d];
        }
        let mut offsets = [0isize; N];
        for (k, off) in offsets.iter_mut().enumerate() {
            *off = (0..nd)
                .map(|d| index[d] as isize * self.strides[k][d])
                .sum();
        }
        let mut pos = start;
        while pos < end {
            let len = (inner - index[nd - 1]).min(end - pos);
            f(offsets, len, inner_strides);
            pos += len;
            index[nd - 1] += len;
            for k in 0..N {
                offsets[k] += len as isize * inner_strides[k];
            }
            // Carry into outer dims.
            let mut d = nd - 1;
            while index[d] == self.shape[d] && d > 0 {
                for (offset, strides) in offsets.iter_mut().zip(&self.strides) {
                    *offset += strides[d - 1] - self.shape[d] as isize * strides[d];
                }
                index[d] = 0;
                index[d - 1] += 1;
                d -= 1;
            }
        }
    }
}

/// A raw pointer that may cross threads: kernels hand disjoint parts of one buffer to each chunk.
#[derive(Clone, Copy)]
pub(crate) struct SendPtr<T>(pub(crate) *mut T);
// SAFETY: sending or sharing the address itself is harmless; every access through it is an
// `unsafe` block in a kernel of this crate, whose SAFETY comment shows that chunks on different
// threads touch disjoint elements (or only read) and that the buffer outlives the parallel loop.
// The type is `pub(crate)`, so no code outside the crate can move one to another thread.
unsafe impl<T> Send for SendPtr<T> {}
// SAFETY: as for `Send`: `&SendPtr` only gives out the address, and accesses are justified where
// they happen.
unsafe impl<T> Sync for SendPtr<T> {}

impl<T> SendPtr<T> {
    /// The pointer moved by `offset` elements.
    ///
    /// # Safety
    /// The pointer and the result must lie in (or one past the end of) one live allocation, and
    /// `offset * size_of::<T>()` must not overflow `isize`: the rules of `pointer::offset`.
    #[inline(always)]
    pub(crate) unsafe fn at(self, offset: isize) -> *mut T {
        // SAFETY: the caller's contract is exactly `offset`'s.
        unsafe { self.0.offset(offset) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merges_contiguous_dims() {
        let c = Coalesced::new(&[2, 3, 4], [&[12, 4, 1], &[12, 4, 1]]);
        assert_eq!(c.shape, vec![24]);
        assert!(c.is_flat_contiguous());
        let t = Coalesced::new(&[4, 1, 3], [&[3, 3, 1], &[1, 5, 4]]);
        assert_eq!(t.shape, vec![4, 3]);
    }

    #[test]
    fn runs_cover_range_in_order() {
        let c = Coalesced::new(&[3, 4], [&[1, 3]]);
        let mut seen = vec![];
        c.for_each_run(2, 11, |[o], len, [s]| {
            for i in 0..len as isize {
                seen.push(o + i * s);
            }
        });
        // Transposed 3x4 view of a 4x3 buffer: element (i, j) lives at i + 3j.
        let want: Vec<isize> = (2..11).map(|p| (p / 4) + 3 * (p % 4)).collect();
        assert_eq!(seen, want);
    }
}
