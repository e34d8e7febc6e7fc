"""The monthly progress page (R14): planning's publication of its own figures export as one
static HTML page with inline SVG charts and a table beside each chart (docs/progress-page.md)."""
