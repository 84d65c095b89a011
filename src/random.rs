//! The global random generator behind `rand`, `randn` and `randint`, seeded by `manual_seed`.
//! Values come from fixed-size blocks, each with its own stream derived from (seed, draw, block),
//! so a seeded run gives the same tensor whatever the thread count.

use crate::dispatch;
use crate::dtype::{DType, Element};
use crate::error::{Error, Result};
use crate::strided::SendPtr;
use crate::tensor::Tensor;
use crate::threads;
use std::sync::Mutex;

/// Elements generated per independent stream.
const BLOCK: usize = 1 << 16;

struct Generator {
    seed: u64,
    draws: u64,
}

static GENERATOR: Mutex<Generator> = Mutex::new(Generator {
    seed: 67280421310721,
    draws: 0,
});

/// Seeds the generator (torch's `manual_seed`).
pub fn manual_seed(seed: u64) {
    if let Ok(mut g) = GENERATOR.lock() {
        g.seed = seed;
        g.draws = 0;
    }
}

/// The seed last set.
pub fn initial_seed() -> u64 {
    GENERATOR.lock().map_or(0, |g| g.seed)
}

fn next_stream() -> (u64, u64) {
    match GENERATOR.lock() {
        Ok(mut g) => {
            g.draws += 1;
            (g.seed, g.draws)
        }
        Err(_) => (0, 0),
    }
}

/// SplitMix64: a small, fast, well-mixed generator; one per block.
struct SplitMix(u64);

impl SplitMix {
    fn new(seed: u64, draw: u64, block: u64) -> Self {
        let mut s = SplitMix(seed ^ draw.wrapping_mul(0x9E37_79B9_7F4A_7C15));
        s.0 ^= s
            .next()
            .wrapping_add(block.wrapping_mul(0xD1B5_4A32_D192_ED03));
        s
    }

    #[inline(always)]
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1) with 53 random bits.
    #[inline(always)]
    fn uniform(&mut self) -> f64 {
        (self.next() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }
}

fn generate<T: Element>(
    shape: &[usize],
    f: impl Fn(&mut SplitMix) -> T + Sync + Send,
) -> Result<Tensor> {
    let out = Tensor::uninit(shape, T::DTYPE)?;
    let n = out.numel();
    let (seed, draw) = next_stream();
    let p = SendPtr(out.data_ptr_typed::<T>());
    threads::for_each_chunk(n.div_ceil(BLOCK), |b| {
        let mut rng = SplitMix::new(seed, draw, b as u64);
        for i in b * BLOCK..((b + 1) * BLOCK).min(n) {
            // SAFETY: `out` is a fresh contiguous `T` tensor of `n` elements (`T::DTYPE` was its
            // dtype), so `i < n` is inside it; block `b` writes only `b * BLOCK..`, so no two
            // threads write one element, and nothing reads `out` until `for_each_chunk` returns.
            unsafe { *p.at(i as isize) = f(&mut rng) };
        }
    });
    Ok(out)
}

fn require_floating(dtype: DType, what: &'static str) -> Result<()> {
    if !dtype.is_floating() {
        return Err(Error::DTypeNotSupported {
            op: what,
            dtype: dtype.torch_name(),
        });
    }
    Ok(())
}

/// Uniform samples in [0, 1).
pub fn rand(shape: &[usize], dtype: DType) -> Result<Tensor> {
    require_floating(dtype, "check_uniform_bounds")?;
    dispatch!(dtype, T => generate::<T>(shape, |r| {
        // Rounding to float32 could give exactly 1.0; keep the interval half-open.
        let v = T::from_f64(r.uniform());
        if v.to_f64() >= 1.0 { T::ZERO } else { v }
    }))
}

/// Standard normal samples (Box-Muller).
pub fn randn(shape: &[usize], dtype: DType) -> Result<Tensor> {
    require_floating(dtype, "normal_kernel_cpu")?;
    dispatch!(dtype, T => generate::<T>(shape, |r| {
        let u1 = 1.0 - r.uniform();
        let u2 = r.uniform();
        T::from_f64((-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos())
    }))
}

/// Integers uniform in [low, high).
pub fn randint(low: i64, high: i64, shape: &[usize], dtype: DType) -> Result<Tensor> {
    if low >= high {
        return Err(Error::Runtime(format!(
            "random_ expects 'from' to be less than 'to', but got from={} >= to={}",
            low, high
        )));
    }
    let range = (high as i128 - low as i128) as u128;
    dispatch!(dtype, T => generate::<T>(shape, move |r| {
        T::from_i64((low as i128 + (r.next() as u128 % range) as i128) as i64)
    }))
}
