"""Response shapes. Identity numbers and phones are shown in clear only to the applicant."""
from __future__ import annotations

from typing import Any

from ..domain.access import is_applicant
from ..domain.actor import Actor
from ..domain.case import Case
from ..domain.identity import mask_id_number, mask_name, mask_phone, scrub
from ..domain.lifecycle import LABELS, Action, Status, allowed_actions
from ..domain.parcels import Parcel
from ..domain.shipping import Shipment
from ..domain.workdays import cst_date, iso, utcnow, working_days_left


def _iso(value: Any) -> str | None:
    if value is None:
        return None
    return value.isoformat() if not hasattr(value, "tzinfo") else iso(value)


def applicant_view(case: Case, in_clear: bool) -> dict[str, Any]:
    a = case.applicant
    if in_clear:
        return {"name": a.name, "id_type": a.id_type, "id_number": a.id_number, "phone": a.phone,
                "district": a.district}
    return {"name": mask_name(a.name), "id_type": a.id_type, "id_number": mask_id_number(a.id_number, a.id_type),
            "phone": mask_phone(a.phone), "district": a.district}


def delivery_view(case: Case, in_clear: bool) -> dict[str, Any]:
    out: dict[str, Any] = {"method": case.delivery.method}
    addr = case.delivery.address
    if addr:
        out["address"] = dict(addr) if in_clear else {
            **addr, "recipient": mask_name(str(addr.get("recipient", ""))),
            "phone": mask_phone(str(addr.get("phone", ""))),
        }
    return out


def case_view(case: Case, actor: Actor) -> dict[str, Any]:
    in_clear = is_applicant(actor, case)
    view: dict[str, Any] = {
        "case_no": case.case_no,
        "status": case.status.value,
        "status_label": case.label,
        "version": case.version,
        "matter_id": case.matter_id,
        "receiving_office_id": case.receiving_office_id,
        "receiving_city": case.receiving_city,
        "handling_city": case.handling_city,
        "handling_office_id": case.handling_office_id,
        "pickup_office_id": case.pickup_office_id,
        "electronic": case.electronic,
        "applicant": applicant_view(case, in_clear),
        # "source": "licence" for a material read from the licence library (电子证照), with its reference.
        "materials": [{"name": m.name, "core": m.core, "provided": m.provided, "source": m.source or "paper",
                       "licence": m.licence} for m in case.materials],
        "licence_authorization": list(case.licence_authorization),
        "licence_unavailable": list(case.licence_unavailable),
        "requested_period": case.requested_period,
        "rule_check": case.rule_check,  # 秒批: the rule, its inputs and why it approved or did not
        "result_licence": case.result_licence,
        "missing": list(case.missing),
        "supplement_due": _iso(case.supplement_due),
        "correction_due": _iso(case.correction_due),
        "stage_due": _iso(case.stage_due),
        "stage_overdue": case.stage_overdue,
        "delivery": delivery_view(case, in_clear),
        "created_at": _iso(case.created_at),
        "updated_at": _iso(case.updated_at),
        "accepted_at": _iso(case.accepted_at),
        "promised_by": _iso(case.promised_by),
        "overdue": case.overdue,
        "decision": case.decision,
        "refusal_reason": case.refusal_reason,
        "return_reason": case.return_reason,
        "completed_at": _iso(case.completed_at),
        "working_days_left": working_days_left(cst_date(utcnow()), case.promised_by)
        if case.promised_by and not case.completed_at else None,
        "next_actions": next_actions(case, actor),
    }
    if in_clear:
        view["query_code"] = case.query_code
    return view


def next_actions(case: Case, actor: Actor) -> list[str]:
    """What the caller may do next; reading licences again only when a lookup failed (an outage). An electronic
    result is issued through ship-result, so ``issue_result`` (no route of its own) is not listed."""
    return [a.value for a in allowed_actions(case.status, case.parties(actor))
            if (a is not Action.READ_LICENCES or case.licence_unavailable) and a is not Action.ISSUE_RESULT]


def queue_item(case: Case) -> dict[str, Any]:
    """A work-queue row: what staff need to pick the next case, with personal data masked."""
    return {
        "case_no": case.case_no, "status": case.status.value, "status_label": case.label,
        "matter_id": case.matter_id, "receiving_office_id": case.receiving_office_id,
        "handling_office_id": case.handling_office_id, "applicant_name": mask_name(case.applicant.name),
        "missing": list(case.missing), "created_at": _iso(case.created_at), "updated_at": _iso(case.updated_at),
        "promised_by": _iso(case.promised_by), "overdue": case.overdue,
        "correction_due": _iso(case.correction_due), "stage_due": _iso(case.stage_due),
        "stage_overdue": case.stage_overdue,
        # Working days to the promised date (negative: late), for the queues' overdue and due-soon flags.
        "working_days_left": working_days_left(cst_date(utcnow()), case.promised_by) if case.promised_by else None,
    }


