//! A stable LSD radix sort of one line, for `sort`/`argsort` of long lines of `f32`, `f64`,
//! `i32` and `i64`.
//!
//! Each value becomes an unsigned key whose order is torch's (NaN after every number, all NaNs
//! equal, `-0.0 == 0.0`; inverted for descending), packed with its 32-bit position into one word
//! (`u64` for 32-bit values, `u128` for 64-bit ones). Passes of 8-bit digits (11-bit for lines of
//! at least [`WIDE_FROM`] elements) move the words between two buffers; a pass whose digit is
//! the same for every key is skipped, so small-range integers take few passes.
//!
//! A long line (one line alone in its tensor) is split into fixed blocks of [`BLOCK`] elements:
//! blocks count their digits and scatter to their prefix offsets in parallel. The blocks do not
//! depend on the thread count, and a stable sort's result is unique anyway, so neither does the
//! order. Equal values keep their input order, which is torch's `stable=True` order and a valid
//! `stable=False` order.
//!
//! Why not a crate: `rdst` and `voracious_radix_sort` sort in parallel only unstably, and an
//! unstable multi-threaded pass may order ties differently for different thread counts.

use super::Key;
use crate::strided::SendPtr;
use crate::threads;

/// Elements per block of a line sorted in parallel.
const BLOCK: usize = 1 << 16;
/// Lines at least this long use 11-bit digits.
const WIDE_FROM: usize = 1 << 16;

/// A value with a radix key: the packed (key, position) word and its conversions.
pub trait Radix: Key {
    /// The key and the position in one word; the key in the high bits.
    type Word: Copy + Send + Sync + Default;
    /// Bits of the key.
    const KEY_BITS: u32;
    /// The word of `self` at position `i` (`descending` inverts the key).
    fn pack(self, i: u32, descending: bool) -> Self::Word;
    /// The key's digit of `bits` bits at `shift` (bits from the key's lowest).
    fn digit(w: Self::Word, shift: u32, mask: usize) -> usize;
    /// The position packed in `w`.
    fn position(w: Self::Word) -> usize;
    /// The value of `w`: decoded from the key, or read from `line` where the key does not tell
    /// the value apart (`-0.0` from `0.0`, a NaN's sign and payload).
    fn value(w: Self::Word, descending: bool, line: &[Self]) -> Self;
}

/// `digit` and `position` of a word: the key above bit 32, the position below.
macro_rules! word_access {
    ($word:ty) => {
        #[inline(always)]
        fn digit(w: $word, shift: u32, mask: usize) -> usize {
            (w >> (32 + shift)) as usize & mask
        }
        #[inline(always)]
        fn position(w: $word) -> usize {
            w as u32 as usize
        }
    };
}

macro_rules! radix_float {
    ($t:ty, $bits:ty, $word:ty) => {
        impl Radix for $t {
            type Word = $word;
            const KEY_BITS: u32 = <$bits>::BITS;
            #[inline(always)]
            fn pack(self, i: u32, descending: bool) -> $word {
                const SIGN: $bits = 1 << (<$bits>::BITS - 1);
                let key = if self.is_nan() {
                    <$bits>::MAX
                } else {
                    // `+ 0.0` turns -0.0 into 0.0, so both get one key.
                    let b = (self + 0.0).to_bits();
                    if b & SIGN != 0 {
                        !b
                    } else {
                        b | SIGN
                    }
                };
                let key = if descending { !key } else { key };
                ((key as $word) << 32) | i as $word
            }
            word_access!($word);
            #[inline(always)]
            fn value(w: $word, descending: bool, line: &[$t]) -> $t {
                const SIGN: $bits = 1 << (<$bits>::BITS - 1);
                let key = (w >> 32) as $bits;
                let key = if descending { !key } else { key };
                if key == <$bits>::MAX || key == SIGN {
                    return line[Self::position(w)];
                }
                <$t>::from_bits(if key & SIGN != 0 { key & !SIGN } else { !key })
            }
        }
    };
}
radix_float!(f32, u32, u64);
radix_float!(f64, u64, u128);

