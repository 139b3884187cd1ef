"""The analyses: each a function of (store, now) over aggregates from `analytics.selectors`. The
runners (`run_*`) publish their findings through `analytics.insights`; `analytics.registry` names them
as jobs."""
