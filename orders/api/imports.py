"""Sales-history import as an asynchronous job: upload (multipart), 202 with the job, its status, and
its bad lines with their line numbers (cursor-paginated)."""

from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers, status
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response

from orders import import_jobs
from orders.importing import FIELDS
from orders.models import SalesImport, SalesImportError
from restaurant_ops.api.idempotency import idempotent
from restaurant_ops.api.pagination import UpdatedCursorPagination
from restaurant_ops.api.scoping import accessible_stores, require, resolve_store
from restaurant_ops.api.serializers import InputSerializer
from restaurant_ops.permissions import Perm


class SalesImportSerializer(serializers.ModelSerializer):
    store = serializers.SlugRelatedField(slug_field="slug", read_only=True)

    class Meta:
        model = SalesImport
        fields = [
            "id",
            "store",
            "status",
            "filename",
            "rows",
            "orders",
            "lines",
            "items_created",
            "days",
            "error_count",
            "failure",
            "created_at",
            "started_at",
            "finished_at",
            "updated_at",
        ]
        extra_kwargs = {
            "error_count": {"help_text": "Bad lines; read them at `/api/v1/sales-imports/<id>/errors/`."},
            "failure": {"help_text": "Why the whole file failed (a missing column, `strict` with bad rows)."},
        }


class SalesImportErrorSerializer(serializers.ModelSerializer):
    class Meta:
        model = SalesImportError
        fields = ["line", "reason"]


class SalesImportInputSerializer(InputSerializer):
    file = serializers.FileField(
        help_text="The CSV: one row per order line (README, Importing sales history)."
    )
    store = serializers.SlugField(required=False, help_text="Store slug; defaults to the API key's store.")
    map = serializers.ListField(
        child=serializers.RegexField(r"^[a-z_]+=.+$", max_length=120),
        required=False,
        default=list,
        max_length=len(FIELDS),
        help_text=f"FIELD=COLUMN, once per renamed field; fields: {', '.join(FIELDS)}.",
    )
    date_format = serializers.CharField(required=False, allow_blank=True, default="", max_length=60)
    delimiter = serializers.CharField(
        required=False, default=",", max_length=3, help_text="One character, or `tab`."
    )
    encoding = serializers.ChoiceField(choices=import_jobs.ENCODINGS, default="utf-8-sig")
    strict = serializers.BooleanField(
        required=False, default=False, help_text="Any bad row fails the whole file."
    )


class SalesImportListCreateView(generics.ListAPIView):
    """Imports of sales history. POST a file (multipart) to queue one: 202 with the job; the worker
    imports it as `manage.py import_sales` does. Send `Idempotency-Key`: the same key gives the same job."""

    read_perm = Perm.EDIT_MENU
    serializer_class = SalesImportSerializer
    parser_classes = [MultiPartParser]

    def get_queryset(self):
        return SalesImport.objects.filter(store__in=accessible_stores(self.request)).select_related("store")

    @extend_schema(
        request={"multipart/form-data": SalesImportInputSerializer}, responses={202: SalesImportSerializer}
    )
    @idempotent
    def post(self, request):
        data = SalesImportInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        payload = data.validated_data
        store = resolve_store(request, payload.get("store"))
        require(request, store, Perm.EDIT_MENU)
        upload = payload["file"]
        job = import_jobs.sales_import_queue(
            store=store,
            content=b"".join(upload.chunks()),
            filename=upload.name or "",
            mapping=dict(pair.split("=", 1) for pair in payload["map"]),
            date_format=payload["date_format"] or None,
            delimiter=payload["delimiter"],
            encoding=payload["encoding"],
            strict=payload["strict"],
            by=request.user,
        )
        return Response(SalesImportSerializer(job).data, status=status.HTTP_202_ACCEPTED)


class SalesImportDetailView(generics.RetrieveAPIView):
    """One import: `queued`, `running`, `done` or `failed`, with its counts."""

    read_perm = Perm.EDIT_MENU
    serializer_class = SalesImportSerializer

    def get_queryset(self):
        return SalesImport.objects.filter(store__in=accessible_stores(self.request)).select_related("store")


class LinePagination(UpdatedCursorPagination):
    ordering = "id"  # in the file's order


class SalesImportErrorListView(generics.ListAPIView):
    """The lines of an import that could not be read, with their line numbers, in the file's order."""

    read_perm = Perm.EDIT_MENU
    serializer_class = SalesImportErrorSerializer
    pagination_class = LinePagination
    filterset_class = None

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the schema generator has no job id
            return SalesImportError.objects.none()
        job = generics.get_object_or_404(
            SalesImport.objects.filter(store__in=accessible_stores(self.request)), pk=self.kwargs["pk"]
        )
        return SalesImportError.objects.filter(sales_import=job)
