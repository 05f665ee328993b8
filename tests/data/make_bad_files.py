"""Write the import test corpus: tests/data/bad/ (malformed files) and tests/data/good/.

Run from anywhere: ``python tests/data/make_bad_files.py``. CSV files are written byte for
byte (tests check they still match this script); XLSX files are real workbooks made with
openpyxl, and the truncated one is a real workbook cut short.
"""

from __future__ import annotations

import io
import json
import sys
from collections.abc import Callable, Sequence
from datetime import date, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
BAD = HERE / "bad"
GOOD = HERE / "good"

HEADER = [
    "application_id",
    "round_id",
    "organisation_name",
    "organisation_type",
    "charity_number",
    "postcode",
    "district",
    "project_title",
    "amount_requested",
    "project_start",
    "project_end",
    "submitted_at",
    "themes",
]
DECISION_HEADER = ["outcome", "amount_awarded", "decided_on", "decided_by"]

ROW_1 = {
    "application_id": "GR2-001",
    "round_id": "mayor-gr2",
    "organisation_name": "Calder Valley Women's Refuge",
    "organisation_type": "Registered charity",
    "charity_number": "1012345",
    "postcode": "HX1 1AA",
    "district": "Calderdale",
    "project_title": "Safe at home",
    "amount_requested": "£5,950.00",
    "project_start": "01/11/2022",
    "project_end": "31/10/2023",
    "submitted_at": "10/06/2022 11:59",
    "themes": "domestic-abuse; stalking-harassment",
}
ROW_2 = {
    **ROW_1,
    "application_id": "GR2-002",
    "organisation_name": "Keighley Street Watch",
    "organisation_type": "Community group",
    "charity_number": "",
    "postcode": "BD21 3AA",
    "district": "Bradford",
    "project_title": "Street watch",
    "amount_requested": "2400",
    "project_start": "01/12/2022",
    "project_end": "30/11/2023",
    "submitted_at": "09/06/2022 16:05",
    "themes": "Stalking and Harassment",
}
ROW_3 = {
    **ROW_1,
    "application_id": "GR2-003",
    "organisation_name": "Wakefield Youth Boxing CIC",
    "organisation_type": "CIC",
    "charity_number": "",
    "postcode": "WF1 2AB",
    "district": "Wakefield",
    "project_title": "Gloves not knives",
    "amount_requested": "£4,000",
    "submitted_at": "08/06/2022 09:30",
    "themes": "child-sexual-abuse-exploitation",
}


def quote(cell: str, delimiter: str = ",") -> str:
    """Quote a cell the way Excel does: only when it must."""
    if any(c in cell for c in (delimiter, '"', "\n", "\r")):
        return '"' + cell.replace('"', '""') + '"'
    return cell


def csv_text(rows: Sequence[Sequence[str]], *, delimiter: str = ",", newline: str = "\r\n") -> str:
    return "".join(delimiter.join(quote(c, delimiter) for c in r) + newline for r in rows)


def table(*rows: dict[str, str], header: Sequence[str] = HEADER) -> list[list[str]]:
    return [list(header), *([r.get(h, "") for h in header] for r in rows)]


def changed(row: dict[str, str], **cells: str) -> dict[str, str]:
    return {**row, **cells}


def write_csv(name: str, rows: Sequence[Sequence[str]], **options: str) -> None:
    (BAD / name).write_bytes(csv_text(rows, **options).encode("utf-8"))


def write_bytes(name: str, data: bytes) -> None:
    (BAD / name).write_bytes(data)


def workbook_bytes(fill: Callable[[object], None]) -> bytes:
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    fill(sheet)
    # A fixed creation time keeps the workbook's metadata stable between runs.
    book.properties.created = datetime(2022, 6, 13, 9, 0)  # noqa: DTZ001 - workbook metadata
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def xlsx_rows(rows: Sequence[Sequence[object]]) -> Callable[[object], None]:
    def fill(sheet: object) -> None:
        for row in rows:
            sheet.append(list(row))  # type: ignore[attr-defined]

    return fill


