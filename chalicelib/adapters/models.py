"""PynamoDB models: the one definition of every table, its keys and indexes.

The local stack creates its tables from these classes and the cloud templates are checked against them,
so the code and the cloud cannot drift. Table names follow ``{RESOURCE_PREFIX}-{logical}``.
"""
from __future__ import annotations

import json
from typing import Any, ClassVar

from pynamodb.attributes import (
    BooleanAttribute,
    ListAttribute,
    NumberAttribute,
    UnicodeAttribute,
)
from pynamodb.attributes import JSONAttribute as PynamoJSONAttribute
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex, KeysOnlyProjection
from pynamodb.models import Model

from ..config import settings
from .session import share_one_session

# Every connection of these models (and the transactions', which import them) takes one botocore session
# (adapters/session.py). Here, not in the package: importing the package stays free of botocore, which only
# the functions that reach DynamoDB pay for (docs/PERFORMANCE.md, figure 1).
share_one_session()


class JSONAttribute(PynamoJSONAttribute):
    """JSON in a string attribute, stored compact and in UTF-8: Chinese text as itself (3 bytes a
    character) rather than as ``\\uXXXX`` escapes (6 bytes), which keeps a case under the 1 KB a write unit
    buys. Reads either form."""

    def serialize(self, value: Any) -> Any:
        return None if value is None else json.dumps(value, ensure_ascii=False, separators=(",", ":"))

    def deserialize(self, value: Any) -> Any:
        return json.loads(value, strict=False)


def _meta(logical: str, **extra: Any) -> Any:
    attrs: dict[str, Any] = {
        "table_name": settings().name(logical),
        "region": settings().region,
        "billing_mode": "PAY_PER_REQUEST",
        "max_retry_attempts": 3,
    }
    attrs.update(extra)
    return type("Meta", (), attrs)


class _Index(GlobalSecondaryIndex):  # type: ignore[type-arg]
    class Meta:
        projection = AllProjection()


# ---------------------------------------------------------------- cases


class ByReceivingQueue(_Index):
    """Work queue of a receiving office, write-sharded: partition ``{office_id}#{shard}`` (shard = sha1 of
    the case number mod QUEUE_SHARDS), sort ``queue_order`` = ``created_at#case_no``. No status in the key
    and keys only: a transition rewrites no index entry (the queue reads the cases by key)."""

    class Meta:
        index_name = "by_receiving_queue"
        projection = KeysOnlyProjection()

    receiving_queue = UnicodeAttribute(hash_key=True)
    queue_order = UnicodeAttribute(range_key=True)


class ByHandlingQueue(_Index):
    """Work queue of a handling office, as ``by_receiving_queue``; sparse (a case has a handling office once
    it is routed)."""

    class Meta:
        index_name = "by_handling_queue"
        projection = KeysOnlyProjection()

    handling_queue = UnicodeAttribute(hash_key=True)
    queue_order = UnicodeAttribute(range_key=True)


class ByApplicant(_Index):
    class Meta:
        index_name = "by_applicant"
        projection = KeysOnlyProjection()

    applicant_sub = UnicodeAttribute(hash_key=True)
    created_at = UnicodeAttribute(range_key=True)


class CaseDue(_Index):
    """Sparse index the sweeper queries: only cases with something due carry ``due_shard``."""

    class Meta:
        index_name = "due"
        projection = KeysOnlyProjection()

    due_shard = UnicodeAttribute(hash_key=True)
    due_at = UnicodeAttribute(range_key=True)


class CaseRecord(Model):
    """One case (办件). ``version`` guards every state change (conditional write)."""

    Meta = _meta("cases")
    case_no = UnicodeAttribute(hash_key=True)
    version = NumberAttribute()
    status = UnicodeAttribute()
    query_code = UnicodeAttribute()
    matter_id = UnicodeAttribute()
    receiving_office_id = UnicodeAttribute()
    receiving_city = UnicodeAttribute()
    handling_city = UnicodeAttribute()
    handling_office_id = UnicodeAttribute(null=True)
    receiving_queue = UnicodeAttribute()
    handling_queue = UnicodeAttribute(null=True)
    queue_order = UnicodeAttribute()
    applicant_sub = UnicodeAttribute()
    created_at = UnicodeAttribute()
    updated_at = UnicodeAttribute()
    due_shard = UnicodeAttribute(null=True)
    due_at = UnicodeAttribute(null=True)
    body = JSONAttribute()  # the rest of the case (applicant, materials, delivery, deadlines)

    by_receiving_queue: ClassVar[ByReceivingQueue] = ByReceivingQueue()
    by_handling_queue: ClassVar[ByHandlingQueue] = ByHandlingQueue()
    by_applicant: ClassVar[ByApplicant] = ByApplicant()
    due: ClassVar[CaseDue] = CaseDue()


