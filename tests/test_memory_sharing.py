"""Memory that rtensor shares with numpy and DLPack: alive while either side holds it, freed when
both are gone, and no growth over many round trips. (Autograd's 100,000-step leak run lives in
test_autograd.py.)"""
import gc
import weakref

import numpy as np
import pytest

import rtensor as rt

BIG = 1 << 24  # 64 MB of float32: a leak or an early free of one buffer is plain in RSS


def rss_bytes():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * 4096


@pytest.fixture
def no_gc():
    """Cycles would otherwise hide leaks (or frees) until a collection."""
    gc.collect()
    enabled = gc.isenabled()
    gc.disable()
    yield
    if enabled:
        gc.enable()


def round_trips(n):
    for i in range(n):
        t = rt.arange(64, dtype=rt.float32) + i
        a = t.numpy()                      # shares t's storage
        b = np.asarray(t)                  # the array interface
        c = np.from_dlpack(t)              # DLPack out
        u = rt.from_numpy(a)               # back in, sharing again
        v = rt.from_dlpack(np.arange(16.0) * i)
        w = rt.from_dlpack(c)
        assert u[3].item() == 3 + i and w[1].item() == 1 + i and v[2].item() == 2 * i
        assert b[5] == 5 + i


def test_round_trips_keep_memory_flat(no_gc):
    round_trips(1000)  # warm up allocators
    before = rss_bytes()
    round_trips(10_000)
    grew = rss_bytes() - before
    assert grew < 2_000_000, f"RSS grew by {grew / 1e6:.2f} MB over 10,000 numpy/DLPack round trips"


@pytest.mark.slow
def test_round_trips_keep_memory_flat_100k(no_gc):
    round_trips(1000)
    before = rss_bytes()
    round_trips(100_000)
    grew = rss_bytes() - before
    assert grew < 4_000_000, f"RSS grew by {grew / 1e6:.2f} MB over 100,000 round trips"


def test_rtensor_storage_outlives_the_tensor_in_numpy(no_gc):
    before = rss_bytes()
    t = rt.full((BIG,), 3.0)
    a = t.numpy()
    del t
    assert a[0] == 3.0 and a[-1] == 3.0  # still valid: numpy holds the storage
    a[7] = 5.0
    assert rss_bytes() - before > BIG * 3  # 64 MB still resident
    del a
    assert rss_bytes() - before < BIG  # both gone: freed


def test_numpy_buffer_outlives_the_array_in_rtensor(no_gc):
    a = np.full(BIG, 2.0, np.float32)
    alive = weakref.ref(a)
    t = rt.from_numpy(a)
    del a
    assert alive() is not None  # the tensor keeps numpy's array alive
    assert t[0].item() == 2.0 and t.sum().item() == 2.0 * BIG
    view = t[10:20]
    del t
    assert alive() is not None  # a view is enough
    assert view[0].item() == 2.0
    del view
    assert alive() is None  # both gone: freed


def test_dlpack_export_keeps_storage_alive(no_gc):
    before = rss_bytes()
    t = rt.full((BIG,), 1.5)
    a = np.from_dlpack(t)
    del t
    assert a[-1] == 1.5
    del a
    assert rss_bytes() - before < BIG


def test_dlpack_import_keeps_producer_alive(no_gc):
    a = np.full(BIG, 4.0, np.float32)
    alive = weakref.ref(a)
    t = rt.from_dlpack(a)
    del a
    assert alive() is not None and t[5].item() == 4.0
    del t
    assert alive() is None


def test_writes_are_seen_on_both_sides():
    a = np.zeros(8, np.float32)
    t = rt.from_numpy(a)
    t[2] = 7.0
    a[3] = 9.0
    assert a[2] == 7.0 and t[3].item() == 9.0
    n = t.numpy()
    n[4] = 1.0
    assert a[4] == 1.0 and t[4].item() == 1.0


def test_big_temporaries_are_returned(no_gc):
    x = rt.ones(BIG)
    before = rss_bytes()
    for _ in range(20):
        y = (x * 2 + 1).cumsum(0)  # 20 x (3 x 64 MB) of temporaries
        del y
    grew = rss_bytes() - before
    assert grew < BIG, f"RSS grew by {grew / 1e6:.1f} MB"


def test_buffers_just_over_a_huge_page_take_about_their_size(no_gc):
    # Huge pages cover a buffer's whole huge pages only: a last, partial one would fault in 2 MiB
    # for its last few bytes.
    nbytes = (2 << 20) + 4096
    before = rss_bytes()
    kept = [rt.full((nbytes // 4,), 1.0) for _ in range(40)]
    grew = rss_bytes() - before
    assert grew < 1.3 * 40 * nbytes, f"40 buffers of {nbytes} bytes took {grew / 1e6:.0f} MB"
    del kept
