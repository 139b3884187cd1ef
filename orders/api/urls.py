from django.urls import path

from . import views

urlpatterns = [
    path("menu/", views.MenuView.as_view(), name="api-menu"),
    path("menu/items/", views.MenuItemListView.as_view(), name="api-menu-items"),
    path("menu/items/<int:pk>/", views.MenuItemDetailView.as_view(), name="api-menu-item"),
    path("tables/", views.TableListView.as_view(), name="api-tables"),
    path("tables/<int:pk>/", views.TableDetailView.as_view(), name="api-table"),
    path("orders/", views.OrderListCreateView.as_view(), name="api-orders"),
    path("orders/<int:pk>/", views.OrderDetailView.as_view(), name="api-order"),
    path("orders/<int:pk>/status/", views.OrderStatusView.as_view(), name="api-order-status"),
    path("orders/<int:pk>/cancel/", views.OrderCancelView.as_view(), name="api-order-cancel"),
]
