"""Kitchen API: stations, tickets (list, start, bump) and the prep list."""

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.response import Response
from rest_framework.views import APIView

from kitchen import selectors, services
from kitchen.models import PrepTask, Station, Ticket
from orders.models import MenuItem
from restaurant_ops.api.idempotency import idempotent
from restaurant_ops.api.scoping import accessible_stores, require, resolve_store
from restaurant_ops.errors import DomainError
from restaurant_ops.permissions import Perm

from . import filters
from . import serializers as s


class StationListView(generics.ListAPIView):
    read_perm = Perm.WORK_KITCHEN

    serializer_class = s.StationSerializer
    filterset_class = filters.StationFilter

    def get_queryset(self):
        return Station.objects.filter(store__in=accessible_stores(self.request)).select_related("store")


class TicketListView(generics.ListAPIView):
    """Kitchen tickets, one per order and station, with their queued/started/ready times.
    `status=queued&status=started` gives what the displays show."""

    read_perm = Perm.WORK_KITCHEN

    serializer_class = s.TicketSerializer
    filterset_class = filters.TicketFilter

    def get_queryset(self):
        return selectors.tickets(stores=accessible_stores(self.request))


class TicketDetailView(generics.RetrieveAPIView):
    read_perm = Perm.WORK_KITCHEN

    serializer_class = s.TicketSerializer

    def get_queryset(self):
        return selectors.tickets(stores=accessible_stores(self.request))


class _TicketAction(APIView):
    action_service = None

    @extend_schema(request=None, responses={200: s.TicketSerializer})
    def post(self, request, pk: int):
        ticket = get_object_or_404(Ticket.objects.filter(store__in=accessible_stores(request)), pk=pk)
        require(request, ticket.store, Perm.WORK_KITCHEN)
        type(self).action_service(ticket=ticket, by=request.user)
        return Response(
            s.TicketSerializer(selectors.tickets(stores=accessible_stores(request)).get(pk=pk)).data
        )


class TicketStartView(_TicketAction):
    """Start a ticket; the order's first started ticket moves it to the kitchen."""

    action_service = staticmethod(services.ticket_start)


class TicketBumpView(_TicketAction):
    """Bump a ticket (ready); when all of an order's tickets are ready the order is ready."""

    action_service = staticmethod(services.ticket_bump)


class PrepTaskListView(generics.ListAPIView):
    read_perm = Perm.WORK_KITCHEN

    serializer_class = s.PrepTaskSerializer
    filterset_class = filters.PrepTaskFilter

    def get_queryset(self):
        return selectors.prep_tasks(stores=accessible_stores(self.request))

    @extend_schema(request=s.PrepTaskInputSerializer, responses={201: s.PrepTaskSerializer})
    @idempotent
    def post(self, request):
        data = s.PrepTaskInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        payload = data.validated_data
        store = resolve_store(request, payload.get("store"))
        require(request, store, Perm.WORK_KITCHEN)
        item = MenuItem.objects.filter(store=store, pk=payload["menu_item"]).first()
        if item is None:
            raise DomainError("menu_item", "unknown_item", _("No such item on this store's menu."))
        task = services.prep_task_create(
            store=store,
            menu_item=item,
            quantity=payload["quantity"],
            ready_by=payload["ready_by"],
            note=payload["note"],
        )
        return Response(s.PrepTaskSerializer(task).data, status=status.HTTP_201_CREATED)


class PrepTaskDetailView(generics.RetrieveAPIView):
    read_perm = Perm.WORK_KITCHEN

    serializer_class = s.PrepTaskSerializer

    def get_queryset(self):
        return selectors.prep_tasks(stores=accessible_stores(self.request))


class PrepTaskDoneView(APIView):
    @extend_schema(request=s.PrepDoneInputSerializer, responses={200: s.PrepTaskSerializer})
    def post(self, request, pk: int):
        task = get_object_or_404(PrepTask.objects.filter(store__in=accessible_stores(request)), pk=pk)
        data = s.PrepDoneInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        require(request, task.store, Perm.WORK_KITCHEN)
        task = services.prep_task_done(task=task, by=request.user, done=data.validated_data["done"])
        return Response(s.PrepTaskSerializer(task).data)
