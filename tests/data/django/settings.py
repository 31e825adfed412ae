"""Settings of the minimal Django project that serves django-scim2 for scimfuzz's interop test.

Only what django-scim2's README asks for (the `django_scim` app, its URLs under the `scim` namespace,
`SCIM_SERVICE_PROVIDER` with `NETLOC` and `AUTHENTICATION_SCHEMES`) plus the models its mixins need
(scimapp.models) and a static bearer token (scimapp.auth). Everything else is django-scim2's default.
The database is a sqlite file in the directory named by SCIMFUZZ_DJANGO_DIR (the test's temp dir).
"""
import os

BASE_DIR = os.environ["SCIMFUZZ_DJANGO_DIR"]

SECRET_KEY = "scimfuzz-interop-only-not-a-secret"
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django_scim",
    "scimapp",
]
MIDDLEWARE = ["scimapp.auth.StaticBearerTokenMiddleware"]
ROOT_URLCONF = "urls"
AUTH_USER_MODEL = "scimapp.User"
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"

DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": os.path.join(BASE_DIR, "db.sqlite3"),
    }
}

USE_TZ = True
TIME_ZONE = "UTC"
# Passwords sent by the fuzzer are stored, never checked: the fastest hasher keeps creates quick.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

SCIM_SERVICE_PROVIDER = {
    # serve.py fills in the real 127.0.0.1:<port> once it has bound the socket.
    "NETLOC": "127.0.0.1",
    "SCHEME": "http",
    "GROUP_MODEL": "scimapp.models.Group",
    # The default challenge is Basic; this deployment takes a bearer token (RFC 6750 §3).
    "WWW_AUTHENTICATE_HEADER": 'Bearer realm="django-scim2"',
    "AUTHENTICATION_SCHEMES": [
        {
            "type": "oauthbearertoken",
            "name": "OAuth Bearer Token",
            "description": "A static bearer token in the Authorization header",
        },
    ],
}
