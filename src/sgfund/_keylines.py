"""Where each key of a TOML or JSON document is written: a light scan of the text.

`tomllib` and `json` give values but no line numbers. The files sgfund reads this way (fund
files, demo plans, mapping files) are small and hand-written, so one pass over the text finds
the line of any key well enough to point an officer at it. The fund file (above the readers
of `sgfund.io`) and the mapping files (in it) both use this module, so it sits below both.
"""

from __future__ import annotations

import json
import re

__all__ = ["JsonKeyLines", "KeyLines", "Path", "key_lines"]

Path = tuple[str | int, ...]

_ARRAY_TABLE = re.compile(r"\A\[\[\s*(?P<name>[^\[\]]+?)\s*\]\]")
_TABLE = re.compile(r"\A\[\s*(?P<name>[^\[\]]+?)\s*\]")
_BARE = r"[A-Za-z0-9_-]+"
_QUOTED = r'"(?:[^"\\]|\\.)*"|\'[^\']*\''
_KEY = re.compile(rf"\A(?P<key>(?:{_BARE}|{_QUOTED})(?:\s*\.\s*(?:{_BARE}|{_QUOTED}))*)\s*=")
_PART = re.compile(rf"{_BARE}|{_QUOTED}")


def _parts(dotted: str) -> tuple[str, ...]:
    return tuple(p.strip("\"'") for p in _PART.findall(dotted))


class _Lines:
    """Line numbers by key path, and the lookups both kinds of document share.

    A path is the keys and array indexes leading to a value, as the parsed document has
    them: ``("rounds", 2, "max_grant")``.
    """

    _lines: dict[Path, int]

    def line(self, path: Path) -> int | None:
        """The line of ``path``, or of its longest prefix that was found (None if none)."""
        for end in range(len(path), 0, -1):
            found = self._lines.get(path[:end])
            if found is not None:
                return found
        return None

    def first_deeper(self, parts: int) -> int | None:
        """The first line of a key whose path has more than ``parts`` parts (None if none)."""
        lines = [n for path, n in self._lines.items() if len(path) > parts]
        return min(lines, default=None)


class KeyLines(_Lines):
    """Line numbers of the tables and keys of one TOML text, by key path.

    One pass over its lines follows table headers (``[fund]``, ``[[rounds]]``,
    ``[eras.publisher]``) and ``key = value`` lines; lines inside multi-line strings are
    skipped. `line` gives the line of the longest known prefix of a path, so a problem with a
    value inside a list (or an inline table) points at the list's key.
    """

    def __init__(self, text: str) -> None:
        self._lines = {}
        arrays: dict[tuple[str, ...], int] = {}
        current: Path = ()
        in_string: str | None = None
        # Line breaks as TOML counts them (\n): not the other breaks str.splitlines knows.
        for number, raw in enumerate(text.split("\n"), start=1):
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


# The pieces of JSON that say where keys and items are: a string, a number or literal, a
# bracket, a comma or a line break (colons and spaces are passed over).
_JSON_PIECE = re.compile(r'"(?:[^"\\\n]|\\.)*"|-?[0-9][0-9.eE+-]*|true|false|null|[{}\[\],]|\n')


class JsonKeyLines(_Lines):
    """Line numbers of the keys (and list items) of one JSON text, by key path.

    One pass over the tokens that shape the document, keeping a stack of the objects and
    lists it is inside; numbers and literals are passed over. Meant for text `json` parsed.
    """

    def __init__(self, text: str) -> None:
        self._lines = {}
        # Each frame: the path of the container, whether it is a list, the key or index
        # of the value being read, and (in an object) whether the next string is a key.
        stack: list[tuple[Path, bool, str | int | None, bool]] = []
        number = 1
        for piece in _JSON_PIECE.findall(text):
            if piece == "\n":
                number += 1
                continue
            if piece in "{[":
                path: Path = () if not stack else (*stack[-1][0], *_at(stack[-1]))
                stack.append((path, piece == "[", 0 if piece == "[" else None, piece == "{"))
            elif piece in "}]":
                if stack:
                    stack.pop()
            elif piece == ",":
                if stack:
                    where, is_list, at, _ = stack[-1]
                    following = at + 1 if is_list and isinstance(at, int) else None
                    stack[-1] = (where, is_list, following, not is_list)
            elif stack:
                where, is_list, at, expects_key = stack[-1]
                if expects_key and piece.startswith('"'):
                    key = json.loads(piece)
                    self._lines.setdefault((*where, key), number)
                    stack[-1] = (where, is_list, key, False)
                elif is_list and isinstance(at, int):
                    self._lines.setdefault((*where, at), number)


def _at(frame: tuple[Path, bool, str | int | None, bool]) -> Path:
    return () if frame[2] is None else (frame[2],)


def key_lines(text: str, *, json_text: bool = False) -> KeyLines | JsonKeyLines:
    """The key lines of a TOML text (or of a JSON text, with ``json_text``)."""
    return JsonKeyLines(text) if json_text else KeyLines(text)
