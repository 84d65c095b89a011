//! The registry declarations of the sampling ops (`normal`, `bernoulli`, `multinomial`,
//! `poisson`, `randperm`, `_standard_gamma`, the `*_like` samplers) and of the in-place fills
//! (`uniform_`, `normal_`, `bernoulli_`, `random_`, `exponential_`, `geometric_`, `cauchy_`,
//! `log_normal_`). Every one takes torch's `generator=`.

use crate::dtype::{default_float, DType};
use crate::error::{Error, Result};
use crate::ops::creation::checked_sizes;
use crate::ops::factory::check_device;
use crate::ops::random as r;
use crate::ops::registry::{Args, Dest, Forms, OpDef, Ret};
use crate::tensor::Tensor;

/// Checks `device=` (argument `device`) and applies `requires_grad=` (argument `rg`).
fn created(a: &Args, device: usize, rg: usize, t: Tensor) -> Result<Tensor> {
    check_device(a.opt_str(device)?)?;
    if a.bool(rg)? {
        t.set_requires_grad(true)?;
    }
    Ok(t)
}

/// `normal`.
pub static NORMAL: OpDef = OpDef {
    name: "normal",
    doc: "Normal samples: tensor means and/or standard deviations (broadcast), or two numbers and a size.",
    signatures: &[
        "normal(Tensor mean, Tensor std, *, Generator? generator=None)",
        "normal(Tensor mean, float std=1, *, Generator? generator=None)",
        "normal(float mean, Tensor std, *, Generator? generator=None)",
        "normal(float mean, float std, int[] size, *, Generator? generator=None, ScalarType? dtype=None, Device? device=None, bool requires_grad=False, Layout? layout=None, bool pin_memory=False)",
    ],
    forms: Forms::FUNCTION_OUT,
    aliases: &[],
    nodes: &["NormalBackward1", "NormalBackward2", "NormalBackward3"],
    method_signatures: &[],
    source: file!(),
    run: |a, d| {
        d.finish(a, |a| match a.overload {
            0 => r::normal_tensors(a.generator(2)?, Ok(a.tensor(0)?), Ok(a.tensor(1)?)),
            1 => r::normal_tensors(a.generator(2)?, Ok(a.tensor(0)?), Err(a.float(1)?) as r::TensorOr),
            2 => r::normal_tensors(a.generator(2)?, Err(a.float(0)?) as r::TensorOr, Ok(a.tensor(1)?)),
            _ => {
                let shape = checked_sizes(a.ints(2)?)?;
                let dtype = a.opt_dtype(4)?.unwrap_or_else(default_float);
                let t = r::normal_numbers(a.generator(3)?, a.float(0)?, a.float(1)?, &shape, dtype)?;
                created(a, 5, 6, t)
            }
        })
    },
};

/// `bernoulli`.
pub static BERNOULLI: OpDef = OpDef {
    name: "bernoulli",
    doc: "0/1 draws: with probability `input` elementwise, or `p` for every element.",
    signatures: &[
        "bernoulli(Tensor input, *, Generator? generator=None)",
        "bernoulli(Tensor input, float p, *, Generator? generator=None)",
    ],
    forms: Forms::BOTH_OUT,
    aliases: &[],
    nodes: &["BernoulliBackward0"],
    method_signatures: &[],
    source: file!(),
    run: |a, d| {
        d.finish(a, |a| match a.overload {
            0 => r::bernoulli(a.generator(1)?, a.tensor(0)?),
            _ => r::bernoulli_number(a.generator(2)?, a.tensor(0)?, a.float(1)?),
        })
    },
};

/// `bernoulli_`.
pub static BERNOULLI_: OpDef = OpDef {
    name: "bernoulli_",
    doc: "Fills with 0/1 draws of probability `p` (a number, or a tensor broadcast to this one's shape).",
    signatures: &[
        "bernoulli_(Tensor input, Tensor p, *, Generator? generator=None)",
        "bernoulli_(Tensor input, float p=0.5, *, Generator? generator=None)",
    ],
    forms: Forms::METHOD,
    aliases: &[],
    nodes: &["BernoulliBackward1", "BernoulliBackward2"],
    method_signatures: &[],
    source: file!(),
    run: |a, _| {
        let t = a.tensor(0)?;
        match a.overload {
            0 => r::bernoulli_tensor_(a.generator(2)?, t, a.tensor(1)?)?,
            _ => r::bernoulli_number_(a.generator(2)?, t, a.float(1)?)?,
        }
        Ok(Ret::Tensor(t.clone()))
    },
};

