"""Problems in 360Giving data, located by grant id as well as by field or column."""

from __future__ import annotations

from typing import Any

from sgfund.errors import Problem

__all__ = ["GrantProblem"]


class GrantProblem(Problem):
    """A `Problem` that also names the grant it is about.

    ``field`` is a JSON path such as ``$.grants[3].amountAwarded`` (JSON) or the column title
    (CSV, where ``column`` and ``row`` are set too).
    """

    __slots__ = ("grant_id",)

    def __init__(self, message: str, *, grant_id: str | None = None, **where: Any) -> None:
        super().__init__(message, **where)
        self.grant_id = grant_id

    def where(self) -> str:
        """Say where: file, grant id, row, column, field."""
        parts = []
        if self.file is not None:
            parts.append(self.file)
        if self.grant_id is not None:
            parts.append(f"grant {self.grant_id!r}")
        rest = Problem(self.message, row=self.row, column=self.column, field=self.field).where()
        if rest:
            parts.append(rest)
        return ", ".join(parts)

    def as_dict(self) -> dict[str, Any]:
        """Plain data, with ``grant_id``."""
        return {**super().as_dict(), "grant_id": self.grant_id}
