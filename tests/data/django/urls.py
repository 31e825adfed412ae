"""django-scim2 under /scim/v2/, as its README shows (the `scim` namespace is mandatory)."""
from django.urls import include, path

urlpatterns = [
    path("scim/v2/", include("django_scim.urls", namespace="scim")),
]
