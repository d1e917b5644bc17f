"""The whole system on one machine (the embedded default).

Starts moto in server mode on loopback, creates every table, queue and topic from the application's own
definitions, seeds the reference data, serves the API with ``chalice local`` and runs the event pump (and
the simulated courier, where built, and the simulated licence library). Ctrl-C stops everything. Every
start begins with empty data.

    python -m tools.local_stack [--port 8000] [--console-port 8080] [--moto-port 0] [--sweep-seconds 10]
                                [--seed-history CASES]

With a built console (web/dist: ``make web``), it also serves the web console on ``--console-port`` (0: off)
and allows that origin on the API (CORS, env ``CONSOLE_ORIGIN``). ``--seed-history N`` makes N cases and their
reviews over the last 12 months through the services once up (tools/seed_history.py; ``make run`` asks for 150).
"""
from __future__ import annotations

import argparse
import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def port_in_use(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) == 0


def local_environment(moto_port: int) -> dict[str, str]:
    """What every local process (API, pump, tools) needs to reach the emulator."""
    return {
        "AWS_ENDPOINT_URL": f"http://127.0.0.1:{moto_port}",
        "AWS_DEFAULT_REGION": os.environ.get("AWS_DEFAULT_REGION", "us-east-1"),
        "AWS_REGION": os.environ.get("AWS_DEFAULT_REGION", "us-east-1"),
        "AWS_ACCESS_KEY_ID": "local",
        "AWS_SECRET_ACCESS_KEY": "local",
        "STAGE": "local",
        "RESOURCE_PREFIX": os.environ.get("RESOURCE_PREFIX", "kc-local"),
        "AUTH_MODE": "hs256",
        # The deployed stages spread the sparse due-listings over 32 shards for 1,000 applications a second
        # (docs/PERFORMANCE.md §8); a laptop's stack needs 4. Every sweep, sealing and courier-simulator poll
        # reads every shard, so 32 kept an idle stack at a third of a core. Set before any process starts: the
        # shard of an item is fixed when it is written.
        "SWEEP_SHARDS": os.environ.get("SWEEP_SHARDS", "4"),
        "POWERTOOLS_METRICS_NAMESPACE": "CrossCityService",
        "POWERTOOLS_SERVICE_NAME": "cross-city",
    }


def provision(visibility_timeout: int = 3) -> dict[str, int]:
    """Create tables (with TTL), queues (with DLQs) and topics, then seed the reference data: the local stack,
    the tests' emulated accounts and the benchmarks all start from this."""
    created, rows = provision_tables()
    provision_messaging(visibility_timeout)
    from chalicelib.adapters import messaging

    return {"tables": len(created), "queues": len(messaging.QUEUES) * 2, "reference_rows": rows}


def provision_tables() -> tuple[list[str], int]:
    """Every table (with TTL) and the reference data in it: the tables created and the rows seeded."""
    import boto3

    from chalicelib.adapters import reference_store
    from tools import provision as make

    created = make.create_tables(boto3.client("dynamodb"))
    return created, reference_store.seed()


def provision_messaging(visibility_timeout: int = 3) -> None:
    """Every queue (with its DLQ) and topic, and this process's cached URLs and ARNs of them forgotten."""
    from chalicelib.adapters import messaging
    from tools import provision as make

    messaging.queue_url.cache_clear()  # a new account: queue URLs and topic ARNs looked up earlier are gone
    messaging.topic_arn.cache_clear()
    make.create_queues(visibility_timeout=visibility_timeout)
    make.create_topics()


def provision_in_process(visibility_timeout: int = 0) -> None:
    """``provision`` for moto's in-process mock (a fresh account per test): the tables, queues and topics are
    put back from a copy of this process's first provisioning (emulator.restore_tables and
    restore_messaging), a few ms instead of ~250 ms of CreateTable and ~60 ms of CreateQueue requests."""
    from chalicelib.adapters import messaging, reference_store
    from chalicelib.adapters.dynamodb import forget_blocks
    from tools import emulator

    emulator.restore_tables(provision_tables)
    forget_blocks()  # a fresh counters table: numbers this process holds in blocks are not its own
    reference_store.invalidate()
    emulator.restore_messaging(lambda: provision_messaging(visibility_timeout), variant=visibility_timeout)
    messaging.queue_url.cache_clear()  # a new account: URLs and ARNs looked up in the last one are gone
    messaging.topic_arn.cache_clear()


