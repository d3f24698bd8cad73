"""Wagtail looks for hooks in each app's ``wagtail_hooks`` module only: the theme vote's admin
(the "Votes" menu and its admin URLs) lives in its own package, imported here to register it."""
from .vote import wagtail_hooks as vote_hooks  # noqa: F401 - imported for its registrations
