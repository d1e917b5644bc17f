"""docs/openapi.json describes exactly the routes registered on the app, and is what tools/openapi.py writes
today (run ``make openapi`` after changing a route or a request schema)."""
from __future__ import annotations

from typing import Any

from tools.openapi import DOCUMENT_PATH, build_document, registered_routes, render

METHODS = {"get", "post", "put", "patch", "delete"}


def documented(document: dict[str, Any]) -> set[tuple[str, str]]:
    return {(method.upper(), path) for path, item in document["paths"].items() for method in item
            if method in METHODS}


def test_openapi_routes_are_the_registered_routes(api_document: dict[str, Any]) -> None:
    import app

    routes = registered_routes(app.app)
    doc = documented(api_document)
    assert doc == routes, f"only documented: {sorted(doc - routes)}; only routed: {sorted(routes - doc)}"
    assert len(routes) >= 32  # DESIGN §6 and the README route table


def test_openapi_file_is_up_to_date() -> None:
    assert DOCUMENT_PATH.read_text(encoding="utf-8") == render(build_document()), (
        "docs/openapi.json is out of date: run `make openapi`")


def test_a_route_without_documentation_fails_the_build() -> None:
    import pytest
    from chalice import Chalice

    import app
    from tools.openapi import DocumentDrift

    extra = Chalice(app_name="drift-probe")
    extra.routes.update(app.app.routes)
    extra.route("/undocumented", methods=["DELETE"])(lambda: {})
    with pytest.raises(DocumentDrift, match=r"DELETE.*/undocumented"):
        build_document(extra)


def test_openapi_request_schemas_are_the_apps() -> None:
    """Each request body in the document is the schema the route validates with, and its example passes it."""
    from chalicelib.api.schemas import SCHEMAS, validator

    document = build_document()
    schemas = document["components"]["schemas"]
    checked = 0
    for item in document["paths"].values():
        for operation in item.values():
            media = operation.get("requestBody", {}).get("content", {}).get("application/json")
            if not media:
                continue
            name = media["schema"]["$ref"].rsplit("/", 1)[-1].removesuffix("_request")
            assert schemas[f"{name}_request"] == SCHEMAS[name]
            validator(name)(media["example"])
            checked += 1
    assert checked >= 20


def test_openapi_document_is_valid_openapi(api_document: dict[str, Any]) -> None:
    import schemathesis

    schema = schemathesis.openapi.from_dict(api_document)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) == len(documented(api_document))
    every_error = {"400", "401", "403", "404", "409", "413", "415", "422", "429"}
    for item in api_document["paths"].values():
        for operation in item.values():
            assert every_error <= set(operation["responses"]), operation["operationId"]
