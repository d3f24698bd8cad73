"""The theme vote: campaigns, ballots, the public vote page and the applications to projets partagés.

A sub-package of the ``thematiques`` app, not an app of its own: its models keep the ``thematiques``
app label and tables (``ThematiquesConfig.import_models`` imports ``thematiques.vote.models``), its
admin hooks are imported by ``thematiques/wagtail_hooks.py``, and the project settings add its
``templates/`` and ``static/`` folders and its ``vote_tags`` template library. See docs/decisions.md.
"""
