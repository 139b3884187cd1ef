from django.urls import path

from . import views

urlpatterns = [
    path("", views.CustomerListCreateView.as_view(), name="api-customers"),
    path("<int:pk>/", views.CustomerDetailView.as_view(), name="api-customer"),
    path("<int:pk>/export/", views.CustomerExportView.as_view(), name="api-customer-export"),
    path("<int:pk>/erase/", views.CustomerEraseView.as_view(), name="api-customer-erase"),
    path("<int:pk>/consents/withdraw/", views.ConsentWithdrawView.as_view(), name="api-customer-withdraw"),
    path("feedback/", views.FeedbackListCreateView.as_view(), name="api-feedback"),
    path("follow-up/", views.FollowUpView.as_view(), name="api-follow-up"),
    path("churn/", views.ChurnView.as_view(), name="api-churn"),
    path("complaints/ranking/", views.ComplaintRankingView.as_view(), name="api-complaint-ranking"),
    path("rules/", views.MessageRuleListCreateView.as_view(), name="api-message-rules"),
    path("rules/<int:pk>/", views.MessageRuleDetailView.as_view(), name="api-message-rule"),
    path("rules/<int:pk>/results/", views.MessageRuleResultsView.as_view(), name="api-message-rule-results"),
    path("sends/", views.MessageSendListView.as_view(), name="api-message-sends"),
    path("coupons/", views.CouponListView.as_view(), name="api-coupons"),
]
