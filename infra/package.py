"""Keeps the Lambda package small: what the Lambda Python runtime already carries is taken out.

``chalice package`` installs requirements.txt with every dependency, and PynamoDB pulls botocore (about
16 MB zipped). The runtime provides boto3 and its dependencies, so they are removed from the package and
the layer after packaging, and so is bytecode the build machine compiled (``__pycache__``: chalice packs the
``chalicelib`` folder as it finds it; Lambda compiles its own).
"""
from __future__ import annotations

import shutil
import tempfile
import zipfile
from pathlib import Path

# Top-level distributions the Lambda Python runtime provides (boto3 and what it depends on).
PROVIDED_BY_RUNTIME = ("boto3", "botocore", "s3transfer", "jmespath", "urllib3", "dateutil", "python_dateutil")


def _provided(member: str) -> bool:
    """Whether a path inside a deployment or layer zip belongs to a distribution of PROVIDED_BY_RUNTIME."""
    parts = member.split("/")
    if parts[:1] == ["python"]:  # layer layout: python/lib/python3.X/site-packages/<top>
        parts = parts[4:]
    if not parts or not parts[0]:
        return False
    top = parts[0]
    name = top.split("-")[0] if top.endswith((".dist-info", ".egg-info")) else top
    return name.lower() in PROVIDED_BY_RUNTIME


def _build_bytecode(member: str) -> bool:
    return "__pycache__/" in member or member.endswith((".pyc", ".pyo"))


def slim_zip(path: Path) -> tuple[int, int]:
    """Rewrite ``path`` without the runtime-provided distributions and without compiled bytecode; returns
    (bytes before, bytes after)."""
    before = path.stat().st_size
    with tempfile.NamedTemporaryFile(dir=path.parent, suffix=".zip", delete=False) as tmp:
        tmp_path = Path(tmp.name)
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(tmp_path, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            if not _provided(item.filename) and not _build_bytecode(item.filename):
                dst.writestr(item, src.read(item.filename))
    shutil.move(tmp_path, path)
    return before, path.stat().st_size


def package_size(directory: Path) -> dict[str, int]:
    """Zipped sizes of what Lambda gets: the app package and its dependency layer."""
    return {p.name: p.stat().st_size for p in sorted(directory.glob("*.zip"))}
