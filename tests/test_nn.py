"""rtensor.nn: Parameter, Module (registration, iteration, state_dict, modes, conversion, hooks,
repr), containers, init, utils; against torch where it is installed."""

import copy
import io
import math
import pickle
import warnings
from collections import OrderedDict

import numpy as np
import pytest

import rtensor as rt
import rtensor.nn as nn


class Affine(nn.Module):
    """A layer built only from ops every build has (no nn.functional): x * w + b."""

    def __init__(self, n):
        super().__init__()
        self.w = nn.Parameter(rt.ones(n))
        self.b = nn.Parameter(rt.zeros(n))
        self.register_buffer("count", rt.zeros((), dtype=rt.int64))
        self.register_buffer("scratch", rt.zeros(n), persistent=False)

    def forward(self, x):
        return x * self.w + self.b


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.a = Affine(3)
        self.act = nn.Tanh()
        self.blocks = nn.ModuleList([Affine(3), Affine(3)])

    def forward(self, x):
        x = self.act(self.a(x))
        for b in self.blocks:
            x = b(x)
        return x


# ---- Parameter -----------------------------------------------------------------------------


def test_parameter_is_a_tensor_subclass_sharing_its_data():
    data = rt.ones(2, 3)
    p = nn.Parameter(data)
    assert isinstance(p, rt.Tensor) and isinstance(p, nn.Parameter)
    assert p.requires_grad and p.is_leaf and p.grad_fn is None
    assert p.data_ptr() == data.data_ptr()
    assert not nn.Parameter(data, requires_grad=False).requires_grad
    assert type(p * 2) is rt.Tensor and (p * 2).grad_fn.name() == "MulBackward0"
    assert nn.Parameter().shape == (0,)
    assert repr(nn.Parameter(rt.tensor([1.0, 2.0]))) == (
        "Parameter containing:\ntensor([1., 2.], requires_grad=True)"
    )


def test_parameter_errors():
    with pytest.raises(RuntimeError, match="floating point"):
        nn.Parameter(rt.tensor([1, 2]))
    with pytest.raises(TypeError):
        nn.Parameter([1.0, 2.0])


def test_parameter_copy_deepcopy_pickle():
    p = nn.Parameter(rt.tensor([1.0, 2.0]))
    d = copy.deepcopy(p)
    assert type(d) is nn.Parameter and d.requires_grad and d.data_ptr() != p.data_ptr()
    c = copy.copy(p)
    assert type(c) is nn.Parameter and c.data_ptr() == p.data_ptr()
    for proto in range(pickle.HIGHEST_PROTOCOL + 1):
        q = pickle.loads(pickle.dumps(nn.Parameter(rt.ones(2), requires_grad=False), protocol=proto))
        assert type(q) is nn.Parameter and not q.requires_grad and q.tolist() == [1.0, 1.0]


def test_parameter_gradients_accumulate():
    p = nn.Parameter(rt.tensor([1.0, 2.0]))
    (p * p).sum().backward()
    assert p.grad.tolist() == [2.0, 4.0]


# ---- Module ----------------------------------------------------------------------------------


def test_registration_and_iteration():
    net = Net()
    names = [n for n, _ in net.named_parameters()]
    assert names == ["a.w", "a.b", "blocks.0.w", "blocks.0.b", "blocks.1.w", "blocks.1.b"]
    assert len(list(net.parameters())) == 6
    assert [n for n, _ in net.named_buffers()] == [
        "a.count", "a.scratch", "blocks.0.count", "blocks.0.scratch", "blocks.1.count", "blocks.1.scratch"
    ]
    assert [n for n, _ in net.named_children()] == ["a", "act", "blocks"]
    assert [n for n, _ in net.named_modules()] == ["", "a", "act", "blocks", "blocks.0", "blocks.1"]
    assert [n for n, _ in net.named_parameters(recurse=False)] == []
    assert net.get_submodule("blocks.1") is net.blocks[1]
    assert net.get_parameter("blocks.0.w") is net.blocks[0].w
    assert net.get_buffer("a.count") is net.a.count
    with pytest.raises(AttributeError, match="has no attribute `zzz`"):
        net.get_submodule("a.zzz")


