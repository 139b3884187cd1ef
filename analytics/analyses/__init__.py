"""The analyses: each a function of (store, now) over aggregates from `analytics.selectors`. The
runners (`run_*`) write their results through `analytics.services` and are what jobs call."""


def registry() -> dict:
    """Job name → runner(store=, now=, job_run=). Order matters: the forecast feeds the others."""
    from . import forecast, sales

    jobs = {
        "forecast": forecast.run_forecast,
        "trending": sales.run_trending,
    }
    from . import integrations

    jobs.update(integrations.available_jobs())
    return jobs