class _LegacyByReceivingOffice(_Index):
    """The work-queue index before the sharded ones (status in the sort key, ALL projected): read only
    while a stage migrates (QUEUE_MIGRATION=legacy, infra/README.md)."""

    class Meta:
        index_name = "by_receiving_office"
        projection = AllProjection()

    receiving_office_id = UnicodeAttribute(hash_key=True)
    receiving_sort = UnicodeAttribute(range_key=True)


class _LegacyByHandlingOffice(_Index):
    class Meta:
        index_name = "by_handling_office"
        projection = AllProjection()

    handling_office_id = UnicodeAttribute(hash_key=True)
    handling_sort = UnicodeAttribute(range_key=True)


class LegacyCaseRecord(CaseRecord):
    """The same table as ``CaseRecord`` with the old work-queue attributes and indexes, for a stage that
    migrates (not in TABLES: the cloud gets these indexes only while its migration context asks for them)."""

    receiving_sort = UnicodeAttribute(null=True)
    handling_sort = UnicodeAttribute(null=True)

    by_receiving_office: ClassVar[_LegacyByReceivingOffice] = _LegacyByReceivingOffice()
    by_handling_office: ClassVar[_LegacyByHandlingOffice] = _LegacyByHandlingOffice()


class CaseEventRecord(Model):
    """Immutable timeline event; written once (attribute_not_exists), never updated or deleted.

    It is also the case's outbox record: written in the transaction of the change it records, with the few
    fields of the outgoing event the timeline entry does not hold (its type and the case's matter and
    offices), so the relay reads the case's events from this table's stream (adapters/event_records.py) and
    a change writes one event item, not two. Items written before that (no ``event_type``) are timeline
    only; their events went through the outbox table."""

    Meta = _meta("case-events", stream_view_type="NEW_IMAGE")
    case_no = UnicodeAttribute(hash_key=True)
    seq = NumberAttribute(range_key=True)
    event = JSONAttribute()
    event_type = UnicodeAttribute(null=True)
    matter_id = UnicodeAttribute(null=True)
    receiving_office_id = UnicodeAttribute(null=True)
    handling_office_id = UnicodeAttribute(null=True)


class OutboxRecord(Model):
    """Transactional outbox of the events that are not a case's step (a ticket's, a review's, a parcel's,
    an overdue leg's): written in the same transaction as the state change; its stream feeds the relay that
    puts the event on the queues. Items expire after a week (TTL). A case's steps go out through their
    timeline events (``CaseEventRecord``)."""

    Meta = _meta("outbox", stream_view_type="NEW_IMAGE")
    event_id = UnicodeAttribute(hash_key=True)
    event_type = UnicodeAttribute()
    payload = JSONAttribute()
    created_at = UnicodeAttribute()
    expires_at = NumberAttribute()  # TTL attribute


class CounterRecord(Model):
    """Atomic counters (case-number sequences, statistics, and the hourly query-code guessing counters, which
    expire: TTL)."""

    Meta = _meta("counters")
    counter_id = UnicodeAttribute(hash_key=True)
    value = NumberAttribute(default=0)
    expires_at = NumberAttribute(null=True)  # TTL attribute; unset on counters kept for ever


class IdempotencyRecord(Model):
    """POST /cases Idempotency-Key → the case it created; written in the case's creating transaction."""

    Meta = _meta("idempotency")
    key = UnicodeAttribute(hash_key=True)
    case_no = UnicodeAttribute(null=True)
    payload_hash = UnicodeAttribute(null=True)
    expires_at = NumberAttribute(null=True)  # TTL attribute


class ReferenceRecord(Model):
    """Reference data rows (offices, cities, routes, matters, review policies), seeded from data files."""

    Meta = _meta("reference")
    kind = UnicodeAttribute(hash_key=True)
    item_id = UnicodeAttribute(range_key=True)
    data = JSONAttribute()


