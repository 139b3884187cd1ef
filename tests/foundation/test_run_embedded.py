"""`make run`'s command as a newcomer meets it: it announces the URL once the server answers, and
SIGTERM stops everything it started (web server, worker, beat) with no orphan left behind; a worker that
dies is started again."""

import os
import selectors
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

ROOT = Path(settings.BASE_DIR)
PORT = 21702  # h8's spare range

pytestmark = [pytest.mark.celery, pytest.mark.django_db(transaction=True)]


def children_of(pid: int) -> set[int]:
    """Every live descendant of `pid`, read from /proc."""
    parents: dict[int, int] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        parents[int(stat.parent.name)] = int(fields[1])
    found, frontier = set(), {pid}
    while frontier:
        frontier = {child for child, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def celery_child(pid: int) -> int | None:
    """The Celery worker started by `pid` (its direct child running celery), if any is alive."""
    for child in children_of(pid):
        try:
            stat = Path(f"/proc/{child}/stat").read_text().rsplit(")", 1)[1].split()
            cmdline = Path(f"/proc/{child}/cmdline").read_bytes()
        except OSError:
            continue
        if int(stat[1]) == pid and b"celery" in cmdline and alive(child):
            return child
    return None


def read_until(process: subprocess.Popen, text: str, timeout: float) -> list[str]:
    lines: list[str] = []
    selector = selectors.DefaultSelector()
    selector.register(process.stdout, selectors.EVENT_READ)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not selector.select(timeout=1):
            continue
        line = process.stdout.readline()
        if not line:
            break
        lines.append(line.rstrip("\n"))
        if text in line:
            return lines
    raise AssertionError(f"{text!r} not printed within {timeout} s; output so far:\n" + "\n".join(lines))


def test_sigterm_stops_server_worker_and_beat(tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip("the command is run against the test database, which must be PostgreSQL (as in CI)")
    db = connection.settings_dict
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"CELERY_BROKER_URL", "REDIS_URL", "PORT", "ADDR"}
    }
    env.update(
        DATABASE_URL=f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        RESTAURANT_OPS_VAR_DIR=str(tmp_path),  # its own embedded broker folders and logs
        PORT=str(PORT),
        PYTHONUNBUFFERED="1",
    )
    process = subprocess.Popen(
        [sys.executable, "manage.py", "run_embedded", "--no-demo"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    started: set[int] = set()
    try:
        lines = read_until(process, f"running at http://127.0.0.1:{PORT}/", timeout=180)
        # The URL comes once the server answers, after the steps that show progress.
        assert any("Applying database migrations" in line for line in lines)
        assert any("Starting the Celery worker and beat" in line for line in lines)
        with urllib.request.urlopen(f"http://127.0.0.1:{PORT}/login/", timeout=10) as response:
            assert response.status == 200

        # The worker's beat process starts a moment after the worker: wait for web, worker and beat.
        deadline = time.monotonic() + 60
        while len(started := children_of(process.pid)) < 3 and time.monotonic() < deadline:
            time.sleep(0.5)
        assert len(started) >= 3, started

        # The worker is supervised: killed outright, it is started again.
        worker = celery_child(process.pid)
        os.kill(worker, signal.SIGKILL)
        deadline = time.monotonic() + 60
        while celery_child(process.pid) in (None, worker) and time.monotonic() < deadline:
            time.sleep(0.5)
        restarted = celery_child(process.pid)
        assert restarted not in (None, worker)
        deadline = time.monotonic() + 60
        while len(children_of(restarted)) < 1 and time.monotonic() < deadline:  # its beat is back too
            time.sleep(0.5)
        started = children_of(process.pid)

        process.send_signal(signal.SIGTERM)
        rest = process.communicate(timeout=60)[0]
        assert process.returncode == 0, rest
        assert "Stopped." in rest
        left = {pid for pid in started if alive(pid)}
        assert not left, f"orphans left running: {left}"
    finally:
        for pid in started | children_of(process.pid):
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        if process.poll() is None:
            process.kill()
            process.wait()
