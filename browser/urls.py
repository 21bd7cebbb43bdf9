from django.urls import path, register_converter

from browser.converters import DatabaseNameConverter
from browser.views import auth, databases, server

register_converter(DatabaseNameConverter, "dbname")

app_name = "browser"
urlpatterns = [
    path("", databases.database_list, name="databases"),
    path("login/", auth.login_view, name="login"),
    path("logout/", auth.logout_view, name="logout"),
    path("server/", server.server_page, name="server"),
    path("databases/new/", databases.database_create, name="database-create"),
    path("databases/open/", databases.database_open, name="database-open"),
    path("db/<dbname:db>/", databases.database_detail, name="database"),
    path("db/<dbname:db>/delete/", databases.database_delete, name="database-delete"),
]
