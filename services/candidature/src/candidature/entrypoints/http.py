"""HTTP API of candidatures: drafts, deposit, withdrawal, the confidential dossier, the instructors' list."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request, Response
from pydantic import BaseModel

from candidature.adapters.unite import index_en_lecture, unite_de_travail
from candidature.application import handlers
from candidature.application.ports import LigneDepot
from candidature.application.queries import StatutListe, lister_candidatures
from candidature.domain.candidature import stream_id
from candidature.entrypoints.vues import NouvelleCandidature, Retrait, VueCandidature, vue
from contracts.base import Identifiant, Role
from contracts.candidature.v1 import Dossier
from kernel.access import record_read
from kernel.adapters.http import answer, command_context, require_role, runtime_of
from kernel.ports import CommandContext

router = APIRouter(tags=["candidatures"])
Candidat = Annotated[CommandContext, Depends(require_role(Role.EPCI_CANDIDAT))]
CandidatureId = Annotated[Identifiant, Path(description="The candidature's id (chosen by the territory at its draft)")]
REFUS: dict[int | str, dict[str, Any]] = {
    401: {"description": "No bearer token"},
    403: {
        "description": "Not an EPCI_CANDIDAT, or (hors_perimetre) "
        "the caller's EPCI (its token's scope, a SIREN) is not among the candidature's"
    },
    404: {"description": "candidature_introuvable: none, or not one of the caller's EPCI"},
}
CONFIDENTIALITE = """The dossier is confidential (cahier des charges, « Confidentialité »): it is answered only to
the candidature's own EPCIs (EPCI_CANDIDAT whose scope SIREN is among its `epci_sirens`, drafts included), and,
once deposited, to INSTRUCTEUR_CDC, DTI_ANCT, and an EXPERT_EXTERNE designated for it by instruction
(ExpertDesigne) while its access lasts (`acces_jusqu_au`, inclusive). Every read is recorded on the candidature's
access log (who, role, why, which version, when), apart from its stream, before it is answered; at most 120 reads
a minute per reader (429 beyond).

