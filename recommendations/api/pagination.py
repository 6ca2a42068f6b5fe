from rest_framework.pagination import LimitOffsetPagination


class StableLimitOffsetPagination(LimitOffsetPagination):
    """limit/offset with a maximum page size; refuses unordered querysets."""

    default_limit = 50
    max_limit = 200

    def paginate_queryset(self, queryset, request, view=None):
        if not queryset.ordered:
            raise RuntimeError(f"{view.__class__.__name__}: paginating an unordered queryset")
        return super().paginate_queryset(queryset, request, view)
