"""Customers and feedback over the API, to the same standard as orders' (scoped keys, Idempotency-Key
on creating POSTs, cursor pagination, field errors). Who sees what:
- owner and manager sessions: everything of their stores, PII included; export and erasure;
- cashier sessions and API keys (a till integration): look a customer up by exact phone or code,
  join/attach, log complaints; phone shown as its last 4 digits, no name, e-mail, birthday or comments;
- cooks: nothing.
"""

import datetime as dt

import django_filters
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, status
from rest_framework.response import Response
from rest_framework.views import APIView

from customers import messaging, selectors, services
from customers.models import Customer, CustomerScore, Feedback, MessageRule, MessageSend, Source
from orders.models import Check, MenuItem
from restaurant_ops.api.idempotency import idempotent
from restaurant_ops.api.pagination import UpdatedCursorPagination
from restaurant_ops.api.scoping import accessible_stores, require, resolve_store
from restaurant_ops.errors import DomainError
from restaurant_ops.models import ApiKey, Membership, Role, Store
from restaurant_ops.permissions import Perm, role_has
from restaurant_ops.timeutils import business_date

from .serializers import (
    ChurnRateSerializer,
    ChurnReportSerializer,
    ComplaintInputSerializer,
    CouponSerializer,
    CustomerSerializer,
    FeedbackSerializer,
    JoinInputSerializer,
    MessageRuleInputSerializer,
    MessageRuleSerializer,
    MessageSendSerializer,
    RuleResultsSerializer,
    ScoreSerializer,
    WithdrawInputSerializer,
)


def _roles_with(perm: Perm) -> list[str]:
    return [role for role in Role.values if role_has(role, perm)]


def _is_key(request) -> bool:
    return isinstance(getattr(request, "auth", None), ApiKey)


def pii_stores(request) -> set[int]:
    """Stores whose customers' personal data this caller may see (never through an API key)."""
    if _is_key(request) or not request.user.is_authenticated:
        return set()
    return set(
        Membership.objects.filter(user=request.user, role__in=_roles_with(Perm.SEE_CUSTOMERS)).values_list(
            "store_id", flat=True
        )
    )


def stores_with(request, perm: Perm) -> QuerySet[Store]:
    """The caller's stores where its role has `perm` (an API key: its own store)."""
    stores = accessible_stores(request)
    if _is_key(request):
        return stores
    if not request.user.is_authenticated:
        return Store.objects.none()
    return stores.filter(memberships__user=request.user, memberships__role__in=_roles_with(perm)).distinct()


def _refuse_keys(request) -> None:
    if _is_key(request):
        raise DomainError(
            "",
            "permission_denied",
            _("Personal data is only for an owner or manager, not API keys."),
        )


class CustomerFilter(django_filters.FilterSet):
    store = django_filters.CharFilter(field_name="store__slug")
    segment = django_filters.ChoiceFilter(field_name="score__segment", choices=CustomerScore.Segment.choices)
    updated_since = django_filters.IsoDateTimeFilter(field_name="updated_at", lookup_expr="gte")
    code = django_filters.CharFilter(method="by_code", help_text="Exact membership code")
    phone = django_filters.CharFilter(method="by_phone", help_text="Exact phone number (normalised)")

    class Meta:
        model = Customer
        fields = ["store", "segment", "source"]

    def by_code(self, qs, name, value):
        return qs.filter(membership_code=value.strip().upper())

    def by_phone(self, qs, name, value):
        return qs.filter(phone=services.phone_parse(value))


class CustomerListCreateView(generics.ListAPIView):
    """Customers with their segment and RFM figures. Without PII access (cashier, API key), only an
    exact lookup by `phone` or `code` is allowed. POST joins a guest (or finds them) and may link a
    check and record marketing consent; send `Idempotency-Key`."""

    read_perm = Perm.SERVE_CUSTOMERS

    serializer_class = CustomerSerializer
    filterset_class = CustomerFilter

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # drf-spectacular reading the shape
            return Customer.objects.none()
        qs = selectors.customers(stores=stores_with(self.request, Perm.SERVE_CUSTOMERS)).prefetch_related(
            "consents"
        )
        params = self.request.query_params
        if not params.get("phone") and not params.get("code"):
            allowed = pii_stores(self.request)
            if not allowed:  # browsing is for owners and managers; the till looks one guest up
                raise DomainError("phone", "required", _("Look a customer up by phone or membership code."))
            qs = qs.filter(store_id__in=allowed)
        return qs

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "pii_stores": pii_stores(self.request)}

    @extend_schema(request=JoinInputSerializer, responses={200: CustomerSerializer, 201: CustomerSerializer})
    @idempotent
    def post(self, request):
        data = JoinInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        payload = data.validated_data
        store = resolve_store(request, payload.get("store"))
        require(request, store, Perm.SERVE_CUSTOMERS)
        checks = []
        if payload.get("check") is not None:
            check = Check.objects.filter(store=store, pk=payload["check"]).first()
            if check is None:
                raise DomainError("check", "not_found", _("No such check in this store."))
            checks = [check]
        phone = services.phone_parse(payload["phone"]) if payload.get("phone") else None
        existed = (
            selectors.customer_lookup(store=store, phone=phone, code=payload.get("code", "")) is not None
        )
        customer = services.customer_join(
            store=store,
            phone=phone,
            code=payload.get("code", ""),
            name=payload["name"],
            email=payload["email"],
            birthday=payload["birthday"],
            language=payload["language"],
            source=Source.API,
            marketing_sms=payload["marketing_sms"],
            marketing_email=payload["marketing_email"],
            wording=payload["wording"],
            guest_checks=checks,
            by=request.user,
        )
        customer = selectors.customers(stores=Store.objects.filter(pk=store.pk)).get(pk=customer.pk)
        out = CustomerSerializer(customer, context={"pii_stores": pii_stores(request)}).data
        return Response(out, status=status.HTTP_200_OK if existed else status.HTTP_201_CREATED)