def test_shared_parameters_are_listed_once():
    a = Affine(2)
    seq = nn.Sequential(a, a)
    assert len(list(seq.parameters())) == 2
    assert len(list(seq.named_parameters(remove_duplicate=False))) == 4


def test_setattr_rules_and_errors():
    m = Affine(2)
    with pytest.raises(TypeError, match=r"cannot assign 'rtensor.FloatTensor' as parameter 'w' \(rtensor.nn.Parameter or None expected\)"):
        m.w = rt.ones(2)
    m.w = None
    assert m.w is None and "w" in m._parameters
    assert [n for n, _ in m.named_parameters()] == ["b"]
    with pytest.raises(TypeError, match="as buffer 'count'"):
        m.count = 3
    m.count = rt.ones(())
    assert m.count.item() == 1.0
    m.child = nn.Tanh()
    assert "child" in m._modules
    with pytest.raises(TypeError, match="as child module 'child'"):
        m.child = 1
    m.plain = 5
    assert m.plain == 5 and "plain" in m.__dict__
    with pytest.raises(AttributeError, match="'Affine' object has no attribute 'nothing'"):
        m.nothing
    del m.child
    assert "child" not in m._modules


def test_registration_errors():
    m = nn.Module()
    with pytest.raises(KeyError, match="contain"):
        m.add_module("a.b", nn.Tanh())
    with pytest.raises(KeyError, match="empty string"):
        m.register_buffer("", rt.ones(1))
    with pytest.raises(TypeError, match="is not a Module subclass"):
        m.add_module("x", 3)

    class Early(nn.Module):
        def __init__(self):
            self.p = nn.Parameter(rt.ones(1))

    with pytest.raises(AttributeError, match="cannot assign parameters before Module.__init__"):
        Early()
    with pytest.raises(NotImplementedError, match=r'Module \[Module\] is missing the required "forward" function'):
        nn.Module()(rt.ones(1))
    with pytest.raises(TypeError, match="unexpected keyword argument"):
        nn.Module(foo=1)


def test_train_eval_requires_grad_zero_grad():
    net = Net()
    assert net.training and net.a.training
    assert net.eval() is net and not net.blocks[1].training
    net.train()
    assert net.blocks[0].training
    with pytest.raises(ValueError, match="training mode is expected to be boolean"):
        net.train("yes")
    net(rt.ones(3)).sum().backward()
    assert all(p.grad is not None for p in net.parameters())
    net.zero_grad(set_to_none=False)
    assert all(p.grad.abs().sum().item() == 0 for p in net.parameters())
    net.zero_grad()
    assert all(p.grad is None for p in net.parameters())
    net.requires_grad_(False)
    assert not any(p.requires_grad for p in net.parameters())


def test_dtype_conversion_keeps_parameter_identity():
    net = Net()
    w = net.a.w
    net.double()
    assert net.a.w is w and w.dtype == rt.float64 and type(w) is nn.Parameter
    assert net.a.count.dtype == rt.int64  # integer buffers keep their dtype
    assert net.a.scratch.dtype == rt.float64
    net.to(rt.float32)
    assert w.dtype == rt.float32
    net.half().float()
    assert w.dtype == rt.float32
    with pytest.raises(TypeError, match="only accepts floating point"):
        net.to(rt.int32)
    assert net.cpu() is net


def test_apply_and_hooks():
    net = Net()
    seen = []
    net.apply(lambda m: seen.append(type(m).__name__))
    assert seen == ["Affine", "Tanh", "Affine", "Affine", "ModuleList", "Net"]
    calls = []
    h1 = net.a.register_forward_pre_hook(lambda m, args: (args[0] * 0,))
    h2 = net.a.register_forward_hook(lambda m, args, out: calls.append(out.tolist()) or out + 1)
    out = net.a(rt.tensor([1.0, 2.0, 3.0]))
    assert out.tolist() == [1.0, 1.0, 1.0] and calls == [[0.0, 0.0, 0.0]]
    h1.remove()
    h2.remove()
    assert net.a(rt.tensor([1.0, 2.0, 3.0])).tolist() == [1.0, 2.0, 3.0]
    with net.a.register_forward_hook(lambda m, a, k, o: o * 10, with_kwargs=True):
        assert net.a(rt.ones(3)).tolist() == [10.0, 10.0, 10.0]
    assert net.a(rt.ones(3)).tolist() == [1.0, 1.0, 1.0]


