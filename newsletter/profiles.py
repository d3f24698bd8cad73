"""Mailing-tool profiles: which merge tags each tool expects, as data.

The email is rendered once with neutral placeholders (``__NL_UNSUBSCRIBE__``…) in place of the
tool's links; the placeholders survive MJML compilation and every HTML pass untouched, and are
replaced by the profile's tags at the very end, so that a tag comes out byte for byte (no
percent-encoding of ``[[``, no escaping of ``{{`` or ``|``) in ``href`` attributes and in text.

Adding a tool is adding one ``Profile`` to ``PROFILES``.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

# The roles a tool may fill with its own tag. ``None`` in a profile: the role uses a site link.
UNSUBSCRIBE = "unsubscribe"
PREFERENCES = "preferences"
ARCHIVE = "archive"
ROLES = (UNSUBSCRIBE, PREFERENCES, ARCHIVE)


def placeholder(role: str) -> str:
    """The neutral token written in the HTML for a role (letters and underscores only)."""
    return f"__NL_{role.upper()}__"


@dataclass(frozen=True)
class Profile:
    name: str
    label: str
    tags: dict = field(default_factory=dict)  # role -> merge tag, byte for byte
    site_roles: tuple = ()  # roles shown with a link to the site when the tool has no tag for them

    def tag(self, role: str) -> str | None:
        return self.tags.get(role)

    @property
    def merge_tags(self) -> list[str]:
        return [t for t in self.tags.values() if t]

    def substitutions(self, site_links: dict) -> dict:
        """placeholder -> what replaces it in the export: the tool's tag, else the site link."""
        return {placeholder(role): self.tags.get(role) or site_links.get(role, "") for role in ROLES}

    def working_substitutions(self, site_links: dict) -> dict:
        """placeholder -> a link that works in a test send (no tool to expand the tags)."""
        return {placeholder(role): site_links.get(role, "") for role in ROLES}

    def has_role(self, role: str) -> bool:
        """Whether the email shows the role's link."""
        return role in self.tags or role in self.site_roles


PROFILES: dict[str, Profile] = {
    p.name: p
    for p in (
        Profile("mailchimp", "Mailchimp", {
            UNSUBSCRIBE: "*|UNSUB|*", PREFERENCES: "*|UPDATE_PROFILE|*", ARCHIVE: "*|ARCHIVE|*",
        }),
        Profile("brevo", "Brevo", {
            UNSUBSCRIBE: "{{ unsubscribe }}", PREFERENCES: "{{ update_profile }}", ARCHIVE: "{{ mirror }}",
        }),
        Profile("mailjet", "Mailjet", {UNSUBSCRIBE: "[[UNSUB_LINK_FR]]", ARCHIVE: "[[PERMALINK]]"}),
        Profile("generic", str(_("Générique (sans balises)")), {}, site_roles=(UNSUBSCRIBE, ARCHIVE)),
    )
}

FORMATS = ("html", "txt", "zip", "eml")


def get_profile(name: str) -> Profile:
    try:
        return PROFILES[name]
    except KeyError:
        raise KeyError(name) from None


def profile_choices():
    return [(p.name, p.label) for p in PROFILES.values()]


def apply_substitutions(content: str, substitutions: dict) -> str:
    for token, value in substitutions.items():
        content = content.replace(token, value)
    return content
