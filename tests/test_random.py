# Random sampling: rt.Generator and seeding, normal/bernoulli/multinomial/poisson/randperm, the in-place
# samplers, their nodes, gradients and errors. Streams are not torch's, so values are checked by
# determinism (seeds, thread counts, state round trips) and by statistics with fixed seeds and generous
# bounds; dtypes, shapes, node names and messages are checked against torch 2.15 where installed.
import math

import numpy as np
import pytest

import rtensor as rt

P_MSG = ("Expected p_in >= 0 && p_in <= 1 to be true, but got false.  (Could this error message be improved?  "
         "If so, please report an enhancement request to PyTorch.)")


@pytest.fixture
def threads():
    old = rt.get_num_threads()
    yield
    rt.set_num_threads(old)


# ------------------------------------------------------------------------------------------- generators


def test_manual_seed_returns_default_generator():
    g = rt.manual_seed(3)
    assert g is rt.default_generator
    assert rt.initial_seed() == 3
    assert isinstance(g, rt.Generator)


def test_generator_manual_seed_returns_itself():
    g = rt.Generator()
    assert g.manual_seed(5) is g
    assert g.initial_seed() == 5
    assert str(g.device) == "cpu"


def test_negative_and_huge_seeds():
    rt.manual_seed(-1)
    assert rt.initial_seed() == 2**64 - 1
    rt.manual_seed(2**64 - 1)
    with pytest.raises(ValueError, match="Overflow when unpacking long long"):
        rt.manual_seed(2**64)
    rt.manual_seed(1.5)
    assert rt.initial_seed() == 1


def test_seed_changes_initial_seed():
    s = rt.seed()
    assert rt.initial_seed() == s
    g = rt.Generator()
    assert g.seed() == g.initial_seed()


def test_generator_streams_are_independent_of_default():
    g = rt.Generator().manual_seed(1)
    a = rt.randn(100, generator=g)
    rt.manual_seed(1)
    rt.randn(7)  # the default generator moving does not change g's stream
    g.manual_seed(1)
    b = rt.randn(100, generator=g)
    assert a.tolist() == b.tolist()


def test_same_seed_same_numbers_across_generators():
    a = rt.rand(1000, generator=rt.Generator().manual_seed(9))
    b = rt.rand(1000, generator=rt.Generator().manual_seed(9))
    assert a.tolist() == b.tolist()


def test_state_round_trip():
    g = rt.Generator().manual_seed(11)
    rt.randn(10, generator=g)
    state = g.get_state()
    assert state.dtype == rt.uint8 and state.shape == (16,)
    a = rt.randn(10, generator=g)
    assert g.set_state(state) is g
    assert rt.randn(10, generator=g).tolist() == a.tolist()
    # The state is a copy: drawing does not change a state taken before.
    assert g.get_state().tolist() != state.tolist()


def test_state_bytes_are_seed_and_draws_little_endian():
    g = rt.Generator().manual_seed(0x0102030405060708)
    rt.rand(3, generator=g)
    rt.rand(3, generator=g)
    b = bytes(g.get_state().tolist())
    assert int.from_bytes(b[:8], "little") == 0x0102030405060708
    assert int.from_bytes(b[8:], "little") == 2
    # A state of another shape but 16 bytes is taken as torch takes its states (by element count).
    other = rt.Generator().set_state(g.get_state().view(4, 4))
    assert other.initial_seed() == 0x0102030405060708
    assert rt.rand(5, generator=other).tolist() == rt.rand(5, generator=g).tolist()


def test_rng_state_round_trip_default():
    rt.manual_seed(4)
    s = rt.get_rng_state()
    assert s.dtype == rt.uint8
    a = rt.rand(5)
    b = rt.randn(3)
    rt.set_rng_state(s)
    assert rt.rand(5).tolist() == a.tolist()
    assert rt.randn(3).tolist() == b.tolist()
    assert rt.set_rng_state(s) is None


def test_set_state_errors():
    g = rt.Generator()
    with pytest.raises(TypeError, match="^expected a rtensor.ByteTensor, but got list$"):
        g.set_state([1, 2])
    with pytest.raises(TypeError, match="^RNG state must be a rtensor.ByteTensor$"):
        g.set_state(rt.zeros(16, dtype=rt.int64))
    with pytest.raises(TypeError, match="^RNG state must be a rtensor.ByteTensor$"):
        rt.set_rng_state(rt.zeros(16, dtype=rt.int8))
    with pytest.raises(RuntimeError, match="^Expected an RNG state of size 16 but found the input RNG state size "
                                           "to be 3$"):
        g.set_state(rt.zeros(3, dtype=rt.uint8))


def test_set_state_error_types_match_torch():
    torch = pytest.importorskip("torch")
    for bad in (lambda L: [1, 2], lambda L: L.zeros(3, dtype=L.int64), lambda L: L.zeros(3, dtype=L.uint8)):
        kinds = []
        for L in (rt, torch):
            with pytest.raises(Exception) as e:
                L.Generator().set_state(bad(L))
            kinds.append(type(e.value))
        assert kinds[0] is kinds[1]
    assert torch.get_rng_state().dtype == torch.uint8