/// `multinomial`.
pub static MULTINOMIAL: OpDef = OpDef {
    name: "multinomial",
    doc: "Category indices drawn from the rows of `input` (unnormalised weights), with or without replacement.",
    signatures: &["multinomial(Tensor input, int num_samples, bool replacement=False, *, Generator? generator=None)"],
    forms: Forms::BOTH_OUT,
    aliases: &[],
    nodes: &[],
    method_signatures: &[],
    source: file!(),
    run: |a, d| {
        if let Dest::Out(o) = d {
            if o.dtype() != DType::Int64 {
                return Err(Error::Runtime(format!(
                    "multinomial expects Long tensor out, got: {}",
                    o.dtype().torch_name()
                )));
            }
        }
        d.finish(a, |a| {
            r::multinomial(a.generator(3)?, a.tensor(0)?, a.int(1)?, a.bool(2)?)
        })
    },
};

/// `poisson`.
pub static POISSON: OpDef = OpDef {
    name: "poisson",
    doc: "One Poisson draw per rate of `input`.",
    signatures: &["poisson(Tensor input, Generator? generator=None)"],
    forms: Forms::FUNCTION,
    aliases: &[],
    nodes: &["PoissonBackward0"],
    method_signatures: &[],
    source: file!(),
    run: |a, _| Ok(Ret::Tensor(r::poisson(a.generator(1)?, a.tensor(0)?)?)),
};

/// `_standard_gamma`.
pub static STANDARD_GAMMA: OpDef = OpDef {
    name: "_standard_gamma",
    doc:
        "One Gamma(alpha, 1) draw per shape `alpha`, differentiable (implicit reparameterisation).",
    signatures: &["_standard_gamma(Tensor input, Generator? generator=None)"],
    forms: Forms::FUNCTION,
    aliases: &[],
    nodes: &["StandardGammaBackward0"],
    method_signatures: &[],
    source: file!(),
    run: |a, _| {
        Ok(Ret::Tensor(r::standard_gamma(
            a.generator(1)?,
            a.tensor(0)?,
        )?))
    },
};

/// `_standard_gamma_grad`.
pub static STANDARD_GAMMA_GRAD: OpDef = OpDef {
    name: "_standard_gamma_grad",
    doc: "The derivative of a Gamma(`input`) sample `output` with respect to `input` (torch's approximations).",
    signatures: &["_standard_gamma_grad(Tensor input, Tensor output)"],
    forms: Forms::FUNCTION,
    aliases: &[],
    nodes: &[],
    method_signatures: &[],
    source: file!(),
    run: |a, _| Ok(Ret::Tensor(a.tensor(0)?.standard_gamma_grad(a.tensor(1)?)?)),
};

/// `randperm`.
pub static RANDPERM: OpDef = OpDef {
    name: "randperm",
    doc: "A random permutation of `0..n`, int64 unless `dtype` is given.",
    signatures: &["randperm(int n, *, Generator? generator=None, ScalarType? dtype=None, Device? device=None, bool requires_grad=False, Layout? layout=None, bool pin_memory=False)"],
    forms: Forms::FUNCTION_OUT,
    aliases: &[],
    nodes: &[],
    method_signatures: &[],
    source: file!(),
    run: |a, d| {
        d.finish(a, |a| {
            let dtype = a.opt_dtype(2)?.unwrap_or(DType::Int64);
            let t = r::randperm(a.generator(1)?, a.int(0)?, dtype)?;
            created(a, 3, 4, t)
        })
    },
};

