"""rtensor.utils.data: datasets, samplers, collation and DataLoader (in-process and with worker
processes), against expected values (always) and torch.utils.data (when installed)."""

import collections
import warnings

import numpy as np
import pytest

import rtensor as rt
import rtensor.utils.data as D


def _tds(lib, n=10):
    return lib.utils.data.TensorDataset(lib.arange(2.0 * n).reshape(n, 2), lib.arange(n))


class _Range(D.IterableDataset):
    """0..n-1, split between DataLoader workers by worker id."""

    def __init__(self, n):
        self.n = n

    def __iter__(self):
        info = D.get_worker_info()
        if info is None:
            return iter(range(self.n))
        return iter(range(info.id, self.n, info.num_workers))

    def __len__(self):
        return self.n


class _Failing(D.Dataset):
    def __len__(self):
        return 4

    def __getitem__(self, i):
        if i == 2:
            raise ValueError("bad sample 2")
        return i


def _flat(batches):
    return [b.tolist() if hasattr(b, "tolist") else b for b in batches]


# ---------------------------------------------------------------------------------------- datasets

def test_tensor_dataset():
    ds = _tds(rt, 5)
    assert len(ds) == 5
    x, y = ds[3]
    assert x.tolist() == [6.0, 7.0] and y.item() == 3
    with pytest.raises(AssertionError, match="Size mismatch between tensors"):
        D.TensorDataset(rt.ones(3), rt.ones(4))


def test_subset_concat_stack():
    ds = _tds(rt, 5)
    sub = D.Subset(ds, [4, 0])
    assert len(sub) == 2 and sub[0][1].item() == 4
    cat = ds + D.TensorDataset(rt.zeros(3, 2), rt.arange(10, 13))
    assert isinstance(cat, D.ConcatDataset) and len(cat) == 8 and cat.cumulative_sizes == [5, 8]
    assert cat[6][1].item() == 11 and cat[-1][1].item() == 12
    with pytest.raises(ValueError, match="absolute value of index should not exceed dataset length"):
        cat[-9]
    with pytest.raises(AssertionError, match="datasets should not be an empty iterable"):
        D.ConcatDataset([])
    with pytest.raises(AssertionError, match="ConcatDataset does not support IterableDataset"):
        D.ConcatDataset([_Range(3)])
    st = D.StackDataset(a=[1, 2], b=[3, 4])
    assert st[1] == {"a": 2, "b": 4}
    with pytest.raises(ValueError, match="Size mismatch between datasets"):
        D.StackDataset([1], [1, 2])
    assert list(_Range(2) + _Range(3)) == [0, 1, 0, 1, 2]


def test_random_split():
    g = rt.Generator().manual_seed(0)
    parts = D.random_split(range(10), [3, 7], generator=g)
    assert [len(p) for p in parts] == [3, 7]
    assert sorted(list(parts[0]) + list(parts[1])) == list(range(10))
    parts = D.random_split(range(10), [0.25, 0.25, 0.5])
    assert [len(p) for p in parts] == [3, 2, 5]  # floor(2.5), floor(2.5), floor(5); the remainder 1 goes first
    g1, g2 = rt.Generator().manual_seed(5), rt.Generator().manual_seed(5)
    assert list(D.random_split(range(9), [4, 5], generator=g1)[0]) == list(D.random_split(range(9), [4, 5], generator=g2)[0])
    with pytest.raises(ValueError, match="Sum of input lengths does not equal the length of the input dataset!"):
        D.random_split(range(10), [3, 3])
    with pytest.raises(ValueError, match="Fraction at index 2 is not between 0 and 1"):
        D.random_split(range(10), [0.5, 0.7, -0.2])
    with pytest.warns(UserWarning, match="Length of split at index 1 is 0"):
        D.random_split(range(2), [0.9, 0.1])


# ---------------------------------------------------------------------------------------- samplers

