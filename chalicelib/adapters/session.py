"""One botocore session for every DynamoDB connection of the process.

PynamoDB gives each model's connection its own botocore session (one per thread, too), and a new session
loads botocore's endpoint and service-model files again: about 0.1 s of JSON per table on a warm machine
before the table's first request, so a container that touches the 15 tables paid it 15 times (and the
fan-out threads again). Sharing one session loads them once. Clients stay one per connection, as PynamoDB
makes them; botocore clients are thread-safe, and creating them is serialised here because a session's
loader cache is not."""
from __future__ import annotations

import threading
from typing import Any

import botocore.session
from pynamodb.connection import base

_lock = threading.Lock()
_shared: botocore.session.Session | None = None


class _SharedSession(botocore.session.Session):
    def create_client(self, *args: Any, **kwargs: Any) -> Any:
        with _lock:
            return super().create_client(*args, **kwargs)


def shared_session(env_vars: dict[str, tuple[Any, Any, Any, Any]] | None = None) -> botocore.session.Session:
    """The process's botocore session for DynamoDB (made on first use); ``get_session``'s signature, whose
    ``env_vars`` PynamoDB never passes."""
    global _shared
    if _shared is None:
        with _lock:
            if _shared is None:
                _shared = _SharedSession(env_vars)
    return _shared


def share_one_session() -> None:
    """Make PynamoDB's connections take the shared session instead of a new one each (idempotent)."""
    base.get_session = shared_session


def forget_session() -> None:
    """Drop the shared session: the connections made after this take a new one (with whatever handlers botocore
    registers for new sessions by then: the benchmark's request recorder)."""
    global _shared
    with _lock:
        _shared = None
