from ..enums import ImportState, ReviewState
from .campaigns import Campaign, Enrolment, Indicator
from .plans import PlanState, UnitPlan, UnitPlanProcess, UnitPlanVersion
from .progress import IndicatorImport, ProgressReport, ReportingPeriod
from .reviews import InterimReview, InterimReviewLine, InterimReviewUnit
from .rulesets import AwardType, BaseSalary, RequiredDocument, RuleSet
from .units import Cluster, Membership, Unit

__all__ = [
    "AwardType",
    "BaseSalary",
    "Campaign",
    "Cluster",
    "Enrolment",
    "ImportState",
    "Indicator",
    "IndicatorImport",
    "InterimReview",
    "InterimReviewLine",
    "InterimReviewUnit",
    "Membership",
    "PlanState",
    "ProgressReport",
    "ReportingPeriod",
    "RequiredDocument",
    "ReviewState",
    "RuleSet",
    "Unit",
    "UnitPlan",
    "UnitPlanProcess",
    "UnitPlanVersion",
]