def test_samplers():
    assert list(D.SequentialSampler(range(4))) == [0, 1, 2, 3]
    perm = list(D.RandomSampler(range(10)))
    assert sorted(perm) == list(range(10))
    s = D.RandomSampler(range(4), num_samples=10)
    got = list(s)
    assert len(s) == 10 and len(got) == 10 and sorted(got[:4]) == [0, 1, 2, 3]
    rep = list(D.RandomSampler(range(3), replacement=True, num_samples=70, generator=rt.Generator().manual_seed(1)))
    assert len(rep) == 70 and set(rep) <= {0, 1, 2}
    assert sorted(D.SubsetRandomSampler([5, 7, 9])) == [5, 7, 9]
    w = list(D.WeightedRandomSampler([0.0, 1.0, 0.0], 5))
    assert w == [1] * 5
    assert list(D.BatchSampler(range(7), 3, False)) == [[0, 1, 2], [3, 4, 5], [6]]
    assert list(D.BatchSampler(range(7), 3, True)) == [[0, 1, 2], [3, 4, 5]]
    assert len(D.BatchSampler(range(7), 3, False)) == 3 and len(D.BatchSampler(range(7), 3, True)) == 2


def test_sampler_errors():
    with pytest.raises(TypeError, match="replacement should be a boolean value, but got replacement=1"):
        D.RandomSampler(range(3), replacement=1)
    with pytest.raises(ValueError, match="num_samples should be a positive integer value, but got num_samples=0"):
        D.RandomSampler(range(3), num_samples=0)
    with pytest.raises(ValueError, match="batch_size should be a positive integer value, but got batch_size=0"):
        D.BatchSampler(range(3), 0, False)
    with pytest.raises(ValueError, match="drop_last should be a boolean value, but got drop_last=1"):
        D.BatchSampler(range(3), 2, 1)
    with pytest.raises(ValueError, match=r"weights should be a 1d sequence but given weights have shape \(1, 2\)"):
        D.WeightedRandomSampler([[1.0, 2.0]], 2)


# ----------------------------------------------------------------------------------------- collate

def test_default_collate():
    c = D.default_collate
    assert c([1.5, 2.0]).dtype == rt.float64
    assert c([1, 2]).dtype == rt.int64
    assert c([True, False]).dtype == rt.bool
    assert c(["a", "b"]) == ["a", "b"]
    t = c([rt.ones(2, 3), rt.zeros(2, 3)])
    assert t.shape == (2, 2, 3)
    a = c([np.ones(3, dtype=np.float32), np.zeros(3, dtype=np.float32)])
    assert a.dtype == rt.float32 and a.shape == (2, 3)
    assert c([np.int32(1), np.int32(2)]).dtype == rt.int32
    d = c([{"x": 1, "y": (1.0, rt.ones(2))}, {"x": 2, "y": (2.0, rt.zeros(2))}])
    assert d["x"].tolist() == [1, 2] and isinstance(d["y"], list) and d["y"][1].shape == (2, 2)
    Point = collections.namedtuple("Point", "a b")
    p = c([Point(1, 2.0), Point(3, 4.0)])
    assert isinstance(p, Point) and p.a.tolist() == [1, 3]
    assert [x.tolist() for x in c([[1, 2], [3, 4]])] == [[1, 3], [2, 4]]
    with pytest.raises(RuntimeError, match="each element in list of batch should be of equal size"):
        c([[1, 2], [3]])
    with pytest.raises(TypeError, match="default_collate: batch must contain tensors, numpy arrays, numbers, "
                                        "dicts or lists; found <class 'object'>"):
        c([object()])
    with pytest.raises(TypeError, match="found <U1"):
        c([np.array(["a"]), np.array(["b"])])
    conv = D.default_convert([np.arange(2), (np.float32(1.0), "s")])
    assert conv[0].tolist() == [0, 1] and conv[1][0].dtype == rt.float32 and conv[1][1] == "s"


# -------------------------------------------------------------------------------------- DataLoader