class NotificationRecord(Model):
    """SMS-style messages to applicants, one per outgoing event (dedupe key), with the text sent."""

    Meta = _meta("notifications")
    case_no = UnicodeAttribute(hash_key=True)
    notification_id = UnicodeAttribute(range_key=True)
    event_type = UnicodeAttribute()
    text = UnicodeAttribute()
    sent_at = UnicodeAttribute()
    channel = UnicodeAttribute()
    delivered = BooleanAttribute(default=True)  # False: claimed by a delivery that has not texted yet
    claim_token = UnicodeAttribute(null=True)
    claimed_at = UnicodeAttribute(null=True)


# ---------------------------------------------------------------- shipments (parcel legs)


class ShipmentsByCase(_Index):
    """Every leg of a case, in the order they were planned (by the case version that planned each). Keys
    only: a leg's tracking events, status and deadlines change no index entry (the readers get the legs by
    key, BatchGetItem). Replaces ``by_case`` (ALL projected), which took a write of the whole leg at every
    change; a projection cannot change in place, hence the new name (infra/README.md)."""

    class Meta:
        index_name = "by_case_keys"
        projection = KeysOnlyProjection()

    case_no = UnicodeAttribute(hash_key=True)
    case_version = NumberAttribute(range_key=True)


class OpenLegs(_Index):
    """Sparse index of legs still on their way (only those carry ``open_shard``): the simulated courier
    and operators find them without a scan."""

    class Meta:
        index_name = "open_legs"
        projection = KeysOnlyProjection()

    open_shard = UnicodeAttribute(hash_key=True)
    created_at = UnicodeAttribute(range_key=True)


class LegsDue(_Index):
    """Sparse index the sweeper queries: open legs not yet marked overdue, by the end of their
    expected-arrival day."""

    class Meta:
        index_name = "legs_due"
        projection = KeysOnlyProjection()

    due_shard = UnicodeAttribute(hash_key=True)
    due_at = UnicodeAttribute(range_key=True)


class ShipmentRecord(Model):
    """One parcel leg (寄递单), keyed by its waybill. ``version`` guards every change (conditional write)."""

    Meta = _meta("shipments")
    waybill = UnicodeAttribute(hash_key=True)
    version = NumberAttribute()
    case_no = UnicodeAttribute()
    case_version = NumberAttribute()
    kind = UnicodeAttribute()
    status = UnicodeAttribute()
    created_at = UnicodeAttribute()
    open_shard = UnicodeAttribute(null=True)
    due_shard = UnicodeAttribute(null=True)
    due_at = UnicodeAttribute(null=True)
    body = JSONAttribute()  # route, addresses, expected arrival, tracking events

    by_case: ClassVar[ShipmentsByCase] = ShipmentsByCase()
    open_legs: ClassVar[OpenLegs] = OpenLegs()
    legs_due: ClassVar[LegsDue] = LegsDue()


class _LegacyShipmentsByCase(_Index):
    """The legs-of-a-case index before ``by_case_keys`` (ALL projected): read only while a stage migrates
    (LEG_INDEX_MIGRATION=legacy, infra/README.md)."""

    class Meta:
        index_name = "by_case"
        projection = AllProjection()

    case_no = UnicodeAttribute(hash_key=True)
    case_version = NumberAttribute(range_key=True)


class LegacyShipmentRecord(ShipmentRecord):
    """The shipments table with its old ``by_case`` index too, for a stage that migrates (not in TABLES)."""

    legacy_by_case: ClassVar[_LegacyShipmentsByCase] = _LegacyShipmentsByCase()


# Every table of the application, in creation order (tables.all_models): each section below adds its own.
TABLES: list[type[Model]] = [
    CaseRecord,
    CaseEventRecord,
    OutboxRecord,
    CounterRecord,
    IdempotencyRecord,
    ReferenceRecord,
    NotificationRecord,
]
TABLES.append(ShipmentRecord)

TTL_ATTRIBUTES: dict[str, str] = {"outbox": "expires_at", "idempotency": "expires_at", "counters": "expires_at",
                                  "review-slots": "expires_at"}


# ---------------------------------------------------------------- consolidated parcels (合包)


class ParcelsFrom(_Index):
    """An office's outgoing parcels, write-sharded as the work queues: partition ``{office_id}#{shard}``
    (shard = sha1 of the parcel id mod QUEUE_SHARDS), sort ``list_order`` = ``collection_day#parcel_id``. No
    status in the key and keys only: sealing, arrival and signing rewrite no index entry (the listing reads
    the parcels by key)."""

    class Meta:
        index_name = "parcels_from_shard"
        projection = KeysOnlyProjection()

    from_shard = UnicodeAttribute(hash_key=True)
    list_order = UnicodeAttribute(range_key=True)


