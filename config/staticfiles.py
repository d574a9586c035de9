from django.contrib.staticfiles.finders import AppDirectoriesFinder


class AppDirectoriesWithoutNodeModules(AppDirectoriesFinder):
    """Apps' static files without the stray ``node_modules`` folders django-viewflow ships: one of their
    stylesheets names font files that are not there, and the production profile's manifest storage refuses it
    (collectstatic fails)."""

    def list(self, ignore_patterns):
        return super().list([*(ignore_patterns or []), "node_modules"])
