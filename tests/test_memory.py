# Sizes that need more memory than the machine has are errors, never aborts: torch's RuntimeError
# "[enforce fail at alloc_cpu.cpp] . DefaultCPUAllocator: not enough memory: you tried to allocate
# N bytes." for a size that fits the arithmetic but not the machine, and torch's overflow messages
# for sizes whose byte count leaves int64. Every allocation whose size the user chooses is made
# fallibly (Rust's default allocation-failure handler would abort the process).
#
# The machine is assumed to have far less than 2**40 bytes (1 TiB): the sizes below are chosen so.
import re

import pytest

import rtensor as rt

UNDER_TORCH = getattr(rt, "_IS_TORCH_SHIM", False)
rtensor_only = pytest.mark.skipif(UNDER_TORCH, reason="rtensor-specific message or behaviour")


def oom(nbytes):
    """The out-of-memory message for an allocation of exactly `nbytes`."""
    return re.escape(f"not enough memory: you tried to allocate {nbytes} bytes.")


OOM_ANY = r"not enough memory: you tried to allocate \d+ bytes"


# ------------------------------------------------------------------------------------ factories

@pytest.mark.parametrize("make, nbytes", [
    (lambda: rt.empty(2**40), 4 * 2**40),
    (lambda: rt.zeros(2**40), 4 * 2**40),
    (lambda: rt.ones(2**20, 2**20), 4 * 2**40),
    (lambda: rt.full((2**38,), 1.5, dtype=rt.float64), 8 * 2**38),
    (lambda: rt.rand(2**40), 4 * 2**40),
    (lambda: rt.randn(2**40), 4 * 2**40),
    (lambda: rt.randint(0, 5, (2**40,)), 8 * 2**40),
    (lambda: rt.empty(2**42, dtype=rt.bool), 2**42),
    (lambda: rt.arange(0, 2**40), 8 * 2**40),
    (lambda: rt.arange(0.0, 2.0**40), 4 * 2**40),
    (lambda: rt.linspace(0, 1, 2**40), 4 * 2**40),
    (lambda: rt.eye(2**20), 4 * 2**40),
    (lambda: rt.eye(3, 2**40), 12 * 2**40),
])
def test_factory_beyond_memory(make, nbytes):
    with pytest.raises(RuntimeError, match=oom(nbytes)):
        make()


@rtensor_only
def test_message_has_torch_shape():
    with pytest.raises(RuntimeError) as e:
        rt.empty(2**40)
    assert str(e.value) == ("[enforce fail at alloc_cpu.cpp] . DefaultCPUAllocator: not enough memory: "
                            "you tried to allocate 4398046511104 bytes.")


@pytest.mark.parametrize("sizes", [
    (2**31, 2**31),
    (2**62,),
    (2**61,),
    (2**63 - 1,),
    (2**31, 2**31, 2**31),
    (2**40, 2**40, 0),
])
def test_size_overflow(sizes):
    shown = ", ".join(str(s) for s in sizes)
    with pytest.raises(RuntimeError, match=re.escape(f"Storage size calculation overflowed with sizes=[{shown}]")):
        rt.ones(*sizes)


def test_negative_size():
    with pytest.raises(RuntimeError, match=re.escape("Trying to create tensor with negative dimension -1: [-1]")):
        rt.ones(-1)
    with pytest.raises(RuntimeError, match=re.escape("zeros: Dimension size must be non-negative.")):
        rt.zeros(-1)  # torch's zeros words it its own way
    with pytest.raises(RuntimeError, match=re.escape("Trying to create tensor with negative dimension -1: [2, -1]")):
        rt.empty(2, -1)


def test_ints_beyond_int64_are_type_errors():
    with pytest.raises(TypeError):
        rt.empty(2**64)


def test_memory_is_usable_after_a_failure():
    with pytest.raises(RuntimeError):
        rt.empty(2**40)
    assert rt.ones(1000).sum().item() == 1000.0


# ------------------------------------------------------------------------------------ views that materialise

def big_view(*shape, dtype=rt.float32):
    """A view of one element with `shape`: free to make, impossible to copy."""
    return rt.ones((1,) * len(shape), dtype=dtype).expand(*shape)


