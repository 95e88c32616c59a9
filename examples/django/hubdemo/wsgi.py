"""The WSGI entry point: `gunicorn hubdemo.wsgi`."""
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hubdemo.settings")
application = get_wsgi_application()
