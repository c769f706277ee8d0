"""Slice « mission »: a laureate territory's engineering mission (stream `mission-<territoire_id>`): convention and
its deadline, engineering, monthly COPIL, qualified projects, feuille de route, restitution, close. Never imports
the other slices: it learns of a laureate from the published TerritoireLaureat."""
