"""Assess a round: every rule and classifier over every application, with versions recorded.

`assess` calls each hook once for the round, then runs rules and classifiers in the core's
loops. The result says, for each application, whether it is eligible, ineligible or referred
to an officer, which rule (at which version, from which plugin) said what, and which themes
the classifiers matched. Assessments are plain frozen data: `sgfund.convert.unstructure` and
`structure` round-trip them, and closure reads them as they are.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Iterator, Mapping
from datetime import date, datetime
from typing import Any

from attrs import field, frozen

from sgfund import _validate as v
from sgfund._bulk import collector_paused
from sgfund.applications import Application
from sgfund.collect import SgfundPluginManager
from sgfund.eligibility import eligibility_rules, run_columns, run_rules
from sgfund.errors import DataError, FieldError, Problem
from sgfund.funds import Round
from sgfund.themes import classify, round_vocabularies, theme_classifiers
from sgfund.types import Finding, ThemeMatch, ThemeSource, Verdict

__all__ = ["Assessment", "RoundAssessment", "Status", "assess", "assess_columns", "status_of"]


class Status(enum.StrEnum):
    """The outcome of eligibility: collect all, eligible only if no rule fails."""

    ELIGIBLE = "eligible"
    INELIGIBLE = "ineligible"
    REFER = "refer"  # some rule needs an officer's judgement; nothing failed


def status_of(findings: Iterable[Finding]) -> Status:
    """Combine findings: any fail makes it ineligible, else any refer refers it."""
    verdicts = {f.verdict for f in findings}
    if Verdict.FAIL in verdicts:
        return Status.INELIGIBLE
    if Verdict.REFER in verdicts:
        return Status.REFER
    return Status.ELIGIBLE


def _findings(values: Iterable[Finding]) -> tuple[Finding, ...]:
    return tuple(values)


def _matches(values: Iterable[ThemeMatch]) -> tuple[ThemeMatch, ...]:
    return tuple(values)


@frozen(kw_only=True)
class Assessment:
    """One application's assessment: status, every non-pass finding and every theme match.

    An application with no findings passed every rule in its round's ``rule_versions``.
    ``themes`` are the classifiers' matches; the project's final themes also depend on an
    officer's override (`sgfund.themes.final_themes`).
    """

    application_id: str = field(validator=v.identifier)
    status: Status = field(converter=Status)
    findings: tuple[Finding, ...] = field(default=(), converter=_findings)
    themes: tuple[ThemeMatch, ...] = field(default=(), converter=_matches)
    # Every rule that ran, with its version: the record of what passed as well as what did not.
    rule_versions: Mapping[str, str] = field(factory=dict)

    def __attrs_post_init__(self) -> None:
        if status_of(self.findings) is not self.status:
            raise FieldError("status", self.status, f"{status_of(self.findings)} from findings")

    @property
    def failed(self) -> tuple[Finding, ...]:
        """Findings that make the application ineligible."""
        return tuple(f for f in self.findings if f.verdict is Verdict.FAIL)

    @property
    def referred(self) -> tuple[Finding, ...]:
        """Findings that need an officer's judgement."""
        return tuple(f for f in self.findings if f.verdict is Verdict.REFER)

    @property
    def declared_themes(self) -> frozenset[str]:
        """Live themes the applicant declared, as the ``declared-themes`` classifier found."""
        return frozenset(m.theme for m in self.themes if m.source is ThemeSource.DECLARED)


def _assessments(values: Iterable[Assessment]) -> tuple[Assessment, ...]:
    return tuple(values)


def _versions(values: Mapping[str, str]) -> dict[str, str]:
    return {key: values[key] for key in sorted(values)}


@frozen(kw_only=True)
class RoundAssessment:
    """Every application of a round assessed on ``as_of``, with the rules that were used.

    ``rule_versions``, ``classifier_versions`` and ``vocabulary_versions`` map each id to the
    version that was used. Look an application up with ``result["GR2-001"]``; iterate for
    every assessment in input order.
    """

    round_id: str = field(validator=v.slug)
    as_of: date = field(validator=v.is_date)
    rule_versions: dict[str, str] = field(converter=_versions)
    classifier_versions: dict[str, str] = field(factory=dict, converter=_versions)
    vocabulary_versions: dict[str, str] = field(factory=dict, converter=_versions)
    assessments: tuple[Assessment, ...] = field(converter=_assessments)
    _by_id: dict[str, Assessment] = field(init=False, eq=False, repr=False)

    def __attrs_post_init__(self) -> None:
        by_id = {a.application_id: a for a in self.assessments}
        if len(by_id) != len(self.assessments):
            raise FieldError("assessments", len(self.assessments), "one per application id")
        object.__setattr__(self, "_by_id", by_id)

    def __getitem__(self, application_id: str) -> Assessment:
        return self._by_id[application_id]

    def get(self, application_id: str) -> Assessment | None:
        """The assessment of ``application_id``, or None."""
        return self._by_id.get(application_id)

    def __contains__(self, application_id: object) -> bool:
        return application_id in self._by_id

    def __iter__(self) -> Iterator[Assessment]:
        return iter(self.assessments)

    def __len__(self) -> int:
        return len(self.assessments)

    def with_status(self, status: Status) -> tuple[Assessment, ...]:
        """Assessments with ``status``, in input order (``Status.REFER`` is the officers' queue)."""
        return tuple(a for a in self.assessments if a.status is status)

    def counts(self) -> dict[Status, int]:
        """How many applications have each status."""
        out = dict.fromkeys(Status, 0)
        for a in self.assessments:
            out[a.status] += 1
        return out


