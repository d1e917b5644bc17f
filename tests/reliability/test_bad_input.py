"""Bad input catalogue: every POST route gets oversized bodies, deep nesting, non-JSON, invalid UTF-8, JSON that
is not an object, unknown fields, control characters, unpaired surrogates, over-long strings, wrong types,
absurd numbers and injection-looking identifiers — from the caller the route is for, on a case in a state
where a valid request is accepted (checked at the end of each route, so no 4xx below comes from the state).

Each answer is a 4xx (413 for the oversized ones) with ``{"code", "message"}`` (and ``field`` on a 400), and
nothing is stored: the item count of every table (cases, timeline events, outbox, reviews, tickets, ...) and
the courier-events queue are the same before and after. List routes get absurd ``limit``/``cursor`` values.
"""
from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterator
from typing import Any

from chalicelib.config import settings
from tests.shipping_support import queue_depth
from tests.world_support import ACTORS, World, body_for

INJECTIONS = ["' OR '1'='1", "<script>alert(1)</script>", "${jndi:ldap://127.0.0.1/a}", "../../etc/passwd",
              '"}]; DROP TABLE cases; --', "{{7*7}}", "$(reboot)", "%00", "KC4403002026113000001#RECEIVED",
              "😀" * 20]
CONTROL = ["a\x00b", "\x1b[31mred", "line\x07bell", "del\x7f"]
WRONG_TYPES: list[Any] = [12345, 1.5, True, None, [], {}, ["a"], {"a": "b"}]
BOOLEAN_WRONG: list[Any] = [1, 0, "true", None, [], {}]
RATING_WRONG: list[Any] = [-1, 0, 6, 10**9, -(10**18), 1.5, True, "5", None]


def _route(path: str, role: str, valid: dict[str, Any], text: tuple[str, ...] = (), ids: tuple[str, ...] = (),
           booleans: tuple[str, ...] = (), ok: int = 200, extra_allowed: bool = False) -> dict[str, Any]:
    return {"path": path, "role": role, "valid": valid, "text": text, "ids": ids, "booleans": booleans,
            "ok": ok, "extra_allowed": extra_allowed}


