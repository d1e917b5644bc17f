"""A simulated provincial licence library (电子证照库) and social-insurance records, for the local stack.

``make run`` starts it on a free port (tools/local_stack.py) and points the API and the pump at it
(``LICENCE_SERVICE_URL``). It speaks exactly what the cloud client sends (chalicelib/adapters/licences.py):
signed POSTs (a wrong or missing signature is 401), lookups only with a consent naming the case and the
licence type (403 otherwise), idempotent issue per request id. Seeded with licences and contribution records
for the demo citizens of the console (tools/console_server.py); their identity numbers are in ``DEMO_HOLDERS``.

``Registry`` is the data and the rules in memory; it implements the ports itself, so tests can use it
without HTTP (``bootstrap.use_services(Registry.seeded())``). Faults for tests: ``registry.fail_next(n,
mode)`` with mode ``error`` (503), ``timeout`` (answers too late), ``lost_reply`` (does the work, then drops
the connection).

    python -m tools.licence_sim [--port 0]
"""
from __future__ import annotations

import argparse
import hashlib
import hmac
import json
import threading
import time
from dataclasses import dataclass, field
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from chalicelib.adapters.licences import DEV_APP_ID, DEV_LICENCE_KEY, LicenceServiceUnavailable, sign
from chalicelib.domain.licences import Consent, Licence

MAX_SKEW_SECONDS = 300

# The demo citizens' identity numbers (sub → holder): the console's 张三, 李四, 王五.
DEMO_HOLDERS: dict[str, dict[str, str]] = {
    "alice": {"name": "张三", "id_number": "441900199001011231"},  # 东莞户籍, works in Shenzhen
    "bob": {"name": "李四", "id_number": "440305198803152048"},  # 深圳户籍, works in Zhuhai
    "carol": {"name": "王五", "id_number": "440402199207203014"},  # 珠海户籍, works in Dongguan
}


def _months(first: str, last: str) -> list[str]:
    from chalicelib.domain.licences import month_range

    return month_range(first, last)


def _seed() -> tuple[list[Licence], dict[str, list[str]]]:
    a, b, c = (DEMO_HOLDERS[k] for k in ("alice", "bob", "carol"))
    licences = [
        Licence("L-ID-441900-0001", "身份证", "东莞市公安局", "2018-03-01", "2038-03-01", a["id_number"], a["name"]),
        Licence("L-HK-441900-0001", "户口簿", "东莞市公安局莞城派出所", "2015-06-01", None, a["id_number"],
                a["name"]),
        Licence("L-DL-441900-0001", "驾驶证", "东莞市公安局交通警察支队", "2020-05-01", "2026-05-01",
                a["id_number"], a["name"]),
        Licence("L-ID-440300-0002", "身份证", "深圳市公安局福田分局", "2019-08-01", "2039-08-01", b["id_number"],
                b["name"]),
        Licence("L-BL-440300-0002", "营业执照", "深圳市市场监督管理局", "2021-02-01", None, b["id_number"],
                b["name"]),
        Licence("L-ID-440400-0003", "身份证", "珠海市公安局香洲分局", "2017-11-01", "2037-11-01", c["id_number"],
                c["name"]),
        Licence("L-DL-440400-0003", "驾驶证", "珠海市公安局交通警察支队", "2016-12-01", "2026-12-20",
                c["id_number"], c["name"]),
    ]
    # Dongguan social insurance: 张三 paid from 2019 to last month; 李四 with a gap; 王五 has no record.
    this_month = f"{date.today():%Y-%m}"
    contributions = {
        a["id_number"]: _months("2019-01", this_month),
        b["id_number"]: [m for m in _months("2022-01", this_month) if not m.startswith("2025-")],
    }
    return licences, contributions


