"""rtensor.load on hostile files: the safe loader's refusals (pickled calls, custom classes, opcodes
that would change allowed globals or allocate claimed sizes), lies in data.pkl (sizes, strides,
offsets, storage references), records that claim more than the file holds, and a fuzz of mutated
and truncated files (read and mapped). Helpers come from tests/test_save.py."""

import collections
import io
import os
import pickle
import random
import zipfile

import pytest

import rtensor as rt
from rtensor import _save
from test_save import DATA, LOAD_ERRORS, roundtrip, torch_or_skip


# ---------------------------------------------------------------------------------------- safety


class Custom:
    pass


class Evil:
    def __init__(self, path):
        self.path = path

    def __reduce__(self):
        return (os.system, (f"touch {self.path}",))


def test_refuses_os_system_without_running_it(tmp_path):
    marker = tmp_path / "pwned"
    buf = io.BytesIO()
    rt.save({"x": Evil(marker)}, buf)
    with pytest.raises(pickle.UnpicklingError) as info:
        rt.load(io.BytesIO(buf.getvalue()))
    msg = str(info.value)
    assert msg.startswith("Weights only load failed. ")
    assert f"Trying to load unsupported GLOBAL {os.system.__module__}.system whose module " \
           f"{os.system.__module__} is blocked." in msg
    assert not marker.exists()


def test_refuses_custom_class_and_weights_only_false_loads_it():
    buf = io.BytesIO()
    rt.save({"x": Custom(), "t": rt.ones(1)}, buf)
    with pytest.raises(pickle.UnpicklingError) as info:
        rt.load(io.BytesIO(buf.getvalue()))
    msg = str(info.value)
    assert msg.startswith("Weights only load failed. This file can still be loaded")
    assert f"Unsupported global: GLOBAL {__name__}.Custom was not an allowed global by default." in msg
    r = rt.load(io.BytesIO(buf.getvalue()), weights_only=False)
    assert isinstance(r["x"], Custom) and r["t"].tolist() == [1.0]


@pytest.mark.parametrize("payload", [
    b"\x80\x02cbuiltins\neval\nX\x04\x00\x00\x001+1\x85R.",
    b"\x80\x02cbuiltins\nbytearray\nJ\x00\x00\x00\x40\x85R.",  # bytearray(2**30): refused, not allocated
    b"\x80\x02c_codecs\nencode\nX\x01\x00\x00\x00aX\x04\x00\x00\x00zlib\x86R.",
    b"\x80\x02\x8e\x00\x00\x00\x00\x01\x00\x00\x00.",  # BINBYTES8 claiming 2**32 bytes
    b"\x80\x02(.",
    b"\x80\x02h\x05.",  # BINGET of nothing
    b"\x80\x05\x96\x00\x00\x00\x00\x01\x00\x00\x00.",  # BYTEARRAY8 claiming 2**32 bytes
    b"\x80\x02ccollections\nOrderedDict\nN(}X\x01\x00\x00\x00xK\x01tb.",  # BUILD on a class
    b"\x80\x02ctorch\nFloatStorage\nN}X\x05\x00\x00\x00dtypeX\x03\x00\x00\x00bad\x86b.",
    b"\x80\x02X\x01\x00\x00\x00aQ.",  # a persistent id that is not a tuple
    b"\x80\x02.",
    b"\x80\x02\x82\x01.",  # EXT1: the copyreg registry's cache would bypass find_class
    b"",
])
def test_refuses_hostile_pickles(payload):
    with pytest.raises(LOAD_ERRORS):
        rt.load(archive(payload))


def test_huge_memo_index_allocates_nothing():
    assert rt.load(archive(b"\x80\x02]r\xff\xff\xff\x7f.")) == []  # LONG_BINPUT 2**31 - 1


def test_build_cannot_change_allowed_globals():
    """A BUILD on the storage type torch.FloatStorage (its `dtype`) must not reach it: every later
    load would read float storages as something else."""
    payload = b"\x80\x02ctorch\nFloatStorage\nN}X\x05\x00\x00\x00dtypeX\x03\x00\x00\x00bad\x86b."
    with pytest.raises(pickle.UnpicklingError, match="Can only build OrderedDict or Counter"):
        rt.load(archive(payload))
    assert roundtrip(rt.ones(2)).tolist() == [1.0, 1.0]
    od = rt.load(archive(b"\x80\x02ccollections\nOrderedDict\n)R}X\x01\x00\x00\x00aK\x01sb."))
    assert od.a == 1  # an OrderedDict's attributes (an nn state_dict's _metadata) are allowed


