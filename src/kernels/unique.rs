//! `unique` and `unique_consecutive` of a flat sequence and of slices along a dim, as torch's
//! CPU kernels (`aten/src/ATen/native/Unique.cpp`): values in ascending order (NaN last, every
//! NaN its own value, `-0.0 == 0.0`), the inverse (the position of every input element's value
//! in the result) and the counts.
//!
//! Integers whose range is small against the input are counted instead of sorted: one pass for
//! the range, one for the counts (fixed chunks with their own tables, added in chunk order), and
//! one for the inverse through a rank table. Otherwise the values (with their positions when the
//! inverse is wanted) are sorted. Either way the result does not depend on the thread count.

use std::cmp::Ordering;

use crate::dtype::DType;
use crate::kernels::sort::{stl, Key};
use crate::strided::SendPtr;
use crate::threads;

/// Elements per chunk of the counting passes.
const CHUNK: usize = 1 << 20;
/// The widest value range counted rather than sorted (a table per chunk of at most this size).
const MAX_RANGE: usize = 1 << 18;

/// The result of a unique pass: the distinct values, and when asked for, the inverse (one per
/// input element) and the counts (one per value).
pub struct Unique<T> {
    /// The distinct values, ascending.
    pub values: Vec<T>,
    /// The index in `values` of every input element (empty when not asked for).
    pub inverse: Vec<i64>,
    /// How often each value occurs (empty when not asked for).
    pub counts: Vec<i64>,
}

/// torch's ascending order: NaN after every number.
#[inline(always)]
fn asc<T: Key>(a: T, b: T) -> Ordering {
    match (a.nan(), b.nan()) {
        (false, false) => a.partial_cmp(&b).unwrap_or(Ordering::Equal),
        (true, false) => Ordering::Greater,
        (false, true) => Ordering::Less,
        (true, true) => Ordering::Equal,
    }
}

/// The distinct values of `x` in ascending order (torch's `_unique2`).
pub fn unique<T: Key>(x: &[T], inverse: bool, counts: bool) -> Unique<T> {
    if x.is_empty() {
        return Unique {
            values: vec![],
            inverse: vec![],
            counts: vec![],
        };
    }
    if matches!(T::DTYPE, DType::Bool | DType::Int32 | DType::Int64) {
        if let Some(u) = by_counting(x, inverse, counts) {
            return u;
        }
    }
    if !inverse {
        let mut v = x.to_vec();
        v.sort_unstable_by(|a, b| asc(*a, *b));
        return consecutive(&v, false, counts);
    }
    let mut order: Vec<(T, u64)> = x.iter().enumerate().map(|(i, &v)| (v, i as u64)).collect();
    order.sort_by(|a, b| asc(a.0, b.0));
    let sorted: Vec<T> = order.iter().map(|p| p.0).collect();
    let mut u = consecutive(&sorted, true, counts);
    let mut inv = vec![0i64; x.len()];
    for (k, &(_, i)) in order.iter().enumerate() {
        inv[i as usize] = u.inverse[k];
    }
    u.inverse = inv;
    u
}

