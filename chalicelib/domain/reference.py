"""Reference data (offices, cities, routes, matter catalogue, review policy) as plain, immutable values.

Nothing about a city is hard-coded: adding a city is adding rows to these tables (its offices, routes,
matters it handles or accepts, and its review policy).
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from .errors import InvalidInput, NotFound, RuleViolation
from .licences import ApprovalRule


@dataclass(frozen=True)
class Office:
    office_id: str
    name: str
    city: str
    district: str
    kinds: tuple[str, ...]
    address: str
    phone: str
    opening_hours: str
    mail_cutoff: str
    name_en: str = ""
    postcode: str = ""
    # The courier collects on "working_days" (the mainland calendar, 调休 included) or on "all_days".
    collection_days: str = "working_days"

    def public(self) -> dict[str, Any]:
        return {
            "office_id": self.office_id, "name": self.name, "name_en": self.name_en, "city": self.city,
            "district": self.district, "kinds": list(self.kinds), "address": self.address,
            "postcode": self.postcode, "phone": self.phone, "opening_hours": self.opening_hours,
            "mail_cutoff": self.mail_cutoff, "collection_days": self.collection_days,
        }


@dataclass(frozen=True)
class Material:
    name: str
    core: bool  # 必要 (core) vs 可容缺 (may be supplemented later)
    licence: str | None = None  # the licence type (电子证照) it can be read from, with the applicant's consent
    online: bool = False  # filled in by the application itself (在线填报): never paper to carry


@dataclass(frozen=True)
class ResultLicence:
    """A matter whose result is a licence: its type and issuer (delivery ``ELECTRONIC`` issues it)."""

    licence_type: str
    issuer: str


@dataclass(frozen=True)
class Matter:
    matter_id: str
    name: str
    name_en: str
    handling_city: str
    accepted_in: tuple[str, ...]
    materials: tuple[Material, ...]
    time_limit_working_days: int
    electronic: bool  # 电子流转: materials travel electronically, no parcel
    deliveries: tuple[str, ...]
    # 无纸化: when every material is read from a licence or filled online, the case transfers with no parcel.
    paperless_transfer: bool = False
    result_licence: ResultLicence | None = None
    approval_rule: ApprovalRule | None = None  # 秒批

    def material(self, name: str) -> Material | None:
        return next((m for m in self.materials if m.name == name), None)

    def licence_materials(self) -> dict[str, str]:
        """Material → the licence type it can be read from."""
        return {m.name: m.licence for m in self.materials if m.licence}

    def public(self) -> dict[str, Any]:
        return {
            "matter_id": self.matter_id, "name": self.name, "name_en": self.name_en,
            "handling_city": self.handling_city, "accepted_in": list(self.accepted_in),
            "materials": [{"name": m.name, "core": m.core, "licence": m.licence, "online": m.online}
                          for m in self.materials],
            "time_limit_working_days": self.time_limit_working_days, "electronic": self.electronic,
            "deliveries": list(self.deliveries), "paperless_transfer": self.paperless_transfer,
            "result_licence": vars(self.result_licence) if self.result_licence else None,
            "approval_rule": {"rule_id": self.approval_rule.rule_id, "version": self.approval_rule.version,
                              "description": self.approval_rule.description} if self.approval_rule else None,
        }


@dataclass(frozen=True)
class City:
    code: str
    name: str
    name_en: str
    default_handling_office: str
    district_handling_offices: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Route:
    """One parcel lane: from an office to another office (to_office_id) or to an address in a city."""

    from_office_id: str
    courier: str
    service: str
    transit_working_days: int
    cost_cny: float
    to_office_id: str | None = None
    to_city: str | None = None


@dataclass(frozen=True)
class ReviewPolicy:
    city: str
    verify_working_days: int
    rectify_working_days: int
    review_window_days: int  # one window: a rating inside it is accepted; the default lands when it closes
    default_rating: int
    source: str = ""


@dataclass(frozen=True)
class CaseDeadlines:
    """How long a case may wait in each state (reference data ``case_deadlines``): nothing waits forever.

    ``supplement_working_days``: the applicant's time to bring a 容缺 material; ``correction_working_days``:
    to correct a case returned for correction (补正); ``stage_working_days``: how long the office may leave a
    case in a state (SUBMITTED, RECEIVED, APPROVED, DENIED) before it is overdue; a result waiting for pickup
    reminds the applicant on the ``pickup_reminder_days`` (calendar days) and is overdue, alerting the office,
    after ``pickup_alert_days``.
    """

    supplement_working_days: int = 5
    correction_working_days: int = 5
    stage_working_days: Mapping[str, int] = field(default_factory=lambda: {
        "SUBMITTED": 2, "RECEIVED": 2, "APPROVED": 2, "DENIED": 2})
    pickup_reminder_days: tuple[int, ...] = (7, 25)
    pickup_alert_days: int = 30
    source: str = ""

    @classmethod
    def from_row(cls, r: Mapping[str, Any]) -> CaseDeadlines:
        return cls(
            supplement_working_days=int(r["supplement_working_days"]),
            correction_working_days=int(r["correction_working_days"]),
            stage_working_days={str(k): int(v) for k, v in r["stage_working_days"].items()},
            pickup_reminder_days=tuple(sorted(int(d) for d in r["pickup_reminder_days"])),
            pickup_alert_days=int(r["pickup_alert_days"]), source=r.get("source", ""),
        )


@dataclass(frozen=True)
class Catalogue:
    """All reference data, with the lookups the rules need."""

    offices: Mapping[str, Office]
    cities: Mapping[str, City]
    matters: Mapping[str, Matter]
    office_routes: Mapping[tuple[str, str], Route]
    address_routes: Mapping[tuple[str, str], Route]
    review_policies: Mapping[str, ReviewPolicy]
    deadlines: CaseDeadlines = field(default_factory=CaseDeadlines)

    @property
    def supplement_working_days(self) -> int:
        return self.deadlines.supplement_working_days

    @classmethod
    def from_rows(cls, rows: Mapping[str, Iterable[Mapping[str, Any]]]) -> Catalogue:
        offices = {
            r["office_id"]: Office(
                office_id=r["office_id"], name=r["name"], name_en=r.get("name_en", ""), city=r["city"],
                district=r.get("district", r["city"]), kinds=tuple(r.get("kinds", ())),
                address=r.get("address", ""), postcode=r.get("postcode", ""), phone=r.get("phone", ""),
                opening_hours=r.get("opening_hours", ""), mail_cutoff=r.get("mail_cutoff", "16:00"),
                collection_days=r.get("collection_days", "working_days"),
            )
            for r in rows.get("offices", ())
        }
        cities = {
            r["code"]: City(
                code=r["code"], name=r["name"], name_en=r.get("name_en", ""),
                default_handling_office=r["default_handling_office"],
                district_handling_offices=dict(r.get("district_handling_offices", {})),
            )
            for r in rows.get("cities", ())
        }
        matters = {
            r["matter_id"]: Matter(
                matter_id=r["matter_id"], name=r["name"], name_en=r.get("name_en", ""),
                handling_city=r["handling_city"], accepted_in=tuple(r["accepted_in"]),
                materials=tuple(Material(m["name"], bool(m["core"]), m.get("licence"), bool(m.get("online", False)))
                                for m in r["materials"]),
                time_limit_working_days=int(r["time_limit_working_days"]),
                electronic=bool(r.get("electronic", False)), deliveries=tuple(r["deliveries"]),
                paperless_transfer=bool(r.get("paperless_transfer", False)),
                result_licence=ResultLicence(**r["result_licence"]) if r.get("result_licence") else None,
                approval_rule=ApprovalRule.from_row(r["approval_rule"]) if r.get("approval_rule") else None,
            )
            for r in rows.get("matters", ())
        }
        office_routes = {
            (r["from_office_id"], r["to_office_id"]): _route(r) for r in rows.get("routes", ())
        }
        address_routes = {
            (r["from_office_id"], r["to_city"]): _route(r) for r in rows.get("address_routes", ())
        }
        policies = {
            r["city"]: ReviewPolicy(
                city=r["city"], verify_working_days=int(r["verify_working_days"]),
                rectify_working_days=int(r["rectify_working_days"]),
                review_window_days=int(r["review_window_days"]),
                default_rating=int(r["default_rating"]), source=r.get("source", ""),
            )
            for r in rows.get("review_policies", ())
        }
        deadline_rows = [r for r in rows.get("case_deadlines", ()) if r.get("policy") == "default"]
        deadlines = CaseDeadlines.from_row(deadline_rows[0]) if deadline_rows else CaseDeadlines()
        return cls(offices, cities, matters, office_routes, address_routes, policies, deadlines)

    def office(self, office_id: str) -> Office:
        try:
            return self.offices[office_id]
        except KeyError:
            raise NotFound(f"office {office_id} not found") from None

    def matter(self, matter_id: str) -> Matter:
        try:
            return self.matters[matter_id]
        except KeyError:
            raise InvalidInput("matter_id", f"unknown matter {matter_id!r}") from None

    def review_policy(self, city: str) -> ReviewPolicy:
        """The city's review policy. Every city in service has its row (a city that follows Shenzhen's rules
        says so in its row's ``source``): a city without one is a gap in the reference data, refused rather
        than guessed."""
        policy = self.review_policies.get(city)
        if policy is None:
            raise RuleViolation("no_review_policy", f"no review policy for city {city} in the reference data")
        return policy

    def handling_office_for(self, matter: Matter, applicant_district: str | None = None) -> Office:
        """谁办理: the competent office of the matter's handling city, by the applicant's district if set."""
        city = self.cities.get(matter.handling_city)
        if city is None:
            raise RuleViolation("no_handling_office", f"no handling office for city {matter.handling_city}")
        office_id = city.district_handling_offices.get(applicant_district or "", city.default_handling_office)
        return self.office(office_id)

    def route_between(self, from_office_id: str, to_office_id: str) -> Route:
        try:
            return self.office_routes[(from_office_id, to_office_id)]
        except KeyError:
            raise RuleViolation(
                "no_route", f"no courier route from {from_office_id} to {to_office_id}"
            ) from None

    def route_to_address(self, from_office_id: str, city: str) -> Route:
        try:
            return self.address_routes[(from_office_id, city)]
        except KeyError:
            raise RuleViolation("no_route", f"no courier route from {from_office_id} to city {city}") from None


def _route(r: Mapping[str, Any]) -> Route:
    return Route(
        from_office_id=r["from_office_id"], to_office_id=r.get("to_office_id"), to_city=r.get("to_city"),
        courier=r.get("courier", "EMS"), service=r.get("service", "EMS"),
        transit_working_days=int(r["transit_working_days"]), cost_cny=float(r.get("cost_cny", 0)),
    )
