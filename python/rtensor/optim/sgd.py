"""``rtensor.optim.SGD``: stochastic gradient descent with momentum, as ``torch.optim.SGD``."""

from .. import _rtensor
from ..autograd import no_grad
from .optimizer import Optimizer, _check_unsupported, _scalar

Tensor = _rtensor.Tensor


class SGD(Optimizer):
    """Stochastic gradient descent (optionally with momentum, dampening, Nesterov momentum, L2 weight
    decay and maximization), with torch's update formulas (its single-tensor path)."""

    def __init__(self, params, lr=1e-3, momentum=0, dampening=0, weight_decay=0, nesterov=False, *,
                 maximize=False, foreach=None, differentiable=False, fused=None):
        if isinstance(lr, Tensor) and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        if lr < 0.0:
            raise ValueError(f"Invalid learning rate: {lr}")
        if momentum < 0.0:
            raise ValueError(f"Invalid momentum value: {momentum}")
        if weight_decay < 0.0:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        defaults = {
            "lr": lr, "momentum": momentum, "dampening": dampening, "weight_decay": weight_decay,
            "nesterov": nesterov, "maximize": maximize, "foreach": foreach,
            "differentiable": differentiable, "fused": fused,
        }
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening")
        _check_unsupported("SGD", foreach, differentiable, fused)
        super().__init__(params, defaults)

    def step(self, closure=None):
        """Performs one optimization step; returns the loss ``closure()`` (evaluated first, with
        gradients enabled) returned, or None."""
        loss = self._closure_loss(closure)
        with no_grad():
            for group in self.param_groups:
                self._update_group(group)
        return loss

    def _update_group(self, group):
        weight_decay, momentum, dampening = group["weight_decay"], group["momentum"], group["dampening"]
        lr = _scalar(group["lr"])
        for param in group["params"]:
            if param.grad is None:
                continue
            grad = param.grad if not group["maximize"] else -param.grad
            if weight_decay != 0:
                grad = grad.add(param, alpha=weight_decay)
            if momentum != 0:
                state = self.state[param]
                buf = state.get("momentum_buffer")
                if buf is None:
                    buf = grad.detach().clone()
                else:
                    buf.mul_(momentum).add_(grad, alpha=1 - dampening)
                state["momentum_buffer"] = buf
                grad = grad.add(buf, alpha=momentum) if group["nesterov"] else buf
            param.add_(grad, alpha=-lr)
