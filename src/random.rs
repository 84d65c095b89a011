//! Random generators (`rt.Generator`, the default generator behind `manual_seed`) and the
//! streams the sampling ops draw from.
//!
//! A generator's state is its seed and an offset that counts the draws made (one per sampling
//! call). A draw of `n` values splits them into fixed chunks of [`BLOCK`] values; chunk `c` of
//! the draw at offset `o` has its own stream, a SplitMix64 sequence whose starting state is
//! Philox4x32-10 (a counter-based generator) of the counter `(c, o)` under the key `seed`. The
//! chunks do not depend on the thread count, so a seed gives the same tensor with any number of
//! threads; the streams are not torch's (its CPU generator is an mt19937).

use crate::dispatch;
use crate::dtype::{DType, Element};
use crate::error::{Error, Result};
use crate::strided::SendPtr;
use crate::tensor::Tensor;
use crate::threads;
use std::sync::{Arc, LazyLock, Mutex};

/// Values generated per independent stream.
pub const BLOCK: usize = 1 << 16;

/// torch's default seed of the default generator.
const DEFAULT_SEED: u64 = 67280421310721;

#[derive(Debug)]
struct State {
    seed: u64,
    offset: u64,
}

/// A random generator (torch's `Generator`): shared, so clones draw from one state.
#[derive(Debug, Clone)]
pub struct Generator(Arc<Mutex<State>>);

static DEFAULT: LazyLock<Generator> = LazyLock::new(Generator::new);

impl Default for Generator {
    fn default() -> Self {
        Generator::new()
    }
}

impl Generator {
    /// A new generator with torch's default seed.
    pub fn new() -> Generator {
        Generator(Arc::new(Mutex::new(State {
            seed: DEFAULT_SEED,
            offset: 0,
        })))
    }

    /// The default generator (`rt.default_generator`).
    pub fn default_generator() -> &'static Generator {
        &DEFAULT
    }

    fn with<R>(&self, f: impl FnOnce(&mut State) -> R) -> R {
        let mut g = match self.0.lock() {
            Ok(g) => g,
            Err(poisoned) => poisoned.into_inner(),
        };
        f(&mut g)
    }

    /// Seeds the generator and restarts its streams (`manual_seed`).
    pub fn manual_seed(&self, seed: u64) {
        self.with(|s| {
            s.seed = seed;
            s.offset = 0;
        })
    }

    /// Seeds the generator from the clock and a process-wide counter; returns the seed.
    pub fn seed(&self) -> u64 {
        static CALLS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos() as u64);
        let n = CALLS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let seed = SplitMix(nanos ^ n.wrapping_mul(0xA24B_AED4_963E_E407)).next();
        self.manual_seed(seed);
        seed
    }

    /// The seed last set.
    pub fn initial_seed(&self) -> u64 {
        self.with(|s| s.seed)
    }

    /// The whole state: the seed and the number of draws made since it was set.
    pub fn state(&self) -> (u64, u64) {
        self.with(|s| (s.seed, s.offset))
    }

    /// Restores a state from [`Generator::state`].
    pub fn set_state(&self, seed: u64, offset: u64) {
        self.with(|s| {
            s.seed = seed;
            s.offset = offset;
        })
    }

    /// Whether the two are the same generator.
    pub fn same(&self, other: &Generator) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }

    /// Takes the next draw: the streams of one sampling call.
    pub fn draw(&self) -> Draw {
        self.with(|s| {
            let d = Draw {
                seed: s.seed,
                offset: s.offset,
            };
            s.offset = s.offset.wrapping_add(1);
            d
        })
    }
}

/// The generator an op uses: the one given, else the default.
pub fn or_default(g: Option<&Generator>) -> &Generator {
    g.unwrap_or_else(|| Generator::default_generator())
}

/// One draw of a generator: a family of independent streams, one per chunk.
#[derive(Debug, Clone, Copy)]
pub struct Draw {
    seed: u64,
    offset: u64,
}

impl Draw {
    /// The stream of chunk `chunk`.
    pub fn stream(&self, chunk: u64) -> Stream {
        let key = [self.seed as u32, (self.seed >> 32) as u32];
        let ctr = [
            chunk as u32,
            (chunk >> 32) as u32,
            self.offset as u32,
            (self.offset >> 32) as u32,
        ];
        let r = philox(ctr, key);
        let lo = (r[0] as u64) | ((r[1] as u64) << 32);
        let hi = (r[2] as u64) | ((r[3] as u64) << 32);
        Stream(SplitMix(lo ^ hi.rotate_left(17)))
    }
}

