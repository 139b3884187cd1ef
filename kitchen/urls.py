from django.urls import path

from . import views

app_name = "kitchen"
urlpatterns = [
    path("<slug:store_slug>/display/", views.display, name="display"),
    path("<slug:store_slug>/display/board/", views.board, name="board"),
    path(
        "<slug:store_slug>/tickets/<int:ticket_id>/start/",
        views.ticket_action,
        {"action": "start"},
        name="ticket-start",
    ),
    path(
        "<slug:store_slug>/tickets/<int:ticket_id>/bump/",
        views.ticket_action,
        {"action": "bump"},
        name="ticket-bump",
    ),
    path("<slug:store_slug>/prep/", views.prep_list, name="prep"),
    path("<slug:store_slug>/settings/stations/", views.setup_stations, name="setup-stations"),
    path("<slug:store_slug>/prep/<int:task_id>/done/", views.prep_done, name="prep-done"),
]
