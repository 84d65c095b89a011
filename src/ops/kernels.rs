//! The elementwise engine: runs a per-element function over 1 to 4 strided operands of one shape,
//! with a contiguous fast path and fixed-size parallel chunks. Loops use raw pointers, not slices:
//! an in-place op's output is also one of its inputs, which slices could not express soundly.

use crate::dtype::Element;
use crate::layout::Layout;
use crate::strided::{Coalesced, SendPtr};
use crate::tensor::Tensor;
use crate::threads;

/// Elements per parallel chunk: large enough to amortise scheduling, small enough to balance.
pub const CHUNK: usize = 1 << 14;
/// Below this many elements everything runs on the calling thread in one go.
pub const PAR_THRESHOLD: usize = 1 << 15;

/// Splits `shape` (with each operand's strides) into runs and calls `body` on each, in parallel
/// chunks for big shapes. `body(offsets, len, inner_strides)` gets element offsets per operand.
pub fn for_each_run<const N: usize>(
    shape: &[usize],
    strides: [&[isize]; N],
    body: impl Fn([isize; N], usize, [isize; N]) + Sync + Send,
) {
    let n: usize = shape.iter().product();
    if n == 0 {
        return;
    }
    if n < PAR_THRESHOLD && strides.iter().all(|s| is_row_major(shape, s)) {
        // Small and contiguous: one run, no bookkeeping (this is the 2x2 `a + a` path).
        body([0; N], n, [1; N]);
        return;
    }
    let c = Coalesced::new(shape, strides);
    if n < PAR_THRESHOLD {
        c.for_each_run(0, n, &body);
        return;
    }
    threads::for_each_chunk(n.div_ceil(CHUNK), |i| {
        let start = i * CHUNK;
        c.for_each_run(start, (start + CHUNK).min(n), &body)
    });
}

/// True when `strides` are the row-major strides of `shape` (size-1 dims may have any stride).
fn is_row_major(shape: &[usize], strides: &[isize]) -> bool {
    let mut expected = 1isize;
    for (&d, &s) in shape.iter().zip(strides).rev() {
        if d != 1 {
            if s != expected {
                return false;
            }
            expected *= d as isize;
        }
    }
    true
}

/// A typed pointer to a tensor's first element plus its layout.
pub struct Operand<'a, T> {
    ptr: SendPtr<T>,
    layout: &'a Layout,
}

impl<'a, T: Element> Operand<'a, T> {
    /// Views `t` (whose dtype must be `T`) as an operand.
    pub fn of(t: &'a Tensor) -> Self {
        debug_assert_eq!(t.dtype(), T::DTYPE);
        Operand {
            ptr: SendPtr(t.data_ptr_typed::<T>()),
            layout: t.layout(),
        }
    }
}

/// `dst[i] = f()` for every element of `dst`.
pub fn fill_with<D: Element>(dst: Operand<D>, f: impl Fn() -> D + Sync + Send) {
    let d = dst.ptr;
    for_each_run(
        &dst.layout.shape,
        [&dst.layout.strides],
        |[od], len, [sd]| unsafe {
            if sd == 1 {
                let out = std::slice::from_raw_parts_mut(d.at(od), len);
                out.iter_mut().for_each(|o| *o = f());
            } else {
                for i in 0..len as isize {
                    *d.at(od + i * sd) = f();
                }
            }
        },
    );
}

/// `dst[i] = f(src[i])`; both layouts have the same shape.
pub fn unary<S: Element, D: Element>(
    dst: Operand<D>,
    src: Operand<S>,
    f: impl Fn(S) -> D + Sync + Send,
) {
    let (d, s) = (dst.ptr, src.ptr);
    for_each_run(
        &dst.layout.shape,
        [&dst.layout.strides, &src.layout.strides],
        |[od, os], len, [sd, ss]| unsafe {
            if sd == 1 && ss == 1 {
                let (out, inp) = (d.at(od), s.at(os));
                for i in 0..len {
                    *out.add(i) = f(*inp.add(i));
                }
            } else if sd == 1 && ss == 0 {
                let (out, v) = (d.at(od), f(*s.at(os)));
                for i in 0..len {
                    *out.add(i) = v;
                }
            } else {
                for i in 0..len as isize {
                    *d.at(od + i * sd) = f(*s.at(os + i * ss));
                }
            }
        },
    );
}

/// `dst[i] = f(a[i], b[i])`; all layouts have the same shape (broadcast beforehand).
pub fn binary<A: Element, B: Element, D: Element>(
    dst: Operand<D>,
    a: Operand<A>,
    b: Operand<B>,
    f: impl Fn(A, B) -> D + Sync + Send,
) {
    let (d, pa, pb) = (dst.ptr, a.ptr, b.ptr);
    for_each_run(
        &dst.layout.shape,
        [&dst.layout.strides, &a.layout.strides, &b.layout.strides],
        |[od, oa, ob], len, [sd, sa, sb]| unsafe {
            if sd == 1 && sa == 1 && sb == 1 {
                let (out, xa, xb) = (d.at(od), pa.at(oa), pb.at(ob));
                for i in 0..len {
                    *out.add(i) = f(*xa.add(i), *xb.add(i));
                }
            } else if sd == 1 && sa == 1 && sb == 0 {
                let (out, xa, y) = (d.at(od), pa.at(oa), *pb.at(ob));
                for i in 0..len {
                    *out.add(i) = f(*xa.add(i), y);
                }
            } else if sd == 1 && sa == 0 && sb == 1 {
                let (out, x, xb) = (d.at(od), *pa.at(oa), pb.at(ob));
                for i in 0..len {
                    *out.add(i) = f(x, *xb.add(i));
                }
            } else {
                for i in 0..len as isize {
                    *d.at(od + i * sd) = f(*pa.at(oa + i * sa), *pb.at(ob + i * sb));
                }
            }
        },
    );
}

/// `dst[i] = f(a[i], b[i], c[i])`; all layouts have the same shape.
pub fn ternary<A: Element, B: Element, C: Element, D: Element>(
    dst: Operand<D>,
    a: Operand<A>,
    b: Operand<B>,
    c: Operand<C>,
    f: impl Fn(A, B, C) -> D + Sync + Send,
) {
    let (d, pa, pb, pc) = (dst.ptr, a.ptr, b.ptr, c.ptr);
    for_each_run(
        &dst.layout.shape,
        [
            &dst.layout.strides,
            &a.layout.strides,
            &b.layout.strides,
            &c.layout.strides,
        ],
        |[od, oa, ob, oc], len, [sd, sa, sb, sc]| unsafe {
            for i in 0..len as isize {
                *d.at(od + i * sd) = f(
                    *pa.at(oa + i * sa),
                    *pb.at(ob + i * sb),
                    *pc.at(oc + i * sc),
                );
            }
        },
    );
}
