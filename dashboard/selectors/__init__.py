"""Reads behind the owner's dashboard: overview figures, ticket times, supplier price history, the staffing
plan beside the schedule, labour cost per day, and gross margin by item and month. Every function aggregates
in the database and returns plain data (lists/dicts of aggregates) ready for the API and the charts.

One module per area: `overview`, `charts`, `insights`; `numbers` rounds. Every public name is
importable from here."""

from .charts import margin_by_item_month, staffing_plan, supplier_price_history, ticket_times
from .insights import (
    HIDDEN_NUMBERS,
    SEVERITY_RANK,
    active_staff,
    insight_cards,
    insights_ranked,
    insights_version,
    open_insight_cards,
    open_insight_for_suggestion,
    recent_decisions,
    todays_decisions,
)
from .overview import (
    daily_trend,
    gross_profit_change,
    labour_target_pct,
    overview,
    stores_side_by_side,
)

__all__ = [
    "HIDDEN_NUMBERS",
    "SEVERITY_RANK",
    "active_staff",
    "daily_trend",
    "gross_profit_change",
    "insight_cards",
    "insights_ranked",
    "insights_version",
    "labour_target_pct",
    "margin_by_item_month",
    "open_insight_cards",
    "open_insight_for_suggestion",
    "overview",
    "recent_decisions",
    "staffing_plan",
    "stores_side_by_side",
    "supplier_price_history",
    "ticket_times",
    "todays_decisions",
]
