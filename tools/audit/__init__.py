"""`make audit`: a per-environment report of a cloud assembly for auditors (Markdown and HTML)."""