class ParcelsTo(_Index):
    """An office's incoming parcels, as ``parcels_from_shard``."""

    class Meta:
        index_name = "parcels_to_shard"
        projection = KeysOnlyProjection()

    to_shard = UnicodeAttribute(hash_key=True)
    list_order = UnicodeAttribute(range_key=True)


class ParcelsToSeal(_Index):
    """Sparse index of open parcels (only those carry ``seal_shard``) by cut-off: the sealing job's list."""

    class Meta:
        index_name = "parcels_to_seal"
        projection = KeysOnlyProjection()

    seal_shard = UnicodeAttribute(hash_key=True)
    seal_at = UnicodeAttribute(range_key=True)


class ParcelRecord(Model):
    """One consolidated parcel of an office pair and collection day (its header: status, waybill, times),
    and the sheets of its handover list (交接单).

    A sheet is an item of its own, ``{parcel_id}#{s}`` for s < PARCEL_SHEETS (a case's sheet is sha1 of its
    number mod PARCEL_SHEETS), holding the lines of its cases and whether the parcel still takes cases
    (``status`` OPEN or CLOSED). A case joining writes its sheet only, conditional on the sheet's version (the
    first case of a sheet also names it in the header's body): at 1,000 applications a second through one
    office the joins of a pair's parcel spread over the sheets (docs/PERFORMANCE.md, figure 10). Sealing
    closes the header and the sheets it names in one transaction, so a join and a seal race cleanly.
    ``version`` guards every change of the item it is on. Sheets carry ``sheet_of`` and none of the listing
    or sealing index keys: they are in no index."""

    Meta = _meta("parcels")
    parcel_id = UnicodeAttribute(hash_key=True)
    version = NumberAttribute()
    kind = UnicodeAttribute()
    status = UnicodeAttribute()
    from_office_id = UnicodeAttribute()
    to_office_id = UnicodeAttribute()
    from_shard = UnicodeAttribute(null=True)  # null on sheets, and on headers written before the sharded indexes
    to_shard = UnicodeAttribute(null=True)
    list_order = UnicodeAttribute(null=True)
    seal_shard = UnicodeAttribute(null=True)
    seal_at = UnicodeAttribute(null=True)
    sheet_of = UnicodeAttribute(null=True)  # on a sheet: its parcel's id
    body = JSONAttribute()

    parcels_from: ClassVar[ParcelsFrom] = ParcelsFrom()
    parcels_to: ClassVar[ParcelsTo] = ParcelsTo()
    to_seal: ClassVar[ParcelsToSeal] = ParcelsToSeal()


class _LegacyParcelsFrom(_Index):
    """The parcel listing indexes before the sharded ones (status in the sort key, ALL projected): read only
    while a stage migrates (QUEUE_MIGRATION=legacy, infra/README.md)."""

    class Meta:
        index_name = "parcels_from"
        projection = AllProjection()

    from_office_id = UnicodeAttribute(hash_key=True)
    listing = UnicodeAttribute(range_key=True)


class _LegacyParcelsTo(_Index):
    class Meta:
        index_name = "parcels_to"
        projection = AllProjection()

    to_office_id = UnicodeAttribute(hash_key=True)
    listing = UnicodeAttribute(range_key=True)


class LegacyParcelRecord(ParcelRecord):
    """The parcels table with its listing indexes before the sharded ones, for a stage that migrates (not in
    TABLES). Its headers also carry ``listing`` = ``status#day#parcel_id``."""

    listing = UnicodeAttribute(null=True)

    legacy_from: ClassVar[_LegacyParcelsFrom] = _LegacyParcelsFrom()
    legacy_to: ClassVar[_LegacyParcelsTo] = _LegacyParcelsTo()


TABLES.append(ParcelRecord)


# ---------------------------------------------------------------- reviews (好差评) and tickets (差评工单)


class ReviewsByOffice(_Index):
    """The reviews of a rated office, by time, write-sharded: partition ``{office_id}#{shard}`` (shard = sha1
    of ``case_no#stage`` mod REVIEW_SHARDS), sort ``review_order`` = ``created_at#case_no#stage``."""

    class Meta:
        index_name = "by_office_shard"
        projection = AllProjection()

    office_shard = UnicodeAttribute(hash_key=True)
    review_order = UnicodeAttribute(range_key=True)


