"""The application in-process under moto (as the tests' ``client`` and ``pump`` fixtures run it), with every
AWS call it makes recorded, and the use cases of one case's life driven through its real routes and queue
handlers."""
from __future__ import annotations

import json
import time
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from typing import Any

from .recorder import Call, Recorder

RECEIVING, HANDLING, MATTER = "SZ-GOV", "DG-GOV", "DG-SI-CERT"  # Shenzhen window, Dongguan matter
HANDLERS = {"routing": "route_parcels", "courier-events": "apply_courier_events", "tickets": "open_tickets",
            "notifications": "send_notifications"}
USE_CASES = ("apply", "receive", "forward", "courier (materials leg)", "decide", "ship-result",
             "courier (result leg)", "review")
TIMED = ("apply", "receive", "forward", "decide", "review")


@dataclass
class Invocation:
    """One Lambda invocation: an HTTP request or a handler batch."""

    function: str
    phase: str
    seconds: float
    records: int
    calls: list[Call] = field(default_factory=list)


def resident_id(n: int) -> str:
    from chalicelib.domain.identity import with_check_digit

    return with_check_digit(f"440305{1960 + n % 45}{n % 12 + 1:02d}{n % 28 + 1:02d}{n % 1000:03d}")


def application(n: int) -> dict[str, Any]:
    return {
        "matter_id": MATTER, "receiving_office_id": RECEIVING,
        "applicant": {"name": "张三", "id_type": "RESIDENT_ID", "id_number": resident_id(n), "phone": "13800138000"},
        "materials": [{"name": "身份证", "provided": True}, {"name": "申请表", "provided": True}],
        "delivery": {"method": "MAIL", "address": {"city": "440300", "detail": "南山区科技园科苑路15号",
                                                   "recipient": "张三", "phone": "13800138000"}},
    }


def headers(role: str, sub: str, office: str | None = None) -> dict[str, str]:
    from chalicelib.api.auth import issue_dev_token

    return {"Authorization": f"Bearer {issue_dev_token(role, sub, office, None, sub)}",
            "Content-Type": "application/json"}


class _TimedHandler:
    """The API's Lambda handler (the Chalice app object), timing each call."""

    def __init__(self, app: Any) -> None:
        self._app = app
        self.seconds = 0.0

    def __call__(self, event: dict[str, Any], context: Any) -> Any:
        start = time.perf_counter()
        try:
            return self._app(event, context)
        finally:
            self.seconds += time.perf_counter() - start

    def __getattr__(self, name: str) -> Any:  # routes, api, ...: the gateway reads the app's own attributes
        return getattr(self._app, name)


