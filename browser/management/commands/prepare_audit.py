"""`manage.py prepare_audit`: set up the audit database and its writer, once, as a server admin."""

import getpass
import os

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from browser.couch.audit import prepare_audit_database
from browser.couch.client import CouchClient
from browser.couch.errors import CouchError, CouchUnavailable
from browser.couch.session import login


class Command(BaseCommand):
    help = ("Create the audit database, make the audit writer (AUDIT_WRITER_NAME) its only member, and create "
            "that user with AUDIT_WRITER_PASSWORD if it does not exist. Needs a server admin's login, taken "
            "from COUCHDB_ADMIN_USER / COUCHDB_ADMIN_PASSWORD or asked for, and never kept.")

    def handle(self, *args, **options):
        admin_name = os.environ.get("COUCHDB_ADMIN_USER") or input("Server admin name: ")
        admin_password = os.environ.get("COUCHDB_ADMIN_PASSWORD") or getpass.getpass("Server admin password: ")
        admin = CouchClient()
        try:
            login(admin, admin_name, admin_password)
            done = prepare_audit_database(admin, settings.AUDIT_DATABASE, settings.AUDIT_WRITER_NAME,
                                          settings.AUDIT_WRITER_PASSWORD or None)
        except CouchUnavailable as exc:
            raise CommandError(f"CouchDB at {exc.url} cannot be reached: {exc.reason}.") from None
        except CouchError as exc:
            raise CommandError(f"CouchDB refused ({exc.status} {exc.error}): {exc.message}") from None
        for line in done:
            self.stdout.write(f"Audit: {line}.")