def archive(data_pkl, records=None, name="archive"):
    """A checkpoint made of the given data.pkl bytes and {key: bytes} storage records."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr(f"{name}/data.pkl", data_pkl)
        zf.writestr(f"{name}/byteorder", "little")
        for key, data in (records or {}).items():
            zf.writestr(f"{name}/data/{key}", data)
        zf.writestr(f"{name}/version", "3\n")
    buf.seek(0)
    return buf


class Lie:
    """A tensor whose pickled description says whatever the test wants."""

    def __init__(self, storage=("storage", "FloatStorage", "0", "cpu", 4), offset=0, size=(4,), stride=(1,),
                 requires_grad=False, func="_rebuild_tensor_v2"):
        self.storage, self.offset, self.size, self.stride = storage, offset, size, stride
        self.requires_grad, self.func = requires_grad, func


class LiePickler(_save._Pickler):
    def reducer_override(self, obj):
        if isinstance(obj, Lie):
            pid = obj.storage
            if isinstance(pid, tuple) and len(pid) == 5 and isinstance(pid[1], str):
                pid = (pid[0], _save._g("torch", pid[1])) + pid[2:]
            return (_save._g("torch._utils", obj.func),
                    (_save._StorageRef(pid), obj.offset, obj.size, obj.stride, obj.requires_grad,
                     collections.OrderedDict()))
        return super().reducer_override(obj)


def lie(obj, records=None):
    buf = io.BytesIO()
    LiePickler(buf, 2).dump(obj)
    return archive(buf.getvalue(), {"0": bytes(16)} if records is None else records)


def test_lie_baseline_loads():
    assert rt.load(lie(Lie())).tolist() == [0.0] * 4


@pytest.mark.parametrize("bad, match", [
    (Lie(size=(5,)), "out of bounds for storage of size 16"),
    (Lie(offset=1), "out of bounds"),
    (Lie(size=(2, 2), stride=(3, 1)), "out of bounds"),
    (Lie(size=(2,), stride=(-1,)), "negative"),
    (Lie(offset=-1), "negative"),
    (Lie(size=(-1,)), "negative"),
    (Lie(size=(2, 2), stride=(1,)), "2 sizes but 1 strides"),
    (Lie(size=(2**40, 2**40), stride=(0, 0)), "more than 2\\*\\*63 - 1 elements"),
    (Lie(size=(1,) * 65, stride=(1,) * 65), "65 dimensions"),
    (Lie(size="abc"), "tuple of ints"),
    (Lie(size=(1.5,)), "tuple of ints"),
    (Lie(offset=0.5), "storage offset must be an int"),
    (Lie(requires_grad=2), "requires_grad must be a bool"),
    (Lie(storage=("storage", "FloatStorage", "0", "cpu", 5)), "holds 16 bytes but data.pkl says 5 elements"),
    (Lie(storage=("storage", "FloatStorage", "0", "cpu", 2**62)), "holds 16 bytes"),
    (Lie(storage=("storage", "FloatStorage", "0", "cpu", -1)), "negative size"),
    (Lie(storage=("storage", "FloatStorage", "7", "cpu", 4)), "failed locating file data/7"),
    (Lie(storage=("storage", "FloatStorage", 0, "cpu", 4)), "storage reference must be"),
    (Lie(storage=("storage", "EvilStorage", "0", "cpu", 4)), "GLOBAL torch.EvilStorage was not an allowed"),
    (Lie(storage=("module", "FloatStorage", "0", "cpu", 4)), "Only persistent_load of storage is allowed"),
    (Lie(storage=("storage", "FloatStorage", "0")), "unsupported persistent id"),
    (Lie(storage="storage"), "unsupported persistent id"),
    (Lie(storage=("storage", "FloatStorage", "0", "cuda:0", 4)), "CUDA device"),
    (Lie(storage=("storage", "LongStorage", "0", "cpu", 2), size=(2,), requires_grad=True),
     "(?i)only Tensors of floating point"),
    (Lie(func="_rebuild_sparse_tensor"), "GLOBAL torch._utils._rebuild_sparse_tensor was not an allowed"),
])
def test_lies_in_data_pkl(bad, match):
    with pytest.raises(LOAD_ERRORS, match=match):
        rt.load(lie(bad))


def test_record_claiming_more_bytes_than_the_file_allocates_nothing():
    claimed = 2**34  # 16 GB: refused before any buffer is made
    buf = lie(Lie(storage=("storage", "FloatStorage", "0", "cpu", claimed // 4)))
    raw = bytearray(buf.getvalue())
    central = raw.find(b"PK\x01\x02", raw.find(b"archive/data/0") + 1)
    while raw[central + 46:central + 46 + 14] != b"archive/data/0":
        central = raw.find(b"PK\x01\x02", central + 1)
    extra = 8 + 8  # the sizes move to a zip64 extra field: rebuild the entry with one
    name_len = int.from_bytes(raw[central + 28:central + 30], "little")
    raw[central + 20:central + 28] = b"\xff" * 8
    old_extra = int.from_bytes(raw[central + 30:central + 32], "little")
    raw[central + 30:central + 32] = (old_extra + 4 + extra).to_bytes(2, "little")
    at = central + 46 + name_len + old_extra
    raw[at:at] = b"\x01\x00" + extra.to_bytes(2, "little") + claimed.to_bytes(8, "little") * 2
    end = raw.rfind(b"PK\x05\x06")
    size = int.from_bytes(raw[end + 12:end + 16], "little") + 4 + extra
    raw[end + 12:end + 16] = size.to_bytes(4, "little")
    with pytest.raises(RuntimeError, match="claims 17179869184 bytes, more than the file holds"):
        rt.load(io.BytesIO(bytes(raw)))


def test_bool_bytes_other_than_0_1_are_normalised():
    r = rt.load(lie(Lie(storage=("storage", "BoolStorage", "0", "cpu", 4)), {"0": bytes([0, 2, 255, 1])}))
    assert r.tolist() == [False, True, True, True] and r.int().tolist() == [0, 1, 1, 1]


def test_big_endian_files_are_swapped():
    buf = io.BytesIO()
    rt.save({"a": rt.tensor([1.5, -2.0]), "b": rt.tensor([258], dtype=rt.int16),
             "c": rt.tensor([1.5], dtype=rt.bfloat16)}, buf)
    src = zipfile.ZipFile(buf)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        for info in src.infolist():
            data = src.read(info)
            if info.filename.endswith("byteorder"):
                data = b"big"
            elif "/data/" in info.filename:
                size = {"0": 4, "1": 2, "2": 2}[info.filename.rsplit("/", 1)[1]]
                data = b"".join(data[i:i + size][::-1] for i in range(0, len(data), size))
            zf.writestr(info.filename, data)
    r = rt.load(io.BytesIO(out.getvalue()))
    assert r["a"].tolist() == [1.5, -2.0] and r["b"].tolist() == [258] and r["c"].tolist() == [1.5]


def test_not_a_zip_and_torchscript_and_bad_byteorder():
    with pytest.raises(RuntimeError, match="not a zip archive"):
        rt.load(io.BytesIO(b"garbage bytes here"))
    with pytest.raises(RuntimeError, match="not a zip archive"):
        rt.load(io.BytesIO(b""))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("data.pkl", b"\x80\x02N.")
    with pytest.raises(RuntimeError, match="file in archive is not in a subdirectory: data.pkl"):
        rt.load(io.BytesIO(buf.getvalue()))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("a/data.pkl", b"\x80\x02N.")
        zf.writestr("a/byteorder", b"middle")
    with pytest.raises(ValueError, match="Unknown endianness type: middle"):
        rt.load(io.BytesIO(buf.getvalue()))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("a/data.pkl", b"\x80\x02N.")
        zf.writestr("a/constants.pkl", b"\x80\x02N.")
    with pytest.raises(RuntimeError, match="TorchScript"):
        rt.load(io.BytesIO(buf.getvalue()))


def test_deflated_archives_load():
    buf = io.BytesIO()
    rt.save({"a": rt.arange(100.0)}, buf)
    src = zipfile.ZipFile(buf)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for info in src.infolist():
            zf.writestr(info.filename, src.read(info))
    assert rt.load(io.BytesIO(out.getvalue()))["a"].tolist() == [float(i) for i in range(100)]


def _fuzz_sources():
    out = [p.read_bytes() for p in sorted(DATA.glob("torch_golden_*.pt"))]
    buf = io.BytesIO()
    base = rt.arange(24.0).reshape(2, 3, 4)
    rt.save({"a": base, "b": base.permute(2, 0, 1), "c": [rt.ones(2, dtype=rt.bfloat16), "s", 3],
             "d": rt.tensor([True, False])}, buf)
    out.append(buf.getvalue())
    return out


def _check_loaded(obj):
    """Touch everything a load returned (a bad tensor would crash here rather than in the loader)."""
    if isinstance(obj, rt.Tensor):
        repr(obj)
        obj.clone()
    elif isinstance(obj, dict):
        for v in obj.values():
            _check_loaded(v)
    elif isinstance(obj, (list, tuple)):
        for v in obj:
            _check_loaded(v)


def _rezip(raw, pkl):
    """``raw``'s archive with its data.pkl replaced (valid CRCs, so the unpickler sees the mutation)."""
    src = zipfile.ZipFile(io.BytesIO(raw))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        for info in src.infolist():
            zf.writestr(info.filename, pkl if info.filename.endswith("data.pkl") else src.read(info))
    return out.getvalue()


