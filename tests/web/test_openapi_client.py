"""The console's typed API client (web/src/lib/api/schema.d.ts) is what openapi-typescript makes of
docs/openapi.json today: run ``make openapi`` after changing a route."""
from __future__ import annotations

import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
WEB = ROOT / "web"
GENERATOR = WEB / "node_modules" / ".bin" / "openapi-typescript"


def test_generated_client_types_are_up_to_date() -> None:
    assert GENERATOR.exists(), "web/node_modules is missing: run `make web-deps`"
    done = subprocess.run([str(GENERATOR), "../docs/openapi.json"], cwd=WEB, capture_output=True, text=True,
                          timeout=120, check=True)
    committed = (WEB / "src" / "lib" / "api" / "schema.d.ts").read_text("utf-8")
    assert done.stdout.strip() == committed.strip(), (
        "web/src/lib/api/schema.d.ts is out of date with docs/openapi.json: run `make openapi`")
