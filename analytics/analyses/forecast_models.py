"""Competing forecast methods and their back-test, at the levels where decisions are made.

A forecast is judged where it is used: orders per hour (staffing) and each item's quantity per
daypart (prep). Per item per hour the counts are too sparse for WAPE to mean anything (forecasting
zero scores 1.0), so that level is not scored.

Every method here turns a daily matrix `y` (keys × 56 history days, index 0 = today − 56) and its
`valid` mask (the day counts for the key: the store traded and the item existed) into forecasts for
the target days 28..62: 28..55 are the back-test (four weeks, each forecast from the days before its
own week, as on its Monday morning) and 56..62 the coming week.

- ``seasonal_naive`` (baseline): the same weekday last week (the last trading one of the 4 before);
- ``flat_mean`` (baseline): the mean of the key over the trading days of the 4 weeks before the
  target's week, whatever the weekday;
- ``weighted``: PRODUCT.md's forecast, the 4-3-2-1 weighted mean of the same weekday;
- ``level_weekday``: the key's flat mean × the weekday's share of its level (pooled over all keys of
  the level, so a sparse item borrows the shape of its daypart): suited to intermittent demand;
- ``tsb`` (Teunter–Syntetos–Babai): a smoothed probability that the key sells on a day × a smoothed
  size when it does, for intermittent demand (α = β = 0.1), weekday-blind.

The back-test's winner is the method with the lowest WAPE (ties: the earlier in `METHODS`); it is the
one served. MASE scales the mean absolute error by the in-sample error of last week's value (days
7..27, before the back-test), so 1.0 means "as good as copying last week" on the history before.
"""

from dataclasses import dataclass
from decimal import Decimal

import numpy as np

HISTORY_DAYS = 56
FIRST_TARGET = 28  # the back-test starts here; 56..62 is the coming week
TARGETS = HISTORY_DAYS + 7 - FIRST_TARGET  # 35 target days
WEIGHTS = (4, 3, 2, 1)
TSB_ALPHA = TSB_BETA = 0.1
Q4 = Decimal("0.0001")

BASELINES = ("seasonal_naive", "flat_mean")
# Tie-break order: the simplest explanation wins a tie.
METHODS = ("seasonal_naive", "flat_mean", "weighted", "level_weekday", "tsb")
ITEM_METHODS = METHODS
ORDER_METHODS = METHODS[:4]  # orders per hour are not intermittent: TSB has nothing to add there