SAMPLERS = {
    "rand": lambda g: rt.rand(300000, generator=g),
    "randn": lambda g: rt.randn(300000, generator=g),
    "randint": lambda g: rt.randint(0, 1000, (300000,), generator=g),
    "normal": lambda g: rt.normal(rt.zeros(300000), rt.ones(300000), generator=g),
    "randperm": lambda g: rt.randperm(300000, generator=g),
    "bernoulli": lambda g: rt.bernoulli(rt.full((300000,), 0.3), generator=g),
    "multinomial": lambda g: rt.multinomial(rt.rand(300, 50) + 0.1, 20, generator=g),
    "multinomial_replacement": lambda g: rt.multinomial(rt.rand(300, 50) + 0.1, 20, True, generator=g),
    "poisson": lambda g: rt.poisson(rt.full((200000,), 3.0), generator=g),
    "gamma": lambda g: rt._standard_gamma(rt.full((200000,), 0.7), generator=g),
    "normal_": lambda g: rt.empty(300000).normal_(generator=g),
    "uniform_": lambda g: rt.empty(300000).uniform_(-2, 3, generator=g),
    "exponential_": lambda g: rt.empty(300000).exponential_(2.0, generator=g),
    "random_": lambda g: rt.empty(300000, dtype=rt.int64).random_(generator=g),
}


@pytest.mark.parametrize("name", sorted(SAMPLERS))
def test_seeded_result_independent_of_thread_count(name, threads):
    f = SAMPLERS[name]
    rt.manual_seed(0)  # the multinomial inputs come from the default generator
    rt.set_num_threads(1)
    a = f(rt.Generator().manual_seed(42)).tolist()
    rt.manual_seed(0)
    rt.set_num_threads(2)
    b = f(rt.Generator().manual_seed(42)).tolist()
    assert a == b
    rt.manual_seed(0)
    assert f(rt.Generator().manual_seed(43)).tolist() != a


# ---------------------------------------------------------------------------------------------- normal


def test_normal_overloads_shapes_dtypes_nodes():
    m = rt.zeros(3, requires_grad=True)
    s = rt.ones(3, requires_grad=True)
    assert rt.normal(m, s).grad_fn.name() == "NormalBackward3"
    assert rt.normal(m, 1.0).grad_fn.name() == "NormalBackward1"
    assert rt.normal(0.0, s).grad_fn.name() == "NormalBackward2"
    t = rt.normal(0, 0.01, (2, 1), requires_grad=True)
    assert t.shape == (2, 1) and t.requires_grad and t.is_leaf and t.dtype == rt.float32
    assert rt.normal(0.0, 1.0, (2, 3), dtype=rt.float64).dtype == rt.float64
    assert rt.normal(rt.zeros(2, 3), rt.ones(3)).shape == (2, 3)
    assert rt.normal(rt.zeros(3), rt.ones(3, dtype=rt.float64)).dtype == rt.float32
    assert rt.normal(rt.zeros(3, dtype=rt.float64), 1.0).dtype == rt.float64


def test_normal_out():
    out = rt.empty(4)
    r = rt.normal(rt.zeros(4), rt.ones(4), out=out)
    assert r is out
    with pytest.raises(RuntimeError, match="don't support automatic differentiation"):
        rt.normal(rt.zeros(3, requires_grad=True), rt.ones(3), out=rt.zeros(3))


def test_normal_errors():
    with pytest.raises(RuntimeError, match=r"^normal expects std >= 0.0, but found std -1.5$"):
        rt.normal(0.0, -1.5, (2,))
    with pytest.raises(RuntimeError, match=r"^normal expects std >= 0.0, but found std -1$"):
        rt.normal(rt.zeros(3), -1.0)
    with pytest.raises(RuntimeError, match=r"^normal expects all elements of std >= 0.0$"):
        rt.normal(0.0, -rt.ones(3))
    with pytest.raises(RuntimeError, match="must match the size of tensor b"):
        rt.normal(rt.zeros(3), rt.ones(4))
    with pytest.raises(NotImplementedError, match="\"normal_kernel_cpu\" not implemented for 'Long'"):
        rt.normal(rt.zeros(3, dtype=rt.int64), rt.ones(3))
    with pytest.raises(RuntimeError, match="negative dimension -1"):
        rt.normal(0.0, 1.0, (-1,))


def test_normal_statistics():
    g = rt.Generator().manual_seed(1)
    x = rt.normal(2.0, 3.0, (400000,), generator=g, dtype=rt.float64).numpy()
    assert abs(x.mean() - 2.0) < 0.05
    assert abs(x.std() - 3.0) < 0.05
    # Tails: P(|z| > 3) = 0.0027, P(|z| > 4) = 6.3e-5.
    z = np.abs((x - 2.0) / 3.0)
    assert 0.0020 < (z > 3).mean() < 0.0035
    assert (z > 4).mean() < 2e-4
    # Every bin of a 20-bin histogram on [-2.5, 2.5] within 4% of the normal probability.
    edges = np.linspace(-2.5, 2.5, 21)
    counts, _ = np.histogram((x - 2.0) / 3.0, edges)
    cdf = np.array([0.5 * (1 + math.erf(e / math.sqrt(2))) for e in edges])
    expected = np.diff(cdf) * len(x)
    assert np.all(np.abs(counts - expected) < 0.04 * expected + 50)


def test_randn_float32_statistics_and_range():
    x = rt.randn(1 << 20, generator=rt.Generator().manual_seed(5)).numpy().astype(np.float64)
    assert abs(x.mean()) < 0.01 and abs(x.var() - 1) < 0.01
    assert abs((x ** 3).mean()) < 0.02 and abs((x ** 4).mean() - 3) < 0.05


@pytest.mark.parametrize("dtype", ["float64", "float32", "float16", "bfloat16"])
def test_normal_samples_are_normal_and_independent(dtype):
    # Box-Muller makes values in pairs (a cosine and a sine half of each batch of 128): neighbours
    # and partners (64 apart) must be uncorrelated, and every dtype's values normal.
    x = rt.randn(1 << 19, generator=rt.Generator().manual_seed(11), dtype=getattr(rt, dtype))
    assert x.dtype == getattr(rt, dtype)
    x = x.float().numpy().astype(np.float64)
    assert abs(x.mean()) < 0.01 and abs(x.var() - 1) < 0.02
    assert abs((x ** 4).mean() - 3) < 0.06
    for lag in (1, 2, 64, 128, 1 << 16):
        assert abs(np.corrcoef(x[:-lag], x[lag:])[0, 1]) < 0.01, lag


