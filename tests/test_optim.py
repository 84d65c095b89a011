"""rtensor.optim: optimizers and lr schedulers. Trajectories compared with numpy reference formulas
(always) and with torch (when installed) step by step; repr, state_dict, errors as torch."""

import math

import numpy as np
import pytest

import rtensor as rt
from rtensor import optim

# ------------------------------------------------------------------------------------------- helpers

_X = np.random.default_rng(0).standard_normal((8, 3))
_Y = np.random.default_rng(1).standard_normal(8)
_W0 = np.random.default_rng(2).standard_normal(3)


def _trajectory(lib, name, kwargs, dtype, steps=20, groups=True):
    """Parameters after every step of a linear least-squares fit, optimized by lib.optim.<name>."""
    d = lib.float32 if dtype == "float32" else lib.float64
    w = lib.tensor(_W0.tolist(), dtype=d, requires_grad=True)
    b = lib.zeros(1, dtype=d, requires_grad=True)
    x, y = lib.tensor(_X.tolist(), dtype=d), lib.tensor(_Y.tolist(), dtype=d)
    params = [{"params": [w]}, {"params": [b], "lr": 0.05}] if groups else [w, b]
    opt = getattr(lib.optim, name)(params, **kwargs)
    out = []
    for _ in range(steps):
        def closure():
            opt.zero_grad()
            loss = ((x @ w + b - y) ** 2).mean()
            loss.backward()
            return loss

        loss = opt.step(closure)
        assert loss is not None
        out.append(np.concatenate([w.detach().numpy(), b.detach().numpy()]))
    return np.array(out), opt


CASES = [
    ("SGD", {"lr": 0.1}),
    ("SGD", {"lr": 0.1, "momentum": 0.9, "nesterov": True, "weight_decay": 0.1}),
    ("SGD", {"lr": 0.01, "momentum": 0.5, "dampening": 0.1, "maximize": True}),
    ("Adam", {"lr": 0.1}),
    ("Adam", {"lr": 0.1, "amsgrad": True, "weight_decay": 0.1, "betas": (0.8, 0.99)}),
    ("AdamW", {"lr": 0.1}),
    ("AdamW", {"lr": 0.1, "amsgrad": True, "maximize": True, "eps": 1e-6}),
    ("RMSprop", {"lr": 0.01}),
    ("RMSprop", {"lr": 0.01, "momentum": 0.9, "centered": True, "weight_decay": 0.1}),
    ("Adagrad", {"lr": 0.1, "lr_decay": 0.01, "weight_decay": 0.1, "initial_accumulator_value": 0.1}),
]


# --------------------------------------------------------------------------------- numpy references

def test_sgd_momentum_matches_numpy():
    traj, _ = _trajectory(rt, "SGD", {"lr": 0.1, "momentum": 0.9, "weight_decay": 0.01}, "float64", groups=False)
    w, b, buf = _W0.copy(), np.zeros(1), None
    for step in range(20):
        r = _X @ w + b - _Y
        g = np.concatenate([2 * _X.T @ r / 8, [2 * r.mean()]])
        p = np.concatenate([w, b])
        g = g + 0.01 * p
        buf = g.copy() if buf is None else 0.9 * buf + g
        p = p - 0.1 * buf
        w, b = p[:3], p[3:]
        np.testing.assert_allclose(traj[step], p, rtol=1e-12, atol=1e-14)


def test_adam_matches_numpy():
    traj, _ = _trajectory(rt, "Adam", {"lr": 0.1}, "float64", groups=False)
    p = np.concatenate([_W0, [0.0]])
    m, v = np.zeros(4), np.zeros(4)
    for step in range(1, 21):
        r = _X @ p[:3] + p[3] - _Y
        g = np.concatenate([2 * _X.T @ r / 8, [2 * r.mean()]])
        m = 0.9 * m + 0.1 * g
        v = 0.999 * v + 0.001 * g * g
        denom = np.sqrt(v) / math.sqrt(1 - 0.999**step) + 1e-8
        p = p - 0.1 / (1 - 0.9**step) * m / denom
        np.testing.assert_allclose(traj[step - 1], p, rtol=1e-12, atol=1e-14)


