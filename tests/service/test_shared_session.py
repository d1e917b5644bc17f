"""Every DynamoDB connection of the process (each table's, the transactions', any thread's) takes the one
botocore session of chalicelib/adapters/session.py, so botocore's endpoint and service files are loaded once
per container, not once per table and thread."""
from __future__ import annotations

import threading

from chalicelib.adapters import models, transaction
from chalicelib.adapters.session import shared_session


def test_every_table_and_thread_shares_one_botocore_session():
    sessions = [model._get_connection().connection.session for model in models.TABLES]
    sessions.append(transaction.connection().session)
    from_a_thread: list[object] = []
    worker = threading.Thread(target=lambda: from_a_thread.append(
        models.CaseRecord._get_connection().connection.session))
    worker.start()
    worker.join()
    assert {id(s) for s in sessions + from_a_thread} == {id(shared_session())}
    assert len(models.TABLES) > 10


def test_importing_the_app_loads_no_dynamodb_adapter():
    """Sharing the session happens where the models load, not when the adapters package is imported: a cold
    start that reaches no table (the health check, the SMS consumer) loads neither PynamoDB nor the models
    (docs/PERFORMANCE.md, figure 1)."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    probe = "import sys, app; print(sorted(m for m in ('pynamodb', 'chalicelib.adapters.models') if m in sys.modules))"
    env = {**os.environ, "STAGE": "local", "AUTH_MODE": "hs256"}
    out = subprocess.run([sys.executable, "-c", probe], cwd=root, env=env, capture_output=True, text=True,
                         check=True, timeout=60).stdout.strip().splitlines()[-1]
    assert out == "[]"
