"""searchsorted and bucketize: values against numpy (rows of boundaries, sorter, side/right, scalars, NaN,
int and float dtypes), torch's dtypes and errors, out=, and thread-count independence."""

import numpy as np
import pytest

import rtensor as rt

try:
    import torch
except ImportError:  # pragma: no cover - torch is optional
    torch = None

needs_torch = pytest.mark.skipif(torch is None, reason="torch not installed")

NAN = float("nan")


@pytest.mark.parametrize("dtype", [np.int32, np.int64, np.float32, np.float64])
@pytest.mark.parametrize("right", [False, True])
def test_searchsorted_matches_numpy(dtype, right):
    rng = np.random.default_rng(5)
    seq = np.sort(rng.integers(-20, 20, 50)).astype(dtype)
    vals = rng.integers(-25, 25, (4, 30)).astype(dtype)
    side = "right" if right else "left"
    want = np.searchsorted(seq, vals, side=side)
    got = rt.searchsorted(rt.tensor(seq), rt.tensor(vals), right=right)
    assert got.dtype == rt.int64 and got.shape == vals.shape
    np.testing.assert_array_equal(got.numpy(), want)
    np.testing.assert_array_equal(rt.searchsorted(rt.tensor(seq), rt.tensor(vals), side=side).numpy(), want)
    b = rt.bucketize(rt.tensor(vals), rt.tensor(seq), right=right, out_int32=True)
    assert b.dtype == rt.int32
    np.testing.assert_array_equal(b.numpy(), want)
    # rows of boundaries: one row per row of values
    seq2 = np.sort(rng.integers(-20, 20, (4, 50)), axis=1).astype(dtype)
    got = rt.searchsorted(rt.tensor(seq2), rt.tensor(vals), right=right).numpy()
    for r in range(4):
        np.testing.assert_array_equal(got[r], np.searchsorted(seq2[r], vals[r], side=side))


def test_searchsorted_sorter_scalar_nan_and_empty():
    seq = np.array([5.0, 1.0, 3.0])
    sorter = np.argsort(seq)
    got = rt.searchsorted(rt.tensor(seq), rt.tensor([2.0, 4.0, 6.0]), sorter=rt.tensor(sorter))
    np.testing.assert_array_equal(got.numpy(), np.searchsorted(seq, [2.0, 4.0, 6.0], sorter=sorter))
    r = rt.searchsorted(rt.tensor([1.0, 2.0, 3.0]), 2)
    assert r.item() == 1 and r.shape == () and r.dtype == rt.int64
    assert rt.searchsorted(rt.tensor([1.0, 2.0, NAN]), rt.tensor([NAN])).tolist() == [3]
    assert rt.searchsorted(rt.zeros(0), rt.tensor([1.0])).tolist() == [0]
    assert rt.searchsorted(rt.tensor([1, 3, 5]), rt.tensor([2.5])).tolist() == [1]
    assert rt.searchsorted(rt.tensor([1, 3, 5]), 2.5).item() == 1
    assert rt.bucketize(2.5, rt.tensor([1, 3, 5])).item() == 1
    assert rt.searchsorted(rt.tensor([[1, 3, 5]]), rt.tensor([[2, 9]])[:, ::1]).tolist() == [[1, 3]]
    assert rt.searchsorted(rt.tensor([[1.0, 2.0]]), rt.zeros(1, 0)).shape == (1, 0)


def test_searchsorted_large_is_parallel_safe():
    rng = np.random.default_rng(2)
    seq = np.sort(rng.standard_normal(1000))
    vals = rng.standard_normal(200_000)
    old = rt.get_num_threads()
    try:
        outs = []
        for n in (1, 2):
            rt.set_num_threads(n)
            outs.append(rt.searchsorted(rt.tensor(seq), rt.tensor(vals)).numpy())
    finally:
        rt.set_num_threads(old)
    np.testing.assert_array_equal(outs[0], outs[1])
    np.testing.assert_array_equal(outs[0], np.searchsorted(seq, vals))


