"""The shipped 360Giving schemas and validation against them, offline and with format checking.

jsonschema is optional (extra ``threesixtygiving``) and imported only when validating. With
jsonschema-rs installed too (the same extra), a compiled validator checks the whole package
first; jsonschema then only describes the grants it refused, so a valid package of 100,000
grants is checked in about a second and every problem is worded and located exactly as
jsonschema alone would. Both use jsonschema's own format checks.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextvars import ContextVar
from decimal import Decimal
from functools import cache, lru_cache
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
    ids = [item.get("id") if isinstance(item, dict) else None for item in instance]
    if all(isinstance(i, str) for i in ids) and len(set(ids)) == len(ids):
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
# The package's grants and the indexes of those the compiled validator refused: jsonschema
# describes only these (the rest were found valid).
_ONLY: ContextVar[tuple[Sequence[Any], Sequence[int]] | None] = ContextVar("_ONLY", default=None)


def _items(validator: Any, items: Any, instance: Any, schema: Any) -> Iterator[Any]:
    from jsonschema import Draft202012Validator

    only = _ONLY.get()
    if only is not None and instance is only[0]:
        for index in only[1]:
            yield from validator.descend(instance=instance[index], schema=items, path=index)
        return
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


def _format_checks() -> dict[str, Callable[[str], bool]]:
    """The check jsonschema makes for each format the schemas use (unknown ones always pass)."""
    from jsonschema import FormatChecker

    checker = FormatChecker()
    names: set[str] = set()

    def collect(node: Any) -> None:
        if isinstance(node, dict):
            if isinstance(node.get("format"), str):
                names.add(node["format"])
            for value in node.values():
                collect(value)
        elif isinstance(node, list):
            for value in node:
                collect(value)

    collect(grant_schema())
    collect(package_schema())
    checks = {}
    for name in names:
        func, raises = checker.checkers.get(name, (None, ()))
        checks[name] = _conforms(func, raises)
    return checks


def _conforms(func: Any, raises: Any) -> Callable[[str], bool]:
    # Dates and links repeat across grants: remember the answer for each value.
    @lru_cache(maxsize=100_000)
    def conforms(value: str) -> bool:
        if func is None:
            return True
        try:
            return bool(func(value))
        except raises:
            return False

    return conforms


@cache
def _compiled() -> Any:
    """The compiled validator of the package schema, or None without jsonschema-rs."""
    try:
        import jsonschema_rs
    except ImportError:
        return None
    grant, package = dict(grant_schema()), dict(package_schema())
    remote_ref = package["properties"]["grants"]["items"]["$ref"]
    registry = jsonschema_rs.Registry([(remote_ref, grant), (grant["$id"], grant)])
    return jsonschema_rs.validator_for(
        package, registry=registry, validate_formats=True, formats=_format_checks()
    )


def _refused(package: Mapping[str, Any]) -> tuple[int, ...] | None:
    """What the compiled validator refuses: None for nothing, else the indexes of bad grants.

    The indexes are empty when the only problems lie outside the grants. Without jsonschema-rs,
    or for a value it cannot read, every grant counts as refused, so jsonschema sees them all.
    """
    compiled = _compiled()
    grants = package.get("grants")
    everything = tuple(range(len(grants))) if isinstance(grants, list) else ()
    if compiled is None:
        return everything
    try:
        errors = list(compiled.iter_errors(package))
    except (ValueError, TypeError, OverflowError):
        return everything  # a value JSON cannot hold: let jsonschema describe it
    if not errors:
        return None
    paths = (e.instance_path for e in errors)
    return tuple(
        sorted({p[1] for p in paths if len(p) > 1 and p[0] == "grants" and isinstance(p[1], int)})
    )


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
    validator = _validator()  # jsonschema missing is an error even for valid data
    refused = _refused(package)
    if refused is None:
        return []
    _VALID_ITEMS.clear()
    grants = package.get("grants")
    only = _ONLY.set((grants, refused) if isinstance(grants, list) else None)
    try:
        errors = sorted(validator.iter_errors(package), key=_path_key)
    finally:
        _ONLY.reset(only)
    problems = []
    for error in errors:
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