def test_state_dict_and_load_state_dict():
    net = Net()
    sd = net.state_dict()
    assert isinstance(sd, OrderedDict)
    assert list(sd) == [
        "a.w", "a.b", "a.count", "blocks.0.w", "blocks.0.b", "blocks.0.count",
        "blocks.1.w", "blocks.1.b", "blocks.1.count",
    ]
    assert sd._metadata[""] == {"version": 1} and "blocks.1" in sd._metadata
    assert all(not v.requires_grad for v in sd.values())
    assert sd["a.w"].data_ptr() == net.a.w.data_ptr()  # detached, not copied
    assert net.state_dict(keep_vars=True)["a.w"] is net.a.w
    other = Net()
    with rt.no_grad():
        for p in other.parameters():
            p.fill_(7.0)
    res = net.load_state_dict(other.state_dict())
    assert res.missing_keys == [] and res.unexpected_keys == []
    assert repr(res) == "<All keys matched successfully>"
    assert net.a.w.tolist() == [7.0, 7.0, 7.0]
    bad = dict(other.state_dict())
    del bad["a.b"]
    bad["a.w"] = rt.zeros(4)
    bad["extra"] = rt.zeros(1)
    with pytest.raises(RuntimeError) as e:
        net.load_state_dict(bad)
    assert str(e.value) == (
        "Error(s) in loading state_dict for Net:\n"
        '\tMissing key(s) in state_dict: "a.b". \n'
        '\tUnexpected key(s) in state_dict: "extra". \n'
        "\tsize mismatch for a.w: copying a param with shape rtensor.Size([4]) from checkpoint, "
        "the shape in current model is rtensor.Size([3])."
    )
    del bad["a.w"]
    res = net.load_state_dict(bad, strict=False)
    assert res.missing_keys == ["a.w", "a.b"] and res.unexpected_keys == ["extra"]
    fresh = {k: v.clone() + 1 for k, v in other.state_dict().items()}
    net.load_state_dict(fresh, assign=True)
    assert net.a.w.data_ptr() == fresh["a.w"].data_ptr() and type(net.a.w) is nn.Parameter
    with pytest.raises(TypeError, match="Expected state_dict to be dict-like"):
        net.load_state_dict([1, 2])


def test_state_dict_round_trips_through_save_and_pickle():
    net = Net()
    buf = io.BytesIO()
    rt.save(net.state_dict(), buf)
    buf.seek(0)
    sd = rt.load(buf)
    assert list(sd) == list(net.state_dict())
    assert sd._metadata == net.state_dict()._metadata
    other = Net()
    other.load_state_dict(sd)
    whole = pickle.loads(pickle.dumps(net))
    assert type(whole.a.w) is nn.Parameter and whole.a.w.tolist() == net.a.w.tolist()
    deep = copy.deepcopy(net)
    assert deep.a.w is not net.a.w and deep.a.w.tolist() == net.a.w.tolist()


def test_module_repr():
    class Tiny(nn.Module):
        def extra_repr(self):
            return "k=3"

    assert repr(nn.Module()) == "Module()"
    assert repr(Tiny()) == "Tiny(k=3)"
    seq = nn.Sequential(Tiny(), nn.Sequential(nn.Tanh(), nn.Flatten()))
    assert repr(seq) == (
        "Sequential(\n  (0): Tiny(k=3)\n  (1): Sequential(\n    (0): Tanh()\n"
        "    (1): Flatten(start_dim=1, end_dim=-1)\n  )\n)"
    )
    assert repr(nn.ModuleList([nn.Tanh(), nn.Tanh(), nn.Sigmoid()])) == (
        "ModuleList(\n  (0-1): 2 x Tanh()\n  (2): Sigmoid()\n)"
    )
    assert repr(nn.ModuleList()) == "ModuleList()"
    assert repr(nn.ParameterList([nn.Parameter(rt.ones(2))])) == (
        "ParameterList(  (0): Parameter containing: [rtensor.float32 of size 2])"
    )


