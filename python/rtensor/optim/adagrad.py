"""``rtensor.optim.Adagrad``, as ``torch.optim.Adagrad``."""

from .. import _rtensor
from ..autograd import no_grad
from .optimizer import Optimizer, _check_unsupported, _scalar

Tensor = _rtensor.Tensor


class Adagrad(Optimizer):
    """Adagrad (with learning-rate decay, weight decay, an initial accumulator value, maximization),
    with torch's update formulas (its single-tensor path). The state is created at construction."""

    def __init__(self, params, lr=1e-2, lr_decay=0, weight_decay=0, initial_accumulator_value=0, eps=1e-10,
                 foreach=None, *, maximize=False, differentiable=False, fused=None):
        if isinstance(lr, Tensor) and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        if not 0.0 <= lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 <= lr_decay:
            raise ValueError(f"Invalid lr_decay value: {lr_decay}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        if not 0.0 <= initial_accumulator_value:
            raise ValueError(f"Invalid initial_accumulator_value value: {initial_accumulator_value}")
        if not 0.0 <= eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        defaults = {
            "lr": lr, "lr_decay": lr_decay, "eps": eps, "weight_decay": weight_decay,
            "initial_accumulator_value": initial_accumulator_value, "foreach": foreach,
            "maximize": maximize, "differentiable": differentiable, "fused": fused,
        }
        _check_unsupported("Adagrad", foreach, differentiable, fused)
        super().__init__(params, defaults)
        for group in self.param_groups:
            for p in group["params"]:
                state = self.state[p]
                state["step"] = _rtensor.tensor(0.0, dtype=_rtensor.float32)
                state["sum"] = _rtensor.full_like(p, initial_accumulator_value)

    def step(self, closure=None):
        """Performs one optimization step; returns the loss ``closure()`` (evaluated first, with
        gradients enabled) returned, or None."""
        loss = self._closure_loss(closure)
        with no_grad():
            for group in self.param_groups:
                self._update_group(group)
        return loss

    def _update_group(self, group):
        lr = _scalar(group["lr"])
        for param in group["params"]:
            if param.grad is None:
                continue
            state = self.state[param]
            state_sum, step_t = state["sum"], state["step"]
            step_t += 1
            step = step_t.item()
            grad = param.grad if not group["maximize"] else -param.grad
            if group["weight_decay"] != 0:
                grad = grad.add(param, alpha=group["weight_decay"])
            clr = lr / (1 + (step - 1) * group["lr_decay"])
            state_sum.addcmul_(grad, grad, value=1)
            std = state_sum.sqrt().add_(group["eps"])
            param.addcdiv_(grad, std, value=-clr)
