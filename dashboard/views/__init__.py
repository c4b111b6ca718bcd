"""Page renderers, grouped by area; each takes its PageSpec from dashboard.queries."""
