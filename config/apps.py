from django.contrib.staticfiles.apps import StaticFilesConfig


class StaticFiles(StaticFilesConfig):
    """Static files without the stray ``node_modules`` folder django-viewflow ships: one of its stylesheets names
    font files that are not there, and the production profile's manifest storage refuses it (collectstatic fails)."""

    ignore_patterns = [*StaticFilesConfig.ignore_patterns, "node_modules"]
