"""Calendar arithmetic of the mission: month terms, the end of a day in Paris, calendar months.

Month terms follow the French civil rule for deadlines expressed in months (Code de procédure civile,
art. 641): the term falls on the same day of the month (« le même quantième ») N months later, or on that
month's last day when it has no such day. So 31/08/2023 + 6 months = 29/02/2024, 31/08/2022 + 6 months =
28/02/2023, 20/07/2023 + 6 months = 20/01/2024. Art. 642's postponement of a term falling on a Saturday,
Sunday or public holiday is a rule of procedure and is NOT applied: the convention term is a contractual
one, and the AMI's cahier des charges says nothing of it."""

from __future__ import annotations

import calendar
from datetime import date, datetime, time, timedelta

from kernel.clock import PARIS, paris_date


def ajouter_mois(jour: date, mois: int) -> date:
    """The same day of the month `mois` months later, or that month's last day (art. 641 CPC)."""
    index = jour.year * 12 + jour.month - 1 + mois
    annee, mois_cible = divmod(index, 12)
    dernier = calendar.monthrange(annee, mois_cible + 1)[1]
    return date(annee, mois_cible + 1, min(jour.day, dernier))


def fin_du_jour(jour: date) -> datetime:
    """The instant a day ends in Paris (midnight starting the next day), daylight saving included."""
    return datetime.combine(jour + timedelta(days=1), time(0), tzinfo=PARIS)


def jour_a_paris(instant: datetime) -> date:
    """The civil date in Paris of an instant."""
    return paris_date(instant)


def mois_de(jour: date) -> str:
    """The calendar month of a day, as AAAA-MM."""
    return f"{jour.year:04d}-{jour.month:02d}"


def mois_suivant(mois: str) -> str:
    annee, numero = (int(part) for part in mois.split("-"))
    return mois_de(ajouter_mois(date(annee, numero, 1), 1))


def mois_entre(premier: str, dernier: str) -> list[str]:
    """The calendar months from `premier` to `dernier`, both included (empty when dernier < premier)."""
    mois, suite = premier, []
    while mois <= dernier:
        suite.append(mois)
        mois = mois_suivant(mois)
    return suite


def dernier_mois_ecoule(instant: datetime) -> str:
    """The last calendar month wholly past at `instant` (in Paris): the month before the current one."""
    aujourd_hui = jour_a_paris(instant)
    return mois_de(ajouter_mois(aujourd_hui.replace(day=1), -1))
