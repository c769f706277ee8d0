"""HTTP API of financement: attribute a territory envelope, grant aids out of it, read it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Path, Request, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from contracts.base import DateProgramme, FormeAide, Identifiant, MontantCentimes, Role
from contracts.financement.v1 import Contribution, Echeance, Libelle
from financement.application import handlers, queries
from financement.domain import commands as c
from financement.domain.commands import AccorderAide, AttribuerEnveloppe
from financement.domain.programme import CommanderIngenierie
from kernel.adapters.http import answer, appended, require_role, runtime_of
from kernel.ports import CommandContext

router = APIRouter(prefix="/enveloppes", tags=["enveloppes"])

TerritoireId = Annotated[Identifiant, Path(description="The laureate territory (its candidature's id)")]
InstructeurCdc = Annotated[CommandContext, Depends(require_role(Role.INSTRUCTEUR_CDC))]
ChargeBpifrance = Annotated[CommandContext, Depends(require_role(Role.BPIFRANCE_CHARGE))]
Financeur = Annotated[str, Field(min_length=1, max_length=120)]


class ContributionDemandee(BaseModel):
    model_config = ConfigDict(extra="forbid")
    financeur: Financeur
    montant_centimes: MontantCentimes


class AttributionDemandee(BaseModel):
    """The envelope CDC attributes, and its co-financing (Σ contributions = montant)."""

    model_config = ConfigDict(extra="forbid")
    montant_centimes: MontantCentimes
    contributions: Annotated[list[ContributionDemandee], Field(min_length=1, max_length=50)]
    date_attribution: DateProgramme


class AideDemandee(BaseModel):
    """An aid decided for a project Bpifrance instructed favourably (its base, regime and ceiling come from that
    instruction). `instance_decision` names the deciding body and its capacity (not named in the sources, §9 q5)."""

    model_config = ConfigDict(extra="forbid")
    aide_id: Identifiant
    projet_id: Identifiant
    forme: FormeAide
    montant_centimes: MontantCentimes
    instance_decision: Libelle = Field(examples=["Comité des financeurs du territoire, sur instruction de Bpifrance"])
    date_decision: DateProgramme


@router.post(
    "/{territoire_id}",
    status_code=201,
    description="INSTRUCTEUR_CDC. The State's share (financeur `ETAT_FRANCE_2030`) is reserved on the 90 M€ fund in "
    "the same transaction: 409 `fonds_insuffisant`, `enveloppe_superieure_au_fonds`, `contributions_incoherentes`, "
    "`territoire_non_laureat`, `enveloppe_deja_attribuee`.",
)
async def attribuer_enveloppe(
    territoire_id: TerritoireId,
    demande: AttributionDemandee,
    context: InstructeurCdc,
    request: Request,
    response: Response,
) -> dict[str, Any]:
    """201 when attributed now, 200 when the very same attribution was already recorded."""
    contributions = tuple(Contribution(**c.model_dump()) for c in demande.contributions)
    command = AttribuerEnveloppe(
        territoire_id=territoire_id,
        montant_centimes=demande.montant_centimes,
        contributions=contributions,
        date_attribution=demande.date_attribution,
    )
    decision = await handlers.engager_enveloppe(runtime_of(request).unit_of_work, command, context)
    return answer(response, decision, queries.vue_enveloppe(territoire_id, decision.state))


@router.post("/{territoire_id}/aides", status_code=201)
async def accorder_aide(
    territoire_id: TerritoireId,
    demande: AideDemandee,
    context: ChargeBpifrance,
    request: Request,
    response: Response,
) -> Any:
    """201 granted now, 200 already granted (retry), 409 refused (the refusal itself is recorded)."""
    command = AccorderAide(territoire_id=territoire_id, **dict(demande))
    result = await handlers.accorder_aide(runtime_of(request).store, command, context)
    enveloppe = result.enveloppe
    amounts = {
        "montant_centimes": enveloppe.montant_centimes,
        "engage_centimes": enveloppe.engage_centimes,
        "disponible_centimes": enveloppe.disponible_centimes,
    }
    decision = result.decision.model_dump(mode="json")
    if not result.accordee:
        return JSONResponse(
            status_code=409,
            content={
                "error": decision["motif"],
                "detail": f"l'enveloppe ne peut contenir l'aide {command.aide_id}",
                "refus": decision,
                "enveloppe": amounts,
            },
        )
    response.status_code = 201 if result.nouvelle else 200
    return {"aide": decision, "enveloppe": amounts}


# Company-level data (each aid's SIRET, amount, form and regime, the refusals, the projects' bases): for those who
# decide or oversee the money nationally, and for the members of the territory's own COPIL (scope = territory).
LECTEURS_NATIONAUX = (Role.BPIFRANCE_CHARGE, Role.INSTRUCTEUR_CDC, Role.SGPI, Role.DTI_ANCT)
Lecteur = Annotated[CommandContext, Depends(require_role(*LECTEURS_NATIONAUX, Role.COPIL_MEMBRE))]


@router.get("/{territoire_id}", summary="An envelope and its aids (Bpifrance, CDC, SGPI, DTI; the territory's COPIL)")
async def consulter_enveloppe(territoire_id: TerritoireId, request: Request, context: Lecteur) -> dict[str, Any]:
    """404 alike for a territory nothing is known of and for one the caller may not read (no existence oracle)."""
    state = await queries.enveloppe(runtime_of(request).store, territoire_id)
    national = context.actor.role in LECTEURS_NATIONAUX
    if state is None or not (national or context.actor.scope == territoire_id):
        raise HTTPException(404, detail=f"rien n'est connu du territoire {territoire_id}")
    return queries.vue_enveloppe(territoire_id, state)


class AjustementDemande(BaseModel):
    model_config = ConfigDict(extra="forbid")
    delta_centimes: Annotated[int, Field(strict=True, ge=-(10**13), le=10**13)] = Field(
        description="Either sign; never below what is committed"
    )
    financeur: Annotated[str, Field(min_length=1, max_length=120)] = "ETAT_FRANCE_2030"
    motif: Libelle
    date_ajustement: DateProgramme


@router.post(
    "/{territoire_id}/ajustements",
    status_code=201,
    summary="Adjust an envelope, with its reason (CDC)",
    description="409 `ajustement_sous_engagement`, `fonds_insuffisant` (a State-financed increase beyond the fund).",
)
async def ajuster(
    territoire_id: TerritoireId, body: AjustementDemande, context: InstructeurCdc, request: Request, response: Response
) -> dict[str, Any]:
    command = c.AjusterEnveloppe(territoire_id=territoire_id, **body.model_dump())
    decision = await handlers.engager_enveloppe(runtime_of(request).unit_of_work, command, context)
    return answer(response, decision, queries.vue_enveloppe(territoire_id, decision.state))


class _CorpsAide(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Convention(_CorpsAide):
    date_signature: DateProgramme


class Versement(_CorpsAide):
    versement_id: Identifiant
    montant_centimes: MontantCentimes
    depenses_justifiees_centimes: Annotated[int, Field(strict=True, ge=0, le=10**13)] = Field(
        description="Cumulative expenses justified so far (état récapitulatif des dépenses)"
    )
    date_versement: DateProgramme


class Solde(_CorpsAide):
    depenses_realisees_centimes: Annotated[int, Field(strict=True, ge=0, le=10**13)]
    date_solde: DateProgramme


class Echeancier(_CorpsAide):
    echeances: Annotated[list[Echeance], Field(min_length=1, max_length=240)]


class Remboursement(_CorpsAide):
    remboursement_id: Identifiant
    montant_centimes: MontantCentimes
    date_remboursement: DateProgramme


class Impaye(_CorpsAide):
    echeance: DateProgramme
    date_constat: DateProgramme


AideId = Annotated[Identifiant, Path(description="aide_id of a granted aid")]


async def _suivre(
    territoire_id: str,
    aide_id: str,
    body: _CorpsAide,
    command_type: Callable[..., c.Command],
    context: CommandContext,
    request: Request,
    response: Response,
) -> dict[str, Any]:
    command = command_type(territoire_id=territoire_id, aide_id=aide_id, **body.model_dump())
    decision = await handlers.executer(runtime_of(request).store, command, context)
    return answer(response, decision, {"appended": appended(decision), **queries.vue_aide(aide_id, decision.state)})


@router.post("/{territoire_id}/aides/{aide_id}/convention", status_code=201, summary="Aid convention signed")
async def signer(
    territoire_id: TerritoireId,
    aide_id: AideId,
    body: Convention,
    context: ChargeBpifrance,
    request: Request,
    response: Response,
) -> dict[str, Any]:
    return await _suivre(territoire_id, aide_id, body, c.SignerConventionAide, context, request, response)


@router.post(
    "/{territoire_id}/aides/{aide_id}/versements",
    status_code=201,
    summary="Pay a tranche against an expenditure statement",
    description="409 `convention_non_signee`, `versement_superieur_aux_depenses` (Σ payments ≤ aid × justified "
    "expenses / base), `aide_deja_soldee`.",
)
async def verser(
    territoire_id: TerritoireId,
    aide_id: AideId,
    body: Versement,
    context: ChargeBpifrance,
    request: Request,
    response: Response,
) -> dict[str, Any]:
    return await _suivre(territoire_id, aide_id, body, c.VerserTranche, context, request, response)


@router.post(
    "/{territoire_id}/aides/{aide_id}/solde",
    status_code=201,
    summary="Final statement: the balance, reduced pro rata when less was spent than the base",
)
async def solder(
    territoire_id: TerritoireId,
    aide_id: AideId,
    body: Solde,
    context: ChargeBpifrance,
    request: Request,
    response: Response,
) -> dict[str, Any]:
    return await _suivre(territoire_id, aide_id, body, c.SolderAide, context, request, response)


@router.post("/{territoire_id}/aides/{aide_id}/echeancier", status_code=201, summary="Repayment schedule (avance)")
async def echeancier(
    territoire_id: TerritoireId,
    aide_id: AideId,
    body: Echeancier,
    context: ChargeBpifrance,
    request: Request,
    response: Response,
) -> dict[str, Any]:
    return await _suivre(territoire_id, aide_id, body, c.FixerEcheancier, context, request, response)


@router.post("/{territoire_id}/aides/{aide_id}/remboursements", status_code=201, summary="Repayment received")
async def rembourser(
    territoire_id: TerritoireId,
    aide_id: AideId,
    body: Remboursement,
    context: ChargeBpifrance,
    request: Request,
    response: Response,
) -> dict[str, Any]:
    return await _suivre(territoire_id, aide_id, body, c.EnregistrerRemboursement, context, request, response)


@router.post("/{territoire_id}/aides/{aide_id}/impayes", status_code=201, summary="Record a missed échéance")
async def impaye(
    territoire_id: TerritoireId,
    aide_id: AideId,
    body: Impaye,
    context: ChargeBpifrance,
    request: Request,
    response: Response,
) -> dict[str, Any]:
    return await _suivre(territoire_id, aide_id, body, c.ConstaterImpaye, context, request, response)


programme_router = APIRouter(prefix="/programme", tags=["programme"])


class BonDeCommande(BaseModel):
    model_config = ConfigDict(extra="forbid")
    bon_id: Identifiant
    territoire_id: Identifiant
    jours_hommes: Annotated[int, Field(strict=True, ge=1, le=10_000)]
    montant_centimes: MontantCentimes
    date_commande: DateProgramme


@programme_router.post(
    "/ingenierie/bons-de-commande",
    status_code=201,
    summary="Order consultant days for a mission, against the 10 M€ of engineering (CDC)",
    description="409 `ingenierie_epuisee`, `bon_deja_emis`.",
)
async def commander(body: BonDeCommande, context: InstructeurCdc, request: Request, response: Response) -> Any:
    command = CommanderIngenierie(**body.model_dump())
    decision = await handlers.commander_ingenierie(runtime_of(request).store, command, context)
    return answer(response, decision, {"appended": appended(decision), **queries.vue_programme(decision.state)})


LecteurProgramme = Annotated[CommandContext, Depends(require_role(*LECTEURS_NATIONAUX))]


@programme_router.get("", summary="The programme's ledgers: the 90 M€ fund and the 10 M€ of engineering")
async def programme(request: Request, context: LecteurProgramme) -> dict[str, Any]:
    return queries.vue_programme(await handlers.consulter_programme(runtime_of(request).store))
