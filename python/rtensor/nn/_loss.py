"""The warnings torch.nn.functional's loss functions give in Python before they compute: a target
whose size differs from the input's (it broadcasts) and the deprecated ``size_average``/``reduce``
arguments. Each function here warns as torch does, then calls the registry op of the same name
(``rtensor._rtensor._namespaces["nn.functional"]``), which computes, checks and maps the legacy
arguments to a reduction."""

import warnings

from .._rtensor import Tensor, _namespaces

_OPS = _namespaces.get("nn.functional", {})

__all__ = [
    "binary_cross_entropy",
    "binary_cross_entropy_with_logits",
    "cross_entropy",
    "hinge_embedding_loss",
    "huber_loss",
    "kl_div",
    "l1_loss",
    "margin_ranking_loss",
    "mse_loss",
    "nll_loss",
    "poisson_nll_loss",
    "smooth_l1_loss",
    "soft_margin_loss",
]


def _target_size(input, target):
    if isinstance(input, Tensor) and isinstance(target, Tensor) and target.size() != input.size():
        warnings.warn(
            f"Using a target size ({target.size()}) that is different to the input size ({input.size()}). "
            "This will likely lead to incorrect results due to broadcasting. "
            "Please ensure they have the same size.",
            stacklevel=3,
        )


def _legacy(size_average, reduce, stacklevel=3):
    if size_average is None and reduce is None:
        return
    size_average = True if size_average is None else size_average
    reduce = True if reduce is None else reduce
    ret = ("mean" if size_average else "sum") if reduce else "none"
    warnings.warn(f"size_average and reduce args will be deprecated, please use reduction='{ret}' instead.",
                  stacklevel=stacklevel)


def mse_loss(input, target, size_average=None, reduce=None, reduction="mean", weight=None):
    """The mean squared error ``(input - target)^2``, reduced by ``reduction``."""
    _target_size(input, target)
    _legacy(size_average, reduce)
    return _OPS["mse_loss"](input, target, size_average, reduce, reduction, weight)


def l1_loss(input, target, size_average=None, reduce=None, reduction="mean", weight=None):
    """The mean absolute error ``|input - target|``, reduced by ``reduction``."""
    _target_size(input, target)
    _legacy(size_average, reduce)
    return _OPS["l1_loss"](input, target, size_average, reduce, reduction, weight)


def smooth_l1_loss(input, target, size_average=None, reduce=None, reduction="mean", beta=1.0):
    """Squared error below ``beta``, absolute error above, reduced by ``reduction``."""
    _target_size(input, target)
    _legacy(size_average, reduce)
    return _OPS["smooth_l1_loss"](input, target, size_average, reduce, reduction, beta)


def huber_loss(input, target, reduction="mean", delta=1.0, weight=None):
    """Squared error below ``delta``, ``delta``-scaled absolute error above, reduced by ``reduction``."""
    _target_size(input, target)
    return _OPS["huber_loss"](input, target, reduction, delta, weight)


def nll_loss(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None, reduction="mean"):
    """The negative log likelihood of class-index targets given log-probabilities along dim 1."""
    _legacy(size_average, reduce)
    return _OPS["nll_loss"](input, target, weight, size_average, ignore_index, reduce, reduction)


def cross_entropy(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None,
                  reduction="mean", label_smoothing=0.0):
    """The cross entropy of logits along dim 1 with class-index or class-probability targets."""
    _legacy(size_average, reduce)
    return _OPS["cross_entropy"](input, target, weight, size_average, ignore_index, reduce, reduction,
                                 label_smoothing)


def binary_cross_entropy(input, target, weight=None, size_average=None, reduce=None, reduction="mean"):
    """The binary cross entropy of probabilities ``input`` and targets in [0, 1]."""
    _legacy(size_average, reduce)
    return _OPS["binary_cross_entropy"](input, target, weight, size_average, reduce, reduction)


def binary_cross_entropy_with_logits(input, target, weight=None, size_average=None, reduce=None,
                                     reduction="mean", pos_weight=None):
    """The binary cross entropy of ``sigmoid(input)``, computed from the logits without overflow."""
    _legacy(size_average, reduce)
    return _OPS["binary_cross_entropy_with_logits"](input, target, weight, size_average, reduce, reduction,
                                                    pos_weight)


def kl_div(input, target, size_average=None, reduce=None, reduction="mean", log_target=False):
    """The Kullback-Leibler divergence of ``target`` from log-probabilities ``input``."""
    if size_average is not None or reduce is not None:
        _legacy(size_average, reduce)
    elif reduction == "mean":
        warnings.warn(
            "reduction: 'mean' divides the total loss by both the batch size and the support size."
            "'batchmean' divides only by the batch size, and aligns with the KL div math definition."
            "'mean' will be changed to behave the same as 'batchmean' in the next major release.",
            stacklevel=2,
        )
    return _OPS["kl_div"](input, target, size_average, reduce, reduction, log_target)


def poisson_nll_loss(input, target, log_input=True, full=False, size_average=None, eps=1e-8, reduce=None,
                     reduction="mean"):
    """The negative log likelihood of ``target`` under a Poisson distribution of rate ``input``."""
    _legacy(size_average, reduce)
    return _OPS["poisson_nll_loss"](input, target, log_input, full, size_average, eps, reduce, reduction)


def soft_margin_loss(input, target, size_average=None, reduce=None, reduction="mean"):
    """The two-class logistic loss ``log(1 + exp(-target * input))``."""
    _legacy(size_average, reduce)
    return _OPS["soft_margin_loss"](input, target, size_average, reduce, reduction)


def margin_ranking_loss(input1, input2, target, margin=0.0, size_average=None, reduce=None, reduction="mean"):
    """The ranking loss ``max(0, -target * (input1 - input2) + margin)``."""
    _legacy(size_average, reduce)
    return _OPS["margin_ranking_loss"](input1, input2, target, margin, size_average, reduce, reduction)


def hinge_embedding_loss(input, target, margin=1.0, size_average=None, reduce=None, reduction="mean"):
    """``input`` where ``target`` is 1, ``max(0, margin - input)`` where it is -1, reduced."""
    _legacy(size_average, reduce)
    return _OPS["hinge_embedding_loss"](input, target, margin, size_average, reduce, reduction)
