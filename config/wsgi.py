import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
application = get_wsgi_application()

# Before the first request, what it would otherwise pay for (workflows/calendar.py).
from workflows.calendar import load_national_holidays  # noqa: E402 (needs the application set up)

load_national_holidays()