/// `unique` of integers by counting, when the range of the values is at most [`MAX_RANGE`].
fn by_counting<T: Key>(x: &[T], inverse: bool, counts: bool) -> Option<Unique<T>> {
    let n = x.len();
    let chunks = n.div_ceil(CHUNK);
    let ranges = threads::map_chunks(chunks, |c| {
        let part = &x[c * CHUNK..((c + 1) * CHUNK).min(n)];
        let lo = part.iter().map(|v| v.to_i64()).min().unwrap_or(0);
        let hi = part.iter().map(|v| v.to_i64()).max().unwrap_or(0);
        (lo, hi)
    });
    let lo = ranges.iter().map(|r| r.0).min()?;
    let hi = ranges.iter().map(|r| r.1).max()?;
    let width = usize::try_from(hi.checked_sub(lo)?).ok()?.checked_add(1)?;
    if width > MAX_RANGE || width > n.max(64) * 4 {
        return None;
    }
    let tables = threads::map_chunks(chunks, |c| {
        let mut t = vec![0u32; width];
        for v in &x[c * CHUNK..((c + 1) * CHUNK).min(n)] {
            t[(v.to_i64() - lo) as usize] += 1;
        }
        t
    });
    let mut total = vec![0i64; width];
    for t in tables {
        for (a, b) in total.iter_mut().zip(t) {
            *a += b as i64;
        }
    }
    // The rank of every value present; values in ascending order.
    let mut rank = vec![0i64; width];
    let mut values = Vec::new();
    let mut cnt = Vec::new();
    for (off, &c) in total.iter().enumerate() {
        if c > 0 {
            rank[off] = values.len() as i64;
            values.push(T::from_i64(lo + off as i64));
            if counts {
                cnt.push(c);
            }
        }
    }
    let mut inv = Vec::new();
    if inverse {
        inv = vec![0i64; n];
        let out = SendPtr(inv.as_mut_ptr());
        threads::for_each_chunk(chunks, |c| {
            let out = &out;
            for i in c * CHUNK..((c + 1) * CHUNK).min(n) {
                // SAFETY: `inv` holds `n` elements and `i < n`; chunk `c` alone writes the
                // elements of its own range, and `inv` outlives this loop.
                unsafe { *out.0.add(i) = rank[(x[i].to_i64() - lo) as usize] };
            }
        });
    }
    Some(Unique {
        values,
        inverse: inv,
        counts: cnt,
    })
}

/// The runs of equal neighbours of `x` (`unique_consecutive`; NaN never equals anything): one
/// value per run, and the run of every element and the run lengths when asked for.
pub fn consecutive<T: Key>(x: &[T], inverse: bool, counts: bool) -> Unique<T> {
    let mut values = Vec::new();
    let mut inv = Vec::with_capacity(if inverse { x.len() } else { 0 });
    let mut cnt = Vec::new();
    for (i, &v) in x.iter().enumerate() {
        #[allow(clippy::float_cmp)]
        let same = i > 0 && v == x[i - 1];
        if !same {
            values.push(v);
            if counts {
                cnt.push(0);
            }
        }
        if counts {
            if let Some(c) = cnt.last_mut() {
                *c += 1;
            }
        }
        if inverse {
            inv.push(values.len() as i64 - 1);
        }
    }
    Unique {
        values,
        inverse: inv,
        counts: cnt,
    }
}

/// `unique(dim=...)` (or `unique_consecutive(dim=...)` when `consecutive`) of the `rows` rows
/// of `m` elements of `x` (row-major): the rows of the result as indices into `x`'s rows in
/// order, the inverse (one per row) and the counts. Rows are sorted as torch sorts them
/// (libstdc++'s `std::sort` over the indices, comparing rows element by element with `<` and
/// `>`), and a row starts a new group when it differs (`!=`, so NaN differs) from the group's
/// first row.
pub fn unique_rows<T: Key>(x: &[T], rows: usize, m: usize, consecutive: bool) -> Unique<usize> {
    let row = |r: usize| &x[r * m..(r + 1) * m];
    let mut idx: Vec<usize> = (0..rows).collect();
    if !consecutive {
        stl::sort(&mut idx, &|&a: &usize, &b: &usize| {
            for (l, r) in row(a).iter().zip(row(b)) {
                if l < r {
                    return true;
                }
                if l > r {
                    return false;
                }
            }
            false
        });
    }
    let mut values: Vec<usize> = Vec::new();
    let mut inverse = vec![0i64; rows];
    let mut counts: Vec<i64> = Vec::new();
    for &r in &idx {
        #[allow(clippy::float_cmp)]
        let same = values
            .last()
            .is_some_and(|&f| row(f).iter().zip(row(r)).all(|(a, b)| a == b));
        if !same {
            values.push(r);
            counts.push(0);
        }
        if let Some(c) = counts.last_mut() {
            *c += 1;
        }
        inverse[r] = values.len() as i64 - 1;
    }
    Unique {
        values,
        inverse,
        counts,
    }
}
