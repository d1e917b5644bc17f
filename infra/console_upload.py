"""Publishes the built console (web/dist) to a stage's bucket with its run-time ``config.json``, from the
stack's outputs. Called by ``make deploy`` (infra/deploy.py) after the stack is up.

Content-hashed assets (``assets/``) are uploaded first and marked immutable; ``index.html`` and
``config.json`` last and never cached, so a browser never gets a page that names assets not yet uploaded.
Assets of earlier builds stay: a page loaded before the deploy keeps working.
"""
from __future__ import annotations

import json
import mimetypes
from pathlib import Path
from typing import Any

from .config import ROOT

DIST = ROOT / "web" / "dist"
IMMUTABLE = "public, max-age=31536000, immutable"
NOT_CACHED = "no-store"
CONTENT_TYPES = {".js": "text/javascript; charset=utf-8", ".mjs": "text/javascript; charset=utf-8",
                 ".css": "text/css; charset=utf-8", ".html": "text/html; charset=utf-8",
                 ".json": "application/json; charset=utf-8", ".svg": "image/svg+xml", ".woff2": "font/woff2",
                 ".webmanifest": "application/manifest+json", ".txt": "text/plain; charset=utf-8"}


class ConsoleNotBuilt(SystemExit):
    pass


def output(outputs: dict[str, Any], name: str) -> str:
    """A stack output of the console construct (CDK names it Console<name><hash>)."""
    for key, value in outputs.items():
        if key.startswith(f"Console{name}"):
            return str(value)
    raise KeyError(f"the stack has no output Console{name}: was it deployed with infra/console.py?")


def runtime_config(stage: str, outputs: dict[str, Any]) -> dict[str, Any]:
    """web/src/lib/config.ts: the API, and the OIDC issuer and client of the console's sign-in."""
    api_url = next(str(v) for k, v in outputs.items() if k.startswith("ServiceApiUrl"))
    return {"stage": stage, "apiUrl": api_url.rstrip("/"),
            "auth": {"mode": "oidc", "authority": output(outputs, "Issuer"), "clientId": output(outputs, "ClientId"),
                     "scope": "openid", "logoutUrl": output(outputs, "LogoutUrl")}}


def uploads(dist: Path) -> list[tuple[Path, str, str, str]]:
    """(file, key, content type, cache control) in upload order: hashed assets, other files, index.html."""
    if not (dist / "index.html").is_file():
        raise ConsoleNotBuilt(f"{dist}/index.html is missing: build the console first (make web)")
    files = sorted(p for p in dist.rglob("*") if p.is_file() and not p.name.startswith("."))
    out = []
    for path in files:
        key = path.relative_to(dist).as_posix()
        if key == "config.json":
            continue  # the local build's, if any: each stage writes its own
        kind = CONTENT_TYPES.get(path.suffix) or mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        out.append((path, key, kind, IMMUTABLE if key.startswith("assets/") else NOT_CACHED))
    return sorted(out, key=lambda item: (not item[1].startswith("assets/"), item[1] == "index.html"))


def publish(s3: Any, bucket: str, stage: str, outputs: dict[str, Any], dist: Path = DIST) -> int:
    """Upload the build, then config.json; returns the number of objects written."""
    plan = uploads(dist)
    config = runtime_config(stage, outputs)
    for path, key, kind, cache in plan:
        if key == "index.html":  # config.json first: the new page must find its stage's settings
            s3.put_object(Bucket=bucket, Key="config.json", ContentType=CONTENT_TYPES[".json"],
                          CacheControl=NOT_CACHED, Body=json.dumps(config, ensure_ascii=False, indent=2).encode())
        s3.put_object(Bucket=bucket, Key=key, Body=path.read_bytes(), ContentType=kind, CacheControl=cache)
    return len(plan) + 1


def publish_console(stage: str, outputs: dict[str, Any], region: str, dist: Path = DIST) -> str:
    """make deploy's step: upload to the stage's console bucket; returns the console URL."""
    import boto3

    written = publish(boto3.client("s3", region_name=region), output(outputs, "BucketName"), stage, outputs, dist)
    print(f"console: {written} files uploaded to {output(outputs, 'BucketName')}")
    return output(outputs, "Url")
