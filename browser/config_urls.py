"""Routes of the configuration pages (included by browser/urls.py, in its namespace).

Section and key names travel in the query string: they may hold "/", spaces and any unicode."""

from django.urls import path

from browser.views import configuration

urlpatterns = [
    path("config/", configuration.config_page, name="config"),
    path("config/set/", configuration.config_set, name="config-set"),
    path("config/delete/", configuration.config_delete, name="config-delete"),
]
