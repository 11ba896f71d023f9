"""Classes and exercises: a teacher runs a lesson on a map (the models are in argmap/models/classroom.py)."""
