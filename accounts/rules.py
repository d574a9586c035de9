"""Role predicates; object permissions that need units live in competition/rules.py."""

import rules

from .enums import BOARD_ROLES, CAMPAIGN_WIDE_ROLES, UNIT_ROLES, Role


def _has_role(*roles):
    allowed = frozenset(roles)

    @rules.predicate
    def predicate(user) -> bool:
        return bool(user and user.is_authenticated and user.is_active and getattr(user, "role", None) in allowed)

    return predicate


is_administrator = _has_role(Role.ADMIN) | rules.is_superuser
is_unit_clerk = _has_role(Role.UNIT_CLERK)
is_unit_head = _has_role(Role.UNIT_HEAD)
is_unit_user = _has_role(*UNIT_ROLES)
is_board_officer = _has_role(Role.BOARD_OFFICER)
is_board_head = _has_role(Role.BOARD_HEAD)
is_board = _has_role(*BOARD_ROLES)
is_campaign_wide = _has_role(*CAMPAIGN_WIDE_ROLES)
is_coordinator = _has_role(Role.COORDINATOR)
is_council_member = _has_role(Role.COUNCIL_MEMBER)
is_chairman_office = _has_role(Role.CHAIRMAN_OFFICE)
is_auditor = _has_role(Role.AUDITOR)

rules.add_perm("accounts.manage_accounts", is_administrator)
