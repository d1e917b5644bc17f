"""Consolidated parcels (合包) without a hot key (chalicelib/adapters/parcel_repository.py): an office's
parcel listings are write-sharded keys-only indexes, paged exactly across every shard, newest collection
first, with or without a status filter; a parcel's handover list is kept on sheets, so a case joining writes
its own sheet and never the parcel's header, and the whole list still reads back in joining order."""
from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from tests.support import call, staff

pytestmark = pytest.mark.emulator  # on moto: the parcels' shards are the DynamoDB adapter's keys


def _page_through(client, path: str, hdrs: dict[str, str]) -> tuple[list[str], int]:
    seen: list[str] = []
    pages = 0
    cursor = None
    while True:
        sep = "&" if "?" in path else "?"
        status, page = call(client, "GET", path + (f"{sep}cursor={cursor}" if cursor else ""), hdrs)
        assert status == 200, page
        pages += 1
        seen += [item["parcel_id"] for item in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            return seen, pages
        assert "." in cursor  # signed (payload.mac), never a raw position
        assert pages < 200


def _parcel(from_office: str, to_office: str, day: date, sealed: bool, cases: int) -> object:
    from chalicelib.adapters.reference_store import catalogue
    from chalicelib.domain.parcels import open_parcel
    from chalicelib.domain.shipping import LegKind

    cat = catalogue()
    at = datetime.combine(day, datetime.min.time(), tzinfo=UTC)
    parcel = open_parcel(LegKind.MATERIALS, cat.office(from_office), to_office, at, day=day)
    for n in range(cases):
        parcel.join(f"KC440300{day:%Y%m%d}{n + 1:05d}", at + timedelta(seconds=n))
    if sealed:
        parcel.seal(at + timedelta(hours=9), waybill=f"EMS{day:%Y%m%d}{from_office[:2]}",
                    route=cat.route_between(from_office, to_office))
    return parcel


@pytest.fixture
def spread(aws):
    """Outgoing parcels of SZ-GOV (to two offices, a third sealed) until every shard of its listing index holds
    at least two, and a few incoming ones."""
    from chalicelib.adapters.parcel_repository import list_partition
    from chalicelib.bootstrap import unit_of_work
    from chalicelib.config import settings

    shards = settings().queue_shards
    outgoing, incoming = [], []
    per_shard: dict[str, int] = {}
    n = 0
    while len(per_shard) < shards or min(per_shard.values()) < 2:
        parcel = _parcel("SZ-GOV", ("DG-GOV", "ZH-GOV")[n % 2], date(2026, 3, 2) + timedelta(days=n // 2),
                         sealed=n % 3 == 0, cases=1 + n % 3)
        outgoing.append(parcel)
        part = list_partition("SZ-GOV", parcel.parcel_id)  # type: ignore[attr-defined]
        per_shard[part] = per_shard.get(part, 0) + 1
        n += 1
        assert n < 80
    for k in range(3):
        incoming.append(_parcel("DG-GOV", "SZ-GOV", date(2026, 3, 2) + timedelta(days=k), sealed=True, cases=1))
    for parcel in outgoing + incoming:
        with unit_of_work() as uow:
            uow.parcels.add(parcel)
            uow.commit()
    return outgoing, incoming


def _newest_first(parcels: list) -> list[str]:
    return [p.parcel_id for p in sorted(parcels, key=lambda p: (p.collection_day, p.parcel_id), reverse=True)]


def test_paging_an_office_s_parcels_over_every_shard_lists_each_once_newest_first(client, spread):
    outgoing, incoming = spread
    for limit in (1, 3, 7, 50):
        seen, pages = _page_through(client, f"/offices/SZ-GOV/parcels?limit={limit}", staff("SZ-GOV"))
        assert seen == _newest_first(outgoing) + _newest_first(incoming), limit
        assert pages >= (len(outgoing) + len(incoming)) // limit
    seen, _ = _page_through(client, "/offices/SZ-GOV/parcels?direction=incoming&limit=2", staff("SZ-GOV"))
    assert seen == _newest_first(incoming)
    # The summaries count the handover lists kept on the parcels' sheets.
    status, page = call(client, "GET", "/offices/SZ-GOV/parcels?direction=outgoing&limit=50", staff("SZ-GOV"))
    assert status == 200, page
    counts = {p["parcel_id"]: p["case_count"] for p in page["items"]}
    assert counts == {p.parcel_id: len(p.items) for p in outgoing}


def test_a_status_filter_pages_exactly_the_matching_parcels_across_shards(client, spread):
    outgoing, _ = spread
    for limit in (1, 2, 5):
        seen, _ = _page_through(client, f"/offices/SZ-GOV/parcels?direction=outgoing&status=SEALED&limit={limit}",
                                staff("SZ-GOV"))
        assert seen == _newest_first([p for p in outgoing if p.status.value == "SEALED"]), limit
    seen, _ = _page_through(client, "/offices/SZ-GOV/parcels?direction=outgoing&status=OPEN&limit=3", staff("SZ-GOV"))
    assert seen == _newest_first([p for p in outgoing if p.status.value == "OPEN"])
    # The other office sees its own side only.
    seen, _ = _page_through(client, "/offices/DG-GOV/parcels?direction=incoming&limit=4", staff("DG-GOV"))
    assert seen == _newest_first([p for p in outgoing if p.to_office_id == "DG-GOV"])


def test_a_cursor_position_this_api_did_not_write_is_refused(spread):
    """Cursors are signed (``RequestReader.cursor``); the repository still checks the position's shape."""
    from chalicelib.bootstrap import unit_of_work
    from chalicelib.domain.errors import InvalidInput

    for forged in ({"i": 0, "k": "not-a-day#M-X"}, {"i": 0, "k": "2026-03-02#M-SZ GOV"}, {"i": 5, "k": None},
                   {"i": 0, "k": 7}, {"i": 0, "k": "2026-03-02#M-SZ-GOV", "x": 1}, {"i": "0", "k": None}):
        with pytest.raises(InvalidInput) as err:
            unit_of_work().parcels.of_office("SZ-GOV", None, None, 5, forged)
        assert err.value.field == "cursor", forged


def test_a_case_joining_writes_its_own_sheet_and_the_header_only_for_a_new_sheet(aws, consolidated):
    """The day's parcel of a pair takes every case forwarded for its collection: each join writes the case's
    sheet of the handover list, and the header only when that sheet is new (at most PARCEL_SHEETS times a
    parcel, whatever it holds); sealing closes the header and every sheet it names, and a case arriving after
    it (in a sheet that exists or one that does not yet) goes to the next collection."""
    from chalicelib.adapters.models import ParcelRecord
    from chalicelib.adapters.parcel_repository import sheet_id, sheet_of
    from chalicelib.adapters.reference_store import catalogue
    from chalicelib.bootstrap import unit_of_work
    from chalicelib.config import settings
    from chalicelib.domain.shipping import LegKind
    from chalicelib.services import parcels

    origin, at = catalogue().office("SZ-GOV"), datetime(2026, 3, 2, 1, 0, tzinfo=UTC)
    joined = [f"KC4403002026030200{n:03d}" for n in range(40)]
    for n, case_no in enumerate(joined):
        with unit_of_work() as uow:
            parcel = parcels.join_parcel(uow, LegKind.MATERIALS, origin, "DG-GOV", case_no,
                                         at + timedelta(seconds=n))
            uow.commit()
    parcel_id = parcel.parcel_id
    used = {sheet_of(c) for c in joined}
    assert len(used) < len(joined)
    header = ParcelRecord.get(parcel_id, consistent_read=True)
    assert header.version == len(used) and "items" not in header.body  # opened, then one write a new sheet
    assert header.body["sheets"] == sorted(used)
    sheets = {s: ParcelRecord.get(sheet_id(parcel_id, s), consistent_read=True) for s in used}
    assert sum(len(r.body["lines"]) for r in sheets.values()) == len(joined)
    assert all(r.version == len(r.body["lines"]) and r.status == "OPEN" for r in sheets.values())
    with unit_of_work() as uow:
        assert uow.parcels.get(parcel_id).case_nos == joined  # the whole list, in joining order

    parcels.seal_due(at + timedelta(days=30))
    with unit_of_work() as uow:
        sealed = uow.parcels.get(parcel_id)
    assert sealed.status.value == "SEALED" and sealed.case_nos == joined
    assert {ParcelRecord.get(sheet_id(parcel_id, s), consistent_read=True).status for s in used} == {"CLOSED"}
    absent = [s for s in range(settings().parcel_sheets) if s not in used]
    late = [next(c for c in (f"KC4403002026030201{n:03d}" for n in range(1000)) if sheet_of(c) == s)
            for s in [sheet_of(joined[0]), *absent[:1]]]
    for case_no in late:  # into a closed sheet, and into a sheet the sealing never saw
        with unit_of_work() as uow:
            later = parcels.join_parcel(uow, LegKind.MATERIALS, origin, "DG-GOV", case_no, at)
            uow.commit()
        assert later.parcel_id != parcel_id
    with unit_of_work() as uow:
        assert uow.parcels.get(parcel_id).case_nos == joined


def test_a_case_whose_sheet_is_full_goes_to_the_collection_s_second_part(aws, consolidated, monkeypatch):
    """A sheet takes its share of the parcel's MAX_CASES_PER_PARCEL, so the whole list never exceeds it: with
    200 sheets a sheet takes 2 cases, and a third case of the same sheet starts the day's second part."""
    from chalicelib.adapters.parcel_repository import sheet_capacity, sheet_of
    from chalicelib.adapters.reference_store import catalogue
    from chalicelib.bootstrap import unit_of_work
    from chalicelib.config import settings
    from chalicelib.domain.shipping import LegKind
    from chalicelib.services import parcels

    monkeypatch.setenv("PARCEL_SHEETS", "200")
    settings.cache_clear()
    assert sheet_capacity() == 2
    candidates = (f"KC4403002026030200{n:03d}" for n in range(1000))
    first = next(candidates)
    same = [first, *[c for c in candidates if sheet_of(c) == sheet_of(first)][:2]]
    other = next(c for c in (f"KC4403002026030201{n:03d}" for n in range(1000)) if sheet_of(c) != sheet_of(first))
    at = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)
    landed = {}
    for case_no in [*same, other]:
        with unit_of_work() as uow:
            landed[case_no] = parcels.join_parcel(uow, LegKind.MATERIALS, catalogue().office("SZ-GOV"), "DG-GOV",
                                                  case_no, at).parcel_id
            uow.commit()
    day = "M-SZ-GOV-DG-GOV-20260302"
    assert [landed[c] for c in same] == [day, day, f"{day}-2"]
    assert landed[other] == day  # the first part still takes cases of its other sheets
    with unit_of_work() as uow:
        assert uow.parcels.get(day).case_nos == sorted([*same[:2], other])
        assert uow.parcels.get(f"{day}-2").case_nos == [same[2]]