def created_case_view(case: Case, actor: Actor) -> dict[str, Any]:
    """DESIGN §6: 201 {case_no, query_code, status, ...} for citizens and staff alike. Window staff entering a
    walk-in application hand the query code to the applicant (it is never shown to them afterwards)."""
    return {**case_view(case, actor), "query_code": case.query_code}


def track_view(case: Case, timeline: list[dict[str, Any]], legs: list[Shipment]) -> dict[str, Any]:
    """Public tracking: status, timeline labels and parcels; no personal data."""
    return {
        "case_no": case.case_no,
        "status": case.status.value,
        "status_label": case.label,
        "matter_id": case.matter_id,
        "promised_by": _iso(case.promised_by),
        "missing": list(case.missing),
        "supplement_due": _iso(case.supplement_due),
        "correction_due": _iso(case.correction_due),  # 补正: by when a returned case must be corrected
        # Reasons are staff's free text: whatever looks like an identity or mobile number in them is masked.
        "refusal_reason": scrub(case.refusal_reason) if case.refusal_reason else None,
        "return_reason": scrub(case.return_reason) if case.return_reason else None,
        "termination_reason": termination_reason(case),
        "timeline": [
            {"at": e["at"], "status": e["to_status"], "label": LABELS[Status(e["to_status"])],
             "action": e["action"]}
            for e in timeline
            # The public timeline shows the steps a citizen recognises: changes of status (and the application).
            if e["from_status"] != e["to_status"] or e["action"] == "apply"
        ],
        "shipments": [leg.public() for leg in legs],
    }


def termination_reason(case: Case) -> str | None:
    """终止: why, in the words the applicant is told (the deadline and what was still outstanding)."""
    if case.status is not Status.TERMINATED:
        return None
    if case.missing:
        due = f"（{case.supplement_due.isoformat()}）" if case.supplement_due else ""
        return f"未在补正期限{due}内补齐材料：{'、'.join(case.missing)}"
    day = case.correction_due or case.supplement_due
    due = f"（{day.isoformat()}）" if day else ""
    return f"未在补正期限{due}内补正：{scrub(case.return_reason or '')}".rstrip("：")


def shipment_view(leg: Shipment, in_clear: bool) -> dict[str, Any]:
    """A parcel leg with its tracking events; the recipient and phone are masked for anyone but the
    applicant."""
    view = {**leg.public(), "leg_id": leg.leg_id, "cost_cny": leg.cost_cny,
            "transit_working_days": leg.transit_working_days, "created_at": iso(leg.created_at),
            "replaces": leg.replaces,
            # Courier events after the leg ended (late, repeated, or impossible): for staff to look into.
            "late_events": [e.as_dict() for e in leg.late_events]}
    addr = leg.to_address
    if addr:
        view["to_address"] = dict(addr) if in_clear else {
            **addr, "recipient": mask_name(str(addr.get("recipient", ""))),
            "phone": mask_phone(str(addr.get("phone", ""))),
        }
    return view


def shipments_view(actor: Actor, case: Case, legs: list[Shipment]) -> dict[str, Any]:
    """A case's parcel legs; the recipient and phone in clear only for the applicant."""
    in_clear = is_applicant(actor, case)
    return {"case_no": case.case_no, "items": [shipment_view(leg, in_clear) for leg in legs]}


def parcel_view(parcel: Parcel, leg: Shipment | None, cases: dict[str, Case]) -> dict[str, Any]:
    """A consolidated parcel (合包): pair, collection day, waybill, sealed and arrived at, its handover list
    (交接单: each case with what the receiving side found) and its tracking events. The applicant's name is
    masked: the list is printed and travels with the parcel."""
    items = []
    for item in parcel.items:
        case = cases.get(item.case_no)
        items.append({**item.as_dict(),
                      "matter_id": case.matter_id if case else None,
                      "status": case.status.value if case else None,
                      "status_label": LABELS[case.status] if case else None,
                      "applicant_name": mask_name(case.applicant.name) if case else None})
    return {**parcel.summary(), "items": items,
            "shipment": shipment_view(leg, in_clear=False) if leg else None,
            "events": [e.as_dict() for e in leg.events] if leg else []}
