"""The OpenAPI 3.1 document of the whole HTTP API, built from the routes registered on ``app.app`` and the
request schemas of ``chalicelib/api/schemas.py``.

    python -m tools.openapi            # print the document
    python -m tools.openapi --write    # write docs/openapi.json (``make openapi``)
    python -m tools.openapi --check    # exit 1 when docs/openapi.json is out of date

Every registered route must have an entry in ``OPERATIONS`` (and every entry a route): building the document
fails otherwise, and tests/reliability/test_openapi_drift.py keeps the written file in step.
"""
from __future__ import annotations

import argparse
import copy
import json
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from chalicelib.domain.formats import CASE_NUMBER_PATTERN, DIVISION_CODE_PATTERN

ROOT = Path(__file__).resolve().parents[1]
DOCUMENT_PATH = ROOT / "docs" / "openapi.json"

ERROR_STATUSES = {
    "400": "Bad input: the message (and `field`) names the field",
    "401": "Missing or invalid credentials",
    "403": "Wrong role, office or city",
    "404": "Not found",
    "409": "State conflict (with `current_status`) or a lost race",
    "413": "Body larger than 64 KiB",
    "415": "A Content-Type the API does not read (send JSON)",
    "422": "A business rule forbids it",
    "429": "Too many requests (query-code guessing)",
}

_NULLABLE_STR = {"type": ["string", "null"]}
_NULLABLE_INT = {"type": ["integer", "null"]}
_INSTANT = {"type": "string", "minLength": 10}
_NULLABLE_INSTANT = {"type": ["string", "null"]}
_STATUS = {"enum": ["SUBMITTED", "RECEIVED", "REFUSED", "WITHDRAWN", "IN_TRANSIT", "ACCEPTED", "RETURNED",
                    "APPROVED", "DENIED", "RESULT_IN_TRANSIT", "READY_FOR_PICKUP", "COMPLETED", "TERMINATED"]}
_TICKET_STATUS = {"enum": ["OPEN", "VERIFIED", "EXPLAINED", "RECTIFIED", "CLOSED"]}
_RATE = {"type": ["number", "null"], "minimum": 0, "maximum": 1}


def _obj(required: dict[str, Any], optional: dict[str, Any] | None = None) -> dict[str, Any]:
    """An object schema whose listed fields are all present (and typed); other fields may be added."""
    return {"type": "object", "required": sorted(required), "properties": {**required, **(optional or {})}}


# Present for every reader but the rated office's staff reading a ticket (the case would name the reviewer).
_NOT_FOR_RATED_OFFICE = {"type": "string", "description": "absent when the rated office's staff read a ticket"}


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _list_of(name: str, **extra: Any) -> dict[str, Any]:
    return _obj({"items": {"type": "array", "items": _ref(name)}, **extra})


