//! Copies: `contiguous`, `clone`, dtype conversion and `copy_`, with a cache-blocked parallel path
//! for transposed sources, and the overlap checks every in-place write goes through.

use crate::dispatch;
use crate::dtype::{CastTo, DType, Element};
use crate::error::{Error, Result};
use crate::layout::Layout;
use crate::ops::kernels::{self, Operand, PAR_THRESHOLD};
use crate::strided::{Coalesced, SendPtr};
use crate::tensor::Tensor;
use crate::threads;

/// Tile edge of the blocked transpose copy: a 64x64 tile of float32 is 16 KiB, well inside L1+L2.
const TILE: usize = 64;

/// Strides that keep `layout`'s dim order when it is dense and non-overlapping (torch's
/// `preserve_format`), or row-major strides otherwise.
fn preserved_strides(layout: &Layout) -> Vec<isize> {
    let n = layout.ndim();
    let mut order: Vec<usize> = (0..n).collect();
    // Innermost (smallest stride) last; ties keep the original order.
    order.sort_by(|&a, &b| layout.strides[b].cmp(&layout.strides[a]).then(a.cmp(&b)));
    let mut strides = vec![0isize; n];
    let mut expected = 1isize;
    for &d in order.iter().rev() {
        let size = layout.shape[d];
        if size != 1 && layout.strides[d] != expected {
            return crate::shape::contiguous_strides(&layout.shape);
        }
        strides[d] = expected;
        expected *= size.max(1) as isize;
    }
    strides
}

/// A new uninitialised tensor with `src`'s shape in `dtype`, keeping `src`'s dim order when dense.
pub fn empty_like_preserving(src: &Tensor, dtype: DType) -> Result<Tensor> {
    let out = Tensor::uninit(src.shape(), dtype)?;
    if src.is_contiguous() {
        return Ok(out);
    }
    let strides = preserved_strides(src.layout());
    Ok(out.with_layout(Layout {
        shape: src.shape().to_vec(),
        strides,
        offset: 0,
    }))
}

/// Blocked copy for when the destination is contiguous along the last dim but the source is not:
/// reads and writes both stay within a tile that fits in cache.
fn copy_blocked<T: Element>(dst: SendPtr<T>, src: SendPtr<T>, c: &Coalesced<2>) {
    let nd = c.shape.len();
    let (rows, cols) = (c.shape[nd - 2], c.shape[nd - 1]);
    let outer_shape = &c.shape[..nd - 2];
    let outer: usize = outer_shape.iter().product();
    let (dr, dc) = (c.strides[0][nd - 2], c.strides[0][nd - 1]);
    let (sr, sc) = (c.strides[1][nd - 2], c.strides[1][nd - 1]);
    let row_blocks = rows.div_ceil(TILE);
    threads::for_each_chunk(outer * row_blocks, |chunk| {
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
            for r in r0..r1 {
                let (dbase, sbase) = (od + r as isize * dr, os + r as isize * sr);
                for col in c0..c1 {
                    // SAFETY: indices lie inside both layouts, chunks write disjoint rows.
                    unsafe {
                        *dst.at(dbase + col as isize * dc) = *src.at(sbase + col as isize * sc);
                    }
                }
            }
        }
    });
}

/// Copies `src` into `dst` element by element, converting dtype; shapes must match and the
/// caller has checked that `dst` may be written and does not overlap `src`.
fn copy_raw(dst: &Tensor, src: &Tensor) {
    if dst.dtype() == src.dtype() {
        dispatch!(dst.dtype(), T => {
            let c = Coalesced::new(dst.shape(), [dst.strides(), src.strides()]);
            let nd = c.shape.len();
            if nd >= 2 && c.numel() >= PAR_THRESHOLD / 4 && c.strides[0][nd - 1] == 1 && c.strides[1][nd - 1] != 1 {
                copy_blocked::<T>(SendPtr(dst.data_ptr_typed::<T>()), SendPtr(src.data_ptr_typed::<T>()), &c);
            } else {
                kernels::unary::<T, T>(Operand::of(dst), Operand::of(src), |x| x);
            }
        })
    } else {
        dispatch!(src.dtype(), S => dispatch!(dst.dtype(), D => {
            kernels::unary::<S, D>(Operand::of(dst), Operand::of(src), |x| CastTo::<D>::cast(x))
        }))
    }
}

