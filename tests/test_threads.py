"""rtensor from several Python threads at once, the GIL released in heavy kernels, and fork.

Every threaded test checks every result against numpy: a race would show as a wrong value.
"""
import contextlib
import os
import subprocess
import sys
import textwrap
import threading
import time

import numpy as np
import pytest

import rtensor as rt

RNG = np.random.default_rng(7)


def run_threads(target, n):
    """Runs `target(i)` on `n` threads; re-raises the first exception any of them raised."""
    errors = []

    def wrapped(i):
        try:
            target(i)
        except BaseException as e:  # noqa: BLE001 - handed back to the test
            errors.append(e)

    threads = [threading.Thread(target=wrapped, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise errors[0]


@pytest.fixture
def one_kernel_thread():
    before = rt.get_num_threads()
    rt.set_num_threads(1)
    yield
    rt.set_num_threads(before)


# ------------------------------------------------------------------------------- separate tensors


def test_separate_tensors_on_many_threads():
    def work(i):
        rng = np.random.default_rng(i)
        for _ in range(20):
            a = rng.standard_normal((300, 200)).astype(np.float32)
            b = rng.standard_normal((200, 50)).astype(np.float32)
            x, y = rt.from_numpy(a), rt.from_numpy(b)
            np.testing.assert_allclose((x @ y).numpy(), a @ b, rtol=1e-4, atol=1e-3)
            np.testing.assert_allclose(x.sum(0).numpy(), a.sum(0, dtype=np.float64), rtol=1e-5, atol=1e-4)
            np.testing.assert_allclose(x.cumsum(1).numpy(), a.astype(np.float64).cumsum(1), rtol=1e-4, atol=1e-3)
            np.testing.assert_array_equal((x * 2 + 1).numpy(), a * 2 + 1)
            assert x.argmax().item() == a.argmax()

    run_threads(work, 6)


def test_autograd_on_many_threads():
    def work(i):
        for k in range(50):
            w = rt.full((4, 3), float(i + k), requires_grad=True)
            loss = (w * w).sum()
            loss.backward()
            np.testing.assert_array_equal(w.grad.numpy(), np.full((4, 3), 2.0 * (i + k), np.float32))

    run_threads(work, 6)


def test_grad_mode_is_per_thread():
    seen = {}
    barrier = threading.Barrier(2)

    def work(i):
        if i == 0:
            with rt.no_grad():
                barrier.wait()
                barrier.wait()
                seen[i] = rt.is_grad_enabled()
        else:
            barrier.wait()
            x = rt.ones(2, requires_grad=True)
            seen[i] = (x * 2).requires_grad
            barrier.wait()

    run_threads(work, 2)
    assert seen == {0: False, 1: True}


# ------------------------------------------------------------------------------- shared tensors


def test_shared_read_only_tensors():
    a = RNG.standard_normal((512, 512)).astype(np.float32)
    x = rt.from_numpy(a)
    xt = x.t()
    want_mm = a @ a.T
    want_sum = a.sum(1, dtype=np.float64)
    want_norm = np.linalg.norm(a.astype(np.float64))

    def work(i):
        for _ in range(10):
            np.testing.assert_allclose((x @ xt).numpy(), want_mm, rtol=1e-4, atol=1e-2)
            np.testing.assert_allclose(x.sum(1).numpy(), want_sum, rtol=1e-5, atol=1e-4)
            np.testing.assert_allclose(x.norm().item(), want_norm, rtol=1e-6)
            np.testing.assert_array_equal(x[i::7, 3].numpy(), a[i::7, 3])
            np.testing.assert_array_equal(xt.contiguous().numpy(), a.T)

    run_threads(work, 6)
    np.testing.assert_array_equal(x.numpy(), a)  # nobody wrote


def test_shared_leaf_accumulates_every_threads_gradient():
    # Each backward adds into the same leaf's .grad under its lock: no update may be lost.
    w = rt.zeros(8, requires_grad=True)

    def work(i):
        for _ in range(100):
            (w * 1.0).sum().backward()

    run_threads(work, 4)
    np.testing.assert_array_equal(w.grad.numpy(), np.full(8, 400.0, np.float32))


def test_set_num_threads_while_others_compute():
    a = RNG.standard_normal(1 << 20).astype(np.float32)
    x = rt.from_numpy(a)
    want = a.astype(np.float64).sum()
    before = rt.get_num_threads()
    stop = threading.Event()

    def flip():
        k = 0
        while not stop.is_set():
            rt.set_num_threads(1 + k % 2)
            k += 1

    def work(i):
        for _ in range(30):
            np.testing.assert_allclose(x.sum().item(), want, rtol=1e-6)

    flipper = threading.Thread(target=flip)
    flipper.start()
    try:
        run_threads(work, 3)
    finally:
        stop.set()
        flipper.join()
        rt.set_num_threads(before)


# ------------------------------------------------------------------------------- the GIL


@contextlib.contextmanager
def counting_thread():
    """A Python thread that counts for as long as it holds the GIL; yields a function reading the count.

    The switch interval is made huge meanwhile, so the interpreter never makes a thread that holds the GIL
    hand it over: the count can only move while the main thread waits or has released the GIL (in a kernel),
    never while it computes holding the GIL. No clock is read: what a test compares is the count just before
    and just after one call.
    """
    if not getattr(sys, "_is_gil_enabled", lambda: True)():
        pytest.skip("no GIL in this interpreter")
    count = [0]
    stop = threading.Event()

    def run():
        while not stop.is_set():
            count[0] += 1
            time.sleep(0)  # gives the GIL back at once, so a finished kernel can take it again

    old = sys.getswitchinterval()
    sys.setswitchinterval(1000.0)
    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    try:
        while count[0] == 0:  # running (the main thread's sleep lets it)
            time.sleep(0.001)
        yield lambda: count[0]
    finally:
        stop.set()
        sys.setswitchinterval(old)
        thread.join(timeout=60)  # only a guard against a hang


def counted_during(call, count):
    """How far the counting thread's count moved across `call()`."""
    before = count()
    call()
    return count() - before


HEAVY_KERNELS = {
    # each far above the size from which rtensor releases the GIL, and long enough (tens of ms or more on
    # one thread) that the waiting counter thread is certainly scheduled while it runs
    "exp": lambda: rt.rand(1 << 24).exp,
    "cumsum": lambda: (lambda x: lambda: x.cumsum(0))(rt.rand(1 << 24)),
    "matmul": lambda: (lambda m: lambda: m @ m)(rt.rand(1024, 1024)),
    "sum": lambda: (lambda x: lambda: x.sum(0))(rt.rand(4096, 4096)),
}


@pytest.mark.parametrize("kernel", sorted(HEAVY_KERNELS))
def test_gil_released_in_heavy_kernels(one_kernel_thread, kernel):
    # With one kernel thread, the kernel runs on the calling thread: a Python thread can only run
    # meanwhile if the GIL is released around it.
    call = HEAVY_KERNELS[kernel]()
    call()  # warm up: page faults of the outputs, the code
    with counting_thread() as count:
        # the harness itself: work that holds the GIL lets the count not move at all
        assert counted_during(lambda: sum(range(2_000_000)), count) == 0
        moved = [counted_during(call, count) for _ in range(3)]
    assert max(moved) > 0, f"the counter did not move during {kernel}: is the GIL held?"


# ------------------------------------------------------------------------------- fork


def _run_child_script(body, timeout=60):
    code = textwrap.dedent(body)
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=timeout)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return proc.stdout


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")
def test_fork_after_using_the_pool():
    out = _run_child_script(
        """
        import os, signal
        import rtensor as rt
        rt.set_num_threads(2)
        a = rt.ones(1 << 22)
        assert a.sum().item() == 1 << 22          # the pool's threads are running now
        m = rt.ones(256, 256)
        pid = os.fork()
        if pid == 0:
            signal.alarm(30)                       # a hang ends the child with SIGALRM
            ok = a.sum().item() == 1 << 22 and a.cumsum(0)[-1].item() == 1 << 22
            ok = ok and (m @ m)[0, 0].item() == 256.0
            os._exit(0 if ok else 3)
        _, status = os.waitpid(pid, 0)
        assert os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0, status
        assert a.sum().item() == 1 << 22           # the parent's pool still works
        print("ok")
        """
    )
    assert out.strip() == "ok"


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")
def test_multiprocessing_fork_pool():
    out = _run_child_script(
        """
        import multiprocessing as mp
        import rtensor as rt

        def work(i):
            x = rt.arange(1 << 20, dtype=rt.float64) * i
            return x.sum().item()

        if __name__ == "__main__":
            rt.set_num_threads(2)
            assert rt.ones(1 << 22).sum().item() == 1 << 22
            with mp.get_context("fork").Pool(2) as pool:
                got = pool.map(work, range(4), chunksize=1)
            n = 1 << 20
            assert got == [i * n * (n - 1) / 2 for i in range(4)], got
            print("ok")
        """
    )
    assert out.strip() == "ok"


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")
def test_set_num_threads_first_thing_in_a_forked_child():
    # A worker often sets its thread count right after the fork: the inherited pool must be
    # abandoned, not dropped (its threads do not exist in the child).
    out = _run_child_script(
        """
        import os, signal
        import rtensor as rt
        rt.set_num_threads(2)
        a = rt.ones(1 << 22)
        assert a.sum().item() == 1 << 22
        pid = os.fork()
        if pid == 0:
            signal.alarm(30)
            rt.set_num_threads(1)
            ok = a.sum().item() == 1 << 22
            rt.set_num_threads(2)
            ok = ok and a.cumsum(0)[-1].item() == 1 << 22 and rt.get_num_threads() == 2
            os._exit(0 if ok else 3)
        _, status = os.waitpid(pid, 0)
        assert os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0, status
        print("ok")
        """
    )
    assert out.strip() == "ok"
