"""Wagtail's page chooser (browse and search) in a constant number of queries.

Wagtail 8's chooser reads three things per row that its listing does not fetch in bulk: the
row's parent (``page.get_parent`` in the title cell, the search's « Parent » column), its approved
schedule (``status_string``) and whether a workflow is in progress (``workflow_in_progress``). At
25 rows a page that is 75 queries (56 → 95 on the library at 5,000 resources, its search 3 → 86).
These views are Wagtail's own, mounted at the same addresses (``cms/urls.py``), with a title column
that fills those three values for every row of the table in three queries before the first cell is
drawn, through the attributes Wagtail itself reads (``_cached_parent_obj`` of treebeard,
``_approved_schedule`` and ``_current_workflow_states`` of Wagtail's listing optimisations).
"""
from __future__ import annotations

from collections import defaultdict

from django.contrib.contenttypes.models import ContentType
from wagtail.admin.auth import require_admin_access
from wagtail.admin.views import chooser
from wagtail.models import Page, Revision, WorkflowState


def prepare_rows(rows) -> None:
    """Parent, approved schedule and current workflow states of each page of ``rows``: three queries."""
    rows = [row for row in rows if not hasattr(row, "_chooser_prepared")]
    if not rows:
        return
    steplen = Page.steplen
    parent_paths = {row.path[:-steplen] for row in rows if row.depth > 1}
    known = {row.path: row for row in rows}
    missing = parent_paths - known.keys()
    parents = {page.path: page for page in Page.objects.filter(path__in=missing)} if missing else {}
    parents.update(known)
    ids = [str(row.pk) for row in rows]
    scheduled = set(Revision.page_revisions.filter(object_id__in=ids, approved_go_live_at__isnull=False)
                    .values_list("object_id", flat=True))
    states = defaultdict(list)
    page_type = ContentType.objects.get_for_model(Page)
    for state in (WorkflowState.objects.active().filter(base_content_type=page_type, object_id__in=ids)
                  .select_related("current_task_state__task")):
        states[state.object_id].append(state)
    for row in rows:
        if row.depth > 1 and not hasattr(row, "_cached_parent_obj"):
            parent = parents.get(row.path[:-steplen])
            if parent is not None:
                row._cached_parent_obj = parent
        row._approved_schedule = str(row.pk) in scheduled
        row._current_workflow_states = states.get(str(row.pk), [])
        row._chooser_prepared = True


class PreparedPageTitleColumn(chooser.PageTitleColumn):
    """Wagtail's title column; its first cell prepares every row of the table (see :func:`prepare_rows`)."""

    def get_cell_context_data(self, instance, parent_context):
        table = parent_context.get("table")
        if table is not None and not getattr(table, "_rows_prepared", False):
            prepare_rows(table.data)
            table._rows_prepared = True
        return super().get_cell_context_data(instance, parent_context)


def _prepared(columns):
    return [PreparedPageTitleColumn(c.name, label=c.label, is_multiple_choice=c.is_multiple_choice)
            if type(c) is chooser.PageTitleColumn else c for c in columns]


class BrowseView(chooser.BrowseView):
    @property
    def columns(self):
        return _prepared(super().columns)


class SearchView(chooser.SearchView):
    @property
    def columns(self):
        return _prepared(super().columns)


#: The views as mounted (``cms/urls.py``), behind the admin-access check Wagtail puts on its own.
browse = require_admin_access(BrowseView.as_view())
search = require_admin_access(SearchView.as_view())
