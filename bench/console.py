"""Figure 8, the web console in Chromium against the local stack (started as ``make run`` starts it):

- the JavaScript the public and citizen pages load, gzipped (goal ≤ 300 KB): every .js response while a
  visitor and a signed-in citizen open each of their pages; the staff pages' extra JavaScript is reported
  beside it (it must load on demand, never with the public pages);
- first contentful paint of ``/track?case_no=…&code=…``, median of 5 cold loads (a fresh browser context, so
  nothing cached; goal ≤ 1.0 s).
"""
from __future__ import annotations

import gzip
import os
import subprocess
import tempfile
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from tools.local_stack import free_port, spawned

from .env import ROOT, median, subprocess_env

KB = 1024
GOAL_JS_GZIP_BYTES = 300 * KB
GOAL_FCP_S = 1.0
COLD_LOADS = 5
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


def _gzip_size(path: Path) -> int:
    return len(gzip.compress(path.read_bytes(), compresslevel=6))


def _scripts_loaded(browser: Any, console: str, paths: list[str], token: str | None) -> set[str]:
    """Paths of the .js files the console served while these pages were opened in one context."""
    context = browser.new_context(viewport={"width": 375, "height": 812})
    if token:  # signed in as the local sign-in page would leave it (sessionStorage of the console's origin)
        context.add_init_script(f"window.sessionStorage.setItem('kc.token', {token!r});")
    loaded: set[str] = set()
    page = context.new_page()
    page.on("response", lambda r: loaded.add(urlsplit(r.url).path)
            if r.url.startswith(console) and urlsplit(r.url).path.endswith(".js") else None)
    for path in paths:
        page.goto(console + path)
        page.wait_for_load_state("networkidle")
        page.locator("h1").first.wait_for(timeout=15_000)
    context.close()
    return loaded


def _token(identity: str) -> str:
    from tools.console_server import issue_token

    issued = issue_token(identity)
    assert issued is not None, identity
    return issued[0]


def measure() -> dict[str, Any]:
    import requests
    from playwright.sync_api import sync_playwright

    from tools.console_server import DIST

    subprocess.run(["make", "-s", "web"], cwd=ROOT, check=True, timeout=900)
    console_port = free_port()
    with tempfile.TemporaryDirectory(prefix="bench-console-") as tmp, \
            spawned(Path(tmp) / "stack.log", subprocess_env(), "--console-port", str(console_port)) as api:
        console = f"http://127.0.0.1:{console_port}"
        citizen, staff = (_token("citizen-alice"), _token("staff-SZ-GOV"))
        case = requests.post(f"{api}/cases", timeout=20, headers={"Authorization": f"Bearer {citizen}"}, json={
            "matter_id": "DG-SI-CERT", "receiving_office_id": "SZ-GOV",
            "applicant": {"name": "张三", "id_type": "RESIDENT_ID", "id_number": "11010519491231002X",
                          "phone": "13800138000"},
            "materials": [{"name": "身份证", "provided": True}, {"name": "申请表", "provided": True}],
            "delivery": {"method": "PICKUP_RECEIVING"}}).json()
        track = f"/track?case_no={case['case_no']}&code={case['query_code']}"
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            try:
                public = _scripts_loaded(browser, console, ["/", track, "/login"], None)
                citizen_js = _scripts_loaded(browser, console, [
                    "/citizen/cases", "/citizen/apply", f"/citizen/cases/{case['case_no']}", "/citizen/claim"], citizen)
                staff_js = _scripts_loaded(browser, console, [
                    "/window/queue", "/window/walk-in", f"/window/cases/{case['case_no']}",
                    f"/window/print/receipt/{case['case_no']}"], staff)
                fcps: list[float] = []
                for _ in range(COLD_LOADS):
                    context = browser.new_context(viewport={"width": 375, "height": 812})
                    page = context.new_page()
                    page.goto(console + track)
                    page.get_by_role("heading", name="办理记录").wait_for(timeout=15_000)
                    fcp = page.evaluate("performance.getEntriesByName('first-contentful-paint')[0]?.startTime")
                    if fcp is not None:
                        fcps.append(float(fcp) / 1000)
                    context.close()
            finally:
                browser.close()

    def size(paths: set[str]) -> int:
        return sum(_gzip_size(DIST / path.lstrip("/")) for path in paths if (DIST / path.lstrip("/")).is_file())

    public_citizen = public | citizen_js
    staff_only = staff_js - public_citizen
    js_gzip = size(public_citizen)
    fcp_median = round(median(fcps), 3) if fcps else None
    return {
        "public_citizen_js_gzip_bytes": js_gzip, "public_citizen_js_gzip_kb": round(js_gzip / KB, 1),
        "public_citizen_files": sorted(public_citizen),
        "staff_extra_js_gzip_kb": round(size(staff_only) / KB, 1), "staff_extra_files": sorted(staff_only),
        "all_js_gzip_kb": round(sum(_gzip_size(f) for f in (DIST / "assets").glob("*.js")) / KB, 1),
        "track_fcp_s": [round(x, 3) for x in fcps], "track_fcp_median_s": fcp_median,
        "js_goal_met": js_gzip <= GOAL_JS_GZIP_BYTES,
        "fcp_goal_met": fcp_median is not None and fcp_median <= GOAL_FCP_S,
    }
