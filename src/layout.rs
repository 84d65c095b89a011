//! Layout = shape + strides (in elements) + offset into a storage. Every view op is a pure function
//! from one layout to another; none of them touches memory.

use crate::error::{Error, Result};
use crate::shape::{checked_numel, contiguous_strides, fmt_shape, normalize_dim, Dims, Strides};
use smallvec::SmallVec;

/// How a tensor's elements sit in its storage.
#[derive(Debug, PartialEq, Eq)]
pub struct Layout {
    /// Size of each dim.
    pub shape: Dims,
    /// Step in elements between neighbours along each dim (0 for broadcast dims).
    pub strides: Strides,
    /// Index of the first element in the storage.
    pub offset: usize,
}

/// A copy of up to four dims as one move of the whole inline buffer (SmallVec's own clone extends
/// one element at a time); more dims clone the heap buffer.
fn copy_dims<T: Copy>(from: &SmallVec<[T; 4]>) -> SmallVec<[T; 4]> {
    if from.spilled() {
        return from.clone();
    }
    // SAFETY: not spilled, so `as_ptr` points at the inline buffer, which has room for exactly
    // four `T`; reading it as `MaybeUninit` copies its bytes, set or not, without claiming they
    // are initialized. The first `len` slots are initialized `T: Copy` values, which is what
    // `from_buf_and_len_unchecked` requires of the new vector.
    unsafe {
        let buf = std::ptr::read(from.as_ptr().cast::<std::mem::MaybeUninit<[T; 4]>>());
        SmallVec::from_buf_and_len_unchecked(buf, from.len())
    }
}

impl Clone for Layout {
    fn clone(&self) -> Layout {
        Layout {
            shape: copy_dims(&self.shape),
            strides: copy_dims(&self.strides),
            offset: self.offset,
        }
    }
}

impl Layout {
    /// A row-major layout starting at element 0.
    pub fn contiguous(shape: &[usize]) -> Layout {
        Layout {
            shape: Dims::from_slice(shape),
            strides: contiguous_strides(shape),
            offset: 0,
        }
    }

    /// Number of dims.
    pub fn ndim(&self) -> usize {
        self.shape.len()
    }

    /// Number of elements.
    pub fn numel(&self) -> usize {
        self.shape.iter().product()
    }

    /// Row-major contiguous, as torch's `is_contiguous()` (size-1 dims may have any stride).
    pub fn is_contiguous(&self) -> bool {
        let mut expected = 1isize;
        for i in (0..self.ndim()).rev() {
            let d = self.shape[i];
            if d == 0 {
                return true;
            }
            if d != 1 {
                if self.strides[i] != expected {
                    return false;
                }
                expected *= d as isize;
            }
        }
        true
    }

    /// True when two distinct indices may reach the same element (a stride-0 dim of size > 1):
    /// writing through such a layout is refused, as torch does.
    pub fn has_internal_overlap(&self) -> bool {
        self.shape
            .iter()
            .zip(&self.strides)
            .any(|(&d, &s)| d > 1 && s == 0)
    }

    /// True when the elements fill a gap-free block with no element reached twice, in some dim
    /// order (torch's `is_non_overlapping_and_dense`).
    pub fn is_non_overlapping_and_dense(&self) -> bool {
        let mut dims: Vec<(usize, isize)> = self
            .shape
            .iter()
            .zip(&self.strides)
            .filter(|(&d, _)| d >= 2)
            .map(|(&d, &s)| (d, s))
            .collect();
        dims.sort_by_key(|&(_, s)| s);
        let mut expected = 1isize;
        for (d, s) in dims {
            if s != expected {
                return false;
            }
            expected = expected.saturating_mul(d as isize);
        }
        true
    }

    /// The same layout with every broadcast (stride-0) dim shrunk to size 1: each element it
    /// reaches, once. Writing one value through it is what writing it through `self` means.
    pub fn distinct_elements(&self) -> Layout {
        let shape = self
            .shape
            .iter()
            .zip(&self.strides)
            .map(|(&d, &s)| if s == 0 { d.min(1) } else { d })
            .collect();
        Layout {
            shape,
            strides: self.strides.clone(),
            offset: self.offset,
        }
    }

    /// The storage span `[min, max]` (in elements) the layout touches, or `None` when empty.
    pub fn span(&self) -> Option<(usize, usize)> {
        if self.numel() == 0 {
            return None;
        }
        let mut lo = self.offset as isize;
        let mut hi = self.offset as isize;
        for (&d, &s) in self.shape.iter().zip(&self.strides) {
            let ext = (d as isize - 1) * s;
            if ext < 0 {
                lo += ext;
            } else {
                hi += ext;
            }
        }
        Some((lo as usize, hi as usize))
    }

