"""Request body schemas (JSON Schema, compiled once with fastjsonschema). The OpenAPI document reuses them."""
from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

import fastjsonschema

from ..domain.errors import InvalidInput, PayloadTooLarge
from ..domain.formats import (
    CASE_NUMBER_PATTERN,
    DIVISION_CODE_PATTERN,
    ID_NUMBER_PATTERN,
    MOBILE_PATTERN,
    QUERY_CODE_PATTERN,
    UNSIGNED,
    matches,
)

_TEXT = {"type": "string", "maxLength": 2000}
# A name is one line (x-single-line: no line breaks or tabs); like every required text (minLength 1) it must
# hold more than whitespace (U+3000 included). Checked after the schema, in check_text below.
_SHORT = {"type": "string", "minLength": 1, "maxLength": 200, "x-single-line": True}
_NAME = {"type": "string", "minLength": 1, "maxLength": 64, "x-single-line": True}
# Where the contract says digits it means ASCII 0-9 (chalicelib.domain.formats).
_CITY = {"type": "string", "pattern": DIVISION_CODE_PATTERN}
_MOBILE = {"type": "string", "minLength": 11, "maxLength": 11, "pattern": MOBILE_PATTERN}
_ID_NUMBER = {"type": "string", "minLength": 5, "maxLength": 32, "pattern": ID_NUMBER_PATTERN}
_MONTH = {"type": "string", "pattern": "^[0-9]{4}-(0[1-9]|1[0-2])$"}

