"""rtensor.save / rtensor.load: torch's zip checkpoint format.

Without torch: round trips, the golden files torch wrote (tests/data/torch_golden_*.pt, made by
tests/data/make_torch_golden.py), argument errors, mmap. With torch: files go both ways (rt.save ->
torch.load, torch.save -> rt.load) for every dtype and stride pattern, data.pkl is byte-identical to
torch's, and the error messages match torch's. Hostile files: tests/test_save_hostile.py.
"""

import collections
import io
import os
import pathlib
import pickle
import zipfile

import pytest

import rtensor as rt
from rtensor import _save

DATA = pathlib.Path(__file__).resolve().parent / "data"
DTYPES = ["float32", "float64", "float16", "bfloat16", "int8", "int16", "int32", "int64", "uint8", "bool"]
LOAD_ERRORS = (RuntimeError, pickle.UnpicklingError, ValueError)


def golden_values(name):
    """The values tests/data/make_torch_golden.py stores for each dtype."""
    if name == "bool":
        return [True, False, True, True, False, False]
    if name == "uint8":
        return [0, 1, 2, 127, 128, 255]
    if name.startswith("int"):
        return [-3, -1, 0, 1, 2, 100]
    return [-2.5, -1.0, 0.0, 0.5, 1.25, 3.0]


def roundtrip(obj, **kwargs):
    buf = io.BytesIO()
    rt.save(obj, buf, **kwargs)
    buf.seek(0)
    return rt.load(buf)


def shares(a, b):
    return a._storage_span() == b._storage_span()


def make(name, shape=(2, 3)):
    n = 1
    for s in shape:
        n *= s
    vals = [golden_values(name)[i % 6] for i in range(n)]
    return rt.tensor(vals, dtype=getattr(rt, name)).reshape(shape)


# ---------------------------------------------------------------------------------------- round trips


@pytest.mark.parametrize("name", DTYPES)
def test_roundtrip_every_dtype(name):
    t = make(name)
    r = roundtrip(t)
    assert r.dtype == t.dtype and r.shape == t.shape and r.stride() == t.stride()
    assert r.tolist() == t.tolist()


def test_roundtrip_containers_and_primitives():
    obj = {
        "od": collections.OrderedDict(w=rt.ones(2), b=rt.zeros(1)),
        "list": [1, 2.5, True, None, "s", b"by", (3, "t")],
        "nested": {"deep": [[rt.tensor(7)]]},
        "dtype": rt.bfloat16,
        "size": rt.Size([2, 3]),
        "device": rt.device("cpu"),
        "set": {1, 2},
        "complex": 1 + 2j,
        "bytearray": bytearray(b"ab"),
        "layout": rt.strided,
    }
    r = roundtrip(obj)
    assert type(r["od"]) is collections.OrderedDict and list(r["od"]) == ["w", "b"]
    assert r["od"]["w"].tolist() == [1.0, 1.0]
    assert r["list"] == obj["list"]
    assert r["nested"]["deep"][0][0].item() == 7
    assert r["dtype"] is rt.bfloat16
    assert r["size"] == rt.Size([2, 3]) and type(r["size"]) is rt.Size
    assert r["device"] == rt.device("cpu")
    assert r["set"] == {1, 2} and r["complex"] == 1 + 2j and r["bytearray"] == bytearray(b"ab")
    assert r["layout"] is rt.strided


def test_roundtrip_views_share_storage_and_writes():
    base = rt.arange(12.0).reshape(3, 4)
    views = {"base": base, "t": base.t(), "col": base[:, 1], "step": base.reshape(-1)[1::3], "exp": base[0:1].expand(5, 4)}
    r = roundtrip(views)
    for k, v in views.items():
        assert r[k].shape == v.shape and r[k].stride() == v.stride(), k
        assert r[k].storage_offset() == v.storage_offset(), k
        assert r[k].tolist() == v.tolist(), k
        assert shares(r[k], r["base"]), k
    r["base"][1, 1] = 100.0  # a write through one is seen by the others, as in torch
    assert r["t"][1, 1].item() == 100.0 and r["col"][1].item() == 100.0