    /// Swaps two dims.
    pub fn transpose(&self, d0: i64, d1: i64) -> Result<Layout> {
        let n = self.ndim();
        let (a, b) = (normalize_dim(d0, n)?, normalize_dim(d1, n)?);
        let mut out = self.clone();
        if n > 0 {
            out.shape.swap(a, b);
            out.strides.swap(a, b);
        }
        Ok(out)
    }

    /// Reorders dims; `dims` must be a permutation.
    pub fn permute(&self, dims: &[i64]) -> Result<Layout> {
        let n = self.ndim();
        if dims.len() != n {
            return Err(Error::Runtime(format!(
                "permute(sparse_coo): number of dimensions in the tensor input does not match the length of the desired ordering of dimensions i.e. input.dim() = {} is not equal to len(dims) = {}",
                n,
                dims.len()
            )));
        }
        let mut seen = vec![false; n];
        let mut out = Layout {
            shape: Dims::with_capacity(n),
            strides: Strides::with_capacity(n),
            offset: self.offset,
        };
        for &d in dims {
            let d = normalize_dim(d, n)?;
            if seen[d] {
                return Err(Error::Runtime(
                    "permute(): duplicate dims are not allowed.".into(),
                ));
            }
            seen[d] = true;
            out.shape.push(self.shape[d]);
            out.strides.push(self.strides[d]);
        }
        Ok(out)
    }

    /// Selects index `index` (already in range) along `dim`, removing the dim.
    pub fn select(&self, dim: usize, index: usize) -> Layout {
        let mut out = self.clone();
        out.offset = (self.offset as isize + index as isize * self.strides[dim]) as usize;
        out.shape.remove(dim);
        out.strides.remove(dim);
        out
    }

    /// The diagonal of dims `keep` and `merge` (of equal size; `keep` < `merge`): the diagonal
    /// stays at `keep`, `merge` is removed.
    pub fn diagonal(&self, keep: usize, merge: usize) -> Layout {
        let mut out = self.clone();
        out.strides[keep] += self.strides[merge];
        out.shape[keep] = self.shape[keep].min(self.shape[merge]);
        out.shape.remove(merge);
        out.strides.remove(merge);
        out
    }

    /// torch's `diagonal(offset, d1, d2)` (`d1 != d2`, both in range): dims `d1` and `d2` are
    /// removed and the diagonal, `offset` above the main one (below when negative), is appended
    /// as the last dim.
    pub fn diagonal_at(&self, offset: i64, d1: usize, d2: usize) -> Layout {
        let (n1, n2) = (self.shape[d1], self.shape[d2]);
        let skip = offset.unsigned_abs() as usize;
        let len = if offset >= 0 {
            n2.saturating_sub(skip).min(n1)
        } else {
            n1.saturating_sub(skip).min(n2)
        };
        let mut out = self.clone();
        if len > 0 {
            let along = if offset >= 0 { d2 } else { d1 };
            out.offset = (self.offset as isize + skip as isize * self.strides[along]) as usize;
        }
        let stride = self.strides[d1] + self.strides[d2];
        for d in [d1.max(d2), d1.min(d2)] {
            out.shape.remove(d);
            out.strides.remove(d);
        }
        out.shape.push(len);
        out.strides.push(stride);
        out
    }

    /// Keeps `len` elements along `dim` starting at `start`, taking every `step`-th.
    pub fn slice(&self, dim: usize, start: usize, len: usize, step: usize) -> Layout {
        let mut out = self.clone();
        if len > 0 {
            out.offset = (self.offset as isize + start as isize * self.strides[dim]) as usize;
        }
        out.shape[dim] = len;
        // A step past the size leaves one element, whose stride is never followed: saturate
        // rather than overflow for `t[::2**62]`.
        out.strides[dim] = self.strides[dim].saturating_mul(step as isize);
        out
    }

    /// Inserts a size-1 dim at `dim` (already in `0..=ndim`).
    pub fn unsqueeze(&self, dim: usize) -> Layout {
        let mut out = self.clone();
        let stride = if dim < self.ndim() {
            self.strides[dim] * self.shape[dim] as isize
        } else {
            1
        };
        out.shape.insert(dim, 1);
        out.strides.insert(dim, stride);
        out
    }

