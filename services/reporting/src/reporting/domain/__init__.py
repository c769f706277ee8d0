"""Pure reporting logic: figures computed from projected facts, and their comparison."""
