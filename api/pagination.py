"""Lists page by an opaque cursor (stable while rows are added, no COUNT
query): ``?cursor=…``, ``next`` and ``previous`` links, ``?page_size=`` up
to 100."""

from rest_framework.pagination import CursorPagination


class Cursor(CursorPagination):
    page_size = 24
    page_size_query_param = "page_size"
    max_page_size = 100
    ordering = "-pk"
