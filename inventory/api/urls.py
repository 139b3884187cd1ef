from django.urls import path

from . import views

urlpatterns = [
    path("ingredients/", views.IngredientListView.as_view(), name="api-ingredients"),
    path("ingredients/<int:pk>/", views.IngredientDetailView.as_view(), name="api-ingredient"),
    path("recipes/", views.RecipeLineListView.as_view(), name="api-recipes"),
    path("recipes/<int:pk>/", views.RecipeLineDetailView.as_view(), name="api-recipe"),
    path("suppliers/", views.SupplierListView.as_view(), name="api-suppliers"),
    path("suppliers/<int:pk>/", views.SupplierDetailView.as_view(), name="api-supplier"),
    path("supplier-items/", views.SupplierItemListView.as_view(), name="api-supplier-items"),
    path("prices/", views.SupplierPriceListView.as_view(), name="api-prices"),
    path("stock-movements/", views.StockMovementListView.as_view(), name="api-stock-movements"),
    path("stock-counts/", views.StockCountListView.as_view(), name="api-stock-counts"),
    path("stock-counts/<int:pk>/", views.StockCountDetailView.as_view(), name="api-stock-count"),
    path("purchase-orders/", views.PurchaseOrderListView.as_view(), name="api-purchase-orders"),
    path("purchase-orders/<int:pk>/", views.PurchaseOrderDetailView.as_view(), name="api-purchase-order"),
    path(
        "purchase-orders/<int:pk>/send/",
        views.PurchaseOrderSendView.as_view(),
        name="api-purchase-order-send",
    ),
    path(
        "purchase-orders/<int:pk>/receive/",
        views.PurchaseOrderReceiveView.as_view(),
        name="api-purchase-order-receive",
    ),
    path(
        "purchase-orders/<int:pk>/cancel/",
        views.PurchaseOrderCancelView.as_view(),
        name="api-purchase-order-cancel",
    ),
    path(
        "purchase-orders/<int:pk>/close/",
        views.PurchaseOrderCloseView.as_view(),
        name="api-purchase-order-close",
    ),
]
