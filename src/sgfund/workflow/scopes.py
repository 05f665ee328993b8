"""Scopes of a fund: which rounds a key names, its declared figures, reconciling and totals.

A scope key is a scope of the fund file (``mayor-scf-2022``), a round id, rounds joined by
``+`` or a range of rounds in the order they opened (``pcc-r19..pcc-r20``); its published
figures are the fund file's for that key, or a declared-figures file's.
"""

from __future__ import annotations

import os
from collections.abc import Sequence

from attrs import frozen

from sgfund.collect import SgfundPluginManager
from sgfund.errors import WorkflowError
from sgfund.fundfile import FundFile
from sgfund.fundfile.ledger import stored_fund_file
from sgfund.ledger import Ledger
from sgfund.reconcile import Reconciliation, reconcile
from sgfund.scope import DeclaredFigure, Scope
from sgfund.totals import Totals, compute_totals

__all__ = [
    "DeclaredChoice",
    "ScopeChoice",
    "declared_from_file",
    "fund_file_in_force",
    "reconcile_scope",
    "resolve_scope",
    "scope_id_for",
    "scope_round_ids",
    "scope_totals",
]


def fund_file_in_force(ledger: Ledger) -> FundFile | None:
    """The fund file last applied to the ledger's fund (None if no fund file was applied).

    A ledger holding rounds of several funds is a `WorkflowError`: say which scope instead.
    """
    funds = {ledger.round(rid).fund_id for rid in ledger.rounds()}
    if not funds:
        return None
    if len(funds) > 1:
        raise WorkflowError(
            f"the ledger holds rounds of several funds ({', '.join(sorted(funds))}): "
            "give the figures and publishers explicitly"
        )
    return stored_fund_file(ledger, funds.pop())


def scope_id_for(key: str) -> str:
    """A scope key as an identifier: ``mayor-gr1+mayor-gr2`` -> ``mayor-gr1_mayor-gr2``."""
    return key.replace("..", "_to_").replace("+", "_")


def scope_round_ids(ledger: Ledger, key: str) -> tuple[str, ...]:
    """The rounds a scope key names: ``"a+b"`` (each), ``"a..c"`` (a range) or one round id.

    A range runs over the ledger's rounds in the order they opened. An unknown round is a
    `WorkflowError`.
    """
    known = ledger.rounds()
    ordered = sorted(known, key=lambda rid: (ledger.round(rid).opens_at, rid))
    chosen: list[str] = []
    for part in key.split("+"):
        first, dots, last = part.strip().partition("..")
        for rid in (first, last) if dots else (first,):
            if rid not in known:
                raise WorkflowError(
                    f"scope {key!r}: round {rid!r} is not in the ledger "
                    f"(rounds: {', '.join(ordered) or 'none'})"
                )
        if dots:
            start, end = ordered.index(first), ordered.index(last)
            chosen.extend(ordered[start : end + 1])
        else:
            chosen.append(first)
    return tuple(dict.fromkeys(chosen))


@frozen(kw_only=True)
class ScopeChoice:
    """A scope as the ledger and its fund file define it: rounds, label, published figures."""

    id: str
    label: str
    round_ids: tuple[str, ...]
    declared: tuple[DeclaredFigure, ...]


def resolve_scope(ledger: Ledger, key: str) -> ScopeChoice:
    """What a scope key names: a scope of the fund file in force (``mayor-scf-2022``), or
    rounds (`scope_round_ids`); with the fund file's published figures for that key.
    """  # noqa: D205 - the summary needs both lines
    ff = fund_file_in_force(ledger)
    declared = () if ff is None else ff.declared_for(key)
    if ff is not None and key in ff.scopes:
        scope = ff.scopes[key]
        return ScopeChoice(
            id=scope.id,
            label=scope.label,
            round_ids=tuple(r.id for r in scope.rounds),
            declared=declared,
        )
    round_ids = scope_round_ids(ledger, key)
    label = ledger.round(round_ids[0]).name if len(round_ids) == 1 else key
    return ScopeChoice(id=scope_id_for(key), label=label, round_ids=round_ids, declared=declared)


@frozen(kw_only=True)
class DeclaredChoice:
    """A declared-figures CSV's figures for one scope key, and what in the file was not used.

    ``warnings`` name each row that is not a figure sgfund computes (by row) and each scope in
    the file that names no scope or round in the ledger, so a reconciliation is never reported
    without saying that the file held figures it did not compare.
    """

    file: str
    figures: tuple[DeclaredFigure, ...]
    warnings: tuple[str, ...]


def declared_from_file(ledger: Ledger, path: str | os.PathLike[str], key: str) -> DeclaredChoice:
    """The figures for scope ``key`` in a declared-figures CSV (`read_declared_figures`).

    Figures for other scopes the ledger knows are left for those scopes without a word; the
    rest of the file is in `DeclaredChoice.warnings`.
    """
    from sgfund.io.declared import read_declared_figures

    name = os.fspath(path)
    read = read_declared_figures(name)
    warnings = [f"{name}: row {row}: {reason}; not compared" for row, reason in read.skipped]
    for other, figures in sorted(read.by_scope.items()):
        if other == key:
            continue
        try:
            resolve_scope(ledger, other)
        except WorkflowError as err:
            warnings.append(f"{name}: {len(figures)} figure(s) not compared: {err}")
    if key not in read.by_scope:
        held = ", ".join(repr(k) for k in sorted(read.by_scope)) or "none"
        warnings.append(f"{name}: no figures for scope {key!r} (scopes in the file: {held})")
    return DeclaredChoice(
        file=name, figures=tuple(read.by_scope.get(key, ())), warnings=tuple(warnings)
    )


def reconcile_scope(
    ledger: Ledger,
    round_ids: Sequence[str],
    *,
    pm: SgfundPluginManager,
    scope_id: str,
    label: str,
    declared: Sequence[DeclaredFigure] = (),
) -> Reconciliation:
    """Reconcile the rounds' totals, as the ledger holds them, against ``declared`` figures."""
    records = [ledger.round_records(rid) for rid in round_ids]
    scope = Scope(id=scope_id, label=label, rounds=[r.round for r in records], declared=declared)
    applications = [a for r in records for a in r.applications]
    awards = [a for r in records for a in r.awards]
    return reconcile(scope, compute_totals(scope, applications, awards), pm=pm)


def scope_totals(ledger: Ledger, round_ids: Sequence[str], *, scope_id: str, label: str) -> Totals:
    """The rounds' totals as the ledger holds them (`sgfund.totals.compute_totals`)."""
    records = [ledger.round_records(rid) for rid in round_ids]
    scope = Scope(id=scope_id, label=label, rounds=[r.round for r in records])
    applications = [a for r in records for a in r.applications]
    awards = [a for r in records for a in r.awards]
    return compute_totals(scope, applications, awards)