def make_bad() -> None:
    BAD.mkdir(exist_ok=True)
    # Encodings.
    mixed = csv_text(table(ROW_1, changed(ROW_2, organisation_name="St Anne\u2019s Group")))
    write_bytes(
        "mixed-utf8-and-cp1252.csv",
        mixed.replace("St Anne\u2019s", "St Anne\x00s").encode("utf-8").replace(b"\x00", b"\x92"),
    )
    write_bytes(
        "undefined-cp1252-byte.csv",
        csv_text(table(ROW_1, changed(ROW_2, project_title="Street\x00watch")))
        .encode("cp1252")
        .replace(b"\x00", b"\x81"),
    )
    write_bytes("utf16-without-bom.csv", csv_text(table(ROW_1)).encode("utf-16-le"))
    write_bytes(
        "bom-then-cp1252.csv",
        b"\xef\xbb\xbf"
        + csv_text(table(changed(ROW_1, amount_requested="£5,950.00"))).encode("cp1252"),
    )
    xlsx_as_csv = workbook_bytes(xlsx_rows(table(ROW_1)))
    write_bytes("workbook-named-csv.csv", xlsx_as_csv)
    write_bytes("empty.csv", b"")
    # Layout.
    write_csv(
        "missing-required-column.csv",
        [
            [c for c, h in zip(r, HEADER, strict=True) if h != "amount_requested"]
            for r in table(ROW_1)
        ],
    )
    write_csv(
        "two-columns-for-amount.csv",
        [[*r, extra] for r, extra in zip(table(ROW_1), ["Amount", "£5,950.00"], strict=True)],
    )
    write_csv(
        "decision-columns-incomplete.csv",
        [[*r, x] for r, x in zip(table(ROW_1), ["Decision", "Approved"], strict=True)],
    )
    write_bytes(
        "ambiguous-delimiter.csv",
        b"Application ID;Round,Organisation\r\nGR2-001;mayor-gr2,Calder\r\n",
    )
    write_csv("value-without-header.csv", [table(ROW_1)[0], [*table(ROW_1)[1], "stray note"]])
    write_bytes(
        "unclosed-quote.csv",
        csv_text(table(ROW_1)).encode()
        + b'GR2-002,mayor-gr2,"Keighley Street Watch,Community group\r\n',
    )
    # Values.
    write_csv(
        "duplicate-application-id.csv",
        table(ROW_1, ROW_2, changed(ROW_3, application_id="GR2-001")),
    )
    write_csv("continental-amount.csv", table(ROW_1, changed(ROW_2, amount_requested="1.234,50")))
    write_csv("us-date.csv", table(changed(ROW_1, project_start="12/13/2022")))
    write_csv("two-digit-year.csv", table(changed(ROW_1, project_end="31/10/23")))
    write_csv("negative-amount.csv", table(ROW_1, changed(ROW_2, amount_requested="-£250.00")))
    write_csv("fraction-of-a-penny.csv", table(changed(ROW_1, amount_requested="£5,950.505")))
    write_csv("formula-text-in-amount.csv", table(changed(ROW_1, amount_requested="=SUM(I2:I9)")))
    write_csv("unknown-theme.csv", table(changed(ROW_1, themes="domestic-abuse; knife crime")))
    write_csv(
        "themes-split-by-comma.csv",
        table(changed(ROW_1, themes="domestic-abuse, stalking-harassment")),
    )
    write_csv("unknown-round.csv", table(ROW_1, changed(ROW_2, round_id="mayor-gr9")))
    write_csv(
        "unknown-organisation-type.csv", table(changed(ROW_1, organisation_type="Sole trader"))
    )
    write_csv(
        "bad-charity-number-and-postcode.csv",
        table(changed(ROW_1, charity_number="12345", postcode="LS1")),
    )
    write_csv(
        "end-before-start.csv",
        table(changed(ROW_1, project_start="01/11/2022", project_end="01/10/2022")),
    )
    write_csv(
        "missing-values.csv",
        table(ROW_1, changed(ROW_2, project_title="  ", amount_requested="")),
    )
    write_csv(
        "approved-without-award.csv",
        table(
            {**ROW_1, "outcome": "Approved", "decided_on": "14/09/2022", "decided_by": "Panel"},
            header=[*HEADER, *DECISION_HEADER],
        ),
    )
    write_csv(
        "direct-award-without-justification.csv",
        table(
            {
                **ROW_1,
                "outcome": "Funded",
                "amount_awarded": "£5,000",
                "decided_on": "14/09/2022",
                "decided_by": "Mayor",
                "route": "Direct award",
            },
            header=[*HEADER, *DECISION_HEADER, "route"],
        ),
    )
    rows = table(ROW_1, ROW_2, ROW_3)
    text = csv_text(rows[:2]) + "\r\n" + " , ,\r\n" + csv_text([rows[2]])
    text += csv_text([table(changed(ROW_3, application_id="GR2-004", amount_requested="0"))[1]])
    (BAD / "blank-lines-then-bad-row.csv").write_bytes(text.encode())
    lines = [
        csv_text([r], newline="")
        for r in table(ROW_1, ROW_2, changed(ROW_3, project_end="31/02/2023"))
    ]
    (BAD / "mixed-line-endings.csv").write_bytes(
        (lines[0] + "\r\n" + lines[1] + "\n" + lines[2] + "\r" + lines[3] + "\n").encode()
    )
    write_csv(
        "huge-cell.csv",
        table({**ROW_1, "project_summary": "x" * 1_048_576}, header=[*HEADER, "project_summary"]),
    )
    write_csv(
        "semicolon-bad-amount.csv",
        table(ROW_1, changed(ROW_2, amount_requested="£2.400,00")),
        delimiter=";",
    )
    write_csv(
        "decisions-unknown-application.csv",
        [
            ["Application ID", "Outcome", "Amount awarded", "Decision date", "Decided by"],
            ["GR2-001", "Approved", "£5,000.00", "14/09/2022", "Panel"],
            ["GR2-099", "Declined", "", "14/09/2022", "Panel"],
        ],
    )
    (BAD / "mapping-unknown-name.json").write_text(
        json.dumps({"columns": {"amount_requested": "Grant", "grant_amount": "Award"}}, indent=2)
        + "\n"
    )
    # Workbooks.
    write_bytes(
        "formula-cells.xlsx",
        workbook_bytes(
            xlsx_rows(
                table(changed(ROW_1, amount_requested="=5000+950", project_end="=DATE(2023,10,31)"))
            )
        ),
    )
    write_bytes(
        "error-value-cell.xlsx",
        workbook_bytes(xlsx_rows(table(changed(ROW_1, project_start="#REF!")))),
    )
    whole = workbook_bytes(xlsx_rows(table(ROW_1, ROW_2, ROW_3)))
    write_bytes("truncated.xlsx", whole[: len(whole) * 2 // 3])
    write_bytes(
        "float-pennies.xlsx",
        workbook_bytes(
            xlsx_rows(
                [
                    HEADER,
                    [
                        *(ROW_1[h] for h in HEADER[:8]),
                        5950.505,
                        date(2022, 11, 1),
                        date(2023, 10, 31),
                        datetime(2022, 6, 10, 11, 59),  # noqa: DTZ001 - a naive cell, as Excel stores it
                        "domestic-abuse",
                    ],
                ]
            )
        ),
    )
    (BAD / "old-excel.xls").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504))


