"""Write the inputs found by trying sgfund on real-world data (odd characters, capped problems,
damaged workbooks, bad mapping files) into tests/data/bad/.

Run from anywhere: ``python tests/data/make_real_world_files.py``. Text files are written
byte for byte (a test checks they still match this script); workbooks are real workbooks made
with openpyxl and then damaged the way a broken disk or tool would.
"""

from __future__ import annotations

import io
import json
import re
import sys
import zipfile
from pathlib import Path

from make_bad_files import DECISION_HEADER, HEADER, ROW_1, changed, table, workbook_bytes, xlsx_rows
from make_bad_files import csv_text as _csv_text

HERE = Path(__file__).resolve().parent
BAD = HERE / "bad"
STRAY_CELLS = 150


def write_csv(name: str, rows: list[list[str]]) -> None:
    (BAD / name).write_bytes(_csv_text(rows).encode("utf-8"))


def write_text(name: str, text: str) -> None:
    (BAD / name).write_bytes(text.encode("utf-8"))


def patched_workbook(name: str, rows: list[list[object]], old: str, new: str, part: str) -> None:
    """A real workbook whose ``part`` has ``old`` replaced by ``new`` (a regular expression)."""
    source = zipfile.ZipFile(io.BytesIO(workbook_bytes(xlsx_rows(rows))))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == part:
                text, count = re.subn(old, new, data.decode("utf-8"), count=1)
                assert count == 1, (name, part, old)
                data = text.encode("utf-8")
            info.date_time = (2022, 6, 13, 9, 0, 0)
            target.writestr(info, data)
    (BAD / name).write_bytes(out.getvalue())


def make_characters() -> None:
    write_csv(
        "non-ascii-digits.csv",
        table(
            changed(
                ROW_1,
                charity_number="\u0661\u0660\u0661\u0662\u0663\u0664\u0665",  # Arabic-Indic
                postcode="HX1 \u0661AA",
                amount_requested="£\uff11\uff12\uff13\uff14",  # full-width 1234
                project_start="\u0660\u0661/11/2022",
            )
        ),
    )
    write_csv(
        "control-characters.csv",
        table(
            changed(ROW_1, organisation_name="Calder\x07Valley", project_title="Safe\x1bat home")
        ),
    )
    write_csv(
        "spreadsheet-error-literals.csv",
        table(
            changed(
                ROW_1, organisation_name="#REF!", project_title="#N/A", amount_requested="#VALUE!"
            )
        ),
    )
    write_csv(
        "amount-beyond-the-maximum.csv",
        table(
            changed(ROW_1, amount_requested="£10,000,000,000,000"),
            changed(ROW_1, application_id="GR2-002", amount_requested="1" + "0" * 28),
        ),
    )


def make_rows() -> None:
    decision = {
        "outcome": "Approved",
        "amount_awarded": "£7,000",
        "decided_on": "14/09/2022",
        "decided_by": "Panel",
    }
    write_csv(
        "every-problem-of-a-row.csv",
        table(
            {**ROW_1, **decision, "postcode": "LS1", "project_end": "01/10/2022"},
            header=[*HEADER, *DECISION_HEADER],
        ),
    )
    rows = table(ROW_1, changed(ROW_1, application_id="GR2-002"))
    rows[1] += ["x"] * STRAY_CELLS
    rows[2] += ["y"] * 5
    write_csv("stray-cells-over-the-cap.csv", rows)


def make_workbooks() -> None:
    rows: list[list[object]] = [list(r) for r in table(ROW_1)]
    # A cell pointing past the end of the shared strings (IndexError inside openpyxl).
    patched_workbook(
        "bad-shared-string-index.xlsx",
        rows,
        r'<c r="C2" t="inlineStr"><is><t>[^<]*</t></is></c>',
        '<c r="C2" t="s"><v>9999</v></c>',
        "xl/worksheets/sheet1.xml",
    )
    # A number cell whose value is not a number (ValueError inside openpyxl).
    patched_workbook(
        "non-numeric-number-cell.xlsx",
        [*rows[:1], [*rows[1][:8], 5950, *rows[1][9:]]],
        r'<c r="I2" t="n"><v>5950</v>',
        '<c r="I2" t="n"><v>five</v>',
        "xl/worksheets/sheet1.xml",
    )


def make_mappings() -> None:
    write_text(
        "mapping-two-fields-one-header.toml",
        '[columns]\nproject_summary = "Summary"\nproject_title = "summary "\n',
    )
    write_text(
        "mapping-names-a-missing-column.toml",
        'notes = ["Officer comments"]\n\n[columns]\namount_requested = "Grant sought"\n',
    )
    write_text("mapping-constant-and-column.toml", '[constants]\nround_id = "mayor-gr2"\n')
    write_text("mapping-too-deep.json", "[" * 100_000 + "]" * 100_000 + "\n")
    write_text(
        "mapping-unknown-key.toml",
        'sheet = "Apps"\n\n[colums]\nproject_title = "Project"\n',
    )
    write_text(
        "mapping-bad-constant.toml",
        "[constants]\n"
        'round_id = "mayor-gr9"\n'
        'decided_on = "31/02/2022"\n'
        'decided_by = "Panel"\n'
        'currency = "EUR"\n',
    )
    write_text(
        "mapping-bad-value.toml",
        '[values.outcome]\n"Funded" = "maybe"\n\n'
        '[values.organisation_type]\n"Police" = "constabulary"\n',
    )
    (BAD / "mapping-not-utf8.json").write_bytes(
        json.dumps({"columns": {"project_title": "Projet"}})
        .encode()
        .replace(b"Projet", b"Proj\xe9t")
    )


def main() -> int:
    BAD.mkdir(exist_ok=True)
    make_characters()
    make_rows()
    make_workbooks()
    make_mappings()
    return 0


if __name__ == "__main__":
    sys.exit(main())
