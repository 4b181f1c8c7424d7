"""Settings for the smallest Django project that migrates: the database comes from DATABASE_URL only."""
import os
from urllib.parse import unquote, urlsplit

SECRET_KEY = "pg-migration-bench-test-project"
DEBUG = False
USE_TZ = True

INSTALLED_APPS = ["accounts"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"


def database_from_url(url):
    """postgres://user:password@host:port/name, parsed the way dj-database-url does (no extra package)."""
    parts = urlsplit(url)
    if parts.scheme not in ("postgres", "postgresql"):
        raise ValueError(f"DATABASE_URL must be a postgres:// URL, not {parts.scheme}://")
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": unquote(parts.path.lstrip("/")),
        "USER": unquote(parts.username or ""),
        "PASSWORD": unquote(parts.password or ""),
        "HOST": parts.hostname or "",
        "PORT": str(parts.port or ""),
    }


DATABASES = {"default": database_from_url(os.environ["DATABASE_URL"])}
