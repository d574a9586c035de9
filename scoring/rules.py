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

# === Scorecards (issue 5, items 2-3): the unit's clerk or head self-scores and submits its own scorecards (the
# board may start one for a unit too); the board assigns assessors, settles flagged criteria, finalizes, publishes
# and reopens; each assessor scores only their own assessment. Acting permissions carry no state: the door and the
# services in scoring/services/scorecards.py check it. Who sees a scorecard is the scoping function's business.


@rules.predicate
def of_scorecard_unit(user, scorecard) -> bool:
    """The user belongs to the scorecard's own unit (a collective's, or an individual's unit)."""
    from competition.scoping import user_unit

    unit = user_unit(user)
    return scorecard is not None and unit is not None and unit.pk == scorecard.unit_id


@rules.predicate
def of_unit(user, unit) -> bool:
    from competition.scoping import user_unit

    own = user_unit(user)
    return unit is not None and own is not None and own.pk == unit.pk


@rules.predicate
def sees_scorecard(user, scorecard) -> bool:
    from competition.scoping import can_see

    return scorecard is None or can_see(user, scorecard)


@rules.predicate
def is_the_assessor(user, assessment) -> bool:
    return assessment is not None and assessment.assessor_id == user.pk


self_scores = is_unit_user & of_scorecard_unit
board_scores = is_board

rules.add_perm("scoring.start_scorecard", is_board | (is_unit_user & of_unit))  # object: the unit
rules.add_perm("scoring.view_scorecard", sees_scorecard)
rules.add_perm("scoring.change_scorecard", self_scores)
rules.add_perm("scoring.submit_scorecard", self_scores)
rules.add_perm("scoring.send_back_scorecard", board_scores)
rules.add_perm("scoring.assign_scorecard", board_scores)
rules.add_perm("scoring.settle_scorecard", board_scores)
rules.add_perm("scoring.finalize_scorecard", board_scores)
rules.add_perm("scoring.publish_scorecard", board_scores)
rules.add_perm("scoring.reopen_scorecard", board_scores)
rules.add_perm("scoring.compare_scorecard", is_campaign_wide | is_auditor)
rules.add_perm("scoring.change_assessment", is_the_assessor)
rules.add_perm("scoring.submit_assessment", is_the_assessor)
rules.add_perm("scoring.view_assessment", is_the_assessor | is_campaign_wide | is_auditor)

# === Ranking (issue 5, items 4-6): the board, the coordinating department and auditors read every ranking and its
# exports; the board records its order of rows still tied after the cascade (scoring/services/ranking.py); a unit's
# clerk or head reads the ranking of a cluster or bloc its unit belongs to, once published (the view checks that).


@rules.predicate
def in_cluster(user, cluster) -> bool:
    """The user's unit is a member of ``cluster``."""
    from competition.scoping import user_unit

    unit = user_unit(user)
    return cluster is not None and unit is not None and cluster.units.filter(pk=unit.pk).exists()


rules.add_perm("scoring.view_ranking", is_campaign_wide | is_auditor)
rules.add_perm("scoring.view_ranking_personal", is_campaign_wide)  # a person's gender (Decree 13/2023)
rules.add_perm("scoring.decide_tie", is_board)
rules.add_perm("scoring.view_published_ranking", is_unit_user & in_cluster)  # object: the cluster

# === Scoring tables (issue 5, item 1): the board edits a campaign's tables (the services refuse changes once a
# table is locked); campaign-wide roles (the board, the coordinating department) and auditors read them.
rules.add_perm("scoring.change_scoringtable", is_board)
rules.add_perm("scoring.view_scoringtable", is_campaign_wide | is_auditor)
