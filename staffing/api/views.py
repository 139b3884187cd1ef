"""Staffing API for payroll and scheduling integrations: staff, availability, shifts (under the conflict
rules), the time clock and the staffing requirements (read). Session users need the manage-staff
permission at the store (hourly costs are in here); API keys see their own store."""

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.response import Response
from rest_framework.views import APIView

from restaurant_ops.api.idempotency import idempotent
from restaurant_ops.api.scoping import accessible_stores, require, resolve_store
from restaurant_ops.errors import DomainError
from restaurant_ops.models import ApiKey, Membership, Role, Store
from restaurant_ops.permissions import Perm, role_has
from staffing import services
from staffing.models import Availability, Position, Shift, StaffingRequirement, StaffMember, TimeClockEntry

from . import filters, serializers

MANAGER_ROLES = [role for role in Role.values if role_has(role, Perm.MANAGE_STAFF)]


def staff_stores(request) -> QuerySet[Store]:
    """The stores whose staffing data the caller may read: an API key's store, or the stores where
    the user's role may manage staff."""
    stores = accessible_stores(request)
    if isinstance(getattr(request, "auth", None), ApiKey):
        return stores
    if not request.user.is_authenticated:
        return stores.none()
    return stores.filter(memberships__user=request.user, memberships__role__in=MANAGER_ROLES)


def _staff(request, pk, field="staff") -> StaffMember:
    staff = StaffMember.objects.filter(store__in=staff_stores(request), pk=pk).select_related("store").first()
    if staff is None:
        raise DomainError(field, "not_found", _("No such staff member in your stores."))
    return staff


def _position(store, pk, field="position") -> Position:
    position = Position.objects.filter(store=store, pk=pk).first()
    if position is None:
        raise DomainError(field, "not_found", _("No such position in this store."))
    return position


def _positions(store, ids) -> list[Position]:
    return [_position(store, pk, f"positions[{index}]") for index, pk in enumerate(ids)]


class PositionListView(generics.ListAPIView):
    read_perm = Perm.MANAGE_STAFF

    serializer_class = serializers.PositionSerializer
    filterset_fields = ["load_kind"]

    def get_queryset(self):
        return Position.objects.filter(store__in=accessible_stores(self.request)).select_related("store")


class StaffListCreateView(generics.ListAPIView):
    """Staff profiles with positions and hourly cost; POST creates one."""

    read_perm = Perm.MANAGE_STAFF

    serializer_class = serializers.StaffMemberSerializer
    filterset_class = filters.StaffMemberFilter

    def get_queryset(self):
        return (
            StaffMember.objects.filter(store__in=staff_stores(self.request))
            .select_related("store")
            .prefetch_related("positions")
        )

    @extend_schema(
        request=serializers.StaffMemberCreateSerializer, responses={201: serializers.StaffMemberSerializer}
    )
    @idempotent
    def post(self, request):
        data = serializers.StaffMemberCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        payload = data.validated_data
        store = resolve_store(request, payload.get("store"))
        require(request, store, Perm.MANAGE_STAFF)
        user = None
        if payload.get("user") is not None:
            membership = (
                Membership.objects.filter(store=store, user_id=payload["user"]).select_related("user").first()
            )
            if membership is None:
                raise DomainError("user", "not_found", _("No member of this store with that user id."))
            user = membership.user
        staff = services.staff_member_create(
            store=store,
            name=payload["name"],
            hourly_cost=payload["hourly_cost"],
            positions=_positions(store, payload["positions"]),
            user=user,
            max_weekly_hours=payload.get("max_weekly_hours"),
        )
        return Response(
            serializers.StaffMemberSerializer(self.get_queryset().get(pk=staff.pk)).data,
            status=status.HTTP_201_CREATED,
        )


class StaffDetailView(generics.RetrieveAPIView):
    read_perm = Perm.MANAGE_STAFF

    serializer_class = serializers.StaffMemberSerializer

    def get_queryset(self):
        return (
            StaffMember.objects.filter(store__in=staff_stores(self.request))
            .select_related("store")
            .prefetch_related("positions")
        )

    @extend_schema(
        request=serializers.StaffMemberUpdateSerializer, responses={200: serializers.StaffMemberSerializer}
    )
    def patch(self, request, pk: int):
        staff = get_object_or_404(self.get_queryset(), pk=pk)
        data = serializers.StaffMemberUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        payload = data.validated_data
        require(request, staff.store, Perm.MANAGE_STAFF)
        positions = _positions(staff.store, payload["positions"]) if "positions" in payload else None
        services.staff_member_update(
            staff=staff,
            name=payload.get("name"),
            hourly_cost=payload.get("hourly_cost"),
            positions=positions,
            is_active=payload.get("is_active"),
            **({"max_weekly_hours": payload["max_weekly_hours"]} if "max_weekly_hours" in payload else {}),
            by=request.user,
        )
        return Response(serializers.StaffMemberSerializer(self.get_queryset().get(pk=pk)).data)