Without a token: 401. Any other caller, whatever its role, gets 404 exactly as for a candidature that does not
exist, so that the existence of a candidature (a territory's intention to apply) is not revealed either."""


@router.post(
    "/candidatures",
    response_model=VueCandidature,
    status_code=201,
    responses={
        **REFUS,
        200: {"description": "The same draft again: nothing recorded"},
        409: {"description": "candidature_existante, porteur_incoherent"},
    },
)
async def initier(body: NouvelleCandidature, request: Request, response: Response, context: Candidat) -> VueCandidature:
    """Open a draft (CandidatureInitiee). Only the carrier is required; `manquants` says what the deposit
    still needs. The caller's EPCI must be among `epci_sirens`."""
    dossier = Dossier.model_validate(body.model_dump(exclude={"candidature_id"}))
    resultat = await handlers.initier_candidature(runtime_of(request).store, body.candidature_id, dossier, context)
    return await _answer(request, response, body.candidature_id, resultat, context)


@router.put(
    "/candidatures/{candidature_id}/dossier",
    response_model=VueCandidature,
    responses={**REFUS, 409: {"description": "deja_deposee, candidature_retiree, vague_relevee, porteur_incoherent"}},
)
async def modifier(
    candidature_id: CandidatureId, dossier: Dossier, request: Request, context: Candidat
) -> VueCandidature:
    """Save the draft's whole dossier (DossierModifie), complete or not; only while it is a draft."""
    resultat = await handlers.modifier_dossier(runtime_of(request).store, candidature_id, dossier, context)
    return vue(candidature_id, resultat, context.occurred_at)


@router.post(
    "/candidatures/{candidature_id}/depot",
    response_model=VueCandidature,
    status_code=201,
    responses={
        **REFUS,
        200: {"description": "Already deposited: nothing recorded"},
        409: {
            "description": "dossier_incomplet (with `manquants`: every missing or non-conforming element), "
            "dnsh_prejudice_important, ami_clos, epci_deja_candidat, candidature_retiree, vague_relevee"
        },
    },
)
async def deposer(
    candidature_id: CandidatureId, request: Request, response: Response, context: Candidat
) -> VueCandidature:
    """Deposit the draft (CandidatureDeposee) in the wave whose relève comes next (12:00 Europe/Paris).

    Refused when anything is missing (7 sections, 20 pages at most annexes included with exactly 2 pages of
    synthesis, the Grille d'impacts on the 6 objectives with its reference solution, methodology and
    hypotheses, territory, region, perimeter, filière), when the grille declares a significant harm (DNSH:
    excluded), after the final relève or an early closure, or when one of its EPCIs is already in a deposited
    candidature of the same wave. Accepted with `warnings` when it shares its perimeter with a candidature of
    its wave or an EPCI with a candidature of another wave (criterion 7). Contiguity of separate EPCIs is not
    detected: it needs a geographic adjacency dataset of EPCIs that Rebond does not have."""
    async with unite_de_travail(runtime_of(request))() as (store, index):
        resultat = await handlers.deposer_candidature(store, index, candidature_id, context)
    return await _answer(request, response, candidature_id, resultat, context)


@router.post(
    "/candidatures/{candidature_id}/adhesion",
    response_model=VueCandidature,
    status_code=201,
    responses={
        **REFUS,
        200: {"description": "This EPCI already agreed: nothing recorded"},
        409: {"description": "deja_deposee"},
    },
)
async def adherer(
    candidature_id: CandidatureId, request: Request, response: Response, context: Candidat
) -> VueCandidature:
    """The calling EPCI (its token's SIREN) agrees to be part of the candidature (AdhesionEpciDonnee). Every EPCI the
    dossier names but the depositor must agree before the deposit is accepted (`adhesions_manquantes` otherwise),
    so that no EPCI is put in a candidature, and locked out of the wave, without its consent."""
    resultat = await handlers.adherer_candidature(runtime_of(request).store, candidature_id, context)
    return await _answer(request, response, candidature_id, resultat, context)


@router.post(
    "/candidatures/{candidature_id}/retrait",
    response_model=VueCandidature,
    status_code=201,
    responses={
        **REFUS,
        200: {"description": "Already withdrawn for this reason: nothing recorded"},
        409: {"description": "non_deposee, vague_relevee, candidature_retiree"},
    },
)
async def retirer(
    candidature_id: CandidatureId, body: Retrait, request: Request, response: Response, context: Candidat
) -> VueCandidature:
    """Withdraw a deposited candidature before the relève of its wave (CandidatureRetiree); its EPCIs may then
    be in another candidature of the wave."""
    async with unite_de_travail(runtime_of(request))() as (store, index):
        resultat = await handlers.retirer_candidature(store, index, candidature_id, body.motif, context)
    return await _answer(request, response, candidature_id, resultat, context)


@router.get(
    "/candidatures/{candidature_id}",
    response_model=VueCandidature,
    description=CONFIDENTIALITE,
    responses={
        401: {"description": "No bearer token"},
        404: {"description": "No such candidature, or the caller may not read it"},
    },
)
async def consulter(
    candidature_id: CandidatureId, request: Request, context: Annotated[CommandContext, Depends(command_context)]
) -> VueCandidature:
    runtime = runtime_of(request)
    resultat = await handlers.consulter_dossier(runtime.store, runtime.access_log, candidature_id, context)
    return vue(candidature_id, resultat, context.occurred_at)


class LigneListe(BaseModel):
    candidature_id: str
    statut: StatutListe
    vague: int
    nom_territoire: str
    region_code: str
    porteur: str
    epci_sirens: list[str]
    perimetre: str
    deposee_le: datetime
    retiree_le: datetime | None


@router.get(
    "/candidatures",
    response_model=list[LigneListe],
    responses={401: {"description": "No bearer token"}, 403: {"description": "Not an instructor"}},
)
async def lister(
    request: Request,
    context: Annotated[CommandContext, Depends(require_role(Role.INSTRUCTEUR_CDC, Role.DTI_ANCT))],
    vague: Annotated[int | None, Query(ge=1, le=13)] = None,
    statut: StatutListe | None = None,
) -> list[LigneListe]:
    """Deposited candidatures (drafts are the territories' own), for INSTRUCTEUR_CDC and DTI_ANCT, by wave and
    status at business time. A summary: reading a dossier is GET /candidatures/{id}, which is recorded."""
    async with index_en_lecture(runtime_of(request)) as index:
        lignes = await lister_candidatures(index, context.occurred_at, vague, statut)
    return [_ligne(ligne, s) for ligne, s in lignes]


def _ligne(ligne: LigneDepot, statut: StatutListe) -> LigneListe:
    return LigneListe(
        candidature_id=ligne.candidature_id,
        statut=statut,
        vague=ligne.vague,
        nom_territoire=ligne.nom_territoire,
        region_code=ligne.region_code,
        porteur=ligne.porteur,
        epci_sirens=ligne.epci_sirens,
        perimetre=ligne.perimetre,
        deposee_le=ligne.deposee_le,
        retiree_le=ligne.retiree_le,
    )


async def _answer(
    request: Request, response: Response, candidature_id: str, resultat: handlers.Resultat, context: CommandContext
) -> VueCandidature:
    """A command answers with the dossier: when it recorded nothing (the same request again), that answer is a
    read of the dossier like any other, so it is recorded in the access log (and counts in the rate limit)."""
    if not resultat.created:
        await record_read(
            runtime_of(request).access_log, stream_id(candidature_id), resultat.version, context, "CANDIDAT"
        )
    return answer(response, resultat, vue(candidature_id, resultat, context.occurred_at))