def test_roundtrip_same_tensor_twice_is_one_object():
    t = rt.ones(3)
    r = roundtrip([t, t])
    assert r[0] is r[1]


def test_roundtrip_requires_grad_and_non_leaf():
    leaf = rt.ones(2, requires_grad=True)
    r = roundtrip({"leaf": leaf, "nonleaf": leaf * 2, "plain": rt.ones(1)})
    assert r["leaf"].requires_grad and r["leaf"].is_leaf
    assert r["nonleaf"].requires_grad and r["nonleaf"].is_leaf and r["nonleaf"].grad_fn is None
    assert not r["plain"].requires_grad
    (r["leaf"] * 3).sum().backward()
    assert r["leaf"].grad.tolist() == [3.0, 3.0]


def test_roundtrip_empty_zero_dim_and_huge_expanded():
    r = roundtrip([rt.empty(0), rt.empty(2, 0, 3), rt.tensor(2.5), rt.ones(1).expand(2**40)])
    assert r[0].shape == (0,) and r[1].shape == (2, 0, 3) and r[2].shape == () and r[2].item() == 2.5
    assert r[3].shape == (2**40,) and r[3].stride() == (0,)


def test_loaded_tensors_are_writable_and_own_their_memory():
    buf = io.BytesIO()
    rt.save(rt.arange(4), buf)
    data = buf.getvalue()
    a = rt.load(io.BytesIO(data))
    b = rt.load(io.BytesIO(data))
    a.add_(10)
    assert a.tolist() == [10, 11, 12, 13] and b.tolist() == [0, 1, 2, 3]


def test_paths_pathlike_and_file_objects(tmp_path):
    t = rt.arange(5.0)
    rt.save(t, str(tmp_path / "a.pt"))
    rt.save(t, tmp_path / "b.pt")
    with open(tmp_path / "c.pt", "wb") as fh:
        rt.save(t, fh)
    for name in ("a.pt", "b.pt", "c.pt"):
        assert rt.load(tmp_path / name).tolist() == t.tolist()
        assert rt.load(str(tmp_path / name)).tolist() == t.tolist()
        with open(tmp_path / name, "rb") as fh:
            assert rt.load(fh).tolist() == t.tolist()
    # torch's archive folder: the file name without its extension, 'archive' for a buffer
    assert zipfile.ZipFile(tmp_path / "a.pt").namelist()[0] == "a/data.pkl"
    assert zipfile.ZipFile(tmp_path / "c.pt").namelist()[0] == "archive/data.pkl"


def test_archive_layout_as_torch():
    buf = io.BytesIO()
    rt.save({"x": rt.ones(3), "y": rt.zeros(2, dtype=rt.int64)}, buf)
    zf = zipfile.ZipFile(buf)
    assert zf.namelist() == ["archive/data.pkl", "archive/.format_version", "archive/.storage_alignment",
                             "archive/byteorder", "archive/data/0", "archive/data/1", "archive/version",
                             "archive/.data/serialization_id"]
    assert zf.read("archive/version") == b"3\n" and zf.read("archive/byteorder") == b"little"
    assert zf.read("archive/data/0") == bytes.fromhex("0000803f") * 3
    assert len(zf.read("archive/.data/serialization_id")) == 40
    for info in zf.infolist():  # stored, data aligned to 64 bytes (torch mmaps storages)
        assert info.compress_type == zipfile.ZIP_STORED
        raw = buf.getvalue()
        header = info.header_offset
        name_len = int.from_bytes(raw[header + 26:header + 28], "little")
        extra_len = int.from_bytes(raw[header + 28:header + 30], "little")
        assert (header + 30 + name_len + extra_len) % 64 == 0


