"""``gradcheck`` and ``gradgradcheck``: compare analytic gradients (and gradients of gradients)
with central finite differences."""

__all__ = ["gradcheck", "gradgradcheck"]


def _as_tuple(x):
    return tuple(x) if isinstance(x, (list, tuple)) else (x,)


def _unravel(i, shape):
    index = []
    for d in reversed(shape):
        index.append(i % d)
        i //= d
    return tuple(reversed(index))


def gradcheck(func, inputs, *, eps=1e-6, atol=1e-5, rtol=1e-3, raise_exception=True, **_ignored):
    """True when the Jacobian from backward matches central differences of ``func`` at ``inputs``
    (within ``atol + rtol * |numerical|``); otherwise raises (or returns False)."""
    import rtensor as rt

    inputs = _as_tuple(inputs)
    wrt = [i for i, x in enumerate(inputs) if isinstance(x, rt.Tensor) and x.requires_grad]
    if not wrt:
        raise ValueError(
            "gradcheck expects at least one input tensor to require gradient, "
            "but none of the them have requires_grad=True."
        )
    outputs = _as_tuple(func(*inputs))
    for o, first in enumerate(outputs):
        if not isinstance(first, rt.Tensor) or not first.is_floating_point():
            continue
        n_out = first.numel()
        for j in wrt:
            x = inputs[j]
            # Analytic first: perturbing an input bumps its version, which a graph built before
            # would (rightly) refuse.
            analytic = _analytic_jacobian(_as_tuple(func(*inputs))[o], x, n_out)
            numerical = _numerical_jacobian(func, inputs, o, x, eps)
            for k in range(n_out):
                for e in range(x.numel()):
                    a, n = analytic[k][e], numerical[k][e]
                    if not abs(a - n) <= atol + rtol * abs(n):
                        if raise_exception:
                            raise RuntimeError(
                                f"Jacobian mismatch for output {o} with respect to input {j},\n"
                                f"numerical:{numerical}\nanalytical:{analytic}\n"
                            )
                        return False
    return True


def _numerical_jacobian(func, inputs, o, x, eps):
    import rtensor as rt

    rows = [[0.0] * x.numel() for _ in range(_as_tuple(func(*inputs))[o].numel())]
    data = x.detach()
    with rt.no_grad():
        for e in range(x.numel()):
            idx = _unravel(e, tuple(x.shape))
            orig = data[idx].item()
            data[idx] = orig + eps
            plus = _as_tuple(func(*inputs))[o].reshape(-1).tolist()
            data[idx] = orig - eps
            minus = _as_tuple(func(*inputs))[o].reshape(-1).tolist()
            data[idx] = orig
            for k, (p, m) in enumerate(zip(plus, minus)):
                rows[k][e] = (p - m) / (2 * eps)
    return rows


def _analytic_jacobian(out, x, n_out):
    import rtensor as rt

    if not out.requires_grad:
        return [[0.0] * x.numel() for _ in range(n_out)]
    rows = []
    flat_shape = tuple(out.shape)
    for k in range(n_out):
        seed = rt.zeros(flat_shape, dtype=out.dtype)
        if n_out:
            seed[_unravel(k, flat_shape)] = 1.0
        (g,) = rt.autograd.grad([out], [x], grad_outputs=[seed], retain_graph=True, allow_unused=True)
        rows.append([0.0] * x.numel() if g is None else g.reshape(-1).tolist())
    return rows


def gradgradcheck(func, inputs, grad_outputs=None, *, eps=1e-6, atol=1e-5, rtol=1e-3,
                  gen_non_contig_grad_outputs=False, raise_exception=True, nondet_tol=0.0,
                  check_undefined_grad=True, check_grad_dtypes=False, check_batched_grad=False,
                  check_fwd_over_rev=False, check_rev_over_rev=True, fast_mode=False, masked=False):
    """True when the gradients of the gradients of ``func`` (vector-Jacobian products with
    ``grad_outputs``, random when not given, differentiated again through ``create_graph=True``)
    match central differences, as PyTorch's ``gradgradcheck``."""
    import rtensor as rt

    inputs = _as_tuple(inputs)
    if grad_outputs is None:
        outputs = _as_tuple(func(*inputs))
        gen = rt.Generator().manual_seed(0) if hasattr(rt, "Generator") else None
        grad_outputs = tuple(
            _random_like(o, gen)
            for o in outputs
            if isinstance(o, rt.Tensor) and o.is_floating_point() and o.requires_grad
        )
    else:
        grad_outputs = _as_tuple(grad_outputs)
    n_in = len(inputs)
    wrt = [i for i, x in enumerate(inputs) if isinstance(x, rt.Tensor) and x.requires_grad]

    def new_func(*args):
        ins, gos = args[:n_in], args[n_in:]
        with rt.enable_grad():
            outs = [
                o for o in _as_tuple(func(*ins))
                if isinstance(o, rt.Tensor) and o.is_floating_point() and o.requires_grad
            ]
            grads = rt.autograd.grad(
                outs, [ins[i] for i in wrt], list(gos), create_graph=True, allow_unused=True
            )
        return tuple(g for g in grads if g is not None)

    return gradcheck(
        new_func, inputs + grad_outputs, eps=eps, atol=atol, rtol=rtol,
        raise_exception=raise_exception,
    )


def _random_like(o, gen):
    """Values in [-1, 1) shaped like ``o``, requiring grad (the grad_outputs gradgradcheck
    differentiates with respect to)."""
    import rtensor as rt

    if gen is not None:
        r = rt.rand(tuple(o.shape), dtype=o.dtype, generator=gen)
    else:
        r = rt.rand(tuple(o.shape), dtype=o.dtype)
    return (r * 2 - 1).requires_grad_()