SCHEMAS: dict[str, dict[str, Any]] = {
    "apply": {
        "type": "object",
        "required": ["matter_id", "receiving_office_id", "applicant", "materials", "delivery"],
        "additionalProperties": False,
        "properties": {
            "matter_id": {"type": "string", "minLength": 1, "maxLength": 64},
            "receiving_office_id": {"type": "string", "minLength": 1, "maxLength": 64},
            "applicant": {
                "type": "object",
                "required": ["name", "id_type", "id_number", "phone"],
                "additionalProperties": False,
                "properties": {
                    "name": _NAME,
                    "id_type": {"enum": ["RESIDENT_ID", "HK_MACAO_PERMIT", "TAIWAN_PERMIT", "PASSPORT",
                                         "FOREIGN_PERMANENT_RESIDENT_ID"]},
                    "id_number": _ID_NUMBER,
                    "phone": _MOBILE,
                    "district": _CITY,
                },
            },
            "materials": {
                "type": "array",
                "maxItems": 50,
                "items": {
                    "type": "object",
                    "required": ["name"],
                    "additionalProperties": False,
                    "properties": {"name": _SHORT, "provided": {"type": "boolean"}},
                },
            },
            "delivery": {
                "type": "object",
                "required": ["method"],
                "additionalProperties": False,
                "properties": {
                    "method": {"enum": ["MAIL", "PICKUP_RECEIVING", "PICKUP_HANDLING", "ELECTRONIC"]},
                    "address": {
                        "type": "object",
                        "required": ["city", "detail", "recipient", "phone"],
                        "additionalProperties": False,
                        "properties": {
                            "city": _CITY,
                            "district": _CITY,
                            "detail": {"type": "string", "minLength": 1, "maxLength": 500},
                            "recipient": _NAME,
                            "phone": _MOBILE,
                            "postcode": {"type": "string", "maxLength": 10},
                        },
                    },
                },
            },
            # 授权: the materials the applicant lets the office read from the licence library (免提交), and
            # whether the matter's approval rule (秒批) may read its records (e.g. social-insurance months).
            "licence_authorization": {
                "type": "object",
                "additionalProperties": False,
                "properties": {
                    "materials": {"type": "array", "maxItems": 20, "items": _SHORT},
                    "records": {"type": "boolean"},
                },
            },
            "requested_period": {
                "type": "object",
                "required": ["from", "to"],
                "additionalProperties": False,
                "properties": {"from": _MONTH, "to": _MONTH},
            },
        },
    },
    "licences": {
        "type": "object",
        "required": ["materials"],
        "additionalProperties": False,
        "properties": {"materials": {"type": "array", "minItems": 1, "maxItems": 20, "items": _SHORT}},
    },
    "receive": {
        "type": "object",
        "additionalProperties": False,
        "properties": {"missing": {"type": "array", "maxItems": 50, "items": _SHORT}, "note": _TEXT},
    },
    "reason": {
        "type": "object",
        "required": ["reason"],
        "additionalProperties": False,
        "properties": {"reason": {"type": "string", "minLength": 1, "maxLength": 2000}, "note": _TEXT},
    },
    "note": {"type": "object", "additionalProperties": False, "properties": {"note": _TEXT}},
    # 加急: an urgent case travels alone instead of in the day's consolidated parcel (合包).
    "forward": {"type": "object", "additionalProperties": False,
                "properties": {"note": _TEXT, "urgent": {"type": "boolean"}}},
    # 签收 against a parcel's handover list: the cases named, or (without case_nos) every case not checked yet.
    "parcel_sign": {"type": "object", "additionalProperties": False, "properties": {
        "case_nos": {"type": "array", "minItems": 1, "maxItems": 400,
                     "items": {"type": "string", "pattern": CASE_NUMBER_PATTERN}},
        "note": _TEXT}},
    # 缺件: a case on the handover list whose materials are not in the parcel.
    "parcel_missing": {"type": "object", "required": ["case_no"], "additionalProperties": False, "properties": {
        "case_no": {"type": "string", "pattern": CASE_NUMBER_PATTERN}, "note": _TEXT}},
    "supplement": {
        "type": "object",
        "required": ["material"],
        "additionalProperties": False,
        "properties": {"material": _SHORT, "note": _TEXT},
    },
    "decide": {
        "type": "object",
        "required": ["approved"],
        "additionalProperties": False,
        "properties": {"approved": {"type": "boolean"}, "note": _TEXT},
    },
    "reship": {
        "type": "object",
        "additionalProperties": False,
        "properties": {"waybill": {"type": "string", "pattern": "^[A-Za-z0-9-]{4,64}$"}, "note": _TEXT},
    },
    # Couriers add fields of their own; only these three are read.
    "courier_event": {
        "type": "object",
        "required": ["waybill", "event", "at"],
        "properties": {
            "waybill": {"type": "string", "pattern": "^[A-Za-z0-9-]{4,64}$"},
            "event": {"enum": ["CREATED", "PICKED_UP", "IN_TRANSIT", "DELIVERED", "EXCEPTION",
                               "RETURNED_TO_SENDER"]},
            "at": {"type": "string", "minLength": 10, "maxLength": 40},
        },
    },
    "claim": {
        "type": "object",
        "required": ["query_code", "id_number"],
        "additionalProperties": False,
        "properties": {"query_code": {"type": "string", "pattern": QUERY_CODE_PATTERN},
                       "id_number": _ID_NUMBER},
    },
    # ---------------------------------------------------------------- reviews and tickets
    "review": {
        "type": "object",
        "required": ["stage", "rating"],
        "additionalProperties": False,
        "properties": {
            "stage": {"enum": ["receiving", "handling"]},
            "rating": {"type": "integer", "minimum": 1, "maximum": 5},
            "tags": {"type": "array", "maxItems": 10, "items": {"type": "string", "minLength": 1, "maxLength": 50,
                                                             "x-single-line": True}},
            "comment": _TEXT,
        },
    },
    "follow_up": {
        "type": "object",
        "required": ["comment"],
        "additionalProperties": False,
        "properties": {"comment": {"type": "string", "minLength": 1, "maxLength": 2000}},
    },
    "verify": {
        "type": "object",
        "required": ["valid", "finding"],
        "additionalProperties": False,
        "properties": {"valid": {"type": "boolean"}, "finding": {"type": "string", "minLength": 1, "maxLength": 2000}},
    },
    "rectify": {
        "type": "object",
        "required": ["actions"],
        "additionalProperties": False,
        "properties": {"actions": {"type": "string", "minLength": 1, "maxLength": 2000}},
    },
    "feedback": {
        "type": "object",
        "required": ["contacted"],
        "additionalProperties": False,
        "properties": {"contacted": {"type": "boolean"}, "satisfied": {"type": "boolean"}, "note": _TEXT},
    },
    "appeal": {
        "type": "object",
        "required": ["grounds"],
        "additionalProperties": False,
        "properties": {"grounds": {"type": "string", "minLength": 1, "maxLength": 2000}},
    },
    "appeal_decision": {
        "type": "object",
        "required": ["upheld", "note"],
        "additionalProperties": False,
        "properties": {"upheld": {"type": "boolean"}, "note": {"type": "string", "minLength": 1, "maxLength": 2000}},
    },
}

_validators: dict[str, Callable[[Any], Any]] = {}
MAX_DEPTH = 16  # the deepest request schema nests 4 levels


def validator(name: str) -> Callable[[Any], Any]:
    if name not in _validators:
        _validators[name] = fastjsonschema.compile(SCHEMAS[name])
    return _validators[name]


