"""After the award on the command line: the demo's figures and the refusals, as a user sees them."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from click.testing import CliRunner

from sgfund.cli import cli


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    folder = tmp_path_factory.mktemp("post-award-demo")
    result = CliRunner().invoke(cli, ["demo", str(folder), "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout), folder


def sgfund(folder, *args):
    return CliRunner().invoke(cli, ["--db", str(folder / "sgfund.db"), *args])


def test_the_demos_post_award_figures_add_up_to_the_penny(demo):
    data, _ = demo
    figures = data["extra"]["post_award"]
    money = {k: Decimal(figures[k]) for k in ("awarded", "paid", "outstanding", "recovered")}
    assert money == {
        "awarded": Decimal("325870.34"),  # £326,032.84 + £250.00 varied - £412.50 clawed back
        "paid": Decimal("320511.12"),
        "outstanding": Decimal("5771.72"),  # second halves waiting for overdue returns
        "recovered": Decimal("412.50"),
    }
    assert money["awarded"] == money["paid"] + money["outstanding"] - money["recovered"]
    assert (figures["completed"], figures["returns_due"], figures["returns_overdue"]) == (57, 4, 4)
    assert figures["balanced"] and data["verified"]


def test_the_cli_and_the_360giving_export_give_the_demos_figures(demo):
    data, folder = demo
    figures = data["extra"]["post_award"]
    shown = sgfund(folder, "post-award", "mayor-gr2", "--as-of", figures["as_of"], "--json")
    assert shown.exit_code == 0, shown.output
    assert {k: v for k, v in json.loads(shown.stdout).items() if k in figures} == {
        k: v for k, v in figures.items() if k != "round"
    }
    text = sgfund(folder, "post-award", "mayor-gr2", "--as-of", figures["as_of"]).stdout
    assert "awarded £325,870.34  paid £320,511.12  outstanding £5,771.72  recovered £412.50" in (
        text
    )
    package = json.loads((folder / "wy-scf-xi-sgfund-wyca.json").read_text(), parse_float=Decimal)
    gr2 = [g for g in package["grants"] if g["grantProgramme"][0]["code"] == "mayor-gr2"]
    awarded = sum(g["amountAwarded"] for g in gr2)
    disbursed = sum(g.get("amountDisbursed", Decimal(0)) for g in gr2)
    assert awarded == Decimal(figures["awarded"])
    # Disbursed is what was paid and not returned: awarded less disbursed is outstanding.
    assert disbursed == Decimal(figures["paid"]) - Decimal(figures["recovered"])
    assert awarded - disbursed == Decimal(figures["outstanding"])
    overdue = sgfund(folder, "returns", "due", "--overdue", "--as-of", figures["as_of"], "--json")
    # Only GR2's: another test in this module records a GR1 offer on the same ledger.
    returns = json.loads(overdue.stdout)["returns"]
    assert len([r for r in returns if r["round"] == "mayor-gr2"]) == 4


def test_the_refusals_a_user_relies_on(demo):
    _, folder = demo
    award = "GR1-001-A"

    def step(*args, actor="grants-officer", when="2022-04-04"):
        return sgfund(folder, *args, "--actor", actor, "--as-of", when)

    assert step("offers", "make", award).exit_code == 0
    early = step("payments", "pay", award, "1", "--amount", "10.00", actor="finance-officer")
    assert early.exit_code == 1
    assert "cannot be paid before the offer is accepted" in early.stderr
    assert step("offers", "accept", award, actor="grantee", when="2022-04-05").exit_code == 0
    authorised = step("payments", "authorise", award, "1", actor="fund-manager", when="2022-04-06")
    assert authorised.exit_code == 0, authorised.output
    own = step("payments", "pay", award, "1", actor="fund-manager", when="2022-04-07")
    assert own.exit_code == 1
    assert "separation of duties: fund-manager authorised instalment 1" in own.stderr
    over = step(
        "payments",
        "pay",
        award,
        "1",
        "--amount",
        "999999.00",
        actor="finance-officer",
        when="2022-04-07",
    )
    assert over.exit_code == 1 and "more than the" in over.stderr
    # Paid at 09:15 UTC, 10:15 in London (BST): JSON gives the London time with its offset.
    paid = step(
        "payments", "pay", award, "1", actor="finance-officer", when="2022-04-07T09:15+00:00"
    )
    assert paid.exit_code == 0, paid.output
    twice = step("payments", "pay", award, "1", actor="finance-officer", when="2022-04-08")
    assert twice.exit_code == 1
    assert "instalment 1 was already paid on 2022-04-07 by finance-officer" in twice.stderr
    assert "Traceback" not in twice.output
    shown = json.loads(sgfund(folder, "payments", "list", "mayor-gr1", "--json").stdout)
    [mine] = [a for a in shown["awards"] if a["award"] == award]
    assert mine["status"] == "active"
    assert mine["instalments"][0]["paid_at"] == "2022-04-07T10:15:00+01:00"
    assert Decimal(mine["awarded"]) == Decimal(mine["paid"]) + Decimal(mine["outstanding"])
    assert sgfund(folder, "audit", "verify").exit_code == 0


def test_the_committee_report_shows_the_same_figures(demo):
    from datetime import date

    from sgfund.ledger import Ledger
    from sgfund.report import render_html, render_markdown
    from sgfund.workflow import demo_plugin_manager, reconcile_scope, scope_report

    data, folder = demo
    figures = data["extra"]["post_award"]
    with Ledger.open(folder / "sgfund.db") as ledger:
        pm = demo_plugin_manager()
        rec = reconcile_scope(ledger, ["mayor-gr2"], pm=pm, scope_id="gr2", label="GR2")
        report = scope_report(
            ledger, rec, pm=pm, post_award_as_of=date.fromisoformat(figures["as_of"])
        )
    [line] = report.post_award
    assert line.balanced
    assert (line.awarded, line.paid, line.outstanding, line.recovered) == tuple(
        Decimal(figures[k]) for k in ("awarded", "paid", "outstanding", "recovered")
    )
    assert (line.returns_due, line.returns_overdue) == (4, 4)
    row = "| £325,870.34 | £320,511.12 | £5,771.72 | £412.50 | 4 | 4 |"
    assert row in render_markdown(report)
    html = render_html(report)
    assert 'id="post-award"' in html and "£5,771.72" in html
