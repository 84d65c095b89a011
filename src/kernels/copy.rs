//! Copy kernels: element copies with dtype conversion (a cache-blocked parallel path for transposed
//! sources), new tensors laid out like another, and the overlap and writability checks every
//! in-place write goes through. Nothing here records autograd (`ops/copy.rs` does).

use crate::dispatch;
use crate::dtype::{CastTo, DType, Element};
use crate::error::{Error, Result};
use crate::kernels::engine::{self, Operand};
use crate::layout::Layout;
use crate::shape::{Dims, Strides};
use crate::strided::{Coalesced, SendPtr};

/// Copies of at least this many elements whose innermost dims disagree take the cache-blocked
/// transpose loop.
const BLOCKED_COPY_MIN: usize = 1 << 15;
use crate::tensor::Tensor;
use crate::threads;

/// Tile edge of the blocked transpose copy: 128x128 float32 tiles (64 KiB) measured fastest here.
const TILE: usize = 128;

/// Strides that keep `layout`'s dim order when it is dense and non-overlapping (torch's
/// `preserve_format`), or else dense strides in the order of its strides (torch's
/// `infer_dense_strides`).
fn preserved_strides(layout: &Layout) -> Strides {
    let n = layout.ndim();
    let mut order: Vec<usize> = (0..n).collect();
    // Innermost (smallest stride) last; ties keep the original order.
    order.sort_by(|&a, &b| layout.strides[b].cmp(&layout.strides[a]).then(a.cmp(&b)));
    let mut strides: Strides = smallvec::smallvec![0isize; n];
    let mut expected = 1isize;
    for &d in order.iter().rev() {
        let size = layout.shape[d];
        if size != 1 && layout.strides[d] != expected {
            return dense_strides(layout);
        }
        strides[d] = expected;
        expected *= size.max(1) as isize;
    }
    strides
}

/// torch's `infer_dense_strides`: dense strides whose dim order follows `layout`'s strides, by a
/// stable insertion sort where a zero stride compares as neither smaller nor larger.
fn dense_strides(layout: &Layout) -> Strides {
    let n = layout.ndim();
    let (shape, st) = (&layout.shape, &layout.strides);
    // perm[0] is the innermost dim.
    let mut perm: Vec<usize> = (0..n).rev().collect();
    let should_swap = |d0: usize, d1: usize| -> i32 {
        let (s0, s1) = (st[d0], st[d1]);
        if s0 == 0 || s1 == 0 {
            0
        } else if s0 != s1 {
            if s0 < s1 {
                -1
            } else {
                1
            }
        } else {
            (shape[d0] > shape[d1]) as i32
        }
    };
    for i in 1..n {
        let mut d1 = i;
        for d0 in (0..i).rev() {
            match should_swap(perm[d0], perm[d1]) {
                c if c > 0 => {
                    perm.swap(d0, d1);
                    d1 = d0;
                }
                c if c < 0 => break,
                _ => {}
            }
        }
    }
    let mut strides: Strides = smallvec::smallvec![0isize; n];
    let mut cur = 1isize;
    for &d in &perm {
        strides[d] = cur;
        if shape[d] > 1 {
            cur *= shape[d] as isize;
        }
    }
    strides
}

/// torch's `is_non_overlapping_and_dense`: the elements fill a block of memory exactly, in some
/// dim order (dims of size 0 or 1 do not count).
fn non_overlapping_and_dense(layout: &Layout) -> bool {
    let mut dims: Vec<usize> = (0..layout.ndim())
        .filter(|&d| layout.shape[d] >= 2)
        .collect();
    dims.sort_by_key(|&d| layout.strides[d]);
    let mut expected = 1isize;
    for d in dims {
        if layout.strides[d] != expected {
            return false;
        }
        expected *= layout.shape[d] as isize;
    }
    true
}

