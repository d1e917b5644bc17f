"""Browser tests: the local stack as `make run` starts it (console included, on free ports), driven by Python
Playwright through Debian's chromium (never Playwright's own browser download).

One stack and one browser per session, shared by every test; each test gets fresh browser contexts (one per
person: a citizen on a phone, staff on a desktop). A failing test leaves a screenshot of each of its pages and
their console logs under test-results/. axe-core checks every page a test visits (``Person.check``).
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import requests

from tools.console_server import issue_token
from tools.local_stack import free_port, spawned

ROOT = Path(__file__).resolve().parents[2]
RESULTS = ROOT / "test-results"
SCREENSHOTS = ROOT / "docs" / "screenshots"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
PHONE = {"width": 375, "height": 812}
DESKTOP = {"width": 1366, "height": 900}
SERIOUS = {"serious", "critical"}


@dataclass
class Stack:
    api: str
    console: str

    def token(self, identity: str) -> str:
        return issue_token(identity)[0]

    def call(self, method: str, path: str, identity: str, body: Any = None, ok: bool = True) -> Any:
        r = requests.request(method, self.api + path, json=body, timeout=20,
                             headers={"Authorization": f"Bearer {self.token(identity)}"})
        if ok:
            assert r.status_code < 300, f"{method} {path}: {r.status_code} {r.text}"
        return r.json()


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: `make browser-deps` installs chromium and fonts-noto-cjk")
    # The console as `make run` builds it (a no-op when web/dist is up to date).
    subprocess.run(["make", "-s", "web"], cwd=ROOT, check=True, timeout=600)
    console_port = free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("CONSOLE_ORIGIN",)}
    env.update({"COURIER_DELAY_SECONDS": "1", "SWEEP_SECONDS": "5", "STATS_SECONDS": "2"})
    log = tmp_path_factory.mktemp("stack") / "local-stack.log"
    # Screenshots for the README (make screenshots) show a dashboard with a year of history, as `make run` has;
    # the tests start once it is in (the courier starts after it).
    history = ("--seed-history", "120") if os.environ.get("SCREENSHOTS") == "1" else ()
    with spawned(log, env, "--console-port", str(console_port), *history) as api:
        if history:
            deadline = time.monotonic() + 900
            while "Courier simulation started." not in log.read_text("utf-8", errors="replace"):
                assert time.monotonic() < deadline, "the history was not seeded within 15 minutes"
                time.sleep(1)
        console = f"http://127.0.0.1:{console_port}"
        assert requests.get(console + "/config.json", timeout=5).json()["apiUrl"] == api
        yield Stack(api=api, console=console)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield b
        finally:
            b.close()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    outcome = yield
    report = outcome.get_result()  # type: ignore[attr-defined]
    setattr(item, f"rep_{report.when}", report)


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", text)[:120]


@dataclass
class Person:
    """One person in their own browser context (own sign-in), with their page's console log."""

    name: str
    page: Any
    stack: Stack
    log: list[str] = field(default_factory=list)

    def go(self, path: str) -> None:
        self.page.goto(self.stack.console + path)

    def sign_in(self, who: str, then: str | None = None, check: bool = False) -> None:
        self.go("/login" + (f"?next={then}" if then else ""))
        if check:
            self.page.get_by_role("button", name=f"以 {who} 的身份登录").wait_for()
            self.check("sign-in page")
        self.page.get_by_role("button", name=f"以 {who} 的身份登录").click()
        self.page.wait_for_url(re.compile(r".*/(citizen|window|supervisor)/.*"))
        self.page.locator("h1").first.wait_for()

    def check(self, label: str) -> None:
        """axe-core on the page as it is now: no serious or critical violation."""
        from axe_playwright_python.sync_playwright import Axe
        self.page.wait_for_load_state("networkidle")
        # Measure colours once antd's fade-ins have ended (mid-animation text is translucent); an endless
        # animation (a spinner) is given 5 s and the page is checked as it is.
        self.page.evaluate("""() => Promise.race([
            Promise.all(document.getAnimations().map((a) => a.finished.catch(() => null))),
            new Promise((resolve) => setTimeout(resolve, 5000))])""")
        results = Axe().run(self.page)
        bad = [v for v in results.response["violations"] if v.get("impact") in SERIOUS]
        assert not bad, f"{label}: " + "; ".join(
            f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}: "
            f"{v['nodes'][0].get('failureSummary', '')}" for v in bad)

    def shot(self, name: str) -> None:
        """A screenshot of the whole page: docs/screenshots/ when SCREENSHOTS=1 (make screenshots), else
        test-results/screenshots/."""
        folder = SCREENSHOTS if os.environ.get("SCREENSHOTS") == "1" else RESULTS / "screenshots"
        folder.mkdir(parents=True, exist_ok=True)
        self.page.wait_for_load_state("networkidle")
        self.page.screenshot(path=str(folder / f"{name}.png"), full_page=True, animations="disabled")


@pytest.fixture
def people(browser: Any, stack: Stack, request: pytest.FixtureRequest) -> Iterator[Any]:
    """people("citizen", PHONE) → a Person in a fresh context; all are screenshotted if the test fails."""
    made: list[tuple[Any, Person]] = []

    def make(name: str, viewport: dict[str, int] = PHONE) -> Person:
        context = browser.new_context(viewport=viewport, locale="zh-CN", timezone_id="Asia/Shanghai")
        context.set_default_timeout(15_000)
        page = context.new_page()
        person = Person(name=name, page=page, stack=stack)
        page.on("console", lambda m: person.log.append(f"[{m.type}] {m.text}"))
        page.on("pageerror", lambda e: person.log.append(f"[pageerror] {e}"))
        made.append((context, person))
        return person

    yield make
    failed = getattr(request.node, "rep_call", None) is not None and request.node.rep_call.failed
    if failed:
        folder = RESULTS / _slug(request.node.name)
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True, exist_ok=True)
    for context, person in made:
        if failed:
            try:
                person.page.screenshot(path=str(folder / f"{person.name}.png"), full_page=True)
            except Exception as err:
                person.log.append(f"[screenshot failed] {err}")
            (folder / f"{person.name}-console.log").write_text(
                f"url: {person.page.url}\n" + "\n".join(person.log), "utf-8")
        context.close()
    errors = [line for _, person in made for line in person.log if line.startswith("[pageerror]")]
    if errors and not failed:
        pytest.fail("uncaught errors in the page (an unhandled promise or a crash): " + "; ".join(errors))
