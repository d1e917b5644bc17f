"""Fault injection on botocore clients, for reliability tests and chaos drills on the local stack.

A :class:`FaultInjector` registers botocore event hooks on the application's clients (the boto3 SQS and
SNS clients of ``chalicelib.adapters.messaging`` and the botocore DynamoDB clients inside PynamoDB's
connections) and fails a configurable share of their calls, chosen by a seeded RNG:

- ``throttle``: ProvisionedThroughputExceededException (DynamoDB) / ThrottlingException (SQS, SNS), 400;
- ``server``: InternalServerError, 500;
- ``timeout``: ReadTimeoutError or EndpointConnectionError before the request is sent (nothing applied);
- ``lost_reply``: ReadTimeoutError *after* the service applied the call (the caller cannot tell whether
  its write happened: the hardest case for idempotency).

``layer="call"`` (default) fails at ``before-call``, under botocore's own retries, so every fault reaches
the application; ``layer="send"`` fails at ``before-send``, where botocore's retry handler sees it first,
as in production where the SDK retries throttling and 5xx before the code notices. Use ``send`` against an
endpoint over HTTP (moto server, a real stage): in-process moto is itself a before-send hook, which runs
even after a hook returned an error, so a "failed" attempt would also be applied.

    injector = FaultInjector(rate=0.1, seed=7)
    with injector.attached():        # every app client, created now if needed
        ...                           # drive the system
    print(injector.counts)            # {"dynamodb:throttle": 12, "sqs:timeout": 3, ...}

Clients created by other code (the pump, tests, tools) are not touched unless passed to ``attach``.
"""
from __future__ import annotations

import json
import random
import threading
from collections import Counter
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import parse_qs

from botocore.awsrequest import AWSResponse, HTTPHeaders
from botocore.exceptions import EndpointConnectionError, ReadTimeoutError

KINDS = ("throttle", "server", "timeout", "lost_reply")
SERVICES = ("dynamodb", "sqs", "sns")

_THROTTLE_CODE = {"dynamodb": "ProvisionedThroughputExceededException", "sqs": "ThrottlingException",
                  "sns": "Throttling"}


class _Raw:
    """The smallest raw body AWSResponse needs."""

    def __init__(self, body: bytes) -> None:
        self.body = body

    def stream(self, **_: Any) -> Iterator[bytes]:
        yield self.body