# ---- containers ----------------------------------------------------------------------------


def test_sequential():
    seq = nn.Sequential(Affine(2), nn.Tanh(), Affine(2))
    assert len(seq) == 3 and isinstance(seq[1], nn.Tanh) and isinstance(seq[-1], Affine)
    assert isinstance(seq[1:], nn.Sequential) and len(seq[1:]) == 2
    x = rt.tensor([0.5, -1.0])
    assert seq(x).tolist() == rt.tanh(x).tolist()
    named = nn.Sequential(OrderedDict([("first", nn.Tanh()), ("second", nn.Sigmoid())]))
    assert [n for n, _ in named.named_children()] == ["first", "second"]
    seq.append(nn.Sigmoid())
    assert len(seq) == 4
    del seq[0]
    assert [n for n, _ in seq.named_children()] == ["0", "1", "2"]
    seq.insert(0, nn.Identity())
    assert isinstance(seq[0], nn.Identity)
    popped = seq.pop(0)
    assert isinstance(popped, nn.Identity)
    with pytest.raises(IndexError, match="index 9 is out of range"):
        seq[9]
    assert len(seq + nn.Sequential(nn.Tanh())) == 4


def test_module_list_and_dict():
    ml = nn.ModuleList([nn.Tanh()])
    ml.append(nn.Sigmoid())
    ml.extend([nn.Identity()])
    ml += [nn.Tanh()]
    assert len(ml) == 4 and isinstance(ml[-1], nn.Tanh)
    assert len(ml[1:3]) == 2
    ml.insert(0, nn.Sigmoid())
    assert isinstance(ml[0], nn.Sigmoid) and len(ml) == 5
    with pytest.raises(TypeError, match="should be called with an iterable"):
        ml.extend(3)
    md = nn.ModuleDict({"a": nn.Tanh(), "b": nn.Sigmoid()})
    assert list(md.keys()) == ["a", "b"] and "a" in md and len(md) == 2
    md["c"] = nn.Identity()
    assert [n for n, _ in md.named_children()] == ["a", "b", "c"]
    assert isinstance(md.pop("a"), nn.Tanh) and "a" not in md
    md.update([("d", nn.Tanh())])
    assert list(md) == ["b", "c", "d"]
    with pytest.raises(ValueError, match="has length 3; 2 is required"):
        md.update([("x", nn.Tanh(), 1)])


def test_parameter_list_and_dict():
    pl = nn.ParameterList([rt.ones(2), nn.Parameter(rt.zeros(3))])
    assert all(type(p) is nn.Parameter for p in pl) and len(pl) == 2
    assert [n for n, _ in pl.named_parameters()] == ["0", "1"]
    pd = nn.ParameterDict({"w": rt.ones(2)})
    pd["b"] = nn.Parameter(rt.zeros(1))
    assert list(pd.keys()) == ["w", "b"] and type(pd["w"]) is nn.Parameter
    assert [n for n, _ in pd.named_parameters()] == ["w", "b"]
    with pytest.raises(RuntimeError, match="ParameterList should not be called"):
        pl(1)


def test_flatten_unflatten_identity():
    x = rt.arange(24.0).reshape(2, 3, 4)
    assert nn.Flatten()(x).shape == (2, 12)
    assert nn.Flatten(0, -1)(x).shape == (24,)
    assert nn.Unflatten(1, (3, 1))(x).shape == (2, 3, 1, 4)
    assert nn.Identity(54, unused="x")(x) is x
    with pytest.raises(TypeError, match="unflattened_size must be a tuple of ints, but found type int"):
        nn.Unflatten(1, 3)


