from django.urls import include, path, register_converter

from browser.converters import DatabaseNameConverter, DocumentIdConverter
from browser.views import (
    access,
    active_tasks,
    attachments,
    audit,
    auth,
    changes,
    databases,
    design,
    document,
    documents,
    history,
    indexes,
    maintenance,
    mango,
    server,
    users,
)

register_converter(DatabaseNameConverter, "dbname")
register_converter(DocumentIdConverter, "docid")

app_name = "browser"
urlpatterns = [
    path("", databases.database_list, name="databases"),
    path("login/", auth.login_view, name="login"),
    path("logout/", auth.logout_view, name="logout"),
    path("server/", server.server_page, name="server"),
    path("users/", users.user_list, name="users"),
    path("users/edit/<docid:name>", users.user_edit, name="user-edit"),
    path("users/access/<docid:name>", users.user_access, name="user-access"),
    path("account/password/", users.own_password, name="own-password"),
    path("audit/", audit.audit_log, name="audit"),
    path("tasks/", active_tasks.active_task_list, name="active-tasks"),
    path("replication/", include("browser.replication_urls")),
    path("", include("browser.cluster_urls")),
    path("", include("browser.config_urls")),
    path("", include("browser.shard_urls")),
    path("", include("browser.transfer_urls")),
    path("", include("browser.lifecycle_urls")),
    path("", include("browser.server_ops_urls")),
    path("databases/new/", databases.database_create, name="database-create"),
    path("databases/open/", databases.database_open, name="database-open"),
    path("db/<dbname:db>/", documents.document_list, name="database"),
    path("db/<dbname:db>/delete/", databases.database_delete, name="database-delete"),
    path("db/<dbname:db>/new/", document.document_new, name="document-new"),
    path("db/<dbname:db>/bulk-delete/", documents.bulk_delete_documents, name="bulk-delete"),
    path("db/<dbname:db>/conflicts/", documents.conflict_list, name="conflict-list"),
    path("db/<dbname:db>/permissions/", access.permissions, name="permissions"),
    path("db/<dbname:db>/access/", access.database_access, name="database-access"),
    path("db/<dbname:db>/mango/", mango.mango_query, name="mango"),
    path("db/<dbname:db>/indexes/", indexes.index_list, name="indexes"),
    path("db/<dbname:db>/indexes/delete/", indexes.index_delete, name="index-delete"),
    path("db/<dbname:db>/design/", design.design_list, name="design-list"),
    path("db/<dbname:db>/maintenance/", maintenance.maintenance, name="maintenance"),
    path("db/<dbname:db>/changes/", changes.changes_feed, name="changes"),
    path("db/<dbname:db>/tasks/", maintenance.task_progress, name="task-progress"),
    # Design document names may contain "/" too: they end the path; view names go in the query string.
    path("db/<dbname:db>/design-edit/<docid:ddoc>", design.design_edit, name="design-edit"),
    path("db/<dbname:db>/view-delete/<docid:ddoc>", design.view_delete, name="view-delete"),
    path("db/<dbname:db>/view/<docid:ddoc>", design.view_run, name="view-run"),
    path("db/<dbname:db>/new-with-files/", attachments.new_document_with_files, name="document-new-with-files"),
    # A document id may contain "/", so it is always the last part of the path.
    path("db/<dbname:db>/doc/<docid:docid>", document.document_detail, name="document"),
    path("db/<dbname:db>/edit/<docid:docid>", document.document_edit, name="document-edit"),
    path("db/<dbname:db>/copy/<docid:docid>", document.document_copy, name="document-copy"),
    path("db/<dbname:db>/delete-doc/<docid:docid>", document.document_delete, name="document-delete"),
    path("db/<dbname:db>/revisions/<docid:docid>", history.document_revisions, name="document-revisions"),
    path("db/<dbname:db>/resolve/<docid:docid>", history.document_conflicts, name="document-conflicts"),
    # Attachment names travel in the query string (?name=…).
    path("db/<dbname:db>/attachments/<docid:docid>", attachments.attachment_list, name="attachment-list"),
    path("db/<dbname:db>/attachment/<docid:docid>", attachments.attachment_download, name="attachment"),
    path("db/<dbname:db>/upload/<docid:docid>", attachments.attachment_upload, name="attachment-upload"),
    path("db/<dbname:db>/attachment-delete/<docid:docid>", attachments.attachment_delete, name="attachment-delete"),
    path("db/<dbname:db>/attachment-rename/<docid:docid>", attachments.attachment_rename, name="attachment-rename"),
]
