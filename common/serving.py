"""What every gunicorn worker of the project does once its app is built (``post_worker_init``).

``deploy/gunicorn.conf.py`` (the broker) calls it; the sandbox and the example host app take it as their gunicorn
configuration (``-c python:common.serving``).
"""

from __future__ import annotations

import gc
from typing import Any


def post_worker_init(worker: Any) -> None:
    """Move everything the app built at start (modules, routes, schemas, pools: some 100,000 to 170,000 objects)
    out of the garbage collector's sight. A full collection then walks only what requests made since: without it, one
    took 55 to 70 ms of a worker's time in the middle of a load run (every thread of the worker stopped meanwhile),
    and a broker read waiting on the sandbox stopped with it. Frozen objects are still freed by reference counting;
    only cycles among them would stay, and they live as long as the worker anyway."""
    gc.freeze()
