from django.urls import path, re_path

from . import views

app_name = "orders"
urlpatterns = [
    path("t/<str:qr_token>/", views.guest_table, name="guest"),
    path("t/<str:qr_token>/preview/", views.guest_preview, name="guest-preview"),
    path("t/<str:qr_token>/order/", views.guest_order, name="guest-order"),
    path("t/<str:qr_token>/check/", views.guest_check, name="guest-check"),
    path("t/<str:qr_token>/code/", views.guest_code, name="guest-code"),
    path("<slug:store_slug>/till/", views.till, name="till"),
    path("<slug:store_slug>/checks/<int:check_id>/", views.check_detail, name="check"),
    path("<slug:store_slug>/checks/<int:check_id>/receipt/", views.receipt, name="receipt"),
    path("<slug:store_slug>/checks/<int:check_id>/<slug:action>/", views.check_action, name="check-action"),
    path("<slug:store_slug>/tables/qr/", views.qr_sheet, name="qr-sheet"),
    re_path(
        r"^(?P<store_slug>[-\w]+)/tables/(?P<table_id>\d+)/qr\.(?P<fmt>svg|png)$",
        views.table_qr,
        name="table-qr",
    ),
    path("<slug:store_slug>/close/", views.close_of_day, name="close"),
    path("<slug:store_slug>/settings/tables/", views.setup_tables, name="setup-tables"),
    path("<slug:store_slug>/settings/menu/", views.setup_menu, name="setup-menu"),
    path("<slug:store_slug>/close/<int:drawer_id>/", views.z_report, name="z-report"),
]
