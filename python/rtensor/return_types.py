"""Named tuples that some reductions return, as ``torch.return_types``: ``max(dim)`` and ``min(dim)``
give ``(values, indices)`` that also read as ``.values`` / ``.indices``."""

from operator import itemgetter


class _StructSeq(tuple):
    """A fixed-length tuple with named fields, like CPython's structseq (``os.stat_result``)."""

    __slots__ = ()
    _fields: tuple = ()
    n_fields = n_sequence_fields = 2
    n_unnamed_fields = 0

    def __new__(cls, sequence):
        items = tuple(sequence)
        if len(items) != len(cls._fields):
            raise TypeError(
                f"rtensor.return_types.{cls.__name__}() takes a {len(cls._fields)}-sequence "
                f"({len(items)}-sequence given)"
            )
        return super().__new__(cls, items)

    def __repr__(self):
        body = ",\n".join(f"{name}={value!r}" for name, value in zip(self._fields, self))
        return f"rtensor.return_types.{type(self).__name__}(\n{body})"

    def __reduce__(self):
        return (type(self), (tuple(self),))


class max(_StructSeq):  # noqa: A001 - torch's name
    """``(values, indices)`` of ``Tensor.max(dim)``."""

    __slots__ = ()
    _fields = ("values", "indices")
    values = property(itemgetter(0), doc="The largest values along the dim.")
    indices = property(itemgetter(1), doc="Their indices along the dim (int64).")


class min(_StructSeq):  # noqa: A001 - torch's name
    """``(values, indices)`` of ``Tensor.min(dim)``."""

    __slots__ = ()
    _fields = ("values", "indices")
    values = property(itemgetter(0), doc="The smallest values along the dim.")
    indices = property(itemgetter(1), doc="Their indices along the dim (int64).")


class aminmax(_StructSeq):
    """``(min, max)`` of ``aminmax``."""

    __slots__ = ()
    _fields = ("min", "max")
    min = property(itemgetter(0), doc="The smallest values.")
    max = property(itemgetter(1), doc="The largest values.")


class frexp(_StructSeq):
    """``(mantissa, exponent)`` of ``frexp``."""

    __slots__ = ()
    _fields = ("mantissa", "exponent")
    mantissa = property(itemgetter(0), doc="The mantissas, in [0.5, 1) in magnitude.")
    exponent = property(itemgetter(1), doc="The exponents (int32).")


class linalg_inv_ex(_StructSeq):
    """``(inverse, info)`` of ``linalg.inv_ex``."""

    __slots__ = ()
    _fields = ("inverse", "info")
    inverse = property(itemgetter(0), doc="The inverses of the matrices.")
    info = property(itemgetter(1), doc="LAPACK's info per matrix: 0, or the zero pivot (int32).")


class sort(_StructSeq):
    """``(values, indices)`` of ``sort``."""

    __slots__ = ()
    _fields = ("values", "indices")
    values = property(itemgetter(0), doc="The values in order.")
    indices = property(itemgetter(1), doc="Their indices in the input (int64).")


class topk(_StructSeq):
    """``(values, indices)`` of ``topk``."""

    __slots__ = ()
    _fields = ("values", "indices")
    values = property(itemgetter(0), doc="The k largest (or smallest) values.")
    indices = property(itemgetter(1), doc="Their indices in the input (int64).")


class kthvalue(_StructSeq):
    """``(values, indices)`` of ``kthvalue``."""

    __slots__ = ()
    _fields = ("values", "indices")
    values = property(itemgetter(0), doc="The k-th smallest values.")
    indices = property(itemgetter(1), doc="Their indices along the dim (int64).")


class median(_StructSeq):
    """``(values, indices)`` of ``median(dim)``."""

    __slots__ = ()
    _fields = ("values", "indices")
    values = property(itemgetter(0), doc="The lower medians.")
    indices = property(itemgetter(1), doc="Their indices along the dim (int64).")


class nanmedian(_StructSeq):
    """``(values, indices)`` of ``nanmedian(dim)``."""

    __slots__ = ()
    _fields = ("values", "indices")
    values = property(itemgetter(0), doc="The lower medians of the values that are not NaN.")
    indices = property(itemgetter(1), doc="Their indices along the dim (int64).")


class mode(_StructSeq):
    """``(values, indices)`` of ``mode``."""

    __slots__ = ()
    _fields = ("values", "indices")
    values = property(itemgetter(0), doc="The most frequent values.")
    indices = property(itemgetter(1), doc="The index of their last occurrence (int64).")


class cummax(_StructSeq):
    """``(values, indices)`` of ``cummax``."""

    __slots__ = ()
    _fields = ("values", "indices")
    values = property(itemgetter(0), doc="The running maxima.")
    indices = property(itemgetter(1), doc="Where each was reached (int64).")


class cummin(_StructSeq):
    """``(values, indices)`` of ``cummin``."""

    __slots__ = ()
    _fields = ("values", "indices")
    values = property(itemgetter(0), doc="The running minima.")
    indices = property(itemgetter(1), doc="Where each was reached (int64).")


class histogram(_StructSeq):
    """``(hist, bin_edges)`` of ``histogram``."""

    __slots__ = ()
    _fields = ("hist", "bin_edges")
    hist = property(itemgetter(0), doc="The count (or weight) in every bin.")
    bin_edges = property(itemgetter(1), doc="The edges of the bins.")


__all__ = ["aminmax", "cummax", "cummin", "frexp", "histogram", "kthvalue", "linalg_inv_ex", "max", "median", "min", "mode", "nanmedian", "sort", "topk"]
