from django.urls import path

from . import setup, views

urlpatterns = [
    path("stations/", setup.StationListView.as_view(), name="api-stations"),
    path("stations/<int:pk>/", setup.StationDetailView.as_view(), name="api-station"),
    path("routes/", setup.RouteListView.as_view(), name="api-kitchen-routes"),
    path("routes/<int:pk>/", setup.RouteDetailView.as_view(), name="api-kitchen-route"),
    path("tickets/", views.TicketListView.as_view(), name="api-tickets"),
    path("tickets/<int:pk>/", views.TicketDetailView.as_view(), name="api-ticket"),
    path("tickets/<int:pk>/start/", views.TicketStartView.as_view(), name="api-ticket-start"),
    path("tickets/<int:pk>/bump/", views.TicketBumpView.as_view(), name="api-ticket-bump"),
    path("prep-tasks/", views.PrepTaskListView.as_view(), name="api-prep-tasks"),
    path("prep-tasks/<int:pk>/", views.PrepTaskDetailView.as_view(), name="api-prep-task"),
    path("prep-tasks/<int:pk>/done/", views.PrepTaskDoneView.as_view(), name="api-prep-task-done"),
]
