"""Graph nodes as Python objects: one object per node while referenced, of a class named after
the node (``type(t.grad_fn).__name__ == "MulBackward0"``), as in PyTorch."""

import weakref

__all__ = ["Node"]

_objects = weakref.WeakValueDictionary()
_classes = {}


class Node:
    """A node of the autograd graph (``t.grad_fn``)."""

    __slots__ = ("_handle", "__weakref__")

    def name(self):
        """The node's name, such as ``MulBackward0``."""
        return self._handle.name()

    @property
    def next_functions(self):
        """``((node or None, input_nr), ...)``: where this node sends each input's gradient."""
        return self._handle.next_functions()

    @property
    def variable(self):
        """The leaf tensor of an ``AccumulateGrad`` node."""
        return self._handle.variable()

    def __repr__(self):
        return f"<{type(self).__name__} object at {hex(id(self))}>"


def _wrap(handle):
    key = handle.key()
    node = _objects.get(key)
    if node is None:
        name = handle.class_name()
        cls = _classes.get(name)
        if cls is None:
            cls = _classes[name] = type(name, (Node,), {"__slots__": ()})
        node = object.__new__(cls)
        node._handle = handle
        _objects[key] = node
    return node
