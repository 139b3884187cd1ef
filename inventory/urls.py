from django.urls import path

from . import views

app_name = "inventory"
urlpatterns = [
    path("<slug:store_slug>/", views.ingredients, name="ingredients"),
    path("<slug:store_slug>/count/", views.count, name="count"),
    path("<slug:store_slug>/settings/ingredients/", views.setup_ingredients, name="setup-ingredients"),
    path("<slug:store_slug>/settings/recipes/", views.setup_recipes, name="setup-recipes"),
    path("<slug:store_slug>/purchase-orders/", views.purchase_orders, name="purchase-orders"),
    path(
        "<slug:store_slug>/purchase-orders/<int:po_id>/", views.purchase_order_detail, name="purchase-order"
    ),
] + [
    path(
        f"<slug:store_slug>/purchase-orders/<int:po_id>/{action}/",
        views.purchase_order_action,
        {"action": action},
        name=f"purchase-order-{action}",
    )
    for action in ("send", "receive", "cancel", "close")
]
