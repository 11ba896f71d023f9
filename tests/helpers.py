"""Small helpers shared by the tests (the personas and maps are fixtures in conftest)."""

from argmap.models import Relation, Vote
from tests.conftest import PASSWORD

HTMX = {"HX-Request": "true"}
LOGIN = "/accounts/login/"


def htmx(target: str) -> dict[str, str]:
    """The headers htmx sends for a request that swaps the element with id `target`."""
    return {**HTMX, "HX-Target": target}


def log_in(client, user):
    """Sign `user` in without the form: for tests about what a signed-in person sees."""
    client.force_login(user)
    return client


def log_in_with_password(client, username: str, password: str = PASSWORD, *, address: str = "127.0.0.1",
                         headers: dict[str, str] | None = None, **fields):
    """Post the real login form (for tests of signing in itself) and return the response.

    `address` is the client's IP (the lockout counts per address); `fields` are extra form fields,
    such as a class's join `code`."""
    return client.post(LOGIN, {"username": username, "password": password, **fields}, REMOTE_ADDR=address,
                       headers=headers)


def vote(user, child, parent, impact: int) -> None:
    """`user`'s impact vote on the live relation of `child` to `parent`, without the votes module's checks."""
    relation = Relation.objects.live().get(child=child, parent=parent)
    Vote.objects.update_or_create(relation=relation, user=user, defaults={"impact": impact})
