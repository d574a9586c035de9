from .scorecards import Assessment, AssessmentEntry, CriterionResult, Scorecard, ScoreEntry, TieDecision
from .tables import ClassThreshold, Criterion, ScoringTable, TieBreakStep

__all__ = [
    "Assessment",
    "AssessmentEntry",
    "ClassThreshold",
    "Criterion",
    "CriterionResult",
    "ScoreEntry",
    "Scorecard",
    "ScoringTable",
    "TieBreakStep",
    "TieDecision",
]
