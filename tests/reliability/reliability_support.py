"""Shared helpers of the reliability tests: sizes, a fresh emulated account, a deterministic mix of cases
driven through their whole life over the API and the queues, and normalised snapshots of everything the
system stores, to compare a run under chaos or faults with a clean in-order run."""
from __future__ import annotations

import json
import os
import random
import re
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from typing import Any

from chalicelib.adapters.courier import signed_body
from tests.support import MATTER_OF_CITY, OFFICE_OF_CITY, application, call, citizen, staff, supervisor

_SIZE = os.environ.get("RELIABILITY_SIZE", "").lower()
# "full": the full sizes (make soak); a number such as 0.5 or 10: that multiple of the full sizes.
SCALE = 1.0 if _SIZE == "full" else float(_SIZE) if _SIZE.replace(".", "", 1).isdigit() else 0.0
FULL = SCALE > 0
REGION = "us-east-1"
SZ, DG, ZH = "440300", "441900", "440400"
PAIRS = [(SZ, DG), (SZ, ZH), (DG, SZ), (DG, ZH), (ZH, SZ), (ZH, DG)]
ALL_MATERIALS = {
    "DG-SI-CERT": ["身份证", "申请表"],
    "SZ-PF-WITHDRAW": ["身份证", "银行卡", "购房合同"],
    "ZH-DRIVER-RENEW": ["身份证", "驾驶证", "体检证明", "照片"],
    "ZH-HOUSING-RECORD": ["身份证", "查询申请表"],
}
# Tables whose content is compared between runs (counters and idempotency keys legitimately differ: a
# sequence number taken by a request whose reply was lost is never reused).
COMPARED_TABLES = ("cases", "case-events", "outbox", "shipments", "notifications", "reviews", "review-slots",
                   "tickets", "ticket-events", "review-stats")


def size(ci: int, full: int) -> int:
    """The CI size, or the full size under RELIABILITY_SIZE=full (``make soak``), or a share of it."""
    return max(ci, round(full * SCALE)) if FULL else ci


def record_figures(name: str, **figures: Any) -> None:
    """Print the figures of a run and append them to RELIABILITY_FIGURES (a JSON-lines file) if set."""
    line = json.dumps({"test": name, "size": f"full x{SCALE:g}" if FULL else "ci", **figures}, ensure_ascii=False)
    print(f"\nRELIABILITY {line}")
    target = os.environ.get("RELIABILITY_FIGURES")
    if target:
        with open(target, "a", encoding="utf-8") as fh:
            fh.write(line + "\n")


# ---------------------------------------------------------------- accounts


@contextmanager
def fresh_account() -> Iterator[None]:
    """A fresh in-process emulated account (like the ``aws`` fixture), usable several times in one test."""
    from moto import mock_aws

    from chalicelib.adapters import reference_store
    from tools.local_stack import provision

    with mock_aws():
        provision(visibility_timeout=0)
        yield
        reference_store.invalidate()


def sms_sent(case_numbers: list[str]) -> Counter[str]:
    """Every SMS the emulated SNS accepted → how many times, the case number replaced by the case's
    position in the scenario (so runs whose case numbers differ compare)."""
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.sns.models import sns_backends

    alias = {no: f"<case{i}>" for i, no in enumerate(case_numbers)}
    sent: Counter[str] = Counter()
    for _phone, text in sns_backends[DEFAULT_ACCOUNT_ID][REGION].sms_messages.values():
        sent[re.sub(r"KC\d{19,}", lambda m: alias.get(m.group(0), "<unknown case>"), text)] += 1
    return sent


@dataclass
class Outcome:
    snapshot: dict[str, list[str]]
    sms: Counter[str]
    case_numbers: list[str]


_CLEAN: dict[str, Outcome] = {}


