from .campaigns import Campaign, Enrolment, Indicator
from .plans import PlanState, UnitPlan, UnitPlanProcess, UnitPlanVersion
from .progress import ProgressReport, ReportingPeriod
from .rulesets import AwardType, BaseSalary, RequiredDocument, RuleSet
from .units import Cluster, Membership, Unit

__all__ = [
    "AwardType",
    "BaseSalary",
    "Campaign",
    "Cluster",
    "Enrolment",
    "Indicator",
    "Membership",
    "PlanState",
    "ProgressReport",
    "ReportingPeriod",
    "RequiredDocument",
    "RuleSet",
    "Unit",
    "UnitPlan",
    "UnitPlanProcess",
    "UnitPlanVersion",
]
