from .campaigns import Campaign, Enrolment, Indicator
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
    "RequiredDocument",
    "RuleSet",
    "Unit",
]
