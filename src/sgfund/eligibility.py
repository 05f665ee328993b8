"""Run eligibility rules over a round's applications: one hook call, then the core's own loop.

A pass costs one function call and a ``None`` check. A `Finding` is built only where a rule
has something to say. Rules that offer a batch form run once over the whole batch.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

from sgfund import _validate as v
from sgfund.applications import Application
from sgfund.collect import Registered, SgfundPluginManager, collect
from sgfund.errors import RuleError
from sgfund.funds import Round
from sgfund.types import Finding, Result, Rule, Verdict
from sgfund.vocabulary import Vocabularies

__all__ = ["eligibility_rules", "run_columns", "run_rules"]

Findings = dict[str, list[Finding]]


def eligibility_rules(
    pm: SgfundPluginManager, round: Round, vocabularies: Vocabularies
) -> tuple[Registered[Rule], ...]:
    """Ask every plugin, once, for its rules for ``round``; sorted by rule id."""
    return collect(pm, "sgfund_eligibility_rules", Rule, round=round, vocabularies=vocabularies)


def _finding(entry: Registered[Rule], result: Result) -> Finding:
    # The rule's id and version were validated when the Rule was made, and the Result's
    # verdict is a Verdict: this runs once for every application a rule does not pass.
    rule = entry.item
    return v.trusted(
        Finding,
        rule_id=rule.id,
        rule_version=rule.version,
        plugin=entry.plugin,
        verdict=result.verdict,
        reason=result.reason,
        fields=result.fields,
    )


def _bad_result(entry: Registered[Rule], app_id: str | None, result: object) -> RuleError:
    where = f" for application {app_id!r}" if app_id else ""
    return RuleError(
        f"rule {entry.item.id!r} (version {entry.item.version}) from plugin {entry.plugin!r} "
        f"returned {result!r}{where}; expected None (pass) or a Result",
        plugin=entry.plugin,
        rule_id=entry.item.id,
        application_id=app_id,
    )


def _raised(entry: Registered[Rule], app_id: str | None, err: Exception) -> RuleError:
    where = f"on application {app_id!r}" if app_id else "on a batch"
    return RuleError(
        f"rule {entry.item.id!r} (version {entry.item.version}) from plugin {entry.plugin!r} "
        f"raised {where}: {type(err).__name__}: {err}",
        plugin=entry.plugin,
        rule_id=entry.item.id,
        application_id=app_id,
    )


def _run_one_by_one(
    entry: Registered[Rule],
    round: Round,
    applications: Sequence[Application],
    as_of: date,
    findings: Findings,
) -> None:
    rule = entry.item
    check = rule.check
    if check is None:  # pragma: no cover - Rule refuses a rule without any check
        return
    passed = Verdict.PASS
    for app in applications:
        try:
            result = check(app, round, as_of)
        except Exception as err:
            raise _raised(entry, app.id, err) from err
        if result is None:
            continue
        if type(result) is not Result:
            raise _bad_result(entry, app.id, result)
        if result.verdict is passed:
            continue
        findings.setdefault(app.id, []).append(_finding(entry, result))


def _record_pairs(
    entry: Registered[Rule],
    pairs: Iterable[tuple[str, Result]],
    known: set[str] | None,
    findings: Findings,
) -> None:
    rule = entry.item
    seen: set[str] = set()
    for pair in pairs:
        if not (isinstance(pair, tuple) and len(pair) == 2):
            raise _bad_result(entry, None, pair)
        app_id, result = pair
        if known is not None and app_id not in known:
            raise RuleError(
                f"rule {rule.id!r} from plugin {entry.plugin!r} gave a finding for "
                f"{app_id!r}, which is not in the batch",
                plugin=entry.plugin,
                rule_id=rule.id,
                application_id=str(app_id),
            )
        if app_id in seen:
            raise RuleError(
                f"rule {rule.id!r} from plugin {entry.plugin!r} gave two findings for "
                f"application {app_id!r}; a rule has one say per application",
                plugin=entry.plugin,
                rule_id=rule.id,
                application_id=app_id,
            )
        seen.add(app_id)
        if type(result) is not Result:
            raise _bad_result(entry, app_id, result)
        if result.verdict is Verdict.PASS:
            continue
        findings.setdefault(app_id, []).append(_finding(entry, result))


def _run_batch(
    entry: Registered[Rule],
    round: Round,
    applications: Sequence[Application],
    as_of: date,
    findings: Findings,
) -> None:
    check_batch = entry.item.check_batch
    if check_batch is None:  # pragma: no cover - callers check first
        return
    try:
        pairs = list(check_batch(round, applications, as_of))
    except Exception as err:
        # Find the application the rule tripped on, if its one-by-one form trips too.
        if entry.item.check is not None:
            _run_one_by_one(entry, round, applications, as_of, {})
        raise _raised(entry, None, err) from err
    _record_pairs(entry, pairs, {a.id for a in applications}, findings)


def run_rules(
    rules: Iterable[Registered[Rule]],
    round: Round,
    applications: Sequence[Application],
    as_of: date,
) -> Findings:
    """Run every rule over every application; return the findings by application id.

    Only applications that some rule did not pass appear, with findings in rule-id order.
    A rule that raises (or returns something that is not a `Result`) is a `RuleError` naming
    the plugin, the rule and the application: it is never counted as a pass.
    """
    findings: Findings = {}
    for entry in rules:
        if entry.item.check_batch is not None:
            _run_batch(entry, round, applications, as_of, findings)
        else:
            _run_one_by_one(entry, round, applications, as_of, findings)
    return findings


def run_columns(
    rules: Iterable[Registered[Rule]], round: Round, table: Any, as_of: date
) -> tuple[Findings, tuple[Registered[Rule], ...]]:
    """Run the rules that offer ``check_columns`` over a columnar ``table``.

    The table (for example a polars or pyarrow table from the ``columnar`` extra) is passed
    through untouched. Returns the findings by application id and the rules that have no
    columnar form, which the caller runs with `run_rules` on application objects.
    """
    findings: Findings = {}
    rest: list[Registered[Rule]] = []
    for entry in rules:
        check_columns = entry.item.check_columns
        if check_columns is None:
            rest.append(entry)
            continue
        try:
            pairs = list(check_columns(round, table, as_of))
        except Exception as err:
            raise _raised(entry, None, err) from err
        _record_pairs(entry, pairs, None, findings)
    return findings, tuple(rest)
