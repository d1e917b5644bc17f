"""Identity documents and phone numbers: validation (GB 11643) and masking for anyone but the applicant."""
from __future__ import annotations

import re
from datetime import date

from .formats import MOBILE, matches

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
_ID_RE = re.compile(r"[0-9]{17}[0-9X]")  # ASCII only: \d would let fullwidth digits through
RESIDENT_ID = "RESIDENT_ID"

# Patterns used to scrub log lines and free text (never \d: other scripts' digits are digits too):
# an 18-character resident ID; a first-generation 15-digit one;
ID_NUMBER_PATTERN = re.compile(r"(?<![0-9A-Za-z])(?:[0-9]{17}[0-9Xx]|[0-9]{15})(?![0-9A-Za-z])")
# a mainland mobile, bare or written +86 138-0013-8000, 0086 138 0013 8000, 138-0013-8000;
MOBILE_PATTERN = re.compile(r"(?<![0-9+])(?:(?:\+|00)86[ -]?)?1[3-9][0-9](?:[ -]?[0-9]{4}){2}(?![0-9])")
# a passport or travel permit: one or two letters then 7 or 8 digits (E12345678, EA1234567, C12345678).
_COUNTRY_PREFIX = re.compile(r"(?:\+|00)86[ -]?")
PASSPORT_PATTERN = re.compile(r"(?<![0-9A-Za-z])[A-Za-z]{1,2}[0-9]{7,8}(?![0-9A-Za-z])")


def resident_id_problem(value: str) -> str | None:
    """Return why ``value`` is not a valid 18-character resident ID number (GB 11643), or None."""
    if not isinstance(value, str) or len(value) != 18:
        return "must be 18 characters"
    value = value.upper()
    if not _ID_RE.fullmatch(value):
        return "must be 17 digits followed by a digit or X"
    try:
        date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        return "has an impossible date of birth"
    total = sum(int(d) * w for d, w in zip(value[:17], _ID_WEIGHTS, strict=True))
    if _ID_CHECK[total % 11] != value[17]:
        return "check digit does not match (GB 11643)"
    return None


def with_check_digit(first17: str) -> str:
    """Complete 17 digits with their GB 11643 check digit (used by tests and seed tools)."""
    total = sum(int(d) * w for d, w in zip(first17, _ID_WEIGHTS, strict=True))
    return first17 + _ID_CHECK[total % 11]


def is_mobile(value: str) -> bool:
    return matches(MOBILE, value)


def mask_id_number(value: str, id_type: str = RESIDENT_ID) -> str:
    """A resident ID keeps its region prefix and last four characters (4419**********123X); any other
    document (passport, permits) at most its last four (*****5678): its first characters are not a region
    code, and E123*5678 would show all but one character of a 9-character passport number."""
    if id_type == RESIDENT_ID and len(value) > 8:
        return value[:4] + "*" * (len(value) - 8) + value[-4:]
    if len(value) <= 8:
        return "*" * len(value)
    return "*" * (len(value) - 4) + value[-4:]


def mask_phone(value: str) -> str:
    """138****8000."""
    if len(value) < 7:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


def mask_name(value: str) -> str:
    """张* / 欧阳**: keeps the family name's first character only."""
    return value[:1] + "*" * max(len(value) - 1, 1) if value else value


def _mask_written_mobile(written: str) -> str:
    """+86 138-0013-8000 → +86 138****8000: the prefix stays, the number is masked like a bare one."""
    prefix = _COUNTRY_PREFIX.match(written)
    head = prefix.group(0) if prefix else ""
    return head + mask_phone(re.sub(r"[^0-9]", "", written[len(head):]))


def scrub(text: str) -> str:
    """Mask every identity number, passport or permit number and mobile number found in free text (log
    lines, notes, reasons)."""
    text = ID_NUMBER_PATTERN.sub(lambda m: mask_id_number(m.group(0)), text)
    text = PASSPORT_PATTERN.sub(lambda m: mask_id_number(m.group(0), "PASSPORT"), text)
    return MOBILE_PATTERN.sub(lambda m: _mask_written_mobile(m.group(0)), text)