def _customer(request, pk: int, perm: Perm = Perm.SEE_CUSTOMERS) -> Customer:
    return get_object_or_404(selectors.customers(stores=stores_with(request, perm)), pk=pk)


class CustomerDetailView(generics.RetrieveAPIView):
    read_perm = Perm.SEE_CUSTOMERS

    serializer_class = CustomerSerializer

    def get_queryset(self):
        return selectors.customers(stores=stores_with(self.request, Perm.SERVE_CUSTOMERS)).filter(
            store_id__in=pii_stores(self.request)
        )

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "pii_stores": pii_stores(self.request)}


class CustomerExportView(APIView):
    """Everything held about one customer (a data request). Owner or manager only."""

    read_perm = Perm.SEE_CUSTOMERS

    @extend_schema(responses={200: dict})
    def get(self, request, pk: int):
        customer = _customer(request, pk)  # another store's customer is a 404 before anything else
        _refuse_keys(request)
        return Response(selectors.customer_export(customer=customer))


class CustomerEraseView(APIView):
    """Erases one customer's personal data; their orders stay, anonymous. Owner or manager only."""

    @extend_schema(request=None, responses={204: None})
    def post(self, request, pk: int):
        customer = _customer(request, pk)  # another store's customer is a 404 before anything else
        _refuse_keys(request)
        services.customer_erase(customer=customer, by=request.user, reason="API request")
        return Response(status=status.HTTP_204_NO_CONTENT)


class ConsentWithdrawView(APIView):
    """Withdraws marketing consent (one channel or all), e.g. relayed from a POS's opt-out button."""

    @extend_schema(request=WithdrawInputSerializer, responses={200: dict})
    def post(self, request, pk: int):
        data = WithdrawInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        customer = _customer(request, pk, Perm.SERVE_CUSTOMERS)
        count = services.consent_withdraw(
            customer=customer, via=Source.API, channel=data.validated_data.get("channel")
        )
        return Response({"withdrawn": count})


class FeedbackFilter(django_filters.FilterSet):
    store = django_filters.CharFilter(field_name="store__slug")
    tag = django_filters.ChoiceFilter(choices=Feedback.Tag.choices, method="by_tag")
    date_from = django_filters.DateFilter(field_name="business_date", lookup_expr="gte")
    date_to = django_filters.DateFilter(field_name="business_date", lookup_expr="lte")
    updated_since = django_filters.IsoDateTimeFilter(field_name="updated_at", lookup_expr="gte")

    class Meta:
        model = Feedback
        fields = ["store", "is_complaint", "source", "rating", "menu_item"]

    def by_tag(self, qs, name, value):
        return selectors.with_tag(qs, value)


class FeedbackListCreateView(generics.ListAPIView):
    """Ratings and complaints with their operational facts. POST logs a complaint taken by staff
    (at least one tag or a rating of 1–2); send `Idempotency-Key`."""

    read_perm = Perm.SEE_CUSTOMERS

    serializer_class = FeedbackSerializer
    filterset_class = FeedbackFilter

    def get_queryset(self):
        return selectors.feedback(stores=stores_with(self.request, Perm.SEE_CUSTOMERS))

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "pii_stores": pii_stores(self.request)}

    @extend_schema(request=ComplaintInputSerializer, responses={201: FeedbackSerializer})
    @idempotent
    def post(self, request):
        data = ComplaintInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        payload = data.validated_data
        store = resolve_store(request, payload.get("store"))
        require(request, store, Perm.SERVE_CUSTOMERS)
        check = None
        if payload.get("check") is not None:
            check = Check.objects.filter(store=store, pk=payload["check"]).first()
            if check is None:
                raise DomainError("check", "not_found", _("No such check in this store."))
        feedback = services.complaint_log(
            store=store,
            guest_check=check,
            tags=payload["tags"],
            rating=payload.get("rating"),
            menu_item_id=payload.get("menu_item"),
            text=payload["text"],
            occurred_at=payload.get("occurred_at"),
            by=request.user,
            source=Source.API if _is_key(request) else Source.STAFF,
        )
        feedback.refresh_from_db()
        out = FeedbackSerializer(feedback, context={"pii_stores": pii_stores(request)}).data
        return Response(out, status=status.HTTP_201_CREATED)