def test_log_normal_statistics():
    x = rt.empty(1 << 19, dtype=rt.float64).log_normal_(0.5, 0.25, generator=rt.Generator().manual_seed(3))
    y = np.log(x.numpy())
    assert abs(y.mean() - 0.5) < 0.005 and abs(y.std() - 0.25) < 0.005


def test_normal_gradients():
    m = rt.tensor([0.5, -1.0], dtype=rt.float64, requires_grad=True)
    s = rt.tensor([2.0, 0.5], dtype=rt.float64, requires_grad=True)
    g = rt.Generator().manual_seed(3)
    y = rt.normal(m, s, generator=g)
    y.sum().backward()
    assert m.grad.tolist() == [1.0, 1.0]
    eps = ((y - m) / s).detach()
    np.testing.assert_allclose(s.grad.numpy(), eps.numpy(), rtol=1e-12)


def test_normal_broadcast_gradient_shapes():
    m = rt.zeros(3, requires_grad=True)
    s = rt.ones(2, 1, requires_grad=True)
    rt.normal(m, s).sum().backward()
    assert m.grad.shape == (3,) and m.grad.tolist() == [2.0, 2.0, 2.0]
    assert s.grad.shape == (2, 1)


# --------------------------------------------------------------------------------------------- in place


INPLACE = [
    ("uniform_", (), "UniformBackward0"),
    ("normal_", (), "NormalBackward0"),
    ("exponential_", (), "ExponentialBackward0"),
    ("geometric_", (0.5,), "GeometricBackward0"),
    ("cauchy_", (), "CauchyBackward0"),
    ("log_normal_", (), "LogNormalBackward0"),
    ("bernoulli_", (0.5,), "BernoulliBackward2"),
    ("random_", (), "RandomBackward2"),
    ("random_", (5,), "RandomBackward1"),
    ("random_", (1, 5), "RandomBackward0"),
]


@pytest.mark.parametrize("name,args,node", INPLACE)
def test_inplace_nodes_and_zero_gradient(name, args, node):
    x = rt.rand(4, requires_grad=True)
    y = x.clone()
    r = getattr(y, name)(*args)
    assert r is y
    assert y.grad_fn.name() == node
    (y * 2).sum().backward()
    assert x.grad.tolist() == [0.0] * 4


@pytest.mark.parametrize("name,args,node", INPLACE)
def test_inplace_on_leaf_requiring_grad_raises(name, args, node):
    x = rt.rand(3, requires_grad=True)
    with pytest.raises(RuntimeError, match="a leaf Variable that requires grad"):
        getattr(x, name)(*args)


def test_bernoulli_tensor_p_inplace_node():
    x = rt.rand(3, requires_grad=True)
    y = x.clone()
    y.bernoulli_(rt.rand(3))
    assert y.grad_fn.name() == "BernoulliBackward1"


def test_inplace_non_contiguous_and_version():
    a = rt.zeros(4, 6)
    v = a.t()
    v.uniform_(5, 6)
    assert float(a.min()) >= 5 and float(a.max()) < 6
    b = rt.zeros(8)
    before = b._version
    b.normal_()
    assert b._version > before


def test_inplace_statistics():
    g = rt.Generator().manual_seed(2)
    n = 400000
    u = rt.empty(n, dtype=rt.float64).uniform_(-2, 3, generator=g).numpy()
    assert u.min() >= -2 and u.max() < 3 and abs(u.mean() - 0.5) < 0.02 and abs(u.var() - 25 / 12) < 0.03
    e = rt.empty(n, dtype=rt.float64).exponential_(2.0, generator=g).numpy()
    assert e.min() >= 0 and abs(e.mean() - 0.5) < 0.01 and abs(e.var() - 0.25) < 0.01
    geo = rt.empty(n, dtype=rt.float64).geometric_(0.25, generator=g).numpy()
    assert geo.min() >= 1 and np.all(geo == np.round(geo)) and abs(geo.mean() - 4) < 0.05
    c = rt.empty(n, dtype=rt.float64).cauchy_(1.0, 2.0, generator=g).numpy()
    assert abs(np.median(c) - 1.0) < 0.03 and abs(np.percentile(c, 75) - 3.0) < 0.06
    ln = rt.empty(n, dtype=rt.float64).log_normal_(0.5, 0.25, generator=g).numpy()
    assert abs(np.log(ln).mean() - 0.5) < 0.005 and abs(np.log(ln).std() - 0.25) < 0.005
    nm = rt.empty(n).normal_(3.0, 0.5, generator=g).numpy()
    assert abs(nm.mean() - 3.0) < 0.01 and abs(nm.std() - 0.5) < 0.01
    b = rt.empty(n).bernoulli_(0.3, generator=g).numpy()
    assert set(np.unique(b)) <= {0.0, 1.0} and abs(b.mean() - 0.3) < 0.01


def test_random_ranges():
    g = rt.Generator().manual_seed(6)
    r = rt.empty(100000, dtype=rt.int64).random_(3, 9, generator=g).numpy()
    assert set(np.unique(r)) == set(range(3, 9))
    r = rt.empty(100000, dtype=rt.int32).random_(7, generator=g).numpy()
    assert set(np.unique(r)) == set(range(7))
    r = rt.empty(1000, dtype=rt.bool).random_(generator=g).numpy()
    assert set(np.unique(r)) == {False, True}
    r = rt.empty(100000, dtype=rt.float32).random_(generator=g).numpy()
    assert r.min() >= 0 and r.max() <= 2**24 and np.all(r == np.round(r))
    r = rt.empty(100000, dtype=rt.int64).random_(-2**63, 2**63 - 1, generator=g).numpy()
    assert r.min() < -2**60 and r.max() > 2**60


