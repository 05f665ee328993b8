"""The committee report as plain data: every figure exact, read from the reconciliation's totals.

`build_report_data` is pure: it takes a scope's `Reconciliation`, the records of its rounds,
their closure records (with anchors, when they come from a ledger) and the plugins' labels
(`sgfund.report.labels.report_labels`), and returns a frozen `ReportData` that templates only
format. Every amount in it is the reconciliation's own (breakdowns, headline) or the records'
(the list of awards, smallest and largest awards), and the records are checked against the
totals first, so the page never shows two different figures for one thing.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from decimal import Decimal

from sgfund.closure import ClosureRecord, RoundRecords
from sgfund.errors import ReconciliationError
from sgfund.money import apportion, format_money
from sgfund.organisations import OrgType
from sgfund.reconcile import FigureResult, Reconciliation
from sgfund.report.labels import ReportLabels
from sgfund.report.lines import (
    AwardLine,
    Breakdown,
    DecidedBy,
    DiscrepancyLine,
    FigureLine,
    PostAwardLine,
    ReportData,
    RoundLine,
    Row,
    money_text,
)
from sgfund.scope import Precision
from sgfund.totals import NO_THEME, UNKNOWN, Bucket, Totals
from sgfund.types import Discrepancy, Severity

__all__ = [
    "AwardLine",
    "Breakdown",
    "DecidedBy",
    "DiscrepancyLine",
    "FigureLine",
    "PostAwardLine",
    "ReportData",
    "RoundLine",
    "Row",
    "build_report_data",
    "headline",
    "money_text",
]

HUNDRED = Decimal("100.00")
_SEVERITY_ORDER = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.INFO: 2}

# --- the headline --------------------------------------------------------------------------

_NUMBERED = re.compile(r"^(?P<stem>.*\D)\s*(?P<number>\d+)$")


def _plural(stem: str) -> str:
    return stem if stem.endswith("s") else f"{stem}s"


def _and(items: Sequence[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _who(names: Sequence[str], fallback: str) -> str:
    """``"the Mayor's Safer Communities Fund (Grant Rounds 1 and 2)"`` from the rounds' names.

    Names of the form "<fund>, <round>" that share their fund are folded together; numbered
    rounds with one stem ("Grant Round 1", "Grant Round 2") become "Grant Rounds 1 and 2".
    Anything else reads as the scope's label.
    """
    parts = [name.rpartition(", ") for name in names]
    funds = {fund for fund, sep, _ in parts if sep}
    if len(funds) != 1 or any(not sep for _, sep, _ in parts):
        return fallback
    fund = funds.pop()
    rounds = [part for _, _, part in parts]
    numbered = [_NUMBERED.match(part) for part in rounds]
    stems = {m["stem"].strip() for m in numbered if m is not None}
    if len(rounds) > 1 and all(numbered) and len(stems) == 1:
        numbers = [m["number"] for m in numbered if m is not None]
        rounds = [f"{_plural(stems.pop())} {_and(numbers)}"]
    article = "" if fund.lower().startswith("the ") else "the "
    return f"{article}{fund} ({_and(rounds)})"


def _when(days: Iterable[date]) -> str:
    years = sorted({d.year for d in days})
    if not years:
        return ""
    if len(years) == 1:
        return f"In {years[0]} "
    return f"From {years[0]} to {years[-1]} "


def headline(
    round_names: Sequence[str], label: str, awarded_on: Iterable[date], count: int, total: Decimal
) -> str:
    """The published-style sentence, computed.

    "In 2022 the Mayor's Safer Communities Fund (Grant Rounds 1 and 2) awarded £534,286 to
    100 projects."
    """
    projects = "1 project" if count == 1 else f"{count:,} projects"
    who = _who(round_names, label)
    when = _when(awarded_on)
    sentence = f"{when}{who} awarded {money_text(total)} to {projects}."
    return sentence[0].upper() + sentence[1:]


# --- breakdowns ----------------------------------------------------------------------------


def _shares(totals: Sequence[Decimal]) -> list[Decimal | None]:
    if not totals or sum(totals, start=Decimal(0)) <= 0:
        return [None] * len(totals)
    return list(apportion(HUNDRED, totals))


def _rows(
    buckets: Mapping[str, Bucket],
    order: Sequence[str],
    labels: Mapping[str, str],
    *,
    codes: Mapping[str, str] | None = None,
    splits: Mapping[str, Decimal] | None = None,
    with_shares: bool = True,
) -> tuple[Row, ...]:
    """Rows in ``order`` (every key in it, with zeros where nothing was awarded), then the rest."""
    keys = list(order) + sorted(k for k in buckets if k not in set(order))
    empty = Bucket()
    found = [buckets.get(k, empty) for k in keys]
    shares = _shares([b.total for b in found]) if with_shares else [None] * len(keys)
    return tuple(
        Row(
            key=key,
            label=labels.get(key, key),
            count=bucket.count,
            total=bucket.total,
            share=share,
            split=None if splits is None else splits.get(key, Decimal("0.00")),
            code=None if codes is None else codes.get(key),
        )
        for key, bucket, share in zip(keys, found, shares, strict=True)
    )


def _breakdowns(
    totals: Totals, labels: ReportLabels
) -> tuple[Breakdown, Breakdown, Breakdown, Breakdown]:
    theme_labels = {**labels.theme_labels, NO_THEME: "No theme recorded"}
    live = [t.slug for t in labels.themes if not t.archived or t.slug in totals.by_theme_touching]
    themes = Breakdown(
        id="themes",
        title="Awards by theme",
        rows=_rows(
            totals.by_theme_touching,
            live,
            theme_labels,
            splits=totals.by_theme_apportioned,
            with_shares=False,
        ),
        note=(
            "A project counts, with its whole award, under every theme it serves, so these "
            "amounts add up to more than the total awarded. The last column splits each award "
            "equally across its themes (to the penny, by largest remainder) and adds up to "
            f"the total, {format_money(totals.awards.total)}."
        ),
    )
    district_names = [d.name for d in labels.districts]
    districts = Breakdown(
        id="districts",
        title="Awards by district",
        rows=_rows(
            totals.by_district,
            district_names,
            {UNKNOWN: "District not recorded"},
            codes={d.name: d.code for d in labels.districts},
        ),
        note="The district of the organisation funded; shares are of the total awarded.",
    )
    org_types = Breakdown(
        id="org-types",
        title="Awards by organisation type",
        rows=_rows(totals.by_org_type, [], {str(t): t.label for t in OrgType}),
    )
    years = Breakdown(
        id="financial-years",
        title="Awards by financial year",
        rows=_rows(totals.by_financial_year, [], {}),
        note="The financial year (April to March) in which each award was made.",
    )
    return themes, districts, org_types, years


# --- rounds and awards ---------------------------------------------------------------------


def _median(amounts: Sequence[Decimal]) -> Decimal | None:
    if not amounts:
        return None
    ordered = sorted(amounts)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[middle]
    return (ordered[middle - 1] + ordered[middle]) / 2


def _round_line(records: RoundRecords, totals: Totals, closure: ClosureRecord | None) -> RoundLine:
    rnd = records.round
    bucket = totals.by_round.get(rnd.id, Bucket())
    amounts = [a.amount for a in records.awards]
    recorded = Bucket(len(amounts), sum(amounts, start=Decimal("0.00")))
    if recorded != bucket:
        raise ReconciliationError(
            f"the records of round {rnd.id} hold {recorded.count} awards of "
            f"{format_money(recorded.total)} but the totals say {bucket.count} of "
            f"{format_money(bucket.total)}: reconcile the records the report is built from",
            expected=f"{bucket.count} awards, {bucket.total}",
            actual=f"{recorded.count} awards, {recorded.total}",
        )
    if closure is not None and closure.totals.awards != bucket:
        raise ReconciliationError(
            f"round {rnd.id} closed with {closure.totals.awards.count} awards of "
            f"{format_money(closure.totals.awards.total)} but the totals say {bucket.count} "
            f"of {format_money(bucket.total)}",
            expected=f"{closure.totals.awards.count} awards, {closure.totals.awards.total}",
            actual=f"{bucket.count} awards, {bucket.total}",
        )
    apps = [a for a in records.applications if a.round_id == rnd.id]
    funded = {a.application_id for a in records.awards}
    anchor = getattr(closure, "anchor", None)
    return RoundLine(
        id=rnd.id,
        name=rnd.name,
        opens_at=rnd.opens_at,
        closes_at=rnd.closes_at,
        advertised_pot=rnd.advertised_pot,
        applications=Bucket(
            len(apps), sum((a.amount_requested for a in apps), start=Decimal("0.00"))
        ),
        awards=bucket,
        requested_by_awarded=sum(
            (a.amount_requested for a in apps if a.id in funded), start=Decimal("0.00")
        ),
        smallest=min(amounts, default=None),
        median=_median(amounts),
        largest=max(amounts, default=None),
        closed_at=None if closure is None else closure.closed_at,
        closed_by=None if closure is None else closure.closed_by,
        digest=None if closure is None else closure.digest,
        anchor=None if anchor is None else str(anchor),
        override_reason=None if closure is None else closure.override_reason,
    )


def _award_lines(
    records: Sequence[RoundRecords], theme_labels: Mapping[str, str]
) -> list[AwardLine]:
    lines = []
    for rec in records:
        apps = {a.id: a for a in rec.applications}
        for award in rec.awards:
            org = apps[award.application_id].organisation
            lines.append(
                AwardLine(
                    round_id=award.round_id,
                    award_id=award.id,
                    recipient=org.name,
                    district=org.district or "",
                    amount=award.amount,
                    themes=tuple(
                        theme_labels.get(t, t)
                        for t in sorted(award.themes, key=lambda t: theme_labels.get(t, t))
                    ),
                    awarded_on=award.awarded_on,
                    start=award.start,
                    end=award.end,
                )
            )
    return sorted(lines, key=lambda a: (a.round_id, a.recipient.casefold(), a.award_id))


# --- reconciliation ------------------------------------------------------------------------

_FIGURE_NAMES = {"projects": "Projects funded", "total_awarded": "Total awarded"}


def _precision(result: FigureResult) -> str:
    figure = result.figure
    if figure.precision is Precision.ROUNDED and figure.unit is not None:
        unit = figure.unit
        shown = money_text(unit) if str(figure.figure) == "total_awarded" else f"{unit:,}"
        return f"rounded to {shown}"
    return str(figure.precision).replace("_", " ")


def _figure_lines(scope: str, results: Iterable[FigureResult]) -> list[FigureLine]:
    return [
        FigureLine(
            scope=scope,
            figure=_FIGURE_NAMES.get(str(r.figure.figure), str(r.figure.figure)),
            published_text=r.figure.published_text,
            precision=_precision(r),
            source=r.figure.source,
            published=r.figure.published,
            computed=(
                format_money(r.computed)
                if str(r.figure.figure) == "total_awarded"
                # a count read back from a stored closure may carry places: "61.00" is 61
                else f"{r.computed.normalize():,f}"
            ),
            matched=r.matched,
            explanation=r.explanation,
        )
        for r in results
    ]


def _discrepancy_lines(
    scope: str, found: Iterable[Discrepancy], versions: Mapping[str, str]
) -> list[DiscrepancyLine]:
    return [
        DiscrepancyLine(
            scope=scope,
            severity=d.severity,
            check=d.check_id + (f" v{versions[d.check_id]}" if d.check_id in versions else ""),
            message=d.message,
        )
        for d in found
    ]


def _decided_by(
    closures: Mapping[str, ClosureRecord], rec: Reconciliation, labels: ReportLabels
) -> list[DecidedBy]:
    used: dict[tuple[str, str, str], list[str]] = {}
    for round_id, closure in closures.items():
        for kind, versions in (("rule", closure.rule_versions), ("check", closure.check_versions)):
            for id_, version in versions.items():
                used.setdefault((kind, id_, version), []).append(round_id)
    for id_, version in rec.check_versions.items():
        used.setdefault(("check", id_, version), []).append(rec.scope_id)
    known = {(c.kind, c.id, c.version): c for c in labels.criteria}
    lines = []
    for (kind, id_, version), rounds in sorted(used.items()):
        given = known.get((kind, id_, version))
        lines.append(
            DecidedBy(
                kind=kind,
                id=id_,
                version=version,
                rounds=tuple(sorted(set(rounds))),
                plugin=rec.check_plugins.get(id_, "") if given is None else given.plugin,
                description="" if given is None else given.description,
            )
        )
    return lines


# --- the whole report ----------------------------------------------------------------------


def build_report_data(
    reconciliation: Reconciliation,
    records: Sequence[RoundRecords],
    *,
    labels: ReportLabels,
    closures: Iterable[ClosureRecord] = (),
    title: str | None = None,
) -> ReportData:
    """The committee report for a scope, as exact data; pure.

    ``reconciliation`` is the scope's (`sgfund.reconcile.reconcile`): the headline and every
    breakdown are its totals. ``records`` are the records of each of its rounds (for the list
    of awards and each round's smallest, median and largest award); ``closures`` the rounds'
    closure records (a ledger's carry the anchor to publish); ``labels`` what the plugins say
    (`sgfund.report.labels.report_labels`).

    Raises `ReconciliationError` when the records or a closure disagree with the totals, and
    when the records are not exactly the scope's rounds.
    """
    totals = reconciliation.totals
    by_id = {r.round.id: r for r in records}
    if sorted(by_id) != sorted(totals.round_ids) or len(by_id) != len(records):
        raise ReconciliationError(
            f"a report on {reconciliation.scope_id} needs the records of each of its rounds "
            f"once ({', '.join(totals.round_ids)}); given: "
            f"{', '.join(r.round.id for r in records) or 'none'}",
            expected=list(totals.round_ids),
            actual=[r.round.id for r in records],
        )
    ordered = [by_id[r] for r in totals.round_ids]
    closed = {c.round_id: c for c in closures if c.round_id in by_id}
    rounds = [_round_line(rec, totals, closed.get(rec.round.id)) for rec in ordered]
    themes, districts, org_types, years = _breakdowns(totals, labels)
    figures = _figure_lines(reconciliation.label, reconciliation.figures)
    found = _discrepancy_lines(
        reconciliation.label, reconciliation.discrepancies, reconciliation.check_versions
    )
    for line in rounds:
        closure = closed.get(line.id)
        if closure is not None:
            figures += _figure_lines(line.name, closure.figures)
            found += _discrepancy_lines(line.name, closure.discrepancies, closure.check_versions)
    found.sort(key=lambda d: _SEVERITY_ORDER[d.severity])
    awards = _award_lines(ordered, labels.theme_labels)
    return ReportData(
        scope_id=reconciliation.scope_id,
        title=title or reconciliation.label,
        headline=headline(
            [r.round.name for r in ordered],
            reconciliation.label,
            (a.awarded_on for a in awards),
            totals.awards.count,
            totals.awards.total,
        ),
        projects=totals.awards.count,
        awarded=totals.awards.total,
        applications=totals.applications,
        requested_by_awarded=totals.requested_by_awarded,
        advertised_pot=totals.advertised_pot,
        rounds=rounds,
        themes=themes,
        districts=districts,
        org_types=org_types,
        financial_years=years,
        awards=awards,
        figures=figures,
        discrepancies=found,
        decided_by=_decided_by(closed, reconciliation, labels),
        criteria=labels.criteria,
        plugins=labels.plugins,
        ok=not any(d.severity is Severity.ERROR for d in found),
    )