def test_step_is_not_recorded_by_autograd():
    w = rt.ones(3, requires_grad=True)
    (w * 2).sum().backward()
    opt = optim.Adam([w], lr=0.1)
    opt.step()
    assert w.grad_fn is None and w.is_leaf and w.requires_grad
    assert opt.state[w]["exp_avg"].requires_grad is False


def test_step_without_closure_returns_none_and_skips_params_without_grad():
    w, v = rt.ones(2, requires_grad=True), rt.ones(2, requires_grad=True)
    w.grad = rt.ones(2)
    opt = optim.SGD([w, v], lr=0.5)
    assert opt.step() is None
    np.testing.assert_array_equal(w.detach().numpy(), [0.5, 0.5])
    np.testing.assert_array_equal(v.detach().numpy(), [1.0, 1.0])
    assert len(opt.state) == 0


def test_zero_grad():
    w = rt.ones(2, requires_grad=True)
    w.grad = rt.ones(2)
    opt = optim.SGD([w])
    opt.zero_grad(set_to_none=False)
    np.testing.assert_array_equal(w.grad.numpy(), [0.0, 0.0])
    opt.zero_grad()
    assert w.grad is None


def test_param_groups_defaults_and_add_param_group():
    w, b = rt.ones(2, requires_grad=True), rt.ones(1, requires_grad=True)
    opt = optim.SGD([w], lr=0.1, momentum=0.9)
    opt.add_param_group({"params": b, "lr": 0.01})
    assert opt.param_groups[1]["params"] == [b]
    assert opt.param_groups[1]["lr"] == 0.01 and opt.param_groups[1]["momentum"] == 0.9
    assert opt.defaults["lr"] == 0.1
    with pytest.raises(ValueError, match="some parameters appear in more than one parameter group"):
        opt.add_param_group({"params": [w]})


def test_state_dict_round_trip():
    traj, opt = _trajectory(rt, "Adam", {"lr": 0.1}, "float32", steps=3)
    sd = opt.state_dict()
    assert sorted(sd) == ["param_groups", "state"]
    assert [g["params"] for g in sd["param_groups"]] == [[0], [1]]
    assert sorted(sd["state"][0]) == ["exp_avg", "exp_avg_sq", "step"]
    assert sd["state"][0]["step"].item() == 3.0 and sd["state"][0]["step"].dtype == rt.float32
    w2, b2 = rt.zeros(3, requires_grad=True), rt.zeros(1, requires_grad=True)
    opt2 = optim.Adam([{"params": [w2]}, {"params": [b2]}], lr=1.0)
    opt2.load_state_dict(sd)
    assert opt2.param_groups[1]["lr"] == 0.05 and opt2.param_groups[0]["params"] == [w2]
    np.testing.assert_array_equal(opt2.state[w2]["exp_avg"].numpy(), sd["state"][0]["exp_avg"].numpy())
    with pytest.raises(ValueError, match="different number of parameter groups"):
        optim.Adam([w2]).load_state_dict(sd)


