from django.utils.translation import gettext as _
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import CursorPagination

from restaurant_ops import bounds


class UpdatedCursorPagination(CursorPagination):
    """Cursor pagination, newest first by id (stable under concurrent writes); `page_size` 1 to 500.

    A cursor or page size that cannot be read is a 400 naming it (DRF would answer a mangled cursor
    with 404, and one with a word for its position with a database error)."""

    ordering = "-id"
    page_size_query_param = "page_size"
    max_page_size = 500

    def get_page_size(self, request):
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        if not (raw.isdigit() and 1 <= int(raw) <= self.max_page_size):
            raise ValidationError(
                {
                    "page_size": [
                        _("A page size is a whole number from 1 to %(max)d.") % {"max": self.max_page_size}
                    ]
                }
            )
        return int(raw)

    def decode_cursor(self, request):
        try:
            cursor = super().decode_cursor(request)
        except NotFound:
            cursor = None
        else:
            if cursor is None or cursor.position is None:
                return cursor
            if cursor.position.isdigit() and int(cursor.position) <= bounds.MAX_ID:
                return cursor
        raise ValidationError({self.cursor_query_param: [_("This cursor is not one we gave out.")]})
