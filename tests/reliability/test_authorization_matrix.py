"""Authorization matrix: every route × every role, from ONE table, against a world of cases in every state
(tests/world_support.py: applicant alice, received at SZ-GOV/440300, handled at DG-GOV/441900; ZH-GOV/440400
unrelated; a bad review of SZ-GOV with its ticket).

A cell is ``A`` (allowed: any answer but 401/403 — a 409 for the wrong state still means the caller got past
authorization) or ``D`` (denied: 401 without a token or signature, 403 with a token of the wrong role, office
or city). Authorization comes before state, so a wrong party gets 403 whatever state the case is in.
"""
from __future__ import annotations

from typing import Any

from chalicelib.domain.workdays import iso, utcnow
from tests.support import call
from tests.world_support import ACTORS, RECEIVING, World, body_for

NOW_ISO = iso(utcnow())  # the webhook takes events from within a year of now

ROLES = ("anonymous", "owner", "other_citizen", "staff_receiving", "staff_handling", "staff_unrelated",
         "supervisor_related", "supervisor_unrelated", "provincial")

REVIEW = {"stage": "handling", "rating": 5}
NOTE: dict[str, Any] = {}

# method, path ({x} = the world's case in state x, {ticket}, {code:x} = that case's query code), body, expected
#                                                                                 a o c r h u S U P
#   a anonymous · o owner · c other citizen · r/h/u staff of the receiving / handling / an unrelated office
#   S/U supervisor of a related / unrelated city · P provincial supervisor (440000)
MATRIX: list[tuple[str, str, Any, str]] = [
    ("GET", "/health", None,                                                      "A A A A A A A A A"),
    ("GET", "/offices", None,                                                     "A A A A A A A A A"),
    ("GET", "/matters?city=440300", None,                                         "A A A A A A A A A"),
    ("POST", "/cases", "apply",                                                   "D A A A D D D D D"),
    ("GET", "/cases/{ACCEPTED}", None,                                            "D A D A A D A D A"),
    ("GET", "/cases/{SUBMITTED}", None,                                           "D A D A D D A D A"),
    ("GET", "/cases/{ACCEPTED}/timeline", None,                                   "D A D A A D A D A"),
    ("GET", "/cases/{SUBMITTED}/timeline", None,                                  "D A D A D D A D A"),
    ("GET", "/cases/{COMPLETED}/shipments", None,                                 "D A D A A D A D A"),
    ("GET", "/cases/{IN_TRANSIT_UNROUTED}/shipments", None,                       "D A D A D D A D A"),
    ("GET", "/cases/{REVIEWED}/reviews", None,                                    "D A D A D D A D A"),
    ("GET", "/cases/{COMPLETED}/reviews", None,                                   "D A D A A D A D A"),
    ("GET", "/track/{COMPLETED}?code={code:COMPLETED}", None,                     "A A A A A A A A A"),
    ("GET", "/offices/SZ-GOV/cases", None,                                        "D D D A D D D D D"),
    ("GET", "/offices/DG-GOV/cases?status=ACCEPTED", None,                        "D D D D A D D D D"),
    ("POST", "/cases/{SUBMITTED}/receive", {"missing": []},                       "D D D A D D D D D"),
    ("POST", "/cases/{SUBMITTED_2}/refuse", {"reason": "copy only"},              "D D D A D D D D D"),
    ("POST", "/cases/{SUBMITTED}/withdraw", NOTE,                                 "D A D D D D D D D"),
    ("POST", "/cases/{RECEIVED}/forward", NOTE,                                   "D D D A D D D D D"),
    ("POST", "/cases/{IN_TRANSIT}/sign", NOTE,                                    "D D D D A D D D D"),
    # A material never read from a licence: a 400 for whoever got past authorization (consent is checked after).
    ("POST", "/cases/{SUBMITTED}/licences", {"materials": ["申请表"]},          "D A D A D D D D D"),
    ("POST", "/cases/{RECEIVED_MISSING}/supplements", {"material": "照片"},       "D A D A D D D D D"),
    ("POST", "/cases/{RETURNED}/supplements", {"material": "照片"},               "D A D A A D D D D"),
    ("POST", "/cases/{ACCEPTED}/return", {"reason": "blurred"},                   "D D D D A D D D D"),
    ("POST", "/cases/{ACCEPTED_2}/decide", {"approved": True},                    "D D D D A D D D D"),
    ("POST", "/cases/{APPROVED}/ship-result", NOTE,                               "D D D D A D D D D"),
    ("POST", "/cases/{READY_FOR_PICKUP}/pickup", NOTE,                            "D D D A D D D D D"),
    ("POST", "/cases/{IN_TRANSIT_2}/reship", NOTE,                                 "D D D A D D D D D"),
    ("POST", "/cases/{RESULT_IN_TRANSIT}/reship", NOTE,                           "D D D D A D D D D"),
    ("POST", "/cases/{IN_TRANSIT_UNROUTED}/reship", NOTE,                         "D D D A D D D D D"),
    ("GET", "/me/cases", None,                                                    "D A A D D D D D D"),
    ("GET", "/me/cases?limit=1", None,                                            "D A A D D D D D D"),
    # With the case's real query code and identity number: the owner's claim is an idempotent 200, another
    # citizen's a 404 (the case is not theirs to claim): both got past authorization.
    ("POST", "/cases/{SUBMITTED}/claim", "claim",                                 "D A A D D D D D D"),
    ("POST", "/cases/{COMPLETED}/reviews", REVIEW,                                "D A D D D D D D D"),
    ("POST", "/cases/{REVIEWED}/reviews/receiving/follow-up", {"comment": "ok"},  "D A D D D D D D D"),
    ("GET", "/reviews", None,                                                     "D D D D D D A A A"),
    ("GET", "/reviews?city=440300", None,                                         "D D D D D D A D A"),
    ("GET", "/stats/reviews", None,                                               "D D D D D D A A A"),
    ("GET", "/stats/reviews?office_id=SZ-GOV", None,                              "D D D D D D A D A"),
    ("GET", "/tickets?escalated=true", None,                                      "D D D D D D A A A"),
    ("GET", "/tickets?escalated=true&city=440300", None,                          "D D D D D D A D A"),
    ("GET", "/tickets/{ticket}", None,                                            "D D D A D D A D A"),
    ("POST", "/tickets/{ticket}/verify", {"valid": True, "finding": "confirmed"}, "D D D D D D A D A"),
    ("POST", "/tickets/{ticket}/rectify", {"actions": "retrained"},               "D D D D D D A D A"),
    ("POST", "/tickets/{ticket}/feedback", {"contacted": False},                  "D D D D D D A D A"),
    ("POST", "/tickets/{ticket}/appeal", {"grounds": "never came"},               "D D D A D D D D D"),
    ("POST", "/tickets/{ticket}/appeal-decision", {"upheld": False, "note": "no"}, "D D D D D D D D A"),
    # The reviewer's name and phone: the ticket's supervisors only, never the rated office (staff_receiving).
    ("GET", "/tickets/{ticket}/reviewer-contact?reason=核实", None,               "D D D D D D A D A"),
    ("GET", "/access-log", None,                                                  "D D D D D D D D A"),
    ("GET", "/stats/decisions", None,                                             "D D D D D D A A A"),
    ("GET", "/stats/decisions?city=440300", None,                                 "D D D D D D A D A"),
    ("GET", "/overview/cases", None,                                              "D D D D D D A A A"),
    ("GET", "/overview/cases?city=440300", None,                                  "D D D D D D A D A"),
    # Consolidated parcels (合包): staff of both offices and their cities' supervisors read one; only the
    # receiving office's staff check it against its handover list; an office's list is its own staff's.
    ("GET", "/parcels/{parcel}", None,                                            "D D D A A D A D A"),
    ("GET", "/offices/SZ-GOV/parcels", None,                                      "D D D A D D D D D"),
    ("GET", "/offices/DG-GOV/parcels?direction=incoming", None,                   "D D D D A D D D D"),
    ("POST", "/parcels/{parcel}/missing", {"case_no": "KC4403002020010100001"},   "D D D D A D D D D"),
    ("POST", "/parcels/{parcel}/sign", NOTE,                                      "D D D D A D D D D"),
    # The courier authenticates by signature, not by token: a token of any role is not enough.
    ("POST", "/webhooks/courier", {"waybill": "EMS0000000001", "event": "DELIVERED",
                                   "at": NOW_ISO},            "D D D D D D D D D"),
]


