"""The competing forecast methods and their back-test, on small matrices worked by hand.

Day index d runs over 56 history days; targets 28..55 are the back-test, 56..62 the coming week.
Unless said otherwise, weekday(d) = d % 7."""

from decimal import Decimal

import numpy as np
import pytest

from analytics.analyses import forecast_models as fm

WEEKDAYS = np.arange(63) % 7


def one_key(values: dict[int, float]) -> np.ndarray:
    y = np.zeros((1, 56))
    for day, value in values.items():
        y[0, day] = value
    return y


def all_valid(keys: int = 1) -> np.ndarray:
    return np.ones((keys, 56), dtype=bool)


def test_weighted_naive_and_flat_mean_for_the_first_backtest_day():
    y = one_key({21: 5, 14: 3, 7: 4, 0: 2})
    j = 0  # target day 28: the same weekday was days 21, 14, 7 and 0
    # (4·5 + 3·3 + 2·4 + 1·2) / 10 = 39/10
    assert fm.weighted(y, all_valid())[0, j] == pytest.approx(3.9)
    assert fm.seasonal_naive(y, all_valid())[0, j] == 5
    # the 28 days before the target's week: (5 + 3 + 4 + 2) / 28
    assert fm.flat_mean(y, all_valid())[0, j] == pytest.approx(0.5)


def test_a_closed_day_is_skipped_by_every_method():
    y = one_key({21: 5, 14: 3, 7: 4, 0: 2})
    valid = all_valid()
    valid[0, 21] = False  # closed last week
    # weights 3, 2, 1 remain: (3·3 + 2·4 + 1·2) / 6 = 19/6
    assert fm.weighted(y, valid)[0, 0] == pytest.approx(19 / 6)
    assert fm.seasonal_naive(y, valid)[0, 0] == 3  # the last trading same weekday, two weeks back
    assert fm.flat_mean(y, valid)[0, 0] == pytest.approx(9 / 27)  # (3 + 4 + 2) over 27 open days


def test_level_times_weekday_borrows_the_levels_weekday_shape():
    # A sells 2 on each Friday (weekday 4: days 4, 11, 18, 25) and nothing else; B sells 1 every day.
    y = np.zeros((2, 56))
    y[0, [4, 11, 18, 25]] = 2
    y[1, :] = 1
    forecast = fm.level_weekday(y, all_valid(2), WEEKDAYS)
    # Level per day: 3 on Fridays, 1 otherwise; overall mean (4·3 + 24·1)/28 = 9/7.
    # Friday factor 3 / (9/7) = 7/3; Monday factor 1 / (9/7) = 7/9. A's 28-day mean = 8/28 = 2/7.
    friday, monday = 32 - 28, 28 - 28
    assert forecast[0, friday] == pytest.approx(2 / 7 * 7 / 3)  # 0.6667
    assert forecast[0, monday] == pytest.approx(2 / 7 * 7 / 9)  # 0.2222
    assert forecast[1, friday] == pytest.approx(7 / 3)


def test_tsb_probability_times_size_updated_week_by_week():
    # 2 units on even days, none on odd ones: p₀ = 14/28 = 0.5, z₀ = 2 → first week 1.0.
    y = one_key({d: 2 for d in range(0, 56, 2)})
    forecast = fm.tsb(y, all_valid())
    assert forecast[0, 0] == pytest.approx(1.0)
    assert forecast[0, 6] == pytest.approx(1.0)  # the whole week from Monday morning's state
    # Days 28..34 (sold on 28, 30, 32, 34): p = 0.55, 0.495, 0.5455, 0.49095, 0.541855, 0.4876695,
    # 0.53890255; z stays 2 → 1.0778051 for the next week.
    assert forecast[0, 7] == pytest.approx(1.0778051)


def test_wape_and_mase():
    y = one_key({**{d: 1 for d in range(7)}, **{d: 2 for d in range(7, 56)}})
    forecast = np.full((1, 35), 3.0)
    score = fm.score(y, all_valid(), forecast)
    # back-test: 28 days of 2, each off by 1: WAPE = 28 / 56
    assert score.wape == Decimal("0.5000")
    # in-sample last-week error over days 7..27: 7 pairs off by 1, 14 pairs exact → 7/21 = 1/3;
    # MASE = mean error 1 / (1/3)
    assert score.mase == Decimal("3.0000")


def test_no_score_without_sales_and_no_mase_without_in_sample_change():
    assert fm.score(np.zeros((1, 56)), all_valid(), np.zeros((1, 35))) == fm.Score(None, None)
    flat = fm.score(np.full((1, 56), 2.0), all_valid(), np.full((1, 35), 2.0))
    assert flat == fm.Score(Decimal("0.0000"), None)


def test_the_winner_is_the_lowest_wape_and_a_tie_goes_to_the_simpler_method():
    steady = np.full((1, 56), 2.0)
    contest = fm.compete(steady, all_valid(), WEEKDAYS)
    assert contest["winner"] == "seasonal_naive"  # everyone is exact: the first of METHODS
    # Alternating weeks of 2 and 4 (days 0..6 are 2): the flat 4-week mean (3) is off by 1 a day,
    # the weighted mean by 1.2, last week by 2.
    alternating = np.array([[2.0 if (d // 7) % 2 == 0 else 4.0 for d in range(56)]])
    contest = fm.compete(alternating, all_valid(), WEEKDAYS)
    scores = {m: s.wape for m, (_f, s) in contest["results"].items()}
    assert scores["flat_mean"] == Decimal("0.3333")  # 28 / 84
    assert scores["weighted"] == Decimal("0.4000")  # 28 · 1.2 / 84
    assert scores["seasonal_naive"] == Decimal("0.6667")  # 28 · 2 / 84
    assert scores["level_weekday"] == Decimal("0.3333")  # one key: the factor is 1
    assert contest["winner"] == "flat_mean"