/// The strides torch's `memory_format=` gives a new tensor shaped like `like`: `preserve_format`
/// (or none) keeps its dim order, `contiguous_format` is row-major, `channels_last` and
/// `channels_last_3d` put dim 1 innermost of a 4-D and a 5-D tensor.
pub fn format_strides(like: &Tensor, format: Option<&str>) -> Result<Strides> {
    let shape = like.shape();
    let channels_last = |rank: usize, name: &str| {
        if shape.len() != rank {
            return Err(Error::Runtime(format!(
                "required rank {} tensor to use {} format",
                rank, name
            )));
        }
        // Dim 1 innermost, then the last dims inwards to 2, then dim 0 (torch's raw products).
        let mut strides: Strides = smallvec::smallvec![0isize; rank];
        let mut cur = 1isize;
        for d in std::iter::once(1)
            .chain((2..rank).rev())
            .chain(std::iter::once(0))
        {
            strides[d] = cur;
            cur *= shape[d] as isize;
        }
        Ok(strides)
    };
    match format {
        // torch's `empty_like`: a dense input's strides exactly, else dense ones in its order.
        None | Some("preserve_format") if non_overlapping_and_dense(like.layout()) => {
            Ok(like.layout().strides.clone())
        }
        None | Some("preserve_format") => Ok(dense_strides(like.layout())),
        Some("contiguous_format") => Ok(crate::shape::contiguous_strides(shape)),
        Some("channels_last") => channels_last(4, "channels_last"),
        Some("channels_last_3d") => channels_last(5, "channels_last_3d"),
        Some(other) => Err(Error::Runtime(format!("unknown memory format {}", other))),
    }
}

/// A new uninitialised tensor with `src`'s shape in `dtype`, keeping `src`'s dim order when dense.
pub fn empty_like_preserving(src: &Tensor, dtype: DType) -> Result<Tensor> {
    let out = Tensor::uninit(src.shape(), dtype)?;
    if src.is_contiguous() {
        return Ok(out);
    }
    let strides = preserved_strides(src.layout());
    Ok(out.with_layout(Layout {
        shape: Dims::from_slice(src.shape()),
        strides,
        offset: 0,
    }))
}

/// Whether `t` is laid out in a memory format (torch's `is_contiguous(memory_format=...)`):
/// row-major for `contiguous_format` and `preserve_format`, dim 1 innermost for `channels_last`
/// (4-D) and `channels_last_3d` (5-D); strides of dims of size 1 do not count.
pub fn is_in_format(t: &Tensor, format: &str) -> bool {
    let rank = match format {
        "channels_last" => 4,
        "channels_last_3d" => 5,
        _ => return t.is_contiguous(),
    };
    let l = t.layout();
    if l.ndim() != rank {
        return false;
    }
    match format_strides(t, Some(format)) {
        Ok(want) => (0..rank).all(|d| l.shape[d] == 1 || l.strides[d] == want[d]),
        Err(_) => false,
    }
}

/// A new uninitialised tensor with `src`'s shape in `dtype`, laid out in torch's `memory_format=`.
pub fn empty_like_format(src: &Tensor, dtype: DType, format: Option<&str>) -> Result<Tensor> {
    Tensor::uninit(src.shape(), dtype)?.in_memory_format(src, format)
}

/// Side of the register block inside a tile: an 8x8 block is read as 8 contiguous source runs and
/// written as 8 contiguous destination runs.
const MICRO: usize = 8;

