"""360Giving open data: export awards as validated JSON, CSV and XLSX, and read 360Giving files.

Validation needs jsonschema: ``pip install "sgfund[threesixtygiving]"``.
"""

from __future__ import annotations

from sgfund.io.threesixtygiving.build import (
    INDIVIDUAL_NAME,
    INDIVIDUAL_TITLE,
    FunderPackage,
    build_package,
    build_packages,
    grant_id,
    organisation_id,
)
from sgfund.io.threesixtygiving.checks import critical_problems, package_problems
from sgfund.io.threesixtygiving.problems import GrantProblem
from sgfund.io.threesixtygiving.publisher import (
    CC_BY_4,
    FunderIdentity,
    Publisher,
)
from sgfund.io.threesixtygiving.read import (
    GrantRecord,
    ImportedGrants,
    load_package,
    read_360giving,
)
from sgfund.io.threesixtygiving.schema import STANDARD_VERSION, schema_problems
from sgfund.io.threesixtygiving.write import (
    convert_360giving,
    csv_table,
    dumps_package,
    grants_package,
    write_360giving_csv,
    write_360giving_json,
    write_360giving_xlsx,
    write_grants,
    write_package_csv,
    write_package_json,
    write_package_xlsx,
)

__all__ = [
    "CC_BY_4",
    "INDIVIDUAL_NAME",
    "INDIVIDUAL_TITLE",
    "STANDARD_VERSION",
    "FunderIdentity",
    "FunderPackage",
    "GrantProblem",
    "GrantRecord",
    "ImportedGrants",
    "Publisher",
    "build_package",
    "build_packages",
    "convert_360giving",
    "critical_problems",
    "csv_table",
    "dumps_package",
    "grant_id",
    "grants_package",
    "load_package",
    "organisation_id",
    "package_problems",
    "read_360giving",
    "schema_problems",
    "write_360giving_csv",
    "write_360giving_json",
    "write_360giving_xlsx",
    "write_grants",
    "write_package_csv",
    "write_package_json",
    "write_package_xlsx",
]