/// Philox4x32-10 (Salmon et al., "Parallel random numbers: as easy as 1, 2, 3").
fn philox(mut ctr: [u32; 4], mut key: [u32; 2]) -> [u32; 4] {
    const M0: u64 = 0xD251_1F53;
    const M1: u64 = 0xCD9E_8D57;
    for _ in 0..10 {
        let p0 = M0 * ctr[0] as u64;
        let p1 = M1 * ctr[2] as u64;
        ctr = [
            ((p1 >> 32) as u32) ^ ctr[1] ^ key[0],
            p1 as u32,
            ((p0 >> 32) as u32) ^ ctr[3] ^ key[1],
            p0 as u32,
        ];
        key[0] = key[0].wrapping_add(0x9E37_79B9);
        key[1] = key[1].wrapping_add(0xBB67_AE85);
    }
    ctr
}

/// SplitMix64: a small, fast, well-mixed sequence.
struct SplitMix(u64);

impl SplitMix {
    #[inline(always)]
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
}

/// The values of one chunk.
pub struct Stream(SplitMix);

impl Stream {
    /// 64 random bits.
    #[inline(always)]
    pub fn next_u64(&mut self) -> u64 {
        self.0.next()
    }

    /// Uniform in [0, 1) with 53 random bits.
    #[inline(always)]
    pub fn uniform(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// Uniform in (0, 1].
    #[inline(always)]
    pub fn uniform_open0(&mut self) -> f64 {
        1.0 - self.uniform()
    }

    /// Uniform integer in [0, n) (Lemire's multiply-shift, unbiased); `n = 0` stands for 2^64.
    #[inline(always)]
    pub fn below(&mut self, n: u64) -> u64 {
        if n == 0 {
            return self.next_u64();
        }
        let mut m = (self.next_u64() as u128) * (n as u128);
        if (m as u64) < n {
            let t = n.wrapping_neg() % n;
            while (m as u64) < t {
                m = (self.next_u64() as u128) * (n as u128);
            }
        }
        (m >> 64) as u64
    }

    /// A standard normal value (the ziggurat of Marsaglia and Tsang, 256 layers).
    #[inline]
    pub fn normal(&mut self) -> f64 {
        let z = &*ZIGGURAT;
        loop {
            let u = self.next_u64();
            let i = (u & 0xff) as usize;
            let sign = if u & 0x100 != 0 { -1.0 } else { 1.0 };
            let f = (u >> 11) as f64 * (1.0 / (1u64 << 53) as f64);
            let x = f * z.x[i];
            if x < z.x[i + 1] {
                return sign * x;
            }
            if i == 0 {
                // The tail beyond r.
                loop {
                    let a = -self.uniform_open0().ln() / ZIG_R;
                    let b = -self.uniform_open0().ln();
                    if 2.0 * b > a * a {
                        return sign * (ZIG_R + a);
                    }
                }
            }
            let y = z.f[i] + self.uniform() * (z.f[i + 1] - z.f[i]);
            if y < (-0.5 * x * x).exp() {
                return sign * x;
            }
        }
    }

    /// A standard exponential value.
    #[inline]
    pub fn exponential(&mut self) -> f64 {
        -self.uniform_open0().ln()
    }
}

const ZIG_R: f64 = 3.654_152_885_361_009;
const ZIG_V: f64 = 0.004_928_673_233_99;

struct Ziggurat {
    x: [f64; 257],
    f: [f64; 257],
}

static ZIGGURAT: LazyLock<Ziggurat> = LazyLock::new(|| {
    let pdf = |x: f64| (-0.5 * x * x).exp();
    let mut x = [0.0; 257];
    x[0] = ZIG_V / pdf(ZIG_R);
    x[1] = ZIG_R;
    for i in 1..256 {
        let v = ZIG_V / x[i] + pdf(x[i]);
        x[i + 1] = if v >= 1.0 {
            0.0
        } else {
            (-2.0 * v.ln()).sqrt()
        };
    }
    x[256] = 0.0;
    let mut f = [0.0; 257];
    for i in 0..257 {
        f[i] = pdf(x[i]);
    }
    Ziggurat { x, f }
});

/// A fresh contiguous tensor of `shape` whose element `i` is `f(stream)`, the streams taken
/// chunk by chunk from one draw of `gen`.
pub fn generate<T: Element>(
    gen: &Generator,
    shape: &[usize],
    f: impl Fn(&mut Stream) -> T + Sync + Send,
) -> Result<Tensor> {
    let out = Tensor::uninit(shape, T::DTYPE)?;
    fill(gen, &out, f)?;
    Ok(out)
}

/// Writes `f(stream)` into every element of the contiguous `out` (of dtype `T`).
pub fn fill<T: Element>(
    gen: &Generator,
    out: &Tensor,
    f: impl Fn(&mut Stream) -> T + Sync + Send,
) -> Result<()> {
    fill_blocks(gen, out, |rng, block: &mut [T]| {
        for v in block {
            *v = f(rng);
        }
    })
}

/// Hands every chunk of [`BLOCK`] elements of the contiguous `out` (of dtype `T`) to `f` with
/// the chunk's stream, for samplers that make many values at once.
pub fn fill_blocks<T: Element>(
    gen: &Generator,
    out: &Tensor,
    f: impl Fn(&mut Stream, &mut [T]) + Sync + Send,
) -> Result<()> {
    if out.dtype() != T::DTYPE || !out.is_contiguous() {
        return Err(Error::Runtime(
            "internal error: random fill of a tensor that is not contiguous".into(),
        ));
    }
    let n = out.numel();
    let draw = gen.draw();
    let p = SendPtr(out.data_ptr_typed::<T>());
    threads::for_each_chunk(n.div_ceil(BLOCK), |b| {
        let mut rng = draw.stream(b as u64);
        let start = b * BLOCK;
        // SAFETY: `out` is a contiguous `T` tensor of `n` elements (checked above), so the
        // elements `start..min(start + BLOCK, n)` are inside it; block `b` is the only one that
        // touches them, and nothing reads `out` until `for_each_chunk` returns.
        let block =
            unsafe { std::slice::from_raw_parts_mut(p.at(start as isize), BLOCK.min(n - start)) };
        f(&mut rng, block);
    });
    Ok(())
}

/// Like [`generate`], element `i` computed from the stream and `i` (its flat index).
pub fn generate_indexed<T: Element>(
    gen: &Generator,
    shape: &[usize],
    f: impl Fn(&mut Stream, usize) -> T + Sync + Send,
) -> Result<Tensor> {
    let out = Tensor::uninit(shape, T::DTYPE)?;
    let n = out.numel();
    let draw = gen.draw();
    let p = SendPtr(out.data_ptr_typed::<T>());
    threads::for_each_chunk(n.div_ceil(BLOCK), |b| {
        let mut rng = draw.stream(b as u64);
        for i in b * BLOCK..((b + 1) * BLOCK).min(n) {
            // SAFETY: as in `fill`: a fresh contiguous `T` tensor of `n` elements, each block
            // writing only its own elements.
            unsafe { *p.at(i as isize) = f(&mut rng, i) };
        }
    });
    Ok(out)
}

/// torch's error for a floating-only sampler called for another dtype.
pub fn require_floating(dtype: DType, what: &'static str) -> Result<()> {
    if !dtype.is_floating() {
        return Err(Error::DTypeNotSupported {
            op: what,
            dtype: dtype.torch_name(),
        });
    }
    Ok(())
}

/// Rounds a uniform [0, 1) double to `T`, keeping the interval half-open.
#[inline(always)]
fn unit<T: Element>(u: f64) -> T {
    let v = T::from_f64(u);
    if v.to_f64() >= 1.0 {
        T::ZERO
    } else {
        v
    }
}

/// Uniform samples in [0, 1).
pub fn rand(gen: &Generator, shape: &[usize], dtype: DType) -> Result<Tensor> {
    require_floating(dtype, "check_uniform_bounds")?;
    dispatch!(dtype, T => generate::<T>(gen, shape, |r| unit::<T>(r.uniform())))
}

/// Integers uniform in [low, high).
pub fn randint(
    gen: &Generator,
    low: i64,
    high: i64,
    shape: &[usize],
    dtype: DType,
) -> Result<Tensor> {
    if low >= high {
        return Err(Error::Runtime(format!(
            "random_ expects 'from' to be less than 'to', but got from={} >= to={}",
            low, high
        )));
    }
    let range = (high as i128 - low as i128) as u64;
    dispatch!(dtype, T => generate::<T>(gen, shape, move |r| {
        T::from_i64((low as i128 + r.below(range) as i128) as i64)
    }))
}
