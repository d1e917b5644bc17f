"""API fuzzing with schemathesis against the in-process app (moto), every operation of docs/openapi.json.

Requests are generated from the document, positive (valid by the schema) and negative (violating it), sent
with the token of a random role of the world (tests/world_support.py) — or none — and with real case numbers,
query codes, office ids and the world's ticket id half of the time, so that requests get past 404 into the
routes' logic. Checks on every response:

- no 5xx;
- every error (4xx) is JSON ``{"code", "message"}`` (strings);
- the status code is one the document lists for the operation, the content type is JSON, and the body
  matches the document's response schema for that status (schemathesis' response_schema_conformance).

Size: ``FUZZ_SIZE=full`` (``make fuzz``) sends at least 5,000 requests; the CI size a few hundred,
deterministically (derandomized).
"""
from __future__ import annotations

import copy
import json
from collections import Counter
from typing import Any

import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.reliability.conftest import FULL, SIGN_ME
from tests.world_support import ACTORS, HANDLING, RECEIVING, UNRELATED, World

EXAMPLES_PER_MODE = 100 if FULL else 7  # per operation and generation mode (32 operations × 2 modes)
MIN_FULL_REQUESTS = 5_000
CHECKS = [response_schema_conformance, status_code_conformance, content_type_conformance]


def _error_shape_problem(status: int, raw: bytes) -> str | None:
    if status < 400:
        return None
    try:
        body = json.loads(raw)
    except ValueError:
        return f"{status} body is not JSON: {raw[:200]!r}"
    if not (isinstance(body, dict) and isinstance(body.get("code"), str) and isinstance(body.get("message"), str)):
        return f"{status} body is not {{code, message}}: {str(body)[:200]}"
    return None


# The role each operation is for (the rest of the time a random role, or none, calls it).
_ROLE_OF_LAST_SEGMENT = {
    "receive": "staff_receiving", "refuse": "staff_receiving", "forward": "staff_receiving",
    "pickup": "staff_receiving", "appeal": "staff_receiving", "sign": "staff_handling", "return": "staff_handling",
    "decide": "staff_handling", "ship-result": "staff_handling", "reship": "staff_handling",
    "verify": "supervisor_related", "rectify": "supervisor_related", "feedback": "supervisor_related",
    "appeal-decision": "provincial", "reviews": "owner", "cases": "owner",
    "reviewer-contact": "supervisor_related",
}


def _role_for(method: str, path: str) -> str:
    if path.startswith(("/offices/{office_id}", "/tickets/{ticket_id}")) and method == "GET" \
            and not path.endswith("/reviewer-contact"):
        return "staff_receiving"
    if path in ("/reviews", "/stats/reviews", "/access-log", "/overview/cases"):
        return "provincial"
    return _ROLE_OF_LAST_SEGMENT.get(path.rsplit("/", 1)[-1], "owner")


def _real_values(world: World) -> dict[str, list[Any]]:
    return {
        "case_no": world.all_cases(),
        "ticket_id": [world.ticket_id],
        "office_id": [RECEIVING, HANDLING, UNRELATED],
    }


def test_fuzz_every_operation(api_world: World, api_wsgi: Any, api_counter: Any, api_document: dict[str, Any],
                              api_record: Any) -> None:
    schema = schemathesis.openapi.from_dict(api_document)
    real = _real_values(api_world)
    failures: dict[str, str] = {}
    statuses: Counter[int] = Counter()
    per_operation: Counter[str] = Counter()
    skipped: list[str] = []

    def fuzz(operation: Any, mode: schemathesis.GenerationMode) -> None:
        label = f"{operation.method.upper()} {operation.path}"
        media = (operation.definition.raw.get("requestBody") or {}).get("content", {}).get("application/json", {})
        example = media.get("example")

        actors = st.one_of(st.just(_role_for(operation.method.upper(), operation.path)),
                           st.sampled_from(sorted(ACTORS)))

        @given(case=operation.as_strategy(generation_mode=mode), actor=actors,
               use_real=st.booleans(), pick=st.integers(min_value=0, max_value=10_000), sign=st.booleans())
        @settings(max_examples=EXAMPLES_PER_MODE, deadline=None, database=None, derandomize=not FULL,
                  phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
        def one(case: Any, actor: str, use_real: bool, pick: int, sign: bool) -> None:
            if use_real:
                for name, values in real.items():
                    if name in (case.path_parameters or {}):
                        case.path_parameters[name] = values[pick % len(values)]
                if operation.path == "/track/{case_no}" and isinstance(case.query, dict):
                    case.query["code"] = api_world.query_codes.get(case.path_parameters["case_no"], "000000")
                if example is not None and mode is schemathesis.GenerationMode.POSITIVE and pick % 2:
                    case.body = copy.deepcopy(example)  # a valid body: the request reaches the service
                if operation.path == "/cases/{case_no}/claim" and isinstance(case.body, dict) and pick % 3 == 0:
                    case_no = case.path_parameters["case_no"]  # the real code and number: a claim that matches
                    case.body = {"query_code": api_world.query_codes.get(case_no, "000000"),
                                 "id_number": api_world.id_number_of.get(case_no, "11010519491231002X")}
            # The role's token replaces whatever the generator put in Authorization (anonymous: none at all).
            generated = {k: v for k, v in (case.headers or {}).items() if k.lower() != "authorization"}
            case.headers = {**generated, **{k: v for k, v in ACTORS[actor].items() if k != "Content-Type"}}
            if operation.path == "/webhooks/courier" and sign:
                case.headers["X-Signature"] = SIGN_ME
            try:
                response = case.call(app=api_wsgi)
            except Exception as err:  # the app raised through the gateway: as bad as a 500
                failures.setdefault(f"{label} raised {type(err).__name__}", f"{err!r}\n{case.as_curl_command()}")
                return
            statuses[response.status_code] += 1
            per_operation[label] += 1
            key = f"{label} → {response.status_code}"
            if response.status_code >= 500:
                failures.setdefault(key, f"{response.content[:300]!r}\n{case.as_curl_command()}")
                return
            problem = _error_shape_problem(response.status_code, response.content)
            if problem:
                failures.setdefault(key + " (error shape)", f"{problem}\n{case.as_curl_command()}")
                return
            try:
                case.validate_response(response, checks=CHECKS)
            except (FailureGroup, AssertionError) as err:
                failures.setdefault(key + " (conformance)", str(err)[:1500])

        try:
            one()
        except Unsatisfiable:  # nothing to negate (e.g. GET /health has no parameters): positive only
            skipped.append(f"{label} {mode.value}")

    for result in schema.get_all_operations():
        operation = result.ok()
        for mode in (schemathesis.GenerationMode.POSITIVE, schemathesis.GenerationMode.NEGATIVE):
            fuzz(operation, mode)

    total = api_counter.requests
    api_record("fuzz_requests", total)
    api_record("fuzz_operations", len(per_operation))
    api_record("fuzz_statuses", dict(sorted(statuses.items())))
    api_record("fuzz_negative_mode_not_applicable", skipped)
    api_record("fuzz_5xx", sum(n for s, n in statuses.items() if s >= 500))
    assert not failures, f"{len(failures)} distinct failures:\n\n" + "\n\n".join(
        f"{k}\n{v}" for k, v in sorted(failures.items()))
    assert len(per_operation) == sum(len(methods) for methods in api_document["paths"].values())
    if FULL:
        assert total >= MIN_FULL_REQUESTS, total
