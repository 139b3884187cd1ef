"""A small closed-loop HTTP load generator: N client threads, each sending one request after another
to 127.0.0.1 until a time limit or a request budget runs out. Latencies in seconds."""

import http.client
import statistics
import threading
import time
from collections.abc import Callable


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]


def run_load(
    *,
    port: int,
    method: str,
    path: str,
    make_request: Callable[[int, int], tuple[bytes, dict]],
    clients: int,
    seconds: float,
    max_requests: int,
    expect: int,
) -> dict:
    """`make_request(client, n)` returns (body, headers) for the client's n-th request. Only 127.0.0.1."""
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    budget = [max_requests]
    deadline = time.monotonic() + seconds
    start_barrier = threading.Barrier(clients + 1)

    def client(number: int) -> None:
        mine: list[float] = []
        start_barrier.wait()
        n = 0
        while time.monotonic() < deadline:
            with lock:
                if budget[0] <= 0:
                    break
                budget[0] -= 1
            body, headers = make_request(number, n)
            n += 1
            began = time.perf_counter()
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
                conn.request(method, path, body=body, headers=headers)
                response = conn.getresponse()
                payload = response.read()
                conn.close()
            except OSError as exc:
                with lock:
                    errors.append(repr(exc))
                continue
            elapsed = time.perf_counter() - began
            if response.status != expect:
                with lock:
                    errors.append(f"{response.status}: {payload[:300]!r}")
                continue
            mine.append(elapsed)
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=client, args=(i,), daemon=True) for i in range(clients)]
    for thread in threads:
        thread.start()
    start_barrier.wait()
    began = time.monotonic()
    for thread in threads:
        thread.join(timeout=seconds + 120)
    wall = time.monotonic() - began
    return {
        "clients": clients,
        "requests": len(latencies),
        "errors": len(errors),
        "first_errors": errors[:3],
        "seconds": round(wall, 3),
        "throughput": round(len(latencies) / wall, 2) if wall else 0.0,
        "p50_ms": round(percentile(latencies, 50) * 1000, 2),
        "p95_ms": round(percentile(latencies, 95) * 1000, 2),
        "p99_ms": round(percentile(latencies, 99) * 1000, 2),
        "mean_ms": round(statistics.fmean(latencies) * 1000, 2) if latencies else float("nan"),
    }
