//! The elementwise engine: runs a per-element function over 1 to 4 strided operands of one shape,
//! with a contiguous fast path and fixed-size parallel chunks. Loops use raw pointers, not slices:
//! an in-place op's output is also one of its inputs, which slices could not express soundly.
//! Contiguous runs go through copies of one loop compiled for AVX-512 and AVX2+FMA (chosen at run
//! time), so element functions written without branches (`kernels::math`) are vectorised.
//!
//! Every entry point checks what makes it sound: each operand's dtype is its element type
//! ([`Operand::of`]) and all operands have one shape; a mismatch is an error, never a wild read.
//!
//! Soundness of the loops (what the `SAFETY` comments below refer to as "the walk"): an
//! [`Operand`] borrows its tensor for `'a`, so the storage stays alive, and points at its first
//! element, with `T` its dtype (checked in [`Operand::of`]). A tensor's layout lies inside its
//! storage, so the offset of every index of its shape is a valid element. [`check_operands`]
//! makes every input's shape the destination's; [`for_each_run`] walks that one shape and hands
//! `body` runs `(offsets, len, strides)` whose `offset + i * stride` for `i < len` are exactly the
//! offsets of indices of the shape in each operand's layout. Chunks walk disjoint index ranges;
//! the destination reaches each element from one index only (no broadcast dims), and an input
//! either shares no memory with it or is it (same address and strides, so an element is read and
//! then written by the same chunk). So no element is written by two threads, or written by one
//! while another reads it.

use crate::dtype::Element;
use crate::error::{Error, Result};
use crate::layout::Layout;
use crate::shape::fmt_shape;
use crate::strided::{Coalesced, SendPtr};
use crate::tensor::Tensor;
use crate::threads;

/// Elements per parallel chunk: large enough to amortise scheduling, small enough to balance.
pub const CHUNK: usize = 1 << 14;
/// Below this many elements everything runs on the calling thread in one go.
pub const PAR_THRESHOLD: usize = 1 << 15;

/// What [`for_each_run`] calls on each run: `(offsets, len, inner_strides)`.
pub type RunBody<'a, const N: usize> = dyn Fn([isize; N], usize, [isize; N]) + Sync + 'a;

/// Splits `shape` (with each operand's strides) into runs and calls `body` on each, in parallel
/// chunks for big shapes. `body(offsets, len, inner_strides)` gets element offsets per operand.
///
/// `body` is a trait object so that the walk and the chunking are compiled once per operand
/// count, not once per kernel and dtype (which tripled every kernel's loops in the binary); one
/// indirect call per run costs nothing next to the run.
pub fn for_each_run<const N: usize>(shape: &[usize], strides: [&[isize]; N], body: &RunBody<N>) {
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
        c.for_each_run(0, n, body);
        return;
    }
    threads::for_each_chunk(n.div_ceil(CHUNK), |i| {
        let start = i * CHUNK;
        c.for_each_run(start, (start + CHUNK).min(n), body)
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
    /// Views `t` as an operand of element type `T`; an error unless `t`'s dtype is `T`'s.
    pub fn of(t: &'a Tensor) -> Result<Self> {
        check_dtype::<T>(t)?;
        Ok(Operand {
            ptr: SendPtr(t.data_ptr_typed::<T>()),
            layout: t.layout(),
        })
    }
}

/// An error unless `t`'s dtype is `T`'s: what lets a kernel read `t`'s elements as `T`.
pub(crate) fn check_dtype<T: Element>(t: &Tensor) -> Result<()> {
    if t.dtype() != T::DTYPE {
        return Err(Error::Runtime(format!(
            "internal error: a {} kernel was given a {} tensor",
            T::DTYPE.name(),
            t.dtype().name()
        )));
    }
    Ok(())
}

/// Where an operand's elements lie in memory, for [`check_operands`].
struct Extent<'a> {
    /// The byte range `[lo, hi)` the elements occupy (`lo == hi` when there are none).
    bytes: (usize, usize),
    /// The first element's address.
    addr: usize,
    /// The element size in bytes.
    size: usize,
    layout: &'a Layout,
}