ERRORS = [
    (lambda m: m.optim.SGD([]), ValueError, "optimizer got an empty parameter list"),
    (lambda m: m.optim.SGD(m.ones(2, requires_grad=True)), TypeError,
     "params argument given to the optimizer should be an iterable of Tensors or dicts, but got "),
    (lambda m: m.optim.SGD([m.ones(2, requires_grad=True) * 2]), ValueError, "can't optimize a non-leaf Tensor"),
    (lambda m: m.optim.SGD([1.0]), TypeError, "optimizer can only optimize Tensors, but one of the params is float"),
    (lambda m: m.optim.SGD([m.ones(1)], lr=-1), ValueError, "Invalid learning rate: -1"),
    (lambda m: m.optim.SGD([m.ones(1)], momentum=-1), ValueError, "Invalid momentum value: -1"),
    (lambda m: m.optim.SGD([m.ones(1)], weight_decay=-1), ValueError, "Invalid weight_decay value: -1"),
    (lambda m: m.optim.SGD([m.ones(1)], nesterov=True), ValueError,
     "Nesterov momentum requires a momentum and zero dampening"),
    (lambda m: m.optim.Adam([m.ones(1)], betas=(1.0, 0.9)), ValueError, "Invalid beta parameter at index 0: 1.0"),
    (lambda m: m.optim.Adam([m.ones(1)], betas=(0.9, -0.1)), ValueError, "Invalid beta parameter at index 1: -0.1"),
    (lambda m: m.optim.Adam([m.ones(1)], eps=-1.0), ValueError, "Invalid epsilon value: -1.0"),
    (lambda m: m.optim.AdamW([m.ones(1)], lr=-0.5), ValueError, "Invalid learning rate: -0.5"),
    (lambda m: m.optim.RMSprop([m.ones(1)], alpha=-0.5), ValueError, "Invalid alpha value: -0.5"),
    (lambda m: m.optim.Adagrad([m.ones(1)], lr_decay=-0.5), ValueError, "Invalid lr_decay value: -0.5"),
    (lambda m: m.optim.SGD([{"params": [m.ones(1)]}], lr=0.1).add_param_group([m.ones(1)]), TypeError,
     "param_group must be a dict, but got <class 'list'>"),
]


@pytest.mark.parametrize("i", range(len(ERRORS)))
def test_errors(i):
    fn, exc, msg = ERRORS[i]
    with pytest.raises(exc) as info:
        fn(rt)
    assert msg in str(info.value)


def test_unsupported_options_are_refused():
    with pytest.raises(RuntimeError, match="fused=True is not supported"):
        optim.Adam([rt.ones(1)], fused=True)
    with pytest.raises(RuntimeError, match="differentiable=True is not supported"):
        optim.SGD([rt.ones(1)], differentiable=True)


# ------------------------------------------------------------------------------------- schedulers

def _lrs(lib, make, steps=25):
    p = lib.zeros(1, requires_grad=True)
    opt = lib.optim.SGD([{"params": [p]}, {"params": [lib.zeros(1, requires_grad=True)], "lr": 0.3}], lr=0.1)
    sched = make(lib.optim.lr_scheduler, opt)
    out = [sched.get_last_lr()]
    for i in range(steps):
        opt.step()
        if isinstance(sched, lib.optim.lr_scheduler.ReduceLROnPlateau):
            sched.step([5, 4, 4, 4, 4, 4, 3, 3, 3, 3][i % 10])
        else:
            sched.step()
        out.append(sched.get_last_lr())
        assert [g["lr"] for g in opt.param_groups] == out[-1]
    return out, sched


SCHEDULERS = [
    lambda m, o: m.StepLR(o, step_size=3, gamma=0.5),
    lambda m, o: m.MultiStepLR(o, milestones=[2, 5, 5, 9], gamma=0.1),
    lambda m, o: m.ExponentialLR(o, gamma=0.9),
    lambda m, o: m.LambdaLR(o, lr_lambda=lambda e: 1 / (e + 1)),
    lambda m, o: m.LambdaLR(o, lr_lambda=[lambda e: 0.5**e, lambda e: e]),
    lambda m, o: m.CosineAnnealingLR(o, T_max=7, eta_min=0.001),
    lambda m, o: m.ReduceLROnPlateau(o, patience=2, factor=0.5, cooldown=1),
    lambda m, o: m.ReduceLROnPlateau(o, mode="max", threshold_mode="abs", patience=1, min_lr=[0.01, 0.2]),
]


