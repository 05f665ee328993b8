"""A fund file in the ledger: applied once, audited, and re-applied with what changed.

`apply_fund_file` adds the fund, its eras and rounds (each through the ledger's own API, so
each is an audited event) and records the file's text in a ``fund_file.applied`` event, so
the publishers, scopes and declared figures in force at any time are in the audit trail.
Applying an edited file adds new rounds, amends the terms of rounds still draft or open
(`Ledger.amend_round`: one audited ``round.amended`` event each, keeping the old terms) and
records the new text; `diff_fund_file` says what would change without writing anything.

A round whose applications are being judged (closed to applications, assessed, decided) or
closed keeps its terms, and no round's fund or era ever changes; nor does an era in use or the
fund's name. A change to any of them is refused, naming the round and why (with who closed it
and when, in London time, if it is closed), the field and the line of the file; so are a round
missing from the file and a change to the declared figures of a closed round, which its
closure was reconciled against. Nothing is written when anything is refused.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from attrs import frozen

from sgfund._keylines import KeyLines
from sgfund._keylines import Path as KeyPath
from sgfund.convert import unstructure
from sgfund.dates import london_text
from sgfund.errors import LedgerError, Problem
from sgfund.fundfile.load import FundFile, FundFileError, loads_fund_file
from sgfund.funds import Round
from sgfund.ledger import Ledger
from sgfund.ledger.schema import AMENDABLE
from sgfund.lifecycle import RoundState

__all__ = [
    "Change",
    "FundFileChanges",
    "FundFileRefused",
    "apply_fund_file",
    "diff_fund_file",
    "plugins_text",
    "stored_fund_file",
]


@frozen(kw_only=True)
class Change:
    """One field that differs: ``what`` (fund, era, round, publisher, scope, declared) and
    ``id``, the ``field``, its ``old`` and ``new`` values as text, and the file's ``line``.
    """  # noqa: D205 - the summary needs both lines

    what: str
    id: str
    field: str
    old: str | None
    new: str | None
    line: int | None = None

    def __str__(self) -> str:
        return f"{self.what} {self.id}: {self.field} {self.old} -> {self.new}"


def _tuple(values: Iterable[Any]) -> tuple[Any, ...]:
    return tuple(values)


@frozen(kw_only=True)
class FundFileChanges:
    """What applying a fund file does (or did) to a ledger.

    ``added`` names what is new (``"round mayor-gr3"``), ``changed`` lists every field that
    differs from the fund file in force (publishers, scopes, declared figures) or from a draft
    or open round's stored terms (``what="round"``, amended when applied), ``unchanged``
    names rounds the file leaves as they are, and
    ``refused`` the problems that stop the file being applied (each ``path:line: message``).
    ``text_changed``: the file's text differs from the one in force (comments included).
    """

    fund_id: str
    added: tuple[str, ...] = ()
    changed: tuple[Change, ...] = ()
    unchanged: tuple[str, ...] = ()
    refused: tuple[Problem, ...] = ()
    text_changed: bool = True

    @property
    def empty(self) -> bool:
        """Nothing to write: the same file is already in force."""
        return not (self.added or self.changed or self.refused or self.text_changed)

    def as_dict(self) -> dict[str, Any]:
        """Plain data (for the ledger event's detail and JSON reports)."""
        return {
            "fund_id": self.fund_id,
            "added": list(self.added),
            "changed": [unstructure(c) for c in self.changed],
            "unchanged": list(self.unchanged),
            "refused": [p.as_dict() for p in self.refused],
            "text_changed": self.text_changed,
        }

    def __str__(self) -> str:
        if self.empty:
            return f"fund {self.fund_id}: the fund file in force is the same; nothing to apply"
        lines = [f"fund {self.fund_id}:"]
        lines += [f"  + {a}" for a in self.added]
        lines += [f"  ~ {c}" for c in self.changed]
        lines += [f"  = {u}" for u in self.unchanged]
        lines += [f"  ! {p.file}:{p.row}: {p.message}" for p in self.refused]
        if self.text_changed and not (self.added or self.changed):
            lines.append("  ~ the file's text (comments or layout) only")
        return "\n".join(lines)


class FundFileRefused(FundFileError):
    """Applying the fund file was refused; nothing was written. ``changes`` says why."""

    def __init__(self, changes: FundFileChanges, *, file: str) -> None:
        self.changes = changes
        super().__init__(changes.refused, file=file)


def stored_fund_file(ledger: Ledger, fund_id: str) -> FundFile | None:
    """The fund file in force for a fund (the last applied), or None if none was applied."""
    events = ledger.fund_files(fund_id)
    if not events:
        return None
    detail = events[-1].detail
    return loads_fund_file(str(detail["source"]), path=str(detail.get("path", "<fund file>")))


def plugins_text(plugins: tuple[str, ...] | None) -> str:
    """A fund file's plugin set for people: the names, or what leaving them out means."""
    if plugins is None:
        return "every installed plugin (the fund file names none)"
    if not plugins:
        return "sgfund's built-ins only"
    return ", ".join(plugins)


def _text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value)
    return str(value)