/// Transposes one 8x8 block where the source is contiguous along rows (`sr == 1`) and the
/// destination along columns (`dc == 1`).
///
/// # Safety
/// For `r, c < 8`, `dst.offset(r * dr + c)` must be valid for writes and `src.offset(c * sc + r)`
/// for reads of a `T`, and no other thread may access those destination elements meanwhile.
#[inline(always)]
unsafe fn transpose_micro<T: Element>(dst: *mut T, dr: isize, src: *const T, sc: isize) {
    #[cfg(target_arch = "x86_64")]
    if std::mem::size_of::<T>() == 4 && has_avx() {
        return transpose_8x8_avx(dst as *mut f32, dr, src as *const f32, sc);
    }
    let mut block = [[T::ZERO; MICRO]; MICRO];
    for (c, col) in block.iter_mut().enumerate() {
        let s = src.offset(c as isize * sc);
        for (r, v) in col.iter_mut().enumerate() {
            *v = *s.add(r);
        }
    }
    for r in 0..MICRO {
        let d = dst.offset(r as isize * dr);
        for (c, col) in block.iter().enumerate() {
            *d.add(c) = col[r];
        }
    }
}

/// Whether this CPU has AVX (checked once).
#[cfg(target_arch = "x86_64")]
fn has_avx() -> bool {
    static AVX: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *AVX.get_or_init(|| std::arch::is_x86_feature_detected!("avx"))
}

/// The 8x8 transpose of 4-byte elements in AVX registers (moves bits, so any 4-byte type works).
///
/// # Safety
/// The CPU must have AVX; for `r, c < 8`, `dst.offset(r * dr + c)` must be valid for writes and
/// `src.offset(c * sc + r)` for reads of an f32-sized element, as [`transpose_micro`].
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx")]
unsafe fn transpose_8x8_avx(dst: *mut f32, dr: isize, src: *const f32, sc: isize) {
    use std::arch::x86_64::*;
    let r: [__m256; 8] = std::array::from_fn(|c| _mm256_loadu_ps(src.offset(c as isize * sc)));
    let t0 = _mm256_unpacklo_ps(r[0], r[1]);
    let t1 = _mm256_unpackhi_ps(r[0], r[1]);
    let t2 = _mm256_unpacklo_ps(r[2], r[3]);
    let t3 = _mm256_unpackhi_ps(r[2], r[3]);
    let t4 = _mm256_unpacklo_ps(r[4], r[5]);
    let t5 = _mm256_unpackhi_ps(r[4], r[5]);
    let t6 = _mm256_unpacklo_ps(r[6], r[7]);
    let t7 = _mm256_unpackhi_ps(r[6], r[7]);
    let u0 = _mm256_shuffle_ps::<0x44>(t0, t2);
    let u1 = _mm256_shuffle_ps::<0xEE>(t0, t2);
    let u2 = _mm256_shuffle_ps::<0x44>(t1, t3);
    let u3 = _mm256_shuffle_ps::<0xEE>(t1, t3);
    let u4 = _mm256_shuffle_ps::<0x44>(t4, t6);
    let u5 = _mm256_shuffle_ps::<0xEE>(t4, t6);
    let u6 = _mm256_shuffle_ps::<0x44>(t5, t7);
    let u7 = _mm256_shuffle_ps::<0xEE>(t5, t7);
    let out = [
        _mm256_permute2f128_ps::<0x20>(u0, u4),
        _mm256_permute2f128_ps::<0x20>(u1, u5),
        _mm256_permute2f128_ps::<0x20>(u2, u6),
        _mm256_permute2f128_ps::<0x20>(u3, u7),
        _mm256_permute2f128_ps::<0x31>(u0, u4),
        _mm256_permute2f128_ps::<0x31>(u1, u5),
        _mm256_permute2f128_ps::<0x31>(u2, u6),
        _mm256_permute2f128_ps::<0x31>(u3, u7),
    ];
    for (i, o) in out.iter().enumerate() {
        _mm256_storeu_ps(dst.offset(i as isize * dr), *o);
    }
}

impl Tensor {
    /// A contiguous tensor of `like`'s shape re-laid in `like`'s dim order: for values whose
    /// order does not matter (uniform fills, random samples), so `*_like` keeps the layout as torch does.
    pub fn in_dim_order_of(&self, like: &Tensor) -> Tensor {
        if !self.is_contiguous() || self.shape() != like.shape() || like.is_contiguous() {
            return self.clone();
        }
        self.with_layout(Layout {
            shape: Dims::from_slice(like.shape()),
            strides: preserved_strides(like.layout()),
            offset: 0,
        })
    }

