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
# Footer roles a tool fills with a block of its own (not a link): the postal address of the list, the
# tool's badge. ``Profile.footer_tags`` gives, per role, the tag of the HTML part and that of the text part.
ADDRESS = "address"
REWARDS = "rewards"
FOOTER_ROLES = (ADDRESS, REWARDS)


def placeholder(role: str) -> str:
    """The neutral token written in the HTML for a role (letters and underscores only)."""
    return f"__NL_{role.upper()}__"


@dataclass(frozen=True)
class Profile:
    name: str
    label: str
    tags: dict = field(default_factory=dict)  # role -> merge tag, byte for byte
    site_roles: tuple = ()  # roles shown with a link to the site when the tool has no tag for them
    footer_tags: dict = field(default_factory=dict)  # footer role -> (HTML tag, text tag), byte for byte
    required: tuple = ()  # roles whose tag the tool requires in every campaign (checked before export)

    def tag(self, role: str) -> str | None:
        return self.tags.get(role)

    @property
    def merge_tags(self) -> list[str]:
        return [t for t in self.tags.values() if t]

    @property
    def required_tags(self) -> list[str]:
        """The tags the export must contain, each as it appears in the HTML part."""
        return [self.tags.get(role) or self.footer_tags[role][0] for role in self.required]

    def has_footer(self, role: str) -> bool:
        return role in self.footer_tags

    def substitutions(self, site_links: dict, text: bool = False) -> dict:
        """placeholder -> what replaces it in the export: the tool's tag, else the site link."""
        subs = {placeholder(role): self.tags.get(role) or site_links.get(role, "") for role in ROLES}
        subs.update({placeholder(role): self.footer_tags[role][1 if text else 0] for role in self.footer_tags})
        return subs

    def working_substitutions(self, site_links: dict, text: bool = False) -> dict:
        """placeholder -> a link that works in a test send (no tool to expand the tags)."""
        subs = {placeholder(role): site_links.get(role, "") for role in ROLES}
        subs.update({placeholder(role): site_links.get((role, "text" if text else "html"), "")
                     for role in FOOTER_ROLES})
        return subs

    def has_role(self, role: str) -> bool:
        """Whether the email shows the role's link."""
        return role in self.tags or role in self.site_roles


PROFILES: dict[str, Profile] = {
    p.name: p
    for p in (
        # Mailchimp refuses to send a campaign without its unsubscribe link and the list's postal
        # address; the free plan also requires its badge (*|REWARDS|*).
        Profile("mailchimp", "Mailchimp", {
            UNSUBSCRIBE: "*|UNSUB|*", PREFERENCES: "*|UPDATE_PROFILE|*", ARCHIVE: "*|ARCHIVE|*",
        }, footer_tags={ADDRESS: ("*|HTML:LIST_ADDRESS_HTML|*", "*|LIST_ADDRESS|*"),
                        REWARDS: ("*|REWARDS|*", "*|REWARDS|*")},
            required=(UNSUBSCRIBE, ADDRESS, REWARDS)),
        Profile("brevo", "Brevo", {
            UNSUBSCRIBE: "{{ unsubscribe }}", PREFERENCES: "{{ update_profile }}", ARCHIVE: "{{ mirror }}",
        }, required=(UNSUBSCRIBE,)),
        Profile("mailjet", "Mailjet", {UNSUBSCRIBE: "[[UNSUB_LINK_FR]]", ARCHIVE: "[[PERMALINK]]"},
                required=(UNSUBSCRIBE,)),
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
