"""Personal data: every GET route, on every case of the world, with every role. Only the applicant sees their
identity number and phone in clear; everyone else (staff, supervisors, other citizens, the public tracking
page) gets them masked or not at all. A response is searched for the world's clear values and for anything
shaped like a resident ID number or a mainland mobile number, whatever its status.

The log guard (tests/conftest.py ``no_personal_data_in_logs``) covers the application's log lines of the
whole run; the e2e stack's own output is checked in tests/e2e/conftest.py.
"""
from __future__ import annotations

import json
from typing import Any

from chalicelib.domain.identity import ID_NUMBER_PATTERN, MOBILE_PATTERN, mask_id_number, mask_phone
from tests.support import call
from tests.world_support import ACTORS, HANDLING, RECEIVING, UNRELATED, World

CONTACT_READERS = ("supervisor_related", "provincial")
OWN_CASES = "the caller's own cases"  # /me/cases: each citizen sees only their own cases, in clear


def _targets(world: World) -> list[tuple[str, str, str | None]]:
    """(route, concrete path, the case it is about or None)."""
    out: list[tuple[str, str, str | None]] = [
        ("/health", "/health", None), ("/offices", "/offices", None), ("/matters", "/matters", None),
        ("/reviews", "/reviews", None), ("/reviews", "/reviews?bad=true", None),
        ("/stats/reviews", "/stats/reviews", None), ("/me/cases", "/me/cases?limit=100", OWN_CASES),
        ("/tickets/{ticket_id}", f"/tickets/{world.ticket_id}", world.ticket_case),
        ("/tickets/{ticket_id}/reviewer-contact", f"/tickets/{world.ticket_id}/reviewer-contact?reason=回访",
         world.ticket_case),
        ("/access-log", "/access-log", None), ("/overview/cases", "/overview/cases", None),
        ("/stats/decisions", "/stats/decisions", None), ("/tickets", "/tickets?escalated=true", None),
    ]
    for office in (RECEIVING, HANDLING, UNRELATED):
        out.append(("/offices/{office_id}/cases", f"/offices/{office}/cases?limit=100", None))
        out.append(("/offices/{office_id}/parcels", f"/offices/{office}/parcels?limit=100", None))
    out.append(("/parcels/{parcel_id}", f"/parcels/{world.parcel_id}", None))
    for case_no in world.all_cases():
        for suffix in ("", "/timeline", "/shipments", "/reviews"):
            out.append((f"/cases/{{case_no}}{suffix}", f"/cases/{case_no}{suffix}", case_no))
        out.append(("/track/{case_no}", f"/track/{case_no}?code={world.query_codes[case_no]}", None))
    return out


def _clear_values(text: str, world: World) -> list[str]:
    found = [v for v in world.id_numbers | world.phones if v in text]
    found += ID_NUMBER_PATTERN.findall(text) + MOBILE_PATTERN.findall(text)
    return sorted(set(found))


def test_only_the_applicant_sees_identity_numbers_and_phones(api_world: World, client: Any,
                                                             api_record: Any) -> None:
    import app

    get_routes = {path for path, methods in app.app.routes.items() if "GET" in methods}
    covered: set[str] = set()
    leaks: list[str] = []
    cells = masked_seen = clear_for_owner = contact_reads = 0
    for route, path, case_no in _targets(api_world):
        covered.add(route)
        for role, hdrs in ACTORS.items():
            status, data = call(client, "GET", path, hdrs)
            assert status < 500, (path, role, status, data)
            cells += 1
            text = json.dumps(data, ensure_ascii=False)
            # The applicant may see their own data on their own case's pages (never on public tracking).
            applicant_page = role == "owner" and case_no is not None and not route.startswith("/track")
            if applicant_page:
                clear_for_owner += bool(_clear_values(text, api_world))
                continue
            if route.endswith("/reviewer-contact") and role in CONTACT_READERS:
                # The ticket's supervisors read the reviewer's phone in clear (the read is logged: see
                # tests/api/test_supervision_routes.py); for everyone else this route answers nothing.
                assert status == 200 and data["phone"] in api_world.phones, (role, status, data)
                contact_reads += 1
                continue
            found = _clear_values(text, api_world)
            if found:
                leaks.append(f"{role} GET {path} → {status}: {found}")
            if status == 200 and route == "/cases/{case_no}":
                applicant = data["applicant"]
                assert applicant["id_number"] in {mask_id_number(v) for v in api_world.id_numbers}, applicant
                assert applicant["phone"] == mask_phone("13800138000"), applicant
                assert "query_code" not in data
                masked_seen += 1
    api_record("pii_cells", cells)
    api_record("pii_leaks", len(leaks))
    assert not leaks, f"personal data in clear in {len(leaks)} of {cells} responses:\n" + "\n".join(leaks)
    assert covered == get_routes, f"GET routes not walked: {sorted(get_routes - covered)}"
    assert contact_reads == len(CONTACT_READERS)
    assert masked_seen > 10 and clear_for_owner > 10  # the walk saw real data, masked and in clear