class AvailabilityListCreateView(generics.ListAPIView):
    """Weekly availability; a person with none is available at any time."""

    read_perm = Perm.MANAGE_STAFF

    serializer_class = serializers.AvailabilitySerializer
    filterset_class = filters.AvailabilityFilter

    def get_queryset(self):
        return Availability.objects.filter(staff__store__in=staff_stores(self.request))

    @extend_schema(
        request=serializers.AvailabilityCreateSerializer, responses={201: serializers.AvailabilitySerializer}
    )
    @idempotent
    def post(self, request):
        data = serializers.AvailabilityCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        payload = data.validated_data
        staff = _staff(request, payload["staff"])
        require(request, staff.store, Perm.MANAGE_STAFF)
        availability = services.availability_add(
            staff=staff, weekday=payload["weekday"], start=payload["start"], end=payload["end"]
        )
        return Response(serializers.AvailabilitySerializer(availability).data, status=status.HTTP_201_CREATED)


class AvailabilityDetailView(generics.RetrieveAPIView):
    read_perm = Perm.MANAGE_STAFF

    serializer_class = serializers.AvailabilitySerializer

    def get_queryset(self):
        return Availability.objects.filter(staff__store__in=staff_stores(self.request)).select_related(
            "staff__store"
        )

    @extend_schema(responses={204: None})
    def delete(self, request, pk: int):
        availability = get_object_or_404(self.get_queryset(), pk=pk)
        require(request, availability.staff.store, Perm.MANAGE_STAFF)
        services.availability_delete(availability=availability)
        return Response(status=status.HTTP_204_NO_CONTENT)


class ShiftListCreateView(generics.ListAPIView):
    """Shifts (filter by business-day range, week, staff, position, `updated_since`); POST creates one
    under the conflict rules: 409 with field `start` (overlap, day_off, outside_availability), `staff`
    (double_booked) or `reason` (outside_opening_hours: send a reason to schedule it anyway)."""

    read_perm = Perm.MANAGE_STAFF

    serializer_class = serializers.ShiftSerializer
    filterset_class = filters.ShiftFilter

    def get_queryset(self):
        return Shift.objects.filter(store__in=staff_stores(self.request)).select_related("store")

    @extend_schema(request=serializers.ShiftCreateSerializer, responses={201: serializers.ShiftSerializer})
    @idempotent
    def post(self, request):
        data = serializers.ShiftCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        payload = data.validated_data
        staff = _staff(request, payload["staff"])
        require(request, staff.store, Perm.MANAGE_STAFF)
        shift = services.shift_create(
            store=staff.store,
            staff=staff,
            position=_position(staff.store, payload["position"]),
            start=payload["start"],
            end=payload["end"],
            reason=payload["reason"],
            by=request.user,
        )
        return Response(serializers.ShiftSerializer(shift).data, status=status.HTTP_201_CREATED)


