"""Review statistics (GB/T 39735 indicators) as pure rules.

Counters per office and CST day of the review; every change adds the difference between what the review
(with its ticket) contributed before and after (``contribution``), so figures are exact however they are
sliced, and an upheld appeal simply contributes nothing.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .reviews import Review, is_good
from .tickets import Ticket, TicketStatus

COUNTERS = ("reviews", "good", "bad", "defaults", "tickets", "replied", "valid", "explained", "rectified",
            "finished", "on_time", "contacted", "satisfied", "excluded")


def contribution(review: Review | None, ticket: Ticket | None = None) -> dict[str, int]:
    """What one review (and its ticket) adds to its office's counters for the review's day."""
    out = dict.fromkeys(COUNTERS, 0)
    if review is None:
        return out
    if review.excluded or (ticket is not None and ticket.excluded):
        out["excluded"] = 1
        return out
    out["reviews"] = 1
    out["good"] = int(is_good(review.rating) and not review.default)  # a default is nobody's opinion
    out["bad"] = int(review.bad)
    out["defaults"] = int(review.default)
    if ticket is not None:
        out["tickets"] = 1
        out["replied"] = int(ticket.status is not TicketStatus.OPEN)
        out["valid"] = int(ticket.valid is True)
        out["explained"] = int(ticket.status is TicketStatus.EXPLAINED)
        out["rectified"] = int(ticket.status in (TicketStatus.RECTIFIED, TicketStatus.CLOSED))
        out["finished"] = int(ticket.on_time is not None)
        out["on_time"] = int(ticket.on_time is True)
        out["contacted"] = int(ticket.contacted is True)
        out["satisfied"] = int(ticket.satisfied is True)
    return out


def delta(before: Mapping[str, int], after: Mapping[str, int]) -> dict[str, int]:
    return {k: after.get(k, 0) - before.get(k, 0) for k in COUNTERS if after.get(k, 0) != before.get(k, 0)}


def _rate(num: int, den: int) -> float | None:
    return round(num / den, 4) if den else None


def figures(counts: Mapping[str, int]) -> dict[str, Any]:
    """The indicators of GB/T 39735 from the counters: every rate is None when its denominator is zero."""
    c = {k: int(counts.get(k, 0)) for k in COUNTERS}
    active = c["reviews"] - c["defaults"]
    return {
        "reviews": c["reviews"],
        "active_reviews": active,
        "good_reviews": c["good"],
        "bad_reviews": c["bad"],
        "default_reviews": c["defaults"],
        "excluded_reviews": c["excluded"],
        "tickets": c["tickets"],
        # 好评率 and 差评率 count the applicants' own ratings only; default ratings count in 未评率 alone.
        "good_rate": _rate(c["good"], active),
        "active_good_rate": _rate(c["good"], active),
        "bad_rate": _rate(c["bad"], active),
        "unrated_rate": _rate(c["defaults"], c["reviews"]),
        "reply_rate": _rate(c["replied"], c["bad"]),
        "rectification_rate": _rate(c["rectified"], c["valid"]),
        "on_time_rate": _rate(c["on_time"], c["finished"]),
        "satisfaction_rate": _rate(c["satisfied"], c["contacted"]),
        "counts": c,
    }
