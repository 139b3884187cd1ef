from django.urls import path

from . import stores as views

urlpatterns = [
    path("stores/", views.StoreListView.as_view(), name="api-stores"),
    path("stores/<int:pk>/", views.StoreDetailView.as_view(), name="api-store"),
    path("tax-categories/", views.TaxCategoryListView.as_view(), name="api-tax-categories"),
    path("tax-categories/<int:pk>/", views.TaxCategoryDetailView.as_view(), name="api-tax-category"),
    path("opening-hours/", views.OpeningHoursListView.as_view(), name="api-opening-hours"),
    path("opening-hours/<int:pk>/", views.OpeningHoursDetailView.as_view(), name="api-opening-hours-span"),
    path("dayparts/", views.DaypartListView.as_view(), name="api-dayparts"),
    path("dayparts/<int:pk>/", views.DaypartDetailView.as_view(), name="api-daypart"),
]
