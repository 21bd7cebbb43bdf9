"""The site map: every page of the dashboard, by area, in the "browser" namespace.

A name that may hold "/" (a document id, a design document, a partition, a user, a node, a replication job)
is the last part of its path, read by the converters of browser/converters.py; configuration sections and
keys, view names and attachment names travel in the query string."""

from django.urls import path, register_converter

from browser.converters import DatabaseNameConverter, DocumentIdConverter
from browser.views import (
    access,
    active_tasks,
    attachments,
    audit,
    auth,
    changes,
    cluster,
    configuration,
    databases,
    db_updates,
    deleted,
    design,
    document,
    documents,
    history,
    indexes,
    maintenance,
    mango,
    partitions,
    purge,
    replication,
    reshard,
    server,
    shards,
    theme,
    transfer,
    users,
)

register_converter(DatabaseNameConverter, "dbname")
register_converter(DocumentIdConverter, "docid")

app_name = "browser"
urlpatterns = [
    # Signing in, and the look of every page
    path("login/", auth.login_view, name="login"),
    path("logout/", auth.logout_view, name="logout"),
    path("theme/", theme.set_theme, name="theme"),

    # Server
    path("server/", server.server_page, name="server"),
    path("tasks/", active_tasks.active_task_list, name="active-tasks"),
    path("updates/", db_updates.database_updates, name="db-updates"),
    path("updates/setup/", db_updates.global_changes_create, name="db-updates-setup"),
    path("reshard/", reshard.reshard_page, name="reshard"),
    path("reshard/start/", reshard.reshard_start, name="reshard-start"),
    path("reshard/state/", reshard.reshard_state, name="reshard-state"),
    path("reshard/delete/", reshard.reshard_job_delete, name="reshard-job-delete"),

    # Cluster
    path("cluster/", cluster.cluster_overview, name="cluster"),
    path("cluster/nodes/<docid:node>", cluster.cluster_node, name="cluster-node"),

    # Configuration
    path("config/", configuration.config_page, name="config"),
    path("config/set/", configuration.config_set, name="config-set"),
    path("config/delete/", configuration.config_delete, name="config-delete"),

    # Users
    path("users/", users.user_list, name="users"),
    path("users/edit/<docid:name>", users.user_edit, name="user-edit"),
    path("users/access/<docid:name>", users.user_access, name="user-access"),
    path("account/password/", users.own_password, name="own-password"),

    # Audit log
    path("audit/", audit.audit_log, name="audit"),

    # Replication
    path("replication/", replication.replication_list, name="replications"),
    path("replication/new/", replication.replication_start, name="replication-start"),
    path("replication/doc/<docid:docid>", replication.replication_doc, name="replication-doc"),
    path("replication/doc-restart/<docid:docid>", replication.replication_doc_restart,
         name="replication-doc-restart"),
    path("replication/doc-delete/<docid:docid>", replication.replication_doc_delete, name="replication-doc-delete"),
    # Job ids ("abc+continuous") are read as any text, so that whatever arrives there gets a plain 404 from the
    # view rather than no route.
    path("replication/job/<docid:job_id>", replication.replication_job, name="replication-job"),
    path("replication/job-stop/<docid:job_id>", replication.replication_job_stop, name="replication-job-stop"),

    # Databases
    path("", databases.database_list, name="databases"),
    path("databases/new/", databases.database_create, name="database-create"),
    path("databases/open/", databases.database_open, name="database-open"),
    path("import/", transfer.import_new_database, name="import-new"),
    path("db/<dbname:db>/", documents.document_list, name="database"),
    path("db/<dbname:db>/delete/", databases.database_delete, name="database-delete"),
    path("db/<dbname:db>/permissions/", access.permissions, name="permissions"),
    path("db/<dbname:db>/access/", access.database_access, name="database-access"),
    path("db/<dbname:db>/maintenance/", maintenance.maintenance, name="maintenance"),
    path("db/<dbname:db>/tasks/", maintenance.task_progress, name="task-progress"),
    path("db/<dbname:db>/limits/", purge.database_limits, name="database-limits"),
    path("db/<dbname:db>/changes/", changes.changes_feed, name="changes"),
    path("db/<dbname:db>/shards/", shards.database_shards, name="database-shards"),
    path("db/<dbname:db>/partitions/", partitions.partition_home, name="partitions"),
    # A partition name may hold "/" and anything but ":" (and a leading "_").
    path("db/<dbname:db>/partition/<docid:partition>", partitions.partition_detail, name="partition"),
    path("db/<dbname:db>/export/", transfer.export_page, name="export"),
    path("db/<dbname:db>/import/", transfer.import_page, name="import"),

    # Documents
    path("db/<dbname:db>/new/", document.document_new, name="document-new"),
    path("db/<dbname:db>/new-with-files/", attachments.new_document_with_files, name="document-new-with-files"),
    path("db/<dbname:db>/bulk-delete/", documents.bulk_delete_documents, name="bulk-delete"),
    path("db/<dbname:db>/conflicts/", documents.conflict_list, name="conflict-list"),
    path("db/<dbname:db>/deleted/", deleted.deleted_list, name="deleted-documents"),
    path("db/<dbname:db>/doc/<docid:docid>", document.document_detail, name="document"),
    path("db/<dbname:db>/edit/<docid:docid>", document.document_edit, name="document-edit"),
    path("db/<dbname:db>/copy/<docid:docid>", document.document_copy, name="document-copy"),
    path("db/<dbname:db>/delete-doc/<docid:docid>", document.document_delete, name="document-delete"),
    path("db/<dbname:db>/revisions/<docid:docid>", history.document_revisions, name="document-revisions"),
    path("db/<dbname:db>/resolve/<docid:docid>", history.document_conflicts, name="document-conflicts"),
    path("db/<dbname:db>/purge/<docid:docid>", purge.document_purge, name="document-purge"),
    path("db/<dbname:db>/deleted-doc/<docid:docid>", deleted.deleted_document, name="deleted-document"),
    path("db/<dbname:db>/shard-of/<docid:docid>", shards.document_shard, name="document-shard"),

    # Attachments (their names travel in the query string: ?name=…)
    path("db/<dbname:db>/attachments/<docid:docid>", attachments.attachment_list, name="attachment-list"),
    path("db/<dbname:db>/attachment/<docid:docid>", attachments.attachment_download, name="attachment"),
    path("db/<dbname:db>/upload/<docid:docid>", attachments.attachment_upload, name="attachment-upload"),
    path("db/<dbname:db>/attachment-delete/<docid:docid>", attachments.attachment_delete, name="attachment-delete"),
    path("db/<dbname:db>/attachment-rename/<docid:docid>", attachments.attachment_rename, name="attachment-rename"),

    # Design documents and their views (view names travel in the query string)
    path("db/<dbname:db>/design/", design.design_list, name="design-list"),
    path("db/<dbname:db>/design-edit/<docid:ddoc>", design.design_edit, name="design-edit"),
    path("db/<dbname:db>/view-delete/<docid:ddoc>", design.view_delete, name="view-delete"),
    path("db/<dbname:db>/view/<docid:ddoc>", design.view_run, name="view-run"),

    # Mango queries and indexes
    path("db/<dbname:db>/mango/", mango.mango_query, name="mango"),
    path("db/<dbname:db>/indexes/", indexes.index_list, name="indexes"),
    path("db/<dbname:db>/indexes/delete/", indexes.index_delete, name="index-delete"),
]
