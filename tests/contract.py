"""Check requests and responses against tests/sydium-openapi.yaml (a copy of the API's contract)."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from jsonschema import Draft202012Validator, FormatChecker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

SPEC_PATH = Path(__file__).with_name("sydium-openapi.yaml")
DOC_URI = "urn:sydium-openapi"


class ContractViolation(AssertionError):
    pass


@lru_cache(maxsize=1)
def spec() -> dict[str, Any]:
    return yaml.safe_load(SPEC_PATH.read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def _registry() -> Registry:
    return Registry().with_resource(DOC_URI, Resource.from_contents(spec(), default_specification=DRAFT202012))


def _validator(schema: dict[str, Any]) -> Draft202012Validator:
    # Local $refs ('#/components/...') resolve against the whole document.
    wrapped = {"$id": DOC_URI + "#inline", **_rebase(schema)}
    return Draft202012Validator(wrapped, registry=_registry(), format_checker=FormatChecker())


def _rebase(node: Any) -> Any:
    if isinstance(node, dict):
        return {k: (DOC_URI + v if k == "$ref" and v.startswith("#") else _rebase(v)) for k, v in node.items()}
    if isinstance(node, list):
        return [_rebase(v) for v in node]
    return node


def find_operation(method: str, path: str) -> tuple[str, dict[str, Any], dict[str, str]]:
    """The spec's path template, operation object and path parameters for a concrete request."""
    for template, item in spec()["paths"].items():
        pattern = "^" + re.sub(r"\{([^}]+)\}", r"(?P<\1>[^/]+)", template) + "$"
        match = re.match(pattern, path)
        if match and method.lower() in item:
            return template, item[method.lower()], match.groupdict()
    raise ContractViolation(f"{method} {path} is not an operation of the contract")


def _check(schema: dict[str, Any], instance: Any, what: str) -> None:
    errors = sorted(_validator(schema).iter_errors(instance), key=lambda e: list(e.path))
    if errors:
        detail = "; ".join(f"{'/'.join(map(str, e.path)) or '<root>'}: {e.message}" for e in errors[:5])
        raise ContractViolation(f"{what} breaks the contract: {detail}")


def validate_request(
    method: str,
    path: str,
    *,
    query: dict[str, str] | None = None,
    body: Any = None,
    headers: dict[str, str] | None = None,
) -> None:
    template, op, _params = find_operation(method, path)
    what = f"{method} {template}"
    headers = {k.lower(): v for k, v in (headers or {}).items()}
    needs_auth = op.get("security", spec().get("security")) != []
    if needs_auth:
        auth = headers.get("authorization", "")
        if not re.fullmatch(r"Bearer sk_(live|test)_\S+", auth):
            raise ContractViolation(f"{what} needs a Bearer key; got {'none' if not auth else 'a malformed one'}")
    declared = {p["name"]: p for p in op.get("parameters", []) if p["in"] == "query"}
    for name, value in (query or {}).items():
        if name not in declared:
            raise ContractViolation(f"{what}: unknown query parameter {name!r}")
        _check(declared[name]["schema"], value, f"{what} query {name}")
    request_body = op.get("requestBody")
    if request_body is None:
        if body not in (None, b"", ""):
            raise ContractViolation(f"{what} takes no body")
        return
    if headers and "application/json" not in headers.get("content-type", ""):
        raise ContractViolation(f"{what} must send Content-Type: application/json")
    schema = request_body["content"]["application/json"]["schema"]
    _check(schema, body, f"{what} request body")


def validate_response(method: str, path: str, status: int, body: Any) -> None:
    template, op, _params = find_operation(method, path)
    responses = op["responses"]
    if str(status) not in responses:
        raise ContractViolation(f"{method} {template} does not document HTTP {status}")
    schema = responses[str(status)]["content"]["application/json"]["schema"]
    _check(schema, body, f"{method} {template} HTTP {status} response")