def test_fuzz_mutated_and_truncated_files():
    """Random byte changes, in the archive and (re-zipped, past the CRC check) in data.pkl, and every
    truncation: each load returns or raises RuntimeError / UnpicklingError / ValueError."""
    rng = random.Random(20261207)
    outcomes = collections.Counter()

    def attempt(data):
        try:
            _check_loaded(rt.load(io.BytesIO(data)))
            outcomes["loaded"] += 1
        except LOAD_ERRORS as e:
            outcomes[type(e).__name__] += 1

    for raw in _fuzz_sources():
        pkl = zipfile.ZipFile(io.BytesIO(raw)).read(zipfile.ZipFile(io.BytesIO(raw)).namelist()[0])
        for cut in range(0, len(raw), max(1, len(raw) // 97)):
            attempt(raw[:cut])
        for _ in range(150):
            data = bytearray(raw)
            for _ in range(rng.choice([1, 1, 2, 4])):
                data[rng.randrange(len(data))] = rng.randrange(256)
            attempt(bytes(data))
        for _ in range(250):
            mutated = bytearray(pkl)
            for _ in range(rng.choice([1, 1, 2, 3])):
                r = rng.random()
                i = rng.randrange(len(mutated))
                if r < 0.6:
                    mutated[i] = rng.randrange(256)
                elif r < 0.8:
                    del mutated[i:i + rng.randint(1, 8)]
                else:
                    mutated[i:i] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 8)))
            attempt(_rezip(raw, bytes(mutated)))
    assert outcomes["loaded"] > 0 and sum(outcomes.values()) > 2000, outcomes


