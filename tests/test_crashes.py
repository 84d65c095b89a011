# Regression tests for crashes found by tests/test_fuzz.py and by reading the code: each call once
# panicked (pyo3's PanicException), aborted, overflowed the stack or hung, and must now return or
# raise torch's exception. Calls that could kill the interpreter run in a subprocess.
import subprocess
import sys
import textwrap

import pytest

import rtensor as rt


def run_isolated(code, timeout=60):
    """Runs `code` in a fresh interpreter; returns its stdout (the test fails on a crash)."""
    proc = subprocess.run([sys.executable, "-c", "import rtensor as rt\n" + textwrap.dedent(code)],
                          capture_output=True, text=True, timeout=timeout)
    assert proc.returncode == 0, f"exit code {proc.returncode}\n{proc.stderr[-3000:]}"
    return proc.stdout


def deep_list(depth):
    x = 1.0
    for _ in range(depth):
        x = [x]
    return x


# ---------------------------------------------------------------------------------- nested data

def test_deep_nesting_is_too_many_dimensions():
    # Was a stack overflow (segfault) at depth ~100,000; torch reads at most 128 levels.
    assert rt.tensor(deep_list(128)).ndim == 128
    with pytest.raises(ValueError, match="too many dimensions 'list'"):
        rt.tensor(deep_list(129))
    out = run_isolated("""
        x = 1.0
        for _ in range(1_000_000):
            x = [x]
        try:
            rt.tensor(x)
        except ValueError as e:
            print(e)
    """)
    assert "too many dimensions 'list'" in out


def test_self_referential_list():
    a = [1.0]
    a.append(a)
    with pytest.raises(TypeError, match="self-referential lists are incompatible"):
        rt.tensor(a)
    b = []
    b.append(b)  # no element ever ends the walk: was infinite recursion
    with pytest.raises(TypeError, match="self-referential lists are incompatible"):
        rt.tensor(b)


def test_tolist_of_many_dims():
    # tolist() was recursive per dim: 100,000 dims overflowed the stack.
    out = run_isolated("""
        t = rt.zeros(1).reshape((1,) * 100_000)
        x = t.tolist()
        depth = 0
        while isinstance(x, list):
            x, depth = x[0], depth + 1
        print(depth, x)
    """)
    assert out.split() == ["100000", "0.0"]


def test_tolist_values():
    assert rt.arange(6).reshape(2, 3).tolist() == [[0, 1, 2], [3, 4, 5]]
    assert rt.tensor(3.5).tolist() == 3.5
    assert rt.tensor([True, False]).tolist() == [True, False]
    assert rt.zeros(2, 0, 3).tolist() == [[], []]
    assert rt.zeros(0).tolist() == []


# ---------------------------------------------------------------------------------- pieces

def test_chunk_of_empty_dim_with_huge_count():
    # Was "capacity overflow" (a PanicException) for 2**63-1 and an abort for 2**31.
    with pytest.raises(RuntimeError, match="not enough memory"):
        rt.zeros(0).chunk(2**63 - 1)
    with pytest.raises(RuntimeError, match="not enough memory"):
        rt.zeros(0, requires_grad=True).chunk(2**31)
    assert [p.shape for p in rt.zeros(0).chunk(3)] == [(0,)] * 3


def test_iterating_a_huge_view():
    with pytest.raises(RuntimeError, match="not enough memory"):
        iter(rt.zeros(1).expand(2**40))
    assert [r.tolist() for r in rt.arange(4).reshape(2, 2)] == [[0, 1], [2, 3]]


# ---------------------------------------------------------------------------------- hangs

def test_integer_modulo_of_huge_view_is_fast():
    # The zero-divisor check scanned all 2**48 positions of a broadcast view before the output
    # allocation could fail.
    out = run_isolated("""
        h = rt.ones(1, 1, 1, dtype=rt.int64).expand(2**16, 2**16, 2**16)
        for f in (lambda: 2 % h, lambda: h // h, lambda: rt.ones(1, dtype=rt.int64) % h):
            try:
                f()
            except RuntimeError as e:
                print("not enough memory" in str(e))
    """, timeout=30)
    assert out.split() == ["True"] * 3
    with pytest.raises(RuntimeError, match="ZeroDivisionError"):
        rt.arange(3) % rt.zeros(1, dtype=rt.int64).expand(3)


def test_set_num_threads_huge():
    # Asked rayon for 2**40 threads: hung spawning them.
    before = rt.get_num_threads()
    with pytest.raises(ValueError, match="Overflow when unpacking long"):
        rt.set_num_threads(2**40)
    assert rt.get_num_threads() == before
    out = run_isolated("""
        rt.set_num_threads(100_000)
        print(rt.get_num_threads(), (rt.ones(10**6) + 1).sum().item())
    """)
    assert out.split() == ["100000", "2000000.0"]


