"""Work started in a thread of its own, beside the build."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Generic, TypeVar

T = TypeVar("T")


class Started(Generic[T]):
    """`work(*args, **kwargs)` running in a thread that ends when the work is done."""

    def __init__(self, work: Callable[..., T], *args: Any, **kwargs: Any) -> None:
        self._pool = ThreadPoolExecutor(max_workers=1)
        self._future = self._pool.submit(work, *args, **kwargs)
        self._pool.shutdown(wait=False)

    def result(self) -> T:
        """What the work returned (or its exception, raised here); the thread has ended
        when this returns, so a fork may follow."""
        try:
            return self._future.result()
        finally:
            self._pool.shutdown(wait=True)  # joins it
