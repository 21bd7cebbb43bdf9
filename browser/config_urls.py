"""Routes of the configuration pages (included by browser/urls.py, in its namespace)."""

from django.urls import path

from browser.views import configuration

urlpatterns = [
    path("config/", configuration.config_page, name="config"),
]