def test_out():
    out = rt.zeros(3, dtype=rt.int64)
    r = rt.searchsorted(rt.tensor([1.0, 2.0]), rt.tensor([0.0, 1.5, 3.0]), out=out)
    assert r is out or r.data_ptr() == out.data_ptr()
    assert out.tolist() == [0, 1, 2]
    out32 = rt.zeros(3, dtype=rt.int32)
    rt.bucketize(rt.tensor([0.0, 1.5, 3.0]), rt.tensor([1.0, 2.0]), out_int32=True, out=out32)
    assert out32.tolist() == [0, 1, 2]


@needs_torch
def test_matches_torch_random():
    rng = np.random.default_rng(7)
    for dtype in (np.int32, np.int64, np.float32, np.float64):
        for shape in [(5,), (3, 8), (2, 3, 6)]:
            b = np.sort(rng.integers(-9, 9, shape).astype(dtype), axis=-1)
            v = rng.integers(-10, 10, shape[:-1] + (7,)).astype(dtype)
            if np.issubdtype(dtype, np.floating):
                b[..., -1] = np.nan
                v.reshape(-1)[0] = np.nan
            for right in (False, True):
                want = torch.searchsorted(torch.from_numpy(b), torch.from_numpy(v), right=right)
                got = rt.searchsorted(rt.tensor(b), rt.tensor(v), right=right)
                np.testing.assert_array_equal(got.numpy(), want.numpy())
            sorter = np.argsort(rng.standard_normal(shape), axis=-1)
            want = torch.searchsorted(torch.from_numpy(b), torch.from_numpy(v), sorter=torch.from_numpy(sorter))
            got = rt.searchsorted(rt.tensor(b), rt.tensor(v), sorter=rt.tensor(sorter))
            np.testing.assert_array_equal(got.numpy(), want.numpy())
    # mixed dtypes promote
    for bs, vs in [([1, 3, 5], [2.5]), ([1.0, 3.0], [2]), ([1, 3], [True])]:
        want = torch.searchsorted(torch.tensor(bs), torch.tensor(vs))
        assert rt.searchsorted(rt.tensor(bs), rt.tensor(vs)).tolist() == want.tolist()


@needs_torch
def test_errors_match_torch():
    cases = [
        lambda m: m.searchsorted(m.tensor([1.0, 2.0]), m.tensor([1.0]), side="left", right=True),
        lambda m: m.searchsorted(m.tensor([1.0, 2.0]), m.tensor([1.0]), side="up"),
        lambda m: m.searchsorted(m.tensor([1.0, 2.0]), m.tensor([1.0]), side="up", right=True),
        lambda m: m.searchsorted(m.tensor([[1, 3, 5], [2, 4, 6]]), m.tensor([[3, 6], [1, 7], [1, 1]])),
        lambda m: m.searchsorted(m.tensor([[1, 3, 5]]), m.tensor(2)),
        lambda m: m.searchsorted(m.tensor([5.0, 1.0, 3.0]), m.tensor([2.0]), sorter=m.tensor([1, 2])),
        lambda m: m.searchsorted(m.tensor([5.0, 1.0, 3.0]), m.tensor([2.0]), sorter=m.tensor([1, 2, 3])),
        lambda m: m.searchsorted(m.tensor([5.0, 1.0, 3.0]), m.tensor([2.0]), sorter=m.tensor([1, 2, -1])),
        lambda m: m.searchsorted(m.tensor([5.0, 1.0, 3.0]), m.tensor([2.0]), sorter=m.tensor([1, 2, 0], dtype=m.int32)),
        lambda m: m.searchsorted(m.tensor(1.0), m.tensor([2.0])),
        lambda m: m.searchsorted(m.tensor([False, True]), m.tensor([True])),
        lambda m: m.searchsorted(m.tensor([1.0]), m.tensor([1.0]), out=m.zeros(1)),
        lambda m: m.searchsorted(m.tensor([1.0]), m.tensor([1.0]), out=m.zeros(1, dtype=m.int64), out_int32=True),
        lambda m: m.bucketize(m.tensor([1.0]), m.tensor([[1.0]])),
        lambda m: m.bucketize(m.tensor([1.0]), m.tensor(1.0)),
    ]
    for case in cases:
        with pytest.raises(Exception) as te:
            case(torch)
        with pytest.raises(Exception) as re_:
            case(rt)
        assert type(te.value).__name__ == type(re_.value).__name__ and str(te.value) == str(re_.value)
