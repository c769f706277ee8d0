"""Grants out of the envelope: on Bpifrance's favourable instruction, within its ceiling and the envelope, or a
recorded refusal; the cancellation of an abandoned project's aids."""

from __future__ import annotations

from financement.domain import errors, politique
from financement.domain.commands import (
    AccorderAide,
    AnnulerAidesDuProjet,
)
from financement.domain.enveloppe import EnveloppeTerritoriale
from financement.domain.events import (
    SEUIL_PUBLICATION_CENTIMES,
    AideAccordee,
    AideAnnulee,
    AideRefusee,
    Event,
    InstructionAideEnregistree,
)

MOTIF_ENVELOPPE_INSUFFISANTE = "enveloppe_insuffisante"


def accorder(command: AccorderAide, state: EnveloppeTerritoriale) -> list[Event]:
    """Both formes consume the envelope at face value (financement.domain.politique, §9 q6)."""
    if state.attribution is None:
        raise errors.EnveloppeNonAttribuee(f"aucune enveloppe attribuée au territoire {command.territoire_id}")
    if command.projet_id not in state.projets:
        raise errors.ProjetNonQualifie(f"le projet {command.projet_id} n'est pas qualifié pour ce territoire")
    instruction = state.instructions.get(command.projet_id)
    if instruction is None:
        raise errors.ProjetNonInstruit(f"Bpifrance n'a pas instruit favorablement le projet {command.projet_id}")
    if command.aide_id in state.aides:
        recorded = state.aides[command.aide_id]
        return _deja_accordee(recorded, _aide_accordee(command, instruction, recorded.publication_obligatoire))
    if command.date_decision < instruction.date_instruction:
        raise errors.DecisionAvantInstruction(
            f"{command.date_decision} précède l'instruction de Bpifrance ({instruction.date_instruction})"
        )
    cumul = sum(
        politique.engagement(a.montant_centimes, state.suivi(a.aide_id).reduction_centimes, 0)
        for a in state.aides.values()
        if a.projet_id == command.projet_id
    )
    if cumul + command.montant_centimes > instruction.plafond_aide_centimes:
        raise errors.CumulSuperieurPlafond(
            f"les aides du projet {command.projet_id} totaliseraient {cumul + command.montant_centimes} centimes,"
            f" au-delà de son plafond de {instruction.plafond_aide_centimes} centimes (assiette "
            f"{instruction.assiette_centimes} × {instruction.intensite_max_pour_mille} ‰, moins les cofinancements)",
            details={"plafond_aide_centimes": instruction.plafond_aide_centimes, "deja_accorde_centimes": cumul},
        )
    # published from 500 000 € of aid per project, whatever the forms [003]
    accordee = _aide_accordee(command, instruction, cumul + command.montant_centimes >= SEUIL_PUBLICATION_CENTIMES)
    if command.montant_centimes > state.disponible_centimes:
        return _refuser(command, state)
    return [accordee]


def _aide_accordee(command: AccorderAide, instruction: InstructionAideEnregistree, publication: bool) -> AideAccordee:
    return AideAccordee(
        aide_id=command.aide_id,
        projet_id=command.projet_id,
        territoire_id=command.territoire_id,
        siret=instruction.siret,
        forme=command.forme,
        montant_centimes=command.montant_centimes,
        assiette_centimes=instruction.assiette_centimes,
        regime=instruction.regime,
        date_decision=command.date_decision,
        publication_obligatoire=publication,
        demande_id=instruction.demande_id,
        plafond_aide_centimes=instruction.plafond_aide_centimes,
        instance_decision=command.instance_decision,
        emplois_prevus=instruction.emplois_prevus,
    )


def _refuser(command: AccorderAide, state: EnveloppeTerritoriale) -> list[Event]:
    """The envelope cannot hold it: a refusal other services must learn of, hence an event.

    A refusal is not final: once the envelope can hold it (or for a smaller amount), the same aide_id may be
    granted. One refusal per project and day is recorded: the same refusal asked again, or a burst of requests for
    the same project under fresh ids, is answered with the refusal already recorded and appends nothing (a stream
    that grew with every retry would slow every later decision on the envelope)."""
    if refus_du_jour(state, command) is not None:
        return []
    return [
        AideRefusee(
            aide_id=command.aide_id,
            projet_id=command.projet_id,
            territoire_id=command.territoire_id,
            montant_centimes=command.montant_centimes,
            motif=MOTIF_ENVELOPPE_INSUFFISANTE,
            date_decision=command.date_decision,
        )
    ]


def refus_du_jour(state: EnveloppeTerritoriale, command: AccorderAide) -> AideRefusee | None:
    """The refusal already recorded for this aid, else for the same project on the same day."""
    if (same := state.refus.get(command.aide_id)) is not None:
        return same
    return next(
        (
            r
            for r in state.refus.values()
            if (r.projet_id, r.date_decision) == (command.projet_id, command.date_decision)
        ),
        None,
    )


def _deja_accordee(recorded: AideAccordee, asked: AideAccordee) -> list[Event]:
    if recorded == asked:
        return []  # the same grant asked again (a retry)
    raise errors.AideDejaAccordee(f"l'aide {asked.aide_id} est déjà accordée, à d'autres conditions")


def annuler(command: AnnulerAidesDuProjet, state: EnveloppeTerritoriale) -> list[Event]:
    """Each aid of the abandoned project not yet settled or cancelled gives back what was not paid out of it."""
    annulees: list[Event] = []
    for aide in state.aides.values():
        suivi = state.suivi(aide.aide_id)
        if aide.projet_id != command.projet_id or suivi.annulation is not None or suivi.solde is not None:
            continue
        libere = politique.libere_par_annulation(aide.montant_centimes, suivi.reduction_centimes, suivi.verse_centimes)
        annulees.append(
            AideAnnulee(
                aide_id=aide.aide_id,
                territoire_id=aide.territoire_id,
                montant_libere_centimes=libere,
                motif=command.motif,
                date_annulation=command.date_annulation,
            )
        )
    return annulees
