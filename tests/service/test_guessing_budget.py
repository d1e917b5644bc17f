"""The query-code guessing budget shared by tracking (GET /track) and claiming (POST /cases/{no}/claim).

Before: the budget was per case and per address, so one address had 10 guesses on EACH of many case numbers,
anyone could close a case's tracking for an hour, counters lived for ever, any string was stored as a counter
key, and a blocked caller went on writing. Now: one budget per caller across every case; a blocked caller is
refused before anything is read or written; malformed case numbers are refused first; counters expire (TTL);
the signed-in applicant is never stopped by a stranger's guesses; the right code is read consistently.

The budget's rules run on the in-memory unit of work (tests/fakes.py, its counters held to DynamoDB's by
tests/contract). Two tests stay on moto (``aws``) because they check what the DynamoDB adapter writes and
reads: the counters' expiry instant in the table's TTL attribute, and the strongly consistent read of the
case's code (the fake has no eventual consistency to get wrong).
"""
from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from chalicelib.adapters.models import CounterRecord
from chalicelib.adapters.tables import ttl_attribute
from chalicelib.domain.errors import InvalidInput, NotFound, TooManyRequests
from chalicelib.services import citizen_cases, queries
from tests.review_support import citizen_actor, staff_actor
from tests.support import application, service_apply

NOW = datetime(2026, 12, 1, 8, 30, tzinfo=UTC)


