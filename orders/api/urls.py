from django.urls import path

from . import imports, menu, views

urlpatterns = [
    path("menu/", views.MenuView.as_view(), name="api-menu"),
    path("menu/categories/", menu.CategoryListView.as_view(), name="api-menu-categories"),
    path("menu/categories/<int:pk>/", menu.CategoryDetailView.as_view(), name="api-menu-category"),
    path("menu/items/", menu.MenuItemListView.as_view(), name="api-menu-items"),
    path("menu/items/<int:pk>/", menu.MenuItemDetailView.as_view(), name="api-menu-item"),
    path("menu/modifier-groups/", menu.ModifierGroupListView.as_view(), name="api-modifier-groups"),
    path("menu/modifier-groups/<int:pk>/", menu.ModifierGroupDetailView.as_view(), name="api-modifier-group"),
    path("menu/modifiers/", menu.ModifierListView.as_view(), name="api-modifiers"),
    path("menu/modifiers/<int:pk>/", menu.ModifierDetailView.as_view(), name="api-modifier"),
    path("tables/", menu.TableListView.as_view(), name="api-tables"),
    path("tables/<int:pk>/", menu.TableDetailView.as_view(), name="api-table"),
    path("orders/", views.OrderListCreateView.as_view(), name="api-orders"),
    path("orders/<int:pk>/", views.OrderDetailView.as_view(), name="api-order"),
    path("orders/<int:pk>/status/", views.OrderStatusView.as_view(), name="api-order-status"),
    path("orders/<int:pk>/cancel/", views.OrderCancelView.as_view(), name="api-order-cancel"),
]

urlpatterns += [
    path("checks/", views.CheckListCreateView.as_view(), name="api-checks"),
    path("checks/<int:pk>/", views.CheckDetailView.as_view(), name="api-check"),
    path("checks/<int:pk>/payments/", views.CheckPayView.as_view(), name="api-check-pay"),
    path("checks/<int:pk>/discount/", views.CheckDiscountView.as_view(), name="api-check-discount"),
    path("checks/<int:pk>/comp/", views.CheckCompView.as_view(), name="api-check-comp"),
    path("checks/<int:pk>/code/", views.CheckCodeView.as_view(), name="api-check-code"),
    path("checks/<int:pk>/void/", views.CheckVoidView.as_view(), name="api-check-void"),
    path("checks/<int:pk>/split/", views.CheckSplitView.as_view(), name="api-check-split"),
    path("checks/<int:pk>/merge/", views.CheckMergeView.as_view(), name="api-check-merge"),
    path("checks/<int:pk>/move/", views.CheckMoveView.as_view(), name="api-check-move"),
    path("payments/", views.PaymentListView.as_view(), name="api-payments"),
    path("payments/<int:pk>/", views.PaymentDetailView.as_view(), name="api-payment"),
    path("payments/<int:pk>/refund/", views.PaymentRefundView.as_view(), name="api-payment-refund"),
    path("sales-imports/", imports.SalesImportListCreateView.as_view(), name="api-sales-imports"),
    path("sales-imports/<int:pk>/", imports.SalesImportDetailView.as_view(), name="api-sales-import"),
    path(
        "sales-imports/<int:pk>/errors/",
        imports.SalesImportErrorListView.as_view(),
        name="api-sales-import-errors",
    ),
]
