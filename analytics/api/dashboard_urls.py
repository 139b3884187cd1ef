from django.urls import path  # noqa: F401

# Endpoints the dashboard adds to /api/v1/analytics/ (overview, ticket times, price history, staffing plan, margin by
# item and month); the analyses issue owns analytics/api/urls.py.
urlpatterns: list = []
