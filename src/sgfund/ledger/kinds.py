"""What the ledger stores: one frozen description per kind of record.

A `Kind` says where its records live (table, key, columns and their checks), which round a
record belongs to (directly, or through its application), in which round states it may be
written, whether a later record with the same key corrects it, and how a model becomes a row.
The ledger writes any kind the same way (the kind, the items, the actor and the time); the
schema's tables and guarding triggers are generated from these descriptions; verification reads
them to know what each event wrote. Adding a kind of record is adding a description here (and,
for a new table, a migration).

A row is a tuple of column values in the order of ``columns``: the key first, the record's JSON
(``data``) last. Money is integer pence; the JSON holds the same amount as exact decimal text.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from decimal import Decimal
from typing import Any

from attrs import field, frozen

from sgfund.applications import Application
from sgfund.assessment import Assessment
from sgfund.convert import unstructure
from sgfund.decisions import Award, Decision
from sgfund.errors import Problem
from sgfund.funds import Era, Fund, Round
from sgfund.lifecycle import RoundState
from sgfund.organisations import Organisation
from sgfund.postaward.steps import Action, AwardStep
from sgfund.review import Resolution, ThemeOverride
from sgfund.vocabulary import Vocabularies

__all__ = [
    "APPLICATIONS",
    "ASSESSMENTS",
    "ASSESSMENT_FORMAT",
    "AWARDS",
    "AWARD_STEPS",
    "DECISIONS",
    "ERAS",
    "FUNDS",
    "KINDS",
    "ORGANISATIONS",
    "RECORD_KINDS",
    "RESOLUTIONS",
    "ROUNDS",
    "THEME_OVERRIDES",
    "V2_KINDS",
    "Check",
    "Column",
    "Index",
    "Kind",
    "Row",
    "canonical",
    "kind_named",
    "pence",
    "themes_checked",
    "to_json",
]

# Column values of one stored row, in the order of its kind's ``columns``.
Row = tuple[Any, ...]
# Checks one round's batch of records (its application, for records about one, found by id):
# yields (position in the batch, problem).
Batch = Sequence[tuple[int, Any]]
Found = tuple[int, Problem]
Check = Callable[[Batch, Round, Mapping[str, Application]], Iterable[Found]]

# Version of the JSON an assessment is stored as. Raise it (with a reader for the old
# version) when `sgfund.assessment.Assessment` changes shape.
ASSESSMENT_FORMAT = 1


# One encoder: json.dumps with these options would build a new one for every call.
_CANONICAL = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def canonical(value: Any) -> str:
    """JSON with sorted keys and no spaces: the same data always gives the same text."""
    return _CANONICAL.encode(value)


def to_json(obj: object) -> str:
    """A model as canonical JSON text."""
    return canonical(unstructure(obj))


def pence(amount: Decimal) -> int:
    """Whole pence of an exact two-place amount."""
    return int(amount.scaleb(2))


@frozen
class Column:
    """One stored column: its name, SQL type (TEXT or INTEGER), check and reference."""

    name: str
    type: str = "TEXT"
    check: str | None = None
    references: str | None = None


@frozen
class Index:
    """A secondary index on some columns."""

    name: str
    columns: tuple[str, ...]


def _to_tuple(values: Sequence[Any]) -> tuple[Any, ...]:
    return tuple(values)


@frozen(kw_only=True)
class Kind:
    """How one kind of record is stored, guarded and written.

    ``round_column`` names the column holding the record's round, ``application_column`` the
    column holding its application (whose round it then belongs to). ``accepts`` lists the
    round states in which such records may be written (the database refuses the others).
    ``correctable``: a record with a key already stored replaces the stored one, which is kept
    as superseded; otherwise a stored key is refused. ``actor_column`` holds the actor of the
    event that wrote the row. ``guards`` are further ``(message, SQL condition on NEW)``
    refusals of its insert trigger. ``to_row`` turns a model (and the actor) into a row; ``check``
    finds what is wrong with a round's batch of records (a check that needs more than the
    round, such as the plugins' vocabularies, is given by the caller to `write_records`).
    """

    name: str
    table: str
    key: str
    columns: tuple[Column, ...] = field(converter=_to_tuple)
    action: str
    noun: str
    model: type | None = None
    round_column: str | None = None
    application_column: str | None = None
    accepts: frozenset[RoundState] = frozenset()
    correctable: bool = False
    actor_column: str | None = None
    checks: tuple[str, ...] = field(default=(), converter=_to_tuple)
    indexes: tuple[Index, ...] = field(default=(), converter=_to_tuple)
    guards: tuple[tuple[str, str], ...] = field(default=(), converter=_to_tuple)
    to_row: Callable[[Any, str], Row] | None = field(default=None, eq=False)
    check: Check | None = field(default=None, eq=False)

    @property
    def column_names(self) -> tuple[str, ...]:
        """Column names in row order."""
        return tuple(c.name for c in self.columns)

    @property
    def in_round(self) -> bool:
        """Whether its records belong to a round (and so follow the round's state)."""
        return self.round_column is not None or self.application_column is not None

    def position(self, column: str) -> int:
        """Where ``column`` is in a row."""
        return self.column_names.index(column)

    def row(self, item: Any, actor: str) -> Row:
        """A model of this kind (written by ``actor``) as a row."""
        if self.to_row is None:
            raise TypeError(f"{self.name} are not written from a model alone")
        return self.to_row(item, actor)

    def key_of(self, item: Any) -> str:
        """The key of a model of this kind."""
        return str(getattr(item, self.key))

    def __str__(self) -> str:
        return self.name


_DATA = Column("data")


def _era_row(era: Era, _actor: str) -> Row:
    return (era.id, era.funder_id, to_json(era))


def _round_row(rnd: Round, _actor: str) -> Row:
    return (rnd.id, rnd.fund_id, rnd.era.id, to_json(rnd))


def _organisation_row(org: Organisation, _actor: str) -> Row:
    return (org.key, org.name, str(org.type), to_json(org))


def _application_row(app: Application, _actor: str) -> Row:
    return (app.id, app.round_id, app.organisation.key, pence(app.amount_requested), to_json(app))


def _assessment_row(assessment: Assessment, _actor: str) -> Row:
    versions = {str(k): str(v) for k, v in dict(assessment.rule_versions).items()}
    return (
        assessment.application_id,
        str(assessment.status),
        canonical(versions),
        ASSESSMENT_FORMAT,
        to_json(assessment),
    )


def _resolution_row(resolution: Resolution, _actor: str) -> Row:
    return (resolution.application_id, int(resolution.eligible), to_json(resolution))


def _theme_override_row(override: ThemeOverride, _actor: str) -> Row:
    return (override.application_id, canonical(sorted(override.themes)), to_json(override))


def _decision_row(decision: Decision, actor: str) -> Row:
    return (
        decision.application_id,
        str(decision.outcome),
        pence(decision.amount_awarded),
        actor,
        to_json(decision),
    )


def _award_row(award: Award, _actor: str) -> Row:
    return (award.id, award.application_id, award.round_id, pence(award.amount), to_json(award))


def themes_checked(attribute: str, vocabularies: Callable[[Round], Vocabularies]) -> Check:
    """A check that each record's ``attribute`` names live themes of the round's vocabularies.

    The vocabularies come from plugins, so the caller gives them (`Ledger.set_themes` uses
    `sgfund.themes.round_vocabularies` with its plugin manager): once per round, and each
    distinct set of themes in the batch is checked once.
    """

    def check(batch: Batch, rnd: Round, _apps: Mapping[str, Application]) -> Iterator[Found]:
        known = vocabularies(rnd)
        seen: dict[frozenset[str], list[Problem]] = {}
        for index, item in batch:
            themes = frozenset(getattr(item, attribute))
            if themes not in seen:
                seen[themes] = known.theme_problems(themes, field=attribute)
            for found in seen[themes]:
                yield index, found

    return check


def _check_awards(batch: Batch, _rnd: Round, apps: Mapping[str, Application]) -> Iterator[Found]:
    for index, award in batch:
        app = apps.get(award.application_id)
        if app is not None and award.round_id != app.round_id:
            yield (
                index,
                Problem(
                    f"is for round {award.round_id!r} but its application is in round "
                    f"{app.round_id!r}",
                    field="round_id",
                    value=award.round_id,
                    expected=app.round_id,
                ),
            )


_STATES = tuple(RoundState)
# Records about applications may be written until the round is decided; never once closed.
_UNTIL_DECIDED = frozenset(s for s in _STATES if s is not RoundState.CLOSED)

FUNDS = Kind(
    name="funds",
    table="funds",
    key="id",
    columns=(
        Column("id"),
        Column("name"),
        Column(
            "separate_closer_from_decider",
            "INTEGER",
            check="separate_closer_from_decider IN (0, 1)",
        ),
        _DATA,
    ),
    action="fund.added",
    noun="fund",
    model=Fund,
    # Written with its policy: `sgfund.ledger.policy.fund_row`.
)
ERAS = Kind(
    name="eras",
    table="eras",
    key="id",
    columns=(Column("id"), Column("funder_id"), _DATA),
    action="round.added",
    noun="era",
    model=Era,
    to_row=_era_row,
)
ROUNDS = Kind(
    name="rounds",
    table="rounds",
    key="id",
    columns=(
        Column("id"),
        Column("fund_id", references="funds (id)"),
        Column("era_id", references="eras (id)"),
        _DATA,
    ),
    action="round.added",
    noun="round",
    model=Round,
    to_row=_round_row,
)
ORGANISATIONS = Kind(
    name="organisations",
    table="organisations",
    key="key",
    columns=(Column("key"), Column("name"), Column("type"), _DATA),
    action="applications.added",
    noun="organisation",
    model=Organisation,
    to_row=_organisation_row,
)
APPLICATIONS = Kind(
    name="applications",
    table="applications",
    key="id",
    columns=(
        Column("id"),
        Column("round_id", references="rounds (id)"),
        Column("organisation_key", references="organisations (key)"),
        Column("amount_requested_pence", "INTEGER", check="amount_requested_pence > 0"),
        _DATA,
    ),
    action="applications.added",
    noun="application",
    model=Application,
    round_column="round_id",
    # Applications come in while a round is being set up or is open, never after.
    accepts=frozenset({RoundState.DRAFT, RoundState.OPEN}),
    indexes=(Index("applications_by_round", ("round_id",)),),
    to_row=_application_row,
    # Declared themes are stored as given: the declared-themes-known rule refers unknown or
    # archived ones at assessment, naming each.
    check=None,
)
_ABOUT_APPLICATION = Column("application_id", references="applications (id)")
ASSESSMENTS = Kind(
    name="assessments",
    table="assessments",
    key="application_id",
    columns=(
        _ABOUT_APPLICATION,
        Column("status"),
        Column("rule_versions"),
        Column("format", "INTEGER", check="format > 0"),
        _DATA,
    ),
    action="assessments.recorded",
    noun="assessment",
    model=Assessment,
    application_column="application_id",
    accepts=_UNTIL_DECIDED,
    correctable=True,
    to_row=_assessment_row,
)
RESOLUTIONS = Kind(
    name="resolutions",
    table="resolutions",
    key="application_id",
    columns=(_ABOUT_APPLICATION, Column("eligible", "INTEGER", check="eligible IN (0, 1)"), _DATA),
    action="resolutions.recorded",
    noun="resolution",
    model=Resolution,
    application_column="application_id",
    accepts=_UNTIL_DECIDED,
    correctable=True,
    to_row=_resolution_row,
)
THEME_OVERRIDES = Kind(
    name="theme_overrides",
    table="theme_overrides",
    key="application_id",
    columns=(_ABOUT_APPLICATION, Column("themes"), _DATA),
    action="theme_overrides.recorded",
    noun="theme override",
    model=ThemeOverride,
    application_column="application_id",
    accepts=_UNTIL_DECIDED,
    correctable=True,
    to_row=_theme_override_row,
    # Checked against the round's vocabularies, which plugins give: `Ledger.set_themes`
    # passes `themes_checked` with its plugin manager.
    check=None,
)
DECISIONS = Kind(
    name="decisions",
    table="decisions",
    key="application_id",
    columns=(
        _ABOUT_APPLICATION,
        Column("outcome", check="outcome IN ('approved', 'rejected', 'withdrawn', 'deferred')"),
        Column("amount_awarded_pence", "INTEGER", check="amount_awarded_pence >= 0"),
        Column("recorded_by", check="recorded_by <> ''"),
        _DATA,
    ),
    action="decisions.recorded",
    noun="decision",
    model=Decision,
    application_column="application_id",
    accepts=_UNTIL_DECIDED,
    correctable=True,
    actor_column="recorded_by",
    checks=("(outcome = 'approved') = (amount_awarded_pence > 0)",),
    to_row=_decision_row,
    # Stored as given: whether a decision can stand (a justification for an award above the
    # maximum or the request) is `decision_problems`, which closing the round applies.
    check=None,
)
AWARDS = Kind(
    name="awards",
    table="awards",
    key="id",
    columns=(
        Column("id"),
        Column("application_id", references="applications (id)"),
        Column("round_id", references="rounds (id)"),
        Column("amount_pence", "INTEGER", check="amount_pence > 0"),
        _DATA,
    ),
    action="awards.recorded",
    noun="award",
    model=Award,
    round_column="round_id",
    application_column="application_id",
    accepts=_UNTIL_DECIDED,
    correctable=True,
    indexes=(
        Index("awards_by_round", ("round_id",)),
        Index("awards_by_application", ("application_id",)),
    ),
    to_row=_award_row,
    check=_check_awards,
)

# The kinds of schema version 2 (its migration is generated from exactly these; never change).
V2_KINDS: tuple[Kind, ...] = (
    FUNDS,
    ERAS,
    ROUNDS,
    ORGANISATIONS,
    APPLICATIONS,
    ASSESSMENTS,
    RESOLUTIONS,
    THEME_OVERRIDES,
    DECISIONS,
    AWARDS,
)


def _award_step_row(step: AwardStep, _actor: str) -> Row:
    return (
        step.id,
        step.round_id,
        step.award_id,
        step.seq,
        str(step.action),
        pence(step.amount if step.amount is not None else Decimal("0.00")),
        step.by,
        to_json(step),
    )


_ACTIONS = ", ".join(f"'{a}'" for a in Action)
AWARD_STEPS = Kind(
    name="award_steps",
    table="award_steps",
    key="id",
    columns=(
        Column("id"),
        Column("round_id", references="rounds (id)"),
        Column("award_id", references="awards (id)"),
        Column("seq", "INTEGER", check="seq > 0"),
        Column("action", check=f"action IN ({_ACTIONS})"),
        Column("amount_pence", "INTEGER", check="amount_pence >= 0"),
        Column("recorded_by", check="recorded_by <> ''"),
        _DATA,
    ),
    action="award_steps.recorded",
    noun="post-award step",
    model=AwardStep,
    round_column="round_id",
    # After the decision, a round is closed: its awards' lives go on in these records, which
    # are never corrected (each step is a new record) and never deleted.
    accepts=frozenset({RoundState.CLOSED}),
    actor_column="recorded_by",
    guards=(
        (
            "sgfund: a post-award step belongs to its award's round",
            "NEW.round_id IS NOT (SELECT round_id FROM awards WHERE id = NEW.award_id)",
        ),
        (
            "sgfund: an award's steps are numbered in order from 1, keyed by award and number",
            "NEW.seq IS NOT coalesce((SELECT max(seq) FROM award_steps "
            "WHERE award_id = NEW.award_id), 0) + 1 "
            "OR NEW.id IS NOT printf('%s#%05d', NEW.award_id, NEW.seq)",
        ),
    ),
    indexes=(
        Index("award_steps_by_round", ("round_id",)),
        Index("award_steps_by_award", ("award_id", "seq")),
    ),
    to_row=_award_step_row,
    # Checked against the award's stored steps by `sgfund.ledger.postaward`, which
    # `Ledger.record_award_steps` passes to the writer.
    check=None,
)

# Every kind, in the order their rows are digested (and their tables created).
KINDS: tuple[Kind, ...] = (*V2_KINDS, AWARD_STEPS)
# Kinds written through `Ledger`'s batch methods: records that belong to a round.
RECORD_KINDS: tuple[Kind, ...] = tuple(k for k in KINDS if k.in_round)


def kind_named(name: str) -> Kind:
    """The kind called ``name`` (``"decisions"``); `KeyError` if there is none."""
    for kind in KINDS:
        if kind.name == name:
            return kind
    raise KeyError(name)
