"""Property-based fuzzing of the input shapes a black-box probe found and schemathesis never generated
(issue 12): well-formed but forged cursors, digits of other scripts, non-hex webhook signatures, signed
courier events at the edges of the calendar, and token claims of the wrong type or length.

Each strategy asserts the specific answer (400 naming the field, 401), not only "no 5xx". Size: a few dozen
examples per strategy in ``make test`` (derandomized); ``FUZZ_SIZE=full`` (``make fuzz``) many more.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from datetime import UTC, datetime, timedelta, timezone
from typing import Any
from urllib.parse import quote

import jwt
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chalicelib.config import settings as app_settings
from chalicelib.domain.workdays import utcnow
from tests.reliability.conftest import FULL
from tests.world_support import ACTORS, RECEIVING, World

EXAMPLES = 600 if FULL else 25
FUZZ = settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=not FULL,
                suppress_health_check=list(HealthCheck))

# Digits that are not ASCII 0-9: superscripts, fullwidth, Arabic-Indic, Devanagari, circled, Thai, …
OTHER_DIGITS = st.characters(categories=["Nd", "No"], exclude_characters="0123456789")
ASCII_DIGITS = st.sampled_from("0123456789")


def _get(client: Any, path: str, hdrs: dict[str, str]) -> tuple[int, Any]:
    resp = client.http.get(path, headers=hdrs)
    return resp.status_code, (json.loads(resp.body) if resp.body else None)


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _json_values() -> st.SearchStrategy[Any]:
    scalars = st.one_of(st.none(), st.booleans(), st.integers(min_value=-(2**70), max_value=2**70),
                        st.floats(allow_nan=False), st.text(max_size=30))
    return st.recursive(scalars, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                         st.dictionaries(st.text(max_size=12), inner, max_size=4)),
                        max_leaves=12)


def _forged_cursor(world: World) -> st.SearchStrategy[str]:
    case_nos = st.sampled_from(world.all_cases())
    attr = st.builds(lambda v: {"S": v}, st.one_of(case_nos, st.sampled_from([RECEIVING, "DG-GOV", "alice",
                                                                               "mallory", "city#440300"]),
                                                  st.text(max_size=20)))
    start_key = st.dictionaries(st.sampled_from(["case_no", "receiving_office_id", "receiving_sort",
                                                 "handling_office_id", "handling_sort", "applicant_sub",
                                                 "created_at", "partition", "sort"]), attr, max_size=4)
    position = st.fixed_dictionaries({}, optional={"i": st.one_of(st.integers(-5, 5), _json_values()),
                                                   "p": st.one_of(st.integers(-5, 5), _json_values()),
                                                   "k": st.one_of(st.none(), start_key, _json_values())})
    payload = st.one_of(position, _json_values()).map(lambda v: _b64(json.dumps(v).encode()))
    mac = st.one_of(st.just(""), st.binary(min_size=1, max_size=24).map(lambda b: "." + _b64(b)))
    return st.builds(lambda p, m: p + m, payload, mac)


def test_fuzz_forged_cursors_are_400(api_world: World, client: Any, api_record: Any) -> None:
    lists = [("/offices/SZ-GOV/cases", "staff_receiving"), ("/me/cases", "owner"), ("/reviews", "provincial")]
    sent = 0

    @FUZZ
    @given(cursor=_forged_cursor(api_world), which=st.sampled_from(lists))
    def one(cursor: str, which: tuple[str, str]) -> None:
        nonlocal sent
        path, role = which
        status, body = _get(client, f"{path}?cursor={quote(cursor)}", ACTORS[role])
        sent += 1
        assert status == 400 and body["field"] == "cursor", (path, cursor, status, body)

    one()
    api_record("fuzz_hostile_cursors", sent)


def test_fuzz_digits_of_other_scripts_are_400(api_world: World, client: Any, api_record: Any) -> None:
    case_no = api_world.all_cases()[0]
    sent = 0

    def mixed(length: int) -> st.SearchStrategy[str]:
        # At least one non-ASCII digit among ASCII ones.
        return st.lists(st.one_of(ASCII_DIGITS, OTHER_DIGITS), min_size=length, max_size=length).filter(
            lambda chars: any(c not in "0123456789" for c in chars)).map("".join)

    targets = st.one_of(
        mixed(6).map(lambda v: (f"/track/{case_no}?code={quote(v)}", "anonymous", "code")),
        st.integers(1, 3).flatmap(mixed).map(lambda v: (f"/me/cases?limit={quote(v)}", "owner", "limit")),
        mixed(6).map(lambda v: (f"/matters?city={quote(v)}", "anonymous", "city")),
        mixed(6).map(lambda v: (f"/reviews?city={quote(v)}", "provincial", "city")),
        mixed(19).map(lambda v: (f"/track/KC{quote(v)}?code=123456", "anonymous", "case_no")),
    )

    @FUZZ
    @given(target=targets)
    def one(target: tuple[str, str, str]) -> None:
        nonlocal sent
        path, role, field = target
        status, body = _get(client, path, ACTORS[role])
        sent += 1
        assert status == 400 and body["field"] == field, (path, status, body)

    one()
    api_record("fuzz_hostile_digits", sent)


def _post_webhook(client: Any, raw: bytes, signature: str) -> tuple[int, Any]:
    resp = client.http.post("/webhooks/courier", body=raw,
                            headers={"Content-Type": "application/json", "X-Signature": signature})
    return resp.status_code, (json.loads(resp.body) if resp.body else None)


def _sign(raw: bytes) -> str:
    return hmac.new(app_settings().courier_webhook_secret.encode(), raw, hashlib.sha256).hexdigest()


def test_fuzz_webhook_signatures_and_dates(api_world: World, client: Any, api_record: Any) -> None:
    sent = 0
    raw = json.dumps({"waybill": "EMS000000000001", "event": "IN_TRANSIT", "at": utcnow().isoformat()}).encode()
    non_hex = st.one_of(st.text(min_size=1, max_size=80).filter(lambda s: not all(c in "0123456789abcdefABCDEF"
                                                                                  for c in s.strip())),
                        st.just("é" * 64), st.just("ｆ" * 64), st.just("0" * 63 + "g"))
    offsets = st.integers(-23 * 60 - 59, 23 * 60 + 59).map(lambda m: timezone(timedelta(minutes=m)))
    instants = st.builds(lambda at, tz: at.replace(tzinfo=tz).isoformat(),
                         st.datetimes(min_value=datetime(1, 1, 1), max_value=datetime(9999, 12, 31, 23, 59, 59)),
                         offsets)

    @FUZZ
    @given(signature=non_hex)
    def forged(signature: str) -> None:
        nonlocal sent
        status, body = _post_webhook(client, raw, signature)
        sent += 1
        assert status == 401 and body["code"] == "unauthenticated", (signature, status, body)

    @FUZZ
    @given(at=instants)
    def dated(at: str) -> None:
        nonlocal sent
        event = json.dumps({"waybill": "EMS000000000001", "event": "IN_TRANSIT", "at": at}).encode()
        status, body = _post_webhook(client, event, _sign(event))
        sent += 1
        instant = datetime.fromisoformat(at)
        try:
            recent = abs(instant.astimezone(UTC) - utcnow()) <= timedelta(days=366)
        except OverflowError:
            recent = False
        assert (status == 202) if recent else (status == 400 and body["field"] == "at"), (at, status, body)

    forged()
    dated()
    api_record("fuzz_hostile_webhook", sent)


def test_fuzz_token_claims_of_the_wrong_type_are_401(api_world: World, client: Any, api_record: Any) -> None:
    sent = 0
    wrong = st.one_of(st.lists(st.text(max_size=8), max_size=3), st.dictionaries(st.text(max_size=5),
                                                                                st.text(max_size=5), max_size=2),
                      st.integers(), st.floats(allow_nan=False), st.booleans(), st.text(min_size=200, max_size=6000))
    claim = st.sampled_from(["sub", "office_id", "city", "name", "role"])
    paths = st.sampled_from([("/me/cases", "citizen", {}), ("/offices/SZ-GOV/cases", "staff", {"office_id": "SZ-GOV"}),
                             ("/reviews", "supervisor", {"city": "440000"}),
                             ("/stats/reviews", "supervisor", {"city": "440000"}),
                             (f"/cases/{api_world.all_cases()[0]}", "citizen", {})])
    secret = app_settings().auth_dev_secret

    @FUZZ
    @given(name=claim, value=wrong, target=paths)
    def one(name: str, value: Any, target: tuple[str, str, dict[str, str]]) -> None:
        nonlocal sent
        path, role, scope = target
        now = int(time.time())
        claims = {"sub": "alice", "role": role, "iat": now, "exp": now + 600, **scope, name: value}
        if name == "name" and isinstance(value, str) and len(value) <= 64:
            return  # a name is free text: only its type and length are checked
        token = jwt.encode(claims, secret, algorithm="HS256")
        status, body = _get(client, path, {"Authorization": f"Bearer {token}"})
        sent += 1
        assert status == 401 and body["code"] == "unauthenticated", (name, value, status, body)

    one()
    api_record("fuzz_hostile_claims", sent)