@dataclass
class Registry:
    """The library's data and rules in memory (thread-safe); also the ports, without HTTP."""

    licences: dict[str, Licence] = field(default_factory=dict)
    contribution_months: dict[str, list[str]] = field(default_factory=dict)
    issued: dict[str, str] = field(default_factory=dict)  # request id (case number) → licence number
    calls: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    faults: list[str] = field(default_factory=list)
    always: str | None = None  # every call fails this way (an outage) until ``heal``
    lock: threading.Lock = field(default_factory=threading.Lock)

    @classmethod
    def seeded(cls) -> Registry:
        registry = cls()
        licences, contributions = _seed()
        for licence in licences:
            registry.licences[licence.licence_no] = licence
        registry.contribution_months.update(contributions)
        return registry

    # ---------------------------------------------------------------- faults (tests)

    def fail_next(self, n: int = 1, mode: str = "error") -> None:
        """The next ``n`` calls fail: ``error`` (503), ``timeout`` or ``lost_reply`` (work done, no answer)."""
        with self.lock:
            self.faults.extend([mode] * n)

    def fail_always(self, mode: str = "error") -> None:
        self.always = mode

    def heal(self) -> None:
        with self.lock:
            self.faults.clear()
            self.always = None

    def _fault(self) -> str | None:
        with self.lock:
            return self.faults.pop(0) if self.faults else self.always

    # ---------------------------------------------------------------- the operations (HTTP and in memory)

    def handle(self, operation: str, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        with self.lock:
            self.calls.append((operation, body))
        if operation in ("lookup", "contributions"):
            consent = body.get("consent") or {}
            if not consent.get("case_no") or not consent.get("purpose") or (
                    operation == "lookup" and consent.get("licence_type") != body.get("licence_type")):
                return 403, {"code": "consent_required", "message": "a consent for this case and type is required"}
        holder = str(body.get("holder_id_number", "")).upper()
        if operation == "lookup":
            today = date.today()
            found = [lic for lic in self.licences.values() if lic.holder_id_number == holder
                     and lic.licence_type == body.get("licence_type") and lic.valid_on(today)]
            return 200, {"licence": _as_dict(found[0]) if found else None}
        if operation == "verify":
            lic = self.licences.get(str(body.get("licence_no", "")))
            valid = bool(lic and lic.valid_on(date.today()))
            return 200, {"valid": valid, "licence": _as_dict(lic) if lic and valid else None}
        if operation == "issue":
            request_id = str(body.get("request_id", ""))
            if not request_id or not body.get("licence_type") or not holder:
                return 400, {"code": "invalid", "message": "request_id, licence_type and holder_id_number"}
            with self.lock:
                number = self.issued.get(request_id)
                if number is None:
                    digest = hashlib.sha256(request_id.encode()).hexdigest()[:10].upper()
                    number = f"E-{digest}"
                    self.licences[number] = Licence(
                        number, str(body["licence_type"]), str(body.get("issuer", "")), date.today().isoformat(),
                        None, holder, str(body.get("holder_name", "")))
                    self.issued[request_id] = number
            return 200, {"licence": _as_dict(self.licences[number])}
        if operation == "contributions":
            months = self.contribution_months.get(holder)
            return 200, {"months": months}
        return 404, {"code": "not_found", "message": f"no operation {operation}"}

    def _direct(self, operation: str, body: dict[str, Any]) -> dict[str, Any]:
        fault = self._fault()
        if fault in ("error", "timeout"):
            with self.lock:
                self.calls.append((operation, body))  # tried, not answered
            raise LicenceServiceUnavailable(f"simulated {fault}")
        status, answer = self.handle(operation, body)
        if fault == "lost_reply":
            raise LicenceServiceUnavailable("simulated lost reply")
        if status != 200:
            from chalicelib.adapters.licences import LicenceRequestRefused

            raise LicenceRequestRefused(status, answer.get("message", ""))
        return answer

    def lookup(self, holder_id_number: str, licence_type: str, consent: Consent) -> Licence | None:
        from chalicelib.adapters.licences import licence_from

        return licence_from(self._direct("lookup", {"holder_id_number": holder_id_number,
                                                    "licence_type": licence_type, "consent": vars(consent)})
                            .get("licence"))

    def verify(self, licence_no: str) -> Licence | None:
        from chalicelib.adapters.licences import licence_from

        return licence_from(self._direct("verify", {"licence_no": licence_no}).get("licence"))

    def issue(self, case_no: str, licence_type: str, holder_id_number: str, holder_name: str,
              issuer: str) -> Licence:
        from chalicelib.adapters.licences import licence_from

        licence = licence_from(self._direct("issue", {
            "request_id": case_no, "licence_type": licence_type, "holder_id_number": holder_id_number,
            "holder_name": holder_name, "issuer": issuer}).get("licence"))
        assert licence is not None
        return licence

    def contributions(self, holder_id_number: str, consent: Consent) -> list[str] | None:
        months = self._direct("contributions", {"holder_id_number": holder_id_number,
                                                "consent": vars(consent)}).get("months")
        return list(months) if months is not None else None

    def issued_to(self, case_no: str) -> list[Licence]:
        """Licences issued for a case (tests: a repeated issue must leave exactly one)."""
        return [lic for no, lic in self.licences.items() if self.issued.get(case_no) == no]


def _as_dict(licence: Licence) -> dict[str, Any]:
    return {**licence.reference(), "holder_id_number": licence.holder_id_number, "holder_name": licence.holder_name}


OPERATIONS = {"/v1/licences/lookup": "lookup", "/v1/licences/verify": "verify", "/v1/licences/issue": "issue",
              "/v1/social-insurance/contributions": "contributions"}


def _handler(registry: Registry, key: str, app_id: str, slow_seconds: float) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            return

        def _answer(self, status: int, body: dict[str, Any]) -> None:
            raw = json.dumps(body, ensure_ascii=False).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(raw)))
            self.end_headers()
            self.wfile.write(raw)

        def do_POST(self) -> None:
            raw = self.rfile.read(min(int(self.headers.get("Content-Length") or 0), 100_000))
            operation = OPERATIONS.get(self.path)
            if operation is None:
                return self._answer(404, {"code": "not_found", "message": self.path})
            stamp, nonce = self.headers.get("X-Timestamp", ""), self.headers.get("X-Nonce", "")
            given = self.headers.get("X-Signature", "")
            fresh = stamp.isdigit() and abs(time.time() - int(stamp)) <= MAX_SKEW_SECONDS
            if (self.headers.get("X-App-Id") != app_id or not fresh or not nonce
                    or not hmac.compare_digest(sign(key, "POST", self.path, raw, stamp, nonce), given)):
                return self._answer(401, {"code": "bad_signature", "message": "signature or timestamp"})
            try:
                body = json.loads(raw)
                assert isinstance(body, dict)
            except (ValueError, AssertionError):
                return self._answer(400, {"code": "invalid", "message": "a JSON object is expected"})
            fault = registry._fault()
            if fault == "error":
                return self._answer(503, {"code": "unavailable", "message": "simulated outage"})
            if fault == "timeout":
                time.sleep(slow_seconds)
            status, answer = registry.handle(operation, body)
            if fault == "lost_reply":
                self.close_connection = True
                return None  # the work is done, the reply never leaves
            return self._answer(status, answer)

    return Handler


class Simulator:
    """The HTTP simulator on a port of loopback (0: a free one), serving ``registry`` in a thread."""

    def __init__(self, registry: Registry | None = None, port: int = 0, key: str = DEV_LICENCE_KEY,
                 app_id: str = DEV_APP_ID, slow_seconds: float = 5.0) -> None:
        self.registry = registry or Registry.seeded()
        self.server = ThreadingHTTPServer(("127.0.0.1", port), _handler(self.registry, key, app_id, slow_seconds))
        self.server.daemon_threads = True
        # (a short poll: ``stop`` waits for the serving loop's next look, 0.5 s by default, once per test)
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.02},
                                       name="licence-sim", daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def start(self) -> Simulator:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def start(port: int = 0) -> Simulator:
    return Simulator(port=port).start()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args(argv)
    sim = start(args.port)
    print(f"licence library simulator on {sim.url}", flush=True)
    try:
        while True:
            time.sleep(1)
    except KeyboardInterrupt:
        sim.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
