"""Totals of a scope, to the penny: a small round worked by hand, and the sample GR2 pinned.

The hand-worked round has awards in two financial years, a district left blank, an award
with three themes (split by largest remainder) and one with none, an application of another
round and an award of another round, so each breakdown has something to get wrong.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from sgfund import Award, OrgType
from sgfund.errors import ReconciliationError
from sgfund.examples_scf import GR2, sample_records
from sgfund.scope import Scope
from sgfund.testing.builders import application, organisation, round
from sgfund.totals import NO_THEME, UNKNOWN, Bucket, Totals, compute_totals

D = Decimal
ONE = round(id="round-one")
TWO = round(id="round-two", name="Example Community Safety Fund, Round 2")
OTHER = round(id="round-other", name="Example Community Safety Fund, Round 9")

APPS = [
    application(ONE, id="A-1", amount_requested=D("1000.00")),
    application(
        ONE,
        id="A-2",
        amount_requested=D("2500.50"),
        organisation=organisation(type=OrgType.CIC, district=None, company_number="12345678"),
    ),
    application(ONE, id="A-3", amount_requested=D("0.01")),  # applied, not funded
    application(TWO, id="B-1", amount_requested=D("600.00")),
    application(OTHER, id="X-1", amount_requested=D("9999.00")),  # out of scope
]


def award(app_id: str, round_id: str, amount: str, on: date, themes=()) -> Award:
    return Award(
        id=f"{app_id}-A",
        application_id=app_id,
        round_id=round_id,
        amount=D(amount),
        awarded_on=on,
        start=date(2022, 8, 1),
        end=date(2023, 1, 31),
        themes=frozenset(themes),
    )


AWARDS = [
    award("A-1", ONE.id, "1000.00", date(2022, 3, 31), {"zeta", "alpha", "mid"}),
    award("A-2", ONE.id, "2000.01", date(2022, 4, 1)),
    award("B-1", TWO.id, "599.99", date(2022, 7, 1), {"alpha"}),
    award("X-1", OTHER.id, "9999.00", date(2022, 7, 1), {"alpha"}),
]
SCOPE = Scope(id="both-rounds", label="Rounds one and two", rounds=(ONE, TWO))


@pytest.fixture(scope="module")
def totals():
    return compute_totals(SCOPE, APPS, AWARDS)


def test_awards_and_applications_count_only_the_scope(totals):
    assert totals.scope_id == "both-rounds"
    assert totals.round_ids == ("round-one", "round-two")
    assert totals.awards == Bucket(3, D("3600.00"))
    assert totals.applications == Bucket(4, D("4100.51"))
    # What the three funded projects asked for: 1,000.00 + 2,500.50 + 600.00.
    assert totals.requested_by_awarded == D("4100.50")
    assert totals.advertised_pot == D("200000.00")  # both rounds' pots


def test_by_round_district_org_type_and_year(totals):
    assert totals.by_round == {
        "round-one": Bucket(2, D("3000.01")),
        "round-two": Bucket(1, D("599.99")),
    }
    assert totals.by_district == {
        UNKNOWN: Bucket(1, D("2000.01")),
        "Riverside": Bucket(2, D("1599.99")),
    }
    assert totals.by_org_type == {
        "cic": Bucket(1, D("2000.01")),
        "registered-charity": Bucket(2, D("1599.99")),
    }
    # 31 March is the last day of 2021/22; 1 April the first of 2022/23.
    assert totals.by_financial_year == {
        "2021/22": Bucket(1, D("1000.00")),
        "2022/23": Bucket(2, D("2600.00")),
    }


def test_themes_touching_and_apportioned_by_largest_remainder(totals):
    assert totals.by_theme_touching == {
        NO_THEME: Bucket(1, D("2000.01")),
        "alpha": Bucket(2, D("1599.99")),
        "mid": Bucket(1, D("1000.00")),
        "zeta": Bucket(1, D("1000.00")),
    }
    # £1,000.00 over alpha, mid and zeta (in that order): 333.34, 333.33, 333.33.
    assert totals.by_theme_apportioned == {
        NO_THEME: D("2000.01"),
        "alpha": D("933.33"),
        "mid": D("333.33"),
        "zeta": D("333.33"),
    }
    assert list(totals.by_theme_apportioned) == sorted(totals.by_theme_apportioned)
    assert sum(totals.by_theme_apportioned.values(), start=D(0)) == totals.awards.total


def test_a_round_alone_and_its_advertised_pot():
    only = compute_totals(ONE, APPS, AWARDS)
    assert only.scope_id == "round-one"
    assert only.round_ids == ("round-one",)
    assert only.awards == Bucket(2, D("3000.01"))
    assert only.applications == Bucket(3, D("3500.51"))
    assert only.advertised_pot == D("100000.00")


def test_a_round_with_no_awards_is_zero_pounds_not_nothing():
    empty = compute_totals(TWO, APPS, [])
    assert empty.awards == Bucket(0, D("0.00"))
    assert str(empty.awards.total) == "0.00"
    assert str(empty.requested_by_awarded) == "0.00"
    assert empty.by_round == {"round-two": Bucket(0, D("0.00"))}
    assert empty.by_district == {}
    assert empty.by_theme_apportioned == {}


def test_an_award_without_its_application_is_never_silently_skipped():
    stray = [
        *AWARDS,
        award("A-9", ONE.id, "5.00", date(2022, 7, 1)),
        award("A-8", TWO.id, "6.00", date(2022, 7, 1)),
    ]
    with pytest.raises(ReconciliationError) as caught:
        compute_totals(SCOPE, APPS, stray)
    assert "2 award(s) have no application in scope both-rounds: A-8-A, A-9-A" in str(caught.value)
    assert caught.value.actual == ["A-8-A", "A-9-A"]
    # An application of another round does not count as the award's application either.
    with pytest.raises(ReconciliationError, match="B-1-A"):
        compute_totals(ONE, APPS, [award("B-1", ONE.id, "5.00", date(2022, 7, 1))])
    # An award of a round outside the scope is not the scope's money: ignored, not an error.
    assert compute_totals(ONE, APPS[:3], [*AWARDS[:2], AWARDS[3]]).awards.count == 2


def test_sample_gr2_totals_to_the_penny():
    records = sample_records(GR2)
    t = compute_totals(GR2, records.applications, records.awards)
    assert t.awards == Bucket(61, D("326032.84"))
    assert t.applications == Bucket(81, D("419946.54"))
    assert t.requested_by_awarded == D("329283.54")
    assert {k: (b.count, str(b.total)) for k, b in t.by_district.items()} == {
        "Bradford": (13, "72762.28"),
        "Calderdale": (12, "61586.09"),
        "Kirklees": (12, "63226.06"),
        "Leeds": (12, "65869.95"),
        "Wakefield": (12, "62588.46"),
    }
    assert {k: (b.count, str(b.total)) for k, b in t.by_org_type.items()} == {
        "charitable-company": (9, "49973.80"),
        "cic": (9, "48473.13"),
        "cio": (9, "47216.34"),
        "company-limited-by-guarantee": (8, "43335.70"),
        "parish-or-town-council": (8, "44262.66"),
        "registered-charity": (9, "45735.75"),
        "unincorporated-community-group": (9, "47035.46"),
    }
    assert {k: str(v) for k, v in t.by_theme_apportioned.items()} == {
        "child-sexual-abuse-exploitation": "40004.83",
        "domestic-abuse": "26503.00",
        "fraud-cyber-crime": "70697.14",
        "honour-based-abuse": "66682.93",
        "human-trafficking-modern-slavery": "66364.76",
        "rape-sexual-offences": "27426.70",
        "stalking-harassment": "28353.48",
    }
    assert {k: (b.count, str(b.total)) for k, b in t.by_theme_touching.items()} == {
        "child-sexual-abuse-exploitation": (12, "65890.12"),
        "domestic-abuse": (11, "58110.28"),
        "fraud-cyber-crime": (20, "103550.36"),
        "honour-based-abuse": (22, "120661.32"),
        "human-trafficking-modern-slavery": (22, "122491.47"),
        "rape-sexual-offences": (9, "47340.05"),
        "stalking-harassment": (13, "70726.46"),
    }
    assert {k: (b.count, str(b.total)) for k, b in t.by_financial_year.items()} == {
        "2022/23": (61, "326032.84")
    }


def test_totals_built_by_hand_start_at_nothing():
    # Reconciling figures against totals made elsewhere starts from these defaults.
    empty = Totals(scope_id="s", round_ids=("s",))
    assert Bucket() == Bucket(0, D("0.00"))
    assert (empty.applications, empty.awards) == (Bucket(0, D("0.00")), Bucket(0, D("0.00")))
    assert str(empty.awards.total) == "0.00"
    assert str(empty.requested_by_awarded) == "0.00"
    with pytest.raises(TypeError):
        Totals("s", ("s",))  # keyword-only, so no figure lands in the wrong field


def test_the_refusal_names_the_first_ten_awards_without_an_application():
    strays = [award(f"Z-{n:02}", ONE.id, "1.00", date(2022, 7, 1)) for n in range(12)]
    with pytest.raises(ReconciliationError) as caught:
        compute_totals(ONE, APPS, strays)
    message = str(caught.value)
    assert "12 award(s) have no application in scope round-one" in message
    assert message.count("-A") == 10
    assert "Z-09-A" in message
    assert "Z-10-A" not in message
    assert len(caught.value.actual) == 12