# A round's times, kept as ISO text in the comparison, are shown to people in London time.
_ROUND_TIMES = frozenset({"opens_at", "closes_at"})


def _shown(name: str, value: object) -> str:
    if name in _ROUND_TIMES and isinstance(value, str):
        return london_text(datetime.fromisoformat(value))
    return repr(_text(value))


def _value(name: str, value: object) -> str | None:
    """A round's term as text for a `Change` (times in London time)."""
    if name in _ROUND_TIMES and isinstance(value, str):
        return london_text(datetime.fromisoformat(value))
    return _text(value)


# What identifies a round: never amended, whatever its state.
_ROUND_IDENTITY = frozenset({"id", "fund_id", "era"})


def _fields(old: Mapping[str, Any] | None, new: Mapping[str, Any]) -> list[tuple[str, Any, Any]]:
    if old is None:
        return []
    return [
        (key, old.get(key), new.get(key))
        for key in sorted(set(old) | set(new))
        if old.get(key) != new.get(key)
    ]


def _round_data(rnd: Round) -> dict[str, Any]:
    data: dict[str, Any] = unstructure(rnd)
    data["era"] = rnd.era.id
    return data


class _Diff:
    def __init__(self, ledger: Ledger, ff: FundFile) -> None:
        self.ledger = ledger
        self.ff = ff
        self.lines = KeyLines(ff.source)
        self.previous = stored_fund_file(ledger, ff.fund.id)
        self.states = ledger.rounds()
        self.added: list[str] = []
        self.changed: list[Change] = []
        self.unchanged: list[str] = []
        self.refused: list[Problem] = []
        self.amended: set[str] = set()

    def refuse(self, path: KeyPath, message: str, *, value: object = None) -> None:
        self.refused.append(
            Problem(message, file=self.ff.path, row=self.lines.line(path), value=value)
        )

    def fund(self) -> bool:
        """Whether the fund is already in the ledger; a changed name is refused."""
        try:
            self.ledger.fund_policy(self.ff.fund.id)
        except LedgerError:
            self.added.append(f"fund {self.ff.fund.id}")
            return False
        if self.previous is not None and self.previous.fund.name != self.ff.fund.name:
            self.refuse(
                ("fund", "name"),
                f"fund {self.ff.fund.id!r} is in the ledger as {self.previous.fund.name!r}: "
                "its name cannot change",
                value=self.ff.fund.name,
            )
        return True

    def rounds(self) -> None:
        stored = {rid: self.ledger.round(rid) for rid in self.states}
        eras = {r.era.id: r.era for r in stored.values()}
        known = set() if self.previous is None else {e.id for e in self.previous.eras}
        for index, era in enumerate(self.ff.eras):
            stored_era = eras.get(era.id)
            if stored_era is not None and stored_era != era:
                self._era_refused(index, era.id, unstructure(stored_era), unstructure(era))
            elif stored_era is None and era.id not in known:
                self.added.append(f"era {era.id}")
        for index, rnd in enumerate(self.ff.rounds):
            path: KeyPath = ("rounds", index)
            old = stored.get(rnd.id)
            if old is None:
                self.added.append(f"round {rnd.id}")
                continue
            diffs = _fields(_round_data(old), _round_data(rnd))
            if not diffs:
                self.unchanged.append(f"round {rnd.id}")
            amendable = self.states[rnd.id] in AMENDABLE
            for name, before, after in diffs:
                if amendable and name not in _ROUND_IDENTITY:
                    self.amended.add(rnd.id)
                    self.changed.append(
                        Change(
                            what="round",
                            id=rnd.id,
                            field=name,
                            old=_value(name, before),
                            new=_value(name, after),
                            line=self.lines.line((*path, name)),
                        )
                    )
                else:
                    self._round_refused(path, rnd.id, name, before, after)
        in_file = {r.id for r in self.ff.rounds}
        for rid in sorted(set(stored) - in_file):
            if stored[rid].fund_id == self.ff.fund.id:
                self.refuse(
                    ("rounds", 0),
                    f"round {rid!r} is in the ledger ({self.states[rid]}) but not in the fund "
                    "file: rounds are never removed; keep its [[rounds]] table",
                    value=rid,
                )

    def _era_refused(
        self, index: int, era_id: str, stored: Mapping[str, Any], new: Mapping[str, Any]
    ) -> None:
        for name, before, after in _fields(stored, new):
            self.refuse(
                ("eras", index, name),
                f"era {era_id!r} is in the ledger with its rounds: its {name} cannot "
                f"change from {_text(before)!r} to {_text(after)!r}",
                value=after,
            )

    def _round_refused(
        self, path: KeyPath, round_id: str, name: str, before: object, after: object
    ) -> None:
        state = self.states[round_id]
        key = "era" if name == "era" else name
        what = f"its {name} cannot change from {_shown(name, before)} to {_shown(name, after)}"
        if state is RoundState.CLOSED:
            closure = self.ledger.closure(round_id)
            when = (
                f" at {london_text(closure.closed_at)} by {closure.closed_by}"
                if closure is not None
                else ""
            )
            message = f"round {round_id!r} is closed{when}: {what}"
        elif name in _ROUND_IDENTITY:
            message = (
                f"round {round_id!r} is in the ledger ({state}) and its {name} never changes: "
                f"{what}"
            )
        else:
            message = (
                f"round {round_id!r} is {state}: its applications are being judged under its "
                f"terms, which only a draft or open round may change: {what}"
            )
        self.refuse((*path, key), message, value=after)

    def settings(self) -> None:
        """Publishers, scopes and declared figures: changes are recorded, not refused."""
        old = self.previous
        for index, era in enumerate(self.ff.eras):
            publisher = self.ff.publishers.get(era.id)
            before = None if old is None else old.publishers.get(era.id)
            if publisher is None:
                continue
            if before is None:
                if old is not None:
                    self.added.append(f"publisher of era {era.id}")
                continue
            for name, a, b in _fields(unstructure(before), unstructure(publisher)):
                line = self.lines.line(("eras", index, "publisher", name))
                self.changed.append(
                    Change(
                        what="publisher",
                        id=era.id,
                        field=name,
                        old=_text(a),
                        new=_text(b),
                        line=line,
                    )
                )
        if old is None:
            return
        if old.plugins != self.ff.plugins:
            self.changed.append(
                Change(
                    what="fund",
                    id=self.ff.fund.id,
                    field="plugins",
                    old=plugins_text(old.plugins),
                    new=plugins_text(self.ff.plugins),
                    line=self.lines.line(("fund", "plugins")),
                )
            )
        self._scopes(old)
        self._declared(old)

    def _scopes(self, old: FundFile) -> None:
        for index, scope in enumerate(self.ff.scopes.values()):
            before = old.scopes.get(scope.id)
            rounds = [r.id for r in scope.rounds]
            if before is None:
                self.added.append(f"scope {scope.id}")
                continue
            pairs = (
                ("label", before.label, scope.label),
                ("rounds", [r.id for r in before.rounds], rounds),
            )
            for name, a, b in pairs:
                if a != b:
                    line = self.lines.line(("scopes", index, name))
                    self.changed.append(
                        Change(
                            what="scope",
                            id=scope.id,
                            field=name,
                            old=_text(a),
                            new=_text(b),
                            line=line,
                        )
                    )

    def _declared(self, old: FundFile) -> None:
        keys = sorted(set(old.declared.by_scope) | set(self.ff.declared.by_scope))
        for key in keys:
            before = [unstructure(f) for f in old.declared_for(key)]
            after = [unstructure(f) for f in self.ff.declared_for(key)]
            if before == after:
                continue
            gone = [f["published_text"] for f in before if f not in after]
            new = [f["published_text"] for f in after if f not in before]
            change = Change(
                what="declared",
                id=key,
                field="figures",
                old=_text(gone) or None,
                new=_text(new) or None,
                line=self._declared_line(key),
            )
            if self.states.get(key) is RoundState.CLOSED:
                self.refuse(
                    ("declared",),
                    f"round {key!r} is closed and was reconciled against its declared figures: "
                    f"they cannot change ({change.old} -> {change.new})",
                    value=change.new,
                )
            else:
                self.changed.append(change)

    def _declared_line(self, key: str) -> int | None:
        texts = self.ff.source.splitlines()
        for number, text in enumerate(texts, start=1):
            if text.strip().replace(" ", "") == f'scope="{key}"':
                return number
        return None

    def result(self) -> FundFileChanges:
        same_text = self.previous is not None and self.previous.source == self.ff.source
        return FundFileChanges(
            fund_id=self.ff.fund.id,
            added=_tuple(self.added),
            changed=_tuple(self.changed),
            unchanged=_tuple(self.unchanged),
            refused=_tuple(sorted(self.refused, key=lambda p: (p.row or 0, p.message))),
            text_changed=not same_text,
        )