# ---- init and utils --------------------------------------------------------------------------


def test_init_functions():
    rt.manual_seed(0)
    w = rt.empty(300, 200)
    bound = 1 / math.sqrt(200)
    nn.init.kaiming_uniform_(w, a=math.sqrt(5))
    assert w.abs().max().item() <= bound and w.abs().max().item() > 0.95 * bound
    nn.init.xavier_uniform_(w)
    a = math.sqrt(6 / 500)
    assert w.abs().max().item() <= a
    nn.init.kaiming_normal_(w, mode="fan_out", nonlinearity="relu")
    assert abs(w.std().item() - math.sqrt(2 / 300)) < 0.01
    nn.init.trunc_normal_(w, std=0.02, a=-0.04, b=0.04)
    assert w.abs().max().item() <= 0.04
    nn.init.constant_(w, 0.3)
    assert w.eq(0.3).all().item()
    nn.init.zeros_(w)
    assert w.abs().sum().item() == 0
    nn.init.eye_(w)
    assert w.sum().item() == 200
    p = nn.Parameter(rt.empty(3, 3))
    nn.init.normal_(p)
    assert p.grad_fn is None and p.is_leaf  # no autograd recorded
    assert nn.init.calculate_gain("tanh") == 5.0 / 3
    assert nn.init.calculate_gain("leaky_relu", 0.2) == math.sqrt(2 / 1.04)
    with pytest.raises(ValueError, match="Fan in and fan out can not be computed"):
        nn.init.xavier_uniform_(rt.empty(3))
    with pytest.raises(ValueError, match="Unsupported nonlinearity"):
        nn.init.calculate_gain("cube")
    with pytest.raises(ValueError, match="Mode fan_mid not supported"):
        nn.init.kaiming_uniform_(w, mode="fan_mid")
    d = nn.init.dirac_(rt.empty(2, 2, 3))
    assert d[:, :, 1].tolist() == [[1.0, 0.0], [0.0, 1.0]] and d.sum().item() == 2


def test_clip_grad_and_vector_conversion():
    p = nn.Parameter(rt.ones(3))
    p.grad = rt.full((3,), 2.0)
    total = nn.utils.clip_grad_norm_([p], 1.0)
    assert abs(total.item() - math.sqrt(12)) < 1e-6
    assert np.allclose(p.grad.numpy(), 1 / math.sqrt(3), rtol=1e-5)
    p.grad = rt.full((3,), 2.0)
    assert nn.utils.clip_grad_norm_(p, 1.0, norm_type="inf").item() == 2.0
    p.grad = rt.tensor([float("nan"), 1.0, 1.0])
    with pytest.raises(RuntimeError, match="is non-finite, so it cannot be clipped"):
        nn.utils.clip_grad_norm_([p], 1.0, error_if_nonfinite=True)
    assert nn.utils.clip_grad_norm_([], 1.0).item() == 0.0
    p.grad = rt.tensor([-5.0, 0.5, 5.0])
    nn.utils.clip_grad_value_([p], 1.0)
    assert p.grad.tolist() == [-1.0, 0.5, 1.0]
    params = [nn.Parameter(rt.ones(2, 2)), nn.Parameter(rt.zeros(3))]
    v = nn.utils.parameters_to_vector(params)
    assert v.tolist() == [1.0] * 4 + [0.0] * 3
    nn.utils.vector_to_parameters(rt.arange(7.0), params)
    assert params[0].tolist() == [[0.0, 1.0], [2.0, 3.0]] and params[1].tolist() == [4.0, 5.0, 6.0]


