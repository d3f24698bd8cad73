"""Helpers for data migrations that rename page fields (see "Naming" in docs/decisions.md).

``RenameField`` renames the column and keeps every row, but Wagtail also keeps each page's revisions
as JSON (``wagtailcore.Revision.content``) under the old field names: a draft or an older revision
loaded after the rename would come back with those fields empty, and publishing it would erase the
value. ``rename_revision_keys`` rewrites the keys of those revisions, in both directions, so that a
rename loses nothing, drafts included.
"""


def rename_revision_keys(models: list[tuple[str, str]], renames: dict[str, str],
                         children: dict[str, dict[str, str]] | None = None, reverse: bool = False):
    """A RunPython function renaming keys in the revisions of the given page models.

    ``models``: (app_label, model_name) of every concrete model whose revisions hold the fields (a
    field of a parent page class is in the revisions of each subclass); ``renames``: {old: new} of
    top-level keys; ``children``: {child relation name: {old: new}} for the keys of inline children
    (an ``InlinePanel``'s objects, serialised as a list of dicts under the relation's name).
    """
    def swap(mapping):
        return {new: old for old, new in mapping.items()} if reverse else mapping

    top = swap(renames)
    nested = {relation: swap(mapping) for relation, mapping in (children or {}).items()}

    def rename(data: dict, mapping: dict) -> bool:
        changed = False
        for old, new in mapping.items():
            if old in data and new not in data:
                data[new] = data.pop(old)
                changed = True
        return changed

    def run(apps, schema_editor):
        ContentType = apps.get_model("contenttypes", "ContentType")
        Revision = apps.get_model("wagtailcore", "Revision")
        types = [ct.pk for app_label, model in models
                 for ct in ContentType.objects.filter(app_label=app_label, model=model)]
        if not types:
            return
        for revision in Revision.objects.filter(content_type_id__in=types).iterator():
            content = revision.content
            if not isinstance(content, dict):
                continue
            changed = rename(content, top)
            for relation, mapping in nested.items():
                for child in content.get(relation) or []:
                    if isinstance(child, dict):
                        changed = rename(child, mapping) or changed
            if changed:
                Revision.objects.filter(pk=revision.pk).update(content=content)

    return run


def revision_renames(models, renames, children=None):
    """(forwards, backwards) functions for ``migrations.RunPython``."""
    return (rename_revision_keys(models, renames, children),
            rename_revision_keys(models, renames, children, reverse=True))
