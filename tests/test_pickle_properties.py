# Property tests of pickle and copy.deepcopy round trips (python/rtensor/_pickle.py): every dtype, shapes with
# 0-size and 1-size dims, and layouts made by slicing with steps and offsets, permuting and expanding; at every
# protocol, and out of band at protocol 5. Examples are derandomized (tests/conftest.py).
import copy
import pickle

import pytest

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

import rtensor as rt  # noqa: E402
from conftest import hypothesis_examples  # noqa: E402

N = hypothesis_examples(60)
DTYPES = [rt.float32, rt.float64, rt.float16, rt.bfloat16, rt.int64, rt.int32, rt.int16, rt.int8, rt.uint8,
          rt.bool]


@st.composite
def tensors(draw):
    """A view of a fresh tensor: any dtype, 0-4 dims, sliced with offsets and steps, permuted, maybe with
    an expanded (stride 0) dim; float values include infinities, NaN and -0.0."""
    dtype = draw(st.sampled_from(DTYPES))
    shape = draw(st.lists(st.integers(0, 5), max_size=4))
    n = 1
    for s in shape:
        n *= s
    base = rt.arange(n, dtype=rt.float64) % 7 - 3
    if dtype.is_floating_point and n:
        specials = draw(st.lists(st.sampled_from([float("inf"), float("-inf"), float("nan"), -0.0, 0.5]),
                                 max_size=3))
        for i, v in enumerate(specials):
            base[i % n] = v
    base = (base % 2 if dtype == rt.bool else base % 256 if dtype == rt.uint8 else base).to(dtype)
    t = base.reshape(shape)
    index = []
    for s in shape:
        start = draw(st.integers(0, s))
        step = draw(st.integers(1, 3))
        index.append(slice(start, None, step))
    t = t[tuple(index)] if index else t
    if t.dim() > 1:
        t = t.permute(*draw(st.permutations(range(t.dim()))))
    if draw(st.booleans()):
        at = draw(st.integers(0, t.dim()))
        sizes = list(t.shape)
        sizes.insert(at, draw(st.integers(0, 3)))
        t = t.unsqueeze(at).expand(*sizes)
    return t


def same(u, t):
    assert u.dtype == t.dtype and u.shape == t.shape
    assert u.stride() == t.stride() and u.storage_offset() == t.storage_offset()
    assert u._storage_span()[1] == t._storage_span()[1]
    if t.dtype.is_floating_point:
        assert bool(((u == t) | (u.isnan() & t.isnan())).all())
        assert (u.signbit() == t.signbit()).all()
    else:
        assert rt.equal(u, t)


@settings(max_examples=N)
@given(tensors(), st.integers(0, pickle.HIGHEST_PROTOCOL), st.booleans())
def test_pickle_round_trip(t, protocol, requires_grad):
    if requires_grad and t.dtype.is_floating_point:
        t = t.detach().requires_grad_(True)
    u = pickle.loads(pickle.dumps([t, t], protocol=protocol))
    same(u[0].detach(), t.detach())
    assert u[0] is u[1] and u[0].requires_grad == t.requires_grad and u[0].grad is None


@settings(max_examples=N)
@given(tensors())
def test_out_of_band_round_trip_shares(t):
    buffers = []
    data = pickle.dumps(t, protocol=5, buffer_callback=buffers.append)
    assert len(buffers) == 1 and buffers[0].raw().nbytes == t._storage_span()[1]
    u = pickle.loads(data, buffers=buffers)
    same(u, t)
    if t._storage_span()[1]:
        assert u._storage_span() == t._storage_span()  # the same memory


@settings(max_examples=N)
@given(tensors(), tensors())
def test_deepcopy_round_trip(t, other):
    views = [t, t.detach(), other]
    d = copy.deepcopy(views)
    same(d[0], t)
    same(d[2], other)
    assert d[0]._storage_span() == d[1]._storage_span() != t._storage_span() or t._storage_span()[1] == 0
