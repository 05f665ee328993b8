"""Run reconciliation checks over a scope's computed totals: one hook call, every check runs.

The built-in checks live in ``sgfund.plugins.reconciliation``; this module only collects and
runs whatever checks the plugins give.
"""

from __future__ import annotations

from sgfund.collect import Registered, SgfundPluginManager, collect
from sgfund.errors import RuleError
from sgfund.scope import Scope
from sgfund.totals import Totals
from sgfund.types import Discrepancy, ReconciliationCheck, Severity

__all__ = ["reconciliation_checks", "run_checks", "run_reconciliation_checks"]

_ORDER = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.INFO: 2}


def reconciliation_checks(
    pm: SgfundPluginManager, scope: Scope
) -> tuple[Registered[ReconciliationCheck], ...]:
    """Ask every plugin, once, for its checks for ``scope``; sorted by check id."""
    return collect(pm, "sgfund_reconciliation_checks", ReconciliationCheck, scope=scope)


def _broken(entry: Registered[ReconciliationCheck], message: str) -> RuleError:
    check = entry.item
    return RuleError(
        f"check {check.id!r} (version {check.version}) from plugin {entry.plugin!r} {message}",
        plugin=entry.plugin,
        rule_id=check.id,
    )


def run_checks(
    checks: tuple[Registered[ReconciliationCheck], ...], scope: Scope, totals: Totals
) -> list[Discrepancy]:
    """Run ``checks``; return every discrepancy, errors first, then by check id.

    A check that raises, returns something other than `Discrepancy` objects, or reports under
    another check's id is a `RuleError` naming its plugin and check.
    """
    found: list[Discrepancy] = []
    for entry in checks:
        check = entry.item
        try:
            reported = list(check.check(scope, totals))
        except Exception as err:
            raise _broken(
                entry, f"raised on scope {scope.id!r}: {type(err).__name__}: {err}"
            ) from err
        for item in reported:
            if not isinstance(item, Discrepancy):
                raise _broken(entry, f"gave {item!r}; expected a Discrepancy")
            if item.check_id != check.id:
                raise _broken(entry, f"reported under another check's id, {item.check_id!r}")
            found.append(item)
    found.sort(key=lambda d: (_ORDER[d.severity], d.check_id))
    return found


def run_reconciliation_checks(
    pm: SgfundPluginManager, scope: Scope, totals: Totals
) -> list[Discrepancy]:
    """Collect the plugins' checks for ``scope`` and run them over ``totals``."""
    return run_checks(reconciliation_checks(pm, scope), scope, totals)