def test_mmap_load(tmp_path):
    base = rt.arange(12.0).reshape(3, 4)
    obj = {"base": base, "t": base.t(), "h": rt.ones(2, dtype=rt.bfloat16), "b": rt.tensor([True, False]),
           "e": rt.empty(0), "i": rt.arange(5, dtype=rt.int16)}
    rt.save(obj, tmp_path / "m.pt")
    before = (tmp_path / "m.pt").read_bytes()
    r = rt.load(tmp_path / "m.pt", mmap=True)
    for k, v in obj.items():
        assert r[k].dtype == v.dtype and r[k].stride() == v.stride() and r[k].tolist() == v.tolist(), k
    assert shares(r["base"], r["t"])
    r["base"][0, 1] = 50.0  # private pages: the tensors see the write, the file does not
    assert r["t"][1, 0].item() == 50.0
    assert (tmp_path / "m.pt").read_bytes() == before
    assert rt.load(tmp_path / "m.pt", mmap=True)["base"][0, 1].item() == 1.0
    with pytest.raises(ValueError, match="f must be a file path in order to use the mmap argument"):
        rt.load(io.BytesIO(before), mmap=True)


def test_save_over_the_mapped_file_it_came_from(tmp_path):
    """Loading with mmap=True and saving to the same path: the old file is replaced, not truncated
    under its mapping (which kills the process with SIGBUS, as it does torch). In a subprocess."""
    import subprocess
    import sys

    path = tmp_path / "ckpt.pt"
    rt.save({"a": rt.arange(300000.0)}, path)
    os.chmod(path, 0o640)
    code = (f"import rtensor as rt; sd = rt.load({str(path)!r}, mmap=True); sd['a'].add_(1); "
            f"rt.save(sd, {str(path)!r}); print(rt.load({str(path)!r})['a'][:3].tolist())")
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path))
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "[1.0, 2.0, 3.0]"
    assert os.stat(path).st_mode & 0o777 == 0o640 and sorted(os.listdir(tmp_path)) == ["ckpt.pt"]


def test_failed_save_leaves_the_old_file(tmp_path, monkeypatch):
    path = tmp_path / "ckpt.pt"
    rt.save(rt.ones(2), path)
    before = path.read_bytes()

    class Exploding:
        def __reduce__(self):
            raise ValueError("no")

    with pytest.raises(ValueError, match="no"):  # while pickling: no file is touched
        rt.save([rt.zeros(3), Exploding()], path)
    assert path.read_bytes() == before and sorted(os.listdir(tmp_path)) == ["ckpt.pt"]

    def fail(t):
        raise OSError("disk full")

    monkeypatch.setattr(_save, "_storage_bytes", fail)  # half-way through the archive
    with pytest.raises(OSError, match="disk full"):
        rt.save(rt.zeros(3), path)
    assert path.read_bytes() == before and sorted(os.listdir(tmp_path)) == ["ckpt.pt"]


@pytest.mark.parametrize("protocol", [1, 2, 3, 4, 5, -1])
def test_pickle_protocols(protocol):
    base = rt.arange(6.0)
    r = roundtrip({"a": base, "b": base[2:]}, pickle_protocol=protocol)
    assert r["b"].tolist() == [2.0, 3.0, 4.0, 5.0] and shares(r["a"], r["b"])


def test_save_argument_errors(tmp_path):
    with pytest.raises(AttributeError, match="expected 'f' to be string, path, or a file-like object"):
        rt.save(rt.ones(1), 3)
    with pytest.raises(RuntimeError, match="_use_new_zipfile_serialization=False"):
        rt.save(rt.ones(1), io.BytesIO(), _use_new_zipfile_serialization=False)
    with pytest.raises(ValueError, match="protocol 0"):
        rt.save(rt.ones(1), io.BytesIO(), pickle_protocol=0)
    with pytest.raises((AttributeError, pickle.PicklingError)):
        rt.save(lambda x: x, io.BytesIO())
    assert not list(tmp_path.iterdir())
    with pytest.raises((AttributeError, pickle.PicklingError)):
        rt.save(lambda x: x, tmp_path / "x.pt")  # a failed pickle leaves no file behind
    assert not list(tmp_path.iterdir())


def test_load_argument_errors(tmp_path):
    buf = io.BytesIO()
    rt.save(rt.ones(2), buf)
    data = buf.getvalue()
    with pytest.raises(AttributeError, match="You can only rtensor.load from a file that is seekable"):
        rt.load(3)
    with pytest.raises(FileNotFoundError):
        rt.load(tmp_path / "missing.pt")
    with pytest.raises(RuntimeError, match="Can not safely load weights when explicit pickle_module is specified"):
        rt.load(io.BytesIO(data), pickle_module=pickle)
    assert rt.load(io.BytesIO(data), pickle_module=pickle, weights_only=False).tolist() == [1.0, 1.0]