def _wrong(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


def _guess_counters() -> dict[str, CounterRecord]:
    return {c.counter_id: c for c in CounterRecord.scan() if c.counter_id.startswith("guess#")}


def _guesses(db: Any) -> dict[str, int]:
    return {counter: value for counter, value in db.counters.items() if counter.startswith("guess#")}


def test_one_caller_has_one_budget_across_every_case(fake):
    cases = [service_apply(citizen_actor(f"c{i}"), application(id_seed=i))[0] for i in range(12)]
    for case in cases[:queries.TRACK_FAILURES_PER_CALLER]:  # one wrong guess on each of ten cases
        with pytest.raises(NotFound):
            queries.track(case.case_no, _wrong(case.query_code), caller="203.0.113.9", now=NOW)
    with pytest.raises(TooManyRequests):  # a case it never tried, even with the right code
        queries.track(cases[10].case_no, cases[10].query_code, caller="203.0.113.9", now=NOW)
    with pytest.raises(TooManyRequests):  # an unknown case number too: no oracle past the budget
        queries.track("KC4403002026120199999", "123456", caller="203.0.113.9", now=NOW)
    assert queries.track(cases[11].case_no, cases[11].query_code, caller="198.51.100.7", now=NOW)[0].case_no


def test_a_blocked_caller_is_no_longer_counted(fake):
    case, _ = service_apply(citizen_actor(), application())
    for _ in range(queries.TRACK_FAILURES_PER_CALLER):
        with pytest.raises(NotFound):
            queries.track(case.case_no, _wrong(case.query_code), caller="203.0.113.9", now=NOW)
    before = _guesses(fake)
    for _ in range(50):
        with pytest.raises(TooManyRequests):
            queries.track(case.case_no, _wrong(case.query_code), caller="203.0.113.9", now=NOW)
    assert _guesses(fake) == before
    assert sorted(before.values()) == [10, 10]  # the caller's and the case's, nothing more


@pytest.mark.parametrize("case_no", ["x", "KC" + "9" * 500, "KC４４０３００２０２６１２０１０００１７", "../../etc",
                                     "KC4403002026120100017\n"])
def test_a_malformed_case_number_is_refused_before_anything_is_written(fake, case_no):
    with pytest.raises(InvalidInput) as err:
        queries.track(case_no, "123456", caller="203.0.113.9", now=NOW)
    assert err.value.field == "case_no"
    assert _guesses(fake) == {}


def test_an_unknown_case_counts_against_the_caller_only(fake):
    with pytest.raises(NotFound):
        queries.track("KC4403002026120199999", "123456", caller="203.0.113.9", now=NOW)
    assert [k.split("#")[1] for k in _guesses(fake)] == ["caller"]


def test_guessing_counters_expire(aws):
    case, _ = service_apply(citizen_actor(), application())
    with pytest.raises(NotFound):
        queries.track(case.case_no, _wrong(case.query_code), caller="203.0.113.9", now=NOW)
    counters = _guess_counters()
    assert len(counters) == 2
    for counter in counters.values():  # the hour's window, then an hour's grace: deleted by DynamoDB's TTL
        assert counter.expires_at == int(datetime(2026, 12, 1, 10, 0, tzinfo=UTC).timestamp())
    assert ttl_attribute(CounterRecord) == "expires_at"
    assert "203.0.113.9" not in "".join(counters)  # the address is not stored in the clear
    # The next hour is a fresh window.
    later = NOW.replace(hour=9)
    for _ in range(queries.TRACK_FAILURES_PER_CALLER):
        with pytest.raises(NotFound):
            queries.track(case.case_no, _wrong(case.query_code), caller="203.0.113.9", now=later)


def test_a_crowd_closes_anonymous_tracking_but_never_stops_the_applicant(fake):
    case, _ = service_apply(citizen_actor("alice"), application())
    wrong = _wrong(case.query_code)
    for i in range(queries.TRACK_FAILURES_PER_CASE):
        with pytest.raises(NotFound):
            queries.track(case.case_no, wrong, caller=f"192.0.2.{i}", now=NOW)
    with pytest.raises(TooManyRequests):  # the crowd closed the case's anonymous tracking for the hour
        queries.track(case.case_no, case.query_code, caller="198.51.100.7", now=NOW)
    # The applicant, signed in, reads everything on the authenticated routes, which count nothing.
    assert queries.case_for(citizen_actor("alice"), case.case_no).query_code == case.query_code
    assert queries.timeline_for(citizen_actor("alice"), case.case_no)
    assert [c.case_no for c in citizen_cases.my_cases(citizen_actor("alice"), 10, None)[0]] == [case.case_no]


def test_a_claimant_is_not_stopped_by_a_crowd_once_the_case_is_theirs(fake):
    body = application(id_seed=7)
    case, _ = service_apply(staff_actor("SZ-GOV"), body)
    id_number = body["applicant"]["id_number"]
    assert citizen_cases.claim(citizen_actor("bob"), case.case_no, case.query_code, id_number,
                               caller="198.51.100.7", now=NOW)[1] is True
    for i in range(queries.TRACK_FAILURES_PER_CASE):
        with pytest.raises(NotFound):
            queries.track(case.case_no, _wrong(case.query_code), caller=f"192.0.2.{i}", now=NOW)
    # Claiming again (it is theirs) is not refused, and the case is theirs to read.
    assert citizen_cases.claim(citizen_actor("bob"), case.case_no, case.query_code, id_number,
                               caller="198.51.100.7", now=NOW)[1] is False
    assert queries.case_for(citizen_actor("bob"), case.case_no).case_no == case.case_no
    # A stranger with the code and the identity number still waits for the hour (no second way in).
    with pytest.raises(TooManyRequests):
        citizen_cases.claim(citizen_actor("carol"), case.case_no, case.query_code, id_number,
                            caller="198.51.100.8", now=NOW)


def test_the_right_code_is_read_consistently(aws, monkeypatch):
    case, _ = service_apply(citizen_actor(), application())
    seen: list[bool] = []
    from chalicelib.adapters.models import CaseRecord

    real_get = CaseRecord.get.__func__  # type: ignore[attr-defined]

    def spying_get(cls, *args, **kwargs):
        seen.append(bool(kwargs.get("consistent_read")))
        return real_get(cls, *args, **kwargs)

    monkeypatch.setattr(CaseRecord, "get", classmethod(spying_get))
    assert queries.track(case.case_no, case.query_code, caller="198.51.100.7", now=NOW)[0].case_no == case.case_no
    assert seen and all(seen)
