"""Analytics reads can go to a PostgreSQL read replica (DATABASE_REPLICA_URL and a database router).
The check runs in its own pytest process, because the replica alias exists only when the variable is
set when settings load; there it stands in as a second connection to the test database."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_analytics_reads_use_the_replica_in_a_process_that_has_one():
    base = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/restaurant_ops")
    url = base.rstrip("/") + "_replica"  # its own test database: this run holds the main one
    env = {**os.environ, "DATABASE_URL": url, "DATABASE_REPLICA_URL": url}
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "tests/foundation/replica_probe.py", "-q", "-p", "no:playwright"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert "1 passed" in result.stdout
