from django.urls import include, path

from browser.views.server import healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("", include("browser.urls")),
]

handler404 = "browser.views.errors.not_found"
handler500 = "browser.views.errors.server_error"
handler403 = "browser.views.errors.permission_denied"
handler400 = "browser.views.errors.bad_request"  # "too large" (413) for forms over a limit, else a plain 400
