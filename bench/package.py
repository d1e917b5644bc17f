"""Figure 2, package: the Lambda deployment package ``chalice package`` builds (app zip + the automatic
dependency layer), raw and after ``infra.package.slim_zip`` takes out what the Lambda runtime provides."""
from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path
from typing import Any

from .env import ROOT, subprocess_env

MB = 1024 * 1024
GOAL_ZIPPED_BYTES = 5 * MB


def _unzipped(path: Path) -> int:
    with zipfile.ZipFile(path) as zf:
        return sum(i.file_size for i in zf.infolist())


def _largest(paths: list[Path], top: int = 8) -> list[dict[str, Any]]:
    """The biggest top-level distributions in the zips (compressed bytes)."""
    sizes: dict[str, int] = {}
    for path in paths:
        with zipfile.ZipFile(path) as zf:
            for info in zf.infolist():
                parts = info.filename.split("/")
                if parts[:1] == ["python"]:
                    parts = parts[4:]
                top_name = parts[0].split("-")[0] if parts and parts[0].endswith(".dist-info") else parts[0]
                sizes[top_name] = sizes.get(top_name, 0) + info.compress_size
    return [{"name": k, "zipped_bytes": v} for k, v in sorted(sizes.items(), key=lambda kv: -kv[1])[:top]]


def measure() -> dict[str, Any]:
    from infra.package import slim_zip

    chalice = Path(sys.executable).with_name("chalice")
    with tempfile.TemporaryDirectory(prefix="bench-package-") as tmp:
        out = Path(tmp) / "out"
        subprocess.run([str(chalice), "package", "--stage", "dev", str(out)], cwd=ROOT,
                       env=subprocess_env(AWS_DEFAULT_REGION="us-east-1"), check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, timeout=600)
        zips = sorted(out.glob("*.zip"))
        raw = {p.name: {"zipped": p.stat().st_size, "unzipped": _unzipped(p)} for p in zips}
        largest = _largest(zips)
        slim_dir = Path(tmp) / "slim"
        slim_dir.mkdir()
        slim: dict[str, dict[str, int]] = {}
        for p in zips:
            copy = slim_dir / p.name
            shutil.copy(p, copy)
            slim_zip(copy)
            slim[p.name] = {"zipped": copy.stat().st_size, "unzipped": _unzipped(copy)}
    total = {k: sum(v[k] for v in raw.values()) for k in ("zipped", "unzipped")}
    slim_total = {k: sum(v[k] for v in slim.values()) for k in ("zipped", "unzipped")}
    return {"raw": raw, "slim": slim, "raw_total": total, "slim_total": slim_total,
            "zipped_mb": round(slim_total["zipped"] / MB, 2), "raw_zipped_mb": round(total["zipped"] / MB, 2),
            "goal_mb": GOAL_ZIPPED_BYTES / MB, "largest_raw": largest}
