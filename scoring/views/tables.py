"""Views of the scoring app: tables."""

urlpatterns: list = []
