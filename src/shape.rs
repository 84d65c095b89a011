//! Shape arithmetic: dim normalisation, broadcasting, element counts, contiguous strides.

use crate::error::{Error, Result};
use smallvec::SmallVec;

/// The sizes of a tensor's dims: inline up to four dims, so most tensors allocate nothing for
/// their shape.
pub type Dims = SmallVec<[usize; 4]>;

/// The strides of a tensor's dims (in elements), inline up to four dims.
pub type Strides = SmallVec<[isize; 4]>;

pub use crate::error::fmt_shape;

/// Wraps a possibly negative dim into `0..ndim`; a 0-dim tensor accepts dims -1 and 0, as torch.
pub fn normalize_dim(dim: i64, ndim: usize) -> Result<usize> {
    let n = ndim.max(1) as i64;
    if dim < -n || dim >= n {
        return Err(Error::DimOutOfRange {
            dim,
            min: -n,
            max: n - 1,
        });
    }
    Ok(if dim < 0 {
        (dim + n) as usize
    } else {
        dim as usize
    })
}

/// Wraps a dim that must name an existing dim (`size(d)`, `stride(d)`): a 0-dim tensor has none.
pub fn existing_dim(dim: i64, ndim: usize) -> Result<usize> {
    if ndim == 0 {
        return Err(Error::Index(format!(
            "Dimension specified as {} but tensor has no dimensions",
            dim
        )));
    }
    normalize_dim(dim, ndim)
}

/// Wraps a dim for an op that inserts one (unsqueeze): range is `0..=ndim`.
pub fn normalize_insert_dim(dim: i64, ndim: usize) -> Result<usize> {
    normalize_dim(dim, ndim + 1)
}

/// The reduced dims of a reduction mask as a dims list (empty means every dim, as `dim_mask`
/// reads it).
pub fn mask_dims(mask: &[bool]) -> Vec<i64> {
    (0..mask.len())
        .filter(|&d| mask[d])
        .map(|d| d as i64)
        .collect()
}

/// The number of elements, failing as torch does when the product leaves int64 (even when a later
/// dim is 0: torch multiplies in order).
pub fn checked_numel(shape: &[usize]) -> Result<usize> {
    shape
        .iter()
        .try_fold(1i64, |acc, &d| {
            i64::try_from(d).ok().and_then(|d| acc.checked_mul(d))
        })
        .map(|n| n as usize)
        .ok_or_else(|| Error::Runtime("numel: integer multiplication overflow".into()))
}

/// The bytes a new contiguous tensor of `shape` needs; torch's error when that leaves int64.
pub fn storage_nbytes(shape: &[usize], itemsize: usize) -> Result<usize> {
    checked_numel(shape)
        .ok()
        .and_then(|n| (n as i64).checked_mul(itemsize as i64))
        .map(|n| n as usize)
        .ok_or_else(|| {
            Error::Runtime(format!(
                "Storage size calculation overflowed with sizes={}",
                fmt_shape(shape)
            ))
        })
}

/// Row-major strides (in elements) for a shape.
pub fn contiguous_strides(shape: &[usize]) -> Strides {
    let mut strides: Strides = smallvec::smallvec![0isize; shape.len()];
    let mut acc = 1isize;
    for i in (0..shape.len()).rev() {
        strides[i] = acc;
        acc = acc.wrapping_mul(shape[i].max(1) as isize);
    }
    strides
}

/// Broadcasts two shapes with torch's rules and message.
pub fn broadcast_shapes(a: &[usize], b: &[usize]) -> Result<Vec<usize>> {
    let n = a.len().max(b.len());
    let mut out = vec![0usize; n];
    // From the last dim backwards, so the first mismatch reported is torch's.
    for i in (0..n).rev() {
        let da = if i + a.len() >= n {
            a[i + a.len() - n]
        } else {
            1
        };
        let db = if i + b.len() >= n {
            b[i + b.len() - n]
        } else {
            1
        };
        out[i] = if da == db || db == 1 {
            da
        } else if da == 1 {
            db
        } else {
            return Err(Error::ShapeMismatch {
                a: da,
                b: db,
                dim: i,
            });
        };
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn broadcasting() {
        assert_eq!(
            broadcast_shapes(&[5, 1, 4], &[3, 1]).unwrap(),
            vec![5, 3, 4]
        );
        assert_eq!(broadcast_shapes(&[], &[2]).unwrap(), vec![2]);
        assert_eq!(broadcast_shapes(&[0], &[1]).unwrap(), vec![0]);
        let e = broadcast_shapes(&[2, 3], &[2, 4]).unwrap_err();
        assert!(e.to_string().contains("non-singleton dimension 1"));
        // The first mismatch from the right is the one torch reports.
        let e = broadcast_shapes(&[2, 3], &[3, 2]).unwrap_err();
        assert!(e.to_string().contains(
            "tensor a (3) must match the size of tensor b (2) at non-singleton dimension 1"
        ));
    }

    #[test]
    fn dims() {
        assert_eq!(normalize_dim(-1, 3).unwrap(), 2);
        assert_eq!(normalize_dim(0, 0).unwrap(), 0);
        assert!(matches!(
            normalize_dim(3, 3),
            Err(Error::DimOutOfRange { .. })
        ));
        assert_eq!(contiguous_strides(&[2, 3, 4]).to_vec(), vec![12, 4, 1]);
        assert!(checked_numel(&[usize::MAX, 2]).is_err());
        assert!(checked_numel(&[1 << 40, 1 << 40, 0]).is_err());
        assert_eq!(checked_numel(&[1 << 40, 0, 1 << 40]).unwrap(), 0);
        assert_eq!(storage_nbytes(&[1 << 61], 2).unwrap(), 1 << 62);
        let e = storage_nbytes(&[1 << 31, 1 << 31], 4).unwrap_err();
        assert_eq!(
            e.to_string(),
            "Storage size calculation overflowed with sizes=[2147483648, 2147483648]"
        );
        assert!(matches!(existing_dim(0, 0), Err(Error::Index(_))));
    }
}