@pytest.mark.parametrize("loc", [None, "cpu", b"cpu", rt.device("cpu"), {"cpu": "cpu"}, lambda s, loc: s,
                                 lambda s, loc: None])
def test_map_location_cpu(loc):
    buf = io.BytesIO()
    rt.save({"a": rt.ones(2)}, buf)
    buf.seek(0)
    assert rt.load(buf, map_location=loc)["a"].tolist() == [1.0, 1.0]


def test_map_location_errors():
    buf = io.BytesIO()
    rt.save(rt.ones(2), buf)
    data = buf.getvalue()
    for loc in ("cuda", "cuda:0", {"cpu": "cuda:1"}):
        with pytest.raises(RuntimeError, match="Attempting to deserialize object on a CUDA device but "
                                               r"rtensor.cuda.is_available\(\) is False"):
            rt.load(io.BytesIO(data), map_location=loc)
    with pytest.raises(RuntimeError, match=r"don't know how to restore data location of "
                                           r"rtensor.storage.UntypedStorage \(tagged with bogus\)"):
        rt.load(io.BytesIO(data), map_location="bogus")
    with pytest.raises(TypeError, match="'int' object is not callable"):
        rt.load(io.BytesIO(data), map_location=3)
    with pytest.raises(TypeError, match="map_location returned str"):
        rt.load(io.BytesIO(data), map_location=lambda s, loc: "cpu")

    def broken(storage, location):
        raise KeyError("mine")

    for weights_only in (True, False):  # the caller's own error comes through as it is
        with pytest.raises(KeyError, match="mine"):
            rt.load(io.BytesIO(data), map_location=broken, weights_only=weights_only)


# ---------------------------------------------------------------------------------------- golden files


def test_golden_dtypes():
    r = rt.load(DATA / "torch_golden_dtypes.pt")
    assert list(r) == DTYPES
    for name in DTYPES:
        assert r[name].dtype == getattr(rt, name), name
        assert r[name].tolist() == golden_values(name), name


def test_golden_shared_storage():
    r = rt.load(DATA / "torch_golden_shared.pt")
    assert r["base"].tolist() == [[float(4 * i + j) for j in range(4)] for i in range(3)]
    assert r["row"].storage_offset() == 4 and r["col"].storage_offset() == 2 and r["col"].stride() == (4,)
    assert r["t"].stride() == (1, 4)
    for k in ("row", "col", "t"):
        assert shares(r[k], r["base"]), k
    r["base"][1, 2] = -1.0
    assert r["row"][2].item() == -1.0 and r["col"][1].item() == -1.0 and r["t"][2, 1].item() == -1.0


def test_golden_non_contiguous_view():
    r = rt.load(DATA / "torch_golden_view.pt")
    assert r.shape == (3, 2, 2) and r.stride() == (1, 12, 8) and r.storage_offset() == 1
    expect = [[[i + 1 + 12 * a + 4 * 2 * b for b in range(2)] for a in range(2)] for i in range(3)]
    assert r.tolist() == expect and r.dtype == rt.int64


def test_golden_state_dict():
    r = rt.load(DATA / "torch_golden_state_dict.pt")
    assert type(r) is collections.OrderedDict
    assert list(r) == ["layer.weight", "layer.bias", "bn.num_batches_tracked", "param", "grad"]
    assert r["layer.weight"].tolist() == [[0.0, 0.25, 0.5], [0.75, 1.0, 1.25]]
    assert r["layer.bias"].tolist() == [0.5, -0.5]
    assert r["bn.num_batches_tracked"].shape == () and r["bn.num_batches_tracked"].item() == 7
    assert r["param"].requires_grad and r["param"].tolist() == [1.0, 2.0]  # an nn.Parameter in torch
    assert r["grad"].requires_grad and not r["layer.weight"].requires_grad


