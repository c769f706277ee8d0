"""Values and builders shared by the tests (pure: no server, no I/O), so that no test module redefines them."""

from __future__ import annotations

import base64
import hashlib
from datetime import UTC, date, datetime

from contracts.base import FormeAide, RegimeAide, Role
from contracts.envelope import Actor, EventEnvelope
from contracts.financement.v1 import LaureatEnregistre
from contracts.instruction.projets import AideInstruite, CategorieAideEtat, CategorieDepense, Depense
from kernel.ports import CommandContext
from kernel.signing import Signer, Verifier

# Every producer of the tests signs with a key derived from its name (services under test, hand-made histories).
PRODUCERS = ("candidature", "instruction", "financement", "reporting", "tests", "memory")
TEST_SIGNERS = {
    name: Signer.from_text(base64.b64encode(hashlib.sha256(f"rebond-tests:{name}".encode()).digest()).decode())
    for name in PRODUCERS
}
TEST_TRUSTED_KEYS = ",".join(f"{name}:{signer.public_text}" for name, signer in TEST_SIGNERS.items())
TEST_VERIFIER = Verifier.from_text(TEST_TRUSTED_KEYS)


def signed(envelope: EventEnvelope) -> EventEnvelope:
    """A hand-made envelope signed as its producer would have signed it."""
    return envelope.model_copy(update={"signature": TEST_SIGNERS[envelope.producer].sign(envelope.hash)})


SIRET = "73282932000074"  # a real SIRET (Luhn-valid), of a company the tests fund
# A COPIL local with every body the AMI requires « a minima » [000] (the JSON a consultant posts)
COPIL_A_MINIMA = [
    {"organisme": "Sous-préfecture", "role": "présidence", "membre": "SERVICES_ETAT"},
    {"organisme": "Conseil régional", "role": "membre", "membre": "REGION"},
    {"organisme": "Banque des Territoires", "role": "membre", "membre": "CDC"},
    {"organisme": "Bpifrance", "role": "membre", "membre": "BPIFRANCE"},
    {"organisme": "Territoires d'industrie", "role": "chef de projet", "membre": "PROGRAMME_TI"},
    {"organisme": "Business France", "role": "membre", "membre": "BUSINESS_FRANCE"},
    {"organisme": "Communauté d'agglomération", "role": "membre", "membre": "EPCI"},
]
LE_28_AOUT_2023 = datetime(2023, 8, 28, 10, tzinfo=UTC)  # the announcement of the 19 laureates


def context(
    role: Role = Role.SYSTEME,
    actor_id: str = "agent-1",
    scope: str | None = None,
    at: datetime = LE_28_AOUT_2023,
    key: str | None = None,
) -> CommandContext:
    """Who asks (a role, an id, a scope), when, and optionally the idempotency key of the command."""
    return CommandContext(actor=Actor(id=actor_id, role=role, scope=scope), occurred_at=at, idempotency_key=key)


def laureat(territoire: str) -> LaureatEnregistre:
    """Any event will do for the kernel's tests: this one is small and valid."""
    return LaureatEnregistre(
        territoire_id=territoire, nom_territoire="Cambrésis", region_code="32", date_decision=date(2023, 7, 1)
    )


def instruite(
    territoire: str, projet: str = "p1", assiette: int = 400_000_000, plafond: int = 400_000_000
) -> AideInstruite:
    """Bpifrance's favourable instruction of a project's request, as instruction publishes it (ceiling = base by
    default: the tests that use it are about the envelope, not the intensities)."""
    return AideInstruite(
        projet_id=projet,
        territoire_id=territoire,
        demande_id=f"d-{projet}",
        siret=SIRET,
        forme=FormeAide.SUBVENTION,
        regime=RegimeAide.ENVIRONNEMENT,
        categorie=CategorieAideEtat.PETITE,
        zone_afr=False,
        depenses=[Depense(categorie=CategorieDepense.EQUIPEMENTS_MACHINES, montant_centimes=assiette)],
        assiette_centimes=assiette,
        debut_depenses=date(2023, 10, 10),
        fin_depenses=date(2025, 10, 9),
        debut_travaux=date(2023, 10, 10),
        dnsh_atteste=True,
        intensite_max_pour_mille=1000,
        source_intensite="tests",
        plafond_aide_centimes=plafond,
        emplois_prevus=5,
        date_instruction=date(2023, 10, 20),
    )
