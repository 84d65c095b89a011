"""``rtensor.autograd.Function``: operations defined in Python by a ``forward`` and a ``backward``
static method, recorded in the graph as one node named ``<ClassName>Backward`` whose backward
calls the class's ``backward``, with PyTorch's ``ctx`` API and its errors for misuse."""

import functools

from .._rtensor import _record_function

__all__ = ["Function", "FunctionCtx", "once_differentiable"]

_FREED = (
    "Trying to backward through the graph a second time (or directly access saved tensors after they "
    "have already been freed). Saved intermediate values of the graph are freed when you call "
    ".backward() or autograd.grad(). Specify retain_graph=True if you need to backward through the "
    "graph a second time or if you need to access saved tensors after calling backward."
)


def _rt():
    import rtensor

    return rtensor


def _type_name(t):
    """torch's legacy type name of a tensor (``rtensor.FloatTensor``)."""
    kind = {"float32": "Float", "float64": "Double", "int64": "Long", "int32": "Int", "bool": "Bool"}
    return f"rtensor.{kind.get(str(t.dtype).split('.')[-1], 'Float')}Tensor"


class FunctionCtx:
    """The ``ctx`` a ``Function``'s ``forward`` and ``backward`` share."""

    def __init__(self):
        self._saved = None
        self._released = False
        self._non_differentiable = ()
        self._dirty = ()
        self.materialize_grads = True
        self.needs_input_grad = ()

    def save_for_backward(self, *tensors):
        """Keeps tensors for ``backward`` (read back through ``saved_tensors``); an in-place change
        before then is an error, as for the built-in ops."""
        Tensor = _rt().Tensor
        for i, t in enumerate(tensors):
            if t is not None and not isinstance(t, Tensor):
                raise TypeError(
                    f"save_for_backward can only save variables, but argument {i} is of type "
                    f"{type(t).__name__}"
                )
        self._saved = tuple((t, None if t is None else t._version) for t in tensors)

    @property
    def saved_tensors(self):
        """The tensors given to ``save_for_backward``."""
        if self._released:
            raise RuntimeError(_FREED)
        if self._saved is None:
            return ()
        out = []
        for t, version in self._saved:
            if t is not None and t._version != version:
                raise RuntimeError(
                    "one of the variables needed for gradient computation has been modified by an "
                    f"inplace operation: [{_type_name(t)} {list(t.shape)}], which is output 0 of "
                    f"{type(self).__name__}, is at version {t._version}; expected version {version} "
                    "instead. Hint: enable anomaly detection to find the operation that failed to "
                    "compute its gradient, or clone() the tensor before modifying it in place."
                )
            out.append(t)
        return tuple(out)

    def save_for_forward(self, *tensors):
        """Accepted for compatibility; rtensor has no forward-mode AD."""

    def mark_non_differentiable(self, *tensors):
        """Marks outputs that get no gradient (their gradient in ``backward`` is zeros)."""
        self._non_differentiable = tuple(tensors)

    def mark_dirty(self, *tensors):
        """Marks inputs that ``forward`` modified in place (and returns)."""
        self._dirty = tuple(tensors)

    def set_materialize_grads(self, value):
        """Whether ``backward`` gets zeros (True, the default) or None for outputs without a
        gradient."""
        self.materialize_grads = bool(value)


class _FunctionMeta(type):
    """Gives each ``Function`` subclass its backward-node class, named ``<ClassName>Backward``."""

    def __init__(cls, name, bases, attrs):
        cls._backward_cls = type(name + "Backward", (FunctionCtx,), {"_forward_cls": cls})
        super().__init__(name, bases, attrs)


class Function(metaclass=_FunctionMeta):
    """Base class of user-defined differentiable operations: subclass it with static ``forward(ctx,
    *args)`` and ``backward(ctx, *grad_outputs)`` methods and call ``apply``."""

    def __init__(self, *args, **kwargs):
        import warnings

        warnings.warn(
            f"{type(self)} should not be instantiated. Methods on autograd functions are all static, "
            "so you should invoke them on the class itself. Instantiating an autograd function will "
            "raise an error in a future version of PyTorch.",
            DeprecationWarning,
            stacklevel=2,
        )

    def __call__(self, *args, **kwargs):
        raise RuntimeError(
            "Legacy autograd function with non-static forward method is deprecated. Please use "
            "new-style autograd function with static forward method. (Example: "
            "https://pytorch.org/docs/stable/autograd.html#torch.autograd.Function)"
        )

    @staticmethod
    def forward(ctx, *args, **kwargs):
        """Computes the outputs (override)."""
        raise NotImplementedError(
            "You must implement the forward function for custom autograd.Function."
        )

    @staticmethod
    def setup_context(ctx, inputs, output):
        """Saves what ``backward`` needs when ``forward`` does not take a ``ctx`` (override)."""
        raise NotImplementedError("setup_context is not implemented.")

    @staticmethod
    def backward(ctx, *grad_outputs):
        """The gradients of the inputs from those of the outputs (override)."""
        raise NotImplementedError(
            "You must implement either the backward or vjp method for your custom "
            "autograd.Function to use it with backward mode AD."
        )

    vjp = backward

    @staticmethod
    def jvp(ctx, *grad_inputs):
        """Forward mode is not available in rtensor."""
        raise NotImplementedError(
            "You must implement the jvp function for custom autograd.Function to use it with "
            "forward mode AD."
        )

    @classmethod
    def apply(cls, *args, **kwargs):
        """Runs ``forward`` without recording and records the whole call as one node."""
        rt = _rt()
        Tensor = rt.Tensor
        ctx = cls._backward_cls()
        ctx.needs_input_grad = tuple(isinstance(a, Tensor) and a.requires_grad for a in args)
        recording = rt.is_grad_enabled() and any(ctx.needs_input_grad)
        separate = cls.setup_context is not Function.setup_context
        with rt.no_grad():
            if separate:
                output = cls.forward(*args, **kwargs)
            else:
                output = cls.forward(ctx, *args, **kwargs)
        if separate:
            cls.setup_context(ctx, args, output)
        single = not isinstance(output, tuple)
        outputs = (output,) if single else output
        if not recording:
            return output
        dirty = [id(t) for t in ctx._dirty]
        for t in ctx._dirty:
            if t.is_leaf and t.requires_grad:
                raise RuntimeError(
                    "a leaf Variable that requires grad has been used in an in-place operation."
                )
        inputs = [a for a in args if isinstance(a, Tensor)]
        ids = {id(a) for a in inputs}
        fresh = []
        for o in outputs:
            if isinstance(o, Tensor) and id(o) in ids and id(o) not in dirty:
                with rt.no_grad():
                    o = o.view_as(o)
            fresh.append(o)
        non_diff = {id(t) for t in ctx._non_differentiable}
        recorded = [
            o if isinstance(o, Tensor) and id(o) not in non_diff else None for o in fresh
        ]
        metas = [(tuple(o.shape), o.dtype) if isinstance(o, Tensor) else None for o in fresh]
        _record_function(
            cls._backward_cls.__name__, inputs, recorded, _BackwardCall(cls, ctx, args, metas)
        )
        return fresh[0] if single else tuple(fresh)


