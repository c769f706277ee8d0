"""A publication (stream `publication-<id>`): figures and names as of a date, requested with their content frozen,
cleared by the SGPI, the CDC and the DTI each in its role, public from its embargo on (DOMAIN-REFERENCE §7, [000]).

The content is what a person outside the programme may read: counts (per wave too), envelopes, laureates' names once
announced, the aids the law requires to publish (500 000 € and more per project [003]), and sums of aid only over
cells of at least SEUIL_SECRET companies, so no public figure gives away one company's amount (secret statistique)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from contracts.base import REGIONS_COG, DomainEvent
from contracts.envelope import canonical
from contracts.reporting.v1 import (
    Organisme,
    PublicationDemandee,
    PublicationDiffusee,
    PublicationRefusee,
    PublicationValidee,
)
from kernel.decider import Decider, DomainError, NotFound
from reporting.domain.figures import Facts, TerritoireFacts, national, taux
from reporting.domain.scdl import AideAttribuee
from reporting.domain.vagues import vagues

PARIS = ZoneInfo("Europe/Paris")
SEUIL_SECRET = 3  # a sum of aid is public only over at least this many companies
SECRET = "secret statistique: moins de 3 entreprises aidées"
SECRET_COMPLEMENT = "secret statistique: masqué pour qu'une somme voisine ne se déduise pas des autres"
ORGANISMES = (Organisme.SGPI, Organisme.CDC, Organisme.DTI)


def stream_id(publication_id: str) -> str:
    return f"publication-{publication_id}"


# ---- the content -------------------------------------------------------------------------------------------------

NATIONAL_PUBLIC = (
    "nb_candidatures",
    "nb_laureats",
    "nb_regions_laureates",
    "enveloppes_attribuees_centimes",
    "nb_entreprises_rencontrees",
    "nb_projets_recenses",
    "investissement_recense_centimes",
    "emplois_potentiels",
    "nb_territoires_recenses",
    "moyenne_projets_par_territoire",
    "nb_projets_qualifies",
    "emplois_prevus",
    "nb_projets_aides",
    "nb_entreprises_aidees",
    "nb_aides",
    "nb_missions_lancees",
    "nb_missions_restituees",
)


def contenu(facts: Facts, as_of: date, aides: Iterable[AideAttribuee] = ()) -> dict[str, Any]:
    """The public content of a publication as of a date, from facts (and the register of aids) read as of it."""
    laureats = sorted((t for t in facts.territoires if t.laureat), key=lambda t: t.territoire_id)
    figures = national(facts, as_of)
    entreprises = figures["nb_entreprises_aidees"]
    content = {
        "as_of": as_of.isoformat(),
        "national": {
            **{name: figures[name] for name in NATIONAL_PUBLIC},
            **_montants(laureats, entreprises),
            "fonds_investissement": {
                "montant_centimes": figures["fonds_investissement"]["montant_centimes"],
                "taux_consommation": figures["fonds_investissement"]["taux_consommation"],
            },
            "ingenierie": figures["ingenierie"],
        },
        "vagues": [_vague(v) for v in vagues(facts.vagues, facts.cloture, as_of)["vagues"]],
        "regions": [_region(code, nom, laureats) for code, nom in sorted(REGIONS_COG.items())],
        "territoires": [_territoire(t) for t in laureats],
        "aides_publiees": aides_publiees(aides),
        "secret_statistique": f"les sommes d'aides de moins de {SEUIL_SECRET} entreprises ne sont pas publiées",
    }
    secret_secondaire(content)
    return content


def _cache(cell: dict[str, Any], reason: str) -> None:
    cell.update(montant_aides_centimes=None, taux_consommation=None, secret=reason)


def _a_des_aides(cell: dict[str, Any]) -> bool:
    return bool(cell["nb_entreprises_aidees"])


def _complement(cells: list[dict[str, Any]]) -> bool:
    """Hide the smallest cell still shown among `cells` (those with aid); False when none is left to hide."""
    shown = [c for c in cells if _a_des_aides(c) and c.get("secret") is None]
    if not shown:
        return False
    _cache(
        min(shown, key=lambda c: (c["montant_aides_centimes"], c.get("territoire_id") or c.get("code"))),
        SECRET_COMPLEMENT,
    )
    return True


def secret_secondaire(content: dict[str, Any]) -> None:
    """Secondary suppression: a hidden sum must not follow from the sums shown beside it and their total. The
    national sum is the regions', a region's is its territories'; until nothing changes: under a total that is
    shown, a single hidden part is joined by the smallest part shown; a hidden total whose parts are all shown
    gets one of them hidden."""
    regions = [r for r in content["regions"] if _a_des_aides(r)]
    par_region = {
        r["code"]: [t for t in content["territoires"] if t["region_code"] == r["code"] and _a_des_aides(t)]
        for r in regions
    }
    groups = [(content["national"], regions), *((r, par_region[r["code"]]) for r in regions)]
    changed = True
    while changed:
        changed = False
        for total, parts in groups:
            hidden = [c for c in parts if c.get("secret") is not None]
            if total.get("secret") is None and len(hidden) == 1:
                changed |= _complement(parts)
            elif total.get("secret") is not None and parts and not hidden:
                changed |= _complement(parts)


VAGUE_PUBLIC = ("vague", "releve_le", "nb_candidatures_deposees", "nb_recevables", "nb_laureats", "nb_non_retenues")


def _vague(figures: dict[str, Any]) -> dict[str, Any]:
    """A wave's counts of the selection chain: how many, never which (the rules failed stay internal)."""
    return {name: figures[name] for name in VAGUE_PUBLIC}


