"""Routes of export and import (included by browser/urls.py, in its namespace)."""

from django.urls import path

from browser.views import transfer

urlpatterns = [
    path("db/<dbname:db>/export/", transfer.export_page, name="export"),
    path("db/<dbname:db>/import/", transfer.import_page, name="import"),
    path("import/", transfer.import_new_database, name="import-new"),
]