RESPONSE_SCHEMAS: dict[str, dict[str, Any]] = {
    "Error": _obj(
        {"code": {"type": "string", "minLength": 1}, "message": {"type": "string", "minLength": 1}},
        {"field": {"type": "string"}, "current_status": {"type": "string"},
         "materials": {"type": "array", "items": {"type": "string"}}},
    ),
    "Health": _obj({"status": {"const": "ok"}}),
    "Office": _obj({"office_id": {"type": "string"}, "name": {"type": "string"}, "city": {"type": "string"},
                    "kinds": {"type": "array", "items": {"type": "string"}}}),
    "Matter": _obj({"matter_id": {"type": "string"}, "name": {"type": "string"},
                    "handling_city": {"type": "string"}, "accepted_in": {"type": "array", "items": {"type": "string"}},
                    "materials": {"type": "array", "items": _obj({"name": {"type": "string"},
                                                                  "core": {"type": "boolean"}},
                                                                 {"licence": _NULLABLE_STR,
                                                                  "online": {"type": "boolean"}})},
                    "time_limit_working_days": {"type": "integer"}, "electronic": {"type": "boolean"},
                    "deliveries": {"type": "array", "items": {"type": "string"}}},
                   {"paperless_transfer": {"type": "boolean"},
                    "result_licence": {"anyOf": [_obj({"licence_type": {"type": "string"},
                                                       "issuer": {"type": "string"}}), {"type": "null"}]},
                    "approval_rule": {"anyOf": [_obj({"rule_id": {"type": "string"}, "version": {"type": "integer"},
                                                      "description": {"type": "string"}}), {"type": "null"}]}}),
    "Applicant": _obj({"name": {"type": "string"}, "id_type": {"type": "string"}, "id_number": {"type": "string"},
                       "phone": {"type": "string"}, "district": _NULLABLE_STR}),
    "Case": _obj(
        {
            "case_no": {"type": "string"}, "status": _STATUS, "status_label": {"type": "string"},
            "version": {"type": "integer", "minimum": 0}, "matter_id": {"type": "string"},
            "receiving_office_id": {"type": "string"}, "receiving_city": {"type": "string"},
            "handling_city": {"type": "string"}, "handling_office_id": _NULLABLE_STR,
            "pickup_office_id": _NULLABLE_STR, "electronic": {"type": "boolean"}, "applicant": _ref("Applicant"),
            "materials": {"type": "array", "items": _obj({"name": {"type": "string"}, "core": {"type": "boolean"},
                                                          "provided": {"type": "boolean"}},
                                                         {"source": {"enum": ["paper", "licence"]},
                                                          "licence": _ref("LicenceReference")})},
            "missing": {"type": "array", "items": {"type": "string"}}, "supplement_due": _NULLABLE_STR,
            "correction_due": _NULLABLE_STR, "stage_due": _NULLABLE_INSTANT, "stage_overdue": {"type": "boolean"},
            "delivery": _obj({"method": {"enum": ["MAIL", "PICKUP_RECEIVING", "PICKUP_HANDLING", "ELECTRONIC"]}},
                             {"address": {"type": "object"}}),
            "created_at": _INSTANT, "updated_at": _INSTANT, "accepted_at": _NULLABLE_INSTANT,
            "promised_by": _NULLABLE_STR, "overdue": {"type": "boolean"}, "decision": _NULLABLE_STR,
            "refusal_reason": _NULLABLE_STR, "return_reason": _NULLABLE_STR, "completed_at": _NULLABLE_INSTANT,
            "next_actions": {"type": "array", "items": {"type": "string"}},
            # DESIGN §10: 授权 on record, materials the licence library could not read, 秒批, the result licence.
            "licence_authorization": {"type": "array", "items": {"type": "string"}},
            "licence_unavailable": {"type": "array", "items": {"type": "string"}},
            "requested_period": {"type": ["array", "null"], "items": {"type": "string"}},
            "rule_check": {"anyOf": [_ref("RuleCheck"), {"type": "null"}]},
            "result_licence": _ref("LicenceReference"),
        },
        {"query_code": {"type": "string", "pattern": "^[0-9]{6}$"}, "working_days_left": _NULLABLE_INT},
    ),
    "LicenceReference": {"type": ["object", "null"], "properties": {
        "licence_no": {"type": "string"}, "licence_type": {"type": "string"}, "issuer": {"type": "string"},
        "valid_from": _NULLABLE_STR, "valid_until": _NULLABLE_STR}},
    "RuleCheck": _obj({"rule_id": {"type": "string"}, "rule_version": {"type": "integer"},
                       "outcome": {"enum": ["approved", "no_match", "inputs_unavailable"]},
                       "inputs": {"type": "object"},
                       "conditions": {"type": "array", "items": {"type": "object"}}},
                      {"reason": {"type": "string"}}),
    "QueueItem": _obj({"case_no": {"type": "string"}, "status": _STATUS, "status_label": {"type": "string"},
                       "matter_id": {"type": "string"}, "receiving_office_id": {"type": "string"},
                       "handling_office_id": _NULLABLE_STR, "applicant_name": {"type": "string"},
                       "missing": {"type": "array", "items": {"type": "string"}}, "created_at": _INSTANT,
                       "updated_at": _INSTANT, "promised_by": _NULLABLE_STR, "overdue": {"type": "boolean"},
                       "correction_due": _NULLABLE_STR, "stage_due": _NULLABLE_INSTANT,
                       "stage_overdue": {"type": "boolean"}},
                      {"working_days_left": _NULLABLE_INT}),
    "TimelineEvent": _obj({"seq": {"type": "integer"}, "at": _INSTANT, "action": {"type": "string"},
                           "from_status": _STATUS, "to_status": _STATUS, "label": {"type": "string"},
                           "actor_role": {"type": "string"}, "note": {"type": "string"},
                           "details": {"type": "object"}},
                          {"actor_sub": {"type": "string"}, "office_id": _NULLABLE_STR}),
    "TrackingEvent": _obj({"event": {"type": "string"}, "at": _INSTANT}),
    "PublicShipment": _obj({"waybill": {"type": "string"}, "kind": {"type": "string"},
                            "from_office_id": {"type": "string"}, "to_office_id": _NULLABLE_STR,
                            "to_city": _NULLABLE_STR, "courier": {"type": "string"}, "status": {"type": "string"},
                            "expected_arrival": {"type": "string"}, "overdue": {"type": "boolean"},
                            "superseded_by": _NULLABLE_STR,
                            "events": {"type": "array", "items": _ref("TrackingEvent")}},
                           {"service": _NULLABLE_STR,
                            # 合包: the consolidated parcel this leg is (its case_no is then the parcel id)
                            "parcel_id": _NULLABLE_STR, "urgent": {"type": "boolean"}}),
    "Shipment": {"allOf": [_ref("PublicShipment"), _obj(
        {"leg_id": {"type": "string"}, "cost_cny": {"type": ["number", "string"]},
         "transit_working_days": {"type": "integer"}, "created_at": _INSTANT, "replaces": _NULLABLE_STR,
         "late_events": {"type": "array", "items": _ref("TrackingEvent")}},
        {"to_address": {"type": "object"}})]},
    "Track": _obj({"case_no": {"type": "string"}, "status": _STATUS, "status_label": {"type": "string"},
                   "matter_id": {"type": "string"}, "promised_by": _NULLABLE_STR,
                   "missing": {"type": "array", "items": {"type": "string"}}, "supplement_due": _NULLABLE_STR,
                   "correction_due": _NULLABLE_STR, "refusal_reason": _NULLABLE_STR, "return_reason": _NULLABLE_STR,
                   "termination_reason": _NULLABLE_STR,
                   "timeline": {"type": "array", "items": _obj({"at": _INSTANT, "status": _STATUS,
                                                                "label": {"type": "string"},
                                                                "action": {"type": "string"}})},
                   "shipments": {"type": "array", "items": _ref("PublicShipment")}}),
    "Review": _obj(
        {"stage": {"enum": ["receiving", "handling"]},
         "rating": {"type": "integer", "minimum": 1, "maximum": 5}, "rating_label": {"type": "string"},
         "bad": {"type": "boolean"}, "default": {"type": "boolean"}, "tags": {"type": "array"},
         "comment": {"type": "string"}, "office_id": {"type": "string"}, "city": {"type": "string"},
         "created_at": _INSTANT, "excluded_from_statistics": {"type": "boolean"},
         "ticket": {"type": ["object", "null"], "properties": {
             "ticket_id": {"type": "string"}, "status": _TICKET_STATUS, "escalated": {"type": "boolean"},
             "verify_due": {"type": "string"}, "rectify_due": {"type": "string"},
             "verify_working_days_left": _NULLABLE_INT, "rectify_working_days_left": _NULLABLE_INT,
             "explanation": _NULLABLE_STR, "actions": _NULLABLE_STR}}},
        {"reviewer": _obj({"sub": {"type": "string"}}, {"name": {"type": "string"}}),
         "follow_up": _NULLABLE_STR, "case_no": _NOT_FOR_RATED_OFFICE},
    ),
    "Ticket": _obj(
        {"ticket_id": {"type": "string"}, "stage": {"enum": ["receiving", "handling"]},
         "office_id": {"type": "string"}, "city": {"type": "string"}, "status": _TICKET_STATUS,
         "version": {"type": "integer"}, "rating": {"type": "integer"}, "verify_due": {"type": "string"},
         "rectify_due": {"type": "string"}, "appeal": {"type": ["object", "null"], "properties": {
             "status": {"type": "string"}, "grounds": _NULLABLE_STR, "at": _NULLABLE_STR, "note": _NULLABLE_STR,
             "decided_at": _NULLABLE_STR}},
         "excluded_from_statistics": {"type": "boolean"}, "escalated": {"type": "boolean"},
         "overdue": {"type": "array", "items": {"type": "string"}},
         "review": {"anyOf": [_ref("Review"), {"type": "null"}]},
         "history": {"type": "array", "items": _obj(
             {"seq": {"type": "integer"}, "at": _INSTANT, "action": {"type": "string"},
              "from_status": {"type": "string"}, "to_status": {"type": "string"}, "actor_role": {"type": "string"}},
             {"actor_sub": _NULLABLE_STR, "actor_name": _NULLABLE_STR, "office_id": _NULLABLE_STR,
              "city": _NULLABLE_STR, "note": _NULLABLE_STR, "details": {"type": ["object", "null"]}})}},
        {"valid": {"type": ["boolean", "null"]}, "finding": _NULLABLE_STR, "actions": _NULLABLE_STR,
         "feedback": {"type": ["object", "null"], "properties": {
             "contacted": {"type": "boolean"}, "satisfied": {"type": ["boolean", "null"]}, "note": _NULLABLE_STR}},
         "case_no": _NOT_FOR_RATED_OFFICE,
         "review_at": _NULLABLE_STR, "opened_at": _NULLABLE_STR, "verified_at": _NULLABLE_STR,
         "rectified_at": _NULLABLE_STR, "closed_at": _NULLABLE_STR, "on_time": {"type": ["boolean", "null"]},
         "verify_working_days_left": _NULLABLE_INT, "rectify_working_days_left": _NULLABLE_INT},
    ),
    "Figures": _obj({"reviews": {"type": "integer"}, "good_rate": _RATE, "active_good_rate": _RATE,
                     "bad_rate": _RATE, "unrated_rate": _RATE, "reply_rate": _RATE, "rectification_rate": _RATE,
                     "on_time_rate": _RATE, "satisfaction_rate": _RATE, "counts": {"type": "object"}}),
    "Stats": {"allOf": [_ref("Figures"), _obj({"city": _NULLABLE_STR, "office_id": _NULLABLE_STR,
                                               "from": _NULLABLE_STR, "to": _NULLABLE_STR,
                                               "as_of": {"type": "string", "format": "date-time",
                                                         "description": "the instant the figures count to: now, "
                                                         "or a month trend's snapshot (taken every 5 minutes)"},
                                               "offices": {"type": "array", "items": _ref("Figures")}},
                                              {"months": {"type": "array", "items": {"allOf": [
                                                  _ref("Figures"), _obj({"month": {"type": "string"}})]}}})]},
    "ReviewerContact": _obj({"ticket_id": {"type": "string"}, "case_no": {"type": "string"},
                             "name": {"type": "string"}, "phone": {"type": "string"},
                             "logged_at": {"type": "string"}, "entry_id": {"type": "string"}}),
    "AccessLogEntry": _obj({"entry_id": {"type": "string"}, "at": {"type": "string"},
                            "reader_sub": {"type": "string"}, "reader_name": {"type": "string"},
                            "reader_role": {"type": "string"}, "reader_city": _NULLABLE_STR,
                            "what": {"type": "string"}, "ticket_id": _NULLABLE_STR, "case_no": {"type": "string"},
                            "reason": {"type": "string"}}),
    "AccessLog": _list_of("AccessLogEntry", month={"type": "string"}, next_cursor=_NULLABLE_STR),
    "OfficeOverview": _obj({"office_id": {"type": "string"}, "name": {"type": "string"},
                            "city": {"type": "string"}, "total": {"type": "integer"},
                            "by_status": {"type": "object", "additionalProperties": {"type": "integer"}},
                            "overdue": {"type": "integer"}, "partial": {"type": "boolean"}}),
    "CityOverview": _obj({"city": _NULLABLE_STR,
                          "offices": {"type": "array", "items": _ref("OfficeOverview")}}),
    "MatterDecisions": _obj({"matter_id": {"type": "string"}, "name": {"type": "string"},
                             "has_rule": {"type": "boolean"}, "decided": {"type": "integer"},
                             "automatic": {"type": "integer"}, "by_person": {"type": "integer"},
                             "rule_checked": {"type": "integer"}, "automatic_share": _RATE}),
    "DecisionShares": _obj({"city": _NULLABLE_STR, "partial": {"type": "boolean"},
                            "items": {"type": "array", "items": _ref("MatterDecisions")}}),
    "CourierAccepted": _obj({"accepted": {"const": True}, "waybill": {"type": "string"},
                             "event": {"type": "string"}}),
    "OfficeList": _list_of("Office"),
    "MatterList": _list_of("Matter"),
    "Timeline": _list_of("TimelineEvent", case_no={"type": "string"}),
    "ShipmentList": _list_of("Shipment", case_no={"type": "string"}),
    "ParcelSummary": _obj(
        {"parcel_id": {"type": "string"}, "kind": {"enum": ["MATERIALS", "RESULT"]},
         "from_office_id": {"type": "string"}, "to_office_id": {"type": "string"},
         "collection_day": {"type": "string"}, "cutoff_at": _INSTANT,
         "status": {"enum": ["OPEN", "SEALED", "ARRIVED", "EMPTY"]}, "label": {"type": "string"},
         "waybill": _NULLABLE_STR, "sealed_at": _NULLABLE_INSTANT, "arrived_at": _NULLABLE_INSTANT,
         "courier": {"type": "string"}, "service": {"type": "string"}, "cost_cny": {"type": "number"},
         "case_count": {"type": "integer"}, "items_by_state": {"type": "object"}}),
    "HandoverItem": _obj(
        {"case_no": {"type": "string"}, "joined_at": _INSTANT, "state": {"enum": ["PACKED", "SIGNED", "MISSING"]},
         "label": {"type": "string"}, "checked_at": _NULLABLE_INSTANT, "checked_by": _NULLABLE_STR,
         "note": {"type": "string"}, "matter_id": _NULLABLE_STR, "status": {"type": ["string", "null"]},
         "status_label": _NULLABLE_STR, "applicant_name": _NULLABLE_STR}),
    "Parcel": {"allOf": [_ref("ParcelSummary"), _obj(
        {"items": {"type": "array", "items": _ref("HandoverItem")},
         "shipment": {"oneOf": [_ref("Shipment"), {"type": "null"}]},
         "events": {"type": "array", "items": _ref("TrackingEvent")}})]},
    "ParcelList": _list_of("ParcelSummary", next_cursor=_NULLABLE_STR),
    "CaseReviews": _list_of("Review", case_no={"type": "string"}),
    "WorkQueue": _list_of("QueueItem", next_cursor=_NULLABLE_STR),
    "MyCases": _list_of("Case", next_cursor=_NULLABLE_STR),
    "ReviewList": _list_of("Review", next_cursor=_NULLABLE_STR),
    "TicketList": _list_of("Ticket", next_cursor=_NULLABLE_STR),
}

