"""financement's handlers on the in-memory store, and how its reactor maps instruction events to commands."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime

from contracts.base import FormeAide, RegimeAide, Role
from contracts.financement.v1 import AideAccordee, AideRefusee, Contribution
from contracts.instruction.projets import AideInstruite, CategorieAideEtat, CategorieDepense, Depense
from contracts.instruction.v1 import CandidatureRecue, ProjetQualifie, TerritoireLaureat
from financement.application import handlers
from financement.domain.commands import (
    AccorderAide,
    AttribuerEnveloppe,
    EnregistrerLaureat,
    EnregistrerProjetQualifie,
)
from financement.entrypoints.reactors import commande_pour
from kernel.memory import InMemoryEventStore
from kernel.ports import CommandContext
from tests import fixtures
from tests.fixtures import SIRET

T = "lorient"
LAUREAT = TerritoireLaureat(
    territoire_id=T,
    candidature_id="c-lorient",
    vague=3,
    nom_territoire="Lorient Agglomération",
    region_code="53",
    epci_sirens=["200042174"],
    date_decision=date(2023, 7, 1),
    date_notification=date(2023, 8, 28),
)
QUALIFIE = ProjetQualifie(
    projet_id="p1",
    territoire_id=T,
    siret=SIRET,
    raison_sociale="Fonderie de Bretagne",
    intitule="Ligne",
    date_copil=date(2023, 10, 3),
    assiette_estimee_centimes=80_000_000,
    forme_envisagee=FormeAide.SUBVENTION,
)


INSTRUITE = AideInstruite(
    projet_id="p1",
    territoire_id=T,
    demande_id="d1",
    siret=SIRET,
    forme=FormeAide.SUBVENTION,
    regime=RegimeAide.ENVIRONNEMENT,
    categorie=CategorieAideEtat.PETITE,
    zone_afr=False,
    depenses=[Depense(categorie=CategorieDepense.EQUIPEMENTS_MACHINES, montant_centimes=80_000_000)],
    assiette_centimes=80_000_000,
    debut_depenses=date(2023, 11, 1),
    fin_depenses=date(2025, 10, 31),
    debut_travaux=date(2023, 11, 1),
    dnsh_atteste=True,
    intensite_max_pour_mille=550,
    source_intensite="[003]",
    plafond_aide_centimes=44_000_000,
    emplois_prevus=8,
    date_instruction=date(2023, 10, 25),
)


def context() -> CommandContext:
    return fixtures.context(Role.BPIFRANCE_CHARGE, "bpi-1", at=datetime(2023, 11, 2, 10, tzinfo=UTC))


def aide(aide_id: str, montant: int = 1_000_000) -> AccorderAide:
    return AccorderAide(
        territoire_id=T,
        aide_id=aide_id,
        projet_id="p1",
        forme=FormeAide.SUBVENTION,
        montant_centimes=montant,
        instance_decision="Comité des financeurs de Lorient",
        date_decision=date(2023, 11, 2),
    )


async def ready_store(montant: int) -> InMemoryEventStore:
    store = InMemoryEventStore("financement")
    for command in (commande_pour(LAUREAT), commande_pour(QUALIFIE), commande_pour(INSTRUITE)):
        assert command is not None
        await handlers.executer(store, command, context())
    await handlers.executer(
        store,
        AttribuerEnveloppe(
            territoire_id=T,
            montant_centimes=montant,
            contributions=(Contribution(financeur="ETAT_F2030", montant_centimes=montant),),
            date_attribution=date(2023, 9, 1),
        ),
        context(),
    )
    return store


def test_the_reactor_maps_instruction_events_to_commands_and_ignores_the_others() -> None:
    assert commande_pour(LAUREAT) == EnregistrerLaureat(
        territoire_id=T, nom_territoire="Lorient Agglomération", region_code="53", date_decision=date(2023, 7, 1)
    )
    assert commande_pour(QUALIFIE) == EnregistrerProjetQualifie(
        territoire_id=T, projet_id="p1", siret=SIRET, assiette_estimee_centimes=80_000_000
    )
    recue = CandidatureRecue(
        candidature_id="c1", vague=1, nom_territoire="x", region_code="53", epci_sirens=["200042174"]
    )
    assert commande_pour(recue) is None


async def test_a_grant_then_its_retry_then_a_refusal() -> None:
    store = await ready_store(1_500_000)
    first = await handlers.accorder_aide(store, aide("a1"), context())
    again = await handlers.accorder_aide(store, aide("a1"), context())
    refused = await handlers.accorder_aide(store, aide("a2"), context())
    refused_again = await handlers.accorder_aide(store, aide("a2"), context())
    assert (first.accordee, first.nouvelle, again.accordee, again.nouvelle) == (True, True, True, False)
    assert isinstance(refused.decision, AideRefusee) and refused.nouvelle
    assert not refused_again.nouvelle and refused_again.decision == refused.decision
    assert refused.enveloppe.disponible_centimes == 500_000
    types = [type(r.event).__name__ for r in await store.read(f"enveloppe-{T}")]
    assert types.count("AideAccordee") == 1 and types.count("AideRefusee") == 1


async def test_concurrent_grants_never_overspend_the_envelope() -> None:
    store = await ready_store(10_000_000)
    results = await asyncio.gather(*(handlers.accorder_aide(store, aide(f"a{i}"), context()) for i in range(30)))
    assert sum(r.accordee for r in results) == 10
    granted = [r.event for r in await store.read(f"enveloppe-{T}") if isinstance(r.event, AideAccordee)]
    assert sum(a.montant_centimes for a in granted) == 10_000_000
