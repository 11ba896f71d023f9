"""The password hasher: Argon2id at OWASP's minimum recommended parameters (docs/security.md)."""

from django.contrib.auth.hashers import Argon2PasswordHasher


class Argon2idHasher(Argon2PasswordHasher):
    """Argon2id with 19 MiB of memory, 2 passes and 1 lane: the minimum configuration OWASP's Password
    Storage Cheat Sheet recommends. A log-in costs about 35 ms of one core instead of PBKDF2's 0.5 s, so a class
    logging in at once no longer fills the machine; the memory it needs keeps guessing on GPUs dear.

    The algorithm name stays "argon2" (Django's format): a stored hash with other parameters, Django's
    own included, is checked as usual and re-made with these at the next log-in."""

    time_cost = 2
    memory_cost = 19 * 1024  # KiB
    parallelism = 1
