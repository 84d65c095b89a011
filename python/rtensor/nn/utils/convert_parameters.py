"""``parameters_to_vector`` and ``vector_to_parameters`` as torch's."""

from ... import _rtensor
from ..._rtensor import Tensor


def parameters_to_vector(parameters):
    """The parameters flattened and concatenated into one 1-D tensor."""
    return _rtensor.cat([p.view(-1) for p in parameters])


def vector_to_parameters(vec, parameters):
    """Copies consecutive slices of the 1-D ``vec`` into the parameters (their ``.data``)."""
    if not isinstance(vec, Tensor):
        raise TypeError(f"expected torch.Tensor, but got: {type(vec).__name__}")
    pointer = 0
    for param in parameters:
        num_param = param.numel()
        param.data = vec[pointer : pointer + num_param].view_as(param).data
        pointer += num_param
