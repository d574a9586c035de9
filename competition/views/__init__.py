"""Thin views of the competition app, one module per area: campaigns, units and clusters, rule sets, accounts."""

from .campaigns import (
    campaign_detail,
    campaign_edit,
    campaign_indicators,
    campaign_list,
    campaign_participants,
    campaign_transition,
    home,
)
from .dashboard import campaign_dashboard
from .indicator_import import indicator_import, indicator_import_job, indicator_template
from .people import user_deactivate, user_import, user_list, user_reset_password
from .plans import plan_detail, plan_document, plan_mine, plan_status, plan_status_export, plan_transition
from .progress import progress_board, progress_entry, progress_export, progress_periods
from .reviews import review_detail, review_export, review_list
from .rulesets import (
    base_salary_list,
    ruleset_copy,
    ruleset_detail,
    ruleset_list,
    ruleset_value_confirm,
    ruleset_value_edit,
    unconfirmed_value_list,
)
from .units import cluster_list, unit_detail, unit_import, unit_import_template, unit_list

__all__ = [
    "base_salary_list",
    "campaign_dashboard",
    "campaign_detail",
    "campaign_edit",
    "campaign_indicators",
    "campaign_list",
    "campaign_participants",
    "campaign_transition",
    "cluster_list",
    "home",
    "indicator_import",
    "indicator_import_job",
    "indicator_template",
    "plan_detail",
    "plan_document",
    "plan_mine",
    "plan_status",
    "plan_status_export",
    "plan_transition",
    "progress_board",
    "progress_entry",
    "progress_export",
    "progress_periods",
    "review_detail",
    "review_export",
    "review_list",
    "ruleset_copy",
    "ruleset_detail",
    "ruleset_list",
    "ruleset_value_confirm",
    "ruleset_value_edit",
    "unconfirmed_value_list",
    "unit_detail",
    "unit_import",
    "unit_import_template",
    "unit_list",
    "user_deactivate",
    "user_import",
    "user_list",
    "user_reset_password",
]