    /// Removes the given dims where they have size 1 (all size-1 dims when `dims` is `None`).
    pub fn squeeze(&self, dims: Option<&[usize]>) -> Layout {
        let mut out = Layout {
            shape: Dims::new(),
            strides: Strides::new(),
            offset: self.offset,
        };
        for i in 0..self.ndim() {
            let selected = dims.is_none_or(|ds| ds.contains(&i));
            if !(selected && self.shape[i] == 1) {
                out.shape.push(self.shape[i]);
                out.strides.push(self.strides[i]);
            }
        }
        out
    }

    /// Broadcasts to `shape` (torch's `expand`): new leading dims and size-1 dims get stride 0;
    /// `-1` keeps a dim's size.
    pub fn expand(&self, sizes: &[i64]) -> Result<Layout> {
        let n = sizes.len();
        if n < self.ndim() {
            return Err(Error::Runtime(format!(
                "expand({}{{{}}}, size=[{}]): the number of sizes provided ({}) must be greater or equal to the number of dimensions in the tensor ({})",
                "torch.FloatTensor",
                fmt_shape(&self.shape),
                sizes.iter().map(|s| s.to_string()).collect::<Vec<_>>().join(", "),
                n,
                self.ndim()
            )));
        }
        let lead = n - self.ndim();
        let mut out = Layout {
            shape: smallvec::smallvec![0; n],
            strides: smallvec::smallvec![0; n],
            offset: self.offset,
        };
        for i in 0..n {
            let want = sizes[i];
            if i < lead {
                if want < 0 {
                    return Err(Error::Runtime(format!(
                        "The expanded size of the tensor ({}) isn't allowed in a leading, non-existing dimension {}",
                        want, i
                    )));
                }
                out.shape[i] = want as usize;
                out.strides[i] = 0;
                continue;
            }
            let have = self.shape[i - lead];
            let stride = self.strides[i - lead];
            if want == -1 || want as usize == have && want >= 0 {
                out.shape[i] = have;
                out.strides[i] = stride;
            } else if have == 1 && want >= 0 {
                out.shape[i] = want as usize;
                out.strides[i] = 0;
            } else {
                return Err(Error::Runtime(format!(
                    "The expanded size of the tensor ({}) must match the existing size ({}) at non-singleton dimension {}.  Target sizes: [{}].  Tensor sizes: {}",
                    want,
                    have,
                    i,
                    sizes.iter().map(|s| s.to_string()).collect::<Vec<_>>().join(", "),
                    fmt_shape(&self.shape)
                )));
            }
        }
        checked_numel(&out.shape)?;
        Ok(out)
    }

    /// Broadcasts to an already-validated target shape.
    pub fn broadcast_to(&self, shape: &[usize]) -> Layout {
        let lead = shape.len() - self.ndim();
        let mut strides: Strides = smallvec::smallvec![0isize; shape.len()];
        for i in lead..shape.len() {
            let j = i - lead;
            strides[i] = if self.shape[j] == 1 && shape[i] != 1 {
                0
            } else {
                self.strides[j]
            };
        }
        Layout {
            shape: Dims::from_slice(shape),
            strides,
            offset: self.offset,
        }
    }

    /// Strides for viewing this layout with `new_shape` without copying (torch's `computeStride`),
    /// or `None` when a dim would span two non-contiguous chunks.
    pub fn view_strides(&self, new_shape: &[usize]) -> Option<Strides> {
        let old_shape = &self.shape;
        let old_strides = &self.strides;
        if old_shape.is_empty() {
            return Some(contiguous_strides(new_shape));
        }
        let numel: usize = old_shape.iter().product();
        if numel == 0 {
            if old_shape.as_slice() == new_shape {
                return Some(old_strides.clone());
            }
            return Some(contiguous_strides(new_shape));
        }
        let mut new_strides: Strides = smallvec::smallvec![0isize; new_shape.len()];
        let mut view_d = new_shape.len() as isize - 1;
        let mut chunk_base_stride = *old_strides.last()?;
        let mut tensor_numel = 1usize;
        let mut view_numel = 1usize;
        for tensor_d in (0..old_shape.len()).rev() {
            tensor_numel *= old_shape[tensor_d];
            let chunk_end = tensor_d == 0
                || (old_shape[tensor_d - 1] != 1
                    && old_strides[tensor_d - 1] != tensor_numel as isize * chunk_base_stride);
            if chunk_end {
                while view_d >= 0 && (view_numel < tensor_numel || new_shape[view_d as usize] == 1)
                {
                    new_strides[view_d as usize] = view_numel as isize * chunk_base_stride;
                    view_numel *= new_shape[view_d as usize];
                    view_d -= 1;
                }
                if view_numel != tensor_numel {
                    return None;
                }
                if tensor_d > 0 {
                    chunk_base_stride = old_strides[tensor_d - 1];
                    tensor_numel = 1;
                    view_numel = 1;
                }
            }
        }
        if view_d != -1 {
            return None;
        }
        Some(new_strides)
    }
}

