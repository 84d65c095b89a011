"""Building and training a model end to end, as PyTorch's beginner tutorials do: nn layers, a loss,
an optimizer and a DataLoader; the same run in torch (same data, same initial weights, no
shuffling) gives the same losses and weights."""

import io

import numpy as np
import pytest

import rtensor as rt
import rtensor.nn as nn
from rtensor.utils.data import DataLoader, TensorDataset


def _blobs(n=256, seed=0):
    """Two Gaussian blobs in 2-D, labels 0 and 1, as numpy arrays."""
    rng = np.random.default_rng(seed)
    x = np.concatenate([rng.normal(-1.0, 0.7, (n // 2, 2)), rng.normal(1.0, 0.7, (n // 2, 2))])
    y = np.concatenate([np.zeros(n // 2, np.int64), np.ones(n // 2, np.int64)])
    return x.astype(np.float32), y


class MLP(nn.Module):
    """The tutorials' network: Flatten, then Linear-ReLU stacks."""

    def __init__(self, lib=nn):
        super().__init__()
        self.flatten = nn.Flatten()
        self.linear_relu_stack = nn.Sequential(
            nn.Linear(2, 16),
            nn.ReLU(),
            nn.Linear(16, 16),
            nn.ReLU(),
            nn.Linear(16, 2),
        )

    def forward(self, x):
        return self.linear_relu_stack(self.flatten(x))


def _train(model, loader, optimizer, loss_fn, epochs):
    losses = []
    model.train()
    for _ in range(epochs):
        for xb, yb in loader:
            loss = loss_fn(model(xb), yb)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            losses.append(loss.item())
    return losses


@pytest.mark.parametrize("opt", ["sgd", "adam"])
def test_a_classifier_learns(opt):
    rt.manual_seed(0)
    x, y = _blobs()
    loader = DataLoader(TensorDataset(rt.from_numpy(x), rt.from_numpy(y)), batch_size=32, shuffle=True)
    model = MLP()
    optimizer = (
        rt.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
        if opt == "sgd"
        else rt.optim.Adam(model.parameters(), lr=0.01)
    )
    losses = _train(model, loader, optimizer, nn.CrossEntropyLoss(), epochs=5)
    assert np.mean(losses[-8:]) < 0.5 * np.mean(losses[:8])
    model.eval()
    with rt.no_grad():
        pred = model(rt.from_numpy(x)).argmax(1)
    assert (pred.numpy() == y).mean() > 0.9


def test_save_and_load_the_trained_weights(tmp_path):
    rt.manual_seed(1)
    model = MLP()
    path = tmp_path / "model_weights.pth"
    rt.save(model.state_dict(), path)
    other = MLP()
    other.load_state_dict(rt.load(path, weights_only=True))
    other.eval()
    x = rt.randn(5, 2)
    assert rt.equal(model(x), other(x))
    whole = tmp_path / "model.pth"
    rt.save(model, whole)
    again = rt.load(whole, weights_only=False)
    assert type(again) is MLP and rt.equal(again(x), model(x))


@pytest.mark.parametrize("opt", ["sgd", "adam"])
def test_training_matches_torch_step_for_step(opt):
    torch = pytest.importorskip("torch")
    x, y = _blobs(128, seed=3)
    model = MLP()

    class TorchMLP(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.flatten = torch.nn.Flatten()
            self.linear_relu_stack = torch.nn.Sequential(
                torch.nn.Linear(2, 16), torch.nn.ReLU(), torch.nn.Linear(16, 16), torch.nn.ReLU(),
                torch.nn.Linear(16, 2),
            )

        def forward(self, x):
            return self.linear_relu_stack(self.flatten(x))

    tmodel = TorchMLP()
    buf = io.BytesIO()
    rt.save(model.state_dict(), buf)
    buf.seek(0)
    tmodel.load_state_dict(torch.load(buf))
    if opt == "sgd":
        optimizer = rt.optim.SGD(model.parameters(), lr=0.05, momentum=0.9, weight_decay=1e-3)
        toptimizer = torch.optim.SGD(tmodel.parameters(), lr=0.05, momentum=0.9, weight_decay=1e-3)
    else:
        optimizer = rt.optim.Adam(model.parameters(), lr=0.01)
        toptimizer = torch.optim.Adam(tmodel.parameters(), lr=0.01)
    loader = DataLoader(TensorDataset(rt.from_numpy(x), rt.from_numpy(y)), batch_size=16)
    tloader = torch.utils.data.DataLoader(
        torch.utils.data.TensorDataset(torch.from_numpy(x), torch.from_numpy(y)), batch_size=16
    )
    ours = _train(model, loader, optimizer, nn.CrossEntropyLoss(), epochs=2)
    theirs = _train(tmodel, tloader, toptimizer, torch.nn.CrossEntropyLoss(), epochs=2)
    np.testing.assert_allclose(ours, theirs, rtol=1e-4, atol=1e-6)
    for (name, p), (tname, tp) in zip(model.named_parameters(), tmodel.named_parameters()):
        assert name == tname
        np.testing.assert_allclose(p.detach().numpy(), tp.detach().numpy(), rtol=1e-4, atol=1e-5)
