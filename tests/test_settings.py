"""Development just works; the production switch is strict; the CSP holds on every page."""

import os
import re
import subprocess
import sys

import pytest
from django.conf import settings

MANAGE = [sys.executable, str(settings.BASE_DIR / "manage.py")]
SECRET = "s" * 30 + "-production-secret-of-enough-length"


def run(args, **env):
    clean = {k: v for k, v in os.environ.items() if not k.startswith("ARGMAP_")}
    return subprocess.run(MANAGE + args, env={**clean, **env}, capture_output=True, text=True, timeout=120)


def test_it_refuses_to_start_in_production_without_a_secret_or_hosts():
    missing_secret = run(["check"], ARGMAP_PRODUCTION="1", ARGMAP_ALLOWED_HOSTS="argmap.example.org")
    assert missing_secret.returncode != 0 and "ARGMAP_SECRET_KEY" in missing_secret.stderr
    missing_hosts = run(["check"], ARGMAP_PRODUCTION="1", ARGMAP_SECRET_KEY=SECRET)
    assert missing_hosts.returncode != 0 and "ARGMAP_ALLOWED_HOSTS" in missing_hosts.stderr


def test_it_passes_the_deployment_checks_in_production():
    result = run(["check", "--deploy", "--fail-level", "WARNING"], ARGMAP_PRODUCTION="1", ARGMAP_SECRET_KEY=SECRET,
                 ARGMAP_ALLOWED_HOSTS="argmap.example.org")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_it_refuses_a_nonsense_flag():
    result = run(["check"], ARGMAP_DEBUG="maybe")
    assert result.returncode != 0 and "ARGMAP_DEBUG must be a yes/no flag" in result.stderr


def test_it_collects_compressed_cache_busted_static_files_for_production(tmp_path):
    result = run(["collectstatic", "--noinput", "-v0"], ARGMAP_PRODUCTION="1", ARGMAP_SECRET_KEY=SECRET,
                 ARGMAP_ALLOWED_HOSTS="argmap.example.org", ARGMAP_STATIC_ROOT=str(tmp_path))
    assert result.returncode == 0, result.stderr
    css = [p.name for p in (tmp_path / "css").iterdir()]
    assert any(re.fullmatch(r"argmap\.[0-9a-f]{12}\.css", name) for name in css)
    assert any(name.endswith(".css.gz") for name in css)
    assert (tmp_path / "staticfiles.json").exists()


def test_it_uses_sqlite_in_wal_mode_by_default(db):
    from django.db import connection

    if connection.vendor != "sqlite":
        pytest.skip("this run uses DATABASE_URL")
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode")
        assert cursor.fetchone()[0] == "wal"


def test_it_sends_a_strict_csp_and_has_no_inline_code(client, demo_map):
    pages = [
        "/",
        demo_map.get_absolute_url(),
        demo_map.get_absolute_url() + "?expand=all",
        f"/maps/belarus/nodes/{demo_map.nodes.first().pk}/",
        f"/maps/belarus/sources/{demo_map.sources.first().code}/?at=10",
        "/accounts/login/",
    ]
    for url in pages:
        response = client.get(url)
        policy = response.headers["Content-Security-Policy"]
        assert "script-src 'self'" in policy and "style-src 'self'" in policy and "unsafe" not in policy
        html = response.content.decode()
        assert not re.search(r"<script(?![^>]*\ssrc=)[^>]*>", html), url
        assert not re.search(r"<style|\sstyle=|\son[a-z]+=|hx-on|javascript:", html), url
