"""Electronic licences (电子证照) and rule-checked approval (秒批): the pure rules.

- 授权 (consent): a licence is read only for a case whose applicant authorized reading that licence type
  for that case (:func:`require_consent`); the lookup's purpose goes to the personal-data access log.
- 免提交: a material that a matter marks as available from a licence type (reference data ``licence``) is
  recorded as provided by licence, by reference (number, issuer, validity), never by content; it does not
  travel in the parcel. When nothing is left to carry and the matter allows it (``paperless_transfer``) the
  case transfers electronically (电子流转).
- 秒批: an approval rule is data (``approval_rule`` of a matter): conditions over named inputs, evaluated
  here; the inputs come from a port (social-insurance records). Non-match or missing inputs: a person decides.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from .errors import InvalidInput, OutOfScope

CONSENT_REQUIRED = "consent_required"


class ConsentRequired(OutOfScope):
    """No recorded authorization (授权) of the applicant covers this lookup: it is refused (403)."""

    code = CONSENT_REQUIRED


@dataclass(frozen=True)
class Licence:
    """A licence as the library describes it. The holder's identity number and name are personal data: they
    are never stored on a case (``reference`` is) and never shown in ``repr``."""

    licence_no: str
    licence_type: str
    issuer: str
    valid_from: str | None = None
    valid_until: str | None = None
    holder_id_number: str = field(default="", repr=False)
    holder_name: str = field(default="", repr=False)

    def reference(self) -> dict[str, Any]:
        """What a case keeps of a licence: a reference, not its content."""
        return {"licence_no": self.licence_no, "licence_type": self.licence_type, "issuer": self.issuer,
                "valid_from": self.valid_from, "valid_until": self.valid_until}

    def valid_on(self, day: date) -> bool:
        return ((self.valid_from is None or self.valid_from <= day.isoformat())
                and (self.valid_until is None or day.isoformat() <= self.valid_until))


@dataclass(frozen=True)
class Consent:
    """One recorded authorization, handed to the library with each lookup (the provincial service checks it)."""

    case_no: str
    licence_type: str
    purpose: str


def require_consent(case_no: str, authorized: Iterable[str], licence_type: str, purpose: str) -> Consent:
    """The consent for one lookup, or ConsentRequired when the applicant did not authorize this type for this
    case."""
    if licence_type not in set(authorized):
        raise ConsentRequired(
            f"the applicant of {case_no} has not authorized reading their {licence_type} licence",
            licence_type=licence_type)
    return Consent(case_no, licence_type, purpose)


def authorized_types(matter_licences: Mapping[str, str], materials: Iterable[str],
                     field_name: str = "licence_authorization.materials") -> list[str]:
    """The licence types an authorization naming these materials covers; a material that the matter does not
    allow from a licence is a 400 naming it."""
    types: list[str] = []
    for i, name in enumerate(materials):
        licence_type = matter_licences.get(name)
        if licence_type is None:
            raise InvalidInput(f"{field_name}[{i}]", f"{name!r} cannot be provided from an electronic licence")
        if licence_type not in types:
            types.append(licence_type)
    return types


# ---------------------------------------------------------------- 秒批: approval rules as data


@dataclass(frozen=True)
class Condition:
    input: str
    op: str  # eq, ne, ge, le, gt, lt
    value: Any
    says: str = ""  # the reason in words, shown to staff

    def holds(self, inputs: Mapping[str, Any]) -> bool:
        if self.input not in inputs:
            return False
        left = inputs[self.input]
        ops = {"eq": lambda a, b: a == b, "ne": lambda a, b: a != b, "ge": lambda a, b: a >= b,
               "le": lambda a, b: a <= b, "gt": lambda a, b: a > b, "lt": lambda a, b: a < b}
        try:
            return bool(ops[self.op](left, self.value))
        except TypeError:
            return False


@dataclass(frozen=True)
class ApprovalRule:
    """A matter's 秒批 rule: approve when every condition holds over the inputs read from ``source``."""

    rule_id: str
    version: int
    source: str  # which port supplies the inputs, e.g. "social_insurance"
    conditions: tuple[Condition, ...]
    description: str = ""
    consent: str = ""  # what the applicant authorizes reading for it (授权), e.g. "社保缴费记录"

    @classmethod
    def from_row(cls, r: Mapping[str, Any]) -> ApprovalRule:
        ops = {"eq", "ne", "ge", "le", "gt", "lt"}
        conditions = tuple(Condition(c["input"], c["op"], c["value"], c.get("says", "")) for c in r["conditions"])
        if not conditions or any(c.op not in ops for c in conditions):
            raise ValueError(f"approval rule {r.get('rule_id')}: conditions need an op of {sorted(ops)}")
        return cls(rule_id=r["rule_id"], version=int(r["version"]), source=r["source"], conditions=conditions,
                   description=r.get("description", ""), consent=r.get("consent", r["source"]))

    def evaluate(self, inputs: Mapping[str, Any]) -> RuleOutcome:
        results = [{"input": c.input, "op": c.op, "value": c.value, "actual": inputs.get(c.input),
                    "holds": c.holds(inputs), "says": c.says} for c in self.conditions]
        return RuleOutcome(self.rule_id, self.version, all(r["holds"] for r in results), dict(inputs), results)


