"""HTTP routes of the CDC's instruction (with the DTI): eligibility, opening, complements, experts,
criteria, conclusions (DOMAIN-REFERENCE §2.3-2.5 rows 4-6)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Path, Request, Response
from stdnum.fr import siren as _siren

from contracts.base import Identifiant, Role
from contracts.instruction.v1 import CritereSelection
from instruction.selection.application.handlers import jour
from instruction.selection.domain.acces import INSTRUCTEURS
from instruction.selection.domain.commands import (
    AvisExpert,
    Conclusions,
    DemandeComplements,
    DemanderComplements,
    DesignationExpert,
    DesignerExpert,
    EvaluationCritere,
    EvaluerCritere,
    FournirComplements,
    JugerRecevabilite,
    OuvrirInstruction,
    Recevabilite,
    RendreAvisExpert,
    ReponseComplements,
    TransmettreConclusions,
)
from instruction.selection.entrypoints.responses import CandidatureId, Instructeur, construire, doc, executer
from kernel.adapters.http import require_role
from kernel.ports import CommandContext

router = APIRouter(tags=["instruction"])
Territoire = Annotated[CommandContext, Depends(require_role(Role.EPCI_CANDIDAT))]
Expert = Annotated[CommandContext, Depends(require_role(Role.EXPERT_EXTERNE))]
CDC = Annotated[CommandContext, Depends(require_role(Role.INSTRUCTEUR_CDC))]
ETAT = ["etat_incompatible", "candidature_inconnue"]


@router.post(
    "/dossiers/{candidature_id}/recevabilite",
    status_code=201,
    **doc(
        "Judge the candidature's eligibility",
        "The instructor assesses each of the 3 eligibility rules of the cahier des charges (satisfied or not, with a "
        "comment): all satisfied → `CandidatureJugeeRecevable`; otherwise `CandidatureJugeeIneligible`, naming each "
        "failed rule with its motif (final).",
        INSTRUCTEURS,
        "RELEVEE (after the relève of its wave)",
        ETAT,
    ),
)
async def juger_recevabilite(
    candidature_id: CandidatureId,
    body: Recevabilite,
    request: Request,
    response: Response,
    context: Instructeur,
) -> dict[str, Any]:
    command = construire(JugerRecevabilite, candidature_id=candidature_id, le=jour(context), **dict(body))
    return await executer(request, response, command, context)


@router.post(
    "/dossiers/{candidature_id}/instruction",
    status_code=201,
    **doc(
        "Open the instruction",
        "Records `InstructionOuverte`: complements, experts and criteria may follow.",
        INSTRUCTEURS,
        "RECEVABLE",
        ETAT,
    ),
)
async def ouvrir_instruction(
    candidature_id: CandidatureId,
    request: Request,
    response: Response,
    context: Instructeur,
) -> dict[str, Any]:
    command = construire(OuvrirInstruction, candidature_id=candidature_id, le=jour(context))
    return await executer(request, response, command, context)


@router.post(
    "/dossiers/{candidature_id}/complements",
    status_code=201,
    **doc(
        "Ask the territory for complements",
        "Records `ComplementsDemandes` (objet, date_limite after today). The "
        "conclusions wait until every request is answered.",
        INSTRUCTEURS,
        "EN_INSTRUCTION",
        [*ETAT, "demande_existante", "date_limite_passee"],
    ),
)
async def demander_complements(
    candidature_id: CandidatureId,
    body: DemandeComplements,
    request: Request,
    response: Response,
    context: Instructeur,
) -> dict[str, Any]:
    command = construire(DemanderComplements, candidature_id=candidature_id, le=jour(context), **dict(body))
    return await executer(request, response, command, context)


@router.post(
    "/dossiers/{candidature_id}/complements/{demande_id}/reponse",
    status_code=201,
    **doc(
        "Answer a request for complements",
        "By the territory: an EPCI_CANDIDAT whose scope (its SIREN) is one of the "
        "candidature's EPCI (403 `hors_perimetre` otherwise). Records `ComplementsFournis`, flagged `hors_delai` after "
        "the date limite.",
        [Role.EPCI_CANDIDAT],
        "EN_INSTRUCTION, with that request open",
        [*ETAT, "demande_inconnue", "complements_deja_fournis"],
    ),
)
async def fournir_complements(
    candidature_id: CandidatureId,
    demande_id: Annotated[Identifiant, Path()],
    body: ReponseComplements,
    request: Request,
    response: Response,
    context: Territoire,
) -> dict[str, Any]:
    scope = context.actor.scope or ""
    if not _siren.is_valid(scope):
        raise HTTPException(403, detail=f"hors_perimetre: la portée {scope!r} n'est pas le SIREN d'un EPCI")
    command = construire(
        FournirComplements,
        candidature_id=candidature_id,
        demande_id=demande_id,
        siren=scope,
        le=jour(context),
        **dict(body),
    )
    return await executer(request, response, command, context)


@router.post(
    "/dossiers/{candidature_id}/experts",
    status_code=201,
    **doc(
        "Designate an expert on this dossier",
        "Records `ExpertDesigne`: the expert may read this dossier (its own view) "
        "and give an opinion until `acces_jusqu_au`. Refused without the expert's confidentiality acknowledgement. "
        "Designating the same expert again with other terms replaces the designation.",
        INSTRUCTEURS,
        "EN_INSTRUCTION",
        [*ETAT, "confidentialite_non_acceptee", "acces_deja_expire"],
    ),
)
async def designer_expert(
    candidature_id: CandidatureId,
    body: DesignationExpert,
    request: Request,
    response: Response,
    context: Instructeur,
) -> dict[str, Any]:
    command = construire(DesignerExpert, candidature_id=candidature_id, le=jour(context), **dict(body))
    return await executer(request, response, command, context)


@router.post(
    "/dossiers/{candidature_id}/avis-expert",
    status_code=201,
    **doc(
        "Give an expert opinion",
        "By the designated expert (the caller), while its access lasts (403 "
        "`expert_non_designe` / `acces_expire` otherwise). Records `AvisExpertRecu`, in the domain of its designation.",
        [Role.EXPERT_EXTERNE],
        "EN_INSTRUCTION",
        [*ETAT, "avis_deja_rendu"],
    ),
)
async def rendre_avis_expert(
    candidature_id: CandidatureId,
    body: AvisExpert,
    request: Request,
    response: Response,
    context: Expert,
) -> dict[str, Any]:
    command = construire(
        RendreAvisExpert, candidature_id=candidature_id, expert_id=context.actor.id, le=jour(context), **dict(body)
    )
    return await executer(request, response, command, context)


@router.put(
    "/dossiers/{candidature_id}/criteres/{critere}",
    status_code=201,
    **doc(
        "Assess a selection criterion",
        "Records `CritereEvalue` for one of the 7 criteria: an appreciation with a note "
        "(out of 20), a level, or both. Assessing it again replaces the previous assessment.",
        INSTRUCTEURS,
        "EN_INSTRUCTION",
        ETAT,
    ),
)
async def evaluer_critere(
    candidature_id: CandidatureId,
    critere: CritereSelection,
    body: EvaluationCritere,
    request: Request,
    response: Response,
    context: Instructeur,
) -> dict[str, Any]:
    command = construire(EvaluerCritere, candidature_id=candidature_id, critere=critere, le=jour(context), **dict(body))
    return await executer(request, response, command, context)


@router.post(
    "/dossiers/{candidature_id}/conclusions",
    status_code=201,
    **doc(
        "Send the CDC's conclusions to the comité",
        "Records `ConclusionsInstructionTransmises`: the proposition "
        "(PROPOSEE / NON_PROPOSEE), recommendations, written proposals of support and an optional proposed envelope "
        "(cents). Requires all 7 criteria assessed and no open request for complements.",
        [Role.INSTRUCTEUR_CDC],
        "EN_INSTRUCTION",
        [*ETAT, "criteres_manquants", "complements_en_attente"],
    ),
)
async def transmettre_conclusions(
    candidature_id: CandidatureId,
    body: Conclusions,
    request: Request,
    response: Response,
    context: CDC,
) -> dict[str, Any]:
    command = construire(TransmettreConclusions, candidature_id=candidature_id, le=jour(context), **dict(body))
    return await executer(request, response, command, context)
