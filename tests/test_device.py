"""Devices: rt.device (parsing, repr, equality, errors), t.device, to()/cpu()/cuda() and device= on
creation functions, CUDA refused as in a PyTorch build without CUDA, and rt.cuda / rt.backends."""

import pickle
import re

import numpy as np
import pytest

import rtensor as rt

CUDA_ERROR = "Torch not compiled with CUDA enabled"


def test_device_object():
    d = rt.device("cpu")
    assert repr(d) == "device(type='cpu')" and str(d) == "cpu"
    assert d.type == "cpu" and d.index is None
    assert d == rt.device("cpu") and hash(d) == hash(rt.device("cpu"))
    assert d != rt.device("cpu", 0) and d != "cpu"  # as torch: no equality with strings
    assert repr(rt.device("cpu", 0)) == "device(type='cpu', index=0)"
    assert repr(rt.device("cuda:2")) == "device(type='cuda', index=2)" and str(rt.device("cuda:2")) == "cuda:2"
    assert repr(rt.device(type="cuda", index=1)) == "device(type='cuda', index=1)"
    assert rt.device(d) == d and repr(rt.device(0)) == "device(type='cuda', index=0)"
    assert pickle.loads(pickle.dumps(rt.device("cuda:3"))) == rt.device("cuda:3")
    assert rt.device("meta:0").index == 0 and rt.device("privateuseone").type == "privateuseone"


EXPECTED_ONE_OF = (
    "Expected one of cpu, cuda, ipu, xpu, mkldnn, opengl, opencl, ideep, hip, ve, fpga, maia, xla, lazy, "
    "vulkan, mps, meta, hpu, mtia, privateuseone device type at start of device string: "
)


@pytest.mark.parametrize("s, msg", [
    ("foo", EXPECTED_ONE_OF + "foo"),
    ("CPU", EXPECTED_ONE_OF + "CPU"),
    ("", "Device string must not be empty"),
    ("cpu:x", "Invalid device string: 'cpu:x'"),
    ("cuda:-1", "Invalid device string: 'cuda:-1'"),
    ("cpu:1:2", "Invalid device string: 'cpu:1:2'"),
    ("cuda:01", "Invalid device string: 'cuda:01'"),
    ("cuda:", "Invalid device string: 'cuda:'"),
    (":0", "Invalid device string: ':0'"),
    ("cpu0", "Invalid device string: 'cpu0'"),
    ("cuda: 1", "Invalid device string: 'cuda: 1'"),
    ("cpu:99999999999", "Could not parse device index '99999999999' in device string 'cpu:99999999999'"),
])
def test_device_string_errors(s, msg):
    with pytest.raises(RuntimeError, match="^" + re.escape(msg) + "$"):
        rt.device(s)
    with pytest.raises(RuntimeError, match="^" + re.escape(msg) + "$"):
        rt.zeros(2, device=s)


def test_device_constructor_errors():
    with pytest.raises(RuntimeError, match="Device index must not be negative"):
        rt.device(-1)
    with pytest.raises(RuntimeError, match="Device index must not be negative"):
        rt.device("cpu", -1)
    with pytest.raises(RuntimeError, match=re.escape(
            "type (string) must not include an index because index was passed explicitly: cpu:0")):
        rt.device("cpu:0", 1)
    with pytest.raises(TypeError, match=re.escape("device(): argument 'index' (position 2) must be int, not str")):
        rt.device("cpu", "x")
    with pytest.raises(TypeError):
        rt.device(1.5)


def test_tensor_device_and_to():
    t = rt.ones(2)
    assert t.device == rt.device("cpu") and isinstance(t.device, rt.device)
    assert repr(t.device) == "device(type='cpu')"
    assert t.cpu() is t and t.to("cpu") is t and t.to(rt.device("cpu")) is t and t.to(t.device) is t
    assert t.to("cpu:0") is t
    d = t.to("cpu", rt.float64)
    assert d.dtype == rt.float64 and d.tolist() == [1.0, 1.0]
    assert t.to(rt.device("cpu"), dtype=rt.int32).dtype == rt.int32
    assert t.to(rt.ones(1, dtype=rt.int64)).dtype == rt.int64
    assert t.to(dtype=rt.float64, device="cpu", copy=False, non_blocking=True).dtype == rt.float64
    c = t.to("cpu", copy=True)
    assert c is not t and c.data_ptr() != t.data_ptr()
    assert not t.is_cuda and t.is_cpu and t.get_device() == -1


