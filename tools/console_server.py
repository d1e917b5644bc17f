"""The local stack's web console server: serves the built console (web/dist) on loopback with SPA fallback,
writes its run-time ``/config.json`` (the local API URL, local sign-in), and signs demo identities in.

The demo sign-in endpoint (``GET /local-auth/identities``, ``POST /local-auth/token``) lives here, in the local
stack only: the API (app.py) has no such route, so no cloud stage can mint a token
(tests/infra/test_console_local_auth.py proves it over the route table and the synthesized templates).

    python -m tools.console_server --port 8080 --api-url http://127.0.0.1:8000
"""
from __future__ import annotations

import argparse
import json
import mimetypes
import os
import threading
from functools import cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

ROOT = Path(__file__).resolve().parent.parent
DIST = ROOT / "web" / "dist"
REFERENCE = ROOT / "chalicelib" / "reference"
TOKEN_PATH = "/local-auth/token"
IDENTITIES_PATH = "/local-auth/identities"
PROVINCE = "440000"

# Demo citizens: `alice` is the subject README's `make token ROLE=citizen SUB=alice` mints too.
CITIZENS = (("alice", "张三", "深圳工作的东莞户籍居民"), ("bob", "李四", "珠海工作的深圳户籍居民"),
            ("carol", "王五", "东莞工作的珠海户籍居民"))


@cache
def demo_identities() -> tuple[dict[str, Any], ...]:
    """Citizens, staff of each office and supervisors of each city and of the province, from the reference data
    (a fourth city's offices appear here with no code change)."""
    offices = json.loads((REFERENCE / "offices.json").read_text("utf-8"))
    cities = json.loads((REFERENCE / "cities.json").read_text("utf-8"))
    found: list[dict[str, Any]] = [
        {"id": f"citizen-{sub}", "role": "citizen", "sub": sub, "name": name, "note": note}
        for sub, name, note in CITIZENS
    ]
    for office in offices:
        oid = office["office_id"]
        found.append({"id": f"staff-{oid}", "role": "staff", "sub": f"staff-{oid.lower()}",
                      "name": f"{oid} 窗口工作人员", "office_id": oid, "office_name": office["name"],
                      "city": office["city"]})
    for city in cities:
        found.append({"id": f"supervisor-{city['code']}", "role": "supervisor", "sub": f"supervisor-{city['code']}",
                      "name": f"{city['name']}监督员", "city": city["code"]})
    found.append({"id": f"supervisor-{PROVINCE}", "role": "supervisor", "sub": f"supervisor-{PROVINCE}",
                  "name": "广东省监督员（省级）", "city": PROVINCE})
    return tuple(found)


def issue_token(identity_id: str, secret: str | None = None) -> tuple[str, dict[str, Any]] | None:
    from chalicelib.api.auth import issue_dev_token
    from chalicelib.config import DEFAULT_DEV_SECRET

    who = next((i for i in demo_identities() if i["id"] == identity_id), None)
    if who is None:
        return None
    token = issue_dev_token(who["role"], who["sub"], who.get("office_id"),
                            who["city"] if who["role"] == "supervisor" else None, who["name"], 12 * 3600,
                            secret or os.environ.get("AUTH_DEV_SECRET", DEFAULT_DEV_SECRET))
    return token, who


def runtime_config(api_url: str) -> dict[str, Any]:
    return {"stage": "local", "apiUrl": api_url,
            "auth": {"mode": "local", "tokenUrl": TOKEN_PATH, "identitiesUrl": IDENTITIES_PATH}}


def security_headers(api_url: str) -> dict[str, str]:
    # antd writes its styles at run time (CSS-in-JS): styles need 'unsafe-inline'; scripts never do.
    csp = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
           f"font-src 'self' data:; connect-src 'self' {api_url}; frame-ancestors 'none'; base-uri 'self'; "
           "form-action 'self'")
    return {"Content-Security-Policy": csp, "X-Content-Type-Options": "nosniff", "X-Frame-Options": "DENY",
            "Referrer-Policy": "no-referrer"}


