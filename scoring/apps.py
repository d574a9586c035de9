from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ScoringConfig(AppConfig):
    name = "scoring"
    verbose_name = _("Chấm điểm, xếp hạng")

    def ready(self) -> None:
        from workflows.audit import register_action_labels

        from . import rules  # noqa: F401  (registers the permissions)

        register_action_labels(
            {
                # scoring tables
                # scorecards
                # ranking
            }
        )
