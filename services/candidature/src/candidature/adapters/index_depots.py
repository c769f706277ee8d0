"""The index of deposits on PostgreSQL (application.ports.IndexDepots), bound to one connection whose
transaction also appends the events: the index never disagrees with the log, and `reconstruire` rebuilds it
from the log alone (it is derived data, never a source of truth)."""

from __future__ import annotations

from importlib.resources import files

import asyncpg

from candidature.application.ports import Conflit, LigneDepot
from candidature.domain.chevauchement import Voisine, cle_perimetre
from contracts.candidature.v1 import CandidatureDeposee, CandidatureRetiree
from kernel.adapters.postgres import Connection, to_recorded

MIGRATION = files("candidature.adapters").joinpath("index_depots.sql").read_text()
VERROU_VAGUES = 7_301  # advisory lock class of the waves: (VERROU_VAGUES, vague)

RESERVER = """
INSERT INTO candidature_reservations_epci (vague, siren, candidature_id)
SELECT $1, siren, $3 FROM unnest($2::text[]) AS siren ORDER BY siren ON CONFLICT DO NOTHING"""
CONFLITS = """
SELECT siren, candidature_id FROM candidature_reservations_epci
 WHERE vague = $1 AND siren = ANY($2::text[]) AND candidature_id <> $3 ORDER BY siren"""
INSERER_DEPOT = """
INSERT INTO candidature_depots (candidature_id, vague, releve_le, nom_territoire, region_code, porteur, epci_sirens,
                                perimetre, cle_perimetre, deposee_le)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT (candidature_id) DO NOTHING"""
VOISINES = """
SELECT candidature_id, vague, (vague = $2 AND cle_perimetre = $3) AS meme_perimetre,
       ARRAY(SELECT unnest(epci_sirens) INTERSECT SELECT unnest($4::text[])) AS communs
  FROM candidature_depots
 WHERE retiree_le IS NULL AND candidature_id <> $1
   AND ((vague = $2 AND cle_perimetre = $3) OR (vague <> $2 AND epci_sirens && $4::text[]))"""
LISTER = """
SELECT candidature_id, vague, releve_le, nom_territoire, region_code, porteur, epci_sirens, perimetre, deposee_le,
       retiree_le FROM candidature_depots WHERE $1::integer IS NULL OR vague = $1
 ORDER BY vague, deposee_le, candidature_id"""


class IndexDepotsPostgres:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    async def verrouiller_vague(self, vague: int) -> None:
        await self.conn.execute("SELECT pg_advisory_xact_lock($1, $2)", VERROU_VAGUES, vague)

    async def enregistrer_depot(self, depot: CandidatureDeposee) -> list[Conflit]:
        sirens = sorted(depot.epci_sirens)  # one order for every writer: no deadlock between two deposits
        await self.conn.execute(RESERVER, depot.vague, sirens, depot.candidature_id)
        rows = await self.conn.fetch(CONFLITS, depot.vague, sirens, depot.candidature_id)
        if rows:
            return [Conflit(row["siren"], row["candidature_id"]) for row in rows]
        await self.conn.execute(
            INSERER_DEPOT,
            depot.candidature_id,
            depot.vague,
            depot.releve_le,
            depot.nom_territoire,
            depot.region_code,
            depot.porteur.value,
            depot.epci_sirens,
            depot.perimetre,
            cle_perimetre(depot.perimetre),
            depot.deposee_le,
        )
        return []

    async def enregistrer_retrait(self, retrait: CandidatureRetiree) -> None:
        await self.conn.execute(
            "DELETE FROM candidature_reservations_epci WHERE candidature_id = $1", retrait.candidature_id
        )
        await self.conn.execute(
            "UPDATE candidature_depots SET retiree_le = $2 WHERE candidature_id = $1",
            retrait.candidature_id,
            retrait.retiree_le,
        )

    async def voisines(
        self, candidature_id: str, vague: int, perimetre: str | None, sirens: list[str]
    ) -> list[Voisine]:
        cle = cle_perimetre(perimetre) if perimetre else None
        rows = await self.conn.fetch(VOISINES, candidature_id, vague, cle, sirens)
        return [
            Voisine(row["candidature_id"], row["vague"], bool(row["meme_perimetre"]), tuple(sorted(row["communs"])))
            for row in rows
        ]

    async def candidatures_de_la_vague(self, vague: int) -> list[str]:
        rows = await self.conn.fetch(
            "SELECT candidature_id FROM candidature_depots WHERE vague = $1 AND "
            "retiree_le IS NULL ORDER BY candidature_id",
            vague,
        )
        return [row["candidature_id"] for row in rows]

    async def lister(self, vague: int | None) -> list[LigneDepot]:
        return [LigneDepot(**dict(row)) for row in await self.conn.fetch(LISTER, vague)]


async def reconstruire(pool: asyncpg.Pool) -> int:
    """Rebuild the index from the events table alone; returns the number of events replayed."""
    async with pool.acquire() as conn, conn.transaction():
        await conn.execute("LOCK TABLE candidature_depots, candidature_reservations_epci IN EXCLUSIVE MODE")
        await conn.execute("DELETE FROM candidature_reservations_epci")
        await conn.execute("DELETE FROM candidature_depots")
        rows = await conn.fetch(
            "SELECT envelope FROM events WHERE event_type IN ('CandidatureDeposee', "
            "'CandidatureRetiree') ORDER BY position"
        )
        index = IndexDepotsPostgres(conn)
        for row in rows:
            match to_recorded(row["envelope"]).event:
                case CandidatureDeposee() as depot:
                    await index.enregistrer_depot(depot)
                case CandidatureRetiree() as retrait:
                    await index.enregistrer_retrait(retrait)
        return len(rows)