def _path(template: str, world: World) -> str:
    out = template.replace("{ticket}", world.ticket_id).replace("{parcel}", world.parcel_id)
    for state, case_no in world.cases.items():
        out = out.replace(f"{{code:{state}}}", world.query_codes[case_no]).replace(f"{{{state}}}", case_no)
    assert "{" not in out, out
    return out


def _body(spec: Any, role: str, world: World, path: str) -> Any:
    if spec == "apply":  # staff enter walk-in applications at their own window: the body names SZ-GOV
        return body_for(id_seed=500 + ROLES.index(role))
    if spec == "claim":
        case_no = path.split("/")[2]
        return {"query_code": world.query_codes[case_no], "id_number": world.id_number_of[case_no]}
    return spec


def test_authorization_matrix(api_world: World, client: Any, api_record: Any) -> None:
    import app

    routes = {(m, p) for p, methods in app.app.routes.items() for m in methods if m != "OPTIONS"}  # CORS: test_cors
    covered: set[tuple[str, str]] = set()
    mismatches: list[str] = []
    unexpected_allows = cells = 0
    for method, template, body, row in MATRIX:
        expected = row.split()
        assert len(expected) == len(ROLES), template
        path = _path(template, api_world)
        for role, want in zip(ROLES, expected, strict=True):
            status, data = call(client, method, path, ACTORS[role], _body(body, role, api_world, path))
            cells += 1
            allowed = status not in (401, 403)
            if status >= 500:
                mismatches.append(f"{method} {template} as {role}: {status} {data}")
            elif want == "A" and not allowed:
                mismatches.append(f"{method} {template} as {role}: denied {status} {data}, expected allowed")
            elif want == "D" and allowed:
                unexpected_allows += 1
                mismatches.append(f"UNEXPECTED ALLOW {method} {template} as {role}: {status} {data}")
            elif want == "D":
                denial = 401 if role == "anonymous" or template == "/webhooks/courier" else 403
                if status != denial:
                    mismatches.append(f"{method} {template} as {role}: {status}, expected {denial}")
        covered.add((method, _route_of(template, routes)))
    api_record("matrix_cells", cells)
    api_record("matrix_unexpected_allows", unexpected_allows)
    assert not mismatches, f"{len(mismatches)} of {cells} cells differ from the matrix:\n" + "\n".join(mismatches)
    assert covered == routes, f"routes without a row: {sorted(routes - covered)}"


def _route_of(template: str, routes: set[tuple[str, str]]) -> str:
    """The registered route a row's path template exercises ({x} placeholders match any parameter)."""
    parts = template.split("?", 1)[0].split("/")
    for _, route in sorted(routes, key=lambda r: r[1].count("{")):  # literal routes first
        rparts = route.split("/")
        if len(rparts) == len(parts) and all(r == p or r.startswith("{") for r, p in zip(rparts, parts, strict=True)):
            return route
    raise AssertionError(f"no route for {template}")


assert RECEIVING == "SZ-GOV"  # the table's literal office ids assume the world's offices