class ReviewsByCity(_Index):
    """The reviews of every office of a city, by time, sharded as ``by_office_shard``."""

    class Meta:
        index_name = "by_city_shard"
        projection = AllProjection()

    city_shard = UnicodeAttribute(hash_key=True)
    review_order = UnicodeAttribute(range_key=True)


class ReviewRecord(Model):
    """One review of one stage of a case: written once (attribute_not_exists), never edited or deleted;
    only the follow-up comment (once) and the ticket's progress are added later."""

    Meta = _meta("reviews")
    case_no = UnicodeAttribute(hash_key=True)
    stage = UnicodeAttribute(range_key=True)
    office_id = UnicodeAttribute()
    city = UnicodeAttribute()
    created_at = UnicodeAttribute()
    rating = NumberAttribute()
    bad = BooleanAttribute()
    is_default = BooleanAttribute()
    tags = ListAttribute(of=UnicodeAttribute)  # type: ignore[var-annotated]
    comment = UnicodeAttribute(null=True)
    matter_id = UnicodeAttribute()
    reviewer_sub = UnicodeAttribute()
    reviewer_name = UnicodeAttribute(null=True)
    reviewable_at = UnicodeAttribute()
    follow_up = UnicodeAttribute(null=True)
    follow_up_at = UnicodeAttribute(null=True)
    ticket_id = UnicodeAttribute(null=True)
    ticket_status = UnicodeAttribute(null=True)
    excluded = BooleanAttribute(default=False)
    ticket_escalated = BooleanAttribute(null=True)
    office_shard = UnicodeAttribute(null=True)  # null only on items written before the sharded indexes
    city_shard = UnicodeAttribute(null=True)
    review_order = UnicodeAttribute(null=True)

    by_office: ClassVar[ReviewsByOffice] = ReviewsByOffice()
    by_city: ClassVar[ReviewsByCity] = ReviewsByCity()


class _LegacyReviewsByOffice(_Index):
    class Meta:
        index_name = "by_office"
        projection = AllProjection()

    office_id = UnicodeAttribute(hash_key=True)
    created_at = UnicodeAttribute(range_key=True)


class _LegacyReviewsByCity(_Index):
    class Meta:
        index_name = "by_city"
        projection = AllProjection()

    city = UnicodeAttribute(hash_key=True)
    created_at = UnicodeAttribute(range_key=True)


class LegacyReviewRecord(ReviewRecord):
    """The reviews table with its indexes before the sharded ones, read only while a stage migrates
    (QUEUE_MIGRATION=legacy; not in TABLES)."""

    legacy_by_office: ClassVar[_LegacyReviewsByOffice] = _LegacyReviewsByOffice()
    legacy_by_city: ClassVar[_LegacyReviewsByCity] = _LegacyReviewsByCity()


class SlotsDue(_Index):
    class Meta:
        index_name = "due"
        projection = AllProjection()

    due_shard = UnicodeAttribute(hash_key=True)
    due_at = UnicodeAttribute(range_key=True)


class ReviewSlotRecord(Model):
    """A stage that became reviewable and is still unrated: the sweeper gives it the default rating when
    ``due_at`` passes. When the stage gets its review the slot is closed, not deleted: the item is rewritten
    with ``closed_at`` and none of the open slot's attributes (so it leaves the sparse ``due`` index), and
    expires after SLOT_CLOSED_DAYS (TTL). Opening a slot is a put conditional on the item not existing: a
    redelivered event finds the open slot, a reviewed stage its closed one (no check of the reviews table)."""

    Meta = _meta("review-slots")
    case_no = UnicodeAttribute(hash_key=True)
    stage = UnicodeAttribute(range_key=True)
    office_id = UnicodeAttribute(null=True)  # null on a closed slot, as the four below
    city = UnicodeAttribute(null=True)
    matter_id = UnicodeAttribute(null=True)
    reviewable_at = UnicodeAttribute(null=True)
    due_shard = UnicodeAttribute(null=True)
    due_at = UnicodeAttribute(null=True)
    closed_at = UnicodeAttribute(null=True)  # set when the stage got its review
    expires_at = NumberAttribute(null=True)  # TTL attribute, on closed slots only

    due: ClassVar[SlotsDue] = SlotsDue()


