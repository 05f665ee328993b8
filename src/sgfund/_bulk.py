"""Building many long-lived objects at once: pause the cyclic garbage collector meanwhile.

A round's applications, decisions, findings and theme matches are millions of small objects
that live until the round is closed. While they are being made, each of the collector's full
passes walks every one of them, so the time per application grows with the size of the
round. They hold no reference cycles (frozen models), so the collector would find nothing
to free in them; it is switched back on (if it was on) when the block ends, whatever
happens, and any cyclic garbage made meanwhile is collected then as usual. Reference
counting frees everything else as ever.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["collector_paused"]


@contextmanager
def collector_paused() -> Iterator[None]:
    """Run the block with automatic garbage collection off; restore it afterwards."""
    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_on:
            gc.enable()
