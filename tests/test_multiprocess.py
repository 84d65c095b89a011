# Tensors passing between processes: multiprocessing's Queue and Pool.map and concurrent.futures'
# ProcessPoolExecutor, under each start method (fork, spawn, forkserver: the pool of compute threads of the
# parent does not stop a forked child from computing), and Dask's distributed LocalCluster when installed.
#
# The workers are module-level functions: spawn and forkserver children import this module to find them.
import concurrent.futures
import multiprocessing
import sys

import pytest

import rtensor as rt

# Python 3.12+ warns that fork() in a process with threads may deadlock; the fork cases show it does not here.
pytestmark = pytest.mark.filterwarnings("ignore:This process .* is multi-threaded:DeprecationWarning")

METHODS = [m for m in ("fork", "spawn", "forkserver") if m in multiprocessing.get_all_start_methods()]


def work(t):
    """What a worker does with a tensor: a few ops (threaded ones included), results as tensors."""
    return t.sum(), t @ t.t(), t.t()[1:]


def echo(q_in, q_out):
    while True:
        t = q_in.get()
        if t is None:
            return
        q_out.put((t * 2, t.dtype, t.stride(), t.requires_grad))


def inputs():
    rt.manual_seed(0)
    return [rt.randn(64, 48), rt.randn(3, 5).t(), rt.arange(12.0).reshape(3, 4)[1:]]


def check(results, ts):
    for (s, g, v), t in zip(results, ts):
        assert rt.allclose(s, t.sum()) and rt.allclose(g, t @ t.t())
        assert rt.equal(v, t.t()[1:]) and v.stride() == t.t()[1:].stride()


@pytest.fixture(autouse=True)
def _threads_running():
    # The parent's compute threads are running when the children start (the case fork can get wrong).
    a = rt.randn(256, 256)
    (a @ a).sum()


@pytest.mark.parametrize("method", METHODS)
def test_pool_map(method):
    ts = inputs()
    with multiprocessing.get_context(method).Pool(2) as pool:
        check(pool.map(work, ts), ts)


@pytest.mark.parametrize("method", METHODS)
def test_process_pool_executor(method):
    ts = inputs()
    ctx = multiprocessing.get_context(method)
    with concurrent.futures.ProcessPoolExecutor(max_workers=2, mp_context=ctx) as ex:
        check(list(ex.map(work, ts, timeout=120)), ts)


@pytest.mark.parametrize("method", METHODS)
def test_queue_round_trip(method):
    ctx = multiprocessing.get_context(method)
    q_in, q_out = ctx.Queue(), ctx.Queue()
    proc = ctx.Process(target=echo, args=(q_in, q_out))
    proc.start()
    try:
        x = rt.tensor([1.0, 2.0, 3.0], requires_grad=True)
        sent = [rt.arange(6, dtype=rt.int16).reshape(2, 3).t(), rt.ones(2, dtype=rt.bfloat16), x,
                rt.tensor([True, False])]
        for t in sent:
            q_in.put(t)
            doubled, dtype, stride, requires_grad = q_out.get(timeout=120)
            assert dtype == t.dtype and stride == t.stride() and requires_grad == t.requires_grad
            assert rt.equal(doubled.detach(), (t * 2).detach())
            assert doubled.requires_grad == t.requires_grad  # the worker's result of a leaf that requires grad
    finally:
        q_in.put(None)
        proc.join(120)
    assert proc.exitcode == 0


@pytest.mark.slow
def test_dask_local_cluster_maps_over_tensors():
    # Marked slow (a cluster of two worker processes takes seconds to start): run with `make test-slow`.
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=2, processes=True, threads_per_worker=1, dashboard_address=None,
                                  silence_logs=40) as cluster, distributed.Client(cluster) as client:
        ts = [rt.arange(float(n * 6)).reshape(n, 6) for n in range(1, 9)]

        def scaled_rows(t):  # pickled by value (cloudpickle): the workers need only rtensor
            import rtensor

            return (t * 2).sum(1), isinstance(t, rtensor.Tensor)

        results = client.gather(client.map(scaled_rows, ts), errors="raise")
        for (rows, ok), t in zip(results, ts):
            assert ok and isinstance(rows, rt.Tensor) and rt.equal(rows, (t * 2).sum(1))
        # A tensor scattered to the workers once and used by several tasks.
        [big] = client.scatter([rt.randn(100, 100)], broadcast=True)
        sums = client.gather([client.submit(lambda t, k: (t * k).sum(), big, k) for k in range(3)])
        assert rt.allclose(sums[2], 2 * big.result().sum())


if __name__ == "__main__":
    sys.exit(pytest.main([__file__, "-q"]))
