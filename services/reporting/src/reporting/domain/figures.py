"""The SGPI transparency figures (DOMAIN-REFERENCE §5.1), computed from facts already filtered "as of" a date.

Pure: the facts come from the projection; national and regional figures are sums of the territories'
(so they always agree), money stays in integer cents and the consumption rate is an exact Decimal.
Public by design (§7): a territory's name is shown only once it is a laureate as of the date; nothing
of a dossier or of an instruction file is ever among the facts."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

from contracts.base import REGIONS_COG, FormeAide
from reporting.domain.missions import MissionFacts, mission, mission_totals, missions_par_operateur_et_periode
from reporting.domain.vagues import ClotureAMI, VagueFacts, selection_totals

RATE_QUANTUM = Decimal("0.0001")
FONDS_INVESTISSEMENT_CENTIMES = 9_000_000_000  # « un fonds dédié de 90 millions d'euros » [000]
INGENIERIE_CENTIMES = 1_000_000_000  # « 10 M€ ingénierie » [000]


@dataclass(frozen=True, slots=True)
class AidesForme:
    nombre: int = 0
    montant_centimes: int = 0


@dataclass(frozen=True, slots=True)
class RecensementFacts:
    """A mission's census as of the date (DOMAIN-REFERENCE §5.1): « industriels rencontrés » are distinct SIRENs
    interviewed; projects, investment and potential jobs sum each project's latest estimate by then."""

    nb_entreprises_rencontrees: int = 0
    nb_entretiens: int = 0
    nb_projets_recenses: int = 0
    investissement_recense_centimes: int = 0
    emplois_potentiels: int = 0
    nb_projets_orientes_autres_dispositifs: int = 0
    nb_projets_abandonnes: int = 0


@dataclass(frozen=True, slots=True)
class ArgentFacts:
    """What followed the grants by the date, and the territory's share of the programme's ledgers."""

    nb_projets_aides: int = 0
    nb_entreprises_aidees: int = 0
    investissement_soutenu_centimes: int = 0  # Σ of the aided projects' bases, each project once
    verse_centimes: int = 0
    rendu_centimes: int = 0  # reductions and cancellations, given back to the envelope (financement.politique)
    rembourse_centimes: int = 0
    nb_echeances_impayees: int = 0
    ajustements_centimes: int = 0
    part_etat_centimes: int = 0  # the State's share of the envelope: what the 90 M€ fund carries for it
    ingenierie_commandee_centimes: int = 0
    jours_hommes_commandes: int = 0


@dataclass(frozen=True, slots=True)
class TerritoireFacts:
    """What the log says of one territory as of the date (enveloppe: its latest attribution by then)."""

    territoire_id: str
    nom: str | None
    region_code: str | None
    laureat: bool
    enveloppe_centimes: int = 0
    contributions: tuple[tuple[str, int], ...] = ()
    nb_projets_qualifies: int = 0
    emplois_prevus: int = 0
    investissement_estime_centimes: int = 0
    aides: Mapping[str, AidesForme] = field(default_factory=dict)
    nb_aides_publication_obligatoire: int = 0
    nb_aides_refusees: int = 0
    mission: MissionFacts | None = None
    recensement: RecensementFacts = RecensementFacts()
    argent: ArgentFacts = ArgentFacts()

    @property
    def accorde_centimes(self) -> int:
        return sum(a.montant_centimes for a in self.aides.values())

    @property
    def engage_centimes(self) -> int:
        """Granted, less what reductions and cancellations gave back (financement.domain.politique)."""
        return self.accorde_centimes - self.argent.rendu_centimes

    @property
    def nb_aides(self) -> int:
        return sum(a.nombre for a in self.aides.values())


@dataclass(frozen=True, slots=True)
class Facts:
    candidatures_par_region: Mapping[str, int]
    territoires: tuple[TerritoireFacts, ...]
    vagues: tuple[VagueFacts, ...] = ()
    cloture: ClotureAMI | None = None
    seuils_fonds: tuple[tuple[int, date], ...] = ()  # (threshold %, date reached), by threshold


def taux(engage: int, attribue: int) -> str | None:
    """Engaged / attributed, exact to 4 decimals, as a string; None when nothing is attributed."""
    if attribue <= 0:
        return None
    return str((Decimal(engage) / Decimal(attribue)).quantize(RATE_QUANTUM, rounding=ROUND_HALF_EVEN))


def _aides_par_forme(territoires: Iterable[TerritoireFacts]) -> dict[str, dict[str, int]]:
    totals = {forme.value: AidesForme() for forme in FormeAide}
    for territoire in territoires:
        for forme, aides in territoire.aides.items():
            known = totals.get(forme, AidesForme())
            totals[forme] = AidesForme(known.nombre + aides.nombre, known.montant_centimes + aides.montant_centimes)
    return {forme: {"nombre": a.nombre, "montant_centimes": a.montant_centimes} for forme, a in totals.items()}


def _recensement(facts: Iterable[RecensementFacts]) -> dict[str, int]:
    known = list(facts)
    return {name: sum(getattr(f, name) for f in known) for name in RecensementFacts.__dataclass_fields__}


def _argent(territoires: Iterable[TerritoireFacts]) -> dict[str, int]:
    known = list(territoires)
    sums = {name: sum(getattr(t.argent, name) for t in known) for name in ArgentFacts.__dataclass_fields__}
    return {**sums, "accorde_centimes": sum(t.accorde_centimes for t in known)}


