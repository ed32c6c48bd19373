"""Run the same start-up from several threads at one moment, as processes booting together do."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any


def start_together(
    open_: Callable[[], Any], start: Callable[[Any], None], close: Callable[[Any], None], copies: int = 4
) -> list[BaseException]:
    """Open ``copies`` resources, then ``start`` each in its own thread at the same moment; return what they raised."""
    errors: list[BaseException] = []
    barrier = threading.Barrier(copies)

    def run() -> None:
        resource = open_()
        try:
            barrier.wait()
            start(resource)
        except BaseException as error:
            errors.append(error)
        finally:
            close(resource)

    threads = [threading.Thread(target=run) for _ in range(copies)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors
