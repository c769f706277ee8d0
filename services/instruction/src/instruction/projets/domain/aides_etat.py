"""The state-aid rules Bpifrance's instruction checks (DOMAIN-REFERENCE §3.1; [000] for the AMI, [003] Annexe 2),
with the maximum intensities held as data, each with its source.

Where the sources give no rate, the value is marked as an inference to confirm with the product owner: [000] names
the regimes and no rate; [003] gives the AFR range and the ADEME environment rates."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from contracts.base import FormeAide, RegimeAide
from contracts.instruction.projets import CategorieAideEtat, CategorieDepense, Cofinancement, Depense

ASSIETTE_MINIMALE_CENTIMES = 40_000_000  # « assiette minimale de dépenses de 400 000 € » [000]
DUREE_MAXIMALE_MOIS = 24  # « réalisées sur une durée maximum de 2 ans » [000]
DEPENSES_ELIGIBLES = frozenset(
    {
        CategorieDepense.INFRASTRUCTURES,
        CategorieDepense.FONCIER,
        CategorieDepense.IMMOBILIER,
        CategorieDepense.IMMOBILISATIONS_INCORPORELLES,
        CategorieDepense.EQUIPEMENTS_MACHINES,
        CategorieDepense.INDUSTRIALISATION,
        CategorieDepense.AMELIORATION_ENERGETIQUE_ENVIRONNEMENTALE,
        CategorieDepense.CONSEIL_ASSOCIE,
    }
)  # [000]'s list; the other categories a company may declare are not financed

P, M, G = CategorieAideEtat.PETITE, CategorieAideEtat.MOYENNE, CategorieAideEtat.GRANDE


@dataclass(frozen=True, slots=True)
class Bareme:
    """A regime's maximum intensity per size class, in ‰ of the expense base; absent = not open to that size."""

    intensites: dict[CategorieAideEtat, int]
    source: str
    bonus_avance_pour_mille: int = 0  # points added for a repayable aid, where the regime says so
    zone_afr_requise: bool = False


BAREMES: dict[RegimeAide, Bareme] = {
    RegimeAide.REPRISE_DURABLE_SA102077: Bareme(
        {P: 200, M: 150, G: 100},
        "SA 102077 « Reprise durable » (régime 3.13) nommé par [000] sans taux: 20/15/10 % (I, à confirmer)",
    ),
    RegimeAide.AFR: Bareme(
        {P: 300, M: 200, G: 100},
        "[003]: AFR de 10 % (GE, métropole) à 90 % (petites, outre-mer); métropole: 30/20/10 % (I)",
        zone_afr_requise=True,
    ),
    RegimeAide.PME: Bareme(
        {P: 200, M: 100}, "Régime PME (RGEC 651/2014 art. 17): 20 % petite, 10 % moyenne, fermé aux GE (I)"
    ),
    RegimeAide.ENVIRONNEMENT: Bareme(
        {P: 550, M: 450, G: 350},
        "[003] fiche ADEME « Protection de l'environnement »: 55/45/35 % (PE/ME/GE), +10 points en aide remboursable",
        bonus_avance_pour_mille=100,
    ),
}


@dataclass(frozen=True, slots=True)
class Dossier:
    """What Bpifrance's instruction weighs (from the request, the census and the company's declarations)."""

    forme: FormeAide
    montant_demande_centimes: int
    date_depot: date
    regime: RegimeAide
    categorie: CategorieAideEtat
    zone_afr: bool
    depenses: tuple[Depense, ...]
    debut_depenses: date
    fin_depenses: date
    debut_travaux: date
    dnsh_atteste: bool
    cofinancements: tuple[Cofinancement, ...]

    @property
    def assiette_centimes(self) -> int:
        return sum(d.montant_centimes for d in self.depenses if d.categorie in DEPENSES_ELIGIBLES)

    @property
    def cofinancement_centimes(self) -> int:
        return sum(c.montant_centimes for c in self.cofinancements)


def intensite_max(dossier: Dossier) -> int | None:
    """The maximum intensity in ‰ for this regime, size and form; None when the regime is closed to the size."""
    bareme = BAREMES[dossier.regime]
    base = bareme.intensites.get(dossier.categorie)
    if base is None:
        return None
    bonus = bareme.bonus_avance_pour_mille if dossier.forme is FormeAide.AVANCE_REMBOURSABLE else 0
    return min(1000, base + bonus)


def plafond_centimes(dossier: Dossier) -> int:
    """The most Rebond may grant: assiette × intensity, less the other public aid on the same base [003]."""
    intensite = intensite_max(dossier) or 0
    return max(0, dossier.assiette_centimes * intensite // 1000 - dossier.cofinancement_centimes)


def regles_enfreintes(dossier: Dossier) -> list[str]:
    """Every rule the request breaks, by its stable name (empty: the instruction is favourable)."""
    bareme = BAREMES[dossier.regime]
    enfreintes = []
    if any(d.categorie not in DEPENSES_ELIGIBLES for d in dossier.depenses):
        enfreintes.append("depense_non_eligible")
    if dossier.assiette_centimes < ASSIETTE_MINIMALE_CENTIMES:
        enfreintes.append("assiette_minimale")
    if dossier.fin_depenses < dossier.debut_depenses or _mois_entre(dossier.debut_depenses, dossier.fin_depenses) > (
        DUREE_MAXIMALE_MOIS
    ):
        enfreintes.append("duree_depenses")
    if not dossier.dnsh_atteste:
        enfreintes.append("dnsh_non_atteste")
    if bareme.zone_afr_requise and not dossier.zone_afr:
        enfreintes.append("hors_zone_afr")
    if intensite_max(dossier) is None:
        enfreintes.append("regime_ferme_a_cette_taille")
    if dossier.debut_travaux < dossier.date_depot:
        enfreintes.append("travaux_avant_demande")  # effet incitatif [003]
    elif dossier.debut_travaux > dossier.fin_depenses or dossier.debut_travaux < dossier.debut_depenses:
        enfreintes.append("travaux_hors_periode")
    if intensite_max(dossier) is not None and dossier.montant_demande_centimes > plafond_centimes(dossier):
        enfreintes.append("intensite_depassee")  # cumul of all public aid within the intensity [003]
    return enfreintes


def _mois_entre(debut: date, fin: date) -> float:
    """Whole months from debut to fin, a part month counting as more (24 months from 01/03/2024 end 28/02/2026)."""
    mois = (fin.year - debut.year) * 12 + fin.month - debut.month
    return mois + (0.5 if fin.day >= debut.day else -0.5)
