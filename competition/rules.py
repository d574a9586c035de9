"""Object permissions of the competition app (rules predicates); the door checks ``<app>.<transition>_<model>``."""

import rules

from accounts.rules import (
    is_administrator,
    is_auditor,
    is_board,
    is_board_officer,
    is_campaign_wide,
    is_unit_clerk,
    is_unit_user,
)

from .enums import CampaignState
from .scoping import can_see, user_unit


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

# The audit trail: the board and auditors read it. Not the administrator: its events name every dossier and carry
# their bodies (reasons, files), and the administrator keeps configuration and accounts, not dossier contents
# (architecture principle 7).
rules.add_perm("workflows.view_auditevent", is_board | is_auditor)

# === Unit plans: the unit clerk drafts and submits (the plan is already signed by the unit head); a board officer
# accepts or returns it. The UnitPlan flow (competition/flows.py) assigns its tasks by the same permissions.
PLAN_OPEN_FOR_CHANGES = ("draft", "returned")
# A plan counts as issued (target 1 of QĐ 987, the dashboard, reminders) once submitted, and while accepted; a
# returned plan must be completed and sent again.
PLAN_ISSUED = ("submitted", "accepted")
PLANNING_CAMPAIGN_STATES = (CampaignState.LAUNCHED, CampaignState.SUMMARIZING)


@rules.predicate
def has_plan(user, plan) -> bool:
    return plan is not None


@rules.predicate
def of_plan_unit(user, plan) -> bool:
    unit = user_unit(user)
    return unit is not None and unit.pk == plan.unit_id


@rules.predicate
def plan_open_for_changes(user, plan) -> bool:
    return plan.state in PLAN_OPEN_FOR_CHANGES


@rules.predicate
def may_plan_in(user, campaign) -> bool:
    """The user's unit takes part in ``campaign`` (launched, not closed); without a campaign: false."""
    if campaign is None:
        return False
    unit = user_unit(user)
    return (
        unit is not None
        and campaign.state in PLANNING_CAMPAIGN_STATES
        and campaign.enrolments.filter(unit=unit).exists()
    )


@rules.predicate
def sees_plan_process(user, process) -> bool:
    return process is None or can_see(user, process.plan)


# Acting permissions carry no state: the door checks the state, and completes the flow's task after the transition
# (with the permission of the task, on the plan in its new state).
submits_plan = has_plan & is_unit_clerk & of_plan_unit
changes_plan = submits_plan & plan_open_for_changes
reviews_plan = has_plan & is_board_officer

rules.add_perm("competition.add_unitplan", is_unit_clerk & may_plan_in)
rules.add_perm("competition.change_unitplan", changes_plan)
rules.add_perm("competition.view_unitplan", sees)
rules.add_perm("competition.submit_unitplan", submits_plan)
rules.add_perm("competition.accept_unitplan", reviews_plan)
rules.add_perm("competition.send_back_unitplan", reviews_plan)
rules.add_perm("competition.view_plan_status", is_campaign_wide | is_auditor)
rules.add_perm("competition.view_unitplanprocess", sees_plan_process)


# Progress on indicators (issue 4, item 2): the clerk or head of a unit reports for that unit only; the board opens
# reporting periods; the board, the coordinating department and auditors read every unit (scoping as usual).
@rules.predicate
def is_own_unit(user, unit) -> bool:
    own = user_unit(user)
    return unit is None or (own is not None and own.pk == unit.pk)


rules.add_perm("competition.report_progress", is_unit_user & is_own_unit)
rules.add_perm("competition.add_reportingperiod", is_board)
rules.add_perm("competition.view_progress", is_campaign_wide | is_auditor)
rules.add_perm("competition.view_unit_progress", (is_unit_user & sees) | is_campaign_wide | is_auditor)

# Importing indicator values from a file (issue 4, item 4): the board for every enrolled unit, a unit's clerk or
# head for that unit (each row is checked against the unit in services/indicator_import.py).
rules.add_perm("competition.import_progress", is_board | (is_unit_user & sees))

# Interim reviews (sơ kết): the board schedules, takes the snapshot, writes remarks and publishes; everyone who
# reads the campaign's progress reads them; a unit reads the published review (its own row, by scoping).
rules.add_perm("competition.add_interimreview", is_board)
rules.add_perm("competition.take_interimreview", is_board)
rules.add_perm("competition.change_interimreview", is_board)
rules.add_perm("competition.publish_interimreview", is_board)
rules.add_perm("competition.view_interimreview", is_campaign_wide | is_auditor)