/// How a source's memory relates to a destination's (torch's `MemOverlapStatus`).
#[derive(Debug, PartialEq, Eq)]
enum Overlap {
    None,
    Full,
    Partial,
}

fn overlap(dst: &Tensor, src: &Tensor) -> Overlap {
    if !dst.shares_storage(src) {
        return Overlap::None;
    }
    let (Some((a0, a1)), Some((b0, b1))) = (dst.layout().span(), src.layout().span()) else {
        return Overlap::None;
    };
    let (sa, sb) = (dst.dtype().size(), src.dtype().size());
    if (a1 + 1) * sa <= b0 * sb || (b1 + 1) * sb <= a0 * sa {
        return Overlap::None;
    }
    if dst.layout() == src.layout() && sa == sb {
        Overlap::Full
    } else {
        Overlap::Partial
    }
}

/// Refuses writes through layouts where several indices share one element (expanded tensors).
pub fn check_writable(dst: &Tensor) -> Result<()> {
    if dst.layout().has_internal_overlap() {
        return Err(Error::Runtime(
            "unsupported operation: more than one element of the written-to tensor refers to a single memory location. Please clone() the tensor before performing the operation."
                .into(),
        ));
    }
    Ok(())
}

/// Prepares a source operand for writing into `dst`: an operand that shares `dst`'s memory is
/// copied first when it fully aliases (`a += a`), and refused like torch when it partially does.
pub fn detach_source(dst: &Tensor, src: &Tensor) -> Result<Tensor> {
    match overlap(dst, src) {
        Overlap::None => Ok(src.clone()),
        Overlap::Full => src.clone_contiguous(),
        Overlap::Partial => {
            if dst.is_contiguous() && src.is_contiguous() {
                Err(Error::Runtime(
                    "unsupported operation: some elements of the input tensor and the written-to tensor refer to a single memory location. Please clone() the tensor before performing the operation."
                        .into(),
                ))
            } else {
                src.clone_contiguous()
            }
        }
    }
}

impl Tensor {
    /// This tensor if row-major contiguous, else a contiguous copy.
    pub fn contiguous(&self) -> Result<Tensor> {
        if self.is_contiguous() {
            return Ok(self.clone());
        }
        self.clone_contiguous()
    }

    /// A new row-major copy.
    pub fn clone_contiguous(&self) -> Result<Tensor> {
        let out = Tensor::uninit(self.shape(), self.dtype())?;
        copy_raw(&out, self);
        Ok(out)
    }

    /// `clone()`: new storage, same values, the same dim order when dense (torch's preserve_format).
    pub fn clone_tensor(&self) -> Result<Tensor> {
        let out = empty_like_preserving(self, self.dtype())?;
        copy_raw(&out, self);
        Ok(out)
    }

    /// Converts to `dtype`, returning this tensor itself when the dtype already matches.
    pub fn to_dtype(&self, dtype: DType) -> Result<Tensor> {
        if dtype == self.dtype() {
            return Ok(self.clone());
        }
        let out = empty_like_preserving(self, dtype)?;
        copy_raw(&out, self);
        Ok(out)
    }

    /// `copy_(src)`: writes `src` (broadcast, converted) into this tensor in place.
    pub fn copy_(&self, src: &Tensor) -> Result<()> {
        check_writable(self)?;
        let shape = crate::shape::broadcast_shapes(self.shape(), src.shape())?;
        if shape != self.shape() {
            return Err(Error::Runtime(format!(
                "output with shape {} doesn't match the broadcast shape {}",
                crate::shape::fmt_shape(self.shape()),
                crate::shape::fmt_shape(&shape)
            )));
        }
        let src = detach_source(self, src)?;
        copy_raw(self, &src.broadcast_to(self.shape()));
        self.bump_version();
        Ok(())
    }
}