impl<'a, T> Operand<'a, T> {
    fn extent(&self) -> Extent<'a> {
        let size = std::mem::size_of::<T>();
        let addr = self.ptr.0 as usize;
        let bytes = match self.layout.span() {
            // `ptr` is element `layout.offset`; the span is counted from the storage's start.
            Some((lo, hi)) => {
                let start = addr.wrapping_sub(self.layout.offset * size);
                (start + lo * size, start + (hi + 1) * size)
            }
            None => (addr, addr),
        };
        Extent {
            bytes,
            addr,
            size,
            layout: self.layout,
        }
    }
}

/// Checks what the loops' soundness rests on besides each operand's dtype: every input has the
/// destination's shape (offsets are walked with `dst`'s shape); no two indices of `dst` reach one
/// element (parallel chunks would race on it); and an input sharing memory with `dst` is `dst`
/// itself (same address, element size and strides, so each element is read and then written by
/// the same chunk), since a partial overlap would let one chunk write what another reads.
fn check_operands(dst: Extent, inputs: &[Extent]) -> Result<()> {
    if dst.layout.has_internal_overlap() {
        return Err(Error::Runtime(format!(
            "internal error: an elementwise kernel writes through a broadcast layout (shape {})",
            fmt_shape(&dst.layout.shape)
        )));
    }
    for x in inputs {
        if x.layout.shape != dst.layout.shape {
            return Err(Error::Runtime(format!(
                "internal error: an elementwise kernel got shapes {} and {}",
                fmt_shape(&dst.layout.shape),
                fmt_shape(&x.layout.shape)
            )));
        }
        let disjoint = x.bytes.1 <= dst.bytes.0 || dst.bytes.1 <= x.bytes.0;
        let same =
            x.addr == dst.addr && x.size == dst.size && x.layout.strides == dst.layout.strides;
        if !disjoint && !same {
            return Err(Error::Runtime(
                "internal error: an elementwise kernel's input partly overlaps its output".into(),
            ));
        }
    }
    Ok(())
}

/// The widest vector extension this CPU has, detected once.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Simd {
    /// AVX-512 (F, DQ, VL, BW) with FMA.
    Avx512,
    /// AVX2 with FMA.
    Avx2,
    /// Neither.
    Baseline,
}

/// The widest vector extension of this CPU (detected on the first call).
pub(crate) fn simd() -> Simd {
    #[cfg(target_arch = "x86_64")]
    {
        use std::sync::OnceLock;
        static LEVEL: OnceLock<Simd> = OnceLock::new();
        *LEVEL.get_or_init(|| {
            if std::arch::is_x86_feature_detected!("avx512f")
                && std::arch::is_x86_feature_detected!("avx512dq")
                && std::arch::is_x86_feature_detected!("avx512vl")
                && std::arch::is_x86_feature_detected!("avx512bw")
                && std::arch::is_x86_feature_detected!("fma")
            {
                Simd::Avx512
            } else if std::arch::is_x86_feature_detected!("avx2")
                && std::arch::is_x86_feature_detected!("fma")
            {
                Simd::Avx2
            } else {
                Simd::Baseline
            }
        })
    }
    #[cfg(not(target_arch = "x86_64"))]
    Simd::Baseline
}

