from django.urls import path

from . import views

urlpatterns = [
    path("<slug:store_slug>/webhooks/", views.webhooks_page, name="webhooks"),
    path(
        "<slug:store_slug>/webhooks/<int:endpoint_id>/rotate/", views.endpoint_rotate, name="webhook-rotate"
    ),
    path(
        "<slug:store_slug>/webhooks/<int:endpoint_id>/toggle/", views.endpoint_toggle, name="webhook-toggle"
    ),
    path(
        "<slug:store_slug>/webhooks/deliveries/<int:delivery_id>/replay/",
        views.delivery_replay,
        name="webhook-replay",
    ),
]