def _totals(nb_candidatures: int, territoires: list[TerritoireFacts]) -> dict[str, Any]:
    """The counts shared by the national and the regional figures."""
    laureats = [t for t in territoires if t.laureat]
    engage = sum(t.engage_centimes for t in territoires)
    attribue = sum(t.enveloppe_centimes for t in territoires)
    return {
        **_recensement(t.recensement for t in territoires),
        **_argent(territoires),
        "engage_centimes": engage,
        "nb_candidatures": nb_candidatures,
        "nb_laureats": len(laureats),
        "nb_projets_qualifies": sum(t.nb_projets_qualifies for t in territoires),
        "emplois_prevus": sum(t.emplois_prevus for t in territoires),
        "nb_aides": sum(t.nb_aides for t in territoires),
        "aides_par_forme": _aides_par_forme(territoires),
        "montant_aides_centimes": sum(t.accorde_centimes for t in territoires),
        "enveloppes_attribuees_centimes": attribue,
        "taux_consommation": taux(engage, attribue),
        "nb_aides_publication_obligatoire": sum(t.nb_aides_publication_obligatoire for t in territoires),
        "nb_aides_refusees": sum(t.nb_aides_refusees for t in territoires),
        **mission_totals(t.mission for t in territoires),
    }


def moyenne(total: int, nombre: int) -> str | None:
    """An exact average to one decimal, as a string; None over nothing."""
    if nombre <= 0:
        return None
    return str((Decimal(total) / Decimal(nombre)).quantize(Decimal("0.1"), rounding=ROUND_HALF_EVEN))


def national(facts: Facts, as_of: date | None, missions_depuis: date | None = None) -> dict[str, Any]:
    """Whole programme: territories of unknown region (no laureate event yet) count here too.

    « en moyenne N projets par territoire » [002] is read as the projects identified over the territories whose
    census has at least one project by the date; the fund's consumption is the State's share of the envelopes."""
    territoires = list(facts.territoires)
    regions = {t.region_code for t in territoires if t.laureat and t.region_code}
    totals = _totals(sum(facts.candidatures_par_region.values()), territoires)
    recenses = [t for t in territoires if t.recensement.nb_projets_recenses > 0]
    part_etat = totals["part_etat_centimes"]
    return {
        "as_of": _iso(as_of),
        **totals,
        "nb_regions_laureates": len(regions),
        "nb_territoires_recenses": len(recenses),
        "moyenne_projets_par_territoire": moyenne(totals["nb_projets_recenses"], len(recenses)),
        "fonds_investissement": {
            "montant_centimes": FONDS_INVESTISSEMENT_CENTIMES,
            "part_etat_engagee_centimes": part_etat,
            "taux_consommation": taux(part_etat, FONDS_INVESTISSEMENT_CENTIMES),
            "seuils_atteints": [
                {"seuil_pourcent": seuil, "date_atteinte": le.isoformat()} for seuil, le in facts.seuils_fonds
            ],
        },
        "ingenierie": {
            "montant_centimes": INGENIERIE_CENTIMES,
            "commandee_centimes": totals["ingenierie_commandee_centimes"],
            "taux_consommation": taux(totals["ingenierie_commandee_centimes"], INGENIERIE_CENTIMES),
        },
        **missions_par_operateur_et_periode([t.mission for t in territoires], missions_depuis),
        **selection_totals(facts.vagues),
    }


def regions(facts: Facts, as_of: date | None) -> dict[str, Any]:
    """Every COG region, in code order, with the same counts as the national figures."""
    rows = []
    for code, nom in sorted(REGIONS_COG.items()):
        territoires = [t for t in facts.territoires if t.region_code == code]
        rows.append({"code": code, "nom": nom, **_totals(facts.candidatures_par_region.get(code, 0), territoires)})
    return {"as_of": _iso(as_of), "regions": rows}


def territoire(facts: TerritoireFacts) -> dict[str, Any]:
    """One territory: its envelope, what is engaged and still available, its projects, aids and mission.

    Its name only once it is a laureate (a candidate that withdrew or was not selected stays anonymous)."""
    engage = facts.engage_centimes
    code = facts.region_code
    return {
        "recensement": {name: getattr(facts.recensement, name) for name in RecensementFacts.__dataclass_fields__},
        "argent": {name: getattr(facts.argent, name) for name in ArgentFacts.__dataclass_fields__},
        "accorde_centimes": facts.accorde_centimes,
        "territoire_id": facts.territoire_id,
        "nom": facts.nom if facts.laureat else None,
        "region": {"code": code, "nom": REGIONS_COG.get(code) if code else None},
        "laureat": facts.laureat,
        "enveloppe_centimes": facts.enveloppe_centimes,
        "contributions": [{"financeur": f, "montant_centimes": m} for f, m in facts.contributions],
        "engage_centimes": engage,
        "disponible_centimes": facts.enveloppe_centimes - engage,
        "taux_consommation": taux(engage, facts.enveloppe_centimes),
        "nb_projets_qualifies": facts.nb_projets_qualifies,
        "emplois_prevus": facts.emplois_prevus,
        "investissement_estime_centimes": facts.investissement_estime_centimes,
        "nb_aides": facts.nb_aides,
        "aides_par_forme": _aides_par_forme([facts]),
        "nb_aides_publication_obligatoire": facts.nb_aides_publication_obligatoire,
        "nb_aides_refusees": facts.nb_aides_refusees,
        "mission": mission(facts.mission),
    }


def territoires(facts: Facts, as_of: date | None) -> dict[str, Any]:
    return {
        "as_of": _iso(as_of),
        "territoires": [territoire(t) for t in sorted(facts.territoires, key=lambda t: t.territoire_id)],
    }


def _iso(as_of: date | None) -> str | None:
    return as_of.isoformat() if as_of else None