INPLACE_ERRORS = [
    (lambda: rt.zeros(3).uniform_(2, 1), RuntimeError,
     "uniform_ expects to return a [from, to) range, but found from=2 > to=1"),
    (lambda: rt.zeros(3).normal_(0, -1), RuntimeError, "normal expects std >= 0.0, but found std -1"),
    (lambda: rt.zeros(3).exponential_(-1), RuntimeError, "exponential_ expects lambda > 0.0, but found lambda=-1"),
    (lambda: rt.zeros(3).exponential_(0), RuntimeError, "exponential_ expects lambda > 0.0, but found lambda=0"),
    (lambda: rt.zeros(3).geometric_(0), RuntimeError, "geometric_ expects p to be in (0, 1), but got p=0"),
    (lambda: rt.zeros(3).geometric_(1.5), RuntimeError, "geometric_ expects p to be in (0, 1), but got p=1.5"),
    (lambda: rt.zeros(3).cauchy_(0, -1), RuntimeError, "cauchy_ expects sigma > 0.0, but found sigma=-1"),
    (lambda: rt.zeros(3).log_normal_(0, -1), RuntimeError, "log_normal_ expects std > 0.0, but found std=-1"),
    (lambda: rt.zeros(3).bernoulli_(1.5), RuntimeError, "bernoulli_ expects p to be in [0, 1], but got p=1.5"),
    (lambda: rt.zeros(3).bernoulli_(rt.full((3,), 2.0)), RuntimeError, P_MSG),
    (lambda: rt.zeros(3, dtype=rt.int64).uniform_(), NotImplementedError,
     "\"check_uniform_bounds\" not implemented for 'Long'"),
    (lambda: rt.zeros(3, dtype=rt.int64).normal_(), NotImplementedError,
     "\"normal_kernel_cpu\" not implemented for 'Long'"),
    (lambda: rt.zeros(3, dtype=rt.int64).exponential_(), RuntimeError,
     "Exponential distribution is a continuous probability distribution. dtype must be a floating point but "
     "you specified Long"),
    (lambda: rt.zeros(3, dtype=rt.int32).cauchy_(), RuntimeError,
     "Cauchy distribution is a continuous probability distribution. dtype must be a floating point but you "
     "specified int"),
    (lambda: rt.zeros(3, dtype=rt.int64).log_normal_(), NotImplementedError,
     "\"log_normal_cpu\" not implemented for 'Long'"),
    (lambda: rt.zeros(3, dtype=rt.bool).geometric_(0.5), NotImplementedError,
     "\"geometric_cpu\" not implemented for 'Bool'"),
    (lambda: rt.zeros(3, dtype=rt.bool).random_(5), RuntimeError, "to - 1 is out of bounds for bool"),
    (lambda: rt.zeros(3, dtype=rt.int32).random_(2**40), RuntimeError, "to - 1 is out of bounds for int"),
    (lambda: rt.zeros(3, dtype=rt.int32).random_(-2**40, 5), RuntimeError, "from is out of bounds for int"),
    (lambda: rt.zeros(3, dtype=rt.int32).random_(5, 2), RuntimeError,
     "random_ expects 'from' to be less than 'to', but got from=5 >= to=2"),
]


@pytest.mark.parametrize("i", range(len(INPLACE_ERRORS)))
def test_inplace_errors_write_nothing(i):
    f, exc, msg = INPLACE_ERRORS[i]
    with pytest.raises(exc) as info:
        f()
    assert str(info.value) == msg


def test_failed_inplace_leaves_tensor_unchanged():
    x = rt.arange(6.0)
    with pytest.raises(RuntimeError):
        x.bernoulli_(rt.tensor([0.5, 0.5, 0.5, 0.5, 0.5, 1.5]))
    assert x.tolist() == [0.0, 1.0, 2.0, 3.0, 4.0, 5.0]
    with pytest.raises(RuntimeError):
        x.normal_(0, -1)
    assert x.tolist() == [0.0, 1.0, 2.0, 3.0, 4.0, 5.0]


# ------------------------------------------------------------------------------------------- bernoulli


def test_bernoulli_values_dtypes_node():
    p = rt.full((3,), 0.5, requires_grad=True)
    y = rt.bernoulli(p)
    assert y.grad_fn.name() == "BernoulliBackward0" and y.dtype == rt.float32
    assert rt.bernoulli(rt.full((3,), 0.5, dtype=rt.float64)).dtype == rt.float64
    assert rt.bernoulli(rt.zeros(5)).tolist() == [0.0] * 5
    assert rt.bernoulli(rt.ones(5)).tolist() == [1.0] * 5
    assert rt.full((3,), 0.5).bernoulli().shape == (3,)
    assert rt.bernoulli(rt.zeros(3), 1.0).tolist() == [1.0, 1.0, 1.0]


def test_bernoulli_statistics():
    g = rt.Generator().manual_seed(8)
    p = rt.linspace(0, 1, 11, dtype=rt.float64).repeat(20000)
    x = rt.bernoulli(p, generator=g).numpy().reshape(20000, 11)
    np.testing.assert_allclose(x.mean(0), np.linspace(0, 1, 11), atol=0.015)


