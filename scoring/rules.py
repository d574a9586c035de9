"""Object permissions of the scoring app (rules predicates); the door checks ``<app>.<transition>_<model>``."""

import rules  # noqa: F401  (the sections below add their permissions)

from accounts.rules import (  # noqa: F401
    is_auditor,
    is_board,
    is_board_head,
    is_board_officer,
    is_campaign_wide,
    is_coordinator,
    is_unit_clerk,
    is_unit_head,
    is_unit_user,
)
