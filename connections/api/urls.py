from django.urls import path

from . import views

urlpatterns = [
    path("endpoints/", views.EndpointListCreateView.as_view(), name="api-webhook-endpoints"),
    path("endpoints/<int:pk>/", views.EndpointDetailView.as_view(), name="api-webhook-endpoint"),
    path("endpoints/<int:pk>/rotate/", views.EndpointRotateView.as_view(), name="api-webhook-rotate"),
    path("deliveries/", views.DeliveryListView.as_view(), name="api-webhook-deliveries"),
    path("deliveries/<int:pk>/replay/", views.DeliveryReplayView.as_view(), name="api-webhook-replay"),
]