def _check_batch(round: Round, applications: tuple[Application, ...], as_of: object) -> None:
    if isinstance(as_of, datetime) or not isinstance(as_of, date):
        raise FieldError("as_of", as_of, "a date (datetime.date), passed in by the caller")
    problems = []
    seen: set[str] = set()
    for index, app in enumerate(applications, start=1):
        if app.round_id != round.id:
            problems.append(
                Problem(
                    f"application {app.id!r} belongs to round {app.round_id!r}",
                    row=index,
                    field="round_id",
                    value=app.round_id,
                    expected=round.id,
                )
            )
        if app.id in seen:
            problems.append(
                Problem(
                    f"application id {app.id!r} appears more than once",
                    row=index,
                    field="id",
                    value=app.id,
                    expected="each application id once",
                )
            )
        seen.add(app.id)
    if problems:
        raise DataError(problems, f"cannot assess round {round.id}")


def assess(
    round: Round, applications: Iterable[Application], *, pm: SgfundPluginManager, as_of: date
) -> RoundAssessment:
    """Assess every application of ``round`` with the plugins of ``pm``, as on ``as_of``.

    Each hook is called once: the round's vocabularies, then its rules and classifiers (see
    docs/plugins.md). Every application must belong to ``round`` and appear once (otherwise a
    `DataError` lists every problem). A rule or classifier that raises is a `RuleError` naming
    the plugin, the rule and the application.
    """
    with collector_paused():
        return _assess(round, tuple(applications), pm=pm, as_of=as_of, table=None)


def assess_columns(
    round: Round,
    applications: Iterable[Application],
    table: Any,
    *,
    pm: SgfundPluginManager,
    as_of: date,
) -> RoundAssessment:
    """`assess`, with the rules that offer ``check_columns`` run over ``table`` instead.

    ``table`` holds the same applications as columns (`sgfund.io.columnar` reads both from
    a sheet); rules without a columnar form run on the objects as in `assess`. The result is
    the same as `assess` gives.
    """
    with collector_paused():
        return _assess(round, tuple(applications), pm=pm, as_of=as_of, table=table)


def _assess(
    round: Round,
    apps: tuple[Application, ...],
    *,
    pm: SgfundPluginManager,
    as_of: date,
    table: Any,
) -> RoundAssessment:
    _check_batch(round, apps, as_of)
    vocabularies = round_vocabularies(pm, round)
    rules = eligibility_rules(pm, round, vocabularies)
    if table is None:
        findings = run_rules(rules, round, apps, as_of)
    else:
        findings, rest = run_columns(rules, round, table, as_of)
        for app_id, more in run_rules(rest, round, apps, as_of).items():
            findings.setdefault(app_id, []).extend(more)
        # Each application's findings in rule order, as `run_rules` alone gives them.
        order = {entry.item.id: i for i, entry in enumerate(rules)}
        for listed in findings.values():
            listed.sort(key=lambda f: order[f.rule_id])
    classifiers = theme_classifiers(pm, round, vocabularies)
    themes = classify(classifiers, vocabularies, round, apps)
    eligible = Status.ELIGIBLE
    # One mapping shared by every assessment of the round: cheap for a million applications.
    versions = {r.item.id: r.item.version for r in rules}
    assessments = []
    for app in apps:
        found = findings.get(app.id)
        assessments.append(
            Assessment(
                application_id=app.id,
                status=status_of(found) if found else eligible,
                findings=found or (),
                themes=themes.get(app.id, ()),
                rule_versions=versions,
            )
        )
    return RoundAssessment(
        round_id=round.id,
        as_of=as_of,
        rule_versions=versions,
        classifier_versions={c.item.id: c.item.version for c in classifiers},
        vocabulary_versions=vocabularies.versions,
        assessments=assessments,
    )
