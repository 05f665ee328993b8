"""Encodings are decided from the bytes; delimiters from the header line."""

from __future__ import annotations

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from sgfund.errors import DataError
from sgfund.io.csv_reader import CsvSheet, sniff_delimiter
from sgfund.io.encoding import detect_encoding

_text = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=60
)


@given(lines=st.lists(_text, min_size=1, max_size=5))
def test_any_utf8_text_is_read_as_utf8(tmp_path_factory, lines):
    path = tmp_path_factory.mktemp("enc") / "a.csv"
    path.write_bytes("\n".join(lines).encode("utf-8"))
    assert detect_encoding(path) == "utf-8"


def _valid_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _cp1252_text(text: str) -> bool:
    try:
        text.encode("cp1252")
    except UnicodeEncodeError:
        return False
    return True


# Every printable character Windows-1252 can write, drawn directly rather than filtered.
_CP1252_CHARS = [chr(c) for c in range(0x20, 0x2123) if _cp1252_text(chr(c))]


@given(
    lines=st.lists(
        st.text(alphabet=st.sampled_from(_CP1252_CHARS), max_size=40),
        min_size=1,
        max_size=5,
    )
)
def test_windows_1252_text_is_read_as_itself_and_never_as_mojibake(tmp_path_factory, lines):
    text = "\n".join(lines)
    data = text.encode("cp1252")
    assume(not text.isascii())
    path = tmp_path_factory.mktemp("enc") / "a.csv"
    path.write_bytes(data)
    # A line whose Windows-1252 bytes happen to be valid UTF-8 ("Â\xa0") looks like UTF-8 on
    # its own; beside lines that are not, the file is refused as mixed rather than guessed.
    looks_utf8 = [
        line for line in lines if not line.isascii() and _valid_utf8(line.encode("cp1252"))
    ]
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        if looks_utf8:
            with pytest.raises(DataError, match="mixes encodings"):
                detect_encoding(path)
        else:
            assert detect_encoding(path) == "cp1252"
            assert path.read_text(encoding="cp1252") == text
    else:
        # Rare cp1252 text that is also valid UTF-8 ("Ã©") reads as UTF-8, as the bytes say.
        assert detect_encoding(path) == "utf-8"


def test_a_bom_says_utf8_even_for_plain_ascii(tmp_path):
    path = tmp_path / "a.csv"
    path.write_bytes(b"\xef\xbb\xbfa,b\r\n")
    assert detect_encoding(path) == "utf-8-sig"


def test_utf16_with_a_bom_is_read(tmp_path):
    path = tmp_path / "a.txt"
    path.write_text("Application ID\tAmount\nGR2-001\t£5\n", encoding="utf-16")
    sheet = CsvSheet(path)
    assert (sheet.encoding, sheet.delimiter) == ("utf-16", "\t")
    assert [r.cells for r in sheet] == [("Application ID", "Amount"), ("GR2-001", "£5")]


def test_utf32_is_refused(tmp_path):
    path = tmp_path / "a.csv"
    path.write_text("a,b\n", encoding="utf-32")
    with pytest.raises(DataError, match="the file is UTF-32"):
        detect_encoding(path)


def test_the_first_undefined_byte_is_named_even_after_valid_windows_1252(tmp_path):
    path = tmp_path / "a.csv"
    path.write_bytes(b"a,b\n\xa3 5,x\nc,\x9d\n")
    with pytest.raises(DataError) as caught:
        detect_encoding(path)
    assert "byte 0x9D at line 3 (byte offset 12)" in caught.value.problems[0].message
    assert caught.value.problems[0].value == "0x9D"


def test_a_given_encoding_is_used_and_its_decoding_errors_are_located(tmp_path):
    path = tmp_path / "a.csv"
    path.write_bytes(b"a,b\n1,2\n\xff,3\n")
    with pytest.raises(DataError) as caught:
        list(CsvSheet(path, encoding="utf-8"))
    assert caught.value.problems[0].message.startswith(
        "the file is not valid utf-8: byte 0xFF cannot be decoded (invalid start byte)"
    )


@pytest.mark.parametrize(
    ("line", "delimiter"),
    [
        ("a,b,c", ","),
        ("a;b;c", ";"),
        ("a\tb\tc", "\t"),
        ('"Amount, £";Title;Date', ";"),  # commas inside quotes do not count
        ("single", ","),
        ("a;b,c", None),
    ],
)
def test_the_delimiter_is_the_one_seen_most_outside_quotes(line, delimiter):
    assert sniff_delimiter(line) == delimiter


@given(
    cells=st.lists(st.from_regex(r"\A[A-Za-z £()]{1,12}\Z"), min_size=2, max_size=8),
    delimiter=st.sampled_from([",", ";", "\t"]),
)
def test_a_header_of_plain_names_gives_its_delimiter(cells, delimiter):
    assert sniff_delimiter(delimiter.join(cells)) == delimiter


def test_a_given_delimiter_is_not_sniffed(tmp_path):
    path = tmp_path / "a.csv"
    path.write_text("a;b,c\n1;2,3\n")
    assert [r.cells for r in CsvSheet(path, delimiter=",")] == [("a;b", "c"), ("1;2", "3")]
