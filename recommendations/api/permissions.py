from rest_framework.permissions import BasePermission

from recommendations.scope import is_secretariat, member_state_of


class IsLiaisonOrStaff(BasePermission):
    """Staff reach everything; a liaison reaches their own state (querysets are scoped)."""

    message = "Only member-state liaisons and secretariat staff can use this API."

    def has_permission(self, request, view):
        user = request.user
        if not (user and user.is_authenticated and user.is_active):
            return False
        return is_secretariat(user) or member_state_of(user) is not None
