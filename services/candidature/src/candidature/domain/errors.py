"""Why a Candidature command is refused (each reason is a stable code, answered as HTTP 409)."""
from __future__ import annotations

from datetime import datetime

from kernel.decider import DomainError


class AMIClos(DomainError):
    reason = "ami_clos"

    def __init__(self, deposee_le: datetime, cloture: datetime) -> None:
        super().__init__(f"l'AMI est clos depuis la relève finale du {cloture.isoformat()} "
                         f"(dépôt du {deposee_le.isoformat()})")


class GrilleImpactsManquante(DomainError):
    reason = "grille_impacts_manquante"

    def __init__(self) -> None:
        super().__init__("l'annexe « Grille d'impacts » est obligatoire")


class SectionsManquantes(DomainError):
    reason = "sections_manquantes"

    def __init__(self, manquantes: list[str]) -> None:
        super().__init__(f"sections manquantes au dossier: {', '.join(manquantes)}")
        self.manquantes = manquantes


class PagesIncoherentes(DomainError):
    reason = "pages_incoherentes"

    def __init__(self, nombre_pages: int, pages_synthese: int) -> None:
        super().__init__(f"{pages_synthese} pages de synthèse dans un dossier de {nombre_pages} pages")


class PorteurIncoherent(DomainError):
    reason = "porteur_incoherent"


class DejaDeposee(DomainError):
    reason = "deja_deposee"

    def __init__(self, candidature_id: str) -> None:
        super().__init__(f"la candidature {candidature_id} est déjà déposée avec un autre contenu")