class _StoreReport(APIView):
    """A report about one store: `store` (slug) unless the caller has only one."""

    read_perm = Perm.SEE_CUSTOMERS

    def store(self, request) -> Store:
        stores = stores_with(request, Perm.SEE_CUSTOMERS)
        slug = request.query_params.get("store")
        if slug:
            store = stores.filter(slug=slug).first()
        else:
            candidates = list(stores[:2])
            store = candidates[0] if len(candidates) == 1 else None
            if len(candidates) > 1:
                raise DomainError("store", "required", _("Say which store: you have access to several."))
        if store is None:
            raise DomainError(
                "store",
                "not_found",
                _("No store %(slug)s that you can use.") % {"slug": slug},
            )
        return store


class ValueAtRiskPagination(UpdatedCursorPagination):
    ordering = ("-value_at_risk", "customer_id")


STORE_PARAM = OpenApiParameter("store", str, description="Store slug")


class FollowUpView(_StoreReport, generics.ListAPIView):
    """Who to follow up: customers by value at risk, highest first (cursor-paginated)."""

    serializer_class = ScoreSerializer

    @extend_schema(parameters=[STORE_PARAM])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return CustomerScore.objects.none()
        return selectors.follow_up(store=self.store(self.request))

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        pii = pii_stores(request)
        rows = [
            {
                **ScoreSerializer(s).data,
                "customer": CustomerSerializer(s.customer, context={"pii_stores": pii}).data,
            }
            for s in page
        ]
        return self.get_paginated_response(rows)

    pagination_class = ValueAtRiskPagination


class ChurnView(_StoreReport):
    """The store's monthly churn rates (last 12 computed months) and the churn warning, if any."""

    @extend_schema(parameters=[STORE_PARAM], responses={200: ChurnReportSerializer})
    def get(self, request):
        store = self.store(request)
        warning = selectors.churn_warning(store=store)
        return Response(
            {
                "months": ChurnRateSerializer(selectors.churn_trend(store=store), many=True).data,
                "warning": {k: str(v) for k, v in warning.items()} if warning else None,
            }
        )


class ComplaintRankingView(_StoreReport):
    """Complaints per category and per dish in [start, end] (store-local business days, default the
    last 28) against the same length before, and the complaint rate (complaints ÷ checks settled)."""

    @extend_schema(
        parameters=[STORE_PARAM, OpenApiParameter("start", dt.date), OpenApiParameter("end", dt.date)],
        responses={200: dict},
    )
    def get(self, request):
        store = self.store(request)
        today = business_date(store, timezone.now())
        try:
            end = dt.date.fromisoformat(request.query_params.get("end") or today.isoformat())
        except ValueError:
            raise DomainError("end", "invalid", _("Use a date like 2026-11-30."))
        try:
            start = dt.date.fromisoformat(
                request.query_params.get("start") or (end - dt.timedelta(days=27)).isoformat()
            )
        except ValueError:
            raise DomainError("start", "invalid", _("Use a date like 2026-11-30."))
        if start > end or (end - start).days > 366:
            raise DomainError(
                "start", "invalid", _("The start must be on or before the end, at most a year apart.")
            )
        ranking = selectors.complaint_ranking(store=store, first=start, last=end)
        ranking["rate"] = str(ranking["rate"]) if ranking["rate"] is not None else None
        ranking["categories"] = [{**r, "label": str(r["label"])} for r in ranking["categories"]]
        return Response({"start": start, "end": end, **ranking})


# --- Triggered messages: rules, the delivery log, coupons --------------------------------------------


class MessageRuleFilter(django_filters.FilterSet):
    store = django_filters.CharFilter(field_name="store__slug")

    class Meta:
        model = MessageRule
        fields = ["store", "trigger", "channel", "is_active"]


def _rule_data(payload: dict, store: Store, base: dict) -> dict:
    data = {**base, **{k: v for k, v in payload.items() if k != "store"}}
    if "coupon_item" in payload:
        item_id = payload["coupon_item"]
        data["coupon_item"] = (
            MenuItem.objects.filter(store=store, pk=item_id).first() if item_id is not None else None
        )
        if item_id is not None and data["coupon_item"] is None:
            raise DomainError("coupon_item", "unknown_item", _("No such item on this store's menu."))
    return data


