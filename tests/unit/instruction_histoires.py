"""Facts and commands of one candidature's selection, step by step, for the instruction unit tests."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from contracts.instruction.v1 import (
    AppreciationRegle,
    AvisComiteRendu,
    AvisExpertRecu,
    AvisSGPIRendu,
    CandidatureJugeeRecevable,
    CandidatureNonRetenue,
    CandidatureRecue,
    ComplementsDemandes,
    ComplementsFournis,
    ConclusionsInstructionTransmises,
    CritereEvalue,
    CritereSelection,
    DomaineExpertise,
    DossierReleve,
    ExpertDesigne,
    InstructionOuverte,
    NiveauAppreciation,
    Proposition,
    RegleEligibilite,
    TerritoireLaureat,
)
from instruction.selection.domain.commands import (
    DeciderSelection,
    DemanderComplements,
    DesignerExpert,
    EnregistrerCandidature,
    EvaluerCritere,
    FournirComplements,
    JugerRecevabilite,
    RendreAvisComite,
    RendreAvisExpert,
    RendreAvisSGPI,
    TransmettreConclusions,
)

PARIS = ZoneInfo("Europe/Paris")
CID = "cand-cambresis-v3"
SIRENS = ["200000016", "200000024"]
AUTRE_SIREN = "200000032"
RELEVE_LE = datetime(2023, 6, 1, 12, tzinfo=PARIS)
JUGEE_LE, OUVERTE_LE, CONCLUE_LE = date(2023, 6, 5), date(2023, 6, 6), date(2023, 6, 26)
COMITE_LE, SGPI_LE = date(2023, 7, 3), date(2023, 7, 6)
DECIDE_LE, NOTIFIE_LE = date(2023, 7, 10), date(2023, 7, 20)

RECUE = CandidatureRecue(candidature_id=CID, vague=3, nom_territoire="Cambrésis", region_code="32", epci_sirens=SIRENS)
RELEVE = DossierReleve(candidature_id=CID, vague=3, releve_le=RELEVE_LE)


def appreciations(*echecs: RegleEligibilite) -> list[AppreciationRegle]:
    return [
        AppreciationRegle(
            regle=r,
            satisfaite=r not in echecs,
            commentaire=f"{'non ' if r in echecs else ''}satisfaite: {r.value.lower()}",
        )
        for r in RegleEligibilite
    ]


RECEVABLE = CandidatureJugeeRecevable(candidature_id=CID, vague=3, appreciations=appreciations(), jugee_le=JUGEE_LE)
OUVERTE = InstructionOuverte(candidature_id=CID, vague=3, ouverte_le=OUVERTE_LE)
DEMANDE = ComplementsDemandes(
    candidature_id=CID,
    demande_id="c-1",
    objet="Carte du bassin d'emplois",
    date_limite=date(2023, 6, 16),
    demandes_le=date(2023, 6, 7),
)
FOURNIS = ComplementsFournis(
    candidature_id=CID,
    demande_id="c-1",
    reponse="Carte jointe",
    pieces=["carte.pdf"],
    siren=SIRENS[1],
    fournis_le=date(2023, 6, 12),
    hors_delai=False,
)
EXPERT = ExpertDesigne(
    candidature_id=CID,
    expert_id="dire-1",
    domaine=DomaineExpertise.DIRE,
    acces_jusqu_au=date(2023, 6, 30),
    confidentialite_acceptee_le=date(2023, 6, 7),
)
AVIS_EXPERT = AvisExpertRecu(
    candidature_id=CID,
    expert_id="dire-1",
    domaine=DomaineExpertise.DIRE,
    avis="Fragilité avérée",
    rendu_le=date(2023, 6, 20),
)


def critere(c: CritereSelection, note: int = 15) -> CritereEvalue:
    return CritereEvalue(
        candidature_id=CID,
        critere=c,
        appreciation=f"appréciation {c.value.lower()}",
        note=note,
        niveau=NiveauAppreciation.SATISFAISANT,
        evalue_le=date(2023, 6, 21),
    )


CRITERES = [critere(c) for c in CritereSelection]
CONCLUSIONS = ConclusionsInstructionTransmises(
    candidature_id=CID,
    vague=3,
    proposition=Proposition.PROPOSEE,
    recommandations="Soutenir",
    propositions_soutien=["Mission de 4 mois"],
    montant_enveloppe_propose_centimes=500_000_000,
    transmises_le=CONCLUE_LE,
)
AVIS_COMITE = AvisComiteRendu(candidature_id=CID, favorable=True, avis="Favorable", rendu_le=COMITE_LE)
AVIS_SGPI = AvisSGPIRendu(candidature_id=CID, favorable=True, avis="Favorable", rendu_le=SGPI_LE)
LAUREAT = TerritoireLaureat(
    territoire_id=CID,
    candidature_id=CID,
    vague=3,
    nom_territoire="Cambrésis",
    region_code="32",
    epci_sirens=SIRENS,
    date_decision=DECIDE_LE,
    date_notification=NOTIFIE_LE,
    enveloppe_cible_centimes=500_000_000,
)
NON_RETENUE = CandidatureNonRetenue(
    candidature_id=CID,
    vague=3,
    date_decision=DECIDE_LE,
    date_notification=NOTIFIE_LE,
    motif="exposition aux mutations insuffisante",
)

# the histories at each phase
A_RELEVEE = (RECUE, RELEVE)
A_RECEVABLE = (*A_RELEVEE, RECEVABLE)
EN_INSTRUCTION = (*A_RECEVABLE, OUVERTE)
INSTRUITE = (*EN_INSTRUCTION, *CRITERES)
PROPOSEE = (*INSTRUITE, CONCLUSIONS)
A_AVIS_COMITE = (*PROPOSEE, AVIS_COMITE)
A_AVIS_SGPI = (*A_AVIS_COMITE, AVIS_SGPI)


def enregistrer() -> EnregistrerCandidature:
    return EnregistrerCandidature(
        candidature_id=CID, vague=3, nom_territoire="Cambrésis", region_code="32", epci_sirens=SIRENS
    )


def juger(*echecs: RegleEligibilite, le: date = JUGEE_LE) -> JugerRecevabilite:
    return JugerRecevabilite(candidature_id=CID, appreciations=appreciations(*echecs), le=le)


def demander(**changes: Any) -> DemanderComplements:
    fields = {
        "candidature_id": CID,
        "demande_id": "c-1",
        "objet": DEMANDE.objet,
        "date_limite": DEMANDE.date_limite,
        "le": DEMANDE.demandes_le,
    }
    return DemanderComplements(**(fields | changes))


def fournir(**changes: Any) -> FournirComplements:
    fields = {
        "candidature_id": CID,
        "demande_id": "c-1",
        "reponse": "Carte jointe",
        "pieces": ["carte.pdf"],
        "siren": SIRENS[1],
        "le": FOURNIS.fournis_le,
    }
    return FournirComplements(**(fields | changes))


def designer(**changes: Any) -> DesignerExpert:
    fields = EXPERT.model_dump() | {"le": date(2023, 6, 8)}
    return DesignerExpert(**(fields | changes))


def avis_expert(**changes: Any) -> RendreAvisExpert:
    fields = {"candidature_id": CID, "expert_id": "dire-1", "avis": AVIS_EXPERT.avis, "le": AVIS_EXPERT.rendu_le}
    return RendreAvisExpert(**(fields | changes))


def evaluer(c: CritereSelection, note: int = 15, **changes: Any) -> EvaluerCritere:
    fields = {
        "candidature_id": CID,
        "critere": c,
        "appreciation": f"appréciation {c.value.lower()}",
        "note": note,
        "niveau": NiveauAppreciation.SATISFAISANT,
        "le": date(2023, 6, 21),
    }
    return EvaluerCritere(**(fields | changes))


def conclure(**changes: Any) -> TransmettreConclusions:
    fields = CONCLUSIONS.model_dump(exclude={"vague", "transmises_le"}) | {"le": CONCLUE_LE}
    return TransmettreConclusions(**(fields | changes))


def avis_comite(**changes: Any) -> RendreAvisComite:
    fields = {"candidature_id": CID, "favorable": True, "avis": "Favorable", "le": COMITE_LE}
    return RendreAvisComite(**(fields | changes))


def avis_sgpi(**changes: Any) -> RendreAvisSGPI:
    fields = {"candidature_id": CID, "favorable": True, "avis": "Favorable", "le": SGPI_LE}
    return RendreAvisSGPI(**(fields | changes))


def decision(laureat: bool = True, **changes: Any) -> DeciderSelection:
    fields: dict[str, Any] = {
        "candidature_id": CID,
        "laureat": laureat,
        "date_decision": DECIDE_LE,
        "date_notification": NOTIFIE_LE,
    }
    fields |= {"enveloppe_cible_centimes": 500_000_000} if laureat else {"motif": NON_RETENUE.motif}
    return DeciderSelection(**(fields | changes))
