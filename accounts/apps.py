from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Tài khoản")

    def ready(self) -> None:
        from workflows.assignments import register_family
        from workflows.audit import register_action_labels

        from .rules import stand_in_family

        # Who may stand in for whom while someone is away (workflows/assignments.py): the same role family.
        register_family(stand_in_family)
        # Tokens of the integration API (manage.py api_token).
        register_action_labels(
            {
                "accounts.api_token.create": _("Cấp mã truy cập API"),
                "accounts.api_token.rotate": _("Cấp lại mã truy cập API"),
                "accounts.api_token.revoke": _("Thu hồi mã truy cập API"),
            }
        )
