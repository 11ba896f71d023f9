"""CPU time of one log-in through the real login view, per password hasher, in one run.

    .venv/bin/python bench/bench_login.py [--repeat 10]

"before" is Django's default PBKDF2 (1.5M iterations), "after" the site's Argon2id at OWASP's
minimum (argmap/hashers.py), and the floor the same log-in with a hash that costs nothing (MD5):
what the request costs besides the hasher. CPU seconds of this process (process_time), so other
work on the machine does not count, and a class of 30 logging in at once is 30 of these.
"""

import argparse
import statistics
import time

from benchdb import start_django

start_django()

from django.contrib.auth import get_user_model  # noqa: E402
from django.contrib.auth.hashers import make_password  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.test import Client, override_settings  # noqa: E402

from argmap import settings as site_settings  # noqa: E402

PASSWORD = "plum-orchard-lantern-42"
HASHERS = [
    ("floor: MD5, no real hashing", ["django.contrib.auth.hashers.MD5PasswordHasher"]),
    ("before: PBKDF2, 1.5M iterations", ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]),
    ("after: Argon2id 19 MiB, t=2, p=1", site_settings.PASSWORD_HASHERS),
]


def login_cpu_ms(repeat: int) -> tuple[float, float]:
    """Median CPU and wall milliseconds of one successful POST to the login view."""
    user, _ = get_user_model().objects.get_or_create(username="bench-login")
    user.password = make_password(PASSWORD)  # with the hasher being measured
    user.save(update_fields=["password"])
    cpu, wall = [], []
    for _ in range(repeat):
        client = Client()
        started_cpu, started = time.process_time(), time.perf_counter()
        response = client.post("/accounts/login/", {"username": "bench-login", "password": PASSWORD})
        cpu.append((time.process_time() - started_cpu) * 1000)
        wall.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 302, response.status_code
    return statistics.median(cpu), statistics.median(wall)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=10)
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    rows = []
    for label, hashers in HASHERS:
        with override_settings(PASSWORD_HASHERS=hashers):
            rows.append((label, *login_cpu_ms(args.repeat)))
    floor = rows[0][1]
    print(f"{'one log-in':<36} {'CPU ms':>8} {'wall ms':>8} {'× floor':>8} {'class of 30, CPU s':>19}")
    for label, cpu, wall in rows:
        print(f"{label:<36} {cpu:8.1f} {wall:8.1f} {cpu / floor:8.1f} {30 * cpu / 1000:19.2f}")
    print(f"after is {rows[1][1] / rows[2][1]:.1f}× cheaper than before")


if __name__ == "__main__":
    main()