def _week_start(day: int) -> int:
    """The first day index of the back-test/forecast week that holds `day` (28, 35, 42, 49 or 56)."""
    return FIRST_TARGET + 7 * ((day - FIRST_TARGET) // 7)


def _window_mean(y: np.ndarray, valid: np.ndarray, start: int) -> np.ndarray:
    """Per key, the mean over the valid days of the 28 days before `start` (0 when none)."""
    window = slice(start - 28, start)
    days = valid[:, window].sum(axis=1)
    total = (y[:, window] * valid[:, window]).sum(axis=1)
    return np.divide(total, days, out=np.zeros(len(y)), where=days > 0)


def seasonal_naive(y: np.ndarray, valid: np.ndarray) -> np.ndarray:
    out = np.zeros((len(y), TARGETS))
    for j in range(TARGETS):
        t = FIRST_TARGET + j
        for k in (4, 3, 2, 1):  # the most recent trading one of the same weekday is written last
            source = t - 7 * k
            pick = valid[:, source]
            out[pick, j] = y[pick, source]
    return out


def weighted(y: np.ndarray, valid: np.ndarray) -> np.ndarray:
    out = np.zeros((len(y), TARGETS))
    for j in range(TARGETS):
        t = FIRST_TARGET + j
        num = np.zeros(len(y))
        den = np.zeros(len(y))
        for k, w in enumerate(WEIGHTS, start=1):
            source = t - 7 * k
            num += w * y[:, source] * valid[:, source]
            den += w * valid[:, source]
        out[:, j] = np.divide(num, den, out=np.zeros(len(y)), where=den > 0)
    return out


def flat_mean(y: np.ndarray, valid: np.ndarray) -> np.ndarray:
    out = np.zeros((len(y), TARGETS))
    for j in range(TARGETS):
        out[:, j] = _window_mean(y, valid, _week_start(FIRST_TARGET + j))
    return out


def level_weekday(y: np.ndarray, valid: np.ndarray, weekdays: np.ndarray) -> np.ndarray:
    """`weekdays[d]` is the weekday (0–6) of day index d. The weekday factor is the level's mean on
    that weekday over its mean on any day, both over the trading days of the 4 weeks before."""
    out = np.zeros((len(y), TARGETS))
    total = (y * valid).sum(axis=0)  # the level's total per day
    trading = valid.any(axis=0)
    for j in range(TARGETS):
        t = FIRST_TARGET + j
        start = _week_start(t)
        days = np.arange(start - 28, start)
        open_days = days[trading[days]]
        if len(open_days) == 0:
            continue
        overall = total[open_days].mean()
        same = open_days[weekdays[open_days] == weekdays[t]]
        factor = total[same].mean() / overall if len(same) and overall > 0 else 1.0
        out[:, j] = _window_mean(y, valid, start) * factor
    return out


def tsb(y: np.ndarray, valid: np.ndarray) -> np.ndarray:
    """State initialised on the first 28 days (share of selling days, mean size when selling), then
    updated day by day; each week is forecast from the state at the end of the week before."""
    first = slice(0, FIRST_TARGET)
    days = valid[:, first].sum(axis=1)
    selling = ((y[:, first] > 0) & valid[:, first]).sum(axis=1)
    p = np.divide(selling, days, out=np.zeros(len(y)), where=days > 0)
    z = np.divide(
        (y[:, first] * valid[:, first]).sum(axis=1), selling, out=np.zeros(len(y)), where=selling > 0
    )
    out = np.zeros((len(y), TARGETS))
    for start in range(FIRST_TARGET, HISTORY_DAYS + 7, 7):
        out[:, start - FIRST_TARGET : start - FIRST_TARGET + 7] = (p * z)[:, None]
        for d in range(start, min(start + 7, HISTORY_DAYS)):
            on = valid[:, d]
            sold = y[:, d] > 0
            p = np.where(on, p + TSB_ALPHA * (sold - p), p)
            z = np.where(on & sold, z + TSB_BETA * (y[:, d] - z), z)
    return out


@dataclass(frozen=True)
class Score:
    wape: Decimal | None
    mase: Decimal | None


def score(y: np.ndarray, valid: np.ndarray, forecast: np.ndarray) -> Score:
    """WAPE and MASE of the back-test days 28..55 over the valid (key, day) cells."""
    back = slice(FIRST_TARGET, HISTORY_DAYS)
    mask = valid[:, back]
    actual = y[:, back][mask]
    predicted = forecast[:, : HISTORY_DAYS - FIRST_TARGET][mask]
    if actual.sum() <= 0:
        return Score(None, None)
    error = np.abs(actual - predicted)
    wape = Decimal(repr(float(error.sum() / actual.sum()))).quantize(Q4)
    pairs = valid[:, 7:FIRST_TARGET] & valid[:, : FIRST_TARGET - 7]
    scale = np.abs(y[:, 7:FIRST_TARGET] - y[:, : FIRST_TARGET - 7])[pairs]
    mase = None
    if len(scale) and scale.mean() > 0:
        mase = Decimal(repr(float(error.mean() / scale.mean()))).quantize(Q4)
    return Score(wape, mase)


def compete(y: np.ndarray, valid: np.ndarray, weekdays: np.ndarray, methods=METHODS) -> dict:
    """{method: (forecast matrix, Score)} and the winner: the lowest WAPE, ties to the simpler."""
    builders = {
        "seasonal_naive": lambda: seasonal_naive(y, valid),
        "flat_mean": lambda: flat_mean(y, valid),
        "weighted": lambda: weighted(y, valid),
        "level_weekday": lambda: level_weekday(y, valid, weekdays),
        "tsb": lambda: tsb(y, valid),
    }
    results = {}
    for name in methods:
        matrix = builders[name]()
        results[name] = (matrix, score(y, valid, matrix))
    scored = [m for m in methods if results[m][1].wape is not None]
    winner = min(scored, key=lambda m: (results[m][1].wape, methods.index(m))) if scored else "weighted"
    return {"results": results, "winner": winner}