def clean_run(n: int, todo: list[Plan] | None = None, key: str = "") -> Outcome:
    """The reference: ``plans(n)`` (or ``todo``) with an in-order pump, no chaos, no faults (computed once
    per process and key)."""
    cache_key = f"{n}:{key}"
    if cache_key not in _CLEAN:
        import app
        from tools.pump import Pump

        todo = todo or plans(n)
        with fresh_account(), chalice_client() as client:
            pump = Pump(app, wait_seconds=0)
            driver = Driver(client, settle=lambda: pump.run_until_idle(max_rounds=1000))
            driver.run(todo)
            assert final_statuses(driver, todo) == expected_statuses(todo)
            _CLEAN[cache_key] = Outcome(snapshot(driver.case_numbers), sms_sent(driver.case_numbers),
                                        driver.case_numbers)
    return _CLEAN[cache_key]


# ---------------------------------------------------------------- snapshots

_INSTANT = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2})?")
# Random (query codes) or derived from a hash of the case number (shards), which may differ between runs.
_VOLATILE_KEYS = {"expires_at", "sent_at", "query_code", "due_shard", "open_shard"}
# Write-sharded index keys (``SZ-GOV#3``): the shard comes from a hash of the case number, so two runs agree on
# the office or city, not on the shard.
_SHARDED_KEYS = {"handling_queue", "receiving_queue", "city_shard", "office_shard"}
_SHARD_SUFFIX = re.compile(r"#\d+$")


def _normalise(value: Any, names: dict[str, str]) -> Any:
    if isinstance(value, dict):
        return {k: _normalise(_SHARD_SUFFIX.sub("#<shard>", v) if k in _SHARDED_KEYS and isinstance(v, str) else v,
                              names)
                for k, v in sorted(value.items()) if k not in _VOLATILE_KEYS}
    if isinstance(value, list):
        return [_normalise(v, names) for v in value]
    if isinstance(value, str):
        value = _INSTANT.sub("<t>", value)
        for real, alias in names.items():
            if real in value:
                value = value.replace(real, alias)
        return value
    return value


def _plain(item: dict[str, Any]) -> dict[str, Any]:
    from boto3.dynamodb.types import TypeDeserializer

    des = TypeDeserializer()
    out = {k: des.deserialize(v) for k, v in item.items()}
    for k, v in out.items():
        if isinstance(v, str) and v[:1] in "{[":
            with suppress(ValueError):
                out[k] = json.loads(v)  # a JSON attribute: compare its content, not its serialisation
    return json.loads(json.dumps(out, default=lambda o: float(o) if hasattr(o, "as_tuple") else sorted(o)))