/// Defines a contiguous-run loop and its AVX-512 / AVX2 copies, dispatched by [`simd`].
macro_rules! multiversion {
    ($(#[$doc:meta])* fn $name:ident<$($g:ident),*>($($arg:ident: $ty:ty),*) where F: $bound:path $body:block) => {
        $(#[$doc])*
        ///
        /// # Safety
        /// Every pointer must be valid for `n` consecutive elements of its type (reads for
        /// inputs, writes for the output), and no other thread may write those elements, nor
        /// read the output's, meanwhile. The output may be an input's memory (in place).
        #[inline(always)]
        unsafe fn $name<$($g: Element,)* F: $bound>($($arg: $ty),*) {
            /// The loop itself.
            ///
            /// # Safety
            /// As the enclosing function's.
            #[inline(always)]
            unsafe fn generic<$($g: Element,)* F: $bound>($($arg: $ty),*) $body

            /// The loop compiled for AVX-512.
            ///
            /// # Safety
            /// As the enclosing function's, and the CPU must have the features enabled here.
            #[cfg(target_arch = "x86_64")]
            #[target_feature(enable = "avx512f,avx512dq,avx512vl,avx512bw,avx2,fma")]
            unsafe fn avx512<$($g: Element,)* F: $bound>($($arg: $ty),*) {
                // SAFETY: the pointer contract is this function's own, passed on unchanged;
                // `generic` has no feature requirement.
                unsafe { generic($($arg),*) }
            }

            /// The loop compiled for AVX2 and FMA.
            ///
            /// # Safety
            /// As the enclosing function's, and the CPU must have AVX2 and FMA.
            #[cfg(target_arch = "x86_64")]
            #[target_feature(enable = "avx2,fma")]
            unsafe fn avx2<$($g: Element,)* F: $bound>($($arg: $ty),*) {
                // SAFETY: the pointer contract is this function's own, passed on unchanged;
                // `generic` has no feature requirement.
                unsafe { generic($($arg),*) }
            }

            match simd() {
                // SAFETY: `simd()` returns `Avx512` only after detecting AVX-512 F/DQ/VL/BW and
                // FMA on this CPU (AVX-512F implies AVX2); the pointers satisfy our caller's
                // contract, which is `avx512`'s.
                #[cfg(target_arch = "x86_64")]
                Simd::Avx512 => unsafe { avx512($($arg),*) },
                // SAFETY: `simd()` returns `Avx2` only after detecting AVX2 and FMA; the pointers
                // satisfy our caller's contract, which is `avx2`'s.
                #[cfg(target_arch = "x86_64")]
                Simd::Avx2 => unsafe { avx2($($arg),*) },
                // SAFETY: the pointers satisfy our caller's contract, which is `generic`'s.
                _ => unsafe { generic($($arg),*) },
            }
        }
    };
}

multiversion! {
    /// `out[i] = f(a[i])` over one contiguous run.
    fn run1<S, D>(out: *mut D, a: *const S, n: usize, f: &F) where F: Fn(S) -> D {
        for i in 0..n {
            // SAFETY: `i < n`, and every pointer is valid for `n` elements (the contract).
            unsafe { *out.add(i) = f(*a.add(i)) };
        }
    }
}

multiversion! {
    /// `p[i] = f(p[i])` over one contiguous run (in place: one pointer, so it vectorises).
    fn run1_in_place<T>(p: *mut T, n: usize, f: &F) where F: Fn(T) -> T {
        for i in 0..n {
            // SAFETY: `i < n`, and every pointer is valid for `n` elements (the contract).
            unsafe { *p.add(i) = f(*p.add(i)) };
        }
    }
}

multiversion! {
    /// `out[i] = f(a[i], b[i])` over one contiguous run.
    fn run2<A, B, D>(out: *mut D, a: *const A, b: *const B, n: usize, f: &F) where F: Fn(A, B) -> D {
        for i in 0..n {
            // SAFETY: `i < n`, and every pointer is valid for `n` elements (the contract).
            unsafe { *out.add(i) = f(*a.add(i), *b.add(i)) };
        }
    }
}

multiversion! {
    /// `out[i] = f(a[i], y)` over one contiguous run.
    fn run2_scalar<A, B, D>(out: *mut D, a: *const A, y: B, n: usize, f: &F) where F: Fn(A, B) -> D {
        for i in 0..n {
            // SAFETY: `i < n`, and every pointer is valid for `n` elements (the contract).
            unsafe { *out.add(i) = f(*a.add(i), y) };
        }
    }
}

multiversion! {
    /// `out[i] = f(x, b[i])` over one contiguous run.
    fn run2_scalar_first<A, B, D>(out: *mut D, x: A, b: *const B, n: usize, f: &F) where F: Fn(A, B) -> D {
        for i in 0..n {
            // SAFETY: `i < n`, and every pointer is valid for `n` elements (the contract).
            unsafe { *out.add(i) = f(x, *b.add(i)) };
        }
    }
}

multiversion! {
    /// `out[i] = f(a[i], b[i], c[i])` over one contiguous run.
    fn run3<A, B, C, D>(out: *mut D, a: *const A, b: *const B, c: *const C, n: usize, f: &F) where F: Fn(A, B, C) -> D {
        for i in 0..n {
            // SAFETY: i < n (the caller's contract).
            unsafe { *out.add(i) = f(*a.add(i), *b.add(i), *c.add(i)) };
        }
    }
}

/// `dst[i] = f()` for every element of `dst`.
pub fn fill_with<D: Element>(dst: Operand<D>, f: impl Fn() -> D + Sync + Send) -> Result<()> {
    check_operands(dst.extent(), &[])?;
    let d = dst.ptr;
    for_each_run(
        &dst.layout.shape,
        [&dst.layout.strides],
        &|[od], len, [sd]| {
            for i in 0..len as isize {
                // SAFETY: the walk: `od + i * sd` (`i < len`) is the offset of an index of
                // `dst`'s shape, a `D` element of `dst`'s live storage that only this chunk writes.
                unsafe { *d.at(od + i * sd) = f() };
            }
        },
    );
    Ok(())
}

/// `dst[i] = f(src[i])`; both layouts have the same shape. `dst` may be `src`'s memory with the
/// same layout (each element is read before it is written), though [`unary_in_place`] is faster.
pub fn unary<S: Element, D: Element>(
    dst: Operand<D>,
    src: Operand<S>,
    f: impl Fn(S) -> D + Sync + Send,
) -> Result<()> {
    check_operands(dst.extent(), &[src.extent()])?;
    let (d, s) = (dst.ptr, src.ptr);
    for_each_run(
        &dst.layout.shape,
        [&dst.layout.strides, &src.layout.strides],
        &|[od, os], len, [sd, ss]| {
            if sd == 1 && ss == 1 {
                // SAFETY: the walk: with unit strides the run is `len` consecutive elements from
                // `od` in `dst` (`D`) and from `os` in `src` (`S`), written only by this chunk and
                // read by no other chunk; `src` may be `dst` itself, which `run1` allows.
                unsafe { run1(d.at(od), s.at(os) as *const S, len, &f) };
            } else if sd == 1 && ss == 0 {
                // SAFETY: the walk: `os` is the offset of an index of `src`'s shape (stride 0:
                // every element of the run reads it), an `S` element of `src`'s live storage.
                let v = f(unsafe { *s.at(os) });
                for i in 0..len {
                    // SAFETY: the walk: with `sd == 1`, `od + i` (`i < len`) is a `D` element of
                    // `dst` that only this chunk writes.
                    unsafe { *d.at(od).add(i) = v };
                }
            } else {
                for i in 0..len as isize {
                    // SAFETY: the walk: `od + i * sd` and `os + i * ss` are the offsets of one
                    // index in `dst` and `src`; the element written is this chunk's alone, and
                    // read before it is written when `src` is `dst`.
                    unsafe { *d.at(od + i * sd) = f(*s.at(os + i * ss)) };
                }
            }
        },
    );
    Ok(())
}

/// `dst[i] = f(dst[i])` in place.
pub fn unary_in_place<T: Element>(dst: Operand<T>, f: impl Fn(T) -> T + Sync + Send) -> Result<()> {
    check_operands(dst.extent(), &[])?;
    let d = dst.ptr;
    for_each_run(
        &dst.layout.shape,
        [&dst.layout.strides],
        &|[od], len, [sd]| {
            if sd == 1 {
                // SAFETY: the walk: with a unit stride the run is `len` consecutive `T` elements
                // of `dst` from `od`, read and written by this chunk only.
                unsafe { run1_in_place(d.at(od), len, &f) };
            } else {
                for i in 0..len as isize {
                    // SAFETY: the walk: `od + i * sd` is a `T` element of `dst` that only this
                    // chunk reads and writes.
                    unsafe {
                        let p = d.at(od + i * sd);
                        *p = f(*p);
                    }
                }
            }
        },
    );
    Ok(())
}

/// `dst[i] = f(a[i], b[i])`; all layouts have the same shape (broadcast beforehand). `dst` may be
/// the same memory as `a` with the same layout (in place).
pub fn binary<A: Element, B: Element, D: Element>(
    dst: Operand<D>,
    a: Operand<A>,
    b: Operand<B>,
    f: impl Fn(A, B) -> D + Sync + Send,
) -> Result<()> {
    check_operands(dst.extent(), &[a.extent(), b.extent()])?;
    let (d, pa, pb) = (dst.ptr, a.ptr, b.ptr);
    for_each_run(
        &dst.layout.shape,
        [&dst.layout.strides, &a.layout.strides, &b.layout.strides],
        &|[od, oa, ob], len, [sd, sa, sb]| {
            if sd == 1 && sa == 1 && sb == 1 {
                // SAFETY: the walk: with unit strides the run is `len` consecutive elements from
                // `od`, `oa` and `ob` in `dst` (`D`), `a` (`A`) and `b` (`B`); the output elements
                // are this chunk's alone, and an input that is `dst` is read at the same index.
                unsafe {
                    run2(
                        d.at(od),
                        pa.at(oa) as *const A,
                        pb.at(ob) as *const B,
                        len,
                        &f,
                    )
                };
            } else if sd == 1 && sa == 1 && sb == 0 {
                // SAFETY: the walk: `ob` is the offset of an index of `b`'s shape (stride 0: the
                // whole run reads it), a `B` element of `b`'s live storage.
                let y = unsafe { *pb.at(ob) };
                // SAFETY: the walk: unit strides, so `len` consecutive elements from `od` in `dst`
                // (this chunk's alone) and from `oa` in `a` (`dst` itself at most).
                unsafe { run2_scalar(d.at(od), pa.at(oa) as *const A, y, len, &f) };
            } else if sd == 1 && sa == 0 && sb == 1 {
                // SAFETY: the walk: `oa` is the offset of an index of `a`'s shape (stride 0), an
                // `A` element of `a`'s live storage.
                let x = unsafe { *pa.at(oa) };
                // SAFETY: the walk: unit strides, so `len` consecutive elements from `od` in `dst`
                // (this chunk's alone) and from `ob` in `b` (`dst` itself at most).
                unsafe { run2_scalar_first(d.at(od), x, pb.at(ob) as *const B, len, &f) };
            } else {
                for i in 0..len as isize {
                    // SAFETY: the walk: the three offsets are one index's in `dst`, `a` and `b`;
                    // the element written is this chunk's alone, and an input that is `dst` is
                    // read at that same element before the write.
                    unsafe { *d.at(od + i * sd) = f(*pa.at(oa + i * sa), *pb.at(ob + i * sb)) };
                }
            }
        },
    );
    Ok(())
}

/// `dst[i] = f(a[i], b[i], c[i])`; all layouts have the same shape.
pub fn ternary<A: Element, B: Element, C: Element, D: Element>(
    dst: Operand<D>,
    a: Operand<A>,
    b: Operand<B>,
    c: Operand<C>,
    f: impl Fn(A, B, C) -> D + Sync + Send,
) -> Result<()> {
    check_operands(dst.extent(), &[a.extent(), b.extent(), c.extent()])?;
    let (d, pa, pb, pc) = (dst.ptr, a.ptr, b.ptr, c.ptr);
    for_each_run(
        &dst.layout.shape,
        [
            &dst.layout.strides,
            &a.layout.strides,
            &b.layout.strides,
            &c.layout.strides,
        ],
        &|[od, oa, ob, oc], len, [sd, sa, sb, sc]| {
            if sd == 1 && sa == 1 && sb == 1 && sc == 1 {
                // SAFETY: contiguous runs of `len` elements from offsets of the operands' own
                // layouts, inside their storages.
                unsafe {
                    run3(
                        d.at(od),
                        pa.at(oa) as *const A,
                        pb.at(ob) as *const B,
                        pc.at(oc) as *const C,
                        len,
                        &f,
                    )
                };
                return;
            }
            for i in 0..len as isize {
                // SAFETY: the walk: the four offsets are one index's in `dst`, `a`, `b` and `c`,
                // elements of their dtypes in live storages; the element written is this chunk's
                // alone, and an input that is `dst` is read at that same element first.
                unsafe {
                    *d.at(od + i * sd) = f(
                        *pa.at(oa + i * sa),
                        *pb.at(ob + i * sb),
                        *pc.at(oc + i * sc),
                    )
                };
            }
        },
    );
    Ok(())
}

/// True when some element satisfies `pred` (a sequential scan, for validation before a kernel
/// runs). Only distinct elements are read: a broadcast view of one element is one element.
pub fn any<T: Element>(t: &Tensor, pred: impl Fn(T) -> bool) -> Result<bool> {
    let op = Operand::<T>::of(t)?;
    let l = t.layout().distinct_elements();
    let mut found = false;
    Coalesced::new(&l.shape, [&l.strides]).for_each_run(0, l.numel(), |[o], len, [s]| {
        for i in 0..len as isize {
            // SAFETY: `op` is `t`'s operand (dtype checked by `Operand::of`; `t` borrowed, so its
            // storage lives), and `o + i * s` walks `distinct_elements()`, which is `t`'s layout
            // with broadcast dims shrunk to size 1: offsets of `t`'s own elements. Nothing writes
            // here (one thread, `&Tensor`).
            if pred(unsafe { *op.ptr.at(o + i * s) }) {
                found = true;
            }
        }
    });
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn operands_of_the_wrong_dtype_or_shape_are_errors() {
        let a = Tensor::from_vec(vec![1.0f32, 2.0], &[2]).unwrap();
        let b = Tensor::from_vec(vec![1.0f32, 2.0, 3.0], &[3]).unwrap();
        assert!(Operand::<f64>::of(&a).is_err());
        let r = unary(
            Operand::<f32>::of(&a).unwrap(),
            Operand::<f32>::of(&b).unwrap(),
            |x| x,
        );
        assert!(r.is_err());
    }

    #[test]
    fn every_entry_point_refuses_mismatched_operands() {
        let f = |v: Vec<f32>, shape: &[usize]| Tensor::from_vec(v, shape).unwrap();
        let (a2, a3) = (f(vec![1.0, 2.0], &[2]), f(vec![1.0, 2.0, 3.0], &[3]));
        let i2 = Tensor::from_vec(vec![1i64, 2], &[2]).unwrap();
        let op = |t| Operand::<f32>::of(t).unwrap();
        // Wrong dtypes, for every element type a kernel may name.
        assert!(Operand::<f32>::of(&i2).is_err());
        assert!(Operand::<i64>::of(&a2).is_err());
        assert!(Operand::<bool>::of(&a2).is_err());
        // Shapes that differ: a longer input than the output, and the other way round.
        assert!(unary(op(&a2), op(&a3), |x| x).is_err());
        assert!(unary(op(&a3), op(&a2), |x| x).is_err());
        assert!(binary(op(&a2), op(&a2), op(&a3), |x, y| x + y).is_err());
        assert!(binary(op(&a2), op(&a3), op(&a2), |x, y| x + y).is_err());
        assert!(ternary(op(&a2), op(&a2), op(&a2), op(&a3), |x, _, _| x).is_err());
        // A broadcast destination: two chunks would write one element.
        let wide = f(vec![0.0], &[1]).broadcast_to(&[PAR_THRESHOLD]);
        assert!(fill_with(op(&wide), || 1.0).is_err());
        assert!(unary_in_place(op(&wide), |x| x + 1.0).is_err());
        // An input that partly overlaps the destination (shifted by one element).
        let v = f((0..10).map(|i| i as f32).collect(), &[10]);
        let (lo, hi) = (v.narrow(0, 0, 9), v.narrow(0, 1, 9));
        assert!(unary(op(&lo), op(&hi), |x| x).is_err());
        assert!(binary(op(&lo), op(&lo), op(&hi), |x, y| x + y).is_err());
        // The same memory with the same layout is in place, and allowed.
        binary(op(&lo), op(&lo), op(&lo), |x, y| x + y).unwrap();
        assert_eq!(v.to_vec_f64().unwrap()[..3], [0.0, 2.0, 4.0]);
    }

    #[test]
    fn in_place_and_broadcast_runs_give_the_values() {
        let n = 100_000;
        let a = Tensor::from_vec((0..n).map(|i| i as f32).collect(), &[n]).unwrap();
        unary(
            Operand::of(&a).unwrap(),
            Operand::of(&a).unwrap(),
            |x: f32| x * 2.0,
        )
        .unwrap();
        unary_in_place(Operand::of(&a).unwrap(), |x: f32| x + 1.0).unwrap();
        let v = a.to_vec_f64().unwrap();
        assert!(v
            .iter()
            .enumerate()
            .all(|(i, &x)| x == 2.0 * i as f64 + 1.0));
        let one = Tensor::from_vec(vec![3.0f32], &[1]).unwrap();
        let one = one.broadcast_to(&[n]);
        let out = Tensor::uninit(&[n], crate::DType::Float32).unwrap();
        binary(
            Operand::of(&out).unwrap(),
            Operand::of(&a).unwrap(),
            Operand::of(&one).unwrap(),
            |x: f32, y: f32| x - y,
        )
        .unwrap();
        let v = out.to_vec_f64().unwrap();
        assert!(v
            .iter()
            .enumerate()
            .all(|(i, &x)| x == 2.0 * i as f64 - 2.0));
    }
}
