"""The client's address, for the admin's login limits (django-axes).

Without a proxy it is the connection's address. Behind the project's own reverse proxy
(BEHIND_TLS_PROXY=1) every connection comes from the proxy, so the address is the one
that proxy appended last to X-Forwarded-For: earlier entries come from the client and
can be forged, the last one cannot.
"""

from django.conf import settings


def client_ip(request) -> str:
    if settings.BEHIND_TLS_PROXY:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
        if hops:
            return hops[-1]
    return request.META.get("REMOTE_ADDR", "")