def start_courier(api_url: str, delay: float) -> Any:
    """The simulated courier, where it is built (tools/courier_sim.py)."""
    try:
        from tools import courier_sim  # type: ignore[attr-defined]
    except ImportError:
        return None
    return courier_sim.start(api_url=api_url, delay_seconds=delay)


@contextlib.contextmanager
def spawned(log_path: Path, env: dict[str, str], *options: str, timeout: float = 90) -> Iterator[str]:
    """The local stack as a subprocess on a free port, as `make run` starts it, once it answers /health:
    yields its URL, writes its whole output to ``log_path`` and stops it on exit (tests and benchmarks)."""
    import requests

    port = free_port()
    if "--console-port" not in options:
        options = (*options, "--console-port", "0")  # callers that want the console pick its (free) port
    with open(log_path, "wb") as log:
        proc = subprocess.Popen([sys.executable, "-m", "tools.local_stack", "--port", str(port), *options],
                                cwd=Path(__file__).resolve().parent.parent, env=env, stdout=log,
                                stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"local stack exited:\n{log_path.read_text(errors='replace')[-3000:]}")
            with contextlib.suppress(requests.RequestException):
                if requests.get(f"{base}/health", timeout=1).status_code == 200:
                    break
            if time.monotonic() > deadline:
                raise RuntimeError(f"local stack did not answer /health within {timeout:.0f} s")
            time.sleep(0.2)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
    parser.add_argument("--moto-port", type=int, default=int(os.environ.get("MOTO_PORT", "0")))
    parser.add_argument("--sweep-seconds", type=float, default=float(os.environ.get("SWEEP_SECONDS", "10")))
    parser.add_argument("--courier-delay", type=float, default=float(os.environ.get("COURIER_DELAY_SECONDS", "2")))
    parser.add_argument("--seal-seconds", type=float, default=float(os.environ.get("SEAL_SECONDS", "2")),
                        help="how often the demo courier collects: every open parcel is sealed (合包)")
    parser.add_argument("--stats-seconds", type=float, default=float(os.environ.get("STATS_SECONDS", "15")),
                        help="how often the statistics snapshot (the dashboard's year) is taken (cloud: 5 min)")
    parser.add_argument("--parcels", choices=("consolidated", "single"), default=os.environ.get("PARCELS_MODE",
                        "consolidated"), help="one parcel per office pair and collection (default) or per case")
    parser.add_argument("--console-port", type=int, default=int(os.environ.get("CONSOLE_PORT", "8080")),
                        help="serve the web console here (0: do not serve it)")
    parser.add_argument("--seed-history", type=int, default=int(os.environ.get("SEED_HISTORY", "0")),
                        metavar="CASES", help="make this many cases and their reviews over the last 12 months "
                        "through the services once up (make run: 150; 0: none)")
    args = parser.parse_args(argv)
    # The demo courier collects at every sealing run rather than once a day at the cut-off, so a case forwarded
    # now arrives in seconds (chalicelib/config.py honours this on the local stage only).
    os.environ.update(PARCELS=args.parcels, PARCEL_COLLECTION="continuous")

    for port, flag in ((args.port, "--port"), (args.console_port, "--console-port")):
        if port and port_in_use(port):
            print(f"port {port} on 127.0.0.1 is in use: stop what runs there or pass {flag}", file=sys.stderr)
            return 2
    from tools import console_server

    console_url = f"http://127.0.0.1:{args.console_port}" if args.console_port else None
    if console_url and not (console_server.DIST / "index.html").is_file():
        print("the web console is not built (run `make web`): serving the API only", file=sys.stderr)
        console_url = None
    if console_url:
        # The API answers the console's origin only (CORS); an origin already set (e.g. a second console) stays.
        origins = [o for o in os.environ.get("CONSOLE_ORIGIN", "").split(",") if o.strip()]
        os.environ["CONSOLE_ORIGIN"] = ",".join(dict.fromkeys([*origins, console_url,
                                                               f"http://localhost:{args.console_port}"]))
    started = time.monotonic()
    moto_port = args.moto_port or free_port()
    os.environ.update(local_environment(moto_port))
    from chalicelib.config import settings

    settings.cache_clear()  # read again from the stack's environment

    import logging

    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.WARNING)

    from tools import emulator

    emulator.harden()  # DynamoDB's isolation, as the race proofs run it (see the module)
    moto = ThreadedMotoServer(ip_address="127.0.0.1", port=moto_port, verbose=False)
    moto.start()
    counts = provision()
    # The simulated licence library and social-insurance records (电子证照, 秒批 inputs): API and pump read it.
    from tools import licence_sim

    licences = licence_sim.start()
    os.environ["LICENCE_SERVICE_URL"] = licences.url

    api_url = f"http://127.0.0.1:{args.port}"
    console = console_server.serve(args.console_port, api_url) if console_url else None
    chalice_bin = Path(sys.executable).with_name("chalice")
    api = subprocess.Popen(
        [str(chalice_bin), "local", "--host", "127.0.0.1", "--port", str(args.port), "--stage", "local",
         "--no-autoreload"],
        cwd=ROOT, env=os.environ.copy(),
    )

    try:
        import app as application
        from tools.pump import Pump

        pump = Pump(application, sweep_seconds=args.sweep_seconds, seal_seconds=args.seal_seconds,
                    stats_seconds=args.stats_seconds)
        pump.start()
        # With a history to seed, the courier starts after it: it would otherwise deliver the history's parcels
        # (signing its cases in today) while the seeding signs them in on their past dates.
        couriers: list[Any] = [] if args.seed_history > 0 else [start_courier(api_url, args.courier_delay)]
    except BaseException:
        licences.stop()
        api.terminate()
        if console is not None:
            console.shutdown()
        moto.stop()
        raise

    deadline = time.monotonic() + 60
    while not port_in_use(args.port):
        if api.poll() is not None or time.monotonic() > deadline:
            print("the API did not start", file=sys.stderr)
            pump.stop()
            licences.stop()
            if console is not None:
                console.shutdown()
            moto.stop()
            return 1
        time.sleep(0.1)
    print(
        f"\nCross-city service is up in {time.monotonic() - started:.1f} s\n"
        + (f"  console        {console_url}   (open it in a browser; demo sign-in)\n" if console_url else "")
        + f"  API            {api_url}   (try: curl {api_url}/health)\n"
        f"  AWS emulator   http://127.0.0.1:{moto_port} (moto; {counts['tables']} tables, "
        f"{counts['queues']} queues, {counts['reference_rows']} reference rows)\n"
        f"  pump           queues, event streams, sweeper every {args.sweep_seconds:g} s, "
        f"parcels ({args.parcels}) sealed every {args.seal_seconds:g} s, statistics snapshot every "
        f"{args.stats_seconds:g} s\n"
        f"  licences       {licences.url} (simulated licence library, seeded for the demo citizens)\n"
        f"  courier        simulated, {args.courier_delay:g} s per step"
        f"{' (starts once the history is seeded)' if args.seed_history > 0 else ''}\n"
        "  tokens         make token ROLE=citizen SUB=alice | ROLE=staff OFFICE=SZ-GOV | "
        "ROLE=supervisor CITY=440300\n"
        "Ctrl-C stops everything.\n",
        flush=True,
    )
    stopping = False
    if args.seed_history > 0:
        # In the background: the console works at once, the dashboard fills as the history lands.
        import threading

        from tools.seed_history import seed_history

        def seed() -> None:
            print(f"Seeding {args.seed_history} cases of the last 12 months (SEED_HISTORY=0 turns it off)…",
                  flush=True)
            try:
                made = seed_history(args.seed_history, say=lambda line: print(line, flush=True))
                print(f"History seeded: {made['cases']} cases ({made['completed']} completed), {made['reviews']} "
                      f"reviews ({made['bad_reviews']} bad; {made['tickets_closed']} of their tickets closed).",
                      flush=True)
            except Exception as err:  # the stack stays up without its history
                print(f"seeding the history failed: {err!r}", file=sys.stderr, flush=True)
            with contextlib.suppress(Exception):  # the dashboard's snapshot at once, not at the next run
                pump.refresh_stats()
            if not stopping:
                couriers.append(start_courier(api_url, args.courier_delay))
                print("Courier simulation started.", flush=True)

        threading.Thread(target=seed, name="seed-history", daemon=True).start()

    def stop(*_: Any) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    try:
        while not stopping and api.poll() is None:
            time.sleep(0.2)
    finally:
        for courier in couriers:
            if courier is not None:
                courier.stop()
        pump.stop()
        licences.stop()
        if console is not None:
            console.shutdown()
        api.terminate()
        with contextlib.suppress(subprocess.TimeoutExpired):
            api.wait(timeout=5)
        if api.poll() is None:
            api.kill()
        moto.stop()
        print("stopped.", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
