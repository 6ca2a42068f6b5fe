from rest_framework.renderers import BrowsableAPIRenderer

from recommendations.scope import is_secretariat


class StaffBrowsableAPIRenderer(BrowsableAPIRenderer):
    """The browsable API is for logged-in staff; everyone else gets JSON."""

    def render(self, data, accepted_media_type=None, renderer_context=None):
        request = (renderer_context or {}).get("request")
        if request is None or not is_secretariat(request.user):
            from rest_framework.renderers import JSONRenderer

            renderer_context["response"]["Content-Type"] = "application/json"
            return JSONRenderer().render(data, "application/json", renderer_context)
        return super().render(data, accepted_media_type, renderer_context)
