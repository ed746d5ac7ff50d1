"""Serving the web client (web-client.md 2): the built single-page application at ``/``.

``WebClientMiddleware`` wraps the whole application (outside tenant resolution: the login page
must load before any tenant is known). For ``GET``/``HEAD`` requests outside the server's own
prefixes (``/api``, ``/auth``, ``/docs``, ``/openapi.json``, ``/health``):

- a file of the bundle is sent as it is: ``/assets/*`` (content-hashed names) with a year-long
  ``immutable`` cache, other files (``/favicon.svg``) revalidated; a ``.gz`` sibling written at
  build time is sent to clients accepting gzip;
- any other path is first given to the application (module routes stay reachable); when it
  answers 404 and the request is a page load (``Accept: text/html``), ``index.html`` is sent
  instead, never cached, so that the client's own routes (``/action/...``) survive a reload;
- without a built bundle (a source checkout before ``npm run build``), page loads get a small
  HTML page saying how to build it.

The bundle lives in ``fullfinity/web/static/`` (built from ``frontend/`` by ``python3 dev.py
start``/``test`` or the wheel's build hook; git-ignored).
"""

from __future__ import annotations

import mimetypes
from pathlib import Path

from starlette.datastructures import Headers
from starlette.responses import FileResponse, HTMLResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["BUNDLE_DIR", "RESERVED_PREFIXES", "WebClientMiddleware", "missing_bundle_page"]

BUNDLE_DIR = Path(__file__).resolve().parent / "static"
RESERVED_PREFIXES = ("/api", "/auth", "/docs", "/openapi.json", "/health")
IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"
NEVER = "no-store, max-age=0"
_COMPRESSIBLE = (".js", ".css", ".html", ".svg", ".json", ".map", ".txt")

mimetypes.add_type("text/javascript", ".js")
mimetypes.add_type("text/css", ".css")
mimetypes.add_type("image/svg+xml", ".svg")


def missing_bundle_page() -> HTMLResponse:
    """What a page load gets when the web client was never built."""
    body = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Fullfinity: web client not built</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:40rem;margin:4rem auto;padding:0 1rem}
code,pre{background:#f1f3f5;border-radius:4px;padding:.1rem .3rem}pre{padding:.75rem}</style></head>
<body><h1>The web client is not built yet</h1>
<p>This server runs from a source checkout whose browser bundle has not been built. Build it with</p>
<pre>python3 dev.py start</pre>
<p>(which installs the Node packages and builds the client when its sources change), or by hand:</p>
<pre>cd frontend &amp;&amp; npm ci &amp;&amp; npm run build</pre>
<p>The REST API works meanwhile: see <a href="/docs">/docs</a>.</p></body></html>
"""
    return HTMLResponse(body, status_code=200, headers={"Cache-Control": NEVER})


def _reserved(path: str) -> bool:
    return any(path == prefix or path.startswith(prefix + "/") for prefix in RESERVED_PREFIXES)


class WebClientMiddleware:
    """ASGI middleware serving the bundle in ``directory`` (see the module docstring)."""

    def __init__(self, app: ASGIApp, directory: Path | None = None) -> None:
        self.app = app
        self.directory = (directory or BUNDLE_DIR).resolve()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in ("GET", "HEAD") or _reserved(scope["path"]):
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        path: str = scope["path"]
        file = self._file(path)
        if file is not None:
            await self._send_file(file, path, headers, scope, receive, send)
            return
        if path.startswith("/assets/"):  # a stale hashed name: never the index page in its place
            await Response("Not found", status_code=404, media_type="text/plain")(scope, receive, send)
            return
        if "text/html" not in headers.get("accept", ""):
            await self.app(scope, receive, send)
            return
        if await self._passes_through(scope, receive, send):
            return
        index = self.directory / "index.html"
        if not index.is_file():
            await missing_bundle_page()(scope, receive, send)
            return
        await FileResponse(index, headers={"Cache-Control": NEVER}, media_type="text/html")(scope, receive, send)

    def _file(self, path: str) -> Path | None:
        """The bundle file ``path`` names (not ``index.html``, served by the fallback only)."""
        relative = path.lstrip("/")
        if not relative or relative == "index.html" or "\x00" in relative:
            return None
        candidate = (self.directory / relative).resolve()
        if not candidate.is_relative_to(self.directory) or not candidate.is_file():
            return None
        return candidate

    async def _send_file(
        self, file: Path, path: str, headers: Headers, scope: Scope, receive: Receive, send: Send
    ) -> None:
        cache = IMMUTABLE if path.startswith("/assets/") else REVALIDATE
        media_type = mimetypes.guess_type(file.name)[0] or "application/octet-stream"
        extra = {"Cache-Control": cache, "X-Content-Type-Options": "nosniff", "Vary": "Accept-Encoding"}
        gz = file.with_name(file.name + ".gz")
        if file.suffix in _COMPRESSIBLE and "gzip" in headers.get("accept-encoding", "") and gz.is_file():
            extra["Content-Encoding"] = "gzip"
            file = gz
        await FileResponse(file, headers=extra, media_type=media_type)(scope, receive, send)

    async def _passes_through(self, scope: Scope, receive: Receive, send: Send) -> bool:
        """Run the application; ``False`` (nothing sent) when it answered 404."""
        missing = False
        started = False

        async def guarded(message: Message) -> None:
            nonlocal missing, started
            if message["type"] == "http.response.start":
                if message["status"] == 404:
                    missing = True
                    return
                started = True
            if not missing:
                await send(message)

        await self.app(scope, receive, guarded)
        return started and not missing
