"""Facts of the financement topic: territory envelopes (with their co-financers) and their adjustments, aids granted
and refused, their conventions, what follows a grant (payments, final statements, repayments, missed échéances,
cancellations), and the programme's engineering orders."""

from __future__ import annotations

from contracts.envelope import EventEnvelope
from contracts.financement.v1 import (
    AideAccordee,
    AideAnnulee,
    AideRefusee,
    AideSoldee,
    BonDeCommandeIngenierieEmis,
    ConventionAideSignee,
    EcheanceImpayee,
    EnveloppeTerritorialeAjustee,
    EnveloppeTerritorialeAttribuee,
    RemboursementRecu,
    SeuilConsommationAtteint,
    VersementEffectue,
)
from reporting.adapters.projectors.common import Projector, Row

INSERT_ENVELOPPE = """
INSERT INTO {s}.enveloppes (stream_id, stream_version, territoire_id, montant_centimes, date_attribution, recorded_at)
VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (stream_id, stream_version) DO NOTHING"""

INSERT_CONTRIBUTION = """
INSERT INTO {s}.enveloppe_contributions (stream_id, stream_version, rang, financeur, montant_centimes, recorded_at)
VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (stream_id, stream_version, rang) DO NOTHING"""

INSERT_AIDE = """
INSERT INTO {s}.aides (aide_id, projet_id, territoire_id, forme, montant_centimes, regime, date_decision,
                       publication_obligatoire, siren, assiette_centimes, siret, recorded_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) ON CONFLICT (territoire_id, aide_id) DO NOTHING"""

INSERT_CONVENTION = """
INSERT INTO {s}.conventions_aides (territoire_id, aide_id, date_signature, recorded_at) VALUES ($1, $2, $3, $4)
ON CONFLICT (territoire_id, aide_id) DO NOTHING"""

INSERT_MOUVEMENT = """
INSERT INTO {s}.aides_mouvements (stream_id, stream_version, rang, territoire_id, aide_id, nature, montant_centimes,
                                  date_effet, recorded_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (stream_id, stream_version, rang) DO NOTHING"""

INSERT_AJUSTEMENT = """
INSERT INTO {s}.enveloppe_ajustements (stream_id, stream_version, territoire_id, delta_centimes, financeur, date_effet,
                                       recorded_at)
VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (stream_id, stream_version) DO NOTHING"""

INSERT_BON = """
INSERT INTO {s}.bons_ingenierie (bon_id, territoire_id, jours_hommes, montant_centimes, date_effet, recorded_at)
VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (bon_id) DO NOTHING"""

INSERT_SEUIL = """
INSERT INTO {s}.seuils_fonds (seuil_pourcent, reserve_centimes, date_atteinte, recorded_at)
VALUES ($1, $2, $3, $4) ON CONFLICT (seuil_pourcent) DO NOTHING"""

INSERT_REFUS = """
INSERT INTO {s}.aides_refusees (stream_id, stream_version, aide_id, projet_id, territoire_id, montant_centimes, motif,
                                date_decision, recorded_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (stream_id, stream_version) DO NOTHING"""


def enveloppe(env: EventEnvelope, e: EnveloppeTerritorialeAttribuee) -> list[Row]:
    stream, version = env.stream_id, env.stream_version
    return [
        Row(
            INSERT_ENVELOPPE,
            (stream, version, e.territoire_id, e.montant_centimes, e.date_attribution, env.recorded_at),
        ),
        *(
            Row(INSERT_CONTRIBUTION, (stream, version, rang, c.financeur, c.montant_centimes, env.recorded_at))
            for rang, c in enumerate(e.contributions)
        ),
    ]


def aide(env: EventEnvelope, e: AideAccordee) -> list[Row]:
    return [
        Row(
            INSERT_AIDE,
            (
                e.aide_id,
                e.projet_id,
                e.territoire_id,
                e.forme.value,
                e.montant_centimes,
                e.regime.value,
                e.date_decision,
                e.publication_obligatoire,
                e.siret[:9],
                e.assiette_centimes,
                e.siret,
                env.recorded_at,
            ),
            touches=(
                ("aide", (e.territoire_id, e.aide_id)),
                ("projet_aide", (e.territoire_id, e.projet_id)),
                ("siren_aide", (e.territoire_id, e.siret[:9])),
            ),
        )
    ]


