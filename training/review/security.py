"""What every request to the workbench must pass before it reaches a route.

1. **Host**: the ``Host`` header must name the server as the browser was told
   to reach it (``127.0.0.1:PORT``, ``localhost:PORT``, ``[::1]:PORT``, the
   ``--host`` given, or an ``--allow-host``); anything else is refused with
   403, so a page on another site whose name is made to resolve to 127.0.0.1
   (DNS rebinding) gets nothing.
2. **Token**: a random token (``secrets.token_urlsafe``) in the printed URL.
   The first page load carries it as ``?token=``; the server answers with a
   cookie (HttpOnly, SameSite=Strict, named after the port, since cookies do
   not tell ports apart) and a redirect to the same page without it, so it
   leaves the address bar and history. Later requests carry the cookie or an
   ``X-Claim-Risk-Token`` header. Without a valid one every request gets 401.
   Tokens are compared with ``hmac.compare_digest``.
3. **Same origin**: a request that changes anything (any method but GET and
   HEAD) must also come from the workbench's own page: an ``Origin`` header
   naming an allowed host, or, without one, ``Sec-Fetch-Site: same-origin``.
   Else 403.

Every answer carries a Content-Security-Policy that allows the page's own
script and style only (no inline code, no other origin), and headers that
keep it out of frames, caches and referrers.
"""

from __future__ import annotations

import hmac
from collections.abc import Iterable
from http.cookies import SimpleCookie
from urllib.parse import parse_qs

from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["HEADER", "SAFE_METHODS", "Guard", "allowed_hosts", "cookie_name"]

HEADER = "x-claim-risk-token"
SAFE_METHODS = frozenset({"GET", "HEAD"})
LOOPBACK_NAMES = ("127.0.0.1", "localhost", "[::1]")
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)
SECURITY_HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (b"cache-control", b"no-store"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"cross-origin-resource-policy", b"same-origin"),
]


def cookie_name(port: int) -> str:
    """The token cookie's name for the workbench on ``port``."""
    return f"claim_risk_review_{port}"


def allowed_hosts(host: str, port: int, extra: Iterable[str] = ()) -> frozenset[str]:
    """The ``Host`` values the server answers to (each with the port)."""
    names = {*LOOPBACK_NAMES, *extra}
    if host not in ("0.0.0.0", "::", ""):
        names.add(f"[{host}]" if ":" in host and not host.startswith("[") else host)
    return frozenset(f"{name.lower()}:{port}" for name in names)


class Guard:
    """ASGI middleware: Host, token and same-origin checks, and the security headers."""

    def __init__(self, app: ASGIApp, token: str, hosts: frozenset[str], port: int) -> None:
        self.app = app
        self.token = token.encode()
        self.hosts = hosts
        self.origins = frozenset(f"http://{h}" for h in hosts)
        self.cookie = cookie_name(port)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "websocket":  # the workbench has none: refuse before anything
            await send({"type": "websocket.close", "code": 1008})
            return
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        method = scope["method"].upper()

        async def send_secured(message: Message) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message.get("headers", []), *SECURITY_HEADERS]}
            await send(message)

        if headers.get("host", "").lower() not in self.hosts:
            await _refuse(
                send_secured, 403, "refused: this server answers to its loopback name only"
            )
            return
        query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
        from_query = query.get("token", [""])[0]
        if method in SAFE_METHODS and scope["path"] == "/" and from_query:
            if not self._valid(from_query):
                await _refuse(send_secured, 401, "refused: wrong token; use the URL printed")
                return
            await _login(send_secured, self.cookie, from_query)
            return
        if not self._valid(headers.get(HEADER, "") or self._from_cookie(headers.get("cookie", ""))):
            await _refuse(
                send_secured,
                401,
                "refused: no valid token; open the URL that `claim-risk review` printed",
            )
            return
        if method not in SAFE_METHODS and not self._same_origin(headers):
            await _refuse(send_secured, 403, "refused: not from the workbench's own page")
            return
        await self.app(scope, receive, send_secured)

    def _valid(self, given: str) -> bool:
        return bool(given) and hmac.compare_digest(given.encode("utf-8", "replace"), self.token)

    def _from_cookie(self, header: str) -> str:
        jar: SimpleCookie = SimpleCookie()
        try:
            jar.load(header)
        except Exception:  # a malformed Cookie header is no token
            return ""
        morsel = jar.get(self.cookie)
        return morsel.value if morsel is not None else ""

    def _same_origin(self, headers: dict[str, str]) -> bool:
        origin = headers.get("origin")
        if origin is not None:
            return origin.lower() in self.origins
        return headers.get("sec-fetch-site") == "same-origin"


async def _refuse(send: Send, status: int, text: str) -> None:
    body = (text + "\n").encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"text/plain; charset=utf-8"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


async def _login(send: Send, cookie: str, token: str) -> None:
    """Set the token cookie and send the browser to the page without the token in its URL."""
    value = f"{cookie}={token}; Path=/; HttpOnly; SameSite=Strict"
    await send(
        {
            "type": "http.response.start",
            "status": 303,
            "headers": [
                (b"location", b"/"),
                (b"set-cookie", value.encode()),
                (b"content-length", b"0"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": b""})