    /// A contiguous tensor of `like`'s shape re-laid in torch's `memory_format=` (see
    /// [`format_strides`]): for values whose order does not matter, as the `*_like` creators make.
    pub fn in_memory_format(&self, like: &Tensor, format: Option<&str>) -> Result<Tensor> {
        let strides = format_strides(like, format)?;
        if !self.is_contiguous() || self.shape() != like.shape() {
            return Ok(self.clone());
        }
        Ok(self.with_layout(Layout {
            shape: Dims::from_slice(like.shape()),
            strides,
            offset: 0,
        }))
    }
}

/// Blocked copy for when the destination is contiguous along the last dim but the source is not:
/// reads and writes both stay within a tile that fits in cache, and a pure transpose moves 8x8
/// register blocks.
///
/// Trusts its one caller, [`copy_raw`], for what makes it sound: `dst` and `src` point to the
/// first elements of live `T` tensors of one shape, `c` is that shape coalesced with their
/// strides, `dst` reaches each element once and does not overlap `src`.
fn copy_blocked<T: Element>(dst: SendPtr<T>, src: SendPtr<T>, c: &Coalesced<2>) {
    let nd = c.shape.len();
    let (rows, cols) = (c.shape[nd - 2], c.shape[nd - 1]);
    let outer_shape = &c.shape[..nd - 2];
    let outer: usize = outer_shape.iter().product();
    let (dr, dc) = (c.strides[0][nd - 2], c.strides[0][nd - 1]);
    let (sr, sc) = (c.strides[1][nd - 2], c.strides[1][nd - 1]);
    let micro = dc == 1 && sr == 1;
    let row_blocks = rows.div_ceil(TILE);
    threads::for_each_chunk(outer * row_blocks, |chunk| {
        let (dst, src) = (dst, src);
        let (o, rb) = (chunk / row_blocks, chunk % row_blocks);
        let (mut od, mut os) = (0isize, 0isize);
        let mut rem = o;
        for d in (0..outer_shape.len()).rev() {
            let i = (rem % outer_shape[d]) as isize;
            rem /= outer_shape[d];
            od += i * c.strides[0][d];
            os += i * c.strides[1][d];
        }
        let r0 = rb * TILE;
        let r1 = (r0 + TILE).min(rows);
        for c0 in (0..cols).step_by(TILE) {
            let c1 = (c0 + TILE).min(cols);
            let (mut rm, mut cm) = (r0, c0);
            if micro {
                rm = r0 + (r1 - r0) / MICRO * MICRO;
                cm = c0 + (c1 - c0) / MICRO * MICRO;
                for r in (r0..rm).step_by(MICRO) {
                    for col in (c0..cm).step_by(MICRO) {
                        // SAFETY: `micro` means `dc == 1` and `sr == 1`; `r + 8 <= rm <= rows`
                        // and `col + 8 <= cm <= cols`, so the 8x8 block's elements are indices
                        // of the shared shape, inside both tensors (their layouts lie inside
                        // their storages). This chunk alone writes rows `r0..r1` of batch `o`
                        // (`dst` reaches each element once) and `src` does not overlap `dst`.
                        unsafe {
                            transpose_micro(
                                dst.at(od + r as isize * dr + col as isize),
                                dr,
                                src.at(os + r as isize + col as isize * sc),
                                sc,
                            );
                        }
                    }
                }
            }
            for r in r0..r1 {
                let (dbase, sbase) = (od + r as isize * dr, os + r as isize * sr);
                let first = if r < rm { cm } else { c0 };
                for col in first..c1 {
                    // SAFETY: `r < rows` and `col < cols` of batch `o`: one index of the shared
                    // shape, whose offsets in `dst` and `src` lie inside them; this chunk alone
                    // writes it, and `src` does not overlap `dst`.
                    unsafe {
                        *dst.at(dbase + col as isize * dc) = *src.at(sbase + col as isize * sc);
                    }
                }
            }
        }
    });
}

