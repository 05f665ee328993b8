"""Fast JSON text for 360Giving packages with msgspec, byte for byte what `dumps_package` writes.

msgspec is optional (extra ``threesixtygiving``). It writes a ``Decimal`` as the number it is,
so money never passes through a float. It is used only for packages made of plain JSON values
(text, whole numbers, finite decimals, booleans, null, lists and objects with text keys);
anything else is left to the careful encoder, which says what it cannot write.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from functools import cache
from typing import Any

__all__ = ["fast_dumps"]

_LEAVES = frozenset({str, int, bool, type(None)})


def _plain(value: Any) -> bool:
    stack = [value]
    while stack:
        item = stack.pop()
        kind = type(item)
        if kind in _LEAVES:
            continue
        if kind is dict:
            if not all(type(k) is str for k in item):
                return False
            stack.extend(item.values())
        elif kind is list or kind is tuple:
            stack.extend(item)
        elif kind is Decimal:
            if not item.is_finite():
                return False
        else:
            return False
    return True


@cache
def _encoder() -> Any:
    try:
        import msgspec
    except ImportError:
        return None
    return msgspec.json.Encoder(decimal_format="number")


def fast_dumps(package: Mapping[str, Any]) -> str | None:
    """The package as indented JSON text, or None when msgspec is missing or cannot be used."""
    encoder = _encoder()
    body = dict(package)
    if encoder is None or not _plain(body):
        return None
    import msgspec

    try:
        raw: bytes = msgspec.json.format(encoder.encode(body), indent=2)
    except (TypeError, ValueError, OverflowError):  # e.g. a lone surrogate in some text
        return None
    return raw.decode("utf-8") + "\n"
