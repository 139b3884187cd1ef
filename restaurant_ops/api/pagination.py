from rest_framework.pagination import CursorPagination


class UpdatedCursorPagination(CursorPagination):
    """Cursor pagination, newest first by id (stable under concurrent writes); `page_size` up to 500."""

    ordering = "-id"
    page_size_query_param = "page_size"
    max_page_size = 500