/// Copies `src` into `dst` element by element, converting dtype; the caller has checked that
/// `dst` may be written. An error unless the shapes match, `dst` reaches each element once and
/// `src` either shares no memory with `dst` or is `dst` itself.
pub fn copy_raw(dst: &Tensor, src: &Tensor) -> Result<()> {
    if dst.shape() != src.shape() {
        return Err(Error::Runtime(format!(
            "internal error: a copy from shape {} into shape {}",
            crate::shape::fmt_shape(src.shape()),
            crate::shape::fmt_shape(dst.shape())
        )));
    }
    if dst.layout().has_internal_overlap()
        || matches!(overlap(dst, src), Overlap::Partial | Overlap::TooHard)
    {
        return Err(Error::Runtime(
            "internal error: a copy between overlapping memory".into(),
        ));
    }
    if dst.dtype() == src.dtype() {
        dispatch!(dst.dtype(), T => {
            let c = Coalesced::new(dst.shape(), [dst.strides(), src.strides()]);
            let nd = c.shape.len();
            if nd >= 2 && c.numel() >= BLOCKED_COPY_MIN && c.strides[0][nd - 1] == 1 && c.strides[1][nd - 1] != 1 {
                copy_blocked::<T>(SendPtr(dst.data_ptr_typed::<T>()), SendPtr(src.data_ptr_typed::<T>()), &c);
                Ok(())
            } else {
                engine::unary::<T, T>(Operand::of(dst)?, Operand::of(src)?, |x| x)
            }
        })
    } else {
        dispatch!(src.dtype(), S => dispatch!(dst.dtype(), D => {
            engine::unary::<S, D>(Operand::of(dst)?, Operand::of(src)?, CastTo::<D>::cast)
        }))
    }
}

/// How a source's memory relates to a destination's (torch's `MemOverlapStatus`).
#[derive(Debug, PartialEq, Eq)]
enum Overlap {
    None,
    Full,
    Partial,
    /// They share memory but are not both dense, so the exact relation is not worked out.
    TooHard,
}

fn overlap(dst: &Tensor, src: &Tensor) -> Overlap {
    if !dst.shares_storage(src) {
        return Overlap::None;
    }
    let (Some((a0, a1)), Some((b0, b1))) = (dst.layout().span(), src.layout().span()) else {
        return Overlap::None;
    };
    let (sa, sb) = (dst.dtype().size(), src.dtype().size());
    let (a_begin, a_end, b_begin, b_end) = (a0 * sa, (a1 + 1) * sa, b0 * sb, (b1 + 1) * sb);
    if a_end <= b_begin || b_end <= a_begin {
        return Overlap::None;
    }
    if !dst.layout().is_non_overlapping_and_dense() || !src.layout().is_non_overlapping_and_dense()
    {
        return Overlap::TooHard;
    }
    if a_begin == b_begin && a_end == b_end && dst.strides() == src.strides() {
        Overlap::Full
    } else {
        Overlap::Partial
    }
}

/// Whether two tensors may share an element (same storage and overlapping spans).
pub fn may_overlap(a: &Tensor, b: &Tensor) -> bool {
    overlap(a, b) != Overlap::None
}

/// Refuses writes into read-only memory (borrowed from a non-writable numpy array): torch
/// writes anyway, which faults when the pages really are read-only (a read-only memmap).
pub fn check_not_read_only(dst: &Tensor) -> Result<()> {
    if !dst.storage().is_writable() {
        return Err(Error::Runtime(
            "cannot write to a tensor whose memory is read-only (it shares a non-writable numpy array). Please clone() the tensor before performing the operation."
                .into(),
        ));
    }
    Ok(())
}

