"""WSGI entry point for granian (`onevoice web`) and any other WSGI server."""

import gc
import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
application = get_wsgi_application()
# Load every view module now rather than on the first request, then move everything loaded so far out of the
# garbage collector's reach: these objects live as long as the process, and without this each full
# collection walks all of them again. Measured on the inbox page: about a fifth of its time.
get_resolver().url_patterns  # noqa: B018 (imports the views)
gc.freeze()