def test_dataloader_batches():
    ds = _tds(rt, 5)
    batches = list(D.DataLoader(ds, batch_size=2))
    assert len(batches) == 3
    assert batches[0][0].tolist() == [[0.0, 1.0], [2.0, 3.0]] and batches[2][1].tolist() == [4]
    assert len(D.DataLoader(ds, batch_size=2)) == 3 and len(D.DataLoader(ds, batch_size=2, drop_last=True)) == 2
    assert [b[1].tolist() for b in D.DataLoader(ds, batch_size=2, drop_last=True)] == [[0, 1], [2, 3]]
    single = list(D.DataLoader(ds, batch_size=None))
    assert len(single) == 5 and single[1][1].item() == 1 and single[1][0].shape == (2,)
    shuffled = [i for b in D.DataLoader(ds, batch_size=3, shuffle=True) for i in b[1].tolist()]
    assert sorted(shuffled) == list(range(5))
    g1, g2 = rt.Generator().manual_seed(3), rt.Generator().manual_seed(3)
    assert _flat(b[1] for b in D.DataLoader(ds, shuffle=True, generator=g1)) == \
        _flat(b[1] for b in D.DataLoader(ds, shuffle=True, generator=g2))
    bs = D.BatchSampler(D.SequentialSampler(ds), 4, False)
    assert [b[1].tolist() for b in D.DataLoader(ds, batch_sampler=bs)] == [[0, 1, 2, 3], [4]]
    assert [b.tolist() for b in D.DataLoader(_Range(7), batch_size=3)] == [[0, 1, 2], [3, 4, 5], [6]]
    assert [b.tolist() for b in D.DataLoader(_Range(7), batch_size=3, drop_last=True)] == [[0, 1, 2], [3, 4, 5]]
    assert len(D.DataLoader(_Range(7), batch_size=3)) == 3
    assert list(D.DataLoader(range(4), batch_size=2, collate_fn=lambda b: b)) == [[0, 1], [2, 3]]


DL_ERRORS = [
    (dict(shuffle=True, sampler=[0, 1]), "sampler option is mutually exclusive with shuffle"),
    (dict(batch_sampler=[[0]], batch_size=2),
     "batch_sampler option is mutually exclusive with batch_size, shuffle, sampler, and drop_last"),
    (dict(batch_sampler=[[0]], drop_last=True),
     "batch_sampler option is mutually exclusive with batch_size, shuffle, sampler, and drop_last"),
    (dict(batch_size=None, drop_last=True),
     "batch_size=None option disables auto-batching and is mutually exclusive with drop_last"),
    (dict(num_workers=-1), "num_workers option should be non-negative; use num_workers=0 to disable multiprocessing."),
    (dict(timeout=-1), "timeout option should be non-negative"),
    (dict(prefetch_factor=2), "prefetch_factor option could only be specified in multiprocessing."),
    (dict(persistent_workers=True), "persistent_workers option needs num_workers > 0"),
]


@pytest.mark.parametrize("i", range(len(DL_ERRORS)))
def test_dataloader_errors(i):
    kwargs, msg = DL_ERRORS[i]
    with pytest.raises(ValueError) as info:
        D.DataLoader(_tds(rt, 3), **kwargs)
    assert msg in str(info.value)


def test_dataloader_iterable_errors_and_setattr():
    with pytest.raises(ValueError, match="DataLoader with IterableDataset: expected unspecified shuffle option, "
                                         "but got shuffle=True"):
        D.DataLoader(_Range(3), shuffle=True)
    with pytest.raises(ValueError, match="expected unspecified sampler option"):
        D.DataLoader(_Range(3), sampler=[0])
    dl = D.DataLoader(_tds(rt, 3))
    with pytest.raises(ValueError, match="batch_size attribute should not be set after DataLoader is initialized"):
        dl.batch_size = 3


