"""What a dossier still lacks to be deposited (cahier des charges [000], DOMAIN-REFERENCE §2.2), named
element by element, and the DNSH check of its Grille d'impacts."""

from __future__ import annotations

from dataclasses import dataclass

from contracts.candidature.dossier import (
    Dossier,
    GrilleImpacts,
    GrilleImpactsSaisie,
    ImpactAttendu,
    ObjectifEnvironnemental,
    SectionDossier,
)

PAGES_MAX = 20  # « limité à 20 pages, annexes comprises »
PAGES_SYNTHESE = 2  # « comprenant 2 pages de synthèse »
CHAMPS_REQUIS = ("nom_territoire", "region_code", "perimetre", "filiere")
TEXTES_GRILLE = ("solution_reference", "methodologie", "hypotheses")


@dataclass(frozen=True, slots=True)
class Manque:
    """One thing that prevents the deposit: a stable dotted `element` and why, in words."""

    element: str
    motif: str


def manquants(dossier: Dossier) -> list[Manque]:
    """Everything missing or out of the rules, in the dossier's order; [] when it can be deposited."""
    manque = [Manque(champ, "à renseigner") for champ in CHAMPS_REQUIS if getattr(dossier, champ) is None]
    manque += [
        Manque(f"sections.{s.value}", "section requise absente") for s in SectionDossier if s not in dossier.sections
    ]
    return manque + _pages(dossier) + _grille(dossier.grille_impacts)


def _pages(dossier: Dossier) -> list[Manque]:
    pages, synthese = dossier.nombre_pages, dossier.pages_synthese
    manque: list[Manque] = []
    if pages is None:
        manque.append(Manque("nombre_pages", "à renseigner"))
    elif pages > PAGES_MAX:
        manque.append(Manque("nombre_pages", f"{pages} pages: {PAGES_MAX} au plus, annexes comprises"))
    if synthese is None:
        manque.append(Manque("pages_synthese", "à renseigner"))
    elif synthese != PAGES_SYNTHESE:
        manque.append(
            Manque("pages_synthese", f"{synthese} pages de synthèse: le dossier en comprend {PAGES_SYNTHESE}")
        )
    elif pages is not None and synthese > pages:
        manque.append(Manque("pages_synthese", f"{synthese} pages de synthèse dans un dossier de {pages} pages"))
    return manque


def _grille(grille: GrilleImpactsSaisie | None) -> list[Manque]:
    if grille is None:
        return [Manque("grille_impacts", "annexe « Grille d'impacts » obligatoire")]
    manque = [
        Manque(f"grille_impacts.{texte}", "à renseigner") for texte in TEXTES_GRILLE if getattr(grille, texte) is None
    ]
    return manque + [
        Manque(f"grille_impacts.{o.value}", "objectif environnemental non évalué")
        for o in ObjectifEnvironnemental
        if getattr(grille, o.value) is None
    ]


def grille_complete(grille: GrilleImpactsSaisie) -> GrilleImpacts:
    """The draft's grille once `manquants` found nothing missing in it."""
    return GrilleImpacts.model_validate(grille.model_dump())


def prejudices_importants(grille: GrilleImpacts) -> list[str]:
    """The objectives for which the territory declares a significant harm (DNSH: excluded)."""
    return [
        o.value for o in ObjectifEnvironnemental if getattr(grille, o.value).impact is ImpactAttendu.PREJUDICE_IMPORTANT
    ]


def canonique(dossier: Dossier) -> Dossier:
    """The dossier with its sections once each, in the cahier des charges' order."""
    return dossier.model_copy(update={"sections": [s for s in SectionDossier if s in dossier.sections]})