# ---------------------------------------------------------------------------------- read-only memory

def read_only_page_array():
    import mmap

    import numpy as np

    page = mmap.mmap(-1, 4096, prot=mmap.PROT_READ)
    return np.frombuffer(page, dtype=np.float32, count=6)


@pytest.mark.parametrize("write", [
    lambda t: t.add_(1),
    lambda t: t.fill_(1),
    lambda t: t.zero_(),
    lambda t: t.copy_(rt.ones(6)),
    lambda t: t.exp_(),
    lambda t: t.clamp_(0, 1),
    lambda t: t.__setitem__(0, 5.0),
    lambda t: t.__setitem__(rt.tensor([0, 2]), 5.0),
    lambda t: t.view(2, 3).t().mul_(2),
])
def test_writes_into_read_only_numpy_memory_are_refused(write):
    # A tensor sharing a read-only mapping segfaulted on the first in-place write.
    pytest.importorskip("numpy")
    t = rt.from_numpy(read_only_page_array())
    with pytest.raises(RuntimeError, match="read-only"):
        write(t)
    assert t.tolist() == [0.0] * 6 and t._version == 0
    assert (t.clone().add_(1)).tolist() == [1.0] * 6  # a copy is writable


def test_read_only_tensor_exports_read_only():
    np = pytest.importorskip("numpy")
    t = rt.from_numpy(read_only_page_array())
    assert not np.asarray(t).flags.writeable
    assert np.asarray(rt.zeros(3)).flags.writeable


def test_gradient_accumulation_into_read_only_grad():
    pytest.importorskip("numpy")
    x = rt.ones(6, requires_grad=True)
    x.grad = rt.from_numpy(read_only_page_array())
    with pytest.raises(RuntimeError, match="read-only"):
        (x * 2).sum().backward()


# ---------------------------------------------------------------------------------- huge indices

def test_slice_bounds_beyond_int64_clamp():
    # Were TypeErrors; Python (and torch) clamp slice bounds.
    t = rt.arange(5)
    assert t[2**70:].tolist() == []
    assert t[:2**70].tolist() == [0, 1, 2, 3, 4]
    assert t[-(2**70):].tolist() == [0, 1, 2, 3, 4]
    assert t[: -(2**70)].tolist() == []
    assert t[::2**70].tolist() == [0]
    assert t[::2**62].tolist() == [0]
    with pytest.raises(ValueError, match="step must be greater than zero"):
        t[:: -(2**70)]
    with pytest.raises(TypeError, match="slice indices must be integers"):
        t["a":]


def test_int_index_beyond_int64():
    t = rt.arange(5)
    with pytest.raises(ValueError, match="Overflow when unpacking long long"):
        t[2**63]
    with pytest.raises(IndexError, match="index 4611686018427387904 is out of bounds for dimension 0 with size 5"):
        t[2**62]


# ---------------------------------------------------------------------------------- found by the slow fuzz run

@pytest.mark.parametrize("reduce", [
    lambda t: t.sum(),
    lambda t: t.argmax(),
    lambda t: t.all(),
    lambda t: t.count_nonzero(),
    lambda t: t.max(),
    lambda t: t.norm(),
])
def test_reduction_of_a_huge_view_is_an_error(reduce):
    # The chunk partials of a 2**62-element broadcast view (2**48 of them) aborted the process
    # ("memory allocation of ... bytes failed").
    t = rt.ones(1).expand(2**62)
    with pytest.raises(RuntimeError, match="not enough memory"):
        reduce(t)
    assert reduce(rt.ones(1).expand(1000)).item() in (1000.0, 0, True, 1.0, 1000, pytest.approx(31.6227766))


def test_dlpack_export_of_read_only_memory_is_flagged_or_refused():
    # The consumer of a legacy capsule could not know the memory was read-only and wrote it
    # (segfault): a legacy export is refused; a versioned one carries the read-only flag, and a
    # consumer that honours it (rtensor, numpy) refuses to write.
    np = pytest.importorskip("numpy")
    t = rt.from_numpy(read_only_page_array())
    with pytest.raises(BufferError, match="readonly"):
        t.__dlpack__()
    u = rt.from_dlpack(t)
    with pytest.raises(RuntimeError):
        u.add_(1)
    n = np.from_dlpack(t)
    assert not n.flags.writeable
    assert rt.from_dlpack(t.clone()).tolist() == [0.0] * 6
