"""Students on their class's map, as the pages make a browser behave (run by bench/load/run.py).

Each simulated student logs in, opens the map page and from then on:
- polls the page's activity URL every 2 s (token and `since` read from the page, as the poller in
  templates/maps/_live.html does), and when the answer is "changed" does what static/js/live.js
  does: `on_map_changed` (the one place to change when live.js changes its protocol);
- between actions thinks 3–8 s; actions: expand a branch, open a focus page or the source reader,
  go back to the map, and about one in ten a write (a claim under a node through the reply form,
  a comment, a vote). Every write carries a unique marker and is logged with what the client saw,
  so run.py can check afterwards that each one it saw succeed landed exactly once.

The server runs with production settings behind what would be a TLS proxy: requests say
`X-Forwarded-Proto: https`, and the client sends the Secure cookies back over plain HTTP.

Environment: LOAD_MANIFEST (prepare_load's JSON), LOAD_SCENARIO, LOAD_RESULTS (where to write the
writes, logins and poll answers), LOAD_RUN (a run id put into the markers).
"""

import itertools
import json
import os
import random
import re
import sys
import time
from http.cookiejar import DefaultCookiePolicy
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import gevent
from locust import between, events, task
from locust.contrib.fasthttp import FastHttpUser

sys.path.insert(0, str(Path(__file__).resolve().parent))
import pages  # noqa: E402

POLL_SECONDS = 2
MANIFEST = json.loads(Path(os.environ["LOAD_MANIFEST"]).read_text()) if os.environ.get("LOAD_MANIFEST") else None
RUN = os.environ.get("LOAD_RUN", "run")
NEXT_STUDENT = itertools.count()
RESULTS = {"logins_ms": [], "polls": {"changed": 0, "unchanged": 0, "stopped": 0, "nothing shown changed": 0}, "writes": []}
CSRF_FORM = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def interleaved(students: list[dict]) -> list[dict]:
    """One student of each map in turn, so a run with fewer users still covers every class."""
    by_map = {}
    for student in students:
        by_map.setdefault(student["map_code"], []).append(student)
    rounds = itertools.zip_longest(*by_map.values())
    return [student for round_ in rounds for student in round_ if student is not None]


class BehindTlsProxy(DefaultCookiePolicy):
    """Secure cookies go back over plain HTTP: the server is told the connection is HTTPS."""

    def return_ok_secure(self, cookie, request):
        return True


