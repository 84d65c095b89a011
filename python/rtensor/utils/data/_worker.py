"""DataLoader worker processes: the worker loop, ``get_worker_info`` and exception transport."""

import os
import queue
import random
import sys
import traceback

from ... import _rtensor
from ...random import manual_seed

__all__ = ["WorkerInfo", "get_worker_info"]

_worker_info = None


class WorkerInfo:
    """What a DataLoader worker process knows about itself: ``id``, ``num_workers``, ``seed`` and its
    copy of the ``dataset``. Read-only after creation."""

    __initialized = False

    def __init__(self, **kwargs):
        for k, v in kwargs.items():
            setattr(self, k, v)
        self.__keys = tuple(kwargs.keys())
        self.__initialized = True

    def __setattr__(self, key, val):
        if self.__initialized:
            raise RuntimeError(f"Cannot assign attributes to {self.__class__.__name__} objects")
        return super().__setattr__(key, val)

    def __repr__(self):
        items = [f"{k}={getattr(self, k)}" for k in self.__keys]
        return f"{self.__class__.__name__}({', '.join(items)})"


def get_worker_info():
    """The ``WorkerInfo`` of the current DataLoader worker process, or None in the main process."""
    return _worker_info


class ExceptionWrapper:
    """An exception raised in a worker, carried to the main process with its formatted traceback."""

    def __init__(self, exc_info, where):
        self.exc_type = exc_info[0]
        self.exc_msg = "".join(traceback.format_exception(*exc_info))
        self.where = where

    def reraise(self):
        """Raises the exception again in the main process (its type, the worker's traceback in the
        message), as torch."""
        msg = f"Caught {self.exc_type.__name__} {self.where}.\nOriginal {self.exc_msg}"
        try:
            exception = self.exc_type(msg)
        except Exception:
            raise RuntimeError(msg) from None
        raise exception


class IterableDatasetStopIteration:
    """Sent by a worker whose iterable dataset is exhausted."""

    def __init__(self, worker_id):
        self.worker_id = worker_id


class Fetcher:
    """Gets one batch (or one sample without automatic batching) from a dataset."""

    def __init__(self, dataset, iterable, auto_collation, collate_fn, drop_last):
        self.dataset = dataset
        self.iterable = iterable
        self.auto_collation = auto_collation
        self.collate_fn = collate_fn
        self.drop_last = drop_last
        self.dataset_iter = iter(dataset) if iterable else None
        self.ended = False

    def fetch(self, index):
        """The collated batch for ``index`` (a list of indices, a single index, or for iterable
        datasets the batch size); raises StopIteration when an iterable dataset is exhausted."""
        if self.iterable:
            if self.ended:
                raise StopIteration
            if self.auto_collation:
                data = []
                for _ in range(index):
                    try:
                        data.append(next(self.dataset_iter))
                    except StopIteration:
                        self.ended = True
                        break
                if len(data) == 0 or (self.drop_last and len(data) < index):
                    raise StopIteration
            else:
                data = next(self.dataset_iter)
        elif self.auto_collation:
            getitems = getattr(self.dataset, "__getitems__", None)
            data = getitems(index) if callable(getitems) else [self.dataset[i] for i in index]
        else:
            data = self.dataset[index]
        return self.collate_fn(data)


def worker_loop(dataset, iterable, index_queue, data_queue, auto_collation, collate_fn, drop_last, base_seed,
                init_fn, worker_id, num_workers):
    """The body of a worker process: seeds its generators (``base_seed + worker_id``), runs
    ``init_fn``, then serves ``(task index, batch indices)`` requests until it receives None."""
    global _worker_info
    parent = os.getppid()
    try:
        _rtensor.set_num_threads(1)
        seed = base_seed + worker_id
        random.seed(seed)
        manual_seed(seed)
        if "numpy" in sys.modules:
            sys.modules["numpy"].random.seed(seed % 2**32)
        _worker_info = WorkerInfo(id=worker_id, num_workers=num_workers, seed=seed, dataset=dataset)
        init_error = None
        try:
            if init_fn is not None:
                init_fn(worker_id)
            fetcher = Fetcher(dataset, iterable, auto_collation, collate_fn, drop_last)
        except Exception:
            init_error = ExceptionWrapper(sys.exc_info(), f"in DataLoader worker process {worker_id}")
        while True:
            try:
                r = index_queue.get(timeout=5.0)
            except queue.Empty:
                if os.getppid() != parent:  # the main process died: do not linger as an orphan
                    break
                continue
            if r is None:
                break
            idx, index = r
            if init_error is not None:
                data, init_error = init_error, None
                data_queue.put((idx, data))
                continue
            try:
                data = fetcher.fetch(index)
            except StopIteration:
                data = IterableDatasetStopIteration(worker_id) if iterable else ExceptionWrapper(
                    sys.exc_info(), f"in DataLoader worker process {worker_id}")
            except Exception:
                data = ExceptionWrapper(sys.exc_info(), f"in DataLoader worker process {worker_id}")
            data_queue.put((idx, data))
    except KeyboardInterrupt:
        pass
    # Closing (without cancel_join_thread) makes the process flush what it put before it exits: a
    # batch sent just before the shutdown request must still reach the main process.
    data_queue.close()