def diff_fund_file(ledger: Ledger, ff: FundFile) -> FundFileChanges:
    """What applying ``ff`` would add, change and refuse; writes nothing (a dry run)."""
    diff = _Diff(ledger, ff)
    diff.fund()
    diff.rounds()
    diff.settings()
    return diff.result()


def apply_fund_file(ledger: Ledger, ff: FundFile, *, actor: str, at: datetime) -> FundFileChanges:
    """Store a fund file in the ledger, audited, all or nothing; return what changed.

    The first time adds the fund, then each round (in file order, each with its era, in state
    ``draft``), then records the file's text. Later, an edited file adds its new rounds,
    amends the changed terms of draft or open rounds (`Ledger.amend_round`) and records its
    text when anything changed; re-applying the same file writes nothing. Raises
    `FundFileRefused` (a `FundFileError`, every problem as ``path:line: message``) and writes
    nothing if the file changes what the ledger keeps: the terms of a round past ``open`` (a
    closed one naming who closed it and when), any round's fund or era, an era in use, the
    fund's name, or the declared figures of a closed round; or leaves out a round the ledger
    holds.
    """
    changes = diff_fund_file(ledger, ff)
    if changes.refused:
        raise FundFileRefused(changes, file=ff.path)
    if changes.empty:
        return changes
    added = set(changes.added)
    amended = {c.id for c in changes.changed if c.what == "round"}
    with ledger.transaction():
        if f"fund {ff.fund.id}" in added:
            ledger.add_fund(ff.fund, actor=actor, at=at)
        for rnd in ff.rounds:
            if f"round {rnd.id}" in added:
                ledger.add_round(rnd, actor=actor, at=at)
            elif rnd.id in amended:
                ledger.amend_round(rnd, actor=actor, at=at)
        detail = {"path": ff.path, **changes.as_dict()}
        ledger.record_fund_file(ff.fund.id, ff.source, actor=actor, at=at, detail=detail)
    return changes
