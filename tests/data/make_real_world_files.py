"""Write the inputs found by trying sgfund on real-world data (odd characters, capped problems,
damaged workbooks, bad mapping files) into tests/data/bad/.

Run from anywhere: ``python tests/data/make_real_world_files.py``. Text files are written
byte for byte (a test checks they still match this script); workbooks are real workbooks made
with openpyxl and then damaged the way a broken disk or tool would.
"""

from __future__ import annotations

import csv
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


# --- another publisher's 360Giving file (fictional) -------------------------------------------

GOOD = HERE / "good"
FUNDER = {"id": "GB-CHC-1990999", "name": "Northfield Community Foundation"}
ODD_POSTCODES = (
    "D02 X285",  # Dublin (Eircode)
    "75001",  # Paris
    "1011 AB",  # Amsterdam
    "N/A",
    "TBC",
    "LS1",  # half a postcode
    "BT1",
    "HX1 1A",
    "A65 F4E2",  # Eircode
    "10115",  # Berlin
    "LS11AAA",
    "see address",
    "V94 T9PX",  # Eircode
    "2000",  # Sydney
    "H91 E2K3",  # Eircode
)
FOREIGN_CHARITIES = (
    "20012345",  # Ireland (RCN)
    "CHY 12345",  # Ireland (CHY)
    "20098765",
    "CHY 6789",
    "20054321",
    "12-3456789",  # United States (EIN)
    "SCIO 42",
    "20011111",
)
ARTEFACTS = ("41133.770000000004", "2999.9999999999995")
PROGRAMMES = (
    ("community-safety", "Community Safety Fund"),
    ("Youth Fund 2022", "Youth Fund 2022"),
    ("warm-spaces", "Warm Spaces"),
)


def _other_grant(i: int) -> dict[str, object]:
    from decimal import Decimal

    code, programme = PROGRAMMES[i % 3]
    year = 2021 + i % 3
    grant_id = f"360G-northfieldcf-{year}-{i:04d}" if i % 20 != 7 else f"360G-northfieldcf/{i}"
    awarded: object = Decimal(f"{1000 + (i * 137) % 9000}.{i % 100:02d}")
    applied: object = Decimal(f"{1500 + (i * 137) % 9000}.00")
    if i % 6 == 0:
        awarded, applied = 1000 + i * 50, 1500 + i * 50  # whole pounds, as JSON integers
    if i in (11, 29):
        awarded = Decimal(ARTEFACTS[0 if i == 11 else 1])
    grant: dict[str, object] = {
        "id": grant_id,
        "title": f"Project {i}: {programme}",
        "description": f"Grant {i} towards a {programme.lower()} project",
        "currency": "GBP",
        "amountAppliedFor": applied,
        "amountAwarded": awarded,
        "awardDate": f"{year}-{1 + i % 12:02d}-15",
        "plannedDates": [
            {"startDate": f"{year}-{1 + i % 12:02d}-15", "duration": 12 if i % 4 else 6}
        ],
        "fundingOrganization": [dict(FUNDER)],
        "grantProgramme": [{"code": code, "title": programme}],
        "beneficiaryLocation": [{"name": ("Northfield", "Eastbrook", "Dublin")[i % 3]}],
        "dataSource": "https://example.org/northfield/grants.json",
        "dateModified": f"{year + 1}-04-01T09:00:00+00:00",
    }
    if i in (43, 55):
        grant["recipientIndividual"] = {"id": f"360G-northfieldcf-IND-{i}", "name": "Individual"}
        return grant
    org: dict[str, object] = {"id": f"GB-CHC-{1990000 + i}", "name": f"Group {i}"}
    org["charityNumber"] = str(1990000 + i)
    org["postalCode"] = f"NF{1 + i % 9} {i % 10}AB"
    if i < len(FOREIGN_CHARITIES):
        org["id"] = f"XI-NORTHFIELD-{i}"
        org["charityNumber"] = FOREIGN_CHARITIES[i]
    if 20 <= i < 20 + len(ODD_POSTCODES):
        org["postalCode"] = ODD_POSTCODES[i - 20]
    grant["recipientOrganization"] = [org]
    if i == 50:
        grant["description"] += "; contact grants@example.org"
    return grant


def make_other_publisher() -> None:
    from sgfund.io.threesixtygiving import csv_table, dumps_package

    grants = [_other_grant(i) for i in range(60)]
    package = {
        "version": "1.4",
        "title": "Northfield Community Foundation grants (fictional)",
        "issued": "2024-04-01",
        "publisher": {"name": FUNDER["name"], "identifier": FUNDER["id"]},
        "license": "https://creativecommons.org/licenses/by/4.0/",
        "grants": grants,
    }
    (GOOD / "other-publisher-grants.json").write_bytes(dumps_package(package).encode())
    columns, rows = csv_table(grants)
    out = io.StringIO(newline="")
    writer = csv.DictWriter(out, fieldnames=columns, restval="", lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    (GOOD / "other-publisher-grants.csv").write_bytes(out.getvalue().encode())


def main() -> int:
    BAD.mkdir(exist_ok=True)
    GOOD.mkdir(exist_ok=True)
    make_characters()
    make_rows()
    make_workbooks()
    make_mappings()
    make_other_publisher()
    return 0


if __name__ == "__main__":
    sys.exit(main())
