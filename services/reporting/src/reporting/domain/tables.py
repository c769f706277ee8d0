"""The public tables of a cleared publication, as people download them (CSV, XLSX): national indicators, regions,
territories and the register of aids of 500 000 € and more, amounts in euros.

Pure and read only from the frozen content: a download says exactly what was cleared, nothing recomputed."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from reporting.domain.scdl import euros

Table = tuple[tuple[str, ...], list[tuple[Any, ...]]]  # (header, rows)

NATIONAL_LABELS = {
    "nb_candidatures": "Candidatures déposées",
    "nb_laureats": "Territoires lauréats",
    "nb_regions_laureates": "Régions comptant un lauréat",
    "enveloppes_attribuees_centimes": "Enveloppes attribuées (€)",
    "nb_entreprises_rencontrees": "Industriels rencontrés",
    "nb_projets_recenses": "Projets recensés",
    "investissement_recense_centimes": "Investissement recensé (€)",
    "emplois_potentiels": "Emplois potentiels",
    "nb_territoires_recenses": "Territoires ayant recensé des projets",
    "moyenne_projets_par_territoire": "Projets recensés par territoire (moyenne)",
    "nb_projets_qualifies": "Projets qualifiés par les COPIL",
    "emplois_prevus": "Emplois prévus (projets qualifiés)",
    "nb_projets_aides": "Projets aidés",
    "nb_entreprises_aidees": "Entreprises aidées",
    "nb_aides": "Aides accordées",
    "nb_missions_lancees": "Missions d'ingénierie lancées",
    "nb_missions_restituees": "Missions restituées",
    "montant_aides_centimes": "Aides accordées (€)",
    "taux_consommation": "Taux de consommation des enveloppes",
}


def _amount(value: Any) -> str:
    """Centimes as euros; '' for a suppressed cell (secret statistique) or an unknown one."""
    return euros(int(value)) if isinstance(value, int) else ""


def _value(name: str, value: Any) -> Any:
    if name.endswith("_centimes"):
        return _amount(value)
    return "" if value is None else value


def national(contenu: dict[str, Any]) -> Table:
    figures = contenu["national"]
    rows = [(label, _value(name, figures.get(name))) for name, label in NATIONAL_LABELS.items() if name in figures]
    fonds = figures.get("fonds_investissement") or {}
    rows.append(("Fonds d'investissement (€)", _amount(fonds.get("montant_centimes"))))
    rows.append(("Taux de consommation du fonds", _value("", fonds.get("taux_consommation"))))
    return ("indicateur", "valeur"), rows


def regions(contenu: dict[str, Any]) -> Table:
    header = (
        "code_region",
        "region",
        "nb_laureats",
        "enveloppes_attribuees_euros",
        "nb_projets_aides",
        "nb_entreprises_aidees",
        "montant_aides_euros",
        "taux_consommation",
    )
    rows = [
        (
            r["code"],
            r["nom"],
            r["nb_laureats"],
            _amount(r["enveloppes_attribuees_centimes"]),
            r["nb_projets_aides"],
            r["nb_entreprises_aidees"],
            _amount(r.get("montant_aides_centimes")),
            _value("", r.get("taux_consommation")),
        )
        for r in contenu["regions"]
    ]
    return header, rows


def territoires(contenu: dict[str, Any]) -> Table:
    header = (
        "territoire_id",
        "territoire",
        "code_region",
        "region",
        "enveloppe_euros",
        "nb_entreprises_rencontrees",
        "nb_projets_recenses",
        "nb_projets_qualifies",
        "nb_projets_aides",
        "nb_entreprises_aidees",
        "montant_aides_euros",
        "taux_consommation",
        "mission",
    )
    rows = [
        (
            t["territoire_id"],
            t["nom"],
            t["region_code"] or "",
            t["region"] or "",
            _amount(t["enveloppe_centimes"]),
            t["nb_entreprises_rencontrees"],
            t["nb_projets_recenses"],
            t["nb_projets_qualifies"],
            t["nb_projets_aides"],
            t["nb_entreprises_aidees"],
            _amount(t.get("montant_aides_centimes")),
            _value("", t.get("taux_consommation")),
            t.get("mission") or "",
        )
        for t in contenu["territoires"]
    ]
    return header, rows


def aides(contenu: dict[str, Any]) -> Table:
    header = (
        "date_decision",
        "beneficiaire",
        "siret",
        "territoire_id",
        "forme",
        "regime",
        "montant_euros",
        "objet",
    )
    rows = [
        (
            a["date_decision"],
            a["beneficiaire"],
            a["siret"],
            a["territoire_id"],
            a["forme"],
            a["regime"],
            euros(int(a["montant_accorde_centimes"]) - int(a["rendu_centimes"])),
            a["intitule"],
        )
        for a in contenu.get("aides_publiees", [])
    ]
    return header, rows


BUILDERS: dict[str, Callable[[dict[str, Any]], Table]] = {
    "national": national,
    "regions": regions,
    "territoires": territoires,
    "aides": aides,
}