def test_golden_nested():
    r = rt.load(DATA / "torch_golden_nested.pt")
    assert r["list"][0].tolist() == [1, 2] and r["list"][0].dtype == rt.int64
    assert r["list"][1][0].item() == 3.5 and r["list"][1][1:] == ("s", None)
    assert r["list"][2] == {"k": [True, 1.5, b"by"]}
    assert r["scalar"].dtype == rt.float64 and r["scalar"].shape == () and r["scalar"].item() == 2.0
    assert r["empty"].shape == (0, 3)
    assert r["meta"] == {"epoch": 3, "lr": 0.01, "name": "run"}
    assert r["dtype"] is rt.float16 and r["size"] == (2, 3) and type(r["size"]) is rt.Size


# ---------------------------------------------------------------------------------------- property


def test_property_roundtrip():
    hypothesis = pytest.importorskip("hypothesis")
    st = hypothesis.strategies
    from conftest import hypothesis_examples

    @hypothesis.settings(max_examples=hypothesis_examples(60))
    @hypothesis.given(name=st.sampled_from(DTYPES), shape=st.lists(st.integers(0, 4), min_size=0, max_size=4),
                      pattern=st.sampled_from(["plain", "transpose", "step", "slice", "expand"]),
                      grad=st.booleans(), protocol=st.sampled_from([2, 4, 5]))
    def check(name, shape, pattern, grad, protocol):
        base = make(name, tuple(shape))
        t = base
        if pattern == "transpose" and t.ndim >= 2:
            t = t.transpose(0, t.ndim - 1)
        elif pattern == "step" and t.ndim >= 1:
            t = t[::2]
        elif pattern == "slice" and t.ndim >= 1 and t.shape[0] > 1:
            t = t[1:]
        elif pattern == "expand":
            t = t.unsqueeze(0).expand(3, *t.shape)
        if grad and t.dtype.is_floating_point:
            t.requires_grad_()
        r = roundtrip({"t": t, "base": base}, pickle_protocol=protocol)
        assert r["t"].dtype == t.dtype and r["t"].shape == t.shape and r["t"].stride() == t.stride()
        assert r["t"].storage_offset() == t.storage_offset() and r["t"].requires_grad == t.requires_grad
        assert r["t"].tolist() == t.tolist() and r["base"].tolist() == base.tolist()
        if base.numel():
            assert shares(r["t"], r["base"])

    check()


# ---------------------------------------------------------------------------------------- with torch


def torch_or_skip():
    return pytest.importorskip("torch")


PATTERNS = ["plain", "transpose", "step", "offset", "expand", "zero_dim", "empty"]


def strided(m, name, pattern):
    """The same tensor built with torch or rtensor (module ``m``)."""
    dtype = getattr(m, name)
    base = m.tensor([golden_values(name)[i % 6] for i in range(24)], dtype=dtype).reshape(2, 3, 4)
    return {
        "plain": base, "transpose": base.permute(2, 0, 1), "step": base[:, ::2, 1::2], "offset": base[1, 1:],
        "expand": base[:, :1].expand(2, 5, 4), "zero_dim": base[1, 2, 3], "empty": base[:, 3:],
    }[pattern], base


def same(tt, rr):
    torch = torch_or_skip()
    assert str(tt.dtype).rpartition(".")[2] == str(rr.dtype).rpartition(".")[2]
    assert tuple(tt.shape) == tuple(rr.shape) and tuple(tt.stride()) == tuple(rr.stride())
    assert tt.storage_offset() == rr.storage_offset() and tt.requires_grad == rr.requires_grad
    if tt.dtype == torch.bfloat16:
        assert tt.float().tolist() == rr.float().tolist()
    else:
        assert tt.tolist() == rr.tolist()


@pytest.mark.parametrize("pattern", PATTERNS)
@pytest.mark.parametrize("name", DTYPES)
def test_rt_save_torch_load(name, pattern):
    torch = torch_or_skip()
    r, rbase = strided(rt, name, pattern)
    buf = io.BytesIO()
    rt.save({"t": r, "base": rbase}, buf)
    buf.seek(0)
    loaded = torch.load(buf)  # weights_only=True, the default
    same(loaded["t"], r)
    same(loaded["base"], rbase)
    assert loaded["t"].untyped_storage().data_ptr() == loaded["base"].untyped_storage().data_ptr()


