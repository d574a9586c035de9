from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Tài khoản")

    def ready(self) -> None:
        from workflows.assignments import register_family

        from .rules import stand_in_family

        # Who may stand in for whom while someone is away (workflows/assignments.py): the same role family.
        register_family(stand_in_family)
