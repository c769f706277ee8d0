"""HTTP API of the open data: the register of aids in the SCDL « subventions » 2.1.1 format and the downloads of
the public tables (CSV, XLSX).

Internal (`/registre/aides.scdl.csv`): every subsidy with its beneficiary, for the roles whose work is the aids
themselves (the SGPI, Bpifrance, operators; company-level data, DOMAIN-REFERENCE §7). Public
(`/public/…`): what the latest cleared publication (or the one named) released, frozen as cleared; before any
release, nothing (404, as for a publication that is not public)."""

from __future__ import annotations

import os
from functools import cache
from importlib import resources
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import Response

from contracts.base import Identifiant, Role
from contracts.public.v1 import PublicationPublique
from kernel.adapters.http_access import require_role, runtime_of
from kernel.decider import DomainError
from reporting.adapters.downloads import CSV_MEDIA_TYPE, XLSX_MEDIA_TYPE, csv_bytes, xlsx_bytes
from reporting.application import opendata
from reporting.domain import scdl
from reporting.entrypoints.http import AsOf, KnownAt
from reporting.entrypoints.http_publications import public
from reporting.entrypoints.projection import projection_store

REGISTRE_READERS = (Role.SGPI, Role.BPIFRANCE_CHARGE, Role.SYSTEME)
registre = APIRouter(prefix="/registre", tags=["open data"], dependencies=[Depends(require_role(*REGISTRE_READERS))])

PublicationChoisie = Annotated[
    Identifiant | None, Query(description="A released publication (default: the latest one released)")
]
TableName = Literal["national", "regions", "territoires", "aides"]  # reporting.domain.tables.BUILDERS


class RegistreNonConfigure(DomainError):
    reason = "registre_non_configure"


def attribuant() -> scdl.Attribuant:
    """The body that grants, as the register names it: `REBOND_SCDL_NOM_ATTRIBUANT` (default Bpifrance) and
    `REBOND_SCDL_ID_ATTRIBUANT`, its establishment's SIRET, which no source of the programme gives: it must be set."""
    nom = os.environ.get("REBOND_SCDL_NOM_ATTRIBUANT", "").strip() or "Bpifrance"
    siret = os.environ.get("REBOND_SCDL_ID_ATTRIBUANT", "").strip()
    if not siret:
        raise RegistreNonConfigure("le SIRET de l'attribuant n'est pas configuré (REBOND_SCDL_ID_ATTRIBUANT)")
    try:
        return scdl.Attribuant(nom, siret)
    except ValueError as error:
        raise RegistreNonConfigure(str(error)) from None


@cache
def table_schema() -> bytes:
    """The SCDL « subventions » Table Schema, version 2.1.1 (contracts.public)."""
    return resources.files("contracts.public").joinpath("scdl_subventions_2.1.1.json").read_bytes()


def _attachment(content: bytes, filename: str, media_type: str = CSV_MEDIA_TYPE) -> Response:
    return Response(
        content, media_type=media_type, headers={"Content-Disposition": f'attachment; filename="{filename}"'}
    )


@registre.get("/aides.scdl.csv", response_class=Response, responses={200: {"content": {"text/csv": {}}}})
async def registre_interne(request: Request, as_of: AsOf = None, known_at: KnownAt = None) -> Response:
    """Every subsidy granted by the date, in the SCDL « subventions » 2.1.1 format (internal: all amounts)."""
    rows = await opendata.registre(projection_store(runtime_of(request).pool), attribuant(), as_of, known_at)
    return _attachment(scdl.to_csv(rows).encode(), f"subventions-rebond-{as_of or 'courant'}.csv")


@public.get("/aides.scdl.csv", response_class=Response, responses={200: {"content": {"text/csv": {}}}})
async def registre_public(request: Request, publication_id: PublicationChoisie = None) -> Response:
    """The subsidies of 500 000 € and more a cleared publication released, in the SCDL « subventions » 2.1.1
    format (schema: /public/aides.scdl.schema.json)."""
    publication = await _publication(request, publication_id)
    rows = opendata.registre_public(publication, attribuant())
    return _attachment(scdl.to_csv(rows).encode(), f"subventions-rebond-{publication.publication_id}.csv")


@public.get("/aides.scdl.schema.json", response_class=Response)
async def schema_scdl() -> Response:
    """The Table Schema the register follows (SCDL « subventions » 2.1.1, schema.data.gouv.fr)."""
    return Response(table_schema(), media_type="application/json")


@public.get(
    "/donnees/{table}.{format}",
    response_class=Response,
    responses={200: {"content": {"text/csv": {}, XLSX_MEDIA_TYPE: {}}}},
)
async def telecharger(
    request: Request, table: TableName, format: Literal["csv", "xlsx"], publication_id: PublicationChoisie = None
) -> Response:
    """A public table of a cleared publication (national, regions, territoires, aides), as CSV or XLSX."""
    publication = await _publication(request, publication_id)
    data = opendata.table_publique(publication, table)
    filename = f"rebond-{table}-{publication.publication_id}.{format}"
    if format == "csv":
        return _attachment(csv_bytes(data), filename)
    return _attachment(xlsx_bytes(data, table, publication.diffusee_le), filename, XLSX_MEDIA_TYPE)


async def _publication(request: Request, publication_id: str | None) -> PublicationPublique:
    found = await opendata.derniere_publique(runtime_of(request).store, publication_id)
    if found is None:
        raise HTTPException(
            404, detail="aucune publication publique" + (f" {publication_id}" if publication_id else "")
        )
    return found
