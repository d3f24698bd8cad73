"""Newsletter editions (filled by the newsletter issue)."""
