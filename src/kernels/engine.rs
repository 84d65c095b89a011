//! The elementwise engine: runs a per-element function over 1 to 4 strided operands of one shape,
//! with a contiguous fast path and fixed-size parallel chunks. Loops use raw pointers, not slices:
//! an in-place op's output is also one of its inputs, which slices could not express soundly.
//! Contiguous runs go through copies of one loop compiled for AVX-512 and AVX2+FMA (chosen at run
//! time), so element functions written without branches (`kernels::math`) are vectorised.
//!
//! Every entry point checks what makes it sound: each operand's dtype is its element type
//! ([`Operand::of`]) and all operands have one shape; a mismatch is an error, never a wild read.

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
    /// Views `t` as an operand of element type `T`; an error unless `t`'s dtype is `T`'s.
    pub fn of(t: &'a Tensor) -> Result<Self> {
        if t.dtype() != T::DTYPE {
            return Err(Error::Runtime(format!(
                "internal error: a {} kernel was given a {} tensor",
                T::DTYPE.name(),
                t.dtype().name()
            )));
        }
        Ok(Operand {
            ptr: SendPtr(t.data_ptr_typed::<T>()),
            layout: t.layout(),
        })
    }
}

/// Checks that every operand has the destination's shape.
fn same_shapes(dst: &Layout, others: &[&Layout]) -> Result<()> {
    for o in others {
        if o.shape != dst.shape {
            return Err(Error::Runtime(format!(
                "internal error: an elementwise kernel got shapes {} and {}",
                fmt_shape(&dst.shape),
                fmt_shape(&o.shape)
            )));
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
        /// Every pointer must be valid for `n` elements (reads for inputs, writes for the output).
        #[inline(always)]
        unsafe fn $name<$($g: Element,)* F: $bound>($($arg: $ty),*) {
            #[inline(always)]
            unsafe fn generic<$($g: Element,)* F: $bound>($($arg: $ty),*) $body

            #[cfg(target_arch = "x86_64")]
            #[target_feature(enable = "avx512f,avx512dq,avx512vl,avx512bw,avx2,fma")]
            unsafe fn avx512<$($g: Element,)* F: $bound>($($arg: $ty),*) {
                // SAFETY: the caller's contract, passed on unchanged.
                unsafe { generic($($arg),*) }
            }

            #[cfg(target_arch = "x86_64")]
            #[target_feature(enable = "avx2,fma")]
            unsafe fn avx2<$($g: Element,)* F: $bound>($($arg: $ty),*) {
                // SAFETY: the caller's contract, passed on unchanged.
                unsafe { generic($($arg),*) }
            }

            match simd() {
                // SAFETY: `simd()` detected these features on this CPU; pointers as the caller's.
                #[cfg(target_arch = "x86_64")]
                Simd::Avx512 => unsafe { avx512($($arg),*) },
                // SAFETY: as above.
                #[cfg(target_arch = "x86_64")]
                Simd::Avx2 => unsafe { avx2($($arg),*) },
                // SAFETY: the caller's contract.
                _ => unsafe { generic($($arg),*) },
            }
        }
    };
}

multiversion! {
    /// `out[i] = f(a[i])` over one contiguous run.
    fn run1<S, D>(out: *mut D, a: *const S, n: usize, f: &F) where F: Fn(S) -> D {
        for i in 0..n {
            // SAFETY: i < n (the caller's contract).
            unsafe { *out.add(i) = f(*a.add(i)) };
        }
    }
}

multiversion! {
    /// `p[i] = f(p[i])` over one contiguous run (in place: one pointer, so it vectorises).
    fn run1_in_place<T>(p: *mut T, n: usize, f: &F) where F: Fn(T) -> T {
        for i in 0..n {
            // SAFETY: i < n (the caller's contract).
            unsafe { *p.add(i) = f(*p.add(i)) };
        }
    }
}

multiversion! {
    /// `out[i] = f(a[i], b[i])` over one contiguous run.
    fn run2<A, B, D>(out: *mut D, a: *const A, b: *const B, n: usize, f: &F) where F: Fn(A, B) -> D {
        for i in 0..n {
            // SAFETY: i < n (the caller's contract).
            unsafe { *out.add(i) = f(*a.add(i), *b.add(i)) };
        }
    }
}

multiversion! {
    /// `out[i] = f(a[i], y)` over one contiguous run.
    fn run2_scalar<A, B, D>(out: *mut D, a: *const A, y: B, n: usize, f: &F) where F: Fn(A, B) -> D {
        for i in 0..n {
            // SAFETY: i < n (the caller's contract).
            unsafe { *out.add(i) = f(*a.add(i), y) };
        }
    }
}

multiversion! {
    /// `out[i] = f(x, b[i])` over one contiguous run.
    fn run2_scalar_first<A, B, D>(out: *mut D, x: A, b: *const B, n: usize, f: &F) where F: Fn(A, B) -> D {
        for i in 0..n {
            // SAFETY: i < n (the caller's contract).
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
    let d = dst.ptr;
    for_each_run(
        &dst.layout.shape,
        [&dst.layout.strides],
        |[od], len, [sd]| {
            for i in 0..len as isize {
                // SAFETY: the offsets come from `dst`'s own layout, which lies inside its storage.
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
    same_shapes(dst.layout, &[src.layout])?;
    let (d, s) = (dst.ptr, src.ptr);
    for_each_run(
        &dst.layout.shape,
        [&dst.layout.strides, &src.layout.strides],
        |[od, os], len, [sd, ss]| {
            // SAFETY (every block below): offsets and runs come from the operands' own layouts,
            // which lie inside their storages; `len` elements from each offset stay inside.
            if sd == 1 && ss == 1 {
                unsafe { run1(d.at(od), s.at(os) as *const S, len, &f) };
            } else if sd == 1 && ss == 0 {
                let v = f(unsafe { *s.at(os) });
                for i in 0..len {
                    unsafe { *d.at(od).add(i) = v };
                }
            } else {
                for i in 0..len as isize {
                    unsafe { *d.at(od + i * sd) = f(*s.at(os + i * ss)) };
                }
            }
        },
    );
    Ok(())
}

/// `dst[i] = f(dst[i])` in place.
pub fn unary_in_place<T: Element>(dst: Operand<T>, f: impl Fn(T) -> T + Sync + Send) -> Result<()> {
    let d = dst.ptr;
    for_each_run(
        &dst.layout.shape,
        [&dst.layout.strides],
        |[od], len, [sd]| {
            // SAFETY: offsets and runs come from `dst`'s own layout, inside its storage.
            if sd == 1 {
                unsafe { run1_in_place(d.at(od), len, &f) };
            } else {
                for i in 0..len as isize {
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
    same_shapes(dst.layout, &[a.layout, b.layout])?;
    let (d, pa, pb) = (dst.ptr, a.ptr, b.ptr);
    for_each_run(
        &dst.layout.shape,
        [&dst.layout.strides, &a.layout.strides, &b.layout.strides],
        |[od, oa, ob], len, [sd, sa, sb]| {
            // SAFETY (every block below): offsets and runs come from the operands' own layouts,
            // which lie inside their storages.
            if sd == 1 && sa == 1 && sb == 1 {
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
                let y = unsafe { *pb.at(ob) };
                unsafe { run2_scalar(d.at(od), pa.at(oa) as *const A, y, len, &f) };
            } else if sd == 1 && sa == 0 && sb == 1 {
                let x = unsafe { *pa.at(oa) };
                unsafe { run2_scalar_first(d.at(od), x, pb.at(ob) as *const B, len, &f) };
            } else {
                for i in 0..len as isize {
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
    same_shapes(dst.layout, &[a.layout, b.layout, c.layout])?;
    let (d, pa, pb, pc) = (dst.ptr, a.ptr, b.ptr, c.ptr);
    for_each_run(
        &dst.layout.shape,
        [
            &dst.layout.strides,
            &a.layout.strides,
            &b.layout.strides,
            &c.layout.strides,
        ],
        |[od, oa, ob, oc], len, [sd, sa, sb, sc]| {
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
                // SAFETY: offsets come from the operands' own layouts, inside their storages.
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
            // SAFETY: offsets come from the tensor's own layout, inside its storage.
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
