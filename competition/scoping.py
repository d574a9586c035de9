"""The one scoping function (architecture principle 7): which records a user may see.

Every list, view and API goes through :func:`scope`. What each role sees:

- unit clerk and unit head: their unit and its sub-units, and the campaigns those units take part in
  (once launched);
- board officer, board head, coordinating department officer: every unit of every campaign and every dossier
  for the provincial Chairman (a unit's own Giấy khen dossiers stay with that unit; its decisions are visible);
- Chairman's office: launched campaigns, the dossiers the provincial Chairman decides once the council has proposed
  them (and their nominees), and the decisions the Chairman issues (and their lines);
- council member: launched campaigns, the council sessions they sit on and those sessions' dossiers (their
  nominees and documents), to vote on them;
- auditor: everything, read-only;
- administrator: configuration and accounts (units, memberships, rule sets), not campaign records.

A model says how it hangs off a unit with ``scope_unit_field`` (the lookup path to a ``Unit``). Apps later in
the dependency chain are named here by label, never imported (competition must not import nominations).
"""

from __future__ import annotations

from django.db.models import Model, Q, QuerySet

from accounts.enums import CAMPAIGN_WIDE_ROLES, UNIT_ROLES, Role
from workflows.datacache import cached

from .enums import CampaignState
from .models import Campaign, Membership, Unit

CONFIGURATION_MODELS = (Unit, Membership)


def user_unit(user) -> Unit | None:
    if not getattr(user, "is_authenticated", False):
        return None
    known = getattr(user, "_scoping_unit", False)
    if known is not False:
        return known
    user._scoping_unit = cached(f"unit:{user.pk}", lambda: _first_unit(user), outline=True)
    return user._scoping_unit


def _first_unit(user) -> Unit | None:
    membership = Membership.objects.select_related("unit").filter(user=user).first()
    return membership.unit if membership else None


def root_unit_ids() -> list[int]:
    """The pks of the units without a parent (the province). Filters on "decided by the province" use them as
    literal values of ``deciding_unit_id`` rather than a join on ``parent IS NULL``: PostgreSQL then estimates the
    rows from its statistics of that column (most dossiers are the Chairman's), where the join is estimated at one
    unit in a hundred and the planner picks nested loops over thousands of rows (the board's inbox took 4× longer)."""
    return cached(
        "provinces", lambda: list(Unit.objects.filter(parent__isnull=True).values_list("pk", flat=True)), outline=True
    )


def provincial_q(prefix: str = "", provinces: list[int] | None = None) -> Q:
    """Dossiers (behind ``prefix``) decided by the province: the provincial Chairman's Bằng khen. ``provinces``: the
    root units' pks when the caller has read them already."""
    return Q(**{f"{prefix}deciding_unit_id__in": root_unit_ids() if provinces is None else provinces})


def _unit_subtree_q(unit: Unit, prefix: str) -> Q:
    return Q(**{f"{prefix}path__startswith": unit.path})


def scope(user, queryset: QuerySet) -> QuerySet:
    """Narrow ``queryset`` to what ``user`` may see."""
    model = queryset.model
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return queryset.none()
    role = getattr(user, "role", None)
    if user.is_superuser or role == Role.AUDITOR:
        return queryset
    if role in CAMPAIGN_WIDE_ROLES:
        # A unit's own Giấy khen dossiers stay with that unit: the board sees only its decisions (statistics).
        prefix = CHAIRMAN_SCOPES.get(model._meta.label_lower)
        if prefix is not None:
            return queryset.filter(provincial_q(prefix))
        return queryset
    if model is Campaign:
        return _scope_campaigns(user, role, queryset)
    if role == Role.ADMIN:
        return queryset if model in CONFIGURATION_MODELS else queryset.none()
    if role in UNIT_ROLES:
        unit = user_unit(user)
        if unit is None:
            return queryset.none()
        if model is Unit:
            return queryset.filter(_unit_subtree_q(unit, ""))
        unit_field = getattr(model, "scope_unit_field", None)
        if unit_field:
            return queryset.filter(_unit_subtree_q(unit, f"{unit_field}__"))
        return queryset.none()
    if role == Role.CHAIRMAN_OFFICE:
        return _scope_chairman_office(queryset)
    if role == Role.COUNCIL_MEMBER:
        return _scope_council_member(user, queryset)
    return queryset.none()


# What reaches the provincial Chairman: dossiers the province decides, once the council has proposed them, and the
# Chairman's decisions.
CHAIRMAN_DOSSIER_STATES = ("proposed", "decided")
CHAIRMAN_SCOPES = {
    "nominations.dossier": "",
    "nominations.nominee": "dossier__",
    "nominations.dossierprocess": "dossier__",
}
CHAIRMAN_DECISION_SCOPES = {
    "nominations.awarddecision": "",
    "nominations.award": "decision__",
    "nominations.revocation": "award__decision__",
}


def _scope_chairman_office(queryset: QuerySet) -> QuerySet:
    label = queryset.model._meta.label_lower
    if queryset.model is Unit:
        return queryset
    if label in CHAIRMAN_SCOPES:
        prefix = CHAIRMAN_SCOPES[label]
        return queryset.filter(provincial_q(prefix), **{f"{prefix}state__in": CHAIRMAN_DOSSIER_STATES})
    if label in CHAIRMAN_DECISION_SCOPES:
        return queryset.filter(**{f"{CHAIRMAN_DECISION_SCOPES[label]}authority": "provincial_chairman"})
    return queryset.none()


# What a council member reads: the sessions they sit on (``members``) and the dossiers on those sessions' agenda
# (``Dossier.council_session``), by the lookup from each model to the dossier.
COUNCIL_SCOPES = {
    "nominations.dossier": "",
    "nominations.nominee": "dossier__",
    "nominations.dossierdocument": "dossier__",
    "nominations.dossierprocess": "dossier__",
}


def _scope_council_member(user, queryset: QuerySet) -> QuerySet:
    label = queryset.model._meta.label_lower
    if queryset.model is Unit:
        return queryset
    if label == "nominations.councilsession":
        return queryset.filter(members__user=user)
    if label in COUNCIL_SCOPES:
        return queryset.filter(**{f"{COUNCIL_SCOPES[label]}council_session__members__user": user})
    return queryset.none()


def _scope_campaigns(user, role, queryset: QuerySet) -> QuerySet:
    if role == Role.ADMIN:
        return queryset
    visible = queryset.exclude(state=CampaignState.DRAFT)
    if role in UNIT_ROLES:
        unit = user_unit(user)
        if unit is None:
            return queryset.none()
        return visible.filter(enrolments__unit__path__startswith=unit.path).distinct()
    if role in (Role.COUNCIL_MEMBER, Role.CHAIRMAN_OFFICE):
        return visible
    return queryset.none()


def can_see(user, obj: Model) -> bool:
    return scope(user, type(obj)._default_manager.filter(pk=obj.pk)).exists()


def unit_in_scope(user, unit: Unit | None) -> bool:
    """True when ``unit`` is the user's unit or one of its sub-units (for object-permission predicates)."""
    own = user_unit(user)
    return bool(own and unit and unit.path.startswith(own.path))