def test_dataloader_workers():
    ds = _tds(rt, 11)
    expect = [[b[0].tolist(), b[1].tolist()] for b in D.DataLoader(ds, batch_size=3)]
    got = [[b[0].tolist(), b[1].tolist()] for b in D.DataLoader(ds, batch_size=3, num_workers=2)]
    assert got == expect
    shuffled = [i for b in D.DataLoader(ds, batch_size=4, shuffle=True, num_workers=2) for i in b[1].tolist()]
    assert sorted(shuffled) == list(range(11))
    it = [b.tolist() for b in D.DataLoader(_Range(10), batch_size=3, num_workers=2)]
    assert it == [[0, 2, 4], [1, 3, 5], [6, 8], [7, 9]]  # torch's order: round-robin over the workers
    seen = []
    dl = D.DataLoader(range(4), batch_size=None, num_workers=2, worker_init_fn=seen.append,
                      collate_fn=lambda i: (i, D.get_worker_info().id, D.get_worker_info().num_workers))
    out = list(dl)
    assert [o[0] for o in out] == [0, 1, 2, 3] and [o[1] for o in out] == [0, 1, 0, 1] and out[0][2] == 2
    assert D.get_worker_info() is None


def test_dataloader_worker_error():
    with pytest.raises(ValueError, match="Caught ValueError in DataLoader worker process 0"):
        list(D.DataLoader(_Failing(), num_workers=2))
    with pytest.raises(ValueError, match="bad sample 2"):
        list(D.DataLoader(_Failing()))


# ----------------------------------------------------------------------------------- torch oracle

def test_batches_match_torch():
    torch = pytest.importorskip("torch")
    for kwargs in (dict(batch_size=3), dict(batch_size=3, drop_last=True), dict(batch_size=None), dict(batch_size=4)):
        ours = list(D.DataLoader(_tds(rt, 10), **kwargs))
        theirs = list(torch.utils.data.DataLoader(_tds(torch, 10), **kwargs))
        assert len(ours) == len(theirs) == len(D.DataLoader(_tds(rt, 10), **kwargs))
        for a, b in zip(ours, theirs):
            for x, y in zip(a, b):
                assert x.shape == tuple(y.shape) and str(x.dtype).split(".")[1] == str(y.dtype).split(".")[1]
                np.testing.assert_array_equal(x.numpy(), y.numpy())
    ours = sorted(i for b in D.DataLoader(_tds(rt, 10), batch_size=3, shuffle=True) for i in b[1].tolist())
    theirs = sorted(i for b in torch.utils.data.DataLoader(_tds(torch, 10), batch_size=3, shuffle=True)
                    for i in b[1].tolist())
    assert ours == theirs


def test_collate_matches_torch():
    torch = pytest.importorskip("torch")
    Point = collections.namedtuple("Point", "a b")
    batches = [
        [1, 2], [1.5, 2.5], [True, False], [np.float32(1), np.float32(2)], [np.int16(1), np.int16(2)],
        [np.ones((2, 2), dtype=np.int32)] * 3, [{"a": 1, "b": [1.0, 2.0]}] * 2, [Point(1, 2.0)] * 2,
        [(1, "x"), (2, "y")], [np.bool_(True)] * 2, [np.float64(1)] * 2,
    ]

    def norm(v):
        if hasattr(v, "numpy"):
            return ("T", str(v.dtype).split(".")[1], tuple(v.shape), v.numpy().tolist())
        if isinstance(v, dict):
            return {k: norm(x) for k, x in v.items()}
        if isinstance(v, (list, tuple)):
            return (type(v).__name__, [norm(x) for x in v])
        return v

    for batch in batches:
        assert norm(D.default_collate(batch)) == norm(torch.utils.data.default_collate(batch)), batch
    conv = [np.arange(2), (np.float32(1.0), "s"), {"k": np.ones(1)}]
    assert norm(D.default_convert(conv)) == norm(torch.utils.data.default_convert(conv))


def test_errors_match_torch():
    torch = pytest.importorskip("torch")
    for kwargs, msg in DL_ERRORS:
        with pytest.raises(ValueError) as info:
            torch.utils.data.DataLoader(_tds(torch, 3), **kwargs)
        assert msg in str(info.value)
    with pytest.raises(AssertionError, match="Size mismatch between tensors"):
        torch.utils.data.TensorDataset(torch.ones(3), torch.ones(4))
    for lengths in ([3, 7], [0.25, 0.25, 0.5], [0.3, 0.3, 0.4]):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            assert [len(p) for p in D.random_split(range(10), lengths)] == \
                [len(p) for p in torch.utils.data.random_split(range(10), lengths)]
