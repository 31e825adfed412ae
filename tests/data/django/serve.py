"""Serves the project on 127.0.0.1 with wsgiref, one request at a time.

Creates the sqlite tables (`migrate --run-syncdb`: the app ships no migrations), binds the port
given as the only argument (0: any free port), points django-scim2's Location URLs at it, prints
`listening on 127.0.0.1:<port>` and serves until killed.
"""
import os
import sys
from wsgiref.simple_server import make_server

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.core.wsgi import get_wsgi_application  # noqa: E402



def main():
    call_command("migrate", run_syncdb=True, verbosity=0)
    server = make_server("127.0.0.1", int(sys.argv[1]), get_wsgi_application())
    port = server.server_address[1]
    settings.SCIM_SERVICE_PROVIDER["NETLOC"] = f"127.0.0.1:{port}"
    print(f"listening on 127.0.0.1:{port}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
