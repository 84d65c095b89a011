"""``rtensor.nn.Parameter``: a tensor that a ``Module`` registers as one of its parameters."""

from .._rtensor import Tensor
from .. import _rtensor


def _rebuild_parameter(data, requires_grad):
    """Unpickles a ``Parameter`` (what ``Parameter.__reduce_ex__`` names)."""
    return Parameter(data, requires_grad)


class Parameter(Tensor):
    """A tensor that is a module parameter: assigned as a ``Module`` attribute, it joins the
    module's ``parameters()``. ``Parameter(data)`` shares ``data``'s memory, has no history and
    requires grad unless ``requires_grad=False``. Ops on it give plain tensors, as in torch."""

    def __new__(cls, data=None, requires_grad=True):
        if data is None:
            data = _rtensor.empty(0)
        if not isinstance(data, Tensor):
            raise TypeError(
                f"Parameter(): argument 'data' must be Tensor, not {type(data).__name__}"
            )
        # The legacy constructor given a tensor makes an alias without history (`detach`), here
        # an instance of `cls`.
        p = Tensor.__new__(cls, data)
        p.requires_grad_(requires_grad)
        return p

    def __repr__(self):
        return "Parameter containing:\n" + super().__repr__()

    def __reduce_ex__(self, protocol):
        return (_rebuild_parameter, (self.detach(), self.requires_grad))

    def __deepcopy__(self, memo):
        if id(self) in memo:
            return memo[id(self)]
        result = type(self)(self.detach().clone(), self.requires_grad)
        memo[id(self)] = result
        return result

    def __copy__(self):
        return type(self)(self.detach(), self.requires_grad)