@pytest.mark.parametrize("op", [
    lambda t: t.contiguous(),
    lambda t: t.clone(),
    lambda t: t + 1,
    lambda t: t * t,
    lambda t: -t,
    lambda t: t.exp(),
    lambda t: t.to(rt.float64),
    lambda t: t.double(),
    lambda t: t.cumsum(0),
    lambda t: t == 1,
    lambda t: rt.where(t > 0, t, 0.0),
    lambda t: t.clamp(0, 1),
    lambda t: rt.cat([t, t]),
    lambda t: rt.stack([t, t]),
    lambda t: t.tolist(),
    lambda t: rt.tensor([t]),
    lambda t: rt.tensor(t),
    lambda t: rt.zeros_like(t),
    lambda t: rt.rand_like(t),
])
def test_materialising_a_huge_view(op):
    t = big_view(2**20, 2**20)
    with pytest.raises(RuntimeError, match=OOM_ANY):
        op(t)


@pytest.mark.parametrize("op", [
    lambda t: list(t),
    lambda t: t.split(1),
    lambda t: t.chunk(2**40),
    lambda t: t[:, None].split(1),
    lambda t: t[rt.arange(3)[:, None].expand(3, 2**40)],
])
def test_too_many_pieces(op):
    t = big_view(2**40)
    with pytest.raises(RuntimeError, match=OOM_ANY):
        op(t)


def test_empty_chunks():
    # torch makes `chunks` empty pieces of an empty dim; so many that they cannot fit are an error.
    assert len(rt.zeros(0).chunk(5)) == 5
    with pytest.raises(RuntimeError, match=OOM_ANY):
        rt.zeros(0).chunk(2**31)
    with pytest.raises(RuntimeError, match=OOM_ANY):
        rt.zeros(0).chunk(2**63 - 1)


def test_matmul_output_beyond_memory():
    a = big_view(2**40, 2, 2)
    with pytest.raises(RuntimeError, match=oom(4 * 4 * 2**40)):
        a @ rt.ones(2, 2)
    with pytest.raises(RuntimeError, match=OOM_ANY):
        big_view(2**20, 4).mm(big_view(4, 2**20))
    with pytest.raises(RuntimeError, match=OOM_ANY):
        rt.outer(big_view(2**20), big_view(2**20))


def test_matmul_empty_output_with_huge_batch():
    # No output elements: nothing to allocate, however many batches.
    out = big_view(2**30, 2, 2).matmul(rt.ones(2, 0))
    assert out.shape == (2**30, 2, 0)


def test_broadcast_index_beyond_memory():
    # The broadcast index describes 5 * 2**40 positions of an output with no elements.
    idx = rt.arange(5)[:, None].expand(5, 2**40)
    with pytest.raises(RuntimeError, match=OOM_ANY):
        rt.zeros(5, 0)[idx]


def test_bool_mask_beyond_memory():
    mask = big_view(2**40, dtype=rt.bool)
    with pytest.raises(RuntimeError, match=OOM_ANY):
        big_view(2**40)[mask]


def test_expand_and_reshape_overflow():
    z = rt.zeros(1, 1)
    with pytest.raises(RuntimeError, match="numel: integer multiplication overflow"):
        z.expand(2**40, 2**40)
    with pytest.raises(RuntimeError, match="numel: integer multiplication overflow"):
        z.expand(2**62, 4)
    with pytest.raises(RuntimeError, match="numel: integer multiplication overflow"):
        rt.zeros(0).reshape(2**40, 2**40, 0)
    # A 0 first keeps the running product at 0, as in torch.
    assert rt.zeros(0).view(0, 2**62, 4).shape == (0, 2**62, 4)
    assert rt.zeros(1).expand(2**63 - 1).shape == (2**63 - 1,)


def test_cat_sizes_that_wrap():
    a = big_view(2**63 - 1)
    with pytest.raises(RuntimeError):
        rt.cat([a, a, rt.zeros(3)])
    with pytest.raises(RuntimeError):
        rt.cat([a, a])


def test_tolist_of_many_empty_lists():
    with pytest.raises(RuntimeError, match=OOM_ANY):
        rt.zeros(2**40, 2**20, 0).tolist()
    assert rt.zeros(2, 3, 0).tolist() == [[[], [], []], [[], [], []]]
    assert rt.zeros(0, 3).tolist() == []