class ConsoleHandler(BaseHTTPRequestHandler):
    server_version = "kc-console"
    dist: Path = DIST
    api_url = "http://127.0.0.1:8000"

    def log_message(self, format: str, *args: Any) -> None:
        pass  # quiet: the API's log is the one to read

    def _send(self, status: int, body: bytes, content_type: str, headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for key, value in {**security_headers(self.api_url), **(headers or {})}.items():
            self.send_header(key, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _json(self, status: int, payload: Any) -> None:
        self._send(status, json.dumps(payload, ensure_ascii=False).encode(), "application/json; charset=utf-8",
                   {"Cache-Control": "no-store"})

    def do_HEAD(self) -> None:
        self.do_GET()

    def do_GET(self) -> None:
        path = unquote(urlsplit(self.path).path)
        if path == "/config.json":
            return self._json(200, runtime_config(self.api_url))
        if path == IDENTITIES_PATH:
            return self._json(200, {"items": list(demo_identities())})
        if path.startswith("/local-auth/"):
            return self._json(405, {"code": "method_not_allowed", "message": "use POST"})
        self._static(path)

    def do_POST(self) -> None:
        path = urlsplit(self.path).path
        if path != TOKEN_PATH:
            return self._json(404, {"code": "not_found", "message": "not found"})
        origin = self.headers.get("Origin")
        host = self.headers.get("Host", "")
        if origin and urlsplit(origin).netloc != host:
            return self._json(403, {"code": "forbidden", "message": "sign in from the console itself"})
        try:
            length = min(int(self.headers.get("Content-Length") or 0), 4096)
            body = json.loads(self.rfile.read(length) or b"{}")
            identity_id = body.get("identity") if isinstance(body, dict) else None
        except (ValueError, UnicodeDecodeError):
            identity_id = None
        if not isinstance(identity_id, str):
            return self._json(400, {"code": "invalid", "message": "identity: choose a demo identity",
                                    "field": "identity"})
        issued = issue_token(identity_id)
        if issued is None:
            return self._json(404, {"code": "not_found", "message": "identity: no such demo identity",
                                    "field": "identity"})
        token, who = issued
        self._json(200, {"token": token, "identity": who})

    def _static(self, path: str) -> None:
        root = self.dist.resolve()
        target = (root / path.lstrip("/")).resolve()
        if root not in target.parents and target != root:
            return self._json(404, {"code": "not_found", "message": "not found"})
        if target.is_file():
            content_type = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
            if content_type.startswith("text/") or content_type in ("application/javascript", "text/javascript"):
                content_type += "; charset=utf-8"
            hashed = path.startswith("/assets/")
            cache_control = "public, max-age=31536000, immutable" if hashed else "no-cache"
            return self._send(200, target.read_bytes(), content_type, {"Cache-Control": cache_control})
        if path.startswith("/assets/") or Path(path).suffix:
            return self._send(404, b"not found", "text/plain; charset=utf-8")
        index = root / "index.html"
        if not index.is_file():
            return self._send(503, "控制台尚未构建：运行 make web".encode(), "text/plain; charset=utf-8")
        # Every other path is a route of the single-page app.
        self._send(200, index.read_bytes(), "text/html; charset=utf-8", {"Cache-Control": "no-cache"})


def serve(port: int, api_url: str, dist: Path = DIST, host: str = "127.0.0.1") -> ThreadingHTTPServer:
    """Start serving in a daemon thread; returns the server (``shutdown()`` stops it)."""
    handler = type("BoundConsoleHandler", (ConsoleHandler,), {"dist": dist, "api_url": api_url.rstrip("/")})
    server = ThreadingHTTPServer((host, port), handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, name="console-server", daemon=True).start()
    return server


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--port", type=int, default=8080)
    parser.add_argument("--api-url", default="http://127.0.0.1:8000")
    args = parser.parse_args(argv)
    server = serve(args.port, args.api_url)
    print(f"console http://127.0.0.1:{server.server_address[1]} (API {args.api_url}); Ctrl-C stops it", flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        server.shutdown()


if __name__ == "__main__":
    main()
