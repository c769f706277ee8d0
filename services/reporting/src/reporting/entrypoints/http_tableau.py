"""The public dashboard, in French, for people: a page and its two assets, served by reporting itself (no CDN, so it
works offline and sends nobody's visit elsewhere). It reads only /public/… (the cleared publications)."""

from __future__ import annotations

from functools import cache
from importlib import resources

from fastapi import APIRouter
from fastapi.responses import RedirectResponse, Response

router = APIRouter(tags=["tableau de bord"])

ASSETS = {"tableau.js": "text/javascript; charset=utf-8", "tableau.css": "text/css; charset=utf-8"}
# The page loads its own script and style and fetches its own API: nothing else, nothing inline (the guard adds the
# other security headers, kernel.adapters.http_guard).
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'"
}


@cache
def _asset(name: str) -> bytes:
    return resources.files("reporting.entrypoints").joinpath("tableau", name).read_bytes()


@router.get("/", include_in_schema=False)
async def accueil() -> RedirectResponse:
    return RedirectResponse("/tableau-de-bord", status_code=307)


@router.get("/tableau-de-bord", response_class=Response, summary="Le tableau de bord public (HTML)")
async def tableau() -> Response:
    return Response(_asset("index.html"), media_type="text/html; charset=utf-8", headers=SECURITY_HEADERS)


@router.get("/tableau-de-bord/tableau.js", response_class=Response, include_in_schema=False)
async def script() -> Response:
    return Response(_asset("tableau.js"), media_type=ASSETS["tableau.js"], headers=SECURITY_HEADERS)


@router.get("/tableau-de-bord/tableau.css", response_class=Response, include_in_schema=False)
async def style() -> Response:
    return Response(_asset("tableau.css"), media_type=ASSETS["tableau.css"], headers=SECURITY_HEADERS)