class _BackwardCall:
    """What the node calls: checks and completes what ``backward`` returns."""

    def __init__(self, cls, ctx, args, metas):
        self.cls = cls
        self.ctx = ctx
        Tensor = _rt().Tensor
        # Only shapes and dtypes are kept of the inputs (the tensors themselves live in the graph).
        self.inputs = [
            (tuple(a.shape), a.dtype, a.requires_grad) if isinstance(a, Tensor) else None
            for a in args
        ]
        self.metas = metas

    def release(self):
        """Frees the saved tensors (the graph was freed)."""
        self.ctx._released = True
        self.ctx._saved = None

    def __call__(self, grads):
        rt = _rt()
        ctx = self.ctx
        name = type(ctx).__name__
        if ctx._released:
            raise RuntimeError(_FREED)
        if ctx.materialize_grads:
            grads = tuple(
                rt.zeros(m[0], dtype=m[1]) if g is None and m is not None else g
                for g, m in zip(grads, self.metas)
            )
        result = self.cls.backward(ctx, *grads)
        if not isinstance(result, tuple):
            result = (result,)
        n = len(self.inputs)
        if len(result) > n and all(r is None for r in result[n:]):
            result = result[:n]
        if len(result) != n:
            raise RuntimeError(
                f"function {name} returned an incorrect number of gradients (expected {n}, got "
                f"{len(result)})"
            )
        out = []
        for i, (g, meta) in enumerate(zip(result, self.inputs)):
            if meta is None:
                if g is not None:
                    raise RuntimeError(
                        f"function {name} returned a gradient different than None at position "
                        f"{i + 1}, but the corresponding forward input was not a Variable"
                    )
                continue
            shape, dtype, needs = meta
            if g is None or not needs:
                out.append(None)
                continue
            if not isinstance(g, rt.Tensor):
                raise TypeError(
                    f"function {name} returned a gradient of type {type(g).__name__} at position "
                    f"{i + 1}; expected a Tensor or None"
                )
            if tuple(g.shape) != shape:
                try:
                    rt.broadcast_shapes(shape, tuple(g.shape))
                    ok = len(g.shape) >= len(shape)
                except RuntimeError:
                    ok = False
                if not ok:
                    raise RuntimeError(
                        f"Function {name} returned an invalid gradient at index {i} - got "
                        f"{list(g.shape)} but expected shape compatible with {list(shape)}"
                    )
                g = _sum_to(g, shape)
            if g.dtype != dtype:
                g = g.to(dtype)
            out.append(g)
        return tuple(out)


def _sum_to(g, shape):
    """``g`` summed down to ``shape`` (which broadcasts to ``g.shape``)."""
    lead = g.dim() - len(shape)
    dims = [d for d in range(g.dim()) if d < lead or (shape[d - lead] == 1 and g.shape[d] != 1)]
    if dims:
        g = g.sum(dims, keepdim=True)
    return g.reshape(shape)


class _DelayedError(Function):
    """Passes its input through; differentiating it raises (``once_differentiable``)."""

    @staticmethod
    def forward(ctx, x):
        return x.view_as(x)

    @staticmethod
    def backward(ctx, g):
        raise RuntimeError(
            "trying to differentiate twice a function that was marked with @once_differentiable"
        )


def once_differentiable(fn):
    """Decorates a ``backward`` that is not itself differentiable: it runs without recording, and
    differentiating its result again raises."""

    @functools.wraps(fn)
    def wrapper(ctx, *args):
        rt = _rt()
        with rt.no_grad():
            outputs = fn(ctx, *args)
        if not rt.is_grad_enabled():
            return outputs
        if not any(isinstance(a, rt.Tensor) and a.requires_grad for a in args):
            return outputs
        single = not isinstance(outputs, tuple)
        items = (outputs,) if single else outputs
        items = tuple(
            _DelayedError.apply(o.detach().requires_grad_()) if isinstance(o, rt.Tensor)
            and o.is_floating_point() else o
            for o in items
        )
        return items[0] if single else items

    return wrapper
