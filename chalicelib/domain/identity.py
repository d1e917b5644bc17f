"""Identity documents and phone numbers: validation (GB 11643) and masking for anyone but the applicant."""
from __future__ import annotations

import re
from datetime import date

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
_ID_RE = re.compile(r"^\d{17}[\dX]$")
_MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")

# Patterns used to scrub log lines: an 18-character resident ID and an 11-digit mainland mobile.
ID_NUMBER_PATTERN = re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])")
MOBILE_PATTERN = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")


def resident_id_problem(value: str) -> str | None:
    """Return why ``value`` is not a valid 18-character resident ID number (GB 11643), or None."""
    if not isinstance(value, str) or len(value) != 18:
        return "must be 18 characters"
    value = value.upper()
    if not _ID_RE.match(value):
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
    return isinstance(value, str) and bool(_MOBILE_RE.match(value))


def mask_id_number(value: str) -> str:
    """4419**********123X: keeps the region prefix and the last four characters."""
    if len(value) <= 8:
        return "*" * len(value)
    return value[:4] + "*" * (len(value) - 8) + value[-4:]


def mask_phone(value: str) -> str:
    """138****8000."""
    if len(value) < 7:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


def mask_name(value: str) -> str:
    """张* / 欧阳**: keeps the family name's first character only."""
    return value[:1] + "*" * max(len(value) - 1, 1) if value else value


def scrub(text: str) -> str:
    """Mask every identity number and mobile number found in free text (log lines, notes)."""
    text = ID_NUMBER_PATTERN.sub(lambda m: mask_id_number(m.group(0)), text)
    return MOBILE_PATTERN.sub(lambda m: mask_phone(m.group(0)), text)
