"""Forms of the advocacy pages, by page concern."""
