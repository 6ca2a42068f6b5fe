"""Who may call what: the same answer as the admin gives for the same user and object.

Staff are held to Django's model permissions, verb by verb, as the admin holds them
(NetBox's TokenPermissions does the same): GET needs `view`, POST `add`, PUT and PATCH
`change`, DELETE `delete` on the view's model. A liaison is not staff and holds no model
permission: their reach is their member state's follow-ups and actions (the querysets are
scoped to it) and the published documents (reports, recommendations, themes, states).
Anyone else is refused.
"""

from rest_framework.permissions import SAFE_METHODS, BasePermission

from recommendations.scope import is_secretariat, member_state_of

ACTIONS = {"POST": "add", "PUT": "change", "PATCH": "change", "DELETE": "delete"}


def model_of(view):
    """The model a view serves: `permission_model` when it declares one (views without a
    queryset, such as coverage), else its queryset's."""
    model = getattr(view, "permission_model", None)
    if model is None:
        queryset = getattr(view, "queryset", None)
        if queryset is None:
            queryset = view.get_queryset()
        model = queryset.model
    return model


def required_permission(method: str, model) -> str:
    action = "view" if method in SAFE_METHODS else ACTIONS[method]
    return f"{model._meta.app_label}.{action}_{model._meta.model_name}"


def is_liaison(user) -> bool:
    """A liaison account: bound to a member state and not staff (staff are judged by their
    permissions, whatever else they are)."""
    return not is_secretariat(user) and member_state_of(user) is not None


class TrackerPermissions(BasePermission):
    """Staff: the model permission for the verb. Liaisons: their own scope (the views'
    querysets), writing only where the view says liaisons write."""

    message = "Only member-state liaisons and secretariat staff can use this API."

    def has_permission(self, request, view):
        user = request.user
        if not (user and user.is_authenticated and user.is_active):
            return False
        if not hasattr(view, request.method.lower()):
            return True  # a method the view does not offer: 405 follows
        if is_secretariat(user):
            if request.method not in SAFE_METHODS and request.method not in ACTIONS:
                return False
            permission = required_permission(request.method, model_of(view))
            if not user.has_perm(permission):
                self.message = f"Your account lacks the permission {permission}."
                return False
            return True
        if is_liaison(user):
            return request.method in SAFE_METHODS or getattr(view, "liaisons_write", False)
        return False
