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


# === Stand-ins (workflows/assignments.py): the board's officers and heads stand in for one another ================


@rules.predicate
def is_self(user, other=None) -> bool:
    return other is not None and getattr(other, "pk", None) == user.pk


@rules.predicate
def other_is_board(user, other=None) -> bool:
    return other is not None and getattr(other, "role", None) in BOARD_ROLES


@rules.predicate
def absent_or_named_it(user, stand_in=None) -> bool:
    return stand_in is not None and user.pk in (stand_in.absent_id, stand_in.created_by_id)


# The page of stand-ins; naming one for an absent board user (object: that user): themselves, or the board's head.
rules.add_perm("workflows.view_standin", is_board)
rules.add_perm("workflows.add_standin", is_board & other_is_board & (is_self | is_board_head))
# Cancelling one (object: the StandIn): the absent person, whoever named it, or the board's head (without an
# object: the board's head, who sees every stand-in).
rules.add_perm("workflows.change_standin", is_board_head | (is_board & absent_or_named_it))


def stand_in_family(user):
    """Who may stand in for ``user`` (``workflows.assignments.register_family``): a board user for a board user."""
    from .models import User

    if getattr(user, "role", None) in BOARD_ROLES:
        return User.objects.filter(role__in=BOARD_ROLES)
    return None