def test_softmax_without_dim_warns_as_torch():
    x = rt.tensor([[1.0, 2.0], [3.0, 5.0]])
    with pytest.warns(UserWarning, match="Implicit dimension choice for softmax"):
        y = nn.functional.softmax(x)
    assert np.allclose(y.sum(1).numpy(), 1.0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        nn.Softmax(dim=1)(x)
    assert repr(nn.Softmax(dim=1)) == "Softmax(dim=1)" and repr(nn.LogSoftmax()) == "LogSoftmax(dim=None)"
    assert nn.functional.relu(rt.tensor([-1.0, 2.0])).tolist() == [0.0, 2.0]
    t = rt.tensor([-1.0, 2.0])
    assert nn.functional.relu(t, inplace=True) is t and t.tolist() == [0.0, 2.0]


# ---- against torch ---------------------------------------------------------------------------


def test_state_dicts_interchange_with_torch():
    torch = pytest.importorskip("torch")
    tnet = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.Tanh(), torch.nn.Linear(4, 2))
    buf = io.BytesIO()
    torch.save(tnet.state_dict(), buf)
    buf.seek(0)
    sd = rt.load(buf)

    class Two(nn.Module):
        def __init__(self):
            super().__init__()
            self.weight = nn.Parameter(rt.empty(4, 3))
            self.bias = nn.Parameter(rt.empty(4))

    seq = nn.Sequential(Two(), nn.Tanh())
    seq.append(Two())
    seq[2].weight = nn.Parameter(rt.empty(2, 4))
    seq[2].bias = nn.Parameter(rt.empty(2))
    assert repr(seq.load_state_dict(sd)) == "<All keys matched successfully>"
    np.testing.assert_array_equal(seq[2].weight.detach().numpy(), tnet[2].weight.detach().numpy())
    out = io.BytesIO()
    rt.save(seq.state_dict(), out)
    out.seek(0)
    back = torch.load(out)
    assert back._metadata == tnet.state_dict()._metadata
    assert repr(tnet.load_state_dict(back)) == "<All keys matched successfully>"
    p = io.BytesIO()
    torch.save({"p": torch.nn.Parameter(torch.ones(2))}, p)
    p.seek(0)
    assert type(rt.load(p)["p"]) is nn.Parameter


def test_reprs_and_errors_match_torch():
    torch = pytest.importorskip("torch")
    pairs = [
        ("Sequential(Flatten(), Tanh())", lambda m: m.Sequential(m.Flatten(), m.Tanh())),
        ("ModuleDict", lambda m: m.ModuleDict({"a": m.Sigmoid(), "b": m.Identity()})),
        ("Softmax", lambda m: m.Softmax(dim=0)),
        ("Unflatten", lambda m: m.Unflatten(1, (2, 2))),
        ("MSELoss", lambda m: m.MSELoss(reduction="sum")),
        ("CrossEntropyLoss", lambda m: m.CrossEntropyLoss(label_smoothing=0.1)),
        ("Dropout", lambda m: m.Dropout(0.2)),
    ]
    for name, build in pairs:
        assert repr(build(nn)) == repr(build(torch.nn)), name
    for build in (lambda m: m.Dropout(1.5), lambda m: m.Hardtanh(1.0, 0.0)):
        with pytest.raises(Exception) as ours:
            build(nn)
        with pytest.raises(Exception) as theirs:
            build(torch.nn)
        assert type(ours.value) is type(theirs.value) and str(ours.value) == str(theirs.value)
    with pytest.warns(UserWarning, match="size_average and reduce args will be deprecated"):
        assert nn.MSELoss(size_average=False).reduction == "sum"


ACTIVATION_LAYERS = [
    ("ReLU", {}), ("ReLU", {"inplace": True}), ("ReLU6", {}), ("LeakyReLU", {"negative_slope": 0.2}),
    ("ELU", {"alpha": 0.5}), ("CELU", {"alpha": 2.0}), ("SELU", {}), ("GELU", {}),
    ("GELU", {"approximate": "tanh"}), ("SiLU", {}), ("Mish", {}), ("Hardswish", {}),
    ("Hardsigmoid", {}), ("Hardtanh", {"min_val": -2.0, "max_val": 3.0}), ("Sigmoid", {}),
    ("Tanh", {}), ("Softplus", {"beta": 2.0, "threshold": 10.0}), ("LogSigmoid", {}),
    ("Softsign", {}), ("Tanhshrink", {}), ("Softshrink", {"lambd": 0.3}), ("Hardshrink", {"lambd": 0.3}),
    ("Threshold", {"threshold": 0.1, "value": 20.0}), ("GLU", {"dim": 1}), ("PReLU", {}),
    ("Softmax", {"dim": 1}), ("LogSoftmax", {"dim": 0}), ("Softmin", {"dim": 1}),
]