def convention(env: EventEnvelope, e: ConventionAideSignee) -> list[Row]:
    return [Row(INSERT_CONVENTION, (e.territoire_id, e.aide_id, e.date_signature, env.recorded_at))]


def refus(env: EventEnvelope, e: AideRefusee) -> list[Row]:
    return [
        Row(
            INSERT_REFUS,
            (
                env.stream_id,
                env.stream_version,
                e.aide_id,
                e.projet_id,
                e.territoire_id,
                e.montant_centimes,
                e.motif,
                e.date_decision,
                env.recorded_at,
            ),
        )
    ]


def ajustement(env: EventEnvelope, e: EnveloppeTerritorialeAjustee) -> list[Row]:
    return [
        Row(
            INSERT_AJUSTEMENT,
            (
                env.stream_id,
                env.stream_version,
                e.territoire_id,
                e.delta_centimes,
                e.financeur,
                e.date_ajustement,
                env.recorded_at,
            ),
        )
    ]


def _mouvement(env: EventEnvelope, aide_id: str, territoire_id: str, *rows: tuple[str, int, object]) -> list[Row]:
    return [
        Row(
            INSERT_MOUVEMENT,
            (env.stream_id, env.stream_version, rang, territoire_id, aide_id, nature, montant, jour, env.recorded_at),
            touches=(("aide", (territoire_id, aide_id)),),
        )
        for rang, (nature, montant, jour) in enumerate(rows)
    ]


def versement(env: EventEnvelope, e: VersementEffectue) -> list[Row]:
    return _mouvement(env, e.aide_id, e.territoire_id, ("VERSEMENT", e.montant_centimes, e.date_versement))


def solde(env: EventEnvelope, e: AideSoldee) -> list[Row]:
    """The final amount (what is paid in all, balance included) and the reduction given back to the envelope."""
    return _mouvement(
        env,
        e.aide_id,
        e.territoire_id,
        ("SOLDE", e.montant_final_centimes, e.date_solde),
        ("REDUCTION", e.reduction_centimes, e.date_solde),
    )


def remboursement(env: EventEnvelope, e: RemboursementRecu) -> list[Row]:
    return _mouvement(env, e.aide_id, e.territoire_id, ("REMBOURSEMENT", e.montant_centimes, e.date_remboursement))


def impaye(env: EventEnvelope, e: EcheanceImpayee) -> list[Row]:
    unpaid = e.du_centimes - e.rembourse_centimes
    return _mouvement(env, e.aide_id, e.territoire_id, ("IMPAYE", unpaid, e.date_constat))


def annulation(env: EventEnvelope, e: AideAnnulee) -> list[Row]:
    return _mouvement(env, e.aide_id, e.territoire_id, ("ANNULATION", e.montant_libere_centimes, e.date_annulation))


def bon(env: EventEnvelope, e: BonDeCommandeIngenierieEmis) -> list[Row]:
    return [
        Row(
            INSERT_BON,
            (e.bon_id, e.territoire_id, e.jours_hommes, e.montant_centimes, e.date_commande, env.recorded_at),
        )
    ]


def seuil(env: EventEnvelope, e: SeuilConsommationAtteint) -> list[Row]:
    return [Row(INSERT_SEUIL, (e.seuil_pourcent, e.reserve_centimes, e.date_atteinte, env.recorded_at))]


PROJECTORS: dict[type, Projector] = {
    EnveloppeTerritorialeAttribuee: enveloppe,
    EnveloppeTerritorialeAjustee: ajustement,
    AideAccordee: aide,
    AideRefusee: refus,
    ConventionAideSignee: convention,
    VersementEffectue: versement,
    AideSoldee: solde,
    RemboursementRecu: remboursement,
    EcheanceImpayee: impaye,
    AideAnnulee: annulation,
    BonDeCommandeIngenierieEmis: bon,
    SeuilConsommationAtteint: seuil,
}
