"""Why a command is refused: each reason is a stable code; a refusal's kind (kernel.decider: refused, not found,
forbidden) is what the HTTP adapter turns into a status."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from kernel.decider import DomainError, Forbidden, NotFound

if TYPE_CHECKING:
    from candidature.domain.completude import Manque


class AMIClos(DomainError):
    reason = "ami_clos"

    def __init__(self, deposee_le: datetime, cloture: datetime, anticipee: bool = False) -> None:
        quand = "par arrêté (clôture anticipée) le" if anticipee else "depuis la relève finale du"
        super().__init__(f"l'AMI est clos {quand} {cloture.isoformat()} (dépôt du {deposee_le.isoformat()})")


class DossierIncomplet(DomainError):
    reason = "dossier_incomplet"

    def __init__(self, manquants: Sequence[Manque]) -> None:
        super().__init__(
            "dossier incomplet: " + "; ".join(f"{m.element} ({m.motif})" for m in manquants),
            details={"manquants": [{"element": m.element, "motif": m.motif} for m in manquants]},
        )
        self.manquants = list(manquants)


class PrejudiceImportant(DomainError):
    reason = "dnsh_prejudice_important"

    def __init__(self, objectifs: list[str]) -> None:
        super().__init__(
            "« Les projets causant un préjudice important du point de vue de l'environnement seront exclus » "
            f"(principe DNSH, annexe 1): préjudice important déclaré pour {', '.join(objectifs)}"
        )
        self.objectifs = objectifs


class PorteurIncoherent(DomainError):
    reason = "porteur_incoherent"


class AdhesionsManquantes(DomainError):
    reason = "adhesions_manquantes"

    def __init__(self, sirens: Sequence[str]) -> None:
        super().__init__(
            "chaque EPCI du groupement doit adhérer à la candidature avant son dépôt: manquent " + ", ".join(sirens),
            details={"sirens": list(sirens)},
        )


class HorsPerimetre(Forbidden):
    reason = "hors_perimetre"

    def __init__(self, siren: str | None) -> None:
        super().__init__(f"votre EPCI ({siren}) doit figurer parmi les EPCI porteurs de la candidature")


class CandidatureIntrouvable(NotFound):
    """Also the answer to whoever may not see the candidature: its existence is not revealed."""

    reason = "candidature_introuvable"

    def __init__(self, candidature_id: str) -> None:
        super().__init__(f"aucune candidature {candidature_id} accessible")


class CandidatureExistante(DomainError):
    reason = "candidature_existante"

    def __init__(self, candidature_id: str) -> None:
        super().__init__(
            f"l'identifiant {candidature_id} est déjà pris (un brouillon se modifie par "
            f"PUT /candidatures/{candidature_id}/dossier)"
        )


class DejaDeposee(DomainError):
    reason = "deja_deposee"

    def __init__(self, candidature_id: str) -> None:
        super().__init__(f"la candidature {candidature_id} est déposée: son dossier ne se modifie plus")


class DejaRetiree(DomainError):
    reason = "candidature_retiree"

    def __init__(self, candidature_id: str) -> None:
        super().__init__(f"la candidature {candidature_id} a été retirée")


class NonDeposee(DomainError):
    reason = "non_deposee"

    def __init__(self, candidature_id: str) -> None:
        super().__init__(f"la candidature {candidature_id} n'est qu'un brouillon: rien à retirer")


class DossiersFiges(DomainError):
    reason = "vague_relevee"

    def __init__(self, vague: int, releve_le: datetime) -> None:
        super().__init__(f"la vague {vague} a été relevée le {releve_le.isoformat()}: ses dossiers sont figés")


class EpciDejaCandidat(DomainError):
    reason = "epci_deja_candidat"

    def __init__(self, siren: str, autre_candidature_id: str, vague: int) -> None:
        super().__init__(
            f"l'EPCI {siren} figure déjà dans la candidature {autre_candidature_id} déposée en vague {vague}"
        )
        self.siren, self.autre_candidature_id = siren, autre_candidature_id


class RelevePrematuree(DomainError):
    reason = "releve_prematuree"

    def __init__(self, vague: int, releve_le: datetime) -> None:
        super().__init__(f"la relève de la vague {vague} n'a lieu que le {releve_le.isoformat()}")


class ClotureIncoherente(DomainError):
    """The arrêté is « pris sur avis du SGPI » and cannot be dated in the future."""

    reason = "cloture_incoherente"


class AMIDejaClos(DomainError):
    reason = "ami_deja_clos"

    def __init__(self, reference: str) -> None:
        super().__init__(f"l'AMI est déjà clos par l'arrêté {reference}")


class AucunSeuilSignale(DomainError):
    """The SGPI's opinion on an early closure answers the fund's exhaustion [000]: financement has signalled none."""

    reason = "aucun_seuil_de_consommation"

    def __init__(self) -> None:
        super().__init__(
            "aucun seuil de consommation du fonds n'a été signalé par le financement: l'avis du SGPI sur une "
            "clôture anticipée suit l'épuisement des moyens financiers"
        )


class AvisSGPIManquant(DomainError):
    """The arrêté is « pris sur avis du SGPI » [000]: it needs the SGPI's latest opinion, favourable."""

    reason = "avis_sgpi_manquant"