# In order: each route's final valid request leaves the world ready for the next (verify → rectify → ...).
ROUTES: list[dict[str, Any]] = [
    _route("/cases", "owner", body_for(id_seed=4242), text=("applicant.name",),
           ids=("matter_id", "receiving_office_id", "applicant.id_number", "applicant.phone"), ok=201),
    _route("/cases/{SUBMITTED}/receive", "staff_receiving", {"missing": [], "note": "承诺书已签"}, text=("note",),
           ids=("missing.0",)),
    _route("/cases/{SUBMITTED_2}/refuse", "staff_receiving", {"reason": "户口簿 is a copy"}, text=("reason",)),
    _route("/cases/{SUBMITTED}/withdraw", "owner", {"note": "moved back"}, text=("note",)),
    _route("/cases/{RECEIVED}/forward", "staff_receiving", {"note": ""}, text=("note",)),
    _route("/cases/{IN_TRANSIT}/sign", "staff_handling", {"note": ""}, text=("note",)),
    _route("/cases/{RECEIVED_MISSING}/supplements", "owner", {"material": "照片", "note": ""}, text=("note",),
           ids=("material",)),
    _route("/cases/{ACCEPTED}/return", "staff_handling", {"reason": "照片 is blurred"}, text=("reason",)),
    _route("/cases/{ACCEPTED_2}/decide", "staff_handling", {"approved": True, "note": ""}, text=("note",),
           booleans=("approved",)),
    _route("/cases/{APPROVED}/ship-result", "staff_handling", {"note": ""}, text=("note",)),
    _route("/cases/{READY_FOR_PICKUP}/pickup", "staff_receiving", {"note": ""}, text=("note",)),
    # Nothing went wrong with this parcel, so the valid request is refused by state (409), after validation.
    _route("/cases/{RESULT_IN_TRANSIT}/reship", "staff_handling", {"note": ""}, text=("note",), ids=("waybill",),
           ok=409),
    _route("/cases/{COMPLETED}/reviews", "owner", {"stage": "handling", "rating": 2, "tags": ["办理慢"],
                                                   "comment": "slow"},
           text=("comment", "tags.0"), ids=("stage",)),
    _route("/cases/{REVIEWED}/reviews/receiving/follow-up", "owner", {"comment": "fixed now"}, text=("comment",),
           ok=201),
    _route("/tickets/{ticket}/verify", "supervisor_related", {"valid": True, "finding": "confirmed"},
           text=("finding",), booleans=("valid",)),
    _route("/tickets/{ticket}/rectify", "supervisor_related", {"actions": "retrained"}, text=("actions",)),
    _route("/tickets/{ticket}/feedback", "supervisor_related", {"contacted": True, "satisfied": True, "note": ""},
           text=("note",), booleans=("contacted", "satisfied")),
    _route("/tickets/{ticket}/appeal", "staff_receiving", {"grounds": "never came"}, text=("grounds",)),
    _route("/tickets/{ticket}/appeal-decision", "provincial", {"upheld": False, "note": "no evidence"},
           text=("note",), booleans=("upheld",)),
    # The valid body (the case's real query code and identity number) is filled in from the world below; the
    # owner's claim of their own case is the idempotent 200. No bad body here gets as far as a guess.
    _route("/cases/{COMPLETED}/claim", "owner", {"query_code": "{code}", "id_number": "{id_number}"},
           text=("id_number",), ids=("query_code",)),
    _route("/webhooks/courier", "anonymous", {"waybill": "EMS0000000001", "event": "DELIVERED",
                                              "at": "2026-03-02T09:00:00+08:00"},
           text=("at",), ids=("waybill", "event"), ok=202, extra_allowed=True),
]
ROUTES[12]["ok"] = 201  # a review is created


def _set(body: dict[str, Any], dotted: str, value: Any) -> dict[str, Any]:
    out = json.loads(json.dumps(body))
    parts = dotted.split(".")
    node = out
    for part in parts[:-1]:
        node = node[int(part)] if part.isdigit() else node[part]
    last = parts[-1]
    if last.isdigit():
        if not node:
            node.append(None)
        node[int(last)] = value
    else:
        node[last] = value
    return out


def _dump(body: Any) -> bytes:
    """UTF-8 JSON; an unpaired surrogate goes as its \\uD800 escape (valid JSON, valid UTF-8, no character)."""
    text = json.dumps(body, ensure_ascii=False)
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:
        return json.dumps(body).encode("ascii")