def _field(err: fastjsonschema.JsonSchemaValueException) -> str:
    path = [str(p) for p in (err.path or [])][1:]  # drop the leading "data"
    if err.rule == "required" and isinstance(err.value, dict):
        missing = [k for k in err.rule_definition or [] if k not in err.value]
        if missing:
            path.append(str(missing[0]))
    if err.rule == "additionalProperties" and isinstance(err.value, dict):
        allowed = set((err.definition or {}).get("properties", {}))
        extra = [k for k in err.value if k not in allowed]
        if extra:
            path.append(str(extra[0]))
    out = ""
    for part in path:
        out += f"[{part}]" if matches(UNSIGNED, part) else (f".{part}" if out else part)
    return out or "body"


def _message(err: fastjsonschema.JsonSchemaValueException) -> str:
    if err.rule == "required":
        return "is required"
    if err.rule == "additionalProperties":
        return "is not an allowed field"
    text = str(err.message)
    return text.split(" ", 1)[1] if text.startswith("data") and " " in text else text


def parse_body(raw: bytes | None, schema: str, max_bytes: int, optional: bool = False) -> dict[str, Any]:
    """Decode, parse and validate a JSON body. Every failure names the field (400) or is 413 when too big."""
    raw = raw or b""
    if len(raw) > max_bytes:
        raise PayloadTooLarge(f"body is larger than {max_bytes} bytes")
    if not raw.strip():
        if optional:
            raw = b"{}"
        else:
            raise InvalidInput("body", "a JSON object is required")
    try:
        data = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise InvalidInput("body", "is not valid UTF-8") from None
    except RecursionError:
        raise InvalidInput("body", f"is nested deeper than {MAX_DEPTH} levels") from None
    except ValueError:  # not JSON, or a number too long to convert (over 4,300 digits)
        raise InvalidInput("body", "is not valid JSON") from None
    if not isinstance(data, dict):
        raise InvalidInput("body", "must be a JSON object")
    _reject_control_characters(data, "")  # first: field names are echoed in the schema errors below
    try:
        validator(schema)(data)
    except fastjsonschema.JsonSchemaValueException as err:
        raise InvalidInput(_field(err), _message(err)) from None
    check_text(data, SCHEMAS[schema], "")
    return data


# C0 and C1 controls (but line feed, carriage return and tab), zero-width characters and the bidirectional
# controls (U+202A–202E embeddings and overrides, U+2066–2069 isolates, and the marks): invisible in a name,
# note or reason, they make one text look like another (張三 with a zero-width space is another person to a
# machine and the same to a clerk) or reorder what a reader sees ("‮gpj.exe").
_INVISIBLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2060-\u2064"
                        "\u2066-\u2069\ufeff]")
_LINE_BREAK = re.compile("[\n\r\t]")


def has_invisible_characters(text: str) -> bool:
    return _INVISIBLE.search(text) is not None


def check_text(value: Any, schema: dict[str, Any], path: str) -> None:
    """What JSON Schema cannot say portably: a required text (minLength ≥ 1) is not only whitespace, and a
    name (x-single-line) has no line breaks. The error names the field."""
    if isinstance(value, str):
        if schema.get("minLength", 0) >= 1 and not value.strip():  # str.strip knows U+3000 and friends
            raise InvalidInput(path or "body", "must not be blank")
        if schema.get("x-single-line") and _LINE_BREAK.search(value):
            raise InvalidInput(path or "body", "must be a single line")
    elif isinstance(value, dict):
        for key, item in value.items():
            sub_schema = schema.get("properties", {}).get(key)
            if sub_schema is not None:
                check_text(item, sub_schema, f"{path}.{key}" if path else key)
    elif isinstance(value, list) and isinstance(schema.get("items"), dict):
        for i, item in enumerate(value):
            check_text(item, schema["items"], f"{path}[{i}]")


_SURROGATE = re.compile("[\ud800-\udfff]")  # a \uD800 escape parses, but is no character


def _has_surrogates(text: str) -> bool:
    return _SURROGATE.search(text) is not None


def _reject_control_characters(value: Any, path: str, depth: int = 0) -> None:
    if depth > MAX_DEPTH:
        raise InvalidInput(path or "body", f"is nested deeper than {MAX_DEPTH} levels")
    if isinstance(value, str):
        if has_invisible_characters(value):
            raise InvalidInput(path or "body", "contains control, zero-width or bidirectional-override characters")
        if _has_surrogates(value):
            raise InvalidInput(path or "body", "is not valid Unicode (unpaired surrogate)")
    elif isinstance(value, dict):
        for key, item in value.items():
            if has_invisible_characters(key) or _has_surrogates(key):  # not echoed: the name is the problem
                raise InvalidInput(path or "body", "has a field name with control characters or invalid Unicode")
            _reject_control_characters(item, f"{path}.{key}" if path else str(key), depth + 1)
    elif isinstance(value, list):
        for i, item in enumerate(value):
            _reject_control_characters(item, f"{path}[{i}]", depth + 1)
