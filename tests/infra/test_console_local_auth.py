"""The console's demo sign-in (tools/console_server.py: /local-auth/*) exists in the local stack only: no API
route, no Lambda code and no resource of any cloud stage can mint a token."""
from __future__ import annotations

import json
from typing import Any

from tests.infra.conftest import ROOT, STAGES, Synthesized
from tools import console_server

MARKERS = ("local-auth", console_server.TOKEN_PATH, console_server.IDENTITIES_PATH)


def _api_paths(template: dict[str, Any]) -> set[str]:
    """Every path of every REST/HTTP API definition and of every HTTP API route in a template."""
    found: set[str] = set()
    for resource in template["Resources"].values():
        props = resource.get("Properties") or {}
        for key in ("DefinitionBody", "Body"):
            body = props.get(key)
            if isinstance(body, dict):
                found.update(body.get("paths", {}))
        if resource["Type"] == "AWS::ApiGatewayV2::Route":
            found.add(str(props["RouteKey"]).split(" ", 1)[-1])
    return found


def test_no_chalice_route_signs_anyone_in() -> None:
    from tools.openapi import registered_routes

    paths = {path for _, path in registered_routes()}
    assert not [p for p in paths if "local-auth" in p or p.rstrip("/").endswith("/token")], sorted(paths)


def test_no_lambda_code_knows_the_local_sign_in() -> None:
    # Chalice packages app.py and chalicelib/: neither may carry the endpoint or import the console server.
    sources = [ROOT / "app.py", *sorted((ROOT / "chalicelib").rglob("*.py"))]
    for source in sources:
        text = source.read_text("utf-8")
        assert "local-auth" not in text and "console_server" not in text, source


def test_no_cloud_stage_has_the_local_sign_in(synthesized: Synthesized) -> None:
    for stage in STAGES:
        template = synthesized.templates[stage]
        paths = _api_paths(template)
        assert paths, f"{stage}: no API definition found in the template"
        assert "/cases" in paths  # the definition read is the API's own
        assert not [p for p in paths if "local-auth" in p or p.rstrip("/").endswith("/token")], (stage, paths)
        text = json.dumps(template)
        for marker in MARKERS:
            assert marker not in text, f"{stage}: {marker} appears in the cloud template"


def test_no_cloud_asset_carries_the_local_sign_in(synthesized: Synthesized) -> None:
    # Whatever the stages upload beside the templates (Lambda bundles, the console's files): text files only.
    for path in synthesized.outdir.rglob("*"):
        if path.is_file() and path.suffix in {".json", ".js", ".html", ".py", ".txt"} and path.stat().st_size < 5e6:
            text = path.read_text("utf-8", errors="ignore")
            assert "/local-auth/" not in text, path