@pytest.mark.parametrize("name,kwargs", ACTIVATION_LAYERS, ids=lambda v: str(v))
def test_activation_layers_match_torch(name, kwargs):
    torch = pytest.importorskip("torch")
    x = np.random.default_rng(0).standard_normal((4, 6)).astype(np.float32) * 3
    ours = getattr(nn, name)(**kwargs)
    theirs = getattr(torch.nn, name)(**kwargs)
    assert repr(ours) == repr(theirs)
    a, b = rt.from_numpy(x.copy()), torch.from_numpy(x.copy())
    np.testing.assert_allclose(ours(a).detach().numpy(), theirs(b).detach().numpy(), rtol=1e-5, atol=1e-6)


def test_linear_and_dropout_layers():
    torch = pytest.importorskip("torch")
    lin = nn.Linear(3, 2)
    tlin = torch.nn.Linear(3, 2)
    tlin.load_state_dict({k: torch.from_numpy(v.detach().numpy()) for k, v in lin.state_dict().items()})
    x = np.random.default_rng(1).standard_normal((5, 3)).astype(np.float32)
    y = lin(rt.from_numpy(x))
    assert y.grad_fn.name() == "AddmmBackward0" and repr(lin) == repr(tlin)
    np.testing.assert_allclose(y.detach().numpy(), tlin(torch.from_numpy(x)).detach().numpy(), rtol=1e-6, atol=1e-6)
    assert repr(nn.Linear(3, 2, bias=False)) == "Linear(in_features=3, out_features=2, bias=False)"
    drop = nn.Dropout(0.5)
    t = rt.ones(1000)
    out = drop(t)
    assert set(out.unique().tolist()) <= {0.0, 2.0} and 300 < int((out == 0).sum()) < 700
    drop.eval()
    assert rt.equal(drop(t), t)


def _copy_into_torch(ours, theirs):
    import torch

    theirs.load_state_dict({k: torch.from_numpy(v.detach().numpy().copy()) for k, v in ours.state_dict().items()})


@pytest.mark.parametrize(
    "build,shape",
    [
        (lambda m: m.LayerNorm(6), (4, 6)),
        (lambda m: m.LayerNorm((3, 6), elementwise_affine=False), (2, 3, 6)),
        (lambda m: m.GroupNorm(2, 4), (3, 4, 5)),
        (lambda m: m.BatchNorm1d(4), (8, 4)),
        (lambda m: m.BatchNorm1d(4, momentum=None), (8, 4, 3)),
        (lambda m: m.BatchNorm2d(3, affine=False), (4, 3, 2, 2)),
        (lambda m: m.BatchNorm1d(4, track_running_stats=False), (8, 4)),
    ],
)
def test_normalization_layers_match_torch(build, shape):
    torch = pytest.importorskip("torch")
    ours, theirs = build(nn), build(torch.nn)
    assert repr(ours) == repr(theirs)
    _copy_into_torch(ours, theirs)
    rng = np.random.default_rng(2)
    for training in (True, True, False):
        ours.train(training)
        theirs.train(training)
        x = rng.standard_normal(shape).astype(np.float32) * 2 + 1
        a, b = rt.from_numpy(x.copy()).requires_grad_(), torch.from_numpy(x.copy()).requires_grad_()
        ya, yb = ours(a), theirs(b)
        np.testing.assert_allclose(ya.detach().numpy(), yb.detach().numpy(), rtol=1e-4, atol=1e-5)
        assert ya.grad_fn.name() == yb.grad_fn.name()
        (ya * ya).sum().backward()
        (yb * yb).sum().backward()
        np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), rtol=1e-3, atol=1e-4)
    for (k, v), (tk, tv) in zip(ours.state_dict().items(), theirs.state_dict().items()):
        assert k == tk
        np.testing.assert_allclose(v.numpy(), tv.numpy(), rtol=1e-5, atol=1e-6)
    assert ours.state_dict()._metadata == theirs.state_dict()._metadata