def test_fuzz_mutated_files_with_mmap(tmp_path):
    rng = random.Random(7)
    for n, raw in enumerate(_fuzz_sources()):
        for i in range(60):
            path = tmp_path / f"f{n}-{i}.pt"  # a new file each time: never rewrite a mapped file
            data = bytearray(raw)
            for _ in range(rng.choice([1, 2, 4])):
                data[rng.randrange(len(data))] = rng.randrange(256)
            path.write_bytes(bytes(data[:rng.choice([len(data), rng.randrange(len(data) + 1)])]))
            try:
                _check_loaded(rt.load(path, mmap=True))
            except LOAD_ERRORS:
                pass


# ---------------------------------------------------------------------------------------- with torch


def _torch_message(torch, obj):
    buf = io.BytesIO()
    torch.save(obj, buf)
    buf.seek(0)
    with pytest.raises(pickle.UnpicklingError) as info:
        torch.load(buf)
    return str(info.value)


def _rt_message(obj):
    buf = io.BytesIO()
    rt.save(obj, buf)
    buf.seek(0)
    with pytest.raises(pickle.UnpicklingError) as info:
        rt.load(buf)
    return str(info.value)


def test_refusal_messages_match_torch(tmp_path):
    torch = torch_or_skip()
    for obj in ({"x": Evil(tmp_path / "pwned")}, {"x": Custom()}):
        theirs, ours = _torch_message(torch, obj), _rt_message(obj)
        assert ours.split(". ")[0] == theirs.split(". ")[0] == "Weights only load failed"
        key = "Trying to load unsupported GLOBAL" if isinstance(obj["x"], Evil) else "Unsupported global: GLOBAL"
        line = next(ln for ln in theirs.splitlines() if key in ln).strip()
        line = line[line.index(key):].split(" Please use")[0]
        assert line in ours
    assert not (tmp_path / "pwned").exists()


def test_error_messages_match_torch():
    torch = torch_or_skip()
    buf = io.BytesIO()
    torch.save(torch.ones(2), buf)
    data = buf.getvalue()
    with pytest.raises(RuntimeError) as theirs:
        torch.load(io.BytesIO(data), map_location="cuda")
    with pytest.raises(RuntimeError) as ours:
        rt.load(io.BytesIO(data), map_location="cuda")
    assert str(ours.value) == str(theirs.value).replace("torch", "rtensor")
    with pytest.raises(RuntimeError) as theirs:
        torch.load(io.BytesIO(data), map_location="bogus")
    with pytest.raises(RuntimeError) as ours:
        rt.load(io.BytesIO(data), map_location="bogus")
    assert str(ours.value) == str(theirs.value).replace("torch.storage", "rtensor.storage")
    with pytest.raises(AttributeError) as theirs:
        torch.save(torch.ones(1), 3)
    with pytest.raises(AttributeError) as ours:
        rt.save(rt.ones(1), 3)
    assert str(ours.value) == str(theirs.value)
    assert rt.load(io.BytesIO(data), map_location=torch.device("cpu")).tolist() == [1.0, 1.0]
    with pytest.raises(AttributeError) as theirs:
        torch.load(3)
    with pytest.raises(AttributeError) as ours:
        rt.load(3)
    assert str(ours.value) == str(theirs.value).replace("torch.load", "rtensor.load")
