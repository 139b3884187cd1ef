from django.urls import path

from . import positions, views

urlpatterns = [
    path("positions/", positions.PositionListView.as_view(), name="api-staffing-positions"),
    path("positions/<int:pk>/", positions.PositionDetailView.as_view(), name="api-staffing-position"),
    path("staff/", views.StaffListCreateView.as_view(), name="api-staffing-staff"),
    path("staff/<int:pk>/", views.StaffDetailView.as_view(), name="api-staffing-staff-member"),
    path("availability/", views.AvailabilityListCreateView.as_view(), name="api-staffing-availability"),
    path(
        "availability/<int:pk>/",
        views.AvailabilityDetailView.as_view(),
        name="api-staffing-availability-detail",
    ),
    path("shifts/", views.ShiftListCreateView.as_view(), name="api-staffing-shifts"),
    path("shifts/<int:pk>/", views.ShiftDetailView.as_view(), name="api-staffing-shift"),
    path("shifts/<int:pk>/claim/", views.ShiftClaimView.as_view(), name="api-staffing-shift-claim"),
    path("time-clock/", views.TimeClockListView.as_view(), name="api-staffing-time-clock"),
    path("time-clock/clock-in/", views.ClockInView.as_view(), name="api-staffing-clock-in"),
    path("time-clock/clock-out/", views.ClockOutView.as_view(), name="api-staffing-clock-out"),
    path("time-clock/<int:pk>/", views.TimeClockDetailView.as_view(), name="api-staffing-time-clock-entry"),
    path("requirements/", views.RequirementListView.as_view(), name="api-staffing-requirements"),
    path("requirements/<int:pk>/", views.RequirementDetailView.as_view(), name="api-staffing-requirement"),
]