def test_bernoulli_errors():
    for bad in (1.5, -0.1, float("nan")):
        with pytest.raises(RuntimeError) as info:
            rt.bernoulli(rt.full((3,), bad))
        assert str(info.value).startswith(P_MSG)
    with pytest.raises(RuntimeError, match=r"bernoulli_ expects p to be in \[0, 1\], but got p=1.3"):
        rt.bernoulli(rt.full((3,), 0.5), 1.3)
    with pytest.raises(NotImplementedError, match="\"bernoulli_tensor_cpu_p_\" not implemented for 'Long'"):
        rt.bernoulli(rt.ones(3, dtype=rt.int64))


# ----------------------------------------------------------------------------------------- multinomial


def test_multinomial_shapes_dtypes():
    w = rt.tensor([1.0, 2, 3])
    assert rt.multinomial(w, 2).dtype == rt.int64 and rt.multinomial(w, 2).shape == (2,)
    assert rt.multinomial(rt.ones(4, 5), 3).shape == (4, 3)
    assert rt.multinomial(w, 10, True).shape == (10,)
    assert w.multinomial(2).shape == (2,)
    assert rt.multinomial(rt.tensor([[1.0, 2, 3]]).t(), 1).shape == (3, 1)


def test_multinomial_without_replacement_distinct_and_zero_weights():
    g = rt.Generator().manual_seed(1)
    w = rt.rand(200, 30, generator=g) + 0.01
    s = rt.multinomial(w, 30, generator=g).numpy()
    assert all(sorted(row) == list(range(30)) for row in s)
    w = rt.tensor([0.0, 1.0, 0.0, 2.0, 0.0])
    for _ in range(20):
        s = rt.multinomial(w, 2).tolist()
        assert sorted(s) == [1, 3]
        assert set(rt.multinomial(w, 50, True).tolist()) <= {1, 3}


def test_multinomial_statistics():
    g = rt.Generator().manual_seed(3)
    w = rt.tensor([1.0, 2.0, 3.0, 4.0], dtype=rt.float64)
    s = rt.multinomial(w, 200000, True, generator=g).numpy()
    np.testing.assert_allclose(np.bincount(s, minlength=4) / len(s), [0.1, 0.2, 0.3, 0.4], atol=0.005)
    # Without replacement: the first draw follows the weights, the second the renormalised rest.
    first = rt.multinomial(w.expand(100000, 4).contiguous(), 2, generator=g).numpy()
    np.testing.assert_allclose(np.bincount(first[:, 0], minlength=4) / len(first), [0.1, 0.2, 0.3, 0.4],
                               atol=0.007)
    second_given_3 = first[first[:, 0] == 3, 1]
    np.testing.assert_allclose(np.bincount(second_given_3, minlength=4)[:3] / len(second_given_3),
                               [1 / 6, 2 / 6, 3 / 6], atol=0.012)


MULTINOMIAL_ERRORS = [
    (lambda: rt.multinomial(rt.tensor([1.0, -2, 3]), 2), "probability tensor contains either `inf`, `nan` or element < 0"),
    (lambda: rt.multinomial(rt.tensor([1.0, float("inf"), 3]), 2), "probability tensor contains either `inf`, `nan` or element < 0"),
    (lambda: rt.multinomial(rt.tensor([1.0, float("nan"), 3]), 2), "probability tensor contains either `inf`, `nan` or element < 0"),
    (lambda: rt.multinomial(rt.tensor([0.0, 0, 0]), 2), "invalid multinomial distribution (sum of probabilities <= 0)"),
    (lambda: rt.multinomial(rt.tensor([[1.0, 1, 1], [0, 0, 0]]), 2), "invalid multinomial distribution (sum of probabilities <= 0)"),
    (lambda: rt.multinomial(rt.tensor([1.0, 1, 1]), 4), "cannot sample n_sample > prob_dist.size(-1) samples without replacement"),
    (lambda: rt.multinomial(rt.tensor([1.0, 1, 1]), 0), "cannot sample n_sample <= 0 samples"),
    (lambda: rt.multinomial(rt.tensor([1, 1, 1]), 2), "multinomial only supports floating-point dtypes for input, got: Long"),
    (lambda: rt.multinomial(rt.ones(2, 2, 2), 2), "prob_dist must be 1 or 2 dim"),
    (lambda: rt.multinomial(rt.tensor([1.0, 2, 3]), 2, out=rt.zeros(2, dtype=rt.int32)), "multinomial expects Long tensor out, got: Int"),
]


@pytest.mark.parametrize("i", range(len(MULTINOMIAL_ERRORS)))
def test_multinomial_errors(i):
    f, msg = MULTINOMIAL_ERRORS[i]
    with pytest.raises(RuntimeError) as info:
        f()
    assert str(info.value) == msg


# -------------------------------------------------------------------------------- randperm, poisson, gamma


@pytest.mark.parametrize("n", [0, 1, 5, 1000, 70000, 300001])
def test_randperm_is_a_permutation(n):
    p = rt.randperm(n, generator=rt.Generator().manual_seed(n)).numpy()
    assert p.dtype == np.int64
    assert np.array_equal(np.sort(p), np.arange(n))


def test_randperm_uniform_positions():
    # Where element 0 lands, over many permutations of 6: uniform (chi-square with 5 dof).
    g = rt.Generator().manual_seed(12)
    counts = np.zeros(6)
    for _ in range(3000):
        counts[int(rt.randperm(6, generator=g).numpy().argmin())] += 1
    chi2 = ((counts - 500) ** 2 / 500).sum()
    assert chi2 < 25  # p < 1e-4 under uniformity
    big = rt.randperm(200000, generator=g).numpy()
    assert abs(np.corrcoef(big, np.arange(200000))[0, 1]) < 0.02


