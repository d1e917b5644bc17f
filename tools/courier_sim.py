"""The simulated courier of the local stack: advances every open parcel leg through PICKED_UP, IN_TRANSIT
and DELIVERED, ``delay_seconds`` apart, by POSTing signed events to the same webhook a real courier uses
(``POST /webhooks/courier`` over HTTP). So a case runs from apply to COMPLETED with no manual ``sign``.

It finds legs without a scan: the shipments table's sparse ``open_legs`` index (sharded) lists only legs
still on their way. Legs with an EXCEPTION or RETURNED_TO_SENDER wait for staff to re-ship them.

    sim = start(api_url="http://127.0.0.1:8000", delay_seconds=2)
    ...
    sim.stop()
"""
from __future__ import annotations

import threading
import time
import urllib.error
import urllib.request

from chalicelib.adapters.courier import signed_request
from chalicelib.bootstrap import unit_of_work
from chalicelib.domain.shipping import NEXT_EVENT, RANK, LegStatus
from chalicelib.domain.workdays import iso, utcnow
from chalicelib.observability import logger


class CourierSim:
    def __init__(self, api_url: str, delay_seconds: float, poll_seconds: float | None = None) -> None:
        self.webhook = api_url.rstrip("/") + "/webhooks/courier"
        self.delay = max(0.0, delay_seconds)
        # Each poll lists the open legs of every sweep shard: a quarter second at the least keeps an idle stack idle.
        self.poll = poll_seconds if poll_seconds is not None else min(max(self.delay / 2, 0.25), 0.5)
        self.repo = unit_of_work().legs
        # waybill → (the furthest status reported or seen, when): the webhook applies events
        # asynchronously (queue), so what was sent runs ahead of what the table shows.
        self._progress: dict[str, tuple[LegStatus, float]] = {}
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.sent = 0

    def step(self) -> int:
        """Send the next event of every open leg whose last step is ``delay`` old. Returns events sent."""
        now = time.monotonic()
        sent = 0
        seen: set[str] = set()
        for waybill in self.repo.open_waybills():
            seen.add(waybill)
            leg = self.repo.find(waybill)
            if leg is None or not leg.is_open:
                continue
            reported, since = self._progress.setdefault(waybill, (leg.status, now))
            current = reported if RANK[reported] >= RANK[leg.status] else leg.status
            following = NEXT_EVENT.get(current)
            if following is None or now - since < self.delay:
                continue
            if self._post(waybill, following):
                self._progress[waybill] = (following, now)
                sent += 1
        for waybill in set(self._progress) - seen:
            del self._progress[waybill]
        self.sent += sent
        return sent

    def _post(self, waybill: str, event: LegStatus) -> bool:
        # The timestamped form every stage accepts (docs/courier-webhook.md), as a real courier sends it.
        raw, headers = signed_request({"waybill": waybill, "event": event.value, "at": iso(utcnow())})
        request = urllib.request.Request(  # noqa: S310 - the local API's URL, http on loopback
            self.webhook, data=raw, method="POST", headers=headers,
        )
        try:
            with urllib.request.urlopen(request, timeout=5) as resp:  # noqa: S310
                return 200 <= int(resp.status) < 300
        except (urllib.error.URLError, OSError) as err:
            logger.warning("courier simulator could not post", extra={"waybill": waybill, "error": str(err)})
            return False

    def _loop(self) -> None:
        while not self._stop.wait(self.poll):
            try:
                self.step()
            except Exception:
                logger.exception("courier simulator step failed")

    def start(self) -> CourierSim:
        self._thread = threading.Thread(target=self._loop, name="courier-sim", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)


def start(api_url: str, delay_seconds: float) -> CourierSim:
    """Start the simulated courier in a background thread; ``.stop()`` ends it."""
    return CourierSim(api_url, delay_seconds).start()