macro_rules! radix_int {
    ($t:ty, $bits:ty, $word:ty) => {
        impl Radix for $t {
            type Word = $word;
            const KEY_BITS: u32 = <$bits>::BITS;
            #[inline(always)]
            fn pack(self, i: u32, descending: bool) -> $word {
                let key = (self as $bits) ^ (1 << (<$bits>::BITS - 1));
                let key = if descending { !key } else { key };
                ((key as $word) << 32) | i as $word
            }
            word_access!($word);
            #[inline(always)]
            fn value(w: $word, descending: bool, _line: &[$t]) -> $t {
                let key = (w >> 32) as $bits;
                let key = if descending { !key } else { key };
                (key ^ (1 << (<$bits>::BITS - 1))) as $t
            }
        }
    };
}
radix_int!(i32, u32, u64);
radix_int!(i64, u64, u128);

/// Runs `f(block)` for `blocks` blocks, on the team when `parallel`.
fn for_blocks(blocks: usize, parallel: bool, f: impl Fn(usize) + Sync + Send) {
    if parallel {
        threads::for_each_chunk(blocks, f);
    } else {
        (0..blocks).for_each(f);
    }
}

/// Sorts `line` stably (ascending, or descending with `descending`), writing the values to
/// `vals` and their positions in `line` to `idx` (both `line.len()` long; `idx` may be empty
/// when only the values are wanted). `parallel` splits the line among the team. The line must
/// have fewer than 2^32 elements.
pub fn sort_line<T: Radix>(
    line: &[T],
    vals: &mut [T],
    idx: &mut [i64],
    descending: bool,
    parallel: bool,
) {
    let n = line.len();
    debug_assert!(n <= u32::MAX as usize && vals.len() == n && (idx.is_empty() || idx.len() == n));
    let bits = if n >= WIDE_FROM { 11 } else { 8 };
    let radix = 1usize << bits;
    let mask = radix - 1;
    let passes = T::KEY_BITS.div_ceil(bits) as usize;
    let (block, parallel) = if parallel {
        (BLOCK, true)
    } else {
        (n.max(1), false)
    };
    let blocks = n.div_ceil(block);
    let range = |b: usize| b * block..((b + 1) * block).min(n);
    let mut a: Vec<T::Word> = vec![T::Word::default(); n];
    let mut tmp: Vec<T::Word> = vec![T::Word::default(); n];
    // Pack, counting every pass's digits per block as we go.
    let counts: Vec<Vec<u32>> = {
        let ap = SendPtr(a.as_mut_ptr());
        let mut per: Vec<Vec<u32>> = Vec::with_capacity(blocks);
        let slots = SendPtr(per.as_mut_ptr());
        for_blocks(blocks, parallel, |b| {
            let (ap, slots) = (&ap, &slots);
            let mut h = vec![0u32; passes * radix];
            for i in range(b) {
                let w = line[i].pack(i as u32, descending);
                // SAFETY: `i < n`, inside `a`; blocks' ranges are disjoint, so no other thread
                // writes element `i`, and nothing reads `a` until every block is done.
                unsafe { *ap.0.add(i) = w };
                for p in 0..passes {
                    h[p * radix + T::digit(w, p as u32 * bits, mask)] += 1;
                }
            }
            // SAFETY: `per` has capacity for `blocks` vectors and `b < blocks`; each block
            // writes only its own slot, once.
            unsafe { slots.0.add(b).write(h) };
        });
        // SAFETY: every slot `0..blocks` was written above (`for_blocks` runs each block once).
        unsafe { per.set_len(blocks) };
        per
    };
    for p in 0..passes {
        let shift = p as u32 * bits;
        // The block counts of this pass's digits: from the packing pass for the first, counted
        // again for the later ones (the blocks hold other elements by then).
        let hist: Vec<Vec<u32>> = if p == 0 {
            counts.iter().map(|h| h[..radix].to_vec()).collect()
        } else {
            let src = &a;
            let run = |b: usize| {
                let mut h = vec![0u32; radix];
                for &w in &src[range(b)] {
                    h[T::digit(w, shift, mask)] += 1;
                }
                h
            };
            if parallel {
                threads::map_chunks(blocks, run)
            } else {
                (0..blocks).map(run).collect()
            }
        };
        // A digit every key shares moves nothing: skip the pass.
        let total = |d: usize| {
            counts
                .iter()
                .map(|h| h[p * radix + d] as usize)
                .sum::<usize>()
        };
        if (0..radix).any(|d| total(d) == n) {
            continue;
        }
        // Block `b`'s first slot for digit `d`: every smaller digit, then earlier blocks'.
        let mut offsets = vec![0usize; blocks * radix];
        let mut at = 0usize;
        for d in 0..radix {
            for b in 0..blocks {
                offsets[b * radix + d] = at;
                at += hist[b][d] as usize;
            }
        }
        let dst = SendPtr(tmp.as_mut_ptr());
        let src = &a;
        for_blocks(blocks, parallel, |b| {
            let dst = &dst;
            let mut next = offsets[b * radix..(b + 1) * radix].to_vec();
            for &w in &src[range(b)] {
                let d = T::digit(w, shift, mask);
                // SAFETY: block `b` holds `hist[b][d]` words of digit `d` and writes them to
                // `offsets[b][d]..` + that many: the slots of different (block, digit) pairs are
                // disjoint and together cover `0..n`, inside `tmp`, which nothing else reads or
                // writes during the pass.
                unsafe { *dst.0.add(next[d]) = w };
                next[d] += 1;
            }
        });
        std::mem::swap(&mut a, &mut tmp);
    }
    let (vp, ip) = (SendPtr(vals.as_mut_ptr()), SendPtr(idx.as_mut_ptr()));
    let with_idx = !idx.is_empty();
    let sorted = &a;
    for_blocks(blocks, parallel, |b| {
        let (vp, ip) = (&vp, &ip);
        for k in range(b) {
            let w = sorted[k];
            // SAFETY: `k < n`, inside `vals` (and `idx` when it is not empty); blocks' ranges are
            // disjoint, so each element is written by one thread.
            unsafe {
                *vp.0.add(k) = T::value(w, descending, line);
                if with_idx {
                    *ip.0.add(k) = T::position(w) as i64;
                }
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check<T: Radix + Bits + std::fmt::Debug>(line: &[T], parallel: bool) {
        for descending in [false, true] {
            let mut pairs: Vec<(T, i64)> = line.iter().copied().zip(0..).collect();
            if descending {
                pairs.sort_by(|a, b| super::super::asc(b.0, a.0));
            } else {
                pairs.sort_by(|a, b| super::super::asc(a.0, b.0));
            }
            let mut vals = vec![T::ZERO; line.len()];
            let mut idx = vec![0i64; line.len()];
            sort_line(line, &mut vals, &mut idx, descending, parallel);
            let want: Vec<i64> = pairs.iter().map(|p| p.1).collect();
            assert_eq!(idx, want);
            for (k, &i) in idx.iter().enumerate() {
                assert_eq!(vals[k].to_bits_u64(), line[i as usize].to_bits_u64());
            }
        }
    }

    /// Bit patterns, to compare values exactly (NaN and -0.0 included).
    trait Bits {
        fn to_bits_u64(self) -> u64;
    }
    impl Bits for f32 {
        fn to_bits_u64(self) -> u64 {
            self.to_bits() as u64
        }
    }
    impl Bits for f64 {
        fn to_bits_u64(self) -> u64 {
            self.to_bits()
        }
    }
    impl Bits for i32 {
        fn to_bits_u64(self) -> u64 {
            self as u64
        }
    }
    impl Bits for i64 {
        fn to_bits_u64(self) -> u64 {
            self as u64
        }
    }

    fn lcg(seed: &mut u64) -> u64 {
        *seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        *seed >> 11
    }

    #[test]
    fn radix_matches_a_stable_comparison_sort() {
        let mut s = 7u64;
        for &n in &[0usize, 1, 5, 300, 5000, 70_000, 200_000] {
            let specials = [
                0.0f32,
                -0.0,
                f32::NAN,
                -f32::NAN,
                f32::INFINITY,
                f32::NEG_INFINITY,
            ];
            let f: Vec<f32> = (0..n)
                .map(|_| match lcg(&mut s) % 10 {
                    0 => specials[(lcg(&mut s) % 6) as usize],
                    1 => (lcg(&mut s) % 5) as f32,
                    _ => (lcg(&mut s) as f32 / 1e12) - 2000.0,
                })
                .collect();
            let d: Vec<f64> = f.iter().map(|&x| x as f64 * 1.000001).collect();
            let i: Vec<i32> = (0..n).map(|_| lcg(&mut s) as i32 % 1000).collect();
            let l: Vec<i64> = (0..n).map(|_| lcg(&mut s) as i64 - (1 << 52)).collect();
            for parallel in [false, true] {
                check(&f, parallel);
                check(&d, parallel);
                check(&i, parallel);
                check(&l, parallel);
            }
        }
    }
}
