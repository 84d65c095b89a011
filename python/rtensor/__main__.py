"""The rtensor tour: ``python -m rtensor`` walks through what rtensor does, REPL style.

Each step prints the code and what it gives, exactly as a Python session with PyTorch would,
with ``rtensor`` in place of ``torch``.
"""

import rtensor as rt

_SCOPE = {"rt": rt}


def chapter(title: str) -> None:
    """Prints a section heading."""
    print()
    print(f"# {title}")
    print("# " + "-" * len(title))


def say(text: str) -> None:
    """Prints a line of commentary."""
    print(f"# {text}")


def run(code: str) -> None:
    """Runs one line like the REPL: statements silently, expressions with their repr."""
    print(f">>> {code}")
    try:
        value = eval(compile(code, "<tour>", "eval"), _SCOPE)
    except SyntaxError:
        exec(compile(code, "<tour>", "exec"), _SCOPE)
        return
    if value is not None:
        print(repr(value))


def _run_expecting_error(code: str) -> None:
    """Runs one line that raises, printing the exception as the REPL would."""
    print(f">>> {code}")
    try:
        exec(compile(code, "<tour>", "exec"), _SCOPE)
    except RuntimeError as e:
        print(f"{type(e).__name__}: {e}")


def main() -> None:
    """The whole tour."""
    chapter("Creating tensors")
    run("import rtensor as rt")
    run("A = rt.arange(20, dtype=rt.float32).reshape(5, 4)")
    run("A")
    run("A.shape, A.dtype")
    run("rt.tensor([[1, 2], [3, 4]])")
    run("rt.zeros(2, 3), rt.ones((2,), dtype=rt.int32)")
    run("rt.linspace(0, 1, 5)")
    run("rt.manual_seed(0); rt.rand(2, 2).shape")

    chapter("dtypes and type promotion, as in PyTorch")
    run("rt.arange(4).dtype")
    run("(rt.arange(4) * 2.5).dtype")
    run("(rt.arange(4) / 2)")
    run("rt.tensor([True, False]) + rt.tensor([True, True])")

    chapter("detach() shares memory; clone() copies it")
    say("b = a.detach() is another name for the same buffer: a write through one is seen in the other.")
    run("a = rt.arange(4, dtype=rt.float32)")
    run("b = a.detach()")
    run("a.data_ptr() == b.data_ptr()")
    run("b[0] = 100.0")
    run("a")
    say("c = a.clone() is a new buffer: changing it leaves a as it was.")
    run("c = a.clone()")
    run("a.data_ptr() == c.data_ptr()")
    run("c[1] = -1.0")
    run("a, c")
    say("Every in-place write bumps the version counter that views and detach() aliases share.")
    run("a._version, b._version, c._version")

    chapter("Gradients: detach() stops them, clone() keeps them")
    say("A tape records every operation on tensors that require grad; backward() walks it back.")
    run("x = rt.arange(4.0, requires_grad=True)")
    run("y = x * x")
    run("y")
    say("z = y.detach() shares y's memory, but the gradient that reaches z goes no further back:")
    run("z = y.detach()")
    run("(y * z).sum().backward()")
    run("x.grad  # d/dx of sum(x*x * z) with z held constant: 2*x*z")
    say("c = y.clone() is new memory, yet the gradient still flows through it to x:")
    run("x.grad = None")
    run("y = x * x")
    run("c = y.clone()")
    run("(c * c).sum().backward()")
    run("x.grad  # d/dx of sum(x**4): 4*x**3")
    say("Changing a detached alias in place changes what backward needs, and the version")
    say("counter the alias shares with the original catches it:")
    run("a = rt.tensor([0.5, -1.0], requires_grad=True)")
    run("out = a.sigmoid()")
    run("c = out.detach()")
    run("c.zero_()")
    run("out._version")
    _run_expecting_error("out.sum().backward()")
    say("Inside rt.no_grad() nothing is recorded:")
    run("with rt.no_grad(): w = x * 2")
    run("w.requires_grad")

    chapter("Matrices")
    run("A = rt.arange(20).reshape(5, 4)")
    run("A.T")
    run("B = A.clone()")
    say("The Hadamard product multiplies element by element, with no summation:")
    run("A * B")

    chapter("Reductions")
    say("sum removes the dims it reduces over:")
    run("A = rt.arange(20 * 2).reshape(2, 5, 4)")
    run("A.sum().shape")
    run("A.sum(1).shape")
    say("mean needs a floating dtype: an integer tensor's mean is an error, as in PyTorch.")
    _run_expecting_error("A.mean()")
    run("A = rt.arange(20 * 2, dtype=rt.float32).reshape(2, 5, 4)")
    run("A.mean(), A.sum() / A.numel()")
    run("A.mean(axis=0), A.sum(axis=0) / A.shape[0]")
    say("keepdims keeps the reduced axis with length 1, so the result broadcasts:")
    run("A = rt.arange(20, dtype=rt.float32).reshape(5, 4)")
    run("sum_A = A.sum(axis=1, keepdims=True)")
    run("sum_A")
    run("A / sum_A")
    say("cumsum along an axis:")
    run("a = rt.arange(0, 12).reshape(3, 4)")
    run("a.cumsum(0)")
    say("Float32 sums are accumulated in float64: as good as the rounded exact value.")
    run("rt.full((10_000_000,), 0.1).sum()")

    chapter("Products and norms")
    say("The dot product is the sum of the element-wise products:")
    run("x = rt.arange(4, dtype=rt.float32)")
    run("y = rt.ones(4, dtype=rt.float32)")
    run("x.dot(y), rt.sum(x * y)")
    say("A matrix-vector product is m dot products, one per row:")
    run("x = rt.arange(12, dtype=rt.float32).reshape(3, 4)")
    run("y = rt.arange(4, dtype=rt.float32)")
    run("x.mv(y)")
    say("A matrix-matrix product AB is m matrix-vector products, put side by side:")
    run("x.mm(rt.ones(4, 3))")
    say("Norms: L2 (the default), L1 (the sum of absolute values), and Frobenius for matrices:")
    run("u = rt.tensor([3.0, -4.0])")
    run("rt.norm(u)")
    run("rt.abs(u).sum()")
    run("rt.ones((4, 9)).norm()")

    chapter("Broadcasting")
    run("a = rt.arange(3).reshape(3, 1)")
    run("b = rt.arange(2).reshape(1, 2)")
    run("a + b")
    run("rt.ones(2, 3) * rt.tensor([1.0, 2.0, 3.0])")

    chapter("Views never copy")
    run("x = rt.arange(12).reshape(3, 4)")
    run("y = x[1:, ::2]")
    run("y, y.stride(), y.storage_offset(), y.is_contiguous()")
    run("y.contiguous().is_contiguous()")
    run("x[x > 8]")

    _numpy_chapter()


def _numpy_chapter() -> None:
    """numpy interop; numpy is optional, so without it the chapter says it is skipped."""
    chapter("numpy round trips share memory")
    try:
        import numpy  # noqa: F401  (only to see whether it is installed)
    except ImportError:
        say("numpy is not installed, so this chapter is skipped (pip install numpy to see it).")
        return
    run("import numpy as np")
    run("n = np.arange(6, dtype=np.float32).reshape(2, 3)")
    run("t = rt.from_numpy(n)")
    run("n[0, 0] = 42")
    run("t")
    run("t.numpy() is not n, np.shares_memory(t.numpy(), n)")
    run("rt.from_dlpack(n)[1]")


if __name__ == "__main__":
    main()
