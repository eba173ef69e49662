"""Start-up checks of a production server.

With DEBUG=0 the static files are served under hashed names read from the manifest that
`collectstatic` writes: without it every page that links a stylesheet answers 500. The WSGI
and ASGI entry points (gunicorn, runserver) refuse to start instead, and `check --deploy`
reports it; `collectstatic` itself, which writes the manifest, is not stopped.
"""

from django.core import checks
from django.core.exceptions import ImproperlyConfigured


def missing_static_manifest() -> str | None:
    """Why the server cannot serve its static files, or None when it can."""
    from django.contrib.staticfiles.storage import ManifestFilesMixin, staticfiles_storage

    if not isinstance(staticfiles_storage, ManifestFilesMixin):
        return None
    if staticfiles_storage.read_manifest() is not None:
        return None
    path = staticfiles_storage.path(staticfiles_storage.manifest_name)
    return (
        f"The static files manifest {path} is missing: with DEBUG=0 every page needs it. "
        "Run `python manage.py collectstatic --no-input` (STATIC_ROOT) before starting the server."
    )


def require_static_manifest() -> None:
    """Called by the WSGI/ASGI entry points: a clear error instead of 500 on every page."""
    problem = missing_static_manifest()
    if problem:
        raise ImproperlyConfigured(problem)


@checks.register(checks.Tags.staticfiles, deploy=True)
def static_manifest_check(app_configs, **kwargs):
    problem = missing_static_manifest()
    return [checks.Error(problem, id="cablearchive.E001")] if problem else []
