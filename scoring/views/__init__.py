"""Thin views of the scoring app, one module per area; each module lists its own ``urlpatterns``."""