class FaultInjector:
    """Fails ``rate`` of the calls of the attached clients with one of ``kinds`` (seeded, counted)."""

    def __init__(self, rate: float = 0.1, seed: int = 0, kinds: Iterable[str] = KINDS,
                 services: Iterable[str] = SERVICES, layer: str = "call",
                 operations: Iterable[str] | None = None) -> None:
        if layer not in ("call", "send"):
            raise ValueError("layer must be 'call' or 'send'")
        self.rate = rate
        self.kinds = tuple(kinds)
        self.services = tuple(services)
        self.layer = layer
        self.operations = set(operations) if operations else None
        self.enabled = True
        self.counts: Counter[str] = Counter()
        self.calls: Counter[str] = Counter()
        self._rng = random.Random(seed)
        self._lock = threading.Lock()
        self._attached: list[tuple[Any, str, Any]] = []
        self.lost_replies: list[tuple[str, str, Any]] = []  # (service, operation, request body) applied, reply lost

    # ---------------------------------------------------------------- wiring

    def attach(self, client: Any) -> None:
        """Register the hooks on one botocore/boto3 client."""
        service = client.meta.service_model.service_name
        if service not in self.services:
            return
        first = f"before-{self.layer}.{client.meta.service_model.service_id.hyphenize()}"
        after = f"after-call.{client.meta.service_model.service_id.hyphenize()}"
        for event, hook in ((first, self._before), (after, self._after)):
            client.meta.events.register_first(event, hook, unique_id=f"faults-{id(self)}-{event}")
            self._attached.append((client, event, hook))

    def detach(self) -> None:
        for client, event, _hook in self._attached:
            client.meta.events.unregister(event, unique_id=f"faults-{id(self)}-{event}")
        self._attached.clear()

    def attach_app_clients(self) -> None:
        """Every AWS client the application uses (created now if it was not yet)."""
        from chalicelib.adapters import messaging, tables, transaction

        clients: dict[int, Any] = {}
        for model in tables.all_models():
            conn = model._get_connection().connection
            clients[id(conn.client)] = conn.client
        repo_client = transaction.connection().client
        clients[id(repo_client)] = repo_client
        for client in (messaging.sqs(), messaging.sns()):
            clients[id(client)] = client
        for client in clients.values():
            self.attach(client)

    @contextmanager
    def attached(self) -> Iterator[FaultInjector]:
        self.attach_app_clients()
        try:
            yield self
        finally:
            self.detach()

    @contextmanager
    def paused(self) -> Iterator[None]:
        """No faults inside (e.g. while a test inspects the final state)."""
        before, self.enabled = self.enabled, False
        try:
            yield
        finally:
            self.enabled = before

    # ---------------------------------------------------------------- decisions

    def _pick(self, service: str, operation: str) -> str | None:
        if not self.enabled or (self.operations and operation not in self.operations):
            return None
        with self._lock:
            self.calls[service] += 1
            if self._rng.random() >= self.rate:
                return None
            kind = self._rng.choice(self.kinds)
            self.counts[f"{service}:{kind}"] += 1
            self.counts[kind] += 1
            self.counts["total"] += 1
            return kind

    @staticmethod
    def _names(kwargs: dict[str, Any]) -> tuple[str, str]:
        model = kwargs.get("model")
        if model is not None:  # before-call / after-call
            return model.service_model.service_name, model.name
        event_name = str(kwargs.get("event_name", ""))  # before-send.<service-id>.<Operation>
        _, service_id, operation = [*event_name.split("."), "", ""][:3]
        return service_id.lower(), operation

    # ---------------------------------------------------------------- hooks

    def _before(self, **kwargs: Any) -> Any:
        service, operation = self._names(kwargs)
        kind = self._pick(service, operation)
        if kind is None or kind == "lost_reply":
            if kind == "lost_reply":
                kwargs.get("context", {})["faults_lost_reply"] = True
                request = kwargs.get("request")
                if request is not None:  # before-send has no context argument: the request carries it
                    request.context["faults_lost_reply"] = True
                body = request.body if request is not None else (kwargs.get("params") or {}).get("body")
                with self._lock:
                    self.lost_replies.append((service, operation, body))
            return None
        endpoint = f"https://{service}.fault.invalid"
        if kind == "timeout":
            if self._rng.random() < 0.5:
                raise ReadTimeoutError(endpoint_url=endpoint)
            raise EndpointConnectionError(endpoint_url=endpoint)
        code, status = (_THROTTLE_CODE[service], 400) if kind == "throttle" else ("InternalServerError", 500)
        if self.layer == "call":
            parsed = {"Error": {"Code": code, "Message": f"injected {kind}"},
                      "ResponseMetadata": {"HTTPStatusCode": status, "HTTPHeaders": {}}}
            return AWSResponse(endpoint, status, HTTPHeaders(), _Raw(b"")), parsed
        return self._wire_error(service, code, status, endpoint)

    def _after(self, **kwargs: Any) -> None:
        context = kwargs.get("context") or {}
        if context.pop("faults_lost_reply", False):
            raise ReadTimeoutError(endpoint_url=f"https://{self._names(kwargs)[0]}.fault.invalid")

    def lost_sms(self) -> list[str]:
        """Texts of the SMS whose publish was applied but whose reply was lost: the sender cannot know it
        went out, so it sends again (at-least-once; the SMS channel has no idempotency key)."""
        texts = []
        for service, operation, body in self.lost_replies:
            if service != "sns" or operation != "Publish":
                continue
            if isinstance(body, (bytes, str)):
                raw = body.decode() if isinstance(body, bytes) else body
                fields = {k: v[0] for k, v in parse_qs(raw).items()}
            else:
                fields = dict(body or {})
            if fields.get("PhoneNumber"):
                texts.append(str(fields.get("Message", "")))
        return texts

    @staticmethod
    def _wire_error(service: str, code: str, status: int, endpoint: str) -> AWSResponse:
        """An error response in the service's wire protocol, for botocore's parser and retry handler."""
        if service == "sns":  # query protocol (XML)
            body = (f"<ErrorResponse><Error><Type>Sender</Type><Code>{code}</Code><Message>injected</Message>"
                    f"</Error><RequestId>fault</RequestId></ErrorResponse>").encode()
            headers = {"Content-Type": "text/xml"}
        else:  # JSON protocols (DynamoDB, SQS)
            prefix = "com.amazonaws.dynamodb.v20120810#" if service == "dynamodb" else "com.amazonaws.sqs#"
            body = json.dumps({"__type": f"{prefix}{code}", "message": "injected"}).encode()
            headers = {"Content-Type": "application/x-amz-json-1.0"}
            if service == "sqs":
                headers["x-amzn-query-error"] = f"{code};Sender"
        wire = HTTPHeaders()
        for name, value in headers.items():
            wire[name] = value
        return AWSResponse(endpoint, status, wire, _Raw(body))
