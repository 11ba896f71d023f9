"""A class adding evidence at the same moment: thirty people, one map, real HTTP requests to a
running server, released together. Everyone's evidence must be stored, once, with no errors
(on SQLite the writers queue on the database lock; on PostgreSQL on the map's row lock)."""

import http.client
import re
import threading
import time
from urllib.parse import urlencode, urlsplit

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from argmap.models import Change, Map, MapSource, Membership, Node, NodeKind, Quote, Relation, Role, Source, Visibility

PEOPLE = 30
TEXT = "\n".join(f"Paragraph {n}: the delegation from district {n} reported 🙂 what it saw." for n in range(PEOPLE))


def passage(n: int) -> str:
    return f"the delegation from district {n} reported"


@pytest.fixture
def classroom(transactional_db):
    User = get_user_model()
    teacher = User.objects.create_user("class-teacher", password="a-long-teacher-pass")
    source = Source.objects.create(text=TEXT)
    map_ = Map.objects.create(title="Busy map", owner=teacher, visibility=Visibility.PRIVATE)
    MapSource.objects.create(map=map_, source=source, title="Delegations")
    thesis = Node.objects.create(map=map_, kind=NodeKind.THESIS, text="The districts agree", author=teacher)
    students = []
    for n in range(PEOPLE):
        student = User.objects.create_user(f"student-{n}", password="a-long-student-pass")
        Membership.objects.create(map=map_, user=student, role=Role.CONTRIBUTOR)
        students.append(student)
    return map_, source, thesis, students


class Browser:
    """One person's cookies against the live server, over plain http.client."""

    def __init__(self, address: str, user):
        parts = urlsplit(address)
        self.host, self.port = parts.hostname, parts.port
        client = Client()
        client.force_login(user)
        self.cookies = {settings.SESSION_COOKIE_NAME: client.cookies[settings.SESSION_COOKIE_NAME].value}

    def connection(self) -> http.client.HTTPConnection:
        return http.client.HTTPConnection(self.host, self.port, timeout=120)

    def cookie_header(self) -> str:
        return "; ".join(f"{name}={value}" for name, value in self.cookies.items())

    def get_form_token(self, path: str) -> str:
        """Open the evidence form the way a browser does: the CSRF cookie and the form's token."""
        connection = self.connection()
        connection.request("GET", path, headers={"Cookie": self.cookie_header()})
        response = connection.getresponse()
        body = response.read().decode()
        assert response.status == 200, body[:500]
        for header in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            self.cookies[name.strip()] = rest.split(";")[0]
        connection.close()
        assert settings.CSRF_COOKIE_NAME in self.cookies
        return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', body).group(1)


def test_thirty_people_add_evidence_to_one_map_at_once(live_server, classroom):
    map_, source, thesis, students = classroom
    path = reverse("evidence-add", args=[map_.code, source.code])
    requests = []
    for n, student in enumerate(students):
        browser = Browser(live_server.url, student)
        fields = {
            "csrfmiddlewaretoken": browser.get_form_token(path),
            "parent": thesis.pk,
            "stance": "support" if n % 2 else "oppose",
            "claim": f"District {n} saw it with its own eyes",
        }
        if n % 3:  # a selection in the reader (offsets in code points, after emoji) ...
            start = TEXT.index(passage(n))
            fields.update(exact=passage(n), start=start, end=start + len(passage(n)))
        else:  # ... or a pasted quote
            fields["quote"] = passage(n)
        requests.append((browser, urlencode(fields)))

    # Connect first, one after the other: the test server listens with a backlog of ten, so thirty
    # connections opened in the same instant would be refused by the kernel, not by the app.
    connections = []
    for browser, _ in requests:
        connections.append(browser.connection())
        connections[-1].connect()
        time.sleep(0.01)
    results: list = [None] * PEOPLE
    barrier = threading.Barrier(PEOPLE)

    def add(n: int) -> None:
        browser, body = requests[n]
        connection = connections[n]
        try:
            barrier.wait(timeout=60)
            connection.request("POST", path, body=body, headers={
                "Cookie": browser.cookie_header(),
                "Content-Type": "application/x-www-form-urlencoded",
            })
            response = connection.getresponse()
            body = response.read().decode(errors="replace")
            results[n] = (response.status, response.getheader("Location") or "", body)
        except Exception as error:  # reported below with the others
            results[n] = (None, "", repr(error))
        finally:
            connection.close()

    threads = [threading.Thread(target=add, args=(n,)) for n in range(PEOPLE)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=180)

    problems = [(n, r) for n, r in enumerate(results) if r is None or r[0] != 302 or "?quote=" not in r[1]]
    assert not problems, f"{len(problems)} of {PEOPLE} failed, e.g. {problems[0][0]}: {str(problems[0][1])[:800]}"
    assert not [r for r in results if "database is locked" in r[2]]

    claims = Node.objects.filter(map=map_, kind=NodeKind.CLAIM)
    expected = sorted(f"District {n} saw it with its own eyes" for n in range(PEOPLE))
    assert sorted(claims.values_list("text", flat=True)) == expected
    assert Relation.objects.filter(map=map_, parent=thesis).count() == PEOPLE
    quotes = Quote.objects.filter(node__map=map_)
    assert sorted(quotes.values_list("exact", flat=True)) == sorted(passage(n) for n in range(PEOPLE))
    for quote in quotes.select_related("node"):
        n = int(quote.node.text.split()[1])
        expected = (TEXT.index(passage(n)), passage(n), f"student-{n}")
        assert (quote.start, quote.exact, quote.node.author.username) == expected
    assert Change.objects.filter(map=map_, action="create").count() == 3 * PEOPLE
    assert Map.objects.get(pk=map_.pk).revision >= 3 * PEOPLE
