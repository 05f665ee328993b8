"""What a region or funder brings through hooks: theme vocabularies and areas."""

import pytest

from sgfund import (
    Area,
    AreaSet,
    FieldError,
    PluginError,
    Theme,
    ThemeVocabulary,
    describe,
    hookimpl,
    make_plugin_manager,
    round_areas,
    round_vocabularies,
)
from sgfund.testing.builders import round

LOCAL = ThemeVocabulary(
    id="local",
    label="Local priorities",
    version="1",
    themes=[Theme(slug="knife-crime", label="Knife crime")],
)
ROADS = ThemeVocabulary(
    id="roads", label="Roads", version="2", themes=[Theme(slug="road-safety", label="Roads")]
)


class Local:
    @hookimpl
    def sgfund_theme_vocabularies(self, round):
        yield LOCAL


class Roads:
    @hookimpl
    def sgfund_theme_vocabularies(self):
        return [ROADS]


def manager(*plugins):
    return make_plugin_manager(plugins=plugins, defaults=False, entry_points=False)


def test_a_round_gets_the_vocabularies_it_names_in_its_order():
    pm = manager(Local(), Roads())
    found = round_vocabularies(pm, round(theme_vocabularies=("roads", "local")))
    assert [v.id for v in found.vocabularies] == ["roads", "local"]
    assert round_vocabularies(pm, round()).vocabularies == ()


def test_a_vocabulary_id_given_by_two_plugins_names_both():
    class Again:
        @hookimpl
        def sgfund_theme_vocabularies(self, round):
            return [LOCAL]

    with pytest.raises(PluginError) as info:
        round_vocabularies(manager(Local(), Again()), round(theme_vocabularies=("local",)))
    assert set(info.value.plugins) == {"Local", "Again"}


def test_two_vocabularies_sharing_a_slug_cannot_serve_one_round():
    twin = ThemeVocabulary(
        id="twin", label="Twin", version="1", themes=[Theme(slug="knife-crime", label="Knives")]
    )

    class Twin:
        @hookimpl
        def sgfund_theme_vocabularies(self, round):
            return [twin]

    pm = manager(Local(), Twin())
    assert round_vocabularies(pm, round(theme_vocabularies=("twin",))).slugs == {"knife-crime"}
    with pytest.raises(PluginError, match="'knife-crime' is in both local and twin"):
        round_vocabularies(pm, round(theme_vocabularies=("local", "twin")))


DISTRICTS = AreaSet(
    id="districts",
    label="Two districts",
    areas=(
        Area(name="North", code="E08000001", code_type="MD"),
        Area(name="South", code="E08000002", code_type="MD"),
    ),
    locate=lambda postcode: {"NN1": "North", "SS1": "South"}.get(postcode.split(" ")[0]),
)


class Districts:
    @hookimpl
    def sgfund_areas(self, round):
        if round.fund_id == "example-fund":
            yield DISTRICTS


def test_areas_come_from_plugins_for_the_rounds_they_serve():
    pm = manager(Districts())
    areas = round_areas(pm, round())
    assert areas.get("North").code == "E08000001"
    assert areas.get("Elsewhere") is None
    assert areas.locate("SS1 2AB").name == "South"
    assert areas.locate("ZZ1 2AB") is None
    assert round_areas(pm, round(fund_id="other-fund")).get("North") is None


def test_an_area_named_in_two_sets_is_an_error_naming_the_plugins():
    class Overlap:
        @hookimpl
        def sgfund_areas(self, round):
            yield AreaSet(
                id="wards",
                label="Wards",
                areas=(Area(name="North", code="E05000001", code_type="WD"),),
            )

    with pytest.raises(PluginError, match="'North' is in both districts and wards") as info:
        round_areas(manager(Districts(), Overlap()), round())
    assert set(info.value.plugins) == {"Districts", "Overlap"}


def test_area_sets_refuse_a_name_twice_and_codes_with_spaces():
    with pytest.raises(FieldError, match="areas"):
        AreaSet(id="x", label="X", areas=[DISTRICTS.areas[0], DISTRICTS.areas[0]])
    with pytest.raises(FieldError, match="code"):
        Area(name="North", code="E08 000001", code_type="MD")


def test_the_listing_shows_vocabularies_and_areas_with_their_plugins():
    pm = manager(Local(), Districts())
    text = describe(pm, round=round(theme_vocabularies=("local",))).to_markdown()
    assert "- **local** (version 1, plugin Local): Local priorities: Knife crime" in text
    assert "- **districts** (plugin Districts): Two districts: North (MD E08000001)" in text