/// `rand_like` and `randn_like`.
macro_rules! like {
    ($stat:ident, $name:literal, $doc:literal, $f:path) => {
        #[doc = concat!("`", $name, "`.")]
        pub static $stat: OpDef = OpDef {
            name: $name,
            doc: $doc,
            signatures: &[concat!(
                $name,
                "(Tensor input, *, Generator? generator=None, ScalarType? dtype=None, Device? device=None, bool requires_grad=False, Layout? layout=None, bool pin_memory=False, MemoryFormat? memory_format=None)"
            )],
            forms: Forms::FUNCTION,
            aliases: &[],
            nodes: &[],
            method_signatures: &[],
            source: file!(),
            run: |a, _| {
                let t = a.tensor(0)?;
                let dtype = a.opt_dtype(2)?.unwrap_or(t.dtype());
                let gen = a.generator(1)?;
                let out = r::like_format(t, a.opt_str(7)?, |shape| $f(gen, shape, dtype))?;
                Ok(Ret::Tensor(created(a, 3, 4, out)?))
            },
        };
    };
}

like!(
    RAND_LIKE,
    "rand_like",
    "Uniform [0, 1) samples shaped like `input`.",
    crate::random::rand
);
like!(
    RANDN_LIKE,
    "randn_like",
    "Standard normal samples shaped like `input`.",
    crate::kernels::normal::randn
);

/// The bound of `randint_like(input, Tensor high)`: a 0-dim tensor's value as torch's
/// `item<int64_t>()` takes it (floats truncate; non-finite or out-of-range values fail).
fn tensor_bound(t: &Tensor) -> Result<i64> {
    if t.ndim() != 0 {
        return Err(Error::Runtime(
            "high must be a scalar tensor and on CPU".into(),
        ));
    }
    if !t.dtype().is_floating() {
        return Ok(t.to_vec_i64()?[0]);
    }
    let v = t.to_vec_f64()?[0];
    // The int64 range: [-2^63, 2^63).
    let limit = -(i64::MIN as f64);
    if !(v.is_finite() && (-limit..limit).contains(&v)) {
        return Err(Error::Runtime(
            "value cannot be converted to type int64_t without overflow".into(),
        ));
    }
    Ok(v.trunc() as i64)
}

/// `randint_like`.
pub static RANDINT_LIKE: OpDef = OpDef {
    name: "randint_like",
    doc: "Integers uniform in [low, high) shaped like `input`, in its dtype unless `dtype` is given.",
    signatures: &[
        "randint_like(Tensor input, Tensor high, *, Generator? generator=None, ScalarType? dtype=None, Device? device=None, bool requires_grad=False, Layout? layout=None, bool pin_memory=False, MemoryFormat? memory_format=None)",
        "randint_like(Tensor input, int high, *, Generator? generator=None, ScalarType? dtype=None, Device? device=None, bool requires_grad=False, Layout? layout=None, bool pin_memory=False, MemoryFormat? memory_format=None)",
        "randint_like(Tensor input, int low, int high, *, Generator? generator=None, ScalarType? dtype=None, Device? device=None, bool requires_grad=False, Layout? layout=None, bool pin_memory=False, MemoryFormat? memory_format=None)",
    ],
    forms: Forms::FUNCTION,
    aliases: &[],
    nodes: &[],
    method_signatures: &[],
    source: file!(),
    run: |a, _| {
        let t = a.tensor(0)?;
        let (low, high, rest) = match a.overload {
            0 => (0, tensor_bound(a.tensor(1)?)?, 2),
            1 => (0, a.int(1)?, 2),
            _ => (a.int(1)?, a.int(2)?, 3),
        };
        let dtype = a.opt_dtype(rest + 1)?.unwrap_or(t.dtype());
        let format = a.opt_str(rest + 6)?;
        let out = r::randint_like(a.generator(rest)?, t, (low, high), dtype, format)?;
        Ok(Ret::Tensor(created(a, rest + 2, rest + 3, out)?))
    },
};

/// An in-place sampler taking two numbers.
macro_rules! fill2 {
    ($stat:ident, $name:literal, $doc:literal, $sig:literal, $node:literal, $f:path) => {
        #[doc = concat!("`", $name, "`.")]
        pub static $stat: OpDef = OpDef {
            name: $name,
            doc: $doc,
            signatures: &[$sig],
            forms: Forms::METHOD,
            aliases: &[],
            nodes: &[$node],
            method_signatures: &[],
            source: file!(),
            run: |a, _| {
                let t = a.tensor(0)?;
                $f(a.generator(3)?, t, a.float(1)?, a.float(2)?)?;
                Ok(Ret::Tensor(t.clone()))
            },
        };
    };
}

