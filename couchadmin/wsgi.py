import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "couchadmin.settings")
application = get_wsgi_application()

from browser.audit_trail import report_writer_at_start  # noqa: E402 - needs the settings loaded above

report_writer_at_start()
