"""Views of the scoring app: scorecards."""

urlpatterns: list = []
