"""``rtensor.iinfo`` and ``rtensor.finfo``: the numerical limits of the integer and floating dtypes,
with torch's fields and ``repr`` (numbers printed as C++ streams print them, ``%g``)."""

from ._rtensor import get_default_dtype

__all__ = ["finfo", "iinfo"]

# bits, min, max of the integer dtypes.
_INTS = {
    "uint8": (8, 0, 255),
    "int8": (8, -128, 127),
    "int16": (16, -32768, 32767),
    "int32": (32, -(2**31), 2**31 - 1),
    "int64": (64, -(2**63), 2**63 - 1),
}

# bits, eps, max, smallest normal, decimal digits of the floating dtypes.
_FLOATS = {
    "float16": (16, 2.0**-10, 65504.0, 2.0**-14, 3),
    "bfloat16": (16, 2.0**-7, 3.3895313892515355e38, 2.0**-126, 2),
    "float32": (32, 2.0**-23, 3.4028234663852886e38, 2.0**-126, 6),
    "float64": (64, 2.0**-52, 1.7976931348623157e308, 2.0**-1022, 15),
}


def _name(dtype):
    return str(dtype).rsplit(".", 1)[-1]


class iinfo:
    """The limits of an integer dtype: ``bits``, ``min``, ``max`` and ``dtype`` (its name)."""

    def __init__(self, type):
        name = _name(type)
        if name not in _INTS:
            raise TypeError(
                "torch.iinfo() requires an integer input type. Use torch.finfo to handle 'torch.iinfo'"
            )
        self.bits, self.min, self.max = _INTS[name]
        self.dtype = name

    def __repr__(self):
        return f"iinfo(min={self.min:g}, max={self.max:g}, dtype={self.dtype})"

    __str__ = __repr__


class finfo:
    """The limits of a floating dtype (the default dtype when none is given): ``bits``, ``eps``,
    ``max``, ``min``, ``tiny`` (= ``smallest_normal``), ``resolution`` and ``dtype`` (its name)."""

    def __init__(self, type=None):
        name = _name(get_default_dtype() if type is None else type)
        if name not in _FLOATS:
            raise TypeError(
                "torch.finfo() requires a floating point input type. Use torch.iinfo to handle 'torch.finfo'"
            )
        bits, eps, big, tiny, digits = _FLOATS[name]
        self.bits, self.eps, self.max, self.min = bits, eps, big, -big
        self.tiny = self.smallest_normal = tiny
        self.resolution = 10.0**-digits
        self.dtype = name

    def __repr__(self):
        return (
            f"finfo(resolution={self.resolution:g}, min={self.min:g}, max={self.max:g}, "
            f"eps={self.eps:g}, smallest_normal={self.smallest_normal:g}, "
            f"tiny={self.tiny:g}, dtype={self.dtype})"
        )

    __str__ = __repr__
