"""Commands: what a use case is asked to do, as types. Routes build them from the (schema-checked) request
body with ``from_body``; services never read a raw body."""
from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True)
class ApplicantDetails:
    name: str
    id_type: str
    id_number: str
    phone: str
    district: str | None = None


@dataclass(frozen=True)
class MaterialClaim:
    """A material of the matter as the applicant declared it (provided or not)."""

    name: str
    provided: bool = False


@dataclass(frozen=True)
class Apply:
    """申请: a new case at a receiving window."""

    matter_id: str
    receiving_office_id: str
    applicant: ApplicantDetails
    materials: tuple[MaterialClaim, ...]
    delivery_method: str
    delivery_address: dict[str, Any] | None = None
    # 授权: materials to read from the licence library; whether the approval rule may read its records.
    licence_materials: tuple[str, ...] = ()
    records_authorized: bool = False
    requested_period: tuple[str, str] | None = None
    idempotency_key: str | None = field(default=None, compare=False)

    @classmethod
    def from_body(cls, body: dict[str, Any], idempotency_key: str | None = None) -> Apply:
        a = body.get("applicant") or {}
        delivery = body.get("delivery") or {}
        return cls(
            matter_id=str(body.get("matter_id", "")),
            receiving_office_id=str(body.get("receiving_office_id", "")),
            applicant=ApplicantDetails(name=str(a.get("name", "")), id_type=str(a.get("id_type", "RESIDENT_ID")),
                                       id_number=str(a.get("id_number", "")), phone=str(a.get("phone", "")),
                                       district=a.get("district")),
            materials=tuple(MaterialClaim(str(m.get("name", "")), bool(m.get("provided", False)))
                            for m in body.get("materials") or []),
            delivery_method=str(delivery.get("method", "")),
            delivery_address=delivery.get("address"),
            licence_materials=tuple(str(m) for m in (body.get("licence_authorization") or {}).get("materials") or ()),
            records_authorized=bool((body.get("licence_authorization") or {}).get("records", False)),
            requested_period=(str(period["from"]), str(period["to"])) if (period := body.get("requested_period"))
            else None,
            idempotency_key=idempotency_key,
        )

    def digest(self) -> str:
        """What a retry with the same Idempotency-Key must repeat: the request, canonically."""
        request = asdict(self)
        request.pop("idempotency_key")
        return hashlib.sha256(json.dumps(request, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


@dataclass(frozen=True)
class SubmitReview:
    """好差评: the applicant rates one stage of a case."""

    case_no: str
    stage: str
    rating: int
    tags: tuple[str, ...] = ()
    comment: str = ""

    @classmethod
    def from_body(cls, case_no: str, body: dict[str, Any]) -> SubmitReview:
        return cls(case_no=case_no, stage=str(body.get("stage", "")), rating=body.get("rating"),  # type: ignore[arg-type]
                   tags=tuple(body.get("tags") or ()), comment=str(body.get("comment") or ""))
