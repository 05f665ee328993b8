"""Built-in eligibility rules, driven by the round's own data rather than by code.

Each rule reads its limits from the `Round` (minimum and maximum grant, window, project
length, eligible organisation types) or the round's theme vocabularies, so one version serves
every round.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from sgfund.applications import Application
from sgfund.dates import LONDON, london_text
from sgfund.funds import Round
from sgfund.hookspecs import hookimpl
from sgfund.money import format_money
from sgfund.organisations import Organisation, OrgType
from sgfund.tables import as_pence, pence, polars
from sgfund.types import Result, Rule, fail, refer
from sgfund.vocabulary import Vocabularies

__all__ = ["RULES", "declared_themes_rule", "fits_in_months", "sgfund_eligibility_rules"]


def _amount(app: Application, round: Round, as_of: date) -> Result | None:
    return _amount_of(app.amount_requested, round)


def _amount_of(amount: Decimal, round: Round) -> Result | None:
    if amount < round.min_grant:
        return fail(
            f"{format_money(amount)} requested is less than the round's minimum grant of "
            f"{format_money(round.min_grant)}",
            "amount_requested",
        )
    high = round.max_grant
    if high is not None and amount > high:
        return fail(
            f"{format_money(amount)} requested is more than the round's maximum grant of "
            f"{format_money(high)}",
            "amount_requested",
        )
    return None


def _amount_batch(
    round: Round, applications: Sequence[Application], as_of: date
) -> Iterator[tuple[str, Result]]:
    low, high = round.min_grant, round.max_grant
    for app in applications:
        amount = app.amount_requested
        if amount < low or (high is not None and amount > high):
            result = _amount(app, round, as_of)
            if result is not None:
                yield app.id, result


def _amount_columns(round: Round, table: Any, as_of: date) -> Iterator[tuple[str, Result]]:
    pl = polars()
    amount = pl.col("amount_requested")
    outside = amount < as_pence(round.min_grant)
    if round.max_grant is not None:
        outside = outside | (amount > as_pence(round.max_grant))
    for app_id, pennies in table.filter(outside).select("application_id", amount).iter_rows():
        result = _amount_of(pence(pennies), round)
        if result is not None:
            yield app_id, result


def fits_in_months(start: date, end: date, months: int) -> bool:
    """Whether a project from ``start`` to ``end`` lasts at most ``months`` calendar months.

    Agrees with `sgfund.dates.months_between` (a part month counts as a month) without its
    cost: the end must be before ``start`` plus ``months`` months (clamped to month end).
    """
    whole = (end.year - start.year) * 12 + end.month - start.month
    if whole != months:
        return whole < months
    # Same month as start + months: the project must end before that day (start's day,
    # clamped to the month's end), as 1 April to 31 March is 12 months and to 1 April is 13.
    return end.day < min(start.day, calendar.monthrange(end.year, end.month)[1])


def _length(app: Application, round: Round, as_of: date) -> Result | None:
    limit = round.max_project_months
    if fits_in_months(app.project_start, app.project_end, limit):
        return None
    return fail(
        f"the project runs {app.project_months} months ({app.project_start.isoformat()} to "
        f"{app.project_end.isoformat()}); the round allows at most {limit}",
        "project_start",
        "project_end",
    )


def _window_by_day(day: date, round: Round) -> Result | None:
    # Only the day of receipt is known: no time is made up. Days wholly inside the window
    # are in time and days wholly outside it are not; on the day the round opened or closed at
    # a time of day, the records cannot say, so an officer decides.
    opens, closes = round.opens_at.astimezone(LONDON), round.closes_at.astimezone(LONDON)
    received = f"received on {day.isoformat()} (time of receipt not recorded)"
    if day > closes.date() or (day == closes.date() and closes.time() == time(0)):
        return refer(
            f"{received}, after the round closed at {london_text(closes)}: an officer decides "
            "whether to accept it",
            "submitted_at",
        )
    if day < opens.date():
        return refer(
            f"{received}, before the round opened at {london_text(opens)}: check the date",
            "submitted_at",
        )
    for edge, moment in (("closed", closes), ("opened", opens)):
        if day == moment.date() and moment.time() != time(0):
            return refer(
                f"{received}, the day the round {edge} at {moment:%H:%M}: an officer decides "
                "whether it arrived while the round was open",
                "submitted_at",
            )
    return None


def _window(app: Application, round: Round, as_of: date) -> Result | None:
    submitted = app.submitted_at
    if not isinstance(submitted, datetime):
        return _window_by_day(submitted, round)
    if submitted > round.closes_at:
        return refer(
            f"submitted at {london_text(submitted)}, after the round closed at "
            f"{london_text(round.closes_at)}: an officer decides whether to accept it",
            "submitted_at",
        )
    if submitted < round.opens_at:
        return refer(
            f"submitted at {london_text(submitted)}, before the round opened at "
            f"{london_text(round.opens_at)}: check the date",
            "submitted_at",
        )
    return None


def _org_type(app: Application, round: Round, as_of: date) -> Result | None:
    return _org_type_of(app.organisation.type, round)


def _org_type_columns(round: Round, table: Any, as_of: date) -> Iterator[tuple[str, Result]]:
    pl = polars()
    eligible = [t.value for t in round.eligible_org_types]
    other = table.filter(~pl.col("organisation_type").is_in(eligible))
    for app_id, kind in other.select("application_id", "organisation_type").iter_rows():
        result = _org_type_of(OrgType(kind), round)
        if result is not None:
            yield app_id, result


def _org_type_of(kind: OrgType, round: Round) -> Result | None:
    if kind in round.eligible_org_types:
        return None
    if kind is OrgType.INDIVIDUAL:
        return fail(
            "grants go to organisations; individuals are never eligible", "organisation.type"
        )
    allowed = ", ".join(sorted(round.eligible_org_types))
    return fail(
        f"organisation type {kind} is not eligible for this round (eligible: {allowed})",
        "organisation.type",
    )


_NEEDS_CHARITY = frozenset({OrgType.REGISTERED_CHARITY, OrgType.CIO})
_NEEDS_COMPANY = frozenset(
    {OrgType.CHARITABLE_COMPANY, OrgType.CIC, OrgType.COMPANY_LIMITED_BY_GUARANTEE}
)


def _required(app: Application, round: Round, as_of: date) -> Result | None:
    org = app.organisation
    if app.summary and org.postcode is not None:
        kind = org.type
        if (kind not in _NEEDS_CHARITY or org.charity_number is not None) and (
            kind not in _NEEDS_COMPANY or org.company_number is not None
        ):
            return None
    return _required_of(app.summary, org.postcode, org.type, org.charity_number, org.company_number)


def _required_columns(round: Round, table: Any, as_of: date) -> Iterator[tuple[str, Result]]:
    pl = polars()
    kind = pl.col("organisation_type")
    lacking = (
        (pl.col("summary") == "")
        | pl.col("organisation_postcode").is_null()
        | (kind.is_in([t.value for t in _NEEDS_CHARITY]) & pl.col("charity_number").is_null())
        | (kind.is_in([t.value for t in _NEEDS_COMPANY]) & pl.col("company_number").is_null())
    )
    columns = (
        "application_id",
        "summary",
        "organisation_postcode",
        "organisation_type",
        "charity_number",
        "company_number",
    )
    for app_id, summary, postcode, org_type, charity, company in (
        table.filter(lacking).select(columns).iter_rows()
    ):
        yield app_id, _required_of(summary, postcode, OrgType(org_type), charity, company)


def _required_of(
    summary: str, postcode: str | None, kind: OrgType, charity: str | None, company: str | None
) -> Result:
    missing = []
    if not summary:
        missing.append("summary")
    if postcode is None:
        missing.append("organisation.postcode")
    if kind in _NEEDS_CHARITY and charity is None:
        missing.append("organisation.charity_number")
    if kind in _NEEDS_COMPANY and company is None:
        missing.append("organisation.company_number")
    return fail(f"required information is missing: {', '.join(missing)}", *missing)


def _org_key(org: Organisation) -> str:
    # Organisation.key, with a cheap path for the common case of a registered number.
    if org.id is None:
        if org.charity_number is not None:
            return f"charity:{org.charity_number}"
        if org.company_number is not None:
            return f"company:{org.company_number}"
    return org.key


def _duplicates(
    round: Round, applications: Sequence[Application], as_of: date
) -> Iterator[tuple[str, Result]]:
    by_org: dict[str, list[str]] = {}
    for app in applications:
        by_org.setdefault(_org_key(app.organisation), []).append(app.id)
    for ids in by_org.values():
        if len(ids) < 2:
            continue
        for app_id in ids:
            others = ", ".join(sorted(i for i in ids if i != app_id))
            yield (
                app_id,
                refer(
                    f"the same organisation also applied to this round as {others}",
                    "organisation",
                ),
            )


def declared_themes_rule(vocabularies: Vocabularies) -> Rule:
    """The ``declared-themes-known`` rule for a round with these vocabularies.

    Declared themes that are not live themes of the round (unknown, or archived) are referred:
    the applicant chose them, so an officer decides what they meant. This rule is where that
    is decided; the importer and the ledger store what was declared.
    """
    live = vocabularies.live_slugs

    def check(app: Application, round: Round, as_of: date) -> Result | None:
        declared = app.declared_themes
        if declared <= live:
            return None
        problems = vocabularies.theme_problems(declared - live, field="declared_themes")
        return refer(
            "declared themes need an officer: " + "; ".join(p.message for p in problems),
            "declared_themes",
        )

    return Rule(
        id="declared-themes-known",
        version="2",
        description="Themes the applicant declared are live themes of the round's "
        "vocabularies; unknown or archived ones are referred to an officer.",
        check=check,
    )


RULES: tuple[Rule, ...] = (
    Rule(
        id="amount-within-limits",
        version="1",
        description="The amount requested is no less than the round's minimum grant and no "
        "more than its maximum grant.",
        check=_amount,
        check_batch=_amount_batch,
        check_columns=_amount_columns,
    ),
    Rule(
        id="project-length",
        version="2",
        description="The project lasts no longer than the round's maximum number of months "
        "(a part month counts as a month).",
        check=_length,
    ),
    Rule(
        id="submitted-in-window",
        version="2",
        description="The application was submitted while the round was open. Late "
        "applications are referred to an officer, not refused outright. When only the day of "
        "receipt is known, a day inside the window is in time, and a receipt on the day the "
        "round opened or closed at a time of day is referred (time of receipt not recorded).",
        check=_window,
    ),
    Rule(
        id="organisation-type",
        version="1",
        description="The applicant is an organisation of a type the round accepts. "
        "Individuals are never eligible.",
        check=_org_type,
        check_columns=_org_type_columns,
    ),
    Rule(
        id="required-fields",
        version="1",
        description="The application has a project summary and the organisation's postcode, "
        "and charities and companies give their registered numbers.",
        check=_required,
        check_columns=_required_columns,
    ),
    Rule(
        id="duplicate-organisation",
        version="1",
        description="An organisation applying more than once to the same round is referred "
        "to an officer.",
        check_batch=_duplicates,
    ),
)


@hookimpl
def sgfund_eligibility_rules(round: Round, vocabularies: Vocabularies) -> Iterable[Rule]:
    """The generic rules apply to every round; their limits come from the round."""
    return (*RULES, declared_themes_rule(vocabularies))
