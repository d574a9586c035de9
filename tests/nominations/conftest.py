"""The nomination tests' world: a launched campaign with both award forms, two wards taking part, and a head for
each ward (tests/factories.make_nomination_world). Modules with another world (the decision tests) define their own
``world`` fixture, which takes precedence."""

import pytest

from ..factories import make_nomination_world


@pytest.fixture
def world(rule_set, draft_campaign, board_officer, commune_a, commune_b):
    return make_nomination_world(
        rule_set=rule_set, campaign=draft_campaign, board_officer=board_officer, units=[commune_a, commune_b]
    )


@pytest.fixture
def head_a(world, commune_a):
    return world.heads[commune_a.code]


@pytest.fixture
def head_b(world, commune_b):
    return world.heads[commune_b.code]