/// Resolves a requested shape with at most one `-1` against an element count, with torch's messages.
pub fn infer_shape(sizes: &[i64], numel: usize) -> Result<Dims> {
    let mut infer = None;
    let mut known = 1usize;
    for (i, &s) in sizes.iter().enumerate() {
        if s == -1 {
            if infer.is_some() {
                return Err(Error::Runtime("only one dimension can be inferred".into()));
            }
            infer = Some(i);
        } else if s < 0 {
            return Err(Error::Runtime(format!("invalid shape dimension {}", s)));
        } else {
            known = known.saturating_mul(s as usize);
        }
    }
    let invalid = || Error::SizeMismatch {
        shape: sizes.to_vec(),
        numel,
    };
    let mut shape: Dims = sizes.iter().map(|&s| s.max(0) as usize).collect();
    match infer {
        Some(i) => {
            if known == 0 && numel == 0 {
                return Err(Error::Runtime(format!(
                    "cannot reshape tensor of 0 elements into shape [{}] because the unspecified dimension size -1 can be any value and is ambiguous",
                    sizes.iter().map(|s| s.to_string()).collect::<Vec<_>>().join(", ")
                )));
            }
            if known == 0 || !numel.is_multiple_of(known) {
                return Err(invalid());
            }
            shape[i] = numel / known;
        }
        None => {
            if known != numel {
                return Err(invalid());
            }
        }
    }
    // A shape with a 0 holds 0 elements, but its other sizes must still multiply within int64.
    checked_numel(&shape)?;
    Ok(shape)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn views() {
        let l = Layout::contiguous(&[2, 3, 4]);
        assert!(l.is_contiguous());
        let t = l.transpose(0, 2).unwrap();
        assert_eq!(t.shape.to_vec(), vec![4, 3, 2]);
        assert_eq!(t.strides.to_vec(), vec![1, 4, 12]);
        assert!(!t.is_contiguous());
        assert_eq!(
            l.view_strides(&[6, 4]).map(|v| v.to_vec()),
            Some(vec![4, 1])
        );
        assert_eq!(t.view_strides(&[24]), None);
        let s = l.slice(2, 1, 2, 2);
        assert_eq!((s.offset, s.strides[2]), (1, 2));
        let e = Layout::contiguous(&[3, 1]).expand(&[2, 3, 4]).unwrap();
        assert_eq!(e.strides.to_vec(), vec![0, 1, 0]);
        assert!(e.has_internal_overlap());
        assert!(l.permute(&[0, 0, 1]).is_err());
    }

    #[test]
    fn density_and_distinct_elements() {
        let l = Layout::contiguous(&[2, 3]);
        assert!(l.is_non_overlapping_and_dense());
        assert!(l.transpose(0, 1).unwrap().is_non_overlapping_and_dense());
        assert!(!l.slice(1, 0, 2, 2).is_non_overlapping_and_dense());
        let e = Layout::contiguous(&[3]).expand(&[2, 3]).unwrap();
        assert!(!e.is_non_overlapping_and_dense());
        assert_eq!(e.distinct_elements().shape.to_vec(), vec![1, 3]);
    }

    #[test]
    fn infer() {
        assert_eq!(infer_shape(&[-1, 4], 20).unwrap().to_vec(), vec![5, 4]);
        assert!(infer_shape(&[3, 5], 20)
            .unwrap_err()
            .to_string()
            .contains("shape '[3, 5]' is invalid for input of size 20"));
        assert!(infer_shape(&[-1, -1], 20).is_err());
        assert!(infer_shape(&[-1, 0], 0)
            .unwrap_err()
            .to_string()
            .contains("cannot reshape tensor of 0 elements"));
        assert_eq!(infer_shape(&[3, -1], 0).unwrap().to_vec(), vec![3, 0]);
        // Sizes that multiply past int64 are an error even when a 0 makes the count 0.
        let e = infer_shape(&[1 << 40, 1 << 40, 0], 0).unwrap_err();
        assert_eq!(e.to_string(), "numel: integer multiplication overflow");
        assert_eq!(
            infer_shape(&[0, 1 << 62, 4], 0).unwrap().to_vec(),
            vec![0, 1 << 62, 4]
        );
        let e = Layout::contiguous(&[1, 1])
            .expand(&[1 << 40, 1 << 40])
            .unwrap_err();
        assert_eq!(e.to_string(), "numel: integer multiplication overflow");
    }
}