class Harness:
    """moto + the app + chalice's test client + the pump with every handler wrapped (timed, labelled)."""

    def __init__(self, start_mock: bool = True) -> None:
        self._stack = ExitStack()
        self.start_mock = start_mock
        self.recorder = Recorder()
        self.invocations: list[Invocation] = []
        self._courier_clock = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)
        # Called right after each recorded invocation (the warm figure replays its requests there, while
        # the emulator's tables are the size they were for the request itself).
        self.after_invocation: Callable[[Invocation], None] | None = None
        # Called right before each recorded API request, outside its timing (the warm figure evicts the CPU's
        # caches there).
        self.before_request: Callable[[], None] | None = None

    # ------------------------------------------------------------ set-up

    def __enter__(self) -> Harness:
        import boto3
        from botocore.config import Config

        self.recorder.install()
        self._stack.callback(self.recorder.uninstall)
        if self.start_mock:
            from moto import mock_aws

            self._stack.enter_context(mock_aws())
            from chalicelib.adapters import reference_store
            from tools.local_stack import provision

            provision(visibility_timeout=0)
            self._stack.callback(reference_store.invalidate)
        from chalice.test import Client

        import app
        from chalicelib.adapters import tables
        from tools.pump import RELAYS, Pump

        self.app = app
        self.client = self._stack.enter_context(Client(app.app, stage_name="local"))
        # A request is timed as Lambda runs it: the handler called with API Gateway's event. Building that event
        # (chalice's local gateway) and patching the environment for it (its test client) are not the function's.
        gateway: Any = self.client.http._local_gateway
        self._handler = _TimedHandler(gateway._app_object)
        gateway._app_object = self._handler
        proxy = SimpleNamespace(**{name: self._wrap(name, getattr(app, name)) for name in RELAYS}, sweep=app.sweep,
                                seal_parcels=self._wrap("seal_parcels", app.seal_parcels),
                                **{name: self._wrap(name, getattr(app, name)) for name in HANDLERS.values()})
        self.pump = Pump(proxy, wait_seconds=0)
        # The floor's clients: plain boto3, with botocore's parameter validation off as PynamoDB has it.
        raw_config = Config(parameter_validation=False)
        self.raw = {name: boto3.client(name, region_name="us-east-1", config=raw_config)
                    for name in ("dynamodb", "sqs", "sns")}
        self.scratch_queue = self.raw["sqs"].create_queue(QueueName="kc-bench-floor")["QueueUrl"]
        self.recorder.describe_tables(self.raw["dynamodb"], [m.Meta.table_name for m in tables.all_models()])
        return self

    def __exit__(self, *exc: object) -> None:
        self._stack.close()

    def _wrap(self, name: str, fn: Callable[..., Any]) -> Callable[..., Any]:
        def timed(event: dict[str, Any], context: Any) -> Any:
            since = len(self.recorder.calls)
            try:
                with self.recorder.labelled(name):
                    start = time.perf_counter()
                    try:
                        return fn(event, context)
                    finally:
                        inv = Invocation(name, self.recorder.phase, time.perf_counter() - start,
                                         len(event.get("Records", [])), self.recorder.take(since))
                        self.invocations.append(inv)
            finally:
                if self.after_invocation is not None:
                    self.after_invocation(inv)
        return timed

    # ------------------------------------------------------------ requests

    def http(self, method: str, path: str, hdrs: dict[str, str], body: Any = None,
             function: str | None = None, raw: bytes | None = None) -> tuple[int, Any]:
        """One API request through the app (one API Gateway request, one Lambda invocation). Recorded
        under ``function`` when given; the benchmark's own look-ups pass None and are not counted."""
        kwargs: dict[str, Any] = {"headers": hdrs}
        if raw is not None:
            kwargs["body"] = raw
        elif body is not None:
            kwargs["body"] = json.dumps(body, ensure_ascii=False)
        since = len(self.recorder.calls)
        if function is not None and self.before_request is not None:
            self.before_request()
        with self.recorder.labelled(function):
            self._handler.seconds = 0.0
            resp = getattr(self.client.http, method.lower())(path, **kwargs)
            elapsed = self._handler.seconds
        if function is not None:
            inv = Invocation(function, self.recorder.phase, elapsed, 1, self.recorder.take(since))
            self.invocations.append(inv)
            if self.after_invocation is not None:
                self.after_invocation(inv)
        return resp.status_code, (json.loads(resp.body) if resp.body else None)

    def settle(self) -> None:
        """Deliver everything pending (outbox stream and queues) to the handlers."""
        self.pump.run_until_idle()

    def courier(self, waybill: str, event: str, function: str | None = "courier_webhook") -> None:
        from chalicelib.adapters.courier import signed_body

        self._courier_clock += timedelta(minutes=1)
        raw, sig = signed_body({"waybill": waybill, "event": event, "at": self._courier_clock.isoformat()})
        status, data = self.http("POST", "/webhooks/courier",
                                 {"Content-Type": "application/json", "X-Signature": sig}, raw=raw,
                                 function=function)
        assert status == 202, data

    def legs(self, case_no: str, sub: str) -> list[dict[str, Any]]:
        status, data = self.http("GET", f"/cases/{case_no}/shipments", headers("citizen", sub))
        assert status == 200, data
        return list(data["items"])

    # ------------------------------------------------------------ one case's life

    def complete_case(self, n: int, rating: int = 5) -> None:
        """apply → receive → forward (routing) → materials delivered (ACCEPTED) → decide → ship-result
        (routing) → result delivered (COMPLETED) → the applicant's review. Each request is recorded in
        ``invocations`` (its handler's seconds and its AWS calls)."""
        self.complete_cases([n], rating)

    def complete_cases(self, ns: list[int], rating: int = 5) -> None:
        """``complete_case`` for several cases in step, between the same two offices on the same day, as at a
        busy office: each step is taken for every case before the next and their consequences are delivered
        together (stream and queue batches), and they travel in one consolidated parcel (合包: one sealing, one
        waybill, one set of courier events for them all); each result is mailed on its own."""
        rec = self.recorder

        def route(use_case: str, n: int, method: str, path: str, hdrs: dict[str, str], body: Any = None,
                  function: str | None = None) -> Any:
            rec.phase, rec.subject = use_case, str(n)
            status, data = self.http(method, path, hdrs, body, function=function or use_case)
            assert status in (200, 201), (use_case, status, data)
            return data

        def each(step: Callable[[int, str], Any]) -> None:
            """The step for every case, then their consequences delivered together (as Lambda's pollers take
            what arrived meanwhile: one stream batch, queue batches of up to ten)."""
            for n in ns:
                step(n, case_nos[n])
            self.settle()

        subs = {n: f"bench-{n}" for n in ns}
        case_nos: dict[int, str] = {}
        for n in ns:
            case_nos[n] = route("apply", n, "POST", "/cases", headers("citizen", subs[n]), application(n))["case_no"]
        self.settle()
        sz, dg = headers("staff", "staff-sz", RECEIVING), headers("staff", "staff-dg", HANDLING)
        each(lambda n, c: route("receive", n, "POST", f"/cases/{c}/receive", sz, {}))
        each(lambda n, c: route("forward", n, "POST", f"/cases/{c}/forward", sz))
        rec.subject = str(ns[0])
        self.pump.seal()  # 合包: the collection seals the day's parcel and books its waybill (counted in forward)
        self.settle()
        rec.phase = "courier (materials leg)"
        waybills = {self.legs(c, subs[n])[0]["waybill"] for n, c in case_nos.items()}
        for waybill in sorted(waybills):
            for event in ("PICKED_UP", "IN_TRANSIT", "DELIVERED"):
                self.courier(waybill, event)
        self.settle()
        each(lambda n, c: route("decide", n, "POST", f"/cases/{c}/decide", dg, {"approved": True, "note": ""}))
        each(lambda n, c: route("ship-result", n, "POST", f"/cases/{c}/ship-result", dg))
        results = {n: next(leg for leg in self.legs(c, subs[n]) if leg["kind"] == "RESULT")
                   for n, c in case_nos.items()}
        for event in ("PICKED_UP", "IN_TRANSIT", "DELIVERED"):
            for n in ns:
                rec.phase, rec.subject = "courier (result leg)", str(n)
                self.courier(results[n]["waybill"], event)
        self.settle()
        for n, case_no in case_nos.items():
            status, final = self.http("GET", f"/cases/{case_no}", headers("citizen", subs[n]))
            assert status == 200 and final["status"] == "COMPLETED", final
        review: dict[str, Any] = {"stage": "handling", "rating": rating}
        if rating <= 2:
            review.update(tags=["超时"], comment="太慢")
        each(lambda n, c: route("review", n, "POST", f"/cases/{c}/reviews", headers("citizen", subs[n]), review,
                                function="submit_review"))
        rec.phase = ""
        rec.subject = ""
        self.last_case = (case_nos[ns[0]], subs[ns[0]])

    def apply_only(self, n: int) -> str:
        """One application and nothing else (its asynchronous consequences delivered), recorded under the
        ``apply`` use case: the partition-heat figure takes many more of these than of whole cases."""
        rec = self.recorder
        rec.phase, rec.subject = "apply", f"a{n}"
        try:
            status, case = self.http("POST", "/cases", headers("citizen", f"bench-a{n}"), application(n),
                                     function="apply")
            assert status == 201, case
            self.settle()
        finally:
            rec.phase, rec.subject = "", ""
        return str(case["case_no"])

    def forward_only(self, n: int) -> str:
        """One application received and forwarded at the window, its routing delivered (a materials leg, or
        its place in the pair's open parcel), recorded under ``apply``, ``receive`` and ``forward``. The
        parcel is left open: the caller seals it."""
        rec = self.recorder
        staff = headers("staff", "staff-sz", RECEIVING)
        rec.subject = f"a{n}"
        try:
            rec.phase = "apply"
            status, case = self.http("POST", "/cases", headers("citizen", f"bench-a{n}"), application(n),
                                     function="apply")
            assert status == 201, case
            case_no = str(case["case_no"])
            self.settle()
            for step in ("receive", "forward"):
                rec.phase = step
                status, data = self.http("POST", f"/cases/{case_no}/{step}", staff, {} if step == "receive" else None,
                                         function=step)
                assert status == 200, (step, data)
                self.settle()
        finally:
            rec.phase, rec.subject = "", ""
        return case_no

    def timeline_length(self, case_no: str, sub: str) -> int:
        status, data = self.http("GET", f"/cases/{case_no}/timeline", headers("citizen", sub))
        assert status == 200, data
        return len(data["items"])
