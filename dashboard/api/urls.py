from django.urls import path

from . import views

# Endpoints the dashboard adds to /api/v1/analytics/ (overview, ticket times, price history, staffing plan,
# margin by item and month): the same paths integrators use; the analyses' own are in analytics/api/urls.py.
urlpatterns = [
    path("overview/", views.OverviewView.as_view(), name="analytics-overview"),
    path("ticket-times/", views.TicketTimesView.as_view(), name="analytics-ticket-times"),
    path("supplier-prices/", views.SupplierPriceHistoryView.as_view(), name="analytics-supplier-prices"),
    path("staffing-plan/", views.StaffingPlanView.as_view(), name="analytics-staffing-plan"),
    path(
        "margin-by-item-month/", views.MarginByItemMonthView.as_view(), name="analytics-margin-by-item-month"
    ),
]
