"""The first trust boundary: bytes no store can keep are refused 422 (naming where) before any route runs."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from pydantic import BaseModel

from kernel.adapters.http_guard import MAX_BODY_BYTES, InputGuard

seen: list[Any] = []


class Body(BaseModel):
    nom: str
    montant: float | int = 0


def guarded_app() -> FastAPI:
    app = FastAPI()

    @app.post("/echo/{ident}")
    async def echo(ident: str, body: Body) -> dict[str, Any]:
        seen.append(body)
        return {"ident": ident, **body.model_dump()}

    @app.get("/read")
    async def read(q: str = "") -> dict[str, str]:
        return {"q": q}

    app.add_middleware(InputGuard)
    return app


@pytest.fixture
def client() -> httpx.AsyncClient:
    seen.clear()
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=guarded_app()), base_url="http://t")


async def post(client: httpx.AsyncClient, raw: bytes, path: str = "/echo/a") -> httpx.Response:
    return await client.post(path, content=raw, headers={"content-type": "application/json"})


@pytest.mark.parametrize(
    ("raw", "where"),
    [
        (b'{"nom": "a\\u0000b"}', ["body", "nom"]),
        (b'{"nom": "\\ud800"}', ["body", "nom"]),
        (b'{"nom": "x", "montant": NaN}', ["body"]),
        (b'{"nom": "x", "montant": Infinity}', ["body"]),
        (b'{"nom": "x", "montant": 1e400}', ["body"]),
        (b'{"nom": "\xff\xfe"}', ["body"]),
        (b'{"n\\u0000om": "x"}', ["body (a key)"]),
        (b'{"nom": "bell\\u0007"}', ["body", "nom"]),
        (b"[" * 40 + b"]" * 40, ["body"] + ["0"] * 32),
    ],
)
async def test_what_no_store_can_keep_is_refused_naming_where(
    client: httpx.AsyncClient, raw: bytes, where: list[str]
) -> None:
    answer = await post(client, raw)
    assert answer.status_code == 422, answer.text
    assert answer.json()["error"] == "entree_invalide"
    assert answer.json()["detail"][0]["loc"][: len(where)] == where
    assert seen == []  # the route never ran


@pytest.mark.parametrize("path", ["/echo/a%00b", "/echo/%FF", "/echo/a%07", "/echo/" + "x" * 2100])
async def test_a_bad_path_is_refused(client: httpx.AsyncClient, path: str) -> None:
    answer = await post(client, b'{"nom": "x"}', path)
    assert answer.status_code == 422 and answer.json()["detail"][0]["loc"] == ["path"], answer.text


async def test_a_bad_query_is_refused_naming_the_parameter(client: httpx.AsyncClient) -> None:
    answer = await client.get("/read", params={"q": "a\x00"})
    assert answer.status_code == 422 and answer.json()["detail"][0]["loc"] == ["query", "q"]
    assert (await client.get("/read?q=%FF")).status_code == 422


async def test_clean_input_goes_through_unchanged_with_accents_newlines_and_numbers(client: httpx.AsyncClient) -> None:
    answer = await post(client, '{"nom": "Fonderie d\'Hénin\\nligne 2 — 5 €", "montant": 12.5}'.encode())
    assert answer.status_code == 200
    assert answer.json() == {"ident": "a", "nom": "Fonderie d'Hénin\nligne 2 — 5 €", "montant": 12.5}
    assert (await client.get("/read", params={"q": "Périgord Noir"})).json() == {"q": "Périgord Noir"}


async def test_malformed_json_is_left_to_the_route_and_a_huge_body_is_413(client: httpx.AsyncClient) -> None:
    assert (await post(client, b'{"nom": ')).json()["detail"][0]["type"] == "json_invalid"
    assert (await post(client, b'{"nom": "' + b"x" * MAX_BODY_BYTES + b'"}')).status_code == 413


async def test_security_headers_and_no_store_when_credentials_were_sent(client: httpx.AsyncClient) -> None:
    public = await client.get("/read")
    assert public.headers["x-content-type-options"] == "nosniff" and public.headers["x-frame-options"] == "DENY"
    assert "default-src 'none'" in public.headers["content-security-policy"]
    assert "cache-control" not in public.headers
    private = await client.get("/read", headers={"Authorization": "Bearer x"})
    assert private.headers["cache-control"] == "no-store"