class MessageRuleListCreateView(generics.ListAPIView):
    """Message rules (trigger, channel, text per language, holdout, quiet hours, cap, coupon). POST
    creates one (owner or manager; send `Idempotency-Key`)."""

    read_perm = Perm.SEE_CUSTOMERS
    serializer_class = MessageRuleSerializer
    filterset_class = MessageRuleFilter

    def get_queryset(self):
        return MessageRule.objects.filter(
            store__in=stores_with(self.request, Perm.SEE_CUSTOMERS)
        ).select_related("store")

    @extend_schema(request=MessageRuleInputSerializer, responses={201: MessageRuleSerializer})
    @idempotent
    def post(self, request):
        data = MessageRuleInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        payload = dict(data.validated_data)
        store = resolve_store(request, payload.get("store"))
        require(request, store, Perm.MANAGE_STORE)
        base = services.message_rule_data(MessageRule(store=store))
        rule = services.message_rule_save(store=store, data=_rule_data(payload, store, base), by=request.user)
        return Response(MessageRuleSerializer(rule).data, status=status.HTTP_201_CREATED)


class MessageRuleDetailView(generics.RetrieveAPIView):
    """One rule; PATCH changes any of its fields (owner or manager)."""

    read_perm = Perm.SEE_CUSTOMERS
    serializer_class = MessageRuleSerializer

    def get_queryset(self):
        return MessageRule.objects.filter(
            store__in=stores_with(self.request, Perm.SEE_CUSTOMERS)
        ).select_related("store")

    @extend_schema(request=MessageRuleInputSerializer, responses={200: MessageRuleSerializer})
    def patch(self, request, pk: int):
        rule = self.get_object()
        data = MessageRuleInputSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        payload = dict(data.validated_data)
        if "store" in payload:
            raise DomainError("store", "invalid", _("A rule stays in its store."))
        require(request, rule.store, Perm.MANAGE_STORE)
        base = services.message_rule_data(rule)
        rule = services.message_rule_save(
            store=rule.store, rule=rule, data=_rule_data(payload, rule.store, base), by=request.user
        )
        return Response(MessageRuleSerializer(rule).data)


class MessageRuleResultsView(APIView):
    """The rule's measured effect: messaged against held out, who came back within 30 days, the
    difference with its Newcombe 95% interval (or `enough: false` under 30 per arm), and redemption of
    the coupons it sent."""

    read_perm = Perm.SEE_CUSTOMERS

    @extend_schema(responses={200: RuleResultsSerializer})
    def get(self, request, pk: int):
        rule = get_object_or_404(
            MessageRule.objects.filter(store__in=stores_with(request, Perm.SEE_CUSTOMERS)), pk=pk
        )
        return Response(RuleResultsSerializer(messaging.rule_results(rule=rule)).data)


class MessageSendFilter(django_filters.FilterSet):
    store = django_filters.CharFilter(field_name="rule__store__slug")
    since = django_filters.IsoDateTimeFilter(field_name="at", lookup_expr="gte")

    class Meta:
        model = MessageSend
        fields = ["store", "rule", "customer", "status", "channel"]


class MessageSendListView(generics.ListAPIView):
    """The delivery log: every trigger of every rule and what became of it (sent, held out, no consent,
    over the cap, failed). Address and text in full only for owners and managers."""

    read_perm = Perm.SEE_CUSTOMERS
    serializer_class = MessageSendSerializer
    filterset_class = MessageSendFilter

    def get_queryset(self):
        return MessageSend.objects.filter(
            rule__store__in=stores_with(self.request, Perm.SEE_CUSTOMERS)
        ).select_related("rule", "customer", "coupon")

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "pii_stores": pii_stores(self.request)}


class CouponFilter(django_filters.FilterSet):
    store = django_filters.CharFilter(field_name="rule__store__slug")
    redeemed = django_filters.BooleanFilter(method="by_redeemed")

    class Meta:
        model = MessageSend
        fields = ["store", "rule", "customer"]

    def by_redeemed(self, qs, name, value):
        return qs.filter(coupon__redeemed_count__gt=0) if value else qs.filter(coupon__redeemed_count=0)


class CouponListView(generics.ListAPIView):
    """Coupons and comp vouchers the rules sent (orders discount codes), with whether each was used."""

    read_perm = Perm.SEE_CUSTOMERS
    serializer_class = CouponSerializer
    filterset_class = CouponFilter

    def get_queryset(self):
        return MessageSend.objects.filter(
            rule__store__in=stores_with(self.request, Perm.SEE_CUSTOMERS), coupon__isnull=False
        ).select_related("coupon")
