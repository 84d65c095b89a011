"""Helpers shared by the distributions, as ``torch.distributions.utils``."""

from functools import update_wrapper
from numbers import Number

import rtensor as rt

__all__ = ["broadcast_all", "clamp_probs", "lazy_property", "logits_to_probs", "probs_to_logits"]


def broadcast_all(*values):
    """Tensors (numbers become tensors of the default dtype, or of the tensors' dtype) broadcast
    to one shape."""
    if not all(isinstance(v, (rt.Tensor, Number)) for v in values):
        raise ValueError("Input arguments must all be instances of numbers.Number, torch.Tensor or objects "
                         "implementing __torch_function__.")
    if not all(isinstance(v, rt.Tensor) for v in values):
        dtype = rt.get_default_dtype()
        for v in values:
            if isinstance(v, rt.Tensor):
                dtype = v.dtype
                break
        values = [v if isinstance(v, rt.Tensor) else rt.tensor(v, dtype=dtype) for v in values]
    return rt.broadcast_tensors(*values)


def _sum_rightmost(value, dim):
    return value.reshape(value.shape[: value.dim() - dim] + (-1,)).sum(-1) if dim > 0 else value


def logits_to_probs(logits, is_binary=False):
    """Probabilities from logits: sigmoid when binary, else softmax over the last dim."""
    if is_binary:
        return rt.sigmoid(logits)
    return rt.softmax(logits, dim=-1)


def clamp_probs(probs):
    """Probabilities clamped into the open interval (eps, 1 - eps)."""
    eps = rt.finfo(probs.dtype).eps if hasattr(rt, "finfo") else (1.1920928955078125e-07 if probs.dtype == rt.float32
                                                                   else 2.220446049250313e-16)
    return probs.clamp(min=eps, max=1 - eps)


def probs_to_logits(probs, is_binary=False):
    """Logits from probabilities (clamped away from 0 and 1)."""
    ps_clamped = clamp_probs(probs)
    if is_binary:
        return rt.log(ps_clamped) - rt.log1p(-ps_clamped)
    return rt.log(ps_clamped)


class lazy_property:
    """A property computed on first access and then cached on the instance."""

    def __init__(self, wrapped):
        self.wrapped = wrapped
        update_wrapper(self, wrapped)

    def __get__(self, instance, obj_type=None):
        if instance is None:
            return self
        with rt.enable_grad():
            value = self.wrapped(instance)
        setattr(instance, self.wrapped.__name__, value)
        return value