@dataclass(frozen=True)
class RuleOutcome:
    rule_id: str
    version: int
    matched: bool
    inputs: dict[str, Any]
    conditions: list[dict[str, Any]]
    outcome: str = ""  # "approved", "no_match", "inputs_unavailable"

    def record(self, outcome: str | None = None) -> dict[str, Any]:
        """What the timeline and the case keep: rule id and version, inputs, each condition and the outcome."""
        return {"rule_id": self.rule_id, "rule_version": self.version,
                "outcome": outcome or ("approved" if self.matched else "no_match"),
                "inputs": self.inputs, "conditions": self.conditions}


def inputs_unavailable(rule: ApprovalRule, reason: str) -> dict[str, Any]:
    """The record of a rule whose inputs could not be read: a person decides."""
    return {"rule_id": rule.rule_id, "rule_version": rule.version, "outcome": "inputs_unavailable",
            "inputs": {}, "conditions": [], "reason": reason}


def month_range(first: str, last: str) -> list[str]:
    """The months ``YYYY-MM`` from ``first`` to ``last``, both included (empty when reversed)."""
    y, m = int(first[:4]), int(first[5:7])
    ly, lm = int(last[:4]), int(last[5:7])
    months: list[str] = []
    while (y, m) <= (ly, lm) and len(months) < 1200:
        months.append(f"{y:04d}-{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return months


def default_period(today: date, months: int = 12) -> tuple[str, str]:
    """The requested period when the applicant names none: the last ``months`` full months before today."""
    y, m = today.year, today.month - 1
    if m == 0:
        y, m = y - 1, 12
    last = f"{y:04d}-{m:02d}"
    total = y * 12 + (m - 1) - (months - 1)
    return f"{total // 12:04d}-{total % 12 + 1:02d}", last


def contribution_inputs(paid_months: Iterable[str] | None, period: tuple[str, str]) -> dict[str, Any]:
    """The inputs of a contribution rule: whether a record exists and how many months of the requested period
    it covers."""
    wanted = month_range(*period)
    if paid_months is None:
        return {"record_found": False, "period_from": period[0], "period_to": period[1],
                "months_requested": len(wanted), "months_paid": 0, "months_missing": len(wanted)}
    paid = set(paid_months)
    covered = [m for m in wanted if m in paid]
    return {"record_found": True, "period_from": period[0], "period_to": period[1],
            "months_requested": len(wanted), "months_paid": len(covered),
            "months_missing": len(wanted) - len(covered)}