def test_randperm_dtypes_and_errors():
    assert rt.randperm(5, dtype=rt.float32).dtype == rt.float32
    assert rt.randperm(5, dtype=rt.int32).dtype == rt.int32
    assert rt.randperm(5, dtype=rt.float64, requires_grad=True).requires_grad
    with pytest.raises(RuntimeError, match=r"^Trying to create tensor with negative dimension -1: \[-1\]$"):
        rt.randperm(-1)
    with pytest.raises(NotImplementedError, match="\"randperm\" not implemented for 'Bool'"):
        rt.randperm(5, dtype=rt.bool)
    with pytest.raises(RuntimeError, match="Only Tensors of floating point"):
        rt.randperm(5, requires_grad=True)
    with pytest.raises(RuntimeError, match=r"n cannot be greater than 2\^24\+1 for Float type."):
        rt.randperm(2**25, dtype=rt.float32)
    out = rt.zeros(5)
    assert rt.randperm(5, out=out) is out
    assert sorted(out.tolist()) == [0.0, 1.0, 2.0, 3.0, 4.0]


@pytest.mark.parametrize("lam", [0.0, 0.3, 4.0, 9.99, 10.0, 37.5, 1000.0])
def test_poisson_statistics(lam):
    g = rt.Generator().manual_seed(int(lam * 10))
    x = rt.poisson(rt.full((100000,), lam, dtype=rt.float64), generator=g).numpy()
    assert np.all(x == np.round(x)) and x.min() >= 0
    tol = 0.03 * max(lam, 0.1) ** 0.5 + 1e-12
    assert abs(x.mean() - lam) < tol
    assert abs(x.var() - lam) < 0.05 * max(lam, 0.1) + 1e-12


def test_poisson_node_and_errors():
    r = rt.ones(3, requires_grad=True)
    y = rt.poisson(r)
    assert y.grad_fn.name() == "PoissonBackward0"
    y.sum().backward()
    assert r.grad.tolist() == [0.0, 0.0, 0.0]
    with pytest.raises(RuntimeError, match="invalid Poisson rate, expected rate to be non-negative"):
        rt.poisson(-rt.ones(3))
    with pytest.raises(NotImplementedError, match="\"poisson_cpu\" not implemented for 'Long'"):
        rt.poisson(rt.ones(3, dtype=rt.int64))


@pytest.mark.parametrize("alpha", [0.1, 0.7, 1.0, 2.5, 30.0])
def test_standard_gamma_statistics(alpha):
    g = rt.Generator().manual_seed(int(alpha * 100))
    x = rt._standard_gamma(rt.full((200000,), alpha, dtype=rt.float64), generator=g).numpy()
    assert x.min() > 0
    assert abs(x.mean() - alpha) < 0.02 * alpha ** 0.5 + 0.002
    assert abs(x.var() - alpha) < 0.06 * alpha


def test_standard_gamma_tiny_for_bad_shapes():
    y = rt._standard_gamma(rt.tensor([0.0, -1.0, float("nan")]))
    assert y.tolist() == [1.1754943508222875e-38] * 3


GAMMA_GRAD = [  # torch._standard_gamma_grad(alpha, x), torch 2.15, float64
    (1.5, 0.5, 0.6077135272022628), (2.0, 3.0, 1.3217135585744596),
]


def test_standard_gamma_grad_values():
    a = rt.tensor([1.5, 2.0], dtype=rt.float64)
    x = rt.tensor([0.5, 3.0], dtype=rt.float64)
    got = rt._standard_gamma_grad(a, x).tolist()
    np.testing.assert_allclose(got, [v for _, _, v in GAMMA_GRAD], rtol=1e-6)


def test_standard_gamma_grad_matches_torch():
    torch = pytest.importorskip("torch")
    a = np.array([0.05, 0.3, 0.9, 1.5, 4.0, 7.9, 8.5, 20.0, 20.0, 20.0, 100.0])
    x = np.array([0.01, 0.5, 0.79, 2.0, 4.0, 9.0, 8.5, 19.0, 10.0, 40.0, 95.0])
    want = torch._standard_gamma_grad(torch.tensor(a), torch.tensor(x)).numpy()
    got = rt._standard_gamma_grad(rt.tensor(a), rt.tensor(x)).numpy()
    np.testing.assert_allclose(got, want, rtol=1e-10)


def test_standard_gamma_gradient_node_and_finite_difference():
    alpha = rt.tensor([0.6, 2.0, 12.0], dtype=rt.float64, requires_grad=True)
    g = rt.Generator().manual_seed(21)
    y = rt._standard_gamma(alpha, generator=g)
    assert y.grad_fn.name() == "StandardGammaBackward0"
    y.sum().backward()
    # The implicit gradient -dF/dalpha / f at the sample: check against the CDF by finite differences.
    from math import exp, lgamma, log

    def cdf(a, v, terms=400):  # regularised lower incomplete gamma by its series
        s, term = 0.0, 1.0 / a
        for k in range(terms):
            s += term
            term *= v / (a + k + 1)
        return s * exp(a * log(v) - v - lgamma(a))

    for a, v, got in zip(alpha.tolist(), y.tolist(), alpha.grad.tolist()):
        h = 1e-6
        dfda = (cdf(a + h, v) - cdf(a - h, v)) / (2 * h)
        pdf = exp((a - 1) * log(v) - v - lgamma(a))
        assert abs(got - (-dfda / pdf)) < 2e-3 * max(1.0, abs(got))


# -------------------------------------------------------------------------------------------- *_like


