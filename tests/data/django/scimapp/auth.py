"""One static bearer token (SCIMFUZZ_DJANGO_TOKEN). A request that carries it is made by an
authenticated, unsaved client user (so it never shows in /Users); any other request stays
anonymous, and django-scim2's own check answers it 401 with a WWW-Authenticate header."""
import hmac
import os

from django.contrib.auth import get_user_model

EXPECTED = ("Bearer " + os.environ["SCIMFUZZ_DJANGO_TOKEN"]).encode()


class StaticBearerTokenMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        sent = request.META.get("HTTP_AUTHORIZATION", "").encode()
        if hmac.compare_digest(sent, EXPECTED):
            request.user = get_user_model()(username="scimfuzz-client")
        return self.get_response(request)