def catalogue(route: dict[str, Any]) -> Iterator[tuple[str, bytes, int | None]]:
    """(name, raw body, the status it must get or None for any 4xx but 401/403)."""
    valid = route["valid"]
    first = (route["text"] + route["ids"] + route["booleans"])[0].split(".")[0]
    yield "oversized JSON", _dump({**valid, "pad": "x" * 66_000}), 413
    yield "oversized garbage", b"\x00" * 70_000, 413
    # Deeper than Python's recursion limit, yet within the 16 KB body limit (MAX_BODY_BYTES), so the parser's
    # depth check is what answers, not the size check.
    yield "deep object", b'{"a":' * 2_000 + b"1" + b"}" * 2_000, 400
    yield "deep array", b"[" * 8_000 + b"]" * 8_000, 400
    deep: Any = "x"
    for _ in range(40):
        deep = {"a": deep}
    yield "nested 40 levels in a field", _dump({**valid, first: deep}), 400
    yield "not JSON", b'{"oops', 400
    yield "invalid UTF-8", b'{"' + first.encode() + b'": "\xff\xfe\xc3"}', 400
    yield "surrogate as raw bytes", b'{"' + first.encode() + b'": "\xed\xa0\x80"}', 400
    yield "UTF-16", json.dumps(valid).encode("utf-16"), 400
    for literal in (b"[]", b'"text"', b"42", b"null", b"true", b"[1, 2]"):
        yield f"top-level {literal.decode()}", literal, 400
    if not route["extra_allowed"]:
        yield "unknown field", _dump({**valid, "zzz_unknown": 1}), 400
        yield "__proto__", _dump({**valid, "__proto__": {"admin": True}}), 400
    yield "field name with NUL", _dump({**valid, "a\x00b": 1}), 400
    yield "field name with unpaired surrogate", _dump({**valid, "\ud800": 1}), 400
    yield "NaN", f'{{"{first}": NaN}}'.encode(), 400
    yield "Infinity", f'{{"{first}": -Infinity}}'.encode(), 400
    yield "5000-digit number", f'{{"{first}": {"9" * 5000}}}'.encode(), 400
    yield "1e999", f'{{"{first}": 1e999}}'.encode(), 400
    for field in route["text"] + route["ids"]:
        for value in CONTROL:
            yield f"{field} = {value!r}", _dump(_set(valid, field, value)), 400
        yield f"{field} = unpaired surrogate", _dump(_set(valid, field, "ok\ud800")), 400
        yield f"{field} = 5000 characters", _dump(_set(valid, field, "长" * 5000)), 400
        for value in WRONG_TYPES:
            yield f"{field} = {value!r}", _dump(_set(valid, field, value)), 400
    for field in route["ids"]:
        for value in INJECTIONS:
            yield f"{field} = {value!r}", _dump(_set(valid, field, value)), None
    for field in route["booleans"]:
        for value in BOOLEAN_WRONG:
            yield f"{field} = {value!r}", _dump(_set(valid, field, value)), 400
    if "rating" in valid:
        for value in RATING_WRONG:
            yield f"rating = {value!r}", _dump({**valid, "rating": value}), 400


def _sign(raw: bytes) -> str:
    return hmac.new(settings().courier_webhook_secret.encode(), raw, hashlib.sha256).hexdigest()


def _post(client: Any, path: str, role: str, raw: bytes) -> tuple[int, Any]:
    hdrs = dict(ACTORS[role])
    if path == "/webhooks/courier":
        hdrs["X-Signature"] = _sign(raw)
    resp = client.http.post(path, headers=hdrs, body=raw)
    try:
        return resp.status_code, json.loads(resp.body)
    except ValueError:
        return resp.status_code, resp.body[:200]


def _path(template: str, world: World) -> str:
    out = template.replace("{ticket}", world.ticket_id)
    for state, case_no in world.cases.items():
        out = out.replace(f"{{{state}}}", case_no)
    return out


def _problem(status: int, data: Any, expected: int | None) -> str | None:
    if expected is not None and status != expected:
        return f"status {status}, expected {expected}"
    if not 400 <= status < 500 or status in (401, 403):
        return f"status {status}, expected a 4xx about the input"
    if not (isinstance(data, dict) and isinstance(data.get("code"), str) and isinstance(data.get("message"), str)):
        return f"body is not {{code, message}}: {data!r}"
    if status == 400 and not isinstance(data.get("field"), str):
        return f"400 without the field: {data!r}"
    return None