def test_like_samplers():
    x = rt.zeros(2, 3, dtype=rt.float64)
    assert rt.rand_like(x).dtype == rt.float64 and rt.randn_like(x).shape == (2, 3)
    g = rt.Generator().manual_seed(1)
    a = rt.randn_like(x, generator=g)
    g.manual_seed(1)
    assert rt.randn_like(x, generator=g).tolist() == a.tolist()
    r = rt.randint_like(rt.zeros(1000, dtype=rt.int32), 5)
    assert r.dtype == rt.int32 and set(r.tolist()) == set(range(5))
    r = rt.randint_like(rt.zeros(1000), 3, 6)
    assert r.dtype == rt.float32 and set(r.tolist()) == {3.0, 4.0, 5.0}
    assert rt.randint_like(rt.zeros(3), 5, requires_grad=True).requires_grad
    with pytest.raises(RuntimeError, match="random_ expects 'from' to be less than 'to', but got from=5 >= to=2"):
        rt.randint_like(rt.zeros(3), 5, 2)


def test_randint_like_tensor_bounds():
    x = rt.zeros(200)
    r = rt.randint_like(x, rt.tensor(4))
    assert r.dtype == rt.float32 and set(r.tolist()) == {0.0, 1.0, 2.0, 3.0}
    assert set(rt.randint_like(x, high=rt.tensor(3)).tolist()) == {0.0, 1.0, 2.0}
    # A float tensor is truncated as torch's item<int64_t>().
    assert set(rt.randint_like(x, rt.tensor(2.9), dtype=rt.int64).tolist()) == {0, 1}
    assert set(rt.randint_like(x, rt.tensor(3, dtype=rt.int32)).tolist()) == {0.0, 1.0, 2.0}
    assert rt.randint_like(x, rt.tensor(True)).tolist() == [0.0] * 200
    # Integer tensors also bind to the int overloads (through __index__), low and high both.
    assert set(rt.randint_like(x, rt.tensor(2), rt.tensor(4)).tolist()) == {2.0, 3.0}
    assert set(rt.randint_like(x, low=1, high=rt.tensor(3)).tolist()) == {1.0, 2.0}
    g = rt.Generator().manual_seed(3)
    a = rt.randint_like(x, rt.tensor(9), generator=g)
    g.manual_seed(3)
    assert rt.randint_like(x, 9, generator=g).tolist() == a.tolist()


def test_randint_like_tensor_bound_errors():
    x = rt.zeros(3)
    with pytest.raises(RuntimeError, match="^high must be a scalar tensor and on CPU$"):
        rt.randint_like(x, rt.tensor([5.0]))
    with pytest.raises(RuntimeError, match="^value cannot be converted to type int64_t without overflow$"):
        rt.randint_like(x, rt.tensor(float("nan")))
    with pytest.raises(RuntimeError, match="^value cannot be converted to type int64_t without overflow$"):
        rt.randint_like(x, rt.tensor(1e30))
    with pytest.raises(RuntimeError, match="but got from=0 >= to=0"):
        rt.randint_like(x, rt.tensor(-0.5))
    with pytest.raises(TypeError, match="randint_like\\(\\) received an invalid combination of arguments"):
        rt.randint_like(x, rt.tensor(2.5), 5)
    with pytest.raises(TypeError, match="randint_like\\(\\) received an invalid combination of arguments"):
        rt.randint_like(x, 2, rt.tensor(5.5))


def test_randint_like_tensor_bounds_match_torch():
    torch = pytest.importorskip("torch")
    cases = [
        lambda L: L.randint_like(L.zeros(2, 3), L.tensor(5)),
        lambda L: L.randint_like(L.zeros(2, 3), L.tensor(5.5)),
        lambda L: L.randint_like(L.zeros(2, 3, dtype=L.int32), L.tensor(5)),
        lambda L: L.randint_like(L.zeros(2, 3), L.tensor(5), dtype=L.int16),
        lambda L: L.randint_like(L.zeros(2, 3), L.tensor([2]), 5),
        lambda L: L.randint_like(L.zeros(2, 3), L.tensor([5])),
        lambda L: L.randint_like(L.zeros(2, 3), L.tensor(float("inf"))),
        lambda L: L.randint_like(L.zeros(2, 3), L.tensor(2.5), L.tensor(5.0)),
        lambda L: L.randint_like(L.zeros(2, 3), L.tensor(0)),
    ]
    for c in cases:
        outs = []
        for L in (rt, torch):
            try:
                r = c(L)
                outs.append((str(r.dtype).split(".")[-1], tuple(r.shape)))
            except Exception as e:  # noqa: BLE001 - comparing the exception types
                outs.append(type(e))
        assert outs[0] == outs[1]


RANDOM_CREATORS = [
    lambda L, **k: L.rand(2, 3, **k),
    lambda L, **k: L.randn(2, 3, **k),
    lambda L, **k: L.randint(5, (2, 3), **k),
    lambda L, **k: L.randint(1, 5, (2, 3), **k),
    lambda L, **k: L.randperm(5, **k),
    lambda L, **k: L.normal(0.0, 1.0, (2, 3), **k),
    lambda L, **k: L.rand_like(L.zeros(2, 3), **k),
    lambda L, **k: L.randn_like(L.zeros(2, 3), **k),
    lambda L, **k: L.randint_like(L.zeros(2, 3), 4, **k),
    lambda L, **k: L.randint_like(L.zeros(2, 3), 1, 4, **k),
    lambda L, **k: L.randint_like(L.zeros(2, 3), L.tensor(4), **k),
]


@pytest.mark.parametrize("i", range(len(RANDOM_CREATORS)))
def test_random_creators_take_layout_and_pin_memory(i):
    make = RANDOM_CREATORS[i]
    a = make(rt, layout=rt.strided, pin_memory=False)
    b = make(rt, layout=None)
    assert a.shape == b.shape and a.dtype == b.dtype and a.layout == rt.strided
    with pytest.raises(TypeError, match="argument 'layout' must be rtensor.layout, not str|invalid combination"):
        make(rt, layout="strided")


