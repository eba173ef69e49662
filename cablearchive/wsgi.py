import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cablearchive.settings")
application = get_wsgi_application()

from cablearchive.checks import require_static_manifest  # noqa: E402  (needs the settings)

require_static_manifest()
