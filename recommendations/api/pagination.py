from rest_framework.exceptions import ValidationError
from rest_framework.pagination import LimitOffsetPagination

from recommendations.api.numbers import whole_number, whole_number_message


class StableLimitOffsetPagination(LimitOffsetPagination):
    """limit/offset with a maximum page size; refuses unordered querysets and bad numbers."""

    default_limit = 50
    max_limit = 200

    def paginate_queryset(self, queryset, request, view=None):
        if not queryset.ordered:
            raise RuntimeError(f"{view.__class__.__name__}: paginating an unordered queryset")
        errors = {}
        for name, minimum in ((self.limit_query_param, 1), (self.offset_query_param, 0)):
            raw = request.query_params.get(name)
            if raw is not None and whole_number(raw, minimum=minimum) is None:
                errors[name] = [whole_number_message(minimum)]
        if errors:
            raise ValidationError(errors)
        return super().paginate_queryset(queryset, request, view)

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            minimum = 1 if parameter["name"] == self.limit_query_param else 0
            parameter["schema"]["minimum"] = minimum
            if parameter["name"] == self.limit_query_param:
                parameter["description"] = (
                    f"Number of results to return per page (at most {self.max_limit}: "
                    "a larger limit returns that many)."
                )
        return parameters