class ShiftDetailView(generics.RetrieveAPIView):
    read_perm = Perm.MANAGE_STAFF

    serializer_class = serializers.ShiftSerializer

    def get_queryset(self):
        return Shift.objects.filter(store__in=staff_stores(self.request)).select_related(
            "store", "staff", "position"
        )

    @extend_schema(request=serializers.ShiftUpdateSerializer, responses={200: serializers.ShiftSerializer})
    def patch(self, request, pk: int):
        shift = get_object_or_404(self.get_queryset(), pk=pk)
        data = serializers.ShiftUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        payload = data.validated_data
        require(request, shift.store, Perm.MANAGE_STAFF)
        staff = _staff(request, payload["staff"]) if "staff" in payload else None
        if staff is not None and staff.store_id != shift.store_id:
            raise DomainError("staff", "not_found", _("No such staff member in this store."))
        position = _position(shift.store, payload["position"]) if "position" in payload else None
        services.shift_move(
            shift=shift,
            start=payload.get("start", shift.start),
            end=payload.get("end", shift.end),
            reason=payload.get("reason"),
            staff=staff,
            position=position,
            by=request.user,
        )
        return Response(serializers.ShiftSerializer(self.get_queryset().get(pk=pk)).data)

    @extend_schema(responses={204: None})
    def delete(self, request, pk: int):
        shift = get_object_or_404(self.get_queryset(), pk=pk)
        require(request, shift.store, Perm.MANAGE_STAFF)
        services.shift_delete(shift=shift, by=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class TimeClockListView(generics.ListAPIView):
    """Time-clock entries (actual hours) for payroll: filter by business days, staff, `open`."""

    read_perm = Perm.MANAGE_STAFF

    serializer_class = serializers.TimeClockEntrySerializer
    filterset_class = filters.TimeClockEntryFilter

    def get_queryset(self):
        return TimeClockEntry.objects.filter(store__in=staff_stores(self.request)).select_related("store")


class TimeClockDetailView(generics.RetrieveAPIView):
    read_perm = Perm.MANAGE_STAFF

    serializer_class = serializers.TimeClockEntrySerializer

    def get_queryset(self):
        return TimeClockEntry.objects.filter(store__in=staff_stores(self.request)).select_related("store")


def _clock_staff(request, payload) -> StaffMember:
    """A person may clock themselves; anyone else needs manage-staff (an API key: its store)."""
    staff = StaffMember.objects.filter(store__in=accessible_stores(request), pk=payload["staff"]).first()
    if staff is None:
        raise DomainError("staff", "not_found", _("No such staff member in your stores."))
    if not (request.user.is_authenticated and staff.user_id == request.user.pk):
        require(request, staff.store, Perm.MANAGE_STAFF)
    return staff


class ShiftClaimView(APIView):
    """Claim an open shift (one with no one yet) for `staff`: a person claims for themselves, anyone
    else needs manage-staff. The claimer must hold the position, be free, available and not on a day
    off then, and stay within their maximum weekly hours; 409 `taken` when someone was first."""

    @extend_schema(request=serializers.ShiftClaimSerializer, responses={200: serializers.ShiftSerializer})
    def post(self, request, pk: int):
        # Another store's shift is a 404 before anything about the body is said.
        get_object_or_404(Shift.objects.filter(store__in=accessible_stores(request)), pk=pk)
        data = serializers.ShiftClaimSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        staff = _clock_staff(request, data.validated_data)
        shift = get_object_or_404(Shift.objects.filter(store=staff.store_id), pk=pk)
        shift = services.open_shift_claim(shift=shift, staff=staff, by=request.user)
        return Response(serializers.ShiftSerializer(shift).data)


class ClockInView(APIView):
    """Clock a person in (409 already_clocked_in when they are)."""

    @extend_schema(request=serializers.ClockSerializer, responses={201: serializers.TimeClockEntrySerializer})
    @idempotent
    def post(self, request):
        data = serializers.ClockSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        payload = data.validated_data
        staff = _clock_staff(request, payload)
        position = _position(staff.store, payload["position"]) if "position" in payload else None
        entry = services.clock_in(staff=staff, at=payload.get("at"), position=position)
        return Response(serializers.TimeClockEntrySerializer(entry).data, status=status.HTTP_201_CREATED)


class ClockOutView(APIView):
    """Clock a person out (409 not_clocked_in when they are not)."""

    @extend_schema(request=serializers.ClockSerializer, responses={200: serializers.TimeClockEntrySerializer})
    def post(self, request):
        data = serializers.ClockSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        payload = data.validated_data
        staff = _clock_staff(request, payload)
        entry = services.clock_out(staff=staff, at=payload.get("at"))
        return Response(serializers.TimeClockEntrySerializer(entry).data)


class RequirementListView(generics.ListAPIView):
    """Needed staff per position per hour with the forecast load behind it (written by the analyses)."""

    read_perm = Perm.MANAGE_STAFF

    serializer_class = serializers.StaffingRequirementSerializer
    filterset_class = filters.StaffingRequirementFilter

    def get_queryset(self):
        return StaffingRequirement.objects.filter(store__in=accessible_stores(self.request)).select_related(
            "store"
        )


class RequirementDetailView(generics.RetrieveAPIView):
    read_perm = Perm.MANAGE_STAFF

    serializer_class = serializers.StaffingRequirementSerializer

    def get_queryset(self):
        return StaffingRequirement.objects.filter(store__in=accessible_stores(self.request)).select_related(
            "store"
        )