MESSY_HEADER = [
    "Application ID",
    "Round",
    "Organisation name",
    "Type of organisation",
    "Charity No.",
    "Company no",
    "Post code",
    "District",
    "Project title",
    "Summary",
    "Amount requested (£)",
    "Start date",
    "End date",
    "Date received",
    "Themes",
    "Decision",
    "Amount awarded (£)",
    "Decision date",
    "Decided by",
    "Notes",
]
MESSY_ROWS = [
    [
        "GR2-001",
        "mayor-gr2",
        "Calder Valley Women\u2019s Refuge",
        "Registered charity",
        "1012345",
        "",
        "hx1 1aa",
        "Calderdale",
        "Safe at home",
        "Target hardening for survivors",
        "£5,950.00",
        "01/11/2022",
        "31/10/2023",
        "10/06/2022 11:59",
        "domestic-abuse; Stalking and Harassment",
        "Approved",
        "£5,950.00",
        "14/09/2022",
        "Grants panel",
        "phoned 3/6",
    ],
    [
        "GR2-002",
        "mayor-gr2",
        "Keighley Street Watch",
        "Community group",
        "",
        "",
        "BD21 3AA",
        "Bradford",
        "Street watch",
        "Volunteer patrols",
        " £2,400 ",
        "1 December 2022",
        "30/11/2023",
        "09/06/2022 16:05",
        "stalking-harassment",
        "Declined",
        "",
        "14/09/2022",
        "Grants panel",
        "",
    ],
    [
        "GR2-003",
        "mayor-gr2",
        "Wakefield Youth Boxing CIC",
        "CIC",
        "",
        "1234567",
        "WF1 2AB",
        "Wakefield",
        "Gloves not knives",
        "",
        "4,000",
        "2022-11-01",
        "31/10/2023",
        "2022-06-08T09:30+01:00",
        "Child Sexual Abuse and Exploitation;",
        "",
        "",
        "",
        "",
        "",
    ],
    [
        "GR2-004",
        "mayor-gr2",
        "Kirklees Safe Haven",
        "CIO",
        "SC 012345",
        "",
        "HD1 1AB",
        "Kirklees",
        "Haven",
        "Advocacy",
        "£6,000",
        "01/01/2023",
        "31/12/2023",
        "10/06/2022 09:00",
        'So Called "Honour" Based Abuse ; fraud-cyber-crime',
        "Funded",
        "£4,500.50",
        "14/09/2022",
        "Grants panel",
        "",
    ],
]


