"""Webhook endpoints for a store's integrations: owners (session) or the store's write API key."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.response import Response
from rest_framework.views import APIView

from connections import webhooks
from connections.models import WebhookDelivery, WebhookEndpoint
from restaurant_ops.api.idempotency import idempotent
from restaurant_ops.api.scoping import accessible_stores, require, resolve_store
from restaurant_ops.models import ApiKey, Membership
from restaurant_ops.permissions import Perm, role_has

from .serializers import (
    DeliverySerializer,
    EndpointInputSerializer,
    EndpointSerializer,
    EndpointUpdateSerializer,
)


def managed_stores(request):
    """Stores whose webhooks the caller manages: the API key's, or where the user's role may."""
    stores = accessible_stores(request)
    if isinstance(getattr(request, "auth", None), ApiKey) or not request.user.is_authenticated:
        return stores  # the key's store; none for an anonymous caller
    roles = [
        role
        for role, _label in Membership._meta.get_field("role").choices
        if role_has(role, Perm.MANAGE_API_KEYS)
    ]
    return stores.filter(memberships__user=request.user, memberships__role__in=roles)


class EndpointListCreateView(generics.ListAPIView):
    """Webhook endpoints (Standard Webhooks: each request carries webhook-id, webhook-timestamp and
    webhook-signature). An empty `topics` list subscribes to every topic."""

    read_perm = Perm.MANAGE_API_KEYS

    serializer_class = EndpointSerializer

    def get_queryset(self):
        return WebhookEndpoint.objects.filter(store__in=managed_stores(self.request)).select_related("store")

    @extend_schema(request=EndpointInputSerializer, responses={201: EndpointSerializer})
    @idempotent
    def post(self, request):
        data = EndpointInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        store = resolve_store(request, data.validated_data.get("store"))
        require(request, store, Perm.MANAGE_API_KEYS)
        payload = {k: v for k, v in data.validated_data.items() if k != "store"}
        endpoint = webhooks.webhook_endpoint_create(store=store, **payload)
        return Response(EndpointSerializer(endpoint).data, status=status.HTTP_201_CREATED)


class EndpointDetailView(generics.RetrieveDestroyAPIView):
    read_perm = Perm.MANAGE_API_KEYS

    serializer_class = EndpointSerializer

    def get_queryset(self):
        return WebhookEndpoint.objects.filter(store__in=managed_stores(self.request)).select_related("store")

    @extend_schema(request=EndpointUpdateSerializer, responses={200: EndpointSerializer})
    def patch(self, request, pk):
        endpoint = self.get_object()
        data = EndpointUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        endpoint = webhooks.webhook_endpoint_update(endpoint=endpoint, **data.validated_data)
        return Response(EndpointSerializer(endpoint).data)


class EndpointRotateView(APIView):
    """A new signing secret; the previous one keeps signing beside it for 24 h."""

    @extend_schema(request=None, responses={200: EndpointSerializer})
    def post(self, request, pk):
        endpoint = get_object_or_404(WebhookEndpoint, pk=pk, store__in=managed_stores(request))
        return Response(EndpointSerializer(webhooks.webhook_endpoint_rotate_secret(endpoint=endpoint)).data)


class DeliveryListView(generics.ListAPIView):
    """The delivery log, newest first: state, attempts and each response code."""

    read_perm = Perm.MANAGE_API_KEYS

    serializer_class = DeliverySerializer
    filterset_fields = ["endpoint", "state"]

    def get_queryset(self):
        return (
            WebhookDelivery.objects.filter(endpoint__store__in=managed_stores(self.request))
            .select_related("event")
            .prefetch_related("log")
        )


class DeliveryReplayView(APIView):
    """Sends a delivery again, with the same webhook-id."""

    @extend_schema(request=None, responses={200: DeliverySerializer})
    def post(self, request, pk):
        delivery = get_object_or_404(WebhookDelivery, pk=pk, endpoint__store__in=managed_stores(request))
        return Response(DeliverySerializer(webhooks.webhook_delivery_replay(delivery=delivery)).data)
