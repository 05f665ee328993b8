"""Published figures that could never match are refused where they are written."""

from decimal import Decimal

import pytest

from sgfund.errors import DataError, FieldError
from sgfund.io.declared import read_declared_figures
from sgfund.scope import DeclaredFigure, Figure, Precision


def test_a_count_of_projects_is_a_whole_number():
    with pytest.raises(FieldError, match="a whole number of projects") as caught:
        DeclaredFigure(figure="projects", value="5.5", precision="exact", published_text="5.5")
    assert caught.value.field == "value"
    assert DeclaredFigure(figure="projects", value=5, precision="exact", published_text="5").value


@pytest.mark.parametrize(
    ("value", "unit", "ok"),
    [("13000", 1000, True), ("13500", 1000, False), ("534286", 1, True), ("0.5", 1, False)],
)
def test_a_rounded_figure_is_a_multiple_of_its_unit(value, unit, ok):
    def make() -> DeclaredFigure:
        return DeclaredFigure(
            figure=Figure.TOTAL_AWARDED,
            value=value,
            precision=Precision.ROUNDED,
            unit=unit,
            published_text=f"£{value}",
        )

    if ok:
        assert make().value == Decimal(value)
    else:
        with pytest.raises(FieldError, match=f"a multiple of the rounding unit {unit:,}"):
            make()


def test_the_declared_figures_file_lists_every_problem_of_every_row(tmp_path):
    path = tmp_path / "declared.csv"
    path.write_text(
        "scope,figure,published_text,value,precision,published,source_ids,note\r\n"
        "csf-r1,projects,five,5.5,approx,,,\r\n"  # a bad precision does not hide the value
        ",total_awarded,x,NaN,exact,,,\r\n"
        'csf-r1,total_awarded,"£13,000",13500,rounded to £1k,,,\r\n'
        'csf-r1,total_awarded,"£13,000",13000,rounded to £1k,,,\r\n',
        "utf-8",
    )
    with pytest.raises(DataError, match="5 problem") as caught:
        read_declared_figures(path)
    found = [(p.row, p.column) for p in caught.value.problems]
    assert found == [(2, "precision"), (2, "value"), (3, "scope"), (3, "value"), (4, "value")]
    assert "whole number of projects" in caught.value.problems[1].message
    assert caught.value.problems[4].expected.startswith("a multiple of the rounding unit 1,000")
