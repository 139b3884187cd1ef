from django.urls import path

from . import views

app_name = "customers"
urlpatterns = [
    # Guests (no login): the panel on the table's QR page and the receipt's feedback link.
    path("c/s/<str:session_token>/", views.guest_panel, name="guest-panel"),
    path("c/s/<str:session_token>/join/", views.guest_join, name="guest-join"),
    path("c/s/<str:session_token>/feedback/", views.guest_feedback, name="guest-feedback"),
    path("c/f/<str:token>/", views.receipt_feedback, name="receipt-feedback"),
    path("c/sms/inbound/", views.sms_inbound, name="sms-inbound"),
    path("c/u/<str:token>/", views.unsubscribe, name="unsubscribe"),
    # Staff.
    path("customers/<slug:store_slug>/", views.overview, name="overview"),
    path("customers/<slug:store_slug>/list/", views.customer_list, name="list"),
    path("customers/<slug:store_slug>/<int:customer_id>/", views.customer_detail, name="detail"),
    path("customers/<slug:store_slug>/<int:customer_id>/export/", views.customer_export, name="export"),
    path("customers/<slug:store_slug>/<int:customer_id>/erase/", views.customer_erase, name="erase"),
    path("customers/<slug:store_slug>/complaints/", views.complaints, name="complaints"),
    path("customers/<slug:store_slug>/messages/", views.message_rules, name="messages"),
    path("customers/<slug:store_slug>/messages/new/", views.message_rule_edit, name="message-new"),
    path(
        "customers/<slug:store_slug>/messages/<int:rule_id>/",
        views.message_rule_results,
        name="message-results",
    ),
    path(
        "customers/<slug:store_slug>/messages/<int:rule_id>/edit/",
        views.message_rule_edit,
        name="message-edit",
    ),
    path("customers/<slug:store_slug>/complaints/new/", views.complaint_new, name="complaint-new"),
    path("customers/<slug:store_slug>/checks/<int:check_id>/attach/", views.till_attach, name="till-attach"),
]
