"""The first trust boundary of every service: bytes a route's types cannot see are refused before any route runs.

Python's JSON reader accepts NaN, Infinity and 1e400 (an infinite float), NUL characters and lone surrogates; a
path or a query string may carry NUL, control characters or bytes that are not UTF-8. None of these can be stored
by every consumer and projection (PostgreSQL text refuses NUL, UTF-8 has no lone surrogate, JSON has no NaN), so
none may enter: the request is answered 422 naming where the bad value is, and nothing runs. Bodies are bounded in
size and depth. Every answer also carries the security headers, and `Cache-Control: no-store` when the request
carried credentials (what a caller is allowed to read is not for shared caches)."""

from __future__ import annotations

import json
import math
import re
from typing import Any
from urllib.parse import parse_qsl, unquote_to_bytes

from starlette.types import ASGIApp, Message, Receive, Scope, Send

MAX_BODY_BYTES = 1_000_000
MAX_DEPTH = 32
MAX_PATH_BYTES = 2_000
# C0 controls but tab, newline and carriage return; DEL and the C1 controls
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_SURROGATE = re.compile(r"[\ud800-\udfff]")

SECURITY_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (b"cross-origin-resource-policy", b"same-origin"),
]
API_CSP = (b"content-security-policy", b"default-src 'none'; frame-ancestors 'none'")
DOCS = ("/docs", "/redoc")  # Swagger UI and ReDoc load their own scripts and styles


class Refused(ValueError):
    def __init__(self, where: str, why: str) -> None:
        super().__init__(f"{where}: {why}")
        self.where, self.why = where, why


def check_text(value: str, where: str) -> None:
    if _SURROGATE.search(value):
        raise Refused(where, "a lone surrogate is not a character (invalid UTF-16)")
    if "\x00" in value:
        raise Refused(where, "NUL characters are not accepted")
    if _CONTROL.search(value):
        raise Refused(where, "control characters are not accepted")


def _reject_constant(name: str) -> Any:
    raise Refused("body", f"{name} is not a JSON number")


def _finite_float(text: str) -> float:
    number = float(text)
    if math.isinf(number):
        raise Refused("body", f"{text[:40]} is out of range")
    return number


def check_json(document: Any, where: str = "body", depth: int = 0) -> None:
    """Every string (keys too) a clean text, and nesting bounded."""
    if depth > MAX_DEPTH:
        raise Refused(where, f"nested deeper than {MAX_DEPTH} levels")
    if isinstance(document, str):
        check_text(document, where)
    elif isinstance(document, dict):
        for key, value in document.items():
            check_text(key, f"{where} (a key)")
            check_json(value, f"{where}.{key}", depth + 1)
    elif isinstance(document, list):
        for index, value in enumerate(document):
            check_json(value, f"{where}.{index}", depth + 1)


def check_body(body: bytes) -> None:
    """Refuse what JSON itself allows but no store can keep; malformed JSON is left to the route (422 json_invalid)."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as error:
        raise Refused("body", f"not UTF-8 (byte {error.start})") from error
    try:
        document = json.loads(text, parse_constant=_reject_constant, parse_float=_finite_float)
    except json.JSONDecodeError:
        return
    except RecursionError as error:
        raise Refused("body", f"nested deeper than {MAX_DEPTH} levels") from error
    check_json(document)


def check_target(scope: Scope) -> None:
    """The path and the query string: UTF-8, no NUL or control character, bounded."""
    raw_path: bytes = scope.get("raw_path") or scope["path"].encode("utf-8", "surrogateescape")
    if len(raw_path) > MAX_PATH_BYTES:
        raise Refused("path", f"longer than {MAX_PATH_BYTES} bytes")
    try:
        path = unquote_to_bytes(raw_path).decode("utf-8")
    except UnicodeDecodeError as error:
        raise Refused("path", "not UTF-8") from error
    check_text(path, "path")
    query: bytes = scope.get("query_string", b"")
    if len(query) > MAX_PATH_BYTES:
        raise Refused("query", f"longer than {MAX_PATH_BYTES} bytes")
    try:
        pairs = parse_qsl(query.decode("latin-1"), keep_blank_values=True, encoding="utf-8", errors="strict")
    except UnicodeDecodeError as error:
        raise Refused("query", "not UTF-8") from error
    for name, value in pairs:
        check_text(name, "query (a name)")
        check_text(value, f"query.{name[:40]}")


class InputGuard:
    """Pure ASGI middleware (no per-request task or thread): checks the target and a JSON body, then lets the app
    read the body it buffered; adds the security headers to every answer."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        guarded = self._with_headers(scope, send)
        try:
            check_target(scope)
            body = await self._read_body(receive) if _has_body(scope) else None
            if body is not None and _is_json(scope):
                check_body(body)
        except Refused as refused:
            await _refuse(guarded, refused)
            return
        except _TooLarge:
            await _answer(guarded, 413, {"error": "corps_trop_grand", "detail": f"body over {MAX_BODY_BYTES} bytes"})
            return
        if body is None:
            await self.app(scope, receive, guarded)
            return
        delivered = False

        async def replay() -> Message:
            nonlocal delivered
            if not delivered:
                delivered = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()  # http.disconnect

        await self.app(scope, replay, guarded)

    @staticmethod
    async def _read_body(receive: Receive) -> bytes:
        chunks, size = [], 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                raise _TooLarge() if size > MAX_BODY_BYTES else Refused("body", "the client went away")
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > MAX_BODY_BYTES:
                raise _TooLarge()
            chunks.append(chunk)
            if not message.get("more_body", False):
                return b"".join(chunks)

    @staticmethod
    def _with_headers(scope: Scope, send: Send) -> Send:
        credentials = any(name == b"authorization" for name, _ in scope.get("headers", ()))
        documentation = scope["path"].startswith(DOCS)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [h for h in message.get("headers", ()) if h[0].lower() != b"cache-control" or not credentials]
                headers.extend(SECURITY_HEADERS)
                own_policy = any(name.lower() == API_CSP[0] for name, _ in headers)  # a page that states its own
                if not documentation and not own_policy:
                    headers.append(API_CSP)
                if credentials:
                    headers.append((b"cache-control", b"no-store"))
                message = {**message, "headers": headers}
            await send(message)

        return send_with_headers


class _TooLarge(Exception):
    pass


def _has_body(scope: Scope) -> bool:
    return scope["method"] in ("POST", "PUT", "PATCH", "DELETE")


def _is_json(scope: Scope) -> bool:
    for name, value in scope.get("headers", ()):
        if name == b"content-type":
            return b"json" in value.lower()
    return True  # FastAPI reads a body without a content type as JSON too


async def _refuse(send: Send, refused: Refused) -> None:
    detail = [{"loc": refused.where.split("."), "msg": refused.why, "type": "value_error"}]
    await _answer(send, 422, {"error": "entree_invalide", "detail": detail})


async def _answer(send: Send, status: int, content: dict[str, Any]) -> None:
    body = json.dumps(content, ensure_ascii=False).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