def _montants(territoires: Sequence[TerritoireFacts], entreprises: int) -> dict[str, Any]:
    """Sums of aid over a cell, or None (with the reason) when the cell has fewer than SEUIL_SECRET companies."""
    accorde = sum(t.accorde_centimes for t in territoires)
    engage = sum(t.engage_centimes for t in territoires)
    attribue = sum(t.enveloppe_centimes for t in territoires)
    if 0 < entreprises < SEUIL_SECRET:
        return {"montant_aides_centimes": None, "taux_consommation": None, "secret": SECRET}
    return {"montant_aides_centimes": accorde, "taux_consommation": taux(engage, attribue)}


def _region(code: str, nom: str, laureats: Iterable[TerritoireFacts]) -> dict[str, Any]:
    inside = [t for t in laureats if t.region_code == code]
    entreprises = sum(t.argent.nb_entreprises_aidees for t in inside)
    return {
        "code": code,
        "nom": nom,
        "nb_laureats": len(inside),
        "enveloppes_attribuees_centimes": sum(t.enveloppe_centimes for t in inside),
        "nb_projets_aides": sum(t.argent.nb_projets_aides for t in inside),
        "nb_entreprises_aidees": entreprises,
        **_montants(inside, entreprises),
    }


def _territoire(t: TerritoireFacts) -> dict[str, Any]:
    return {
        "territoire_id": t.territoire_id,
        "nom": t.nom,
        "region_code": t.region_code,
        "region": REGIONS_COG.get(t.region_code or ""),
        "enveloppe_centimes": t.enveloppe_centimes,
        "nb_entreprises_rencontrees": t.recensement.nb_entreprises_rencontrees,
        "nb_projets_recenses": t.recensement.nb_projets_recenses,
        "nb_projets_qualifies": t.nb_projets_qualifies,
        "nb_projets_aides": t.argent.nb_projets_aides,
        "nb_entreprises_aidees": t.argent.nb_entreprises_aidees,
        **_montants([t], t.argent.nb_entreprises_aidees),
        "mission": str(t.mission.etat) if t.mission and t.mission.etat else None,
    }


def aides_publiees(aides: Iterable[AideAttribuee]) -> list[dict[str, Any]]:
    """The aids the law requires to publish (500 000 € and more per project [003]), with their beneficiary: the
    public register, subsidies in the SCDL format among them (reporting.domain.scdl)."""
    kept = [a for a in aides if a.publication_obligatoire and a.montant_centimes > 0]
    return [a.as_json() for a in sorted(kept, key=lambda a: (a.date_decision, a.siret, a.territoire_id, a.aide_id))]


def digest(content: dict[str, Any]) -> str:
    """sha256 of the content's canonical JSON (sorted keys, no spaces, UTF-8): the bytes anyone can recompute."""
    return hashlib.sha256(canonical(content)).hexdigest()


# ---- the workflow --------------------------------------------------------------------------------------------


class PublicationExistante(DomainError):
    reason = "publication_existante"


class PublicationIncoherente(DomainError):
    reason = "publication_incoherente"


class PublicationClose(DomainError):
    """Refused by one of the three, or already public: nothing more can be cleared or refused."""

    reason = "publication_close"


class EmpreinteDifferente(DomainError):
    reason = "empreinte_differente"


class PublicationInconnue(NotFound):
    reason = "publication_inconnue"


@dataclass(frozen=True, slots=True)
class DemanderPublication:
    publication_id: str
    titre: str
    as_of: date
    known_at: datetime
    embargo_jusqu_au: datetime
    demandee_le: datetime
    contenu: dict[str, Any]
    positions: dict[str, int] = field(default_factory=dict)  # events applied from each producer's log


@dataclass(frozen=True, slots=True)
class ValiderPublication:
    publication_id: str
    organisme: Organisme
    digest: str
    validee_le: datetime


