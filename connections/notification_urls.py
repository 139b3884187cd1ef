from django.urls import path

from . import notification_views as views

urlpatterns = [
    path("", views.notification_list, name="notifications"),
    path("read/", views.notification_read, name="notifications-read-all"),
    path("<int:notification_id>/read/", views.notification_read, name="notification-read"),
    path("preferences/", views.preferences, name="notification-preferences"),
]