def test_random_creators_layout_match_torch():
    torch = pytest.importorskip("torch")
    for make in RANDOM_CREATORS:
        a, b = make(rt, layout=rt.strided, pin_memory=False), make(torch, layout=torch.strided, pin_memory=False)
        assert tuple(a.shape) == tuple(b.shape) and str(a.dtype).split(".")[-1] == str(b.dtype).split(".")[-1]
        for L in (rt, torch):
            with pytest.raises(TypeError):
                make(L, layout="strided")
    # The tensor-parameter samplers take neither, in torch as here.
    for L in (rt, torch):
        with pytest.raises(TypeError, match="invalid combination of arguments"):
            L.normal(L.zeros(3), 1.0, layout=L.strided)
        with pytest.raises(TypeError, match="invalid combination of arguments"):
            L.bernoulli(L.zeros(3), layout=L.strided)


LIKE_SAMPLERS = [
    lambda L, x, **k: L.rand_like(x, **k),
    lambda L, x, **k: L.randn_like(x, **k),
    lambda L, x, **k: L.randint_like(x, 4, **k),
    lambda L, x, **k: L.randint_like(x, 1, 4, **k),
    lambda L, x, **k: L.randint_like(x, L.tensor(4), **k),
]


@pytest.mark.parametrize("i", range(len(LIKE_SAMPLERS)))
def test_like_samplers_memory_format(i):
    make = LIKE_SAMPLERS[i]
    x = rt.zeros(2, 3, 4, 5)
    assert make(rt, x.transpose(1, 3)).stride() == x.transpose(1, 3).stride()
    assert make(rt, x.transpose(1, 3), memory_format=rt.preserve_format).stride() == (60, 1, 5, 20)
    assert make(rt, x.transpose(1, 3), memory_format=rt.contiguous_format).stride() == (60, 12, 3, 1)
    assert make(rt, x, memory_format=rt.channels_last).stride() == (60, 1, 15, 3)
    assert make(rt, rt.zeros(2, 3, 4, 5, 6), memory_format=rt.channels_last_3d).stride() == (360, 1, 90, 18, 3)
    g = rt.Generator().manual_seed(5)
    with pytest.raises(RuntimeError, match="^required rank 4 tensor to use channels_last format$"):
        make(rt, rt.zeros(2, 3), memory_format=rt.channels_last, generator=g)
    with pytest.raises(RuntimeError, match="^required rank 5 tensor to use channels_last_3d format$"):
        make(rt, x, memory_format=rt.channels_last_3d)
    # A bad format fails before drawing: the generator has not moved.
    assert g.get_state().tolist() == rt.Generator().manual_seed(5).get_state().tolist()
    with pytest.raises(TypeError, match="memory_format|invalid combination"):
        make(rt, x, memory_format="channels_last")


def test_generator_keyword_everywhere():
    g = rt.Generator()
    for call in (lambda: rt.rand(3, generator=g), lambda: rt.randn(3, generator=g),
                 lambda: rt.randint(5, (3,), generator=g), lambda: rt.randperm(3, generator=g),
                 lambda: rt.normal(0.0, 1.0, (3,), generator=g), lambda: rt.bernoulli(rt.rand(3), generator=g),
                 lambda: rt.multinomial(rt.ones(3), 2, generator=g), lambda: rt.poisson(rt.ones(3), g),
                 lambda: rt.rand_like(rt.zeros(3), generator=g)):
        before = g.get_state().tolist()
        call()
        assert g.get_state().tolist() != before


def test_negative_sizes():
    for f in (lambda: rt.rand(-1), lambda: rt.randn(2, -3), lambda: rt.randint(0, 5, (-1,)),
              lambda: rt.normal(0.0, 1.0, (-1,))):
        with pytest.raises(RuntimeError, match="Trying to create tensor with negative dimension"):
            f()


def test_node_names_match_torch():
    torch = pytest.importorskip("torch")
    cases = [
        lambda L: L.normal(L.zeros(3, requires_grad=True), L.ones(3, requires_grad=True)),
        lambda L: L.normal(L.zeros(3, requires_grad=True), 1.0),
        lambda L: L.normal(0.0, L.ones(3, requires_grad=True)),
        lambda L: L.bernoulli(L.full((3,), 0.5, requires_grad=True)),
        lambda L: L.poisson(L.ones(3, requires_grad=True)),
        lambda L: L._standard_gamma(L.ones(3, requires_grad=True)),
    ] + [(lambda n, a: lambda L: getattr(L.rand(3, requires_grad=True).clone(), n)(*a))(n, a)
         for n, a, _ in INPLACE]
    for c in cases:
        assert c(rt).grad_fn.name() == c(torch).grad_fn.name()


def test_dtypes_match_torch():
    torch = pytest.importorskip("torch")
    cases = [
        lambda L: L.normal(L.zeros(3), L.ones(3, dtype=L.float64)),
        lambda L: L.normal(0.0, L.ones(3, dtype=L.float64)),
        lambda L: L.bernoulli(L.rand(3, dtype=L.float64)),
        lambda L: L.multinomial(L.rand(3, dtype=L.float64), 2),
        lambda L: L.randperm(4),
        lambda L: L.randint_like(L.zeros(3, dtype=L.int32), 4),
        lambda L: L.poisson(L.ones(2, dtype=L.float64)),
        lambda L: L._standard_gamma(L.ones(2, dtype=L.float64)),
        lambda L: L.zeros(3, dtype=L.int64).geometric_(0.5),
        lambda L: L.zeros(3, dtype=L.bool).bernoulli_(0.5),
    ]
    for c in cases:
        a, b = c(rt), c(torch)
        assert str(a.dtype).split(".")[-1] == str(b.dtype).split(".")[-1]
        assert tuple(a.shape) == tuple(b.shape)
