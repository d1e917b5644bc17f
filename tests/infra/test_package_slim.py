"""infra/package.py: the Lambda zip keeps the application and its own dependencies, and loses what the
runtime provides (boto3 and its dependencies) and any bytecode compiled on the build machine."""
from __future__ import annotations

import zipfile
from pathlib import Path

from infra.package import slim_zip


def test_the_slim_zip_keeps_the_app_and_drops_runtime_libraries_and_bytecode(tmp_path: Path):
    path = tmp_path / "deployment.zip"
    kept = ["app.py", "chalicelib/__init__.py", "chalicelib/adapters/session.py", "pynamodb/models.py",
            "python/lib/python3.11/site-packages/pynamodb/models.py"]
    dropped = ["chalicelib/__pycache__/config.cpython-311.pyc", "chalicelib/adapters/__pycache__/keys.cpython-311.pyc",
               "boto3/__init__.py", "botocore-1.35.0.dist-info/METADATA",
               "python/lib/python3.11/site-packages/urllib3/x.py", "legacy.pyc"]
    with zipfile.ZipFile(path, "w") as out:
        for name in kept + dropped:
            out.writestr(name, "x = 1\n" * 50)
    before, after = slim_zip(path)
    with zipfile.ZipFile(path) as result:
        assert sorted(result.namelist()) == sorted(kept)
    assert after < before