@pytest.mark.parametrize("pattern", PATTERNS)
@pytest.mark.parametrize("name", DTYPES)
def test_torch_save_rt_load(name, pattern):
    torch = torch_or_skip()
    t, tbase = strided(torch, name, pattern)
    if t.dtype.is_floating_point and pattern == "plain":
        t = t.detach().requires_grad_()
    buf = io.BytesIO()
    torch.save({"t": t, "base": tbase}, buf)
    buf.seek(0)
    loaded = rt.load(buf)
    same(t, loaded["t"])
    same(tbase, loaded["base"])
    if tbase.numel():
        assert shares(loaded["t"], loaded["base"])


def test_data_pkl_is_byte_identical_to_torch():
    torch = torch_or_skip()

    def build(m):
        x = m.arange(6.0).reshape(2, 3)
        return {"a": x, "t": x.t(), "od": collections.OrderedDict(w=m.zeros(2, requires_grad=True)),
                "b": [m.ones(2, dtype=m.int64), 3, "x", b"yy", None, 1.5, m.tensor(True)],
                "h": m.tensor([1.0], dtype=m.bfloat16), "dt": m.float16, "size": m.Size([1, 2]),
                "dev": m.device("cpu"), "layout": m.strided}

    ours, theirs = io.BytesIO(), io.BytesIO()
    rt.save(build(rt), ours)
    torch.save(build(torch), theirs)
    za, zb = zipfile.ZipFile(ours), zipfile.ZipFile(theirs)
    assert za.namelist() == zb.namelist()
    for name in za.namelist():
        if not name.endswith("serialization_id"):
            assert za.read(name) == zb.read(name), name


def test_torch_mmap_loads_our_files(tmp_path):
    torch = torch_or_skip()
    rt.save({"a": rt.arange(10.0), "b": rt.ones(3, dtype=rt.int64)}, tmp_path / "m.pt")
    r = torch.load(tmp_path / "m.pt", mmap=True)
    assert r["a"].tolist() == [float(i) for i in range(10)] and r["b"].tolist() == [1, 1, 1]


def test_torch_module_state_dict_both_ways():
    """A real nn state_dict: an OrderedDict with a `_metadata` attribute (pickled with BUILD)."""
    torch = torch_or_skip()
    model = torch.nn.Sequential(torch.nn.Linear(2, 3), torch.nn.BatchNorm1d(3))
    buf = io.BytesIO()
    torch.save(model.state_dict(), buf)
    buf.seek(0)
    ours = rt.load(buf)
    assert list(ours) == list(model.state_dict()) and ours._metadata == model.state_dict()._metadata
    assert ours["0.weight"].tolist() == model[0].weight.tolist()
    ours["0.bias"].add_(1.0)
    out = io.BytesIO()
    rt.save(ours, out)
    out.seek(0)
    model.load_state_dict(torch.load(out))
    assert model[0].bias.tolist() == ours["0.bias"].tolist()


def test_rt_mmap_loads_torch_files(tmp_path):
    torch = torch_or_skip()
    base = torch.arange(24, dtype=torch.float64).reshape(2, 3, 4)
    torch.save({"base": base, "v": base.permute(2, 0, 1)[1:], "i": torch.arange(3, dtype=torch.int32)},
               tmp_path / "t.pt")
    r = rt.load(tmp_path / "t.pt", mmap=True)
    same(base, r["base"])
    same(base.permute(2, 0, 1)[1:], r["v"])
    assert r["i"].tolist() == [0, 1, 2] and shares(r["base"], r["v"])


def test_torch_parameter_and_requires_grad():
    torch = torch_or_skip()
    buf = io.BytesIO()
    torch.save([torch.nn.Parameter(torch.ones(2)), torch.nn.Parameter(torch.ones(1), requires_grad=False)], buf)
    buf.seek(0)
    r = rt.load(buf)
    assert r[0].requires_grad and r[0].is_leaf and not r[1].requires_grad
