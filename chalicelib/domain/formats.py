"""The formats the contract gives as digits, in one place: ASCII ``0-9`` only.

``str.isdigit`` and the regex ``\\d`` also accept superscripts, fullwidth digits and the digits of other
scripts (``²``, ``１``, ``٣``), which ``int()`` then refuses or silently converts, so a value that passed a
check could be stored as sent or crash a handler. Every check here is a ``fullmatch`` of an ASCII class
(``$`` would also accept a trailing newline). The JSON Schema patterns in chalicelib/api/schemas.py and the
OpenAPI document say the same (``^[0-9]{6}$``).
"""
from __future__ import annotations

import re
from typing import Any

DIVISION_CODE = re.compile(r"[0-9]{6}")  # a city or district (行政区划代码)
QUERY_CODE = re.compile(r"[0-9]{6}")  # 查询码
# KC + receiving city + CST date + daily sequence (5 digits; more only past 99,999 cases a day).
CASE_NUMBER = re.compile(r"KC[0-9]{6}[0-9]{8}[0-9]{5,9}")
MOBILE = re.compile(r"1[3-9][0-9]{9}")
UNSIGNED = re.compile(r"[0-9]{1,9}")
MONTH = re.compile(r"[0-9]{4}-(?:0[1-9]|1[0-2])")  # YYYY-MM
DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")  # YYYY-MM-DD (the calendar checks the rest)

# The same, as JSON Schema / OpenAPI patterns (ECMA-262 anchors).
DIVISION_CODE_PATTERN = "^[0-9]{6}$"
QUERY_CODE_PATTERN = "^[0-9]{6}$"
CASE_NUMBER_PATTERN = "^KC[0-9]{19,23}$"
MOBILE_PATTERN = "^1[3-9][0-9]{9}$"
# Identity document numbers: ASCII letters and digits (a resident ID ends in X; passports and permits
# start with letters), checked further by type in chalicelib.domain.identity.
ID_NUMBER_PATTERN = "^[0-9A-Za-z]{5,32}$"
ID_NUMBER = re.compile(r"[0-9A-Za-z]{5,32}")


def matches(pattern: re.Pattern[str], value: Any) -> bool:
    """Whether ``value`` is a string made exactly of ``pattern`` (never a partial or Unicode-digit match)."""
    return isinstance(value, str) and pattern.fullmatch(value) is not None


def bounded_int(value: Any, low: int, high: int) -> int | None:
    """``value`` as an int when it is written in ASCII digits and lies in [low, high], else None."""
    if not matches(UNSIGNED, value):
        return None
    number = int(value)
    return number if low <= number <= high else None
