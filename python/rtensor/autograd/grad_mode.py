"""Grad mode switches: ``no_grad``, ``enable_grad`` and ``set_grad_enabled``, each usable as a
context manager and as a decorator, per thread as in PyTorch."""

import functools

from .._rtensor import _set_grad_enabled, _set_inference_mode, is_grad_enabled, is_inference_mode_enabled

__all__ = [
    "enable_grad",
    "inference_mode",
    "is_grad_enabled",
    "is_inference_mode_enabled",
    "no_grad",
    "set_grad_enabled",
]


class _GradMode:
    """Sets grad mode for a ``with`` block or for each call of a decorated function."""

    def __init__(self, enabled):
        self._enabled = enabled
        self._previous = []

    def __enter__(self):
        self._previous.append(_set_grad_enabled(self._enabled))

    def __exit__(self, *exc):
        _set_grad_enabled(self._previous.pop())
        return False

    def __call__(self, func):
        enabled = self._enabled

        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            with _GradMode(enabled):
                return func(*args, **kwargs)

        return wrapper


class no_grad(_GradMode):
    """Operations inside do not record the graph. Also a decorator, with or without parentheses."""

    def __new__(cls, orig_func=None):
        if orig_func is not None:
            return cls()(orig_func)
        return super().__new__(cls)

    def __init__(self, orig_func=None):
        super().__init__(False)


class enable_grad(_GradMode):
    """Operations inside record the graph, even within ``no_grad``. Also a decorator."""

    def __new__(cls, orig_func=None):
        if orig_func is not None:
            return cls()(orig_func)
        return super().__new__(cls)

    def __init__(self, orig_func=None):
        super().__init__(True)


class set_grad_enabled(_GradMode):
    """Sets grad mode at once; as a context manager or decorator, restores it afterwards."""

    def __init__(self, mode):
        super().__init__(bool(mode))
        self._previous.append(_set_grad_enabled(self._enabled))

    def __enter__(self):
        pass

    def __call__(self, func):
        _set_grad_enabled(self._previous.pop())
        return super().__call__(func)

    def clone(self):
        """A manager with the same setting."""
        return self.__class__(self._enabled)


class inference_mode:
    """Like ``no_grad``, and tensors made inside are inference tensors (``is_inference()``), which
    autograd refuses outside the mode. ``inference_mode(False)`` turns the mode off (and grad mode
    on) inside. Also a decorator, with or without parentheses."""

    def __new__(cls, mode=True):
        if isinstance(mode, bool):
            return super().__new__(cls)
        return cls()(mode)

    def __init__(self, mode=True):
        self.mode = bool(mode)
        self._previous = []

    def __enter__(self):
        self._previous.append((_set_grad_enabled(not self.mode), _set_inference_mode(self.mode)))

    def __exit__(self, *exc):
        grad, inference = self._previous.pop()
        _set_grad_enabled(grad)
        _set_inference_mode(inference)
        return False

    def __call__(self, func):
        mode = self.mode

        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            with inference_mode(mode):
                return func(*args, **kwargs)

        return wrapper

    def clone(self):
        """A manager with the same setting."""
        return self.__class__(self.mode)