def make_good() -> None:
    GOOD.mkdir(exist_ok=True)
    text = csv_text([MESSY_HEADER, MESSY_ROWS[0], MESSY_ROWS[1]])
    text += "\r\n" + ",,,,\r\n" + csv_text(MESSY_ROWS[2:]) + ",,,\r\n   \r\n\r\n"
    (GOOD / "gr2-messy.csv").write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    (GOOD / "gr2-windows-1252.csv").write_bytes(
        csv_text([MESSY_HEADER, *MESSY_ROWS], delimiter=";").encode("cp1252")
    )
    mapped_header = [
        "Ref",
        "Round",
        "Group",
        "Legal form",
        "Charity",
        "Company",
        "Postcode",
        "Area",
        "Project",
        "What it does",
        "Grant requested (£)",
        "From",
        "To",
        "Received at",
        "Themes",
        "Result",
        "Grant (£)",
        "Decided",
        "Decision maker",
        "Notes",
    ]
    (GOOD / "gr2-other-layout.csv").write_bytes(
        csv_text([mapped_header, *MESSY_ROWS], delimiter="\t").encode("utf-8")
    )
    mapping = {
        "application_id": "Ref",
        "organisation_name": "Group",
        "organisation_type": "Legal form",
        "charity_number": "Charity",
        "company_number": "Company",
        "district": "Area",
        "project_summary": "What it does",
        "amount_requested": "Grant requested (£)",
        "project_start": "From",
        "project_end": "To",
        "submitted_at": "Received at",
        "outcome": "Result",
        "amount_awarded": "Grant (£)",
        "decided_on": "Decided",
    }
    (GOOD / "gr2-other-layout.json").write_text(
        json.dumps({"columns": mapping}, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    toml = "[columns]\n" + "".join(f'{k} = "{v}"\n' for k, v in mapping.items())
    (GOOD / "gr2-other-layout.toml").write_text(toml, encoding="utf-8")

    def fill(sheet: object) -> None:
        sheet.title = "GR2 applications"  # type: ignore[attr-defined]
        append = sheet.append  # type: ignore[attr-defined]
        append(MESSY_HEADER)
        append(
            [
                *MESSY_ROWS[0][:10],
                5950,
                date(2022, 11, 1),
                date(2023, 10, 31),
                datetime(2022, 6, 10, 11, 59),  # noqa: DTZ001 - a naive cell, as Excel stores it
                *MESSY_ROWS[0][14:16],
                5950.0,
                date(2022, 9, 14),
                *MESSY_ROWS[0][18:],
            ]
        )
        append(MESSY_ROWS[1])
        append([])
        append([*MESSY_ROWS[2][:5], 1234567, *MESSY_ROWS[2][6:]])
        append([*MESSY_ROWS[3][:10], 6000, *MESSY_ROWS[3][11:16], 4500.5, *MESSY_ROWS[3][17:]])
        for row in range(7, 10):  # formatted but empty trailing rows
            sheet.cell(row=row, column=1).number_format = "0.00"  # type: ignore[attr-defined]
            sheet.cell(row=row, column=2, value="  ")  # type: ignore[attr-defined]

    (GOOD / "gr2-messy.xlsx").write_bytes(workbook_bytes(fill))


def main() -> int:
    make_bad()
    make_good()
    return 0


if __name__ == "__main__":
    sys.exit(main())
