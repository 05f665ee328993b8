"""JSON packages written with msgspec are byte for byte what the careful encoder writes."""

from __future__ import annotations

from decimal import Decimal
from unittest import mock

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sgfund.io.threesixtygiving import dumps_package
from sgfund.io.threesixtygiving import write as write_module
from sgfund.io.threesixtygiving.fastjson import fast_dumps

pytest.importorskip("msgspec")


def _careful(package):
    with mock.patch.object(write_module, "fast_dumps", lambda _package: None):
        return dumps_package(package)


LEAVES = st.one_of(
    st.text(),
    st.integers(),
    st.booleans(),
    st.none(),
    st.decimals(allow_nan=False, allow_infinity=False),
    st.decimals(places=2, allow_nan=False, allow_infinity=False),
)
PLAIN = st.recursive(
    LEAVES,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=20,
)
ODD = st.one_of(
    st.floats(),
    st.decimals(),  # NaN and infinities among them
    st.text(alphabet=st.characters(min_codepoint=0xD800, max_codepoint=0xDFFF), min_size=1),
    st.dates(),
    st.tuples(st.integers()),
)


@given(st.dictionaries(st.text(), PLAIN, max_size=5))
def test_plain_packages_are_written_identically_by_both(package):
    fast = fast_dumps(package)
    assert fast is not None
    assert fast == _careful(package)


@given(st.dictionaries(st.text(), PLAIN, max_size=3), st.text(), ODD)
def test_anything_else_goes_to_the_careful_encoder(package, key, odd):
    package = {**package, key: [odd]}
    try:
        careful = _careful(package)
    except (ValueError, TypeError):
        careful = None
    fast = fast_dumps(package)
    if fast is not None:  # tuples of whole numbers are plain: then the text must agree
        assert fast == careful
    # What the public function does is what the careful encoder does.
    try:
        public = dumps_package(package)
    except (ValueError, TypeError):
        public = None
    assert public == careful


def test_money_stays_exact_and_non_finite_amounts_are_still_refused():
    text = dumps_package({"grants": [{"amountAwarded": Decimal("5950.00")}]})
    assert '"amountAwarded": 5950.00' in text
    with pytest.raises(ValueError, match="cannot write NaN"):
        dumps_package({"grants": [{"amountAwarded": Decimal("NaN")}]})


def test_without_msgspec_the_careful_encoder_writes_the_same(monkeypatch):
    from sgfund.io.threesixtygiving import fastjson

    package = {"grants": [{"id": "360G-x-1", "amountAwarded": Decimal("1.50"), "a": []}]}
    expected = dumps_package(package)
    monkeypatch.setattr(fastjson, "_encoder", lambda: None)
    assert fast_dumps(package) is None
    assert dumps_package(package) == expected