_CASE_NO = {"name": "case_no", "in": "path", "required": True, "description": "e.g. KC4403002026112300017",
            "schema": {"type": "string", "pattern": CASE_NUMBER_PATTERN}}
_TICKET_ID = {"name": "ticket_id", "in": "path", "required": True,
              "description": "opaque, e.g. TK-01JDXQ4Z8M3V5N7P9R1T3W5Y7A (supervisors may also use a first-release "
                             "number TK-{case_no}-{stage})",
              "schema": {"type": "string", "minLength": 1, "maxLength": 80}}
_OFFICE_ID = {"name": "office_id", "in": "path", "required": True, "schema": {"type": "string", "minLength": 1,
                                                                               "maxLength": 64}}
_PARCEL_ID = {"name": "parcel_id", "in": "path", "required": True, "description": "e.g. M-SZ-GOV-DG-GOV-20261201",
              "schema": {"type": "string", "pattern": "^[MR]-[A-Z0-9-]{4,76}$"}}
_STAGE = {"name": "stage", "in": "path", "required": True, "schema": {"enum": ["receiving", "handling"]}}


def _q(name: str, schema: dict[str, Any], description: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {"name": name, "in": "query", "required": False, "schema": schema}
    if description:
        out["description"] = description
    return out


_LIMIT = _q("limit", {"type": "integer", "minimum": 1, "maximum": 100}, "page size, 1–100 (default 20)")
_CURSOR = _q("cursor", {"type": "string"}, "`next_cursor` of the previous page: opaque, signed for this listing"
             " (path, filters) and caller; anything else is a 400 naming `cursor`")
_CITY_Q = _q("city", {"type": "string", "pattern": DIVISION_CODE_PATTERN},
             "6-digit division code, ASCII digits (440000: province)")


# One valid body per request schema: shown in the document and used by the fuzzer to get past validation.
REQUEST_EXAMPLES: dict[str, dict[str, Any]] = {
    "apply": {
        "matter_id": "DG-SI-CERT", "receiving_office_id": "SZ-GOV",
        "applicant": {"name": "张三", "id_type": "RESIDENT_ID", "id_number": "11010519491231002X",
                      "phone": "13800138000"},
        "materials": [{"name": "身份证", "provided": True}, {"name": "申请表", "provided": True}],
        "delivery": {"method": "MAIL", "address": {"city": "440300", "detail": "南山区科技园科苑路15号",
                                                   "recipient": "张三", "phone": "13800138000"}},
    },
    "receive": {"missing": ["照片"], "note": ""},
    "reason": {"reason": "申请表 is not signed"},
    "note": {"note": ""},
    "forward": {"note": "", "urgent": False},
    "parcel_sign": {"case_nos": ["KC4403002026112300017"], "note": "按交接单核对无误"},
    "parcel_missing": {"case_no": "KC4403002026112300017", "note": "包内未见该件材料"},
    "supplement": {"material": "照片"},
    "licences": {"materials": ["身份证"]},
    "decide": {"approved": True, "note": "材料齐全"},
    "reship": {"note": "parcel lost"},
    "courier_event": {"waybill": "EMS0000000001", "event": "DELIVERED", "at": "2026-03-02T09:00:00+08:00"},
    "review": {"stage": "handling", "rating": 2, "tags": ["办理慢"], "comment": "took too long"},
    "follow_up": {"comment": "resolved in the end"},
    "claim": {"query_code": "123456", "id_number": "11010519491231002X"},
    "verify": {"valid": True, "finding": "confirmed with the window"},
    "rectify": {"actions": "staff retrained"},
    "feedback": {"contacted": True, "satisfied": True, "note": ""},
    "appeal": {"grounds": "the reviewer never came to the window"},
    "appeal_decision": {"upheld": False, "note": "the evidence does not support the appeal"},
}


@dataclass(frozen=True)
class Op:
    """What the document says of one route beyond what Chalice knows: who, parameters, body, reply."""

    summary: str
    response: str
    status: int = 200
    who: str = "bearer"  # bearer | public | signature
    body: str | None = None  # a schema name of chalicelib/api/schemas.py
    body_optional: bool = False
    params: list[dict[str, Any]] = field(default_factory=list)
    header_params: list[dict[str, Any]] = field(default_factory=list)


OPERATIONS: dict[tuple[str, str], Op] = {
    ("GET", "/health"): Op("Liveness", "Health", who="public"),
    ("GET", "/offices"): Op("Offices (public reference data)", "OfficeList", who="public"),
    ("GET", "/matters"): Op("Matter catalogue, filtered by accepting city", "MatterList", who="public",
                            params=[_q("city", {"type": "string", "pattern": "^[0-9]{6}$"})]),
    ("POST", "/cases"): Op(
        "Apply (citizen for themselves, or staff of the receiving window)", "Case", 201, body="apply",
        header_params=[{"name": "Idempotency-Key", "in": "header", "required": False,
                        "description": "makes retries safe (201 with the same case; header Idempotent-Replayed: true)",
                        "schema": {"type": "string", "minLength": 1, "maxLength": 128}}]),
    ("GET", "/cases/{case_no}"): Op("Case detail (identity masked except for the applicant)", "Case"),
    ("GET", "/cases/{case_no}/timeline"): Op("Timeline events, oldest first", "Timeline"),
    ("GET", "/track/{case_no}"): Op("Public tracking with the query code (no personal data)", "Track",
                                    who="public", params=[{"name": "code", "in": "query", "required": True,
                                                           "schema": {"type": "string", "pattern": "^[0-9]{6}$"}}]),
    ("GET", "/offices/{office_id}/cases"): Op(
        "An office's work queue (its staff)", "WorkQueue",
        params=[_q("status", _STATUS), _LIMIT, _CURSOR]),
    ("POST", "/cases/{case_no}/receive"): Op("Receive (容缺: non-core materials may be missing)", "Case",
                                             body="receive", body_optional=True),
    ("POST", "/cases/{case_no}/refuse"): Op("Refuse to receive, with the reason", "Case", body="reason"),
    ("POST", "/cases/{case_no}/withdraw"): Op("Withdraw (applicant)", "Case", body="note", body_optional=True),
    ("POST", "/cases/{case_no}/forward"): Op(
        "Forward to the handling city (in the day's consolidated parcel, 合包; `urgent`: alone, 加急)", "Case",
        body="forward", body_optional=True),
    ("GET", "/parcels/{parcel_id}"): Op(
        "A consolidated parcel (合包): waybill, pair, sealed at, handover list (交接单), tracking events", "Parcel"),
    ("GET", "/offices/{office_id}/parcels"): Op(
        "An office's parcels, outgoing and incoming (its staff)", "ParcelList",
        params=[_q("direction", {"enum": ["outgoing", "incoming"]}),
                _q("status", {"enum": ["OPEN", "SEALED", "ARRIVED", "EMPTY"]}), _LIMIT, _CURSOR]),
    ("POST", "/parcels/{parcel_id}/sign"): Op(
        "Sign against the handover list: the cases named, or all not checked yet (receiving office's staff)",
        "Parcel", body="parcel_sign", body_optional=True),
    ("POST", "/parcels/{parcel_id}/missing"): Op(
        "Mark a case missing from the parcel (缺件): its materials are sent again alone", "Parcel",
        body="parcel_missing"),
    ("POST", "/cases/{case_no}/sign"): Op("Sign for arrived materials", "Case", body="note", body_optional=True),
    ("POST", "/cases/{case_no}/supplements"): Op("Supplement a missing material", "Case", body="supplement"),
    ("POST", "/cases/{case_no}/licences"): Op(
        "Read materials from the licence library (电子证照), only those the applicant authorized", "Case",
        body="licences"),
    ("POST", "/cases/{case_no}/return"): Op("Return for correction", "Case", body="reason"),
    ("POST", "/cases/{case_no}/decide"): Op("Decide: approve or deny", "Case", body="decide"),
    ("POST", "/cases/{case_no}/ship-result"): Op("Ship the result back", "Case", body="note", body_optional=True),
    ("POST", "/cases/{case_no}/pickup"): Op("Hand the result over at the pickup office", "Case", body="note",
                                            body_optional=True),
    ("POST", "/cases/{case_no}/reship"): Op("Re-ship a lost, returned or overdue parcel", "Case", 202,
                                            body="reship", body_optional=True),
    ("GET", "/cases/{case_no}/shipments"): Op("Parcel legs with tracking events", "ShipmentList"),
    ("POST", "/webhooks/courier"): Op("Courier tracking event (X-Timestamp + X-Signature, docs/courier-webhook.md)",
                                      "CourierAccepted", 202, who="signature", body="courier_event"),
    ("POST", "/cases/{case_no}/reviews"): Op("Rate a stage (applicant)", "Review", 201, body="review"),
    ("GET", "/cases/{case_no}/reviews"): Op("A case's reviews", "CaseReviews"),
    ("POST", "/cases/{case_no}/reviews/{stage}/follow-up"): Op("Follow-up comment on a review (applicant)",
                                                                "Review", 201, body="follow_up"),
    ("GET", "/reviews"): Op("Reviews with their tickets (supervisors, scoped to their city)", "ReviewList",
                            params=[_CITY_Q, _q("office_id", {"type": "string"}),
                                    _q("bad", {"enum": ["true", "false"]}), _q("ticket_status", _TICKET_STATUS),
                                    _q("from", {"type": "string", "format": "date"}, "first CST day of the review"),
                                    _q("to", {"type": "string", "format": "date"}, "last CST day of the review"),
                                    _LIMIT, _CURSOR]),
    ("GET", "/tickets"): Op("Escalated tickets whose work is not finished (超期升级), earliest first (supervisors: "
                            "the province sees every city, a city its own)", "TicketList",
                            params=[{**_q("escalated", {"enum": ["true"]}), "required": True}, _CITY_Q, _LIMIT,
                                    _CURSOR]),
    ("GET", "/tickets/{ticket_id}"): Op("A rectification ticket", "Ticket"),
    ("POST", "/tickets/{ticket_id}/verify"): Op("Verify (valid) or explain (not valid)", "Ticket", body="verify"),
    ("POST", "/tickets/{ticket_id}/rectify"): Op("Record the rectification", "Ticket", body="rectify"),
    ("POST", "/tickets/{ticket_id}/feedback"): Op("Record the reviewer's feedback → CLOSED", "Ticket",
                                                  body="feedback"),
    ("POST", "/tickets/{ticket_id}/appeal"): Op("Appeal once (staff of the rated office)", "Ticket",
                                                body="appeal"),
    ("POST", "/tickets/{ticket_id}/appeal-decision"): Op("Decide an appeal (provincial supervisor)", "Ticket",
                                                         body="appeal_decision"),
    ("GET", "/me/cases"): Op("The caller's own cases, newest first (walk-in cases once claimed)", "MyCases",
                             params=[_LIMIT, _CURSOR]),
    ("POST", "/cases/{case_no}/claim"): Op(
        "Claim a walk-in case with its query code and the applicant's identity number (any mismatch: 404, "
        "counted like a wrong tracking code; claiming one's own case again changes nothing)", "Case",
        body="claim"),
    ("GET", "/stats/reviews"): Op("Review statistics (GB/T 39735 figures)", "Stats",
                                  params=[_CITY_Q, _q("office_id", {"type": "string"}),
                                          _q("from", {"type": "string", "format": "date"}),
                                          _q("to", {"type": "string", "format": "date"}),
                                          _q("group", {"enum": ["month"]},
                                             "month: the figures per CST month as well (`months`); whole "
                                             "months of the last 12 are answered from the statistics snapshot "
                                             "(`as_of`)")]),
    ("GET", "/tickets/{ticket_id}/reviewer-contact"): Op(
        "The reviewer's name and full phone (supervisors of the ticket); every read is written to the access log",
        "ReviewerContact", params=[{"name": "reason", "in": "query", "required": True,
                                    "description": "why it is read (核实, 回访), 2–200 characters",
                                    "schema": {"type": "string", "minLength": 2, "maxLength": 200}}]),
    ("GET", "/access-log"): Op("Personal-data access log of a CST month, newest first (provincial supervisors)",
                               "AccessLog", params=[_q("month", {"type": "string", "pattern": "^[0-9]{4}-[0-9]{2}$"},
                                                       "YYYY-MM (default: this month)"), _LIMIT, _CURSOR]),
    ("GET", "/stats/decisions"): Op("秒批: decided cases per matter and the share decided by rule", "DecisionShares",
                                    params=[_CITY_Q]),
    ("GET", "/overview/cases"): Op("Cases by status and overdue counts per office of the supervisor's cities",
                                   "CityOverview", params=[_CITY_Q]),
}


class DocumentDrift(Exception):
    """A registered route has no entry in OPERATIONS, or an entry no longer has a route."""


def registered_routes(chalice_app: Any = None) -> set[tuple[str, str]]:
    """(method, path) of every route registered on the Chalice app, blueprints included."""
    if chalice_app is None:
        os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
        import app as app_module

        chalice_app = app_module.app
    # OPTIONS answers CORS preflights on every path (chalicelib/api/cors.py): not an operation of the API.
    return {(method, path) for path, methods in chalice_app.routes.items() for method in methods
            if method != "OPTIONS"}


def _path_params(path: str) -> list[dict[str, Any]]:
    known = {"case_no": _CASE_NO, "ticket_id": _TICKET_ID, "office_id": _OFFICE_ID, "stage": _STAGE,
             "parcel_id": _PARCEL_ID}
    names = [part[1:-1] for part in path.split("/") if part.startswith("{")]
    return [known[name] for name in names]


def _operation(method: str, path: str, op: Op) -> dict[str, Any]:

    error = {"content": {"application/json": {"schema": _ref("Error")}}}
    out: dict[str, Any] = {
        "operationId": f"{method.lower()}_{path.strip('/').replace('/', '_').replace('{', '').replace('}', '')}"
                       .replace("-", "_") or "root",
        "summary": op.summary,
        "parameters": [*_path_params(path), *op.params, *op.header_params],
        "responses": {
            str(op.status): {"description": "OK", "content": {"application/json": {"schema": _ref(op.response)}}},
            **{status: {"description": text, **error} for status, text in ERROR_STATUSES.items()},
        },
    }
    if op.who == "public":
        out["security"] = []
    elif op.who == "signature":
        out["security"] = [{"courierSignature": []}]
    if op.body:
        out["requestBody"] = {"required": not op.body_optional,
                              "content": {"application/json": {"schema": _ref(f"{op.body}_request"),
                                                           "example": REQUEST_EXAMPLES[op.body]}}}
    if not out["parameters"]:
        del out["parameters"]
    return out


def build_document(chalice_app: Any = None) -> dict[str, Any]:
    from chalicelib.api.schemas import SCHEMAS

    routes = registered_routes(chalice_app)
    undocumented = sorted(routes - set(OPERATIONS))
    stale = sorted(set(OPERATIONS) - routes)
    if undocumented or stale:
        raise DocumentDrift(f"tools/openapi.py is out of step with the app: undocumented {undocumented}, "
                         f"no longer routed {stale}")
    paths: dict[str, dict[str, Any]] = {}
    for (method, path), op in sorted(OPERATIONS.items(), key=lambda item: (item[0][1], item[0][0])):
        paths.setdefault(path, {})[method.lower()] = _operation(method, path, op)
    used_bodies = sorted({op.body for op in OPERATIONS.values() if op.body})
    schemas = {**copy.deepcopy(RESPONSE_SCHEMAS),
               **{f"{name}_request": copy.deepcopy(SCHEMAS[name]) for name in used_bodies}}
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Cross-city service (跨城通办) API",
            "version": "1.0.0",
            "description": "Generated by `python -m tools.openapi --write` from the routes registered on "
                           "app.app and the request schemas of chalicelib/api/schemas.py. Errors are "
                           '`{"code", "message"}` (plus `field` on 400, `current_status` on 409). '
                           "Browsers may call it from the console's origin(s) only (env CONSOLE_ORIGIN; "
                           "every path answers CORS preflights).",
        },
        "servers": [{"url": "http://127.0.0.1:8000", "description": "make run"}],
        "security": [{"bearer": []}],
        "paths": paths,
        "components": {
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT",
                           "description": "claims: sub, role (citizen|staff|supervisor|admin), office_id, city"},
                "courierSignature": {"type": "apiKey", "in": "header", "name": "X-Signature",
                                     "description": "hex HMAC-SHA256 of X-Timestamp + '.' + the raw body "
                                                    "(X-Timestamp: Unix seconds, at most 5 minutes off); "
                                                    "the local stage also takes the HMAC of the body alone"},
            },
            "schemas": schemas,
        },
    }


def render(document: dict[str, Any]) -> str:
    return json.dumps(document, ensure_ascii=False, indent=2, sort_keys=False) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--write", action="store_true", help=f"write {DOCUMENT_PATH.relative_to(ROOT)}")
    parser.add_argument("--check", action="store_true", help="exit 1 when the written document is out of date")
    args = parser.parse_args(argv)
    try:
        text = render(build_document())
    except DocumentDrift as err:
        print(err, file=sys.stderr)
        return 1
    if args.write:
        DOCUMENT_PATH.parent.mkdir(parents=True, exist_ok=True)
        DOCUMENT_PATH.write_text(text, encoding="utf-8")
        print(f"wrote {DOCUMENT_PATH.relative_to(ROOT)} ({len(OPERATIONS)} operations)")
        return 0
    if args.check:
        current = DOCUMENT_PATH.read_text(encoding="utf-8") if DOCUMENT_PATH.exists() else ""
        if current != text:
            print(f"{DOCUMENT_PATH.relative_to(ROOT)} is out of date: run `make openapi`", file=sys.stderr)
            return 1
        return 0
    sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