def test_batchnorm_checks_input_rank_and_loads_version_1_state():
    with pytest.raises(ValueError, match=r"expected 4D input \(got 2D input\)"):
        nn.BatchNorm2d(3)(rt.ones(2, 3))
    bn = nn.BatchNorm1d(2)
    old = {"weight": rt.ones(2), "bias": rt.zeros(2), "running_mean": rt.zeros(2), "running_var": rt.ones(2)}
    assert repr(bn.load_state_dict(old)) == "<All keys matched successfully>"  # no _metadata: version 1


def test_embedding_layer_matches_torch():
    torch = pytest.importorskip("torch")
    ours = nn.Embedding(10, 3, padding_idx=0)
    assert ours.weight[0].tolist() == [0.0, 0.0, 0.0]
    theirs = torch.nn.Embedding(10, 3, padding_idx=0)
    assert repr(ours) == repr(theirs)
    _copy_into_torch(ours, theirs)
    idx = [[0, 2, 9], [4, 4, 1]]
    ya, yb = ours(rt.tensor(idx)), theirs(torch.tensor(idx))
    np.testing.assert_array_equal(ya.detach().numpy(), yb.detach().numpy())
    assert ya.grad_fn.name() == yb.grad_fn.name() == "EmbeddingBackward0"
    ya.sum().backward()
    yb.sum().backward()
    np.testing.assert_array_equal(ours.weight.grad.numpy(), theirs.weight.grad.numpy())
    frozen = nn.Embedding.from_pretrained(rt.tensor([[1.0, 2.0], [3.0, 4.0]]))
    assert not frozen.weight.requires_grad and frozen(rt.tensor([1])).tolist() == [[3.0, 4.0]]
    with pytest.raises(AssertionError, match="Padding_idx must be within num_embeddings"):
        nn.Embedding(3, 2, padding_idx=5)


@pytest.mark.parametrize(
    "name,kwargs,target",
    [
        ("MSELoss", {}, "float"), ("L1Loss", {"reduction": "sum"}, "float"),
        ("SmoothL1Loss", {"beta": 0.5}, "float"), ("HuberLoss", {"delta": 0.7}, "float"),
        ("CrossEntropyLoss", {}, "index"), ("CrossEntropyLoss", {"label_smoothing": 0.2}, "index"),
        ("NLLLoss", {"ignore_index": 1}, "index"), ("BCEWithLogitsLoss", {}, "prob"),
        ("BCELoss", {}, "prob"), ("KLDivLoss", {"reduction": "batchmean"}, "float"),
    ],
)
def test_loss_layers_match_torch(name, kwargs, target):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(4)
    x = rng.standard_normal((5, 4)).astype(np.float32)
    if name == "BCELoss":
        x = 1 / (1 + np.exp(-x))
    if name == "NLLLoss":
        x = x - np.log(np.exp(x).sum(1, keepdims=True))
    t = {
        "float": rng.standard_normal((5, 4)).astype(np.float32),
        "index": rng.integers(0, 4, 5),
        "prob": rng.random((5, 4)).astype(np.float32),
    }[target]
    ours, theirs = getattr(nn, name)(**kwargs), getattr(torch.nn, name)(**kwargs)
    assert repr(ours) == repr(theirs)
    a, b = rt.from_numpy(x.copy()).requires_grad_(), torch.from_numpy(x.copy()).requires_grad_()
    la, lb = ours(a, rt.from_numpy(t)), theirs(b, torch.from_numpy(t))
    np.testing.assert_allclose(la.item(), lb.item(), rtol=1e-5, atol=1e-6)
    assert la.grad_fn.name() == lb.grad_fn.name()
    la.backward()
    lb.backward()
    np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), rtol=1e-4, atol=1e-6)
