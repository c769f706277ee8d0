"""What each money decision does to a territory's envelope and to the programme's fund: the one place of the policy
(DOMAIN-REFERENCE §9 q6, §4.4), so that the envelope's decider, its view and reporting agree.

- A subvention and an avance remboursable both consume the envelope at face value when granted: the envelope is
  « une enveloppe cible de subventions » [000], and an advance is money out of it until repaid.
- A refusal consumes nothing.
- A reduction at the final statement (less was spent than the base, paid pro rata) gives the difference back.
- An abandonment gives back what was not paid out; what was paid of an advance stays due and is repaid.
- Repayments of advances are recorded and reported, and do NOT refill the envelope (§4.4: « do not refill the
  envelope unless a policy says so »): the envelope measures what Rebond committed, not its cash.
- The fund carries the State's share of every envelope (the contribution FINANCEUR_ETAT), reserved at attribution
  and changed by each adjustment the State finances; co-financers' shares are outside the 90 M€."""

from __future__ import annotations

from contracts.financement.v1 import FINANCEUR_ETAT

REMBOURSEMENTS_RECREDITENT_L_ENVELOPPE = False
FONDS_INVESTISSEMENT_CENTIMES = 9_000_000_000  # « un fonds dédié de 90 millions d'euros » [000]
ENVELOPPE_INGENIERIE_CENTIMES = 1_000_000_000  # « 10 M€ ingénierie » [000]
# The fund's consumption (State shares reserved / 90 M€) that prompts the SGPI's opinion on an early closure
# (DOMAIN-REFERENCE §4.5, « e.g. at 90 % / 100 % »): each alert is recorded once, when a reservation first reaches it.
SEUILS_CONSOMMATION_POURCENT = (90, 100)


def engagement(montant: int, reduction: int, libere: int) -> int:
    """What an aid still consumes of its envelope after its reduction and its cancellation."""
    return max(0, montant - reduction - libere)


def libere_par_annulation(montant: int, reduction: int, verse: int) -> int:
    """An abandoned project gives back what was not paid out of its aid."""
    return max(0, montant - reduction - verse)


def montant_final(montant: int, assiette: int, depenses_realisees: int) -> int:
    """Pro rata of the expenses actually made, never more than granted (integer centimes, rounded down)."""
    return min(montant, montant * depenses_realisees // assiette)


def versable(montant: int, assiette: int, depenses_justifiees: int) -> int:
    """What may have been paid out in all against the expenses justified so far."""
    return montant_final(montant, assiette, depenses_justifiees)


def part_etat(financeurs: dict[str, int]) -> int:
    return financeurs.get(FINANCEUR_ETAT, 0)
