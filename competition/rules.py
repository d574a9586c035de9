"""Object permissions of the competition app (rules predicates); the door checks ``<app>.<transition>_<model>``."""

import rules

from accounts.rules import is_administrator, is_auditor, is_board, is_campaign_wide

from .enums import CampaignState
from .scoping import can_see


@rules.predicate
def is_draft(user, campaign) -> bool:
    return campaign is None or campaign.state == CampaignState.DRAFT


@rules.predicate
def sees(user, obj) -> bool:
    return obj is None or can_see(user, obj)


# Campaigns: the board authors and launches; units and everyone in scope reads.
rules.add_perm("competition.add_campaign", is_board)
rules.add_perm("competition.change_campaign", is_board & is_draft)
rules.add_perm("competition.view_campaign", sees)
rules.add_perm("competition.launch_campaign", is_board)
rules.add_perm("competition.start_summary_campaign", is_board)
rules.add_perm("competition.close_campaign", is_board)

# Units and the organisation tree: the administrator and the board maintain it; everyone in scope reads.
rules.add_perm("competition.view_unit", sees)
rules.add_perm("competition.change_unit", is_administrator | is_board)
rules.add_perm("competition.import_units", is_administrator | is_board)

# Rule sets: the administrator edits and confirms; the board and auditors read.
rules.add_perm("competition.view_ruleset", is_administrator | is_campaign_wide | is_auditor)
rules.add_perm("competition.change_ruleset", is_administrator)

# The working-day calendar: the board keeps each year's swapped days.
rules.add_perm("workflows.change_workdayoverride", is_board | is_administrator)

# The audit trail: the board, auditors and the administrator read it.
rules.add_perm("workflows.view_auditevent", is_board | is_auditor | is_administrator)
