"""Who may call what: the same answer as the admin gives for the same user and object.

Staff are held to Django's model permissions, verb by verb, as the admin holds them
(NetBox's TokenPermissions does the same): GET needs `view`, POST `add`, PUT and PATCH
`change`, DELETE `delete` on the view's model. A liaison is not staff and holds no model
permission: their reach is their member state's follow-ups and actions (the querysets are
scoped to it) and the published documents (reports, recommendations, themes, states).
Anyone else is refused.
"""

from django.contrib.admin.utils import NestedObjects
from django.db import router
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


def permission_name(action: str, model) -> str:
    return f"{model._meta.app_label}.{action}_{model._meta.model_name}"


def missing_permission(user, method: str, model) -> str | None:
    """The permission the verb needs that the user lacks (None when they hold it). As in
    the admin, the change permission lets one view."""
    if method in SAFE_METHODS:
        needed = [permission_name("view", model), permission_name("change", model)]
    else:
        needed = [permission_name(ACTIONS[method], model)]
    return None if any(user.has_perm(name) for name in needed) else needed[0]


def missing_delete_permission(user, obj) -> str | None:
    """Deleting an object deletes what cascades from it (a follow-up's actions): as the
    admin does, every model collected needs the delete permission."""
    collector = NestedObjects(using=router.db_for_write(type(obj)))
    collector.collect([obj])
    for model in collector.data:
        if model._meta.auto_created:
            continue
        name = permission_name("delete", model)
        if not user.has_perm(name):
            return name
    return None


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
            return self._allow(missing_permission(user, request.method, model_of(view)))
        if is_liaison(user):
            return request.method in SAFE_METHODS or getattr(view, "liaisons_write", False)
        return False

    def has_object_permission(self, request, view, obj):
        if request.method == "DELETE" and is_secretariat(request.user):
            return self._allow(missing_delete_permission(request.user, obj))
        return True

    def _allow(self, missing: str | None) -> bool:
        if missing is not None:
            self.message = f"Your account lacks the permission {missing}."
        return missing is None
