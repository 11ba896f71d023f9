"""Classes and exercises: a teacher runs a lesson on a map (see models.py)."""
