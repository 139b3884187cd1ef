"""Newcombe's interval against the published example, and the "too few to tell" rule."""

import pytest

from customers import stats


def test_newcombe_matches_the_published_example():
    # Newcombe (1998), Statistics in Medicine 17:873, table II, example (a): 56/70 against 48/80:
    # difference 0.8000 − 0.6000 = 0.2000, method 10 interval 0.0524 to 0.3339.
    d, low, high = stats.newcombe(56, 70, 48, 80)
    assert (round(d, 4), round(low, 4), round(high, 4)) == (0.2, 0.0524, 0.3339)


def test_wilson_interval_worked_by_hand():
    # 0 of 10: centre (0 + 3.8415/20) / (1 + 0.38415) = 0.19207 / 1.38415 = 0.13876; half =
    # 1.96 × sqrt(0 + 3.8415/400) / 1.38415 = 1.96 × 0.098 / 1.38415 = 0.13876 → (0, 0.2775).
    low, high = stats.wilson(0, 10)
    assert low == pytest.approx(0.0, abs=1e-9) and round(high, 4) == 0.2775


def test_too_few_to_tell_under_30_per_arm():
    assert stats.effect(10, 29, 5, 40)["enough"] is False
    assert stats.effect(10, 30, 5, 30)["enough"] is True
