"""Where each key of a TOML document is written: a light scan of the text.

`tomllib` gives values but no line numbers. A fund file is small and hand-written, so one
pass over its lines, following table headers (``[fund]``, ``[[rounds]]``,
``[eras.publisher]``) and ``key = value`` lines, finds the line of any key well enough to
point an officer at it. Lines inside multi-line strings are skipped.
"""

from __future__ import annotations

import re

__all__ = ["KeyLines", "Path"]

Path = tuple[str | int, ...]

_ARRAY_TABLE = re.compile(r"\A\[\[\s*(?P<name>[^\[\]]+?)\s*\]\]")
_TABLE = re.compile(r"\A\[\s*(?P<name>[^\[\]]+?)\s*\]")
_BARE = r"[A-Za-z0-9_-]+"
_QUOTED = r'"(?:[^"\\]|\\.)*"|\'[^\']*\''
_KEY = re.compile(rf"\A(?P<key>(?:{_BARE}|{_QUOTED})(?:\s*\.\s*(?:{_BARE}|{_QUOTED}))*)\s*=")
_PART = re.compile(rf"{_BARE}|{_QUOTED}")


def _parts(dotted: str) -> tuple[str, ...]:
    return tuple(p.strip("\"'") for p in _PART.findall(dotted))


class KeyLines:
    """Line numbers of the tables and keys of one TOML text, by key path.

    A path is the keys and array indexes leading to a value, as the parsed document has
    them: ``("rounds", 2, "max_grant")``. `line` gives the line of the longest known prefix
    of a path, so a problem with a value inside a list points at the list's key.
    """

    def __init__(self, text: str) -> None:
        self._lines: dict[Path, int] = {}
        arrays: dict[tuple[str, ...], int] = {}
        current: Path = ()
        in_string: str | None = None
        for number, raw in enumerate(text.splitlines(), start=1):
            line = raw.strip()
            if in_string is not None:
                if line.count(in_string) % 2 == 1:
                    in_string = None
                continue
            if not line or line.startswith("#"):
                continue
            array = _ARRAY_TABLE.match(line)
            found = array or _TABLE.match(line)
            if found is not None:
                names = _parts(found["name"])
                current = self._resolve(names, arrays)
                if array:
                    index = arrays.get(names, -1) + 1
                    arrays[names] = index
                    current = (*current, index)
                self._lines.setdefault(current, number)
                continue
            key = _KEY.match(line)
            if key is not None:
                self._lines.setdefault((*current, *_parts(key["key"])), number)
                rest = line[key.end() :]
                for quotes in ('"""', "'''"):
                    if rest.count(quotes) % 2 == 1:
                        in_string = quotes

    @staticmethod
    def _resolve(names: tuple[str, ...], arrays: dict[tuple[str, ...], int]) -> Path:
        """``eras.publisher`` after ``[[eras]]`` is the publisher of the latest era."""
        path: list[str | int] = []
        for i, name in enumerate(names):
            path.append(name)
            prefix = names[: i + 1]
            if prefix in arrays and i + 1 < len(names):
                path.append(arrays[prefix])
        return tuple(path)

    def line(self, path: Path) -> int | None:
        """The line of ``path``, or of its longest prefix that was found (None if none)."""
        for end in range(len(path), 0, -1):
            found = self._lines.get(path[:end])
            if found is not None:
                return found
        return None
