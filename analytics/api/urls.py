from django.urls import path

from . import views

urlpatterns = [
    path("best-sellers/", views.BestSellersView.as_view(), name="analytics-best-sellers"),
    path("sales/", views.SalesView.as_view(), name="analytics-sales"),
    path("busy-hours/", views.BusyHoursView.as_view(), name="analytics-busy-hours"),
    path("forecast/", views.ForecastView.as_view(), name="analytics-forecast"),
    path("menu-engineering/", views.MenuEngineeringView.as_view(), name="analytics-menu-engineering"),
    path("stock-cover/", views.StockCoverView.as_view(), name="analytics-stock-cover"),
    path("margin/", views.MarginView.as_view(), name="analytics-margin"),
    path("labour/", views.LabourView.as_view(), name="analytics-labour"),
    path("runs/", views.RunListView.as_view(), name="analytics-runs"),
    path("runs/<int:pk>/", views.RunDetailView.as_view(), name="analytics-run"),
    path("insights/", views.InsightListView.as_view(), name="analytics-insights"),
    path("insights/<int:pk>/", views.InsightDetailView.as_view(), name="analytics-insight"),
    path(
        "insights/<int:pk>/acknowledge/", views.InsightAcknowledgeView.as_view(), name="analytics-insight-ack"
    ),
    path("insights/<int:pk>/dismiss/", views.InsightDismissView.as_view(), name="analytics-insight-dismiss"),
    path("insights/<int:pk>/act/", views.InsightActView.as_view(), name="analytics-insight-act"),
]