def test_step_lr_sequence():
    out, sched = _lrs(rt, SCHEDULERS[0], steps=7)
    assert [lr[0] for lr in out] == [0.1, 0.1, 0.1, 0.05, 0.05, 0.05, 0.025, 0.025]
    sd = sched.state_dict()
    assert sd["last_epoch"] == 7 and sd["step_size"] == 3 and "optimizer" not in sd


def test_cosine_closed_form():
    out, _ = _lrs(rt, SCHEDULERS[5], steps=7)
    for e, lrs in enumerate(out):
        expect = 0.001 + (0.1 - 0.001) * (1 + math.cos(math.pi * e / 7)) / 2
        assert lrs[0] == pytest.approx(expect, rel=1e-12)


def test_scheduler_errors():
    opt = optim.SGD([rt.ones(1, requires_grad=True)])
    with pytest.raises(TypeError, match="int is not an Optimizer"):
        optim.lr_scheduler.StepLR(3, 1)
    with pytest.raises(KeyError, match="param 'initial_lr' is not specified in param_groups"):
        optim.lr_scheduler.StepLR(opt, 1, last_epoch=3)
    with pytest.raises(ValueError, match="Factor should be < 1.0."):
        optim.lr_scheduler.ReduceLROnPlateau(opt, factor=1.0)
    with pytest.raises(ValueError, match="Expected 1 lr_lambdas, but got 2"):
        optim.lr_scheduler.LambdaLR(opt, [lambda e: 1, lambda e: 2])


# ----------------------------------------------------------------------------------- torch oracle

@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("case", range(len(CASES)))
def test_trajectory_matches_torch(case, dtype):
    torch = pytest.importorskip("torch")
    name, kwargs = CASES[case]
    ours, opt = _trajectory(rt, name, kwargs, dtype)
    theirs, topt = _trajectory(torch, name, kwargs, dtype)
    if dtype == "float64":
        np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=1e-13)
    else:
        np.testing.assert_allclose(ours, theirs, rtol=1e-5, atol=1e-6)
    assert repr(opt) == repr(topt)
    sd, tsd = opt.state_dict(), topt.state_dict()
    assert sd["param_groups"] == tsd["param_groups"]
    assert sd["state"].keys() == tsd["state"].keys()
    for k in sd["state"]:
        assert sd["state"][k].keys() == tsd["state"][k].keys()
        for key, v in sd["state"][k].items():
            assert str(v.dtype).split(".")[1] == str(tsd["state"][k][key].dtype).split(".")[1]
            np.testing.assert_allclose(v.numpy(), tsd["state"][k][key].numpy(), rtol=1e-5, atol=1e-6)


def test_defaults_and_repr_match_torch():
    torch = pytest.importorskip("torch")
    for name in ("SGD", "Adam", "AdamW", "RMSprop", "Adagrad"):
        ours = getattr(optim, name)([rt.zeros(2, requires_grad=True)])
        theirs = getattr(torch.optim, name)([torch.zeros(2, requires_grad=True)])
        assert ours.defaults == theirs.defaults
        assert repr(ours) == repr(theirs)


@pytest.mark.parametrize("i", range(len(ERRORS)))
def test_errors_match_torch(i):
    torch = pytest.importorskip("torch")
    fn, exc, msg = ERRORS[i]
    with pytest.raises(exc) as info:
        fn(torch)
    assert msg in str(info.value)


@pytest.mark.parametrize("i", range(len(SCHEDULERS)))
def test_scheduler_matches_torch(i):
    torch = pytest.importorskip("torch")
    ours, sched = _lrs(rt, SCHEDULERS[i])
    theirs, tsched = _lrs(torch, SCHEDULERS[i])
    assert ours == theirs
    sd, tsd = sched.state_dict(), tsched.state_dict()
    assert sd.keys() == tsd.keys()
    for k in sd:
        if k != "lr_lambdas":
            assert sd[k] == tsd[k], k
