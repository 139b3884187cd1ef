from django.urls import path

from . import views

app_name = "staffing"
urlpatterns = [
    path("<slug:store_slug>/schedule/", views.schedule, name="schedule"),
    path("<slug:store_slug>/schedule/shifts/", views.shift_add, name="shift-add"),
    path("<slug:store_slug>/schedule/shifts/<int:shift_id>/move/", views.shift_move, name="shift-move"),
    path("<slug:store_slug>/schedule/shifts/<int:shift_id>/delete/", views.shift_delete, name="shift-delete"),
    path("<slug:store_slug>/schedule/copy/", views.week_copy, name="week-copy"),
    path("<slug:store_slug>/schedule/publish/", views.week_publish, name="week-publish"),
    path("<slug:store_slug>/schedule/suggestions/apply/", views.suggestion_apply, name="suggestion-apply"),
    path("<slug:store_slug>/my-shifts/", views.my_shifts, name="my-shifts"),
    path(
        "<slug:store_slug>/my-shifts/open/<int:shift_id>/claim/",
        views.open_shift_claim,
        name="open-shift-claim",
    ),
    path("<slug:store_slug>/clock/", views.clock, name="clock"),
    path("<slug:store_slug>/labour/", views.labour, name="labour"),
    path("<slug:store_slug>/settings/staff/", views.setup_staff, name="setup-staff"),
]