fill2!(
    UNIFORM_,
    "uniform_",
    "Fills with uniform samples in [from, to).",
    "uniform_(Tensor input, float from=0, float to=1, *, Generator? generator=None)",
    "UniformBackward0",
    r::uniform_
);
fill2!(
    NORMAL_,
    "normal_",
    "Fills with normal samples.",
    "normal_(Tensor input, float mean=0, float std=1, *, Generator? generator=None)",
    "NormalBackward0",
    r::normal_
);
fill2!(
    CAUCHY_,
    "cauchy_",
    "Fills with Cauchy samples.",
    "cauchy_(Tensor input, float median=0, float sigma=1, *, Generator? generator=None)",
    "CauchyBackward0",
    r::cauchy_
);
fill2!(
    LOG_NORMAL_,
    "log_normal_",
    "Fills with log-normal samples (`exp` of normal samples of `mean` and `std`).",
    "log_normal_(Tensor input, float mean=1, float std=2, *, Generator? generator=None)",
    "LogNormalBackward0",
    r::log_normal_
);

/// `exponential_`.
pub static EXPONENTIAL_: OpDef = OpDef {
    name: "exponential_",
    doc: "Fills with exponential samples of rate `lambd`.",
    signatures: &["exponential_(Tensor input, float lambd=1, *, Generator? generator=None)"],
    forms: Forms::METHOD,
    aliases: &[],
    nodes: &["ExponentialBackward0"],
    method_signatures: &[],
    source: file!(),
    run: |a, _| {
        let t = a.tensor(0)?;
        r::exponential_(a.generator(2)?, t, a.float(1)?)?;
        Ok(Ret::Tensor(t.clone()))
    },
};

/// `geometric_`.
pub static GEOMETRIC_: OpDef = OpDef {
    name: "geometric_",
    doc: "Fills with geometric samples: the trials up to the first success of probability `p`.",
    signatures: &["geometric_(Tensor input, float p, *, Generator? generator=None)"],
    forms: Forms::METHOD,
    aliases: &[],
    nodes: &["GeometricBackward0"],
    method_signatures: &[],
    source: file!(),
    run: |a, _| {
        let t = a.tensor(0)?;
        r::geometric_(a.generator(2)?, t, a.float(1)?)?;
        Ok(Ret::Tensor(t.clone()))
    },
};

/// `random_`.
pub static RANDOM_: OpDef = OpDef {
    name: "random_",
    doc: "Fills with integers uniform in [from, to), in [0, to), or over the dtype's range.",
    signatures: &[
        "random_(Tensor input, *, Generator? generator=None)",
        "random_(Tensor input, int to, *, Generator? generator=None)",
        "random_(Tensor input, int from, int? to, *, Generator? generator=None)",
    ],
    forms: Forms::METHOD,
    aliases: &[],
    nodes: &["RandomBackward0", "RandomBackward1", "RandomBackward2"],
    method_signatures: &[],
    source: file!(),
    run: |a, _| {
        let t = a.tensor(0)?;
        match a.overload {
            0 => r::random_(t, 0, None, "RandomBackward2", a.generator(1)?)?,
            1 => r::random_(t, 0, Some(a.int(1)?), "RandomBackward1", a.generator(2)?)?,
            _ => r::random_(
                t,
                a.int(1)?,
                a.opt_int(2)?,
                "RandomBackward0",
                a.generator(3)?,
            )?,
        }
        Ok(Ret::Tensor(t.clone()))
    },
};

/// The declarations of this file.
pub static OPS: &[&OpDef] = &[
    &NORMAL,
    &BERNOULLI,
    &BERNOULLI_,
    &MULTINOMIAL,
    &POISSON,
    &STANDARD_GAMMA,
    &STANDARD_GAMMA_GRAD,
    &RANDPERM,
    &RAND_LIKE,
    &RANDN_LIKE,
    &RANDINT_LIKE,
    &UNIFORM_,
    &NORMAL_,
    &CAUCHY_,
    &LOG_NORMAL_,
    &EXPONENTIAL_,
    &GEOMETRIC_,
    &RANDOM_,
];