class TicketsDue(_Index):
    """Sparse: only tickets with a deadline not yet flagged carry ``due_shard``."""

    class Meta:
        index_name = "due"
        projection = KeysOnlyProjection()

    due_shard = UnicodeAttribute(hash_key=True)
    due_at = UnicodeAttribute(range_key=True)


class TicketsEscalated(_Index):
    """Sparse: only tickets on the provincial worklist (escalated, work not finished) carry
    ``escalated_city``; the province queries each city's partition, a city supervisor their own."""

    class Meta:
        index_name = "escalated"
        projection = AllProjection()

    escalated_city = UnicodeAttribute(hash_key=True)
    escalated_at = UnicodeAttribute(range_key=True)


class TicketRecord(Model):
    """差评工单. ``version`` guards every step (conditional write)."""

    Meta = _meta("tickets")
    ticket_id = UnicodeAttribute(hash_key=True)
    version = NumberAttribute()
    status = UnicodeAttribute()
    case_no = UnicodeAttribute()
    stage = UnicodeAttribute()
    office_id = UnicodeAttribute()
    city = UnicodeAttribute()
    due_shard = UnicodeAttribute(null=True)
    due_at = UnicodeAttribute(null=True)
    escalated_city = UnicodeAttribute(null=True)
    escalated_at = UnicodeAttribute(null=True)
    body = JSONAttribute()  # deadlines, findings, actions, feedback, appeal

    due: ClassVar[TicketsDue] = TicketsDue()
    escalated: ClassVar[TicketsEscalated] = TicketsEscalated()


class TicketEventRecord(Model):
    """Immutable ticket history; written once (attribute_not_exists), never updated or deleted."""

    Meta = _meta("ticket-events")
    ticket_id = UnicodeAttribute(hash_key=True)
    seq = NumberAttribute(range_key=True)
    event = JSONAttribute()


class ReviewStatsRecord(Model):
    """Review counters per rated office and CST day of the review, updated (ADD) in the same transaction
    as the review or ticket change they count, and the same per CST month. Write-sharded: ``office_id`` is
    the office (shard 0), ``{office}#{shard}`` (days) or ``{office}#month#{shard}`` (months, ``day`` =
    ``YYYY-MM``); statistics read the shards by key and sum them (review_repository), never a scan."""

    Meta = _meta("review-stats")
    office_id = UnicodeAttribute(hash_key=True)
    day = UnicodeAttribute(range_key=True)
    reviews = NumberAttribute(null=True)
    good = NumberAttribute(null=True)
    bad = NumberAttribute(null=True)
    defaults = NumberAttribute(null=True)
    tickets = NumberAttribute(null=True)
    replied = NumberAttribute(null=True)
    valid = NumberAttribute(null=True)
    explained = NumberAttribute(null=True)
    rectified = NumberAttribute(null=True)
    finished = NumberAttribute(null=True)
    on_time = NumberAttribute(null=True)
    contacted = NumberAttribute(null=True)
    satisfied = NumberAttribute(null=True)
    excluded = NumberAttribute(null=True)
    # The statistics snapshot's one item (``summary:province`` / ``latest``, review_repository): when it was
    # taken, and every office's counters per month of its window as JSON.
    as_of = UnicodeAttribute(null=True)
    summary = UnicodeAttribute(null=True)


TABLES.extend([ReviewRecord, ReviewSlotRecord, TicketRecord, TicketEventRecord, ReviewStatsRecord])


# ---------------------------------------------------------------- personal-data access log


class AccessLogRecord(Model):
    """One read of personal data by a supervisor (e.g. a reviewer's name and phone for 核实 and 回访): who,
    when, which ticket or case, why. Written before the data is answered (fail closed), never updated or
    deleted. Partitioned by CST month, newest last (``entry_key`` = instant#id) so provincial supervisors
    list a month with one query."""

    Meta = _meta("access-log")
    month = UnicodeAttribute(hash_key=True)
    entry_key = UnicodeAttribute(range_key=True)
    at = UnicodeAttribute()
    reader_sub = UnicodeAttribute()
    reader_name = UnicodeAttribute(null=True)
    reader_role = UnicodeAttribute()
    reader_city = UnicodeAttribute(null=True)
    what = UnicodeAttribute()
    ticket_id = UnicodeAttribute(null=True)
    case_no = UnicodeAttribute()
    reason = UnicodeAttribute()


TABLES.append(AccessLogRecord)
