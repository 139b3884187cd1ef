"""The interval a rule's measured effect is reported with: Newcombe's hybrid score interval for the
difference of two independent proportions (Newcombe 1998, method 10), built from Wilson intervals."""

import math

Z95 = 1.959964
MIN_PER_ARM = 30


def wilson(successes: int, n: int, z: float = Z95) -> tuple[float, float]:
    if n == 0:
        return 0.0, 1.0
    p = successes / n
    denominator = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denominator
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denominator
    return centre - half, centre + half


def newcombe(x1: int, n1: int, x2: int, n2: int, z: float = Z95) -> tuple[float, float, float]:
    """(difference p1 − p2, lower, upper) at the level of `z` (95% by default)."""
    p1, p2 = x1 / n1, x2 / n2
    l1, u1 = wilson(x1, n1, z)
    l2, u2 = wilson(x2, n2, z)
    d = p1 - p2
    return d, d - math.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2), d + math.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2)


def effect(x1: int, n1: int, x2: int, n2: int) -> dict:
    """Messaged (x1 of n1) against held out (x2 of n2): the difference with its interval, or "too few
    to tell" while either arm has fewer than 30 customers."""
    if n1 < MIN_PER_ARM or n2 < MIN_PER_ARM:
        return {"enough": False, "messaged": (x1, n1), "held_out": (x2, n2)}
    d, low, high = newcombe(x1, n1, x2, n2)
    return {
        "enough": True,
        "messaged": (x1, n1),
        "held_out": (x2, n2),
        "difference": d,
        "low": low,
        "high": high,
    }


def share(successes: int, n: int) -> dict:
    """One proportion with its Wilson 95% interval (no interval while n is below 30)."""
    out = {"count": successes, "of": n, "enough": n >= MIN_PER_ARM}
    if n:
        out["rate"] = successes / n
    if n >= MIN_PER_ARM:
        out["low"], out["high"] = wilson(successes, n)
    return out
