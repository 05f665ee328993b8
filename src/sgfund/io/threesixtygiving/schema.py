"""The shipped 360Giving schemas and validation against them, offline and with format checking.

jsonschema is optional (extra ``threesixtygiving``) and imported only when validating.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from decimal import Decimal
from functools import cache
from importlib import resources
from typing import Any

from sgfund.errors import SgfundError
from sgfund.io.threesixtygiving.problems import GrantProblem

__all__ = [
    "GRANT_SCHEMA_FILE",
    "PACKAGE_SCHEMA_FILE",
    "STANDARD_VERSION",
    "grant_schema",
    "package_schema",
    "schema_problems",
]

STANDARD_VERSION = "1.4.3"
GRANT_SCHEMA_FILE = "360-giving-schema.json"
PACKAGE_SCHEMA_FILE = "360-giving-package-schema.json"
_INSTALL_HINT = 'validating 360Giving data needs jsonschema: pip install "sgfund[threesixtygiving]"'
_GRANT_INDEX = re.compile(r"^\$\.grants\[(\d+)\]")


def _read(name: str) -> dict[str, Any]:
    text = resources.files("sgfund.io").joinpath("schema", name).read_text(encoding="utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


@cache
def grant_schema() -> Mapping[str, Any]:
    """The 360Giving schema for one grant, as shipped (v1.4.3)."""
    return _read(GRANT_SCHEMA_FILE)


@cache
def package_schema() -> Mapping[str, Any]:
    """The 360Giving package schema, as shipped; its grants ``$ref`` resolves locally."""
    return _read(PACKAGE_SCHEMA_FILE)


def _canonical(value: Any) -> Any:
    """A hashable form in which values are equal exactly when they are equal JSON."""
    if isinstance(value, dict):
        return ("o", tuple(sorted((k, _canonical(v)) for k, v in value.items())))
    if isinstance(value, list | tuple):
        return ("a", tuple(_canonical(v) for v in value))
    if isinstance(value, bool) or value is None:
        return ("c", value)
    if isinstance(value, int | float | Decimal):
        return ("n", Decimal(str(value)).normalize())
    return ("s", value)


def _unique_items(validator: Any, unique: bool, instance: Any, schema: Any) -> Iterator[Any]:
    # jsonschema compares unsortable items pairwise, which takes hours for 100,000 grants;
    # hashing a canonical form gives the same answer in linear time.
    from jsonschema.exceptions import ValidationError

    if not unique or not validator.is_type(instance, "array"):
        return
    ids = {item.get("id") for item in instance if isinstance(item, dict)}
    if len(ids) == len(instance) and all(isinstance(i, str) for i in ids):
        return  # objects with different ids cannot be equal
    seen: set[Any] = set()
    for item in instance:
        key = _canonical(item)
        if key in seen:
            yield ValidationError(f"{instance!r:.80} has non-unique elements")
            return
        seen.add(key)


# Items of the grant's arrays (funders, programmes, locations, classifications) repeat across
# thousands of grants; an item found valid once under a definition is valid everywhere.
_VALID_ITEMS: set[tuple[str, Any]] = set()
_MAX_REMEMBERED = 500_000


def _items(validator: Any, items: Any, instance: Any, schema: Any) -> Iterator[Any]:
    from jsonschema import Draft202012Validator

    ref = items.get("$ref") if isinstance(items, dict) else None
    if not (isinstance(ref, str) and ref.startswith("#/$defs/")) or "prefixItems" in schema:
        plain: Any = Draft202012Validator.VALIDATORS["items"]
        yield from plain(validator, items, instance, schema)
        return
    if not validator.is_type(instance, "array"):
        return
    for index, item in enumerate(instance):
        key = (ref, _canonical(item))
        if key in _VALID_ITEMS:
            continue
        errors = list(validator.descend(instance=item, schema=items, path=index))
        if errors:
            yield from errors
        elif len(_VALID_ITEMS) < _MAX_REMEMBERED:
            _VALID_ITEMS.add(key)


@cache
def _validator() -> Any:
    try:
        from jsonschema import Draft202012Validator, FormatChecker, validators
        from referencing import Registry
        from referencing.jsonschema import DRAFT202012
    except ImportError as err:
        raise SgfundError(_INSTALL_HINT) from err

    grant = DRAFT202012.create_resource(grant_schema())
    package = package_schema()
    # The package schema refers to the grant schema by a remote URL; serve the local copy.
    remote_ref = package["properties"]["grants"]["items"]["$ref"]
    registry: Registry[Any] = Registry().with_resources(
        [(remote_ref, grant), (grant_schema()["$id"], grant)]
    )
    cls = validators.extend(  # type: ignore[no-untyped-call]
        Draft202012Validator, {"uniqueItems": _unique_items, "items": _items}
    )
    return cls(package, registry=registry, format_checker=FormatChecker())


def _message(error: Any) -> str:
    # oneOf failures say only "not valid under any"; name what each branch wanted.
    if error.validator == "oneOf" and error.context:
        wanted = sorted({e.message for e in error.context})
        return f"{error.message} ({'; '.join(wanted)})"
    return str(error.message)


def _path_key(error: Any) -> tuple[tuple[int, int, str], ...]:
    return tuple((0, p, "") if isinstance(p, int) else (1, 0, p) for p in error.absolute_path)


def schema_problems(package: Mapping[str, Any], *, file: str | None = None) -> list[GrantProblem]:
    """Every way ``package`` breaks the 360Giving package schema, each with its JSON path.

    Formats are checked (a date must be a real date). Raises `SgfundError` naming the extra to
    install when jsonschema is missing.
    """
    validator = _validator()
    _VALID_ITEMS.clear()
    grants = package.get("grants")
    problems = []
    for error in sorted(validator.iter_errors(package), key=_path_key):
        path = error.json_path
        grant_id = None
        match = _GRANT_INDEX.match(path)
        if match and isinstance(grants, list):
            grant = grants[int(match[1])]
            if isinstance(grant, dict) and isinstance(grant.get("id"), str):
                grant_id = grant["id"]
        problems.append(
            GrantProblem(
                _message(error),
                grant_id=grant_id,
                file=file,
                field=path,
                value=error.instance if not isinstance(error.instance, dict | list) else None,
                expected=f"{error.validator}: {json.dumps(error.validator_value, default=str)}"[
                    :200
                ],
            )
        )
    return problems
