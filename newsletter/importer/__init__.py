"""Import archived newsletter editions (HTML from Mailchimp, Brevo, Mailjet, MJML or this site's exports).

Pipeline, one module per step:

- ``reading``: bytes → text (size, binary, encoding and "is it HTML" checks; .eml and .zip exports);
- ``cleaning``: links (click-tracking redirects resolved, UTM stripped), merge tags, hidden
  preheaders, tracking pixels, spacers, Outlook conditional comments, footer boilerplate;
- ``parsing``: the cleaned DOM → a ``ParsedEdition`` (subject, date, preheader, sections with
  headings, paragraphs and cards);
- ``matching``: cards → existing pages (by URL on the site, then ``external_url``, then title);
- ``service``: one file → one ``NewsletterPage`` and its resource pages, in one transaction, with a
  ``FileReport`` of what was created, reused or skipped.
"""
from .errors import EditionImportError

__all__ = ["EditionImportError"]
