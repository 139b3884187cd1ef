from django.urls import path

from . import views

app_name = "dashboard"
urlpatterns = [
    path("", views.stores_overview, name="stores"),
    path("<slug:store_slug>/", views.overview, name="overview"),
    path("<slug:store_slug>/charts/<slug:name>/", views.chart, name="chart"),
    path("<slug:store_slug>/staffing/apply/", views.staffing_apply, name="staffing-apply"),
    path("<slug:store_slug>/insights/", views.insights, name="insights"),
    path("<slug:store_slug>/insights/feed/", views.insights_feed, name="insights-feed"),
    path("<slug:store_slug>/insights/decisions/", views.insights_decisions, name="insights-decisions"),
    path("<slug:store_slug>/insights/history/", views.insights_history, name="insights-history"),
    path("<slug:store_slug>/insights/<int:insight_id>/", views.insight_detail, name="insight"),
    path(
        "<slug:store_slug>/insights/<int:insight_id>/<slug:action>/",
        views.insight_action,
        name="insight-action",
    ),
    path("<slug:store_slug>/back-office/", views.backoffice, name="backoffice"),
    path("<slug:store_slug>/back-office/import/", views.sales_import_page, name="sales-import"),
    path(
        "<slug:store_slug>/back-office/menu/<int:item_id>/sold-out/",
        views.menu_item_sold_out,
        name="menu-item-sold-out",
    ),
]