def test_bad_input_catalogue(api_world: World, client: Any, api_store_counts: Any, api_record: Any) -> None:
    problems: list[str] = []
    sent = 0
    for route in ROUTES:
        path = _path(route["path"], api_world)
        if route["path"].endswith("/claim"):
            case_no = path.split("/")[2]
            route = {**route, "valid": {"query_code": api_world.query_codes[case_no],
                                        "id_number": api_world.id_number_of[case_no]}}
        before, queued = api_store_counts(), queue_depth("courier-events")
        for name, raw, expected in catalogue(route):
            status, data = _post(client, path, route["role"], raw)
            sent += 1
            problem = _problem(status, data, expected)
            if problem:
                problems.append(f"POST {route['path']} with {name}: {problem} {str(data)[:200]}")
        after = api_store_counts()
        changed = {t: (before[t], after[t]) for t in before if before[t] != after[t]}
        if changed or queue_depth("courier-events") != queued:
            problems.append(f"POST {route['path']}: bad input stored something: {changed}, "
                            f"courier-events {queued} → {queue_depth('courier-events')}")
        for content_type in ("application/xml", "text/html", "image/png"):
            hdrs = {**ACTORS[route["role"]], "Content-Type": content_type}
            resp = client.http.post(path, headers=hdrs, body=_dump(route["valid"]))
            sent += 1
            problem = _problem(resp.status_code, json.loads(resp.body), 415)
            if problem:
                problems.append(f"POST {route['path']} as {content_type}: {problem}")
        after = api_store_counts()
        changed = {t: (before[t], after[t]) for t in before if before[t] != after[t]}
        if changed:
            problems.append(f"POST {route['path']}: a body of another Content-Type stored something: {changed}")
        # The target was in a state where a valid request is taken: the 4xx above came from the input.
        status, data = _post(client, path, route["role"], _dump(route["valid"]))
        if status != route["ok"]:
            problems.append(f"POST {route['path']} valid body: {status} {data}, expected {route['ok']}")
    api_record("bad_inputs_post", sent)
    assert not problems, f"{len(problems)} of {sent} bad inputs mishandled:\n" + "\n".join(problems)


PAGED = ("/offices/SZ-GOV/cases", "/reviews", "/me/cases")
LISTS = ["/offices/SZ-GOV/cases", "/reviews", "/me/cases", "/stats/reviews", "/matters", "/track/{COMPLETED}"]
ABSURD_QUERIES = ["limit=1000000000", "limit=0", "limit=-1", "limit=1e3", "limit=abc", "limit=%00",
                  "limit=99999999999999999999999999", "cursor=not-a-cursor", "cursor=W10", "cursor=%FF%FE",
                  "cursor=eyJpIjogOTl9", "cursor=eyJwIjogLTF9", "cursor=eyJpIjoieCJ9", "cursor=eyJpIjowLCJrIjoieCJ9",
                  "cursor=eyJrIjp7ImFwcGxpY2FudF9zdWIiOnsiUyI6Im1hbGxvcnkifX19", "status=DROP%20TABLE", "city=44030",
                  "city=%27%20OR%201%3D1", "office_id=..%2F..", "bad=maybe", "ticket_status=x",
                  "from=2026-13-45", "to=yesterday", "from=2026-03-02&to=2026-03-01", "code=12345",
                  "code=%00%00%00%00%00%00"]


def test_absurd_query_parameters(api_world: World, client: Any, api_record: Any) -> None:
    """Huge page sizes, negative numbers, forged cursors, bad filters: a 4xx about the parameter, never 5xx."""
    who = {"/offices/SZ-GOV/cases": "staff_receiving", "/reviews": "provincial", "/stats/reviews": "provincial",
           "/me/cases": "owner",
           "/matters": "anonymous", "/track/{COMPLETED}": "anonymous"}
    problems: list[str] = []
    sent = answered_400 = 0
    for template in LISTS:
        path = _path(template, api_world)
        for query in ABSURD_QUERIES:
            resp = client.http.get(f"{path}?{query}", headers=ACTORS[who[template]])
            sent += 1
            data = json.loads(resp.body) if resp.body else None
            if resp.status_code >= 500 or resp.status_code in (401, 403):
                problems.append(f"GET {template}?{query}: {resp.status_code} {data}")
            elif resp.status_code >= 400:
                answered_400 += 1
                problem = _problem(resp.status_code, data, None)
                if problem:
                    problems.append(f"GET {template}?{query}: {problem}")
            elif query.startswith("limit=") and template in PAGED:  # the others take no limit
                problems.append(f"GET {template}?{query}: accepted ({resp.status_code})")
    api_record("bad_inputs_query", sent)
    assert not problems, "\n".join(problems)
    assert answered_400 > 40
