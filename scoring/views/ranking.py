"""Views of the scoring app: ranking."""

urlpatterns: list = []