class Student(FastHttpUser):
    wait_time = between(3, 8)
    concurrency = 4  # the poller and the student's own clicks share the session, like a browser's tabs

    def on_start(self):
        students = interleaved(MANIFEST["scenarios"][os.environ["LOAD_SCENARIO"]])
        self.number = next(NEXT_STUDENT)
        self.account = students[self.number % len(students)]
        self.map_url = self.account["map"]
        self.origin = "https://" + urlsplit(self.host).netloc
        self.client.cookiejar.set_policy(BehindTlsProxy())
        self.writes = itertools.count(1)
        # The page shown (with branches fetched since appended), its poller's URL and CSRF token.
        self.page_url, self.page, self.poll, self.csrf = "", "", None, None
        self.log_in()
        self.open(self.map_url, "map page")
        self.poller = gevent.spawn(self.keep_polling)

    def on_stop(self):
        if getattr(self, "poller", None):
            self.poller.kill()

    # Requests

    def request(self, method, url, name, *, htmx_target=None, data=None, referer=None, follow=True):
        headers = {"X-Forwarded-Proto": "https", "Referer": self.origin + (referer or self.page_url or "/")}
        if htmx_target is not None:
            headers.update({"HX-Request": "true", "HX-Current-URL": self.origin + self.page_url})
            if htmx_target:
                headers["HX-Target"] = htmx_target
        if method == "POST":
            headers["Origin"] = self.origin
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        return self.client.request(method, url, name=name, data=data, headers=headers, allow_redirects=follow)

    def open(self, url, name):
        """Go to a page: it becomes the one whose poller runs."""
        response = self.request("GET", url, name)
        if response.status_code == 200:
            self.page_url, self.page = url, response.text
            self.poll, self.csrf = pages.poll_url(self.page), pages.csrf_token(self.page)
        return response

    def log_in(self):
        started = time.perf_counter()
        form = self.request("GET", "/accounts/login/", "login: form", referer="/")
        token = CSRF_FORM.search(form.text or "")
        data = {"username": self.account["username"], "password": MANIFEST["password"],
                "csrfmiddlewaretoken": token.group(1) if token else ""}
        response = self.request("POST", "/accounts/login/", "login: post", data=data, referer="/accounts/login/",
                                follow=False)
        if response.status_code == 302:
            RESULTS["logins_ms"].append((time.perf_counter() - started) * 1000)

    # Live updates

    def keep_polling(self):
        gevent.sleep(random.uniform(0, POLL_SECONDS))  # pages were not all opened at the same instant
        while True:
            gevent.sleep(POLL_SECONDS)
            if self.poll:
                self.poll_once()

    def poll_once(self):
        response = self.request("GET", self.poll, "poll", htmx_target="live-poller")
        if response.status_code == 204:
            RESULTS["polls"]["unchanged"] += 1
        elif response.status_code == 200:
            RESULTS["polls"]["changed"] += 1
            self.poll = pages.poll_url(response.text) or self.poll
            self.on_map_changed(pages.changed_detail(response.headers.get("HX-Trigger", "")))
        else:
            RESULTS["polls"]["stopped"] += 1  # the poller stops; the student reloads the page
            self.open(self.page_url, "reload after poll stopped")

    def on_map_changed(self, detail):
        """What static/js/live.js does on `argmap-changed`. When the event names the nodes that
        changed, the map page asks the rows URL for just the rows it shows that changed (nothing at all
        if it shows none) and another page fetches its regions again only if they show one of them;
        otherwise (an import, a pruned log) every live region is fetched again whole."""
        if detail is None or "nodes" not in detail:
            return self.refetch_regions()
        rows_url = pages.rows_url(self.page)
        if rows_url is None:  # a focus page or the reader: refreshed whole if it shows a changed node
            if pages.shows_any(self.page, set(detail["rows"])):
                self.refetch_regions()
            return
        if any(f'id="node-{thesis}"' not in self.page for thesis in detail["theses"]):
            return self.refetch_regions()  # a new thesis: live.js fetches the trees whole
        rows = set(detail["rows"])
        shown = [path for path in pages.row_paths(self.page) if int(path.rsplit(".", 1)[-1]) in rows]
        scores = detail.get("scores") and 'id="scoreboard"' in self.page
        if not shown and not scores:
            RESULTS["polls"]["nothing shown changed"] += 1
            return
        query = [("path", path) for path in shown] + [("open", path) for path in pages.open_paths(self.page)]
        query.append(("changed", ",".join(map(str, detail["nodes"]))))
        if scores:
            query.append(("scores", "1"))
        self.request("GET", f"{rows_url}?{urlencode(query)}", "live rows", htmx_target="")

    def refetch_regions(self):
        """Every live region of the page fetched again, the tree with its filter and open branches;
        regions sharing an address in one request for the whole page, a region alone as an htmx request
        for just itself (live.js before issue 13 did this on every change)."""
        by_url = {}
        for region in pages.live_regions(self.page):
            url = region.url or self.page_url
            if region.tree:
                query = "&".join(f"open={path}" for path in pages.open_paths(self.page))
                url = region.url + ("?" + query if query else "")
            by_url.setdefault(url, []).append(region)
        for url, regions in by_url.items():
            target = regions[0].id if len(regions) == 1 else None
            response = self.request("GET", url, "live refresh: " + (target or "page"), htmx_target=target)
            if response.status_code == 200:
                self.page = response.text  # the tree (or the page) as it is now

    # What a student does between thoughts

    def back_to_map(self):
        if self.page_url != self.map_url:
            self.open(self.map_url, "map page")

    @task(2)
    def reread_map(self):
        self.open(self.map_url, "map page")

    @task(4)
    def expand_branch(self):
        self.back_to_map()
        closed = [t for t in pages.toggles(self.page) if t.opens]
        if closed:
            toggle = random.choice(closed)
            response = self.request("GET", toggle.request_url(), "expand branch", htmx_target=toggle.target)
            if response.status_code == 200:
                self.page += response.text  # the row again, open: pages.toggles reads the later copy

    @task(3)
    def focus(self):
        self.back_to_map()
        links = pages.focus_links(self.page)
        if links:
            self.open(random.choice(links), "focus page")

    @task(1)
    def read_source(self):
        self.back_to_map()
        links = pages.reader_links(self.page)
        if links:
            self.open(random.choice(links), "source reader")

    @task(1)
    def write(self):
        self.back_to_map()
        random.choice([self.add_claim, self.add_claim, self.comment, self.vote])()

    # Writes

    def marker(self) -> str:
        return f"LT-{RUN}-{self.number}-{next(self.writes)}"

    def record(self, kind, response, seen, **details):
        RESULTS["writes"].append({"kind": kind, "user": self.account["username"], "map": self.account["map_code"],
                                  "status": response.status_code, "ok": bool(seen), **details})

    def add_claim(self):
        links = pages.reply_links(self.page)
        if not links:
            return
        url = random.choice(links)
        form = self.request("GET", url, "write: reply form", htmx_target="")
        token = CSRF_FORM.search(form.text or "")
        if not token:
            return
        marker = self.marker()
        path = url.rsplit("path=", 1)[1]
        data = {"csrfmiddlewaretoken": token.group(1), "path": path, "stance": random.choice(["support", "oppose"]),
                "text": f"Load test claim {marker}: the evidence points the other way.", "filter": "all"}
        response = self.request("POST", url.split("?")[0], "write: claim", htmx_target="trees", data=data)
        self.record("claim", response, response.status_code == 200 and marker in response.text, marker=marker)

    def comment(self):
        threads = pages.comment_threads(self.page)
        token = self.csrf
        if not threads or not token:
            return
        thread, panel = random.choice(threads)
        self.request("GET", f"{thread}?panel={panel}", "write: comments panel", htmx_target="")
        marker = self.marker()
        data = {"csrfmiddlewaretoken": token, "text": f"Load test comment {marker}: which source says so?"}
        response = self.request("POST", thread + "new/", "write: comment", htmx_target=panel, data=data)
        self.record("comment", response, response.status_code == 200 and marker in response.text, marker=marker)

    def vote(self):
        forms = pages.vote_forms(self.page)
        token = self.csrf
        if not forms or not token:
            return
        url, relation, place = random.choice(forms)
        impact = random.randint(0, 4)
        data = {"csrfmiddlewaretoken": token, "place": place, "next": self.page_url, "impact": str(impact)}
        response = self.request("POST", url, "write: vote", htmx_target=f"{place}-vote", data=data)
        self.record("vote", response, response.status_code == 200 and 'class="vote"' in response.text,
                    relation=relation, impact=impact)


@events.quitting.add_listener
def write_results(environment, **kwargs):
    if os.environ.get("LOAD_RESULTS"):
        Path(os.environ["LOAD_RESULTS"]).write_text(json.dumps(RESULTS))