@dataclass(frozen=True, slots=True)
class RefuserPublication:
    publication_id: str
    organisme: Organisme
    motif: str
    refusee_le: datetime


@dataclass(frozen=True, slots=True)
class DiffuserPublication:
    publication_id: str
    diffusee_le: datetime


CommandePublication = DemanderPublication | ValiderPublication | RefuserPublication | DiffuserPublication


@dataclass(frozen=True, slots=True)
class Publication:
    demande: PublicationDemandee | None = None
    validations: dict[Organisme, PublicationValidee] = field(default_factory=dict)
    refus: PublicationRefusee | None = None
    diffusion: PublicationDiffusee | None = None

    @property
    def statut(self) -> str:
        if self.diffusion is not None:
            return "PUBLIQUE"
        if self.refus is not None:
            return "REFUSEE"
        if len(self.validations) == len(ORGANISMES):
            return "VALIDEE"
        return "DEMANDEE" if self.demande is not None else "INCONNUE"

    def diffusable(self, now: datetime) -> bool:
        """Cleared by all three, not refused, its embargo passed, not public yet."""
        return self.statut == "VALIDEE" and self.demande is not None and now >= self.demande.embargo_jusqu_au


def evolve(state: Publication, event: DomainEvent) -> Publication:
    match event:
        case PublicationDemandee():
            return replace(state, demande=event)
        case PublicationValidee():
            return replace(state, validations={**state.validations, event.organisme: event})
        case PublicationRefusee():
            return replace(state, refus=event)
        case PublicationDiffusee():
            return replace(state, diffusion=event)
        case _:
            return state


def decide(command: CommandePublication, state: Publication) -> list[DomainEvent]:
    if isinstance(command, DemanderPublication):
        return _demander(command, state)
    demande = state.demande
    if demande is None:
        raise PublicationInconnue(f"aucune publication {command.publication_id}")
    match command:
        case ValiderPublication():
            return _valider(command, state, demande)
        case RefuserPublication():
            if state.refus is not None and state.refus.organisme == command.organisme:
                return []  # the same refusal again
            _ouverte(state)
            _pas_avant(command.refusee_le, demande)
            return [PublicationRefusee(**_fields(command))]
        case DiffuserPublication():
            if state.diffusion is not None:
                return []
            if not state.diffusable(command.diffusee_le):
                raise PublicationIncoherente("la publication n'est pas validée par les trois, ou son embargo court")
            return [PublicationDiffusee(**_fields(command))]
    raise TypeError(f"unknown command {type(command).__name__}")


COMPUTED = {"demandee_le", "known_at", "contenu", "digest", "positions"}  # what a repeat of the request recomputes


def _demander(command: DemanderPublication, state: Publication) -> list[DomainEvent]:
    demandee = PublicationDemandee(**_fields(command), digest=digest(command.contenu))
    if state.demande is not None:
        mine = state.demande.model_dump(exclude=COMPUTED)
        if mine == demandee.model_dump(exclude=COMPUTED):
            return []  # the same request again (its content is the one frozen the first time)
        raise PublicationExistante(f"la publication {command.publication_id} est déjà demandée, en d'autres termes")
    if command.as_of > command.demandee_le.astimezone(PARIS).date():
        raise PublicationIncoherente(f"des chiffres au {command.as_of} ne sont pas encore connus")
    if command.embargo_jusqu_au < command.demandee_le:
        raise PublicationIncoherente("l'embargo ne peut précéder la demande")
    return [demandee]


def _valider(command: ValiderPublication, state: Publication, demande: PublicationDemandee) -> list[DomainEvent]:
    known = state.validations.get(command.organisme)
    if known is not None and known.digest == command.digest:
        return []  # already cleared by this organisme
    _ouverte(state)
    if command.digest != demande.digest:
        raise EmpreinteDifferente(
            "la validation porte sur une autre version du contenu", details={"digest": demande.digest}
        )
    _pas_avant(command.validee_le, demande)
    return [PublicationValidee(**_fields(command))]


def _ouverte(state: Publication) -> None:
    if state.refus is not None:
        raise PublicationClose(f"la publication a été refusée par {state.refus.organisme}: {state.refus.motif}")
    if state.diffusion is not None:
        raise PublicationClose("la publication est déjà publique")


def _pas_avant(moment: datetime, demande: PublicationDemandee) -> None:
    if moment < demande.demandee_le:
        raise PublicationIncoherente("une décision sur la publication ne peut précéder sa demande")


def _fields(command: object) -> dict[str, Any]:
    return {name: getattr(command, name) for name in command.__dataclass_fields__}  # type: ignore[attr-defined]


decider: Decider[CommandePublication, DomainEvent, Publication] = Decider(
    decide=decide, evolve=evolve, initial_state=Publication()
)
