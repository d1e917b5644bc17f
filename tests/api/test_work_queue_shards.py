"""The office work queues are write-sharded indexes (chalicelib/adapters/case_repository.py): a page merges
every shard of the office's index in ``created_at#case_no`` order and reads the cases by key. Paging through
a queue spread over every shard lists each case once, oldest first, with or without a status filter, and
the cursors stay the signed ones of ``RequestReader.cursor``."""
from __future__ import annotations

import pytest

from tests.support import apply_case, call, staff

pytestmark = pytest.mark.emulator  # on moto: the work queues' shards are the DynamoDB adapter's keys


def _page_through(client, path: str, hdrs: dict[str, str]) -> tuple[list[str], int]:
    seen: list[str] = []
    pages = 0
    cursor = None
    while True:
        status, page = call(client, "GET", path + (f"&cursor={cursor}" if cursor else ""), hdrs)
        assert status == 200, page
        pages += 1
        seen += [item["case_no"] for item in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            return seen, pages
        assert "." in cursor  # signed (payload.mac), never a raw position
        assert pages < 100


@pytest.fixture
def spread(client):
    """Cases at the Shenzhen window until every shard of its queue index holds at least two."""
    from chalicelib.adapters.case_repository import queue_partition
    from chalicelib.config import settings

    shards = settings().queue_shards
    cases: list[dict] = []
    per_shard: dict[str, int] = {}
    n = 0
    while len(per_shard) < shards or min(per_shard.values()) < 2:
        case = apply_case(client, f"q{n}", id_seed=n)
        cases.append(case)
        part = queue_partition("SZ-GOV", case["case_no"])
        per_shard[part] = per_shard.get(part, 0) + 1
        n += 1
        assert n < 60
    assert set(per_shard) == {f"SZ-GOV#{s}" for s in range(shards)}
    return cases


def test_paging_through_a_queue_over_every_shard_lists_each_case_once_oldest_first(client, spread):
    for limit in (1, 3, 7, 50):
        seen, pages = _page_through(client, f"/offices/SZ-GOV/cases?limit={limit}", staff("SZ-GOV"))
        assert sorted(seen) == sorted(c["case_no"] for c in spread), limit
        assert len(seen) == len(set(seen))
        # Oldest first: created in number order here (one process hands out the numbers in order).
        assert seen == sorted(seen), limit
        assert pages >= len(spread) // limit


def test_a_status_filter_pages_exactly_the_matching_cases_across_shards(client, spread):
    received = [c["case_no"] for c in spread[::3]]
    for case_no in received:
        status, data = call(client, "POST", f"/cases/{case_no}/receive", staff("SZ-GOV"), {})
        assert status == 200, data
    seen, _ = _page_through(client, "/offices/SZ-GOV/cases?limit=2&status=RECEIVED", staff("SZ-GOV"))
    assert seen == sorted(received)
    seen, _ = _page_through(client, "/offices/SZ-GOV/cases?limit=4&status=SUBMITTED", staff("SZ-GOV"))
    assert seen == sorted(set(c["case_no"] for c in spread) - set(received))
    # Another office's queue holds none of them.
    seen, _ = _page_through(client, "/offices/DG-GOV/cases?limit=5", staff("DG-GOV"))
    assert not set(seen) & {c["case_no"] for c in spread}


def test_paging_reviews_over_every_shard_and_city_lists_each_once_newest_first(client):
    """The review listing indexes are sharded the same way (``{office}#{shard}`` / ``{city}#{shard}``)."""
    from chalicelib.adapters.review_repository import review_shard
    from chalicelib.config import settings
    from chalicelib.domain.actor import Actor
    from chalicelib.domain.workdays import utcnow
    from tests.review_support import received
    from tests.support import submit_review, supervisor

    shards = settings().review_shards
    reviewed: list[str] = []
    seen_shards: set[int] = set()
    n = 0
    while len(seen_shards) < shards or len(reviewed) < 2 * shards:
        office = ("SZ-GOV", "ZH-GOV")[n % 2]
        case = received(at=utcnow(), sub=f"r{n}", office_id=office)
        bad = {"tags": ["态度差"], "comment": "慢"} if n % 5 < 2 else {}
        submit_review(Actor(f"r{n}", "citizen"), case.case_no, {"stage": "receiving", "rating": 1 + n % 5, **bad})
        reviewed.append(case.case_no)
        seen_shards.add(review_shard(case.case_no, "receiving"))
        n += 1
        assert n < 60
    for limit in (1, 3, 50):
        seen, _ = _page_through(client, f"/reviews?limit={limit}", supervisor("440000"))
        assert sorted(seen) == sorted(reviewed), limit
        assert len(seen) == len(set(seen))
    city, _ = _page_through(client, "/reviews?limit=2", supervisor("440300"))
    assert sorted(city) == sorted(reviewed[0::2])
    bad, _ = _page_through(client, "/reviews?limit=2&bad=true", supervisor("440000"))
    assert sorted(bad) == sorted(no for i, no in enumerate(reviewed) if i % 5 < 2)
