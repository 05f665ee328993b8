"""The file importer against a real ledger file, not a stand-in."""

from __future__ import annotations

import importlib.util
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sgfund_westyorkshire import DATA_PLUGINS

from sgfund import make_plugin_manager
from sgfund.errors import DataError
from sgfund.examples_scf import GR1, GR2, SCF
from sgfund.io.importer import import_applications
from sgfund.ledger import Ledger

_spec = importlib.util.spec_from_file_location(
    "ledger_worker", Path(__file__).with_name("ledger_worker.py")
)
assert _spec and _spec.loader
worker = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(worker)

DATA = Path(__file__).parent / "data"
AT = datetime(2022, 6, 11, 9, tzinfo=UTC)


@pytest.fixture
def ledger(ledger_at):
    with Ledger.open(ledger_at("l.db"), clock=lambda: AT) as opened:
        opened.add_fund(SCF, actor="admin")
        for rnd in (GR1, GR2):
            opened.add_round(rnd, actor="admin")
            opened.set_round_state(rnd.id, "open", actor="admin")
        yield opened


# The built-in plugins and the vocabulary the example rounds name; nothing installed.
PM = make_plugin_manager(entry_points=False, plugins=DATA_PLUGINS)


def _count(ledger, table):
    conn = worker.RawSQL().connect(ledger.location)
    (n,) = conn.execute(f"SELECT count(*) FROM {table}").fetchone()  # noqa: S608
    conn.close()
    return n


def test_a_good_file_lands_in_the_ledger_with_its_events(ledger):
    result = import_applications(ledger, DATA / "good" / "gr2-messy.csv", actor="officer", pm=PM)
    assert _count(ledger, "applications") == len(result.applications) > 0
    assert _count(ledger, "decisions") == len(result.decisions)
    actions = [(e.action, e.actor) for e in ledger.events(round_id=GR2.id)]
    assert ("applications.added", "officer") in actions
    assert ledger.verify().ok


def test_importing_the_same_file_twice_adds_nothing_the_second_time(ledger):
    import_applications(ledger, DATA / "good" / "gr2-messy.csv", actor="officer", pm=PM)
    before = _count(ledger, "applications"), len(ledger.events())
    with pytest.raises(DataError, match="already in the ledger"):
        import_applications(ledger, DATA / "good" / "gr2-messy.csv", actor="officer", pm=PM)
    assert (_count(ledger, "applications"), len(ledger.events())) == before


def test_unknown_round_in_the_file_writes_nothing(ledger_at):
    with Ledger.open(ledger_at("one.db"), clock=lambda: AT) as only_gr1:
        only_gr1.add_fund(SCF, actor="admin")
        only_gr1.add_round(GR1, actor="admin")
        before = len(only_gr1.events())
        with pytest.raises(DataError, match="known round: one of mayor-gr1, got 'mayor-gr2'"):
            import_applications(only_gr1, DATA / "good" / "gr2-messy.csv", actor="officer", pm=PM)
        assert _count(only_gr1, "applications") == 0
        assert len(only_gr1.events()) == before


def test_a_bad_file_writes_nothing(ledger):
    before = len(ledger.events())
    with pytest.raises(DataError):
        import_applications(ledger, DATA / "bad" / "negative-amount.csv", actor="officer", pm=PM)
    assert _count(ledger, "applications") == 0
    assert _count(ledger, "organisations") == 0
    assert len(ledger.events()) == before


def test_applications_and_decisions_go_in_together_or_not_at_all(ledger, monkeypatch):
    def refuse(*_args, **_kwargs):
        raise DataError([], "decisions refused")

    monkeypatch.setattr(ledger, "record_decisions", refuse)
    before = len(ledger.events())
    with pytest.raises(DataError, match="decisions refused"):
        import_applications(ledger, DATA / "good" / "gr2-messy.csv", actor="officer", pm=PM)
    assert _count(ledger, "applications") == 0
    assert len(ledger.events()) == before
    assert ledger.verify().ok


def test_a_declared_theme_the_round_does_not_keep_reaches_the_rule_that_refers_it(ledger):
    # Reading and storing leave theme validity to one rule, so it can fire on real data:
    # a theme archived after the sheet was written is read, stored and then referred.
    from datetime import date

    import attrs
    from sgfund_westyorkshire import SAFEGUARDING_THEMES

    from sgfund import Status, assess, hookimpl

    archived = attrs.evolve(
        SAFEGUARDING_THEMES,
        version="2023",
        themes=[
            attrs.evolve(t, archived=t.slug == "stalking-harassment")
            for t in SAFEGUARDING_THEMES.themes
        ],
    )

    class Archived:
        @hookimpl
        def sgfund_theme_vocabularies(self, round):
            return [archived]

    pm = make_plugin_manager(entry_points=False, plugins=[Archived()])
    import_applications(ledger, DATA / "good" / "gr2-messy.csv", actor="officer", pm=pm)
    unknown = attrs.evolve(
        ledger.round_records(GR2.id).applications[0], id="GR2-900", declared_themes={"knitting"}
    )
    ledger.add_applications([unknown], actor="officer")
    stored = ledger.round_records(GR2.id).applications
    result = assess(GR2, stored, pm=pm, as_of=date(2022, 7, 1))
    referred = {
        a.application_id: [f.reason for f in a.findings if f.rule_id == "declared-themes-known"]
        for a in result.with_status(Status.REFER)
    }
    assert "'stalking-harassment' is archived" in referred["GR2-001"][0]
    assert "'knitting' is not in round mayor-gr2's vocabularies" in referred["GR2-900"][0]
