"""``rtensor.Size``: the type of ``Tensor.shape``, a tuple of ints."""


class Size(tuple):
    """A tensor's shape: a tuple of ints whose repr names it, as ``torch.Size`` does."""

    __slots__ = ()

    def __repr__(self) -> str:
        return f"rtensor.Size([{', '.join(str(d) for d in self)}])"

    __str__ = __repr__

    def numel(self) -> int:
        """The number of elements a tensor of this shape holds."""
        n = 1
        for d in self:
            n *= d
        return n

    def __getitem__(self, key):
        result = tuple.__getitem__(self, key)
        return Size(result) if isinstance(key, slice) else result

    def __add__(self, other):
        return Size(tuple.__add__(self, other))

    def __reduce__(self):
        return (Size, (tuple(self),))
