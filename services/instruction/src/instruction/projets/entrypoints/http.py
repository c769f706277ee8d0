"""HTTP API of the census and of the industrial projects: interviews, projects identified (one or a census sheet),
their updates, priority, support, orientation elsewhere, abandonment; the COPIL's qualification; the company's aid
request; Bpifrance's instruction; the read of one project."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response

from contracts.instruction.projets import AideInstructionDefavorable
from instruction.projets.application import handlers
from instruction.projets.domain import commands as c
from instruction.projets.domain.errors import InstructionDefavorable
from instruction.projets.domain.projet import Projet
from instruction.projets.entrypoints import bodies as b
from instruction.projets.entrypoints.access import (
    ProjetId,
    TerritoireId,
    bpifrance,
    consultant,
    consultant_ou_copil,
    demandeur,
    lecteur_du_projet,
    membre_du_copil,
)
from kernel.access import record_read
from kernel.adapters.http import answer, appended, runtime_of
from kernel.business_time import not_in_the_future
from kernel.ports import CommandContext

router = APIRouter(tags=["projets"])
PROJET = "/territoires/{territoire_id}/projets/{projet_id}"


def _dates(context: CommandContext, **dates: date) -> None:
    for field, value in dates.items():
        not_in_the_future(value, context.occurred_at, field)


async def _executer(
    request: Request, response: Response, command: c.CommandeProjet, context: CommandContext, **dates: date
) -> dict[str, Any]:
    _dates(context, **dates)
    decision = await handlers.executer(runtime_of(request).store, command, context)
    return answer(response, decision, {"appended": appended(decision), **vue(command.projet_id, decision.state)})


def vue(projet_id: str, state: Projet) -> dict[str, Any]:
    """What the project's readers see: its census line, latest estimate, path and Bpifrance's conclusion."""
    recensement, estimation = state.recensement, state.estimation
    instruction = state.instruction
    return {
        "projet_id": projet_id,
        "etat": state.etat.value,
        "recensement": recensement.model_dump(mode="json") if recensement else None,
        "estimation": estimation.model_dump(mode="json") if estimation else None,
        "prioritaire": state.priorite.prioritaire if state.priorite else None,
        "nb_accompagnements": state.accompagnements,
        "qualification": state.qualification.model_dump(mode="json") if state.qualification else None,
        "demande": state.demande.model_dump(mode="json") if state.demande else None,
        "instruction": instruction.model_dump(mode="json") | {"event_type": instruction.event_type}
        if instruction
        else None,
        "fin": state.fin.model_dump(mode="json") | {"event_type": state.fin.event_type} if state.fin else None,
    }


@router.post(
    "/territoires/{territoire_id}/entretiens",
    status_code=201,
    summary="Record companies met by the census (PRESTATAIRE), one or a sheet of up to 200",
    description="The territory's consultants (PRESTATAIRE, scope = territoire_id) record interviews, once the "
    "engineering mission is launched. 404 `mission_inconnue`; 409 `mission_non_lancee`, `mission_cloturee`, "
    "`date_avant_lancement`, `entretien_deja_enregistre`; 422 a date in the future.",
)
async def rencontrer(
    territoire_id: TerritoireId,
    body: b.Entretiens,
    request: Request,
    response: Response,
    context: Annotated[CommandContext, Depends(consultant)],
) -> dict[str, Any]:
    for i, entretien in enumerate(body.entretiens):
        _dates(context, **{f"entretiens.{i}.date": entretien.date})
    command = c.RencontrerEntreprises(territoire_id=territoire_id, **body.model_dump())
    decision = await handlers.rencontrer(runtime_of(request).store, command, context)
    return answer(response, decision, {"appended": appended(decision), "nb_entretiens": len(decision.state.entretiens)})


@router.post(
    "/territoires/{territoire_id}/recensement",
    status_code=201,
    summary="Record projects identified by the census (PRESTATAIRE), one or a sheet of up to 200",
    description="Each project is its own stream: the answer lists each project's result in order (`created`, or "
    "the refusal's `error`), 201 when at least one was recorded. The company's size (TPE/PME/ETI/GE) follows from "
    "its headcount, turnover and balance sheet (EU definition). 404 `mission_inconnue`.",
)
async def recenser(
    territoire_id: TerritoireId,
    body: b.Recensement,
    request: Request,
    response: Response,
    context: Annotated[CommandContext, Depends(consultant)],
) -> dict[str, Any]:
    for i, projet in enumerate(body.projets):
        _dates(context, **{f"projets.{i}.date": projet.date})
    commands = [c.RecenserProjet(territoire_id=territoire_id, **projet.model_dump()) for projet in body.projets]
    lignes = await handlers.recenser(runtime_of(request).unit_of_work, territoire_id, commands, context)
    results = [_ligne(ligne) for ligne in lignes]
    response.status_code = 201 if any(r.get("created") for r in results) else 200
    if all("error" in r for r in results):
        response.status_code = 409
    return {"projets": results}


def _ligne(ligne: handlers.LigneRecensee) -> dict[str, Any]:
    if ligne.decision is None:
        refus = ligne.refus
        return {"projet_id": ligne.projet_id, "error": refus.reason if refus else "refused", "detail": str(refus)}
    return {"projet_id": ligne.projet_id, "created": ligne.decision.created, "etat": ligne.decision.state.etat}


@router.post(f"{PROJET}/mise-a-jour", status_code=201, summary="Record a new estimate of a census project")
async def mettre_a_jour(
    territoire_id: TerritoireId,
    projet_id: ProjetId,
    body: b.MiseAJour,
    request: Request,
    response: Response,
    context: Annotated[CommandContext, Depends(consultant)],
) -> dict[str, Any]:
    command = c.MettreAJourProjet(territoire_id=territoire_id, projet_id=projet_id, **body.model_dump())
    return await _executer(request, response, command, context, date=body.date)


@router.post(f"{PROJET}/priorisation", status_code=201, summary="Set a project's priority with the local actors")
async def prioriser(
    territoire_id: TerritoireId,
    projet_id: ProjetId,
    body: b.Priorisation,
    request: Request,
    response: Response,
    context: Annotated[CommandContext, Depends(consultant_ou_copil)],
) -> dict[str, Any]:
    command = c.PrioriserProjet(territoire_id=territoire_id, projet_id=projet_id, **body.model_dump())
    return await _executer(request, response, command, context, date=body.date)


@router.post(f"{PROJET}/accompagnement", status_code=201, summary="Record support given to a project's holder")
async def accompagner(
    territoire_id: TerritoireId,
    projet_id: ProjetId,
    body: b.Accompagnement,
    request: Request,
    response: Response,
    context: Annotated[CommandContext, Depends(consultant)],
) -> dict[str, Any]:
    command = c.AccompagnerProjet(territoire_id=territoire_id, projet_id=projet_id, **body.model_dump())
    return await _executer(request, response, command, context, date=body.date)


@router.post(
    f"{PROJET}/orientation",
    status_code=201,
    summary="Orient a project to another scheme (terminal for Rebond)",
    description="409 `projet_clos`, `projet_engage` (an aid request is deposited).",
)
async def orienter(
    territoire_id: TerritoireId,
    projet_id: ProjetId,
    body: b.Orientation,
    request: Request,
    response: Response,
    context: Annotated[CommandContext, Depends(consultant_ou_copil)],
) -> dict[str, Any]:
    command = c.OrienterProjet(territoire_id=territoire_id, projet_id=projet_id, **body.model_dump())
    return await _executer(request, response, command, context, date=body.date)


@router.post(f"{PROJET}/abandon", status_code=201, summary="Record that the holder gave the project up")
async def abandonner(
    territoire_id: TerritoireId,
    projet_id: ProjetId,
    body: b.Abandon,
    request: Request,
    response: Response,
    context: Annotated[CommandContext, Depends(consultant_ou_copil)],
) -> dict[str, Any]:
    command = c.AbandonnerProjet(territoire_id=territoire_id, projet_id=projet_id, **body.model_dump())
    return await _executer(request, response, command, context, date=body.date)


@router.post(
    f"{PROJET}/qualification",
    status_code=201,
    summary="Qualify a census project for the territory's envelope (COPIL local)",
    description="COPIL_MEMBRE (scope = territoire_id), at a COPIL recorded on the mission (`copil_id`) whose "
    "members include every body the AMI requires « a minima ». 409 `copil_inconnu`, `copil_incomplet` (with "
    "`membres_absents`), `mission_non_lancee`, `mission_cloturee`, `projet_clos`, `projet_deja_qualifie`.",
)
async def qualifier(
    territoire_id: TerritoireId,
    projet_id: ProjetId,
    body: b.Qualification,
    request: Request,
    response: Response,
    context: Annotated[CommandContext, Depends(membre_du_copil)],
) -> dict[str, Any]:
    command = c.QualifierProjet(territoire_id=territoire_id, projet_id=projet_id, **body.model_dump())
    return await _executer(request, response, command, context)


@router.post(
    f"{PROJET}/demande-aide",
    status_code=201,
    summary="Deposit the company's aid request with Bpifrance",
    description="PORTEUR_PROJET (scope = projet_id) or BPIFRANCE_CHARGE. Its date is the incentive-effect "
    "reference. 409 `projet_non_qualifie`, `demande_en_cours`, `projet_clos`.",
)
async def deposer(
    territoire_id: TerritoireId,
    projet_id: ProjetId,
    body: b.DemandeAide,
    request: Request,
    response: Response,
    context: Annotated[CommandContext, Depends(demandeur)],
) -> dict[str, Any]:
    command = c.DeposerDemandeAide(territoire_id=territoire_id, projet_id=projet_id, **body.model_dump())
    return await _executer(request, response, command, context, date_depot=body.date_depot)


@router.post(
    f"{PROJET}/instruction",
    status_code=201,
    summary="Bpifrance's technical and financial instruction of the aid request",
    description="BPIFRANCE_CHARGE. Favourable: `AideInstruite` with the ceiling of aid (assiette × the regime's "
    "maximum intensity, less the declared co-financing). Outside the rules: `AideInstructionDefavorable` is "
    "recorded and the answer is 409 `instruction_defavorable` with `regles`: `assiette_minimale`, `duree_depenses`, "
    "`depense_non_eligible`, `dnsh_non_atteste`, `hors_zone_afr`, `regime_ferme_a_cette_taille`, "
    "`travaux_avant_demande`, `travaux_hors_periode`, `intensite_depassee`.",
)
async def instruire(
    territoire_id: TerritoireId,
    projet_id: ProjetId,
    body: b.Instruction,
    request: Request,
    response: Response,
    context: Annotated[CommandContext, Depends(bpifrance)],
) -> dict[str, Any]:
    _dates(context, date_instruction=body.date_instruction)  # the expenses and works are planned: they may be ahead
    command = c.InstruireDemande(territoire_id=territoire_id, projet_id=projet_id, **body.model_dump())
    decision = await handlers.executer(runtime_of(request).store, command, context)
    conclusion = decision.state.instruction
    if isinstance(conclusion, AideInstructionDefavorable) and conclusion.demande_id == body.demande_id:
        raise InstructionDefavorable(
            "la demande ne respecte pas les règles: " + ", ".join(conclusion.regles),
            details={"regles": conclusion.regles, "recorded": decision.created},
        )
    return answer(response, decision, {"appended": appended(decision), **vue(projet_id, decision.state)})


@router.get(PROJET, summary="Read one project (company-level data: its territory, Bpifrance, national roles)")
async def lire(
    territoire_id: TerritoireId,
    projet_id: ProjetId,
    request: Request,
    context: Annotated[CommandContext, Depends(lecteur_du_projet)],
) -> dict[str, Any]:
    runtime = runtime_of(request)
    state, version = await handlers.consulter(runtime.store, territoire_id, projet_id)
    await record_read(runtime.access_log, f"projet-{projet_id}", version, context, "consultation du projet")
    return vue(projet_id, state)
