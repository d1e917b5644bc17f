"""Stores and lists the personal-data access log (who read whose contact details, when and why)."""
from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from ..domain.errors import InvalidInput
from ..domain.workdays import cst_date, iso
from ..services.unit_of_work import AccessLog
from .models import AccessLogRecord


def month_of(at: datetime) -> str:
    return f"{cst_date(at):%Y-%m}"


class DynamoAccessLog(AccessLog):
    def record(self, entry: dict[str, Any], at: datetime, entry_id: str) -> dict[str, Any]:
        """Write one entry once (attribute_not_exists); returns it as listed."""
        # Microseconds in the sort key keep reads of the same second in the order they happened.
        stamp = f"{at.astimezone(UTC):%Y-%m-%dT%H:%M:%S.%f}"
        rec = AccessLogRecord(month=month_of(at), entry_key=f"{stamp}#{entry_id}", at=iso(at), **entry)
        rec.save(condition=AccessLogRecord.entry_key.does_not_exist())
        return entry_view(rec)

    def month(self, month: str, limit: int,
                   start: dict[str, Any] | None) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
        """A month's entries, newest first."""
        result = AccessLogRecord.query(month, scan_index_forward=False, limit=limit, last_evaluated_key=start)
        items = [entry_view(r) for r in result]
        return items, result.last_evaluated_key


def entry_view(rec: AccessLogRecord) -> dict[str, Any]:
    return {
        "entry_id": rec.entry_key.rsplit("#", 1)[-1], "at": rec.at, "reader_sub": rec.reader_sub,
        "reader_name": rec.reader_name or "", "reader_role": rec.reader_role, "reader_city": rec.reader_city,
        "what": rec.what, "ticket_id": rec.ticket_id, "case_no": rec.case_no, "reason": rec.reason,
    }


def check_month_cursor(cursor: Any, month: str) -> dict[str, Any] | None:
    """A cursor must be one this API issued for this very month."""
    if cursor is None:
        return None
    if (not isinstance(cursor, dict) or set(cursor) != {"month", "entry_key"}
            or not all(isinstance(v, dict) and set(v) == {"S"} and isinstance(v["S"], str) for v in cursor.values())
            or cursor["month"]["S"] != month):
        raise InvalidInput("cursor", "is not a cursor this API issued for this listing")
    return cursor