@pytest.mark.parametrize("call", [
    lambda: rt.ones(2).cuda(),
    lambda: rt.ones(2).to("cuda"),
    lambda: rt.ones(2).to("cuda:1"),
    lambda: rt.ones(2).to(device="cuda"),
    lambda: rt.ones(2).to(rt.device("cuda"), rt.float64),
    lambda: rt.zeros(2, device="cuda"),
    lambda: rt.ones(2, device=rt.device("cuda", 0)),
    lambda: rt.tensor([1.0], device="cuda"),
    lambda: rt.as_tensor([1.0], device="cuda"),
    lambda: rt.arange(3, device="cuda"),
    lambda: rt.eye(2, device="cuda"),
    lambda: rt.zeros(2, device=0),
    lambda: rt.ones(2).new_zeros(2, device="cuda"),
    lambda: rt.ones(2).type("torch.cuda.FloatTensor"),
    lambda: rt.cuda.current_device(),
    lambda: rt.cuda.synchronize(),
    lambda: rt.cuda.get_device_name(),
    lambda: rt.cuda.set_device(0),
])
def test_cuda_refused_as_without_cuda(call):
    with pytest.raises(AssertionError, match="^" + CUDA_ERROR + "$"):
        call()


def test_other_devices_refused():
    with pytest.raises(RuntimeError, match="PyTorch is not linked with support for mps devices"):
        rt.ones(2).to("mps")
    with pytest.raises(NotImplementedError, match="Could not run 'aten::empty.memory_format' with arguments from the 'XLA' backend"):
        rt.zeros(2, device="xla")


CREATION = {
    "zeros": lambda **k: rt.zeros(2, 3, **k),
    "ones": lambda **k: rt.ones((2, 3), **k),
    "empty": lambda **k: rt.empty(2, **k),
    "full": lambda **k: rt.full((2,), 1.5, **k),
    "zeros_like": lambda **k: rt.zeros_like(rt.ones(2), **k),
    "ones_like": lambda **k: rt.ones_like(rt.ones(2), **k),
    "empty_like": lambda **k: rt.empty_like(rt.ones(2), **k),
    "full_like": lambda **k: rt.full_like(rt.ones(2), 3, **k),
    "rand": lambda **k: rt.rand(2, **k),
    "randn": lambda **k: rt.randn(2, **k),
    "randint": lambda **k: rt.randint(0, 3, (2,), **k),
    "arange": lambda **k: rt.arange(3, **k),
    "linspace": lambda **k: rt.linspace(0, 1, 3, **k),
    "logspace": lambda **k: rt.logspace(0, 1, 3, **k),
    "eye": lambda **k: rt.eye(2, **k),
    "tensor": lambda **k: rt.tensor([1.0], **k),
    "as_tensor": lambda **k: rt.as_tensor([1.0], **k),
    "asarray": lambda **k: rt.asarray([1.0], **k),
    "empty_strided": lambda **k: rt.empty_strided((2,), (1,), **k),
    "Tensor": lambda **k: rt.Tensor(2, **k),
}


@pytest.mark.parametrize("name", sorted(CREATION))
@pytest.mark.parametrize("device", ["cpu", "cpu:0", rt.device("cpu"), None])
def test_device_keyword_on_creation(name, device):
    t = CREATION[name](device=device)
    assert t.device == rt.device("cpu")


@pytest.mark.parametrize("name", sorted(CREATION))
def test_cuda_keyword_on_creation(name):
    with pytest.raises(AssertionError, match=CUDA_ERROR):
        CREATION[name](device="cuda")


def test_cuda_and_backends_modules():
    assert rt.cuda.is_available() is False and rt.cuda.device_count() == 0
    assert rt.cuda.is_initialized() is False
    rt.cuda.manual_seed(0)
    rt.cuda.manual_seed_all(0)
    rt.cuda.empty_cache()
    assert rt.backends.mps.is_available() is False and rt.backends.mps.is_built() is False
    assert rt.backends.cudnn.is_available() is False and rt.backends.cudnn.version() is None
    assert rt.backends.cudnn.enabled is True and rt.backends.cudnn.deterministic is False
    assert rt.backends.cudnn.benchmark is False
    rt.backends.cudnn.deterministic = True  # settable, as torch code does
    rt.backends.cudnn.deterministic = False


def test_device_as_torch():
    torch = pytest.importorskip("torch")
    for s in ["cpu", "cpu:0", "cuda:3", "meta", "cuda"]:
        assert repr(rt.device(s)) == repr(torch.device(s))
        assert str(rt.device(s)) == str(torch.device(s))
    for s in ["foo", "", "cpu:x", "cuda:01", "cpu:99999999999"]:
        with pytest.raises(RuntimeError) as ours:
            rt.device(s)
        with pytest.raises(RuntimeError) as theirs:
            torch.device(s)
        assert str(ours.value) == str(theirs.value)
    assert (torch.device("cpu") == "cpu") == (rt.device("cpu") == "cpu")
    assert repr(rt.ones(1).device) == repr(torch.ones(1).device)


def test_numpy_and_device_interplay():
    t = rt.from_numpy(np.arange(3.0))
    assert t.device.type == "cpu" and t.to("cpu") is t
