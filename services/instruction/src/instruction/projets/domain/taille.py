"""A company's size by the EU definition (Recommandation 2003/361/CE, annexe I du RGEC 651/2014), which sets both
the census's TPE/PME/ETI/GE and the size class of the state-aid intensities. [003]: a GE has « plus de 250
personnes » and a CA > 50 M€ or a bilan > 43 M€; ETIs count as GE for state aid."""

from __future__ import annotations

from contracts.instruction.projets import CategorieAideEtat, TailleEntreprise

M_EUR = 100_000_000  # one million euros, in cents


def taille_de(effectif: int, chiffre_affaires: int, total_bilan: int) -> TailleEntreprise:
    """Headcount is decisive; then either money ceiling suffices (« CA ≤ … ou bilan ≤ … »)."""
    if effectif < 10 and min(chiffre_affaires, total_bilan) <= 2 * M_EUR:
        return TailleEntreprise.TPE
    if effectif < 250 and (chiffre_affaires <= 50 * M_EUR or total_bilan <= 43 * M_EUR):
        return TailleEntreprise.PME
    if effectif < 5000 and (chiffre_affaires <= 1500 * M_EUR or total_bilan <= 2000 * M_EUR):
        return TailleEntreprise.ETI
    return TailleEntreprise.GE


def categorie_de(effectif: int, chiffre_affaires: int, total_bilan: int) -> CategorieAideEtat:
    """Petite: < 50 persons and CA or bilan ≤ 10 M€ (micro included); moyenne: the other PMEs; grande: ETI and GE."""
    match taille_de(effectif, chiffre_affaires, total_bilan):
        case TailleEntreprise.TPE:
            return CategorieAideEtat.PETITE
        case TailleEntreprise.PME:
            petite = effectif < 50 and min(chiffre_affaires, total_bilan) <= 10 * M_EUR
            return CategorieAideEtat.PETITE if petite else CategorieAideEtat.MOYENNE
    return CategorieAideEtat.GRANDE
