"""The nightly run fanned out per store over 1 and then 2 Celery workers (#16).

The chain of the analyses section (20 stores, each with its own year) gets the messages the nightly task
sends for each store (`run_store_analyses` and `evaluate_insights`, on the "analytics" queue of the real
broker), and real worker processes (`--pool solo`, one task at a time each, as many as measured) consume
them. The clock runs from the first message sent until every store's seven analyses are recorded
(JobRun rows) and no worker has a task running or reserved. The ratio of the wall times is how well the
fan-out scales on this machine, where the workers and PostgreSQL share two cores.

Only the chain's stores are sent (the nightly task itself would send every store in the bench
database). Worker CPU time is read from /proc per worker process.
"""

import contextlib
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SPEEDUP_TARGET = 1.5  # 2 workers ÷ 1 worker on 2 cores shared with PostgreSQL: ≥ 1.5 × faster
TIMEOUT_S = 1800.0
NIGHTLY_WINDOW_H = 4  # the capacity model's night: between close and the morning digest


def _cpu_seconds(pid: int) -> float:
    """utime + stime of a process (and its reaped children), from /proc."""
    with open(f"/proc/{pid}/stat") as handle:
        fields = handle.read().rsplit(")", 1)[1].split()
    return sum(int(f) for f in fields[11:15]) / os.sysconf("SC_CLK_TCK")


@contextlib.contextmanager
def celery_workers(n: int):
    """n Celery worker processes on the "analytics" queue (solo pool: one task at a time each), on the
    bench database and the broker of CELERY_BROKER_URL; the queue is purged first."""
    from restaurant_ops.celery import app

    broker = os.environ.get("CELERY_BROKER_URL", "")
    if not broker.startswith("redis://"):
        raise SystemExit("The fan-out benchmark needs a real broker: set BENCH_BROKER_URL=redis://...")
    with app.connection_for_write() as connection:
        connection.default_channel.queue_purge("analytics")
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "bench.settings"}
    tag = f"fanout{os.getpid()}"
    processes = [
        subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "restaurant_ops", "worker", "-Q", "analytics"]
            + ["-n", f"{tag}-{i}@%h", "--pool", "solo", "--loglevel", "warning"]
            + ["--without-gossip", "--without-mingle", "--without-heartbeat"],
            env=env,
            cwd=ROOT,
        )
        for i in range(n)
    ]
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if any(p.poll() is not None for p in processes):
                raise RuntimeError("a Celery worker exited")
            replies = app.control.ping(timeout=0.5) or []
            if sum(1 for r in replies for name in r if name.startswith(tag)) >= n:
                break
        else:
            raise RuntimeError(f"{n} Celery workers did not answer within 90 s")
        yield processes, [f"{tag}-{i}" for i in range(n)]
    finally:
        for p in processes:
            p.terminate()  # SIGTERM to its own pid: a warm shutdown
        for p in processes:
            try:
                p.wait(timeout=30)
            except subprocess.TimeoutExpired:
                p.kill()


def _busy(app, names: list[str]) -> bool:
    inspect = app.control.inspect(timeout=0.5)
    for reply in (inspect.active() or {}, inspect.reserved() or {}):
        for worker, tasks in reply.items():
            if any(worker.startswith(n) for n in names) and tasks:
                return True
    return False


def nightly_run(store_ids: list[int], workers: int) -> dict:
    """Sends the nightly messages for these stores and times their run on `workers` workers."""
    from django.utils import timezone

    from analytics.models import JobRun
    from analytics.registry import JOBS
    from analytics.tasks import evaluate_insights, run_store_analyses
    from restaurant_ops.celery import app

    expected = len(store_ids) * len(JOBS)
    with celery_workers(workers) as (processes, names):
        cpu_before = [_cpu_seconds(p.pid) for p in processes]
        since = timezone.now()
        began = time.perf_counter()
        for store_id in store_ids:  # what analytics.tasks.nightly sends per store
            run_store_analyses.delay(store_id, None)
            evaluate_insights.delay(store_id)
        done, timed_out = 0, False
        while True:
            done = (
                JobRun.objects.filter(store_id__in=store_ids, started_at__gte=since)
                .exclude(outcome=JobRun.Outcome.RUNNING)
                .count()
            )
            if done >= expected and not _busy(app, names):
                break
            if time.perf_counter() - began > TIMEOUT_S:
                timed_out = True
                break
            time.sleep(0.2)
        wall = time.perf_counter() - began
        cpu = sum(_cpu_seconds(p.pid) - before for p, before in zip(processes, cpu_before, strict=True))
    failed = JobRun.objects.filter(
        store_id__in=store_ids, started_at__gte=since, outcome=JobRun.Outcome.FAILURE
    ).count()
    return {
        "workers": workers,
        "stores": len(store_ids),
        "wall_s": round(wall, 2),
        "worker_cpu_s": round(cpu, 2),
        "job_runs": done,
        "failed": failed,
        "timed_out": timed_out,
    }


def bench_fanout(results, cfg: dict) -> None:
    from bench.generate import ensure_chain

    n_stores, per_store = cfg["chain"]
    print(f"Nightly run of {n_stores} stores × {per_store} lines on 1 and 2 Celery workers", flush=True)
    chain = ensure_chain(prefix=f"bench-chain{per_store}", stores=n_stores, lines_per_store=per_store)
    ids = [c["store"].pk for c in chain]
    runs = {}
    for workers in (1, 2):
        run = runs[workers] = nightly_run(ids, workers)
        print(
            f"  {workers} worker{'s' if workers > 1 else ' '}: {run['wall_s']:7.1f} s wall, "
            f"{run['worker_cpu_s']:6.1f} s worker CPU, {run['job_runs']} job runs, {run['failed']} failed"
            + (" TIMED OUT" if run["timed_out"] else ""),
            flush=True,
        )
    one, two = runs[1], runs[2]
    per_store_s = one["wall_s"] / n_stores
    results.details["fanout"] = {
        "stores": n_stores,
        "lines_per_store": per_store,
        "runs": {str(k): v for k, v in runs.items()},
        "worker_seconds_per_store": round(per_store_s, 3),
        "worker_cpu_per_store_s": round(one["worker_cpu_s"] / n_stores, 3),
        "window_h": NIGHTLY_WINDOW_H,
    }
    results.ratio(
        "fanout.nightly.speedup_2_workers",
        product=one["wall_s"],
        baseline=two["wall_s"],
        limit=SPEEDUP_TARGET,
        op=">=",
        target=f"≥ {SPEEDUP_TARGET}",
        what=f"nightly run of {n_stores} stores: wall time on 1 worker ÷ on 2 workers",
    )
    if one["failed"] or two["failed"] or one["timed_out"] or two["timed_out"]:
        results.diagnoses["fanout"] = f"failed or timed-out job runs: {runs}"
