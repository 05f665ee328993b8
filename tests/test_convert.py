import json
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sgfund import (
    Application,
    Award,
    Decision,
    Era,
    Fund,
    MoneyTypeError,
    Organisation,
    Round,
    Theme,
    ThemeVocabulary,
    ValidationError,
    dumps,
    loads,
    structure,
    unstructure,
)
from sgfund.examples_scf import GR2
from sgfund.testing import strategies as sst

MODELS = [
    (sst.funds(), Fund),
    (sst.eras(), Era),
    (sst.rounds(), Round),
    (sst.rounds(vocabulary_ids=("safeguarding", "local-priorities")), Round),
    (sst.organisations(), Organisation),
    (sst.applications(), Application),
    (sst.decisions(), Decision),
    (sst.awards(), Award),
    (sst.themes(), Theme),
    (sst.vocabularies(), ThemeVocabulary),
]


@pytest.mark.parametrize(("strategy", "cls"), MODELS, ids=[c.__name__ for _, c in MODELS])
def test_every_model_round_trips_through_json(strategy, cls):
    @given(strategy)
    def check(obj):
        assert loads(dumps(obj), cls) == obj
        assert structure(unstructure(obj), cls) == obj

    check()


def test_json_form_is_stable_and_readable():
    data = json.loads(dumps(GR2))
    assert data["advertised_pot"] == "270000.00"
    assert data["closes_at"] == "2022-06-10T12:00:00+01:00"
    assert data["eligible_org_types"] == sorted(data["eligible_org_types"])
    assert dumps(GR2) == dumps(loads(dumps(GR2), Round))


def test_unknown_keys_are_errors_with_a_path():
    data = unstructure(GR2)
    data["era"]["colour"] = "red"
    with pytest.raises(ValidationError) as err:
        structure(data, Round)
    assert "colour" in str(err.value)
    assert "Round.era" in str(err.value)


def test_float_money_in_json_is_a_type_error_naming_the_field():
    data = unstructure(GR2)
    data["max_grant"] = 6000.0
    with pytest.raises(MoneyTypeError) as err:
        structure(data, Round)
    assert err.value.field == "Round.max_grant"
    assert isinstance(err.value, TypeError)
    with pytest.raises(TypeError, match=r"Round\.advertised_pot"):
        loads(json.dumps({**unstructure(GR2), "advertised_pot": 270000.5}), Round)


def test_errors_list_every_problem_with_paths():
    data = unstructure(GR2)
    data["id"] = "Not A Slug"
    del data["name"]
    data["max_project_months"] = "12"
    with pytest.raises(ValidationError) as err:
        structure(data, Round)
    problems = {p.field: p.message for p in err.value.problems}
    assert problems == {
        "Round.id": "expected a slug of lower-case letters, digits and hyphens, got 'Not A Slug'",
        "Round.max_project_months": "expected a whole number, got '12'",
        "Round.name": "required field missing",
    }


def test_naive_datetime_refused():
    data = unstructure(GR2)
    data["opens_at"] = "2022-05-09T09:00:00"
    with pytest.raises(ValidationError, match=r"Round\.opens_at"):
        structure(data, Round)


@given(st.decimals(places=2, allow_nan=False, allow_infinity=False, min_value=0, max_value=10**9))
def test_money_text_round_trips(amount):
    assert structure(unstructure(amount), Decimal) == amount