def _unsharded(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Review counters are write-sharded over partition keys chosen at random (``SZ-GOV#3``,
    ``SZ-GOV#month#3``): what two runs must agree on is each office's sum per day and per month."""
    sums: dict[tuple[str, str], dict[str, Any]] = {}
    for row in rows:
        office = re.sub(r"#(?:month#)?\d+$", "", row["office_id"])
        total = sums.setdefault((office, row["day"]), {"office_id": office, "day": row["day"]})
        for k, v in row.items():
            if k not in ("office_id", "day") and isinstance(v, (int, float)):
                total[k] = total.get(k, 0) + v
    return [{k: v for k, v in row.items() if v != 0 or k in ("office_id", "day")} for row in sums.values()]


def snapshot(case_numbers: list[str]) -> dict[str, list[str]]:
    """Every stored item of the compared tables, timestamps blanked and case numbers, waybills and ticket
    numbers replaced by the case's position in the scenario, sorted: equal snapshots mean equal final states."""
    import boto3

    from chalicelib.config import settings

    ddb = boto3.client("dynamodb", region_name=REGION)
    tables = {t: [_plain(i) for page in ddb.get_paginator("scan").paginate(TableName=settings().name(t))
                  for i in page["Items"]] for t in COMPARED_TABLES}
    # The statistics snapshot is derived from the counters when the schedule runs, and says when: not state.
    tables["review-stats"] = _unsharded([r for r in tables["review-stats"]
                                         if not r["office_id"].startswith("summary:")])
    names = {no: f"<case{i}>" for i, no in enumerate(case_numbers)}
    for leg in sorted(tables["shipments"], key=lambda r: (r["case_no"], r["case_version"])):
        names[leg["waybill"]] = f"<leg {names.get(leg['case_no'], '?')} v{leg['case_version']}>"
    for ticket in tables.get("tickets", []):  # ticket numbers are random: named by the case and stage they are of
        names[ticket["ticket_id"]] = f"<ticket {names.get(ticket['case_no'], '?')} {ticket['stage']}>"
    names = dict(sorted(names.items(), key=lambda kv: -len(kv[0])))  # longest first: waybills before cases
    return {t: sorted(json.dumps(_normalise(i, names), ensure_ascii=False, sort_keys=True) for i in items)
            for t, items in tables.items()}


def _flat(prefix: str, value: Any, out: dict[str, Any]) -> dict[str, Any]:
    if isinstance(value, dict):
        for k, v in value.items():
            _flat(f"{prefix}.{k}" if prefix else k, v, out)
    elif isinstance(value, list):
        for i, v in enumerate(value):
            _flat(f"{prefix}[{i}]", v, out)
    else:
        out[prefix] = value
    return out


def differences(expected: dict[str, list[str]], actual: dict[str, list[str]]) -> list[str]:
    """What differs, item by item: for an item changed (not added or removed), the fields that differ."""
    out = []
    for table in COMPARED_TABLES:
        missing = list((Counter(expected[table]) - Counter(actual[table])).elements())
        extra = list((Counter(actual[table]) - Counter(expected[table])).elements())
        for m in missing:
            want = _flat("", json.loads(m), {})
            # the extra item most like it is the same item in another state
            best = max(extra, key=lambda e: len(set(_flat("", json.loads(e), {}).items()) & set(want.items())),
                       default=None)
            if best is None:
                out.append(f"{table}: missing {m[:300]}")
                continue
            extra.remove(best)
            got = _flat("", json.loads(best), {})
            changed = {k: (want.get(k), got.get(k)) for k in sorted(set(want) | set(got)) if want.get(k) != got.get(k)}
            out.append(f"{table}: {m[:120]} differs: {changed}")
        out += [f"{table}: extra {e[:300]}" for e in extra]
    return out


# ---------------------------------------------------------------- the case mix


@dataclass
class Plan:
    """What happens to case ``i``: the route, the decision, the reviews (bad ones open tickets)."""

    i: int
    receiving_city: str
    handling_city: str
    matter: str
    method: str
    refuse: bool
    approve: bool
    receiving_rating: int
    handling_rating: int
    verify_ticket: bool

    @property
    def receiving(self) -> str:
        return OFFICE_OF_CITY[self.receiving_city]

    @property
    def handling(self) -> str:
        return OFFICE_OF_CITY[self.handling_city]

    @property
    def sub(self) -> str:
        return f"citizen-{self.i}"


def plans(n: int, seed: int = 2026) -> list[Plan]:
    rnd = random.Random(seed)
    out = []
    for i in range(n):
        receiving_city, handling_city = rnd.choice(PAIRS)
        matter = MATTER_OF_CITY[handling_city]
        if handling_city == ZH and rnd.random() < 0.3:
            matter = "ZH-HOUSING-RECORD"  # electronic transfer: no materials parcel
        out.append(Plan(
            i=i, receiving_city=receiving_city, handling_city=handling_city, matter=matter,
            method=rnd.choice(["MAIL", "PICKUP_RECEIVING", "PICKUP_HANDLING"]),
            refuse=rnd.random() < 0.1, approve=rnd.random() < 0.8,
            receiving_rating=rnd.choice([1, 2, 3, 4, 5, 5]), handling_rating=rnd.choice([1, 2, 4, 5, 5]),
            verify_ticket=rnd.random() < 0.5,
        ))
    return out


BAD_TAGS = ["态度差"]


@dataclass
class Driver:
    """Drives a list of plans through their whole life in phases (all cases apply, then all are received,
    forwarded, delivered, ...), letting ``settle`` deliver the queues between phases, so that every queue
    holds many cases' messages at once. API calls that fail with 5xx are retried like a careful client
    (the same Idempotency-Key for apply; a 409 that shows the wanted state counts as done)."""

    client: Any
    settle: Callable[[], Any]
    retries: int = 30
    case_numbers: list[str] = field(default_factory=list)
    query_codes: list[str] = field(default_factory=list)
    api_retries: int = 0
    api_calls: int = 0
    # 合包: with consolidated parcels, the collection that seals them (run after the forwards and after the
    # results are shipped); the handling offices then sign each parcel against its handover list.
    seal: Callable[[], Any] | None = None
    delivered: set[str] = field(default_factory=set)  # waybills reported delivered (a parcel carries many cases)

    def call(self, method: str, path: str, hdrs: dict[str, str] | None, body: Any = None,
             done_if: set[str] | None = None) -> tuple[int, Any]:
        for _attempt in range(self.retries):
            self.api_calls += 1
            status, data = call(self.client, method, path, hdrs, body)
            if status >= 500:
                self.api_retries += 1
                continue
            if status == 409 and done_if and isinstance(data, dict) and data.get("current_status") in done_if:
                return 200, data  # our earlier attempt did it; its reply was lost
            return status, data
        raise AssertionError(f"{method} {path} kept failing")

    def courier(self, waybill: str, events: tuple[str, ...] = ("PICKED_UP", "IN_TRANSIT", "DELIVERED")) -> None:
        from chalicelib.domain.workdays import iso, utcnow

        for event in events:
            raw, sig = signed_body({"waybill": waybill, "event": event, "at": iso(utcnow())})
            for _attempt in range(self.retries):
                resp = self.client.http.post("/webhooks/courier", body=raw, headers={
                    "Content-Type": "application/json", "X-Signature": sig})
                if resp.status_code < 500:
                    assert resp.status_code == 202, resp.body
                    break
                self.api_retries += 1
            else:
                raise AssertionError("courier webhook kept failing")
            time.sleep(0.001)  # distinct instants for the three events

    def _collect(self) -> None:
        if self.seal is not None:
            self.seal()
            self.settle()

    def _sign_parcels(self, live: list[Plan]) -> None:
        """Each handling office signs every parcel it received against its handover list (sign all)."""
        parcels = {(leg["parcel_id"], p.handling) for p in live for leg in self.legs(p.i, staff(p.handling))
                   if leg.get("parcel_id")}
        for parcel_id, office in sorted(parcels):
            status, data = self.call("POST", f"/parcels/{parcel_id}/sign", staff(office), {})
            assert status == 200, data
        self.settle()

    def case(self, i: int, hdrs: dict[str, str]) -> dict[str, Any]:
        status, data = self.call("GET", f"/cases/{self.case_numbers[i]}", hdrs)
        assert status == 200, data
        return dict(data)

    def legs(self, i: int, hdrs: dict[str, str]) -> list[dict[str, Any]]:
        status, data = self.call("GET", f"/cases/{self.case_numbers[i]}/shipments", hdrs)
        assert status == 200, data
        return list(data["items"])

    def run(self, todo: list[Plan]) -> None:
        # 1. apply (idempotent retries), then receive or refuse
        for p in todo:
            body = application(matter_id=p.matter, office_id=p.receiving, method=p.method, id_seed=p.i,
                               address_city=p.receiving_city, provided=ALL_MATERIALS[p.matter])
            status, data = self.call("POST", "/cases", {**citizen(p.sub), "Idempotency-Key": f"apply-{p.i}"}, body)
            assert status in (200, 201), data
            self.case_numbers.append(data["case_no"])
            self.query_codes.append(data["query_code"])
        for p in todo:
            no = self.case_numbers[p.i]
            if p.refuse:
                status, data = self.call("POST", f"/cases/{no}/refuse", staff(p.receiving), {"reason": "材料不符"},
                                         done_if={"REFUSED"})
            else:
                status, data = self.call("POST", f"/cases/{no}/receive", staff(p.receiving), {},
                                         done_if={"RECEIVED"})
            assert status == 200, data
        self.settle()
        live = [p for p in todo if not p.refuse]
        # 2. forward; the router plans the materials leg (or accepts an electronic case at once)
        for p in live:
            status, data = self.call("POST", f"/cases/{self.case_numbers[p.i]}/forward", staff(p.receiving),
                                     done_if={"IN_TRANSIT", "ACCEPTED"})
            assert status == 200, data
        self.settle()
        self._collect()
        # 3. the courier delivers the materials: the case is signed in (ACCEPTED)
        for p in live:
            legs = self.legs(p.i, staff(p.receiving))
            assert len(legs) == (0 if p.matter == "ZH-HOUSING-RECORD" else 1), (p, legs)
            for leg in legs:
                if leg["waybill"] not in self.delivered:
                    self.delivered.add(leg["waybill"])
                    self.courier(leg["waybill"])
        self.settle()
        if self.seal is not None:
            self._sign_parcels(live)
        # 4. decide and ship the result
        for p in live:
            no = self.case_numbers[p.i]
            decided = {"APPROVED", "DENIED"}
            status, data = self.call("POST", f"/cases/{no}/decide", staff(p.handling), {"approved": p.approve},
                                     done_if=decided)
            assert status == 200, data
            status, data = self.call("POST", f"/cases/{no}/ship-result", staff(p.handling),
                                     done_if={"RESULT_IN_TRANSIT", "READY_FOR_PICKUP"})
            assert status == 200, data
        self.settle()
        self._collect()
        # 5. the result leg is delivered; pickups at the window
        for p in live:
            if p.method != "PICKUP_HANDLING":
                results = [leg for leg in self.legs(p.i, staff(p.handling)) if leg["kind"] == "RESULT"]
                assert len(results) == 1, (p, results)
                if results[0]["waybill"] not in self.delivered:
                    self.delivered.add(results[0]["waybill"])
                    self.courier(results[0]["waybill"])
        self.settle()
        for p in live:
            if p.method != "MAIL":
                office = p.receiving if p.method == "PICKUP_RECEIVING" else p.handling
                status, data = self.call("POST", f"/cases/{self.case_numbers[p.i]}/pickup", staff(office),
                                         done_if={"COMPLETED"})
                assert status == 200, data
        self.settle()
        # 6. reviews: bad ones open tickets on the tickets queue
        for p in todo:
            stages = [("receiving", p.receiving_rating)] + ([] if p.refuse else [("handling", p.handling_rating)])
            for stage, rating in stages:
                body: dict[str, Any] = {"stage": stage, "rating": rating}
                if rating <= 2:
                    body.update(tags=BAD_TAGS, comment="办理太慢")
                status, data = self.call("POST", f"/cases/{self.case_numbers[p.i]}/reviews", citizen(p.sub), body)
                if status == 409 and data.get("code") == "conflict":
                    continue  # an earlier attempt stored it; its reply was lost
                assert status == 201, data
        self.settle()
        # 7. supervisors verify some tickets (no queue involved: a plain conditional write)
        for p in todo:
            if p.verify_ticket and p.receiving_rating <= 2:
                path = f"/tickets/TK-{self.case_numbers[p.i]}-receiving/verify"
                status, data = self.call("POST", path, supervisor(p.receiving_city), {"valid": True, "finding": "属实"},
                                         done_if={"VERIFIED"})
                assert status == 200, data


def final_statuses(driver: Driver, todo: list[Plan]) -> Counter[str]:
    return Counter(driver.case(p.i, staff(p.receiving))["status"] for p in todo)


def expected_statuses(todo: list[Plan]) -> Counter[str]:
    return Counter("REFUSED" if p.refuse else "COMPLETED" for p in todo)


def chalice_client() -> Any:
    from chalice.test import Client

    import app

    return Client(app.app, stage_name="local")