/// Refuses writes through layouts where several indices share one element (expanded tensors),
/// and into read-only memory.
pub fn check_writable(dst: &Tensor) -> Result<()> {
    check_not_read_only(dst)?;
    if dst.layout().has_internal_overlap() {
        return Err(Error::Runtime(
            "unsupported operation: more than one element of the written-to tensor refers to a single memory location. Please clone() the tensor before performing the operation."
                .into(),
        ));
    }
    Ok(())
}

/// Prepares a source operand for writing into `dst`: an operand that shares `dst`'s memory is
/// copied first when it fully aliases (`a += a`) or when the overlap is too hard to work out, and
/// refused like torch when two dense layouts partly overlap (`a[1:] += a[:-1]`, `b.add_(b.t())`).
pub fn detach_source(dst: &Tensor, src: &Tensor) -> Result<Tensor> {
    match overlap(dst, src) {
        Overlap::None => Ok(src.clone()),
        Overlap::Full | Overlap::TooHard => src.clone_contiguous(),
        Overlap::Partial => Err(Error::Runtime(
            "unsupported operation: some elements of the input tensor and the written-to tensor refer to a single memory location. Please clone() the tensor before performing the operation."
                .into(),
        )),
    }
}

impl Tensor {
    /// A new row-major copy.
    pub fn clone_contiguous(&self) -> Result<Tensor> {
        let out = Tensor::uninit(self.shape(), self.dtype())?;
        copy_raw(&out, self)?;
        Ok(out)
    }
}

/// Writes `src` (broadcast, converted) into `dst` without recording anything: the raw `copy_`.
pub fn copy_checked(dst: &Tensor, src: &Tensor) -> Result<()> {
    check_writable(dst)?;
    let shape = crate::shape::broadcast_shapes(dst.shape(), src.shape())?;
    if shape != dst.shape() {
        return Err(Error::OutputShape {
            output: dst.shape().to_vec(),
            broadcast: shape,
        });
    }
    let src = detach_source(dst, src)?;
    copy_raw(dst, &src.broadcast_to(dst.shape()))?;
    dst.bump_version();
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raw_copies_refuse_other_shapes_and_overlaps() {
        let big = 1 << 16;
        let dst = Tensor::zeros(&[256, 256], DType::Float32).unwrap();
        let src = Tensor::zeros(&[4, 4], DType::Float32).unwrap();
        // The transposed source would take the blocked loop, which walks `dst`'s shape.
        assert!(copy_raw(&dst, &src.t().unwrap()).is_err());
        assert!(copy_raw(&src, &dst).is_err());
        let v = Tensor::zeros(&[big + 1], DType::Float64).unwrap();
        assert!(copy_raw(&v.narrow(0, 0, big), &v.narrow(0, 1, big)).is_err());
        let one = Tensor::zeros(&[1], DType::Float64).unwrap();
        assert!(copy_raw(&one.broadcast_to(&[big]), &v.narrow(0, 0, big)).is_err());
        copy_raw(&v, &v).unwrap();
        copy_raw(&dst, &dst.t().unwrap().contiguous().unwrap()).unwrap();
    }

    #[test]
    fn overlapping_dense_writes_are_refused_and_disjoint_ones_allowed() {
        let b = Tensor::from_vec(vec![0.0f32, 1.0, 2.0, 3.0], &[2, 2]).unwrap();
        let e = b.copy_(&b.t().unwrap()).unwrap_err();
        assert!(e.to_string().contains("some elements of the input tensor"));
        assert_eq!(b.version(), 0);
        b.copy_(&b).unwrap();
        let a = Tensor::from_vec(vec![0.0f32; 6], &[6]).unwrap();
        a.narrow(0, 0, 3).copy_(&a.narrow(0, 3, 3)).unwrap();
    }
}
