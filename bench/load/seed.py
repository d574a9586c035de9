"""Seed the load test's database (run by ``bench/load/run.py`` in a process of its own, never with locust).

    DATABASE_URL=postgres://… .venv/bin/python bench/load/seed.py --dossiers 10000 --templates 70 --plan plan.json

1. ``migrate``, then the demo's campaign as ``seed_demo`` makes it: Thái Nguyên's units, one user per role, the
   "Bình dân học AI" campaign launched through the door, every unit's plan, the progress reports and the interim
   review (the dashboard's figures). Not the demo's scoring nor its eight dossiers: the templates replace them.
2. Template dossiers through the real services (so that every state, task and audit shape exists): the provincial
   Chairman's Bằng khen (the board receives and appraises) in every state from draft to decided, and the commune's
   own Giấy khen (its own clerk receives) up to appraised; with 1, 2 or 3 nominees, every required document,
   returns at receipt and during appraisal, one council session and one signed decision. About one a second.
3. Replicas up to ``--dossiers``: each an exact copy of one template of a shape drawn by weight (``SHAPES``), for
   another unit and other people, shifted back in time by up to a month: the dossier, its nominees, documents,
   versions and returns, its viewflow process (``DossierProcess``), tasks and task links, and its audit events,
   appended to the hash chain with their bodies and hashes computed as ``workflows.audit.record`` does. Written
   with PostgreSQL's COPY (``copy_insert``) rather than ``bulk_create``, which is three times slower here.
4. ``VACUUM ANALYZE``, then the checks, or the seed fails: every foreign key of the copied rows points somewhere,
   every dossier agrees with its flow (``flowsync.check_agreement(strict=True)``), the audit chain verifies
   (``verify_chain``).
5. ``--plan``: a JSON file for the locustfile: the accounts (the demo's board officer, clerks and heads, all with
   the demo password), the campaign, and the dossiers each account may see (through the scoping function).
"""

from __future__ import annotations

import argparse
import io
import json
import os
import random
import re
import sys
import time
from collections import Counter, defaultdict
from contextlib import redirect_stdout
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

BK = "bang_khen_tinh"  # the provincial Chairman's Bằng khen: the board (Sở Nội vụ) receives and appraises
GK = "giay_khen_xa"  # the commune's or ward's own Giấy khen: its own clerk receives and appraises

# (shape, award, weight): where the campaign's dossiers stand in the middle of the nomination window. "returned" is
# returned at receipt; "returned_appraisal" during appraisal; "received_again" was returned during appraisal,
# supplemented, resubmitted and received again.
SHAPES = [
    ("draft", BK, 10),
    ("draft", GK, 2),
    ("submitted", BK, 15),
    ("submitted", GK, 3),
    ("returned", BK, 4),
    ("returned", GK, 1),
    ("returned_appraisal", BK, 2),
    ("received", BK, 13),
    ("received", GK, 3),
    ("received_again", BK, 4),
    ("appraised", BK, 12),
    ("appraised", GK, 3),
    ("proposed", BK, 13),
    ("decided", BK, 15),
]
FINAL_STATE = {
    "draft": "draft",
    "submitted": "submitted",
    "returned": "returned",
    "returned_appraisal": "returned",
    "received": "received",
    "received_again": "received",
    "appraised": "appraised",
    "proposed": "proposed",
    "decided": "decided",
}
SURNAMES = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô", "Dương", "Lý"]
MIDDLE = ["Văn", "Thị", "Đức", "Minh", "Thu", "Quang", "Ngọc", "Hữu", "Thanh", "Kim", "Xuân", "Hoài"]
GIVEN = (
    "An Bình Chi Dũng Giang Hà Hòa Khánh Lan Linh Mai Nam Oanh Phúc Quỳnh Sơn Tâm Thảo Thúy Trung Tuấn Uyên Việt Yến"
)
GIVEN_NAMES = GIVEN.split()
POSITIONS = ["Công chức Văn hóa - Xã hội", "Chuyên viên", "Giáo viên", "Cán bộ Đoàn", "Trưởng thôn", "Y sĩ"]
BATCH = 1000  # replicas per transaction


class SeedFailed(Exception):
    pass


def person(n: int) -> tuple[str, date, str]:
    """The n-th synthetic person: (name, birth date, gender), unique for every n below 47 million (the name cycles
    over 3,744 combinations, the birth date over 35 years with a step prime to that period)."""
    s, rest = n % len(SURNAMES), n // len(SURNAMES)
    m, g = rest % len(MIDDLE), (rest // len(MIDDLE)) % len(GIVEN_NAMES)
    born = date(1965, 1, 1) + timedelta(days=(n * 7919) % 12775)
    return f"{SURNAMES[s]} {MIDDLE[m]} {GIVEN_NAMES[g]}", born, "female" if MIDDLE[m] == "Thị" else "male"


class Lap:
    def __init__(self):
        self.started = self.last = time.perf_counter()

    def __call__(self, what: str) -> None:
        now = time.perf_counter()
        print(f"  {what}: {now - self.last:.1f} s", flush=True)
        self.last = now

    @property
    def total(self) -> float:
        return time.perf_counter() - self.started


# --- 1. the demo -------------------------------------------------------------------------------------------------


def seed_base(today: date) -> dict:
    """The demo's campaign as ``seed_demo`` makes it (rule sets, units, one user per role, the campaign launched
    through the door, every unit's plan, the progress reports, the interim review), without its scoring and its
    eight dossiers (the templates below cover every step of the Dossier flow). Every demo user has the same
    password: it is hashed once (PBKDF2 costs about half a second of CPU a time)."""
    from django.contrib.auth.hashers import make_password
    from django.core.management import call_command

    from accounts.models import User
    from competition.data.demo import DEMO_PASSWORD
    from competition.services import demo

    hashed = make_password(DEMO_PASSWORD)
    original = User.set_password

    def set_password(user, raw):
        if raw != DEMO_PASSWORD:
            return original(user, raw)
        user.password = hashed
        user._password = raw

    User.set_password = set_password
    try:
        with redirect_stdout(io.StringIO()):
            call_command("seed_rules", verbosity=0)
            demo.seed_units()
            users = demo.seed_users()
            campaign, created = demo.seed_campaign(today)
            if created:
                demo.seed_plans(campaign, today)
                demo.seed_progress(campaign, today)
                demo.seed_review(campaign, today)
    finally:
        User.set_password = original
    return {"campaign": campaign, "users": users}


def ensure_people(units) -> dict[int, tuple]:
    """A clerk and a head for every unit (the demo's where they exist: ``vanthu.<code>``/``truong.<code>`` like
    ``nominations.services.demo._user`` otherwise), all with the demo password, hashed once."""
    from django.contrib.auth.hashers import make_password

    from accounts.enums import Role
    from accounts.models import User
    from competition.data.demo import DEMO_PASSWORD
    from competition.models import Membership

    def existing():
        found: dict[tuple[int, str], User] = {}
        for user in (
            User.objects.filter(membership__unit__in=units, role__in=[Role.UNIT_CLERK, Role.UNIT_HEAD], is_active=True)
            .select_related("membership")
            .order_by("pk")
        ):
            found.setdefault((user.membership.unit_id, user.role), user)
        return found

    found = existing()
    password = make_password(DEMO_PASSWORD)
    new_users, new_units = [], []
    for unit in units:
        for role, prefix, title in ((Role.UNIT_CLERK, "vanthu", "Văn thư"), (Role.UNIT_HEAD, "truong", "Thủ trưởng")):
            if (unit.pk, role) not in found:
                new_users.append(
                    User(
                        username=f"{prefix}.{unit.code.lower()}",
                        full_name=f"{title} {unit.name}",
                        role=role,
                        password=password,
                    )
                )
                new_units.append(unit)
    User.objects.bulk_create(new_users)
    Membership.objects.bulk_create(Membership(user=u, unit=unit) for u, unit in zip(new_users, new_units, strict=True))
    found = existing()
    return {unit.pk: (found[(unit.pk, Role.UNIT_CLERK)], found[(unit.pk, Role.UNIT_HEAD)]) for unit in units}


# --- 2. templates through the services ---------------------------------------------------------------------------


class Templates:
    def __init__(self, campaign, people, officer, office, today: date):
        from nominations.services.demo import document_file

        self.campaign, self.people, self.officer, self.office, self.today = campaign, people, officer, office, today
        self.docx = document_file("Hồ sơ thử tải", ["Phong trào “Bình dân học AI”."], name="x.docx").read()
        self.next_person = 0

    def upload(self, name: str):
        from django.core.files.uploadedfile import SimpleUploadedFile

        from nominations.services.demo import DOCX_TYPE

        return SimpleUploadedFile(name, self.docx, content_type=DOCX_TYPE)

    def attach_all(self, dossier, clerk) -> None:
        from nominations.services import composition

        for item in composition.composition(dossier):
            if item.present:
                continue
            suffix = f"-{item.nominee.pk}" if item.nominee else ""
            composition.attach_document(
                dossier,
                code=item.required.code,
                upload=self.upload(f"{item.required.code}{suffix}.docx"),
                actor=clerk,
                nominee=item.nominee,
            )

    def first_nominee_item(self, dossier):
        from nominations.services import composition

        items = composition.composition(dossier)
        return next((i for i in items if i.nominee is not None), items[0])

    def build(self, shape: str, award: str, nominees: int, unit, number: int):
        """One dossier of ``unit`` taken to ``shape`` through the services (council and decision come later, for
        all the templates at once)."""
        from nominations.enums import AppraisalResult
        from nominations.services import dossiers

        clerk, head = self.people[unit.pk]
        what = "Bằng khen của Chủ tịch UBND tỉnh" if award == BK else "Giấy khen của Chủ tịch UBND"
        dossier = dossiers.create_dossier(
            self.campaign,
            unit=unit,
            award_type_code=award,
            title=f"Đề nghị tặng {what} cho {nominees} cá nhân của {unit.name} (hồ sơ {number})",
            actor=clerk,
        )
        for _j in range(nominees):
            name, born, gender = person(self.next_person)
            self.next_person += 1
            position = POSITIONS[self.next_person % len(POSITIONS)]
            dossiers.add_nominee(
                dossier,
                actor=clerk,
                kind="individual",
                name=name,
                gender=gender,
                birth_date=born,
                position=position,
                work_unit=unit.name,
                direct_worker=position != "Trưởng thôn",
                achievement="Tích cực triển khai phong trào “Bình dân học AI” tại cơ sở.",
            )
        self.attach_all(dossier, clerk)
        if shape == "draft":
            return dossier
        dossiers.submit_dossier(dossier, actor=head, on=self.today)
        if shape == "submitted":
            return dossier
        handler = self.officer if award == BK else clerk  # a Giấy khen: the commune's own office receives it
        if shape == "returned":
            item = self.first_nominee_item(dossier)
            dossiers.return_dossier(
                dossier,
                actor=handler,
                reason="Đề nghị đơn vị hoàn thiện hồ sơ và gửi lại.",
                items=[{"target": item.target, "reason": "Báo cáo thành tích chưa đúng mẫu; bổ sung số liệu."}],
            )
            return dossier
        dossiers.receive_dossier(dossier, actor=handler)
        if shape in ("returned_appraisal", "received_again"):
            item = self.first_nominee_item(dossier)
            dossiers.return_dossier(
                dossier,
                actor=handler,
                items=[{"target": item.target, "reason": "Báo cáo thành tích chưa nêu số người được tập huấn."}],
            )
            if shape == "returned_appraisal":
                return dossier
            from nominations.services import composition

            composition.attach_document(
                dossier,
                code=item.required.code,
                upload=self.upload(f"{item.required.code}-{item.nominee.pk}-bo-sung.docx"),
                actor=clerk,
                nominee=item.nominee,
            )
            dossiers.submit_dossier(dossier, actor=head, on=self.today)
            dossiers.receive_dossier(dossier, actor=handler)
            return dossier
        if shape == "received":
            return dossier
        for nominee in dossier.nominees.all():
            dossiers.appraise_nominee(nominee, actor=handler, result=AppraisalResult.ACCEPTED)
        dossiers.complete_appraisal(dossier, actor=handler)
        return dossier

    def council_and_decision(self, to_council: list, to_decide: list) -> None:
        """One session of the province's council over ``to_council`` (closed: they become proposed), then one
        decision of the Chairman over ``to_decide`` (a part of them), signed: they become decided."""
        from accounts.models import User
        from competition.data import demo
        from nominations.enums import Attendance, SignerAuthority
        from nominations.models import DecisionRegister
        from nominations.services import decisions
        from nominations.services.demo import run_council

        if not to_council:
            return
        users = {u.username: u for u in User.objects.filter(username__in=[m[0] for m in demo.DEMO_COUNCIL])}
        run_council(
            to_council,
            secretary=self.officer,
            members=[(users[u], title, chair, Attendance.PRESENT) for u, title, chair in demo.DEMO_COUNCIL],
            title="Phiên họp Hội đồng Thi đua - Khen thưởng tỉnh (thử tải)",
            held_on=self.today,
            place="Sở Nội vụ tỉnh Thái Nguyên",
        )
        if not to_decide:
            return
        province = to_decide[0].deciding_unit
        DecisionRegister.objects.get_or_create(
            issuing_unit=province, symbol=decisions.default_symbol(province), year=self.today.year
        )
        decision = decisions.draft_decision(to_decide, actor=self.officer)
        decisions.set_issue_details(
            decision,
            actor=self.office,
            issued_on=self.today,
            signer_name="Người ký thử tải",
            signer_authority=SignerAuthority.DEPUTY,
            submission_letter_number="999/TTr-SNV",
            submission_letter_date=self.today,
        )
        problems = decisions.signing_problems(decision)
        if problems:
            raise SeedFailed("the load test's decision cannot be signed: " + "; ".join(map(str, problems)))
        decisions.sign_decision(decision, actor=self.office)


def plan_templates(total: int) -> list[tuple[str, str, int]]:
    """(shape, award, nominees) of each template: ``total`` spread over the shapes by weight, at least three per
    shape (1, 2 and 3 nominees)."""
    weights = sum(w for _s, _a, w in SHAPES)
    out = []
    for shape, award, weight in SHAPES:
        count = max(3, round(total * weight / weights))
        out += [(shape, award, 1 + i % 3) for i in range(count)]
    return out


# --- 3. replicas --------------------------------------------------------------------------------------------------


class RawJSON(str):
    """A JSON text ready for a jsonb column: :func:`copy_insert` sends it as it is."""


def _plain_types():
    from django.db import models

    return (
        models.AutoField,
        models.BigAutoField,
        models.CharField,
        models.TextField,
        models.IntegerField,
        models.BigIntegerField,
        models.SmallIntegerField,
        models.PositiveIntegerField,
        models.PositiveSmallIntegerField,
        models.BooleanField,
        models.DateField,
        models.DateTimeField,
        models.ForeignKey,
        models.OneToOneField,
    )


class Row:
    """One template row as COPY takes it: the column values by attname (the primary key left out), converted for
    the database once (``get_db_prep_save``) unless plain (numbers, text, dates, foreign keys); ``json`` fields kept
    as JSON text, so that a replica can rewrite them as text; the date-times listed, to shift them."""

    __slots__ = ("values", "times")

    def __init__(self, obj, model=None, *, json_fields=()):
        from django.core.serializers.json import DjangoJSONEncoder
        from django.db import connection, models

        model = model or type(obj)
        plain = _plain_types()
        self.values, self.times = {}, []
        for f in model._meta.local_concrete_fields:
            if f.primary_key:
                continue
            value = obj.__dict__[f.attname]
            if f.name in json_fields:
                value = json.dumps(value, ensure_ascii=False, cls=DjangoJSONEncoder)
            elif type(f) not in plain:
                value = f.get_db_prep_save(value, connection)
            elif isinstance(f, models.DateTimeField) and value is not None:
                self.times.append(f.attname)
            self.values[f.attname] = value

    def copy(self, delta, **overrides) -> dict:
        row = dict(self.values)
        for name in self.times:
            row[name] += delta
        row.update(overrides)
        return row


def copy_insert(model, rows: list[dict]) -> None:
    """Insert ``rows`` (column values by attname, ready for the database) into ``model``'s table with PostgreSQL's
    COPY, the fastest way in: Django's ``bulk_create`` builds a model instance per row and sends one array per column
    through psycopg's pure-Python array dumper. Missing primary keys are drawn from the table's sequence first and
    set in the rows, as ``bulk_create`` sets them on the objects."""
    from django.db import connection, models

    if not rows:
        return
    meta = model._meta
    pk = meta.pk
    fields = list(meta.local_concrete_fields)
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        if isinstance(pk, models.AutoField) and rows[0].get(pk.attname) is None:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [meta.db_table, pk.column, len(rows)],
            )
            for row, (value,) in zip(rows, cursor.fetchall(), strict=True):
                row[pk.attname] = value
        names = [f.attname for f in fields]
        columns = ", ".join(quote(f.column) for f in fields)
        with cursor.cursor.copy(f"COPY {quote(meta.db_table)} ({columns}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row([row[name] for name in names])


TARGET = re.compile(r"((?:nominee|document:[a-z_]+):)(\d+)")
JSON_IDS = re.compile(r'"(id|nominee|document)": (\d+)')


class Remap:
    """Rewrites a template's texts for one replica (versions, returns, audit payloads): nominee and document ids,
    the targets of returned items, and the template's people, title and unit."""

    def __init__(self, nominees: dict[int, int], documents: dict[int, int], texts: dict[str, str]):
        self.nominees, self.documents = nominees, documents
        self.texts = sorted(((a, b) for a, b in texts.items() if a and a != b), key=lambda p: -len(p[0]))

    def _target(self, match) -> str:
        return match.group(1) + str(self.nominees.get(int(match.group(2)), match.group(2)))

    def _id(self, match) -> str:
        table = self.documents if match.group(1) == "document" else self.nominees
        return f'"{match.group(1)}": {table.get(int(match.group(2)), match.group(2))}'

    def text(self, value: str) -> str:
        if ":" in value:
            value = TARGET.sub(self._target, value)
        for old, new in self.texts:
            if old in value:
                value = value.replace(old, new)
        return value

    def json_text(self, value: str) -> RawJSON:
        """A JSON text (``json.dumps`` separators) rewritten as text."""
        return RawJSON(self.text(JSON_IDS.sub(self._id, value)))

    def __call__(self, data):
        """A JSON value (an audit payload) rewritten."""
        if isinstance(data, str):
            return self.text(data)
        if isinstance(data, list):
            return [self(v) for v in data]
        if isinstance(data, dict):
            out = {}
            for key, value in data.items():
                if isinstance(value, int) and not isinstance(value, bool):
                    if key in ("nominee", "id"):
                        value = self.nominees.get(value, value)
                    elif key == "document":
                        value = self.documents.get(value, value)
                    out[key] = value
                else:
                    out[key] = self(value)
            return out
        return data


class Template:
    """Everything a replica copies from one template dossier, read once, as :class:`Row` objects."""

    def __init__(self, dossier, dossier_ct):
        from viewflow.workflow.models import Process, Task

        from nominations.models import DossierProcess
        from workflows.models import AuditEvent

        self.dossier = dossier
        self.pk, self.unit_id, self.title, self.unit_name = (
            dossier.pk,
            dossier.unit_id,
            dossier.title,
            dossier.unit.name,
        )
        self.row = Row(dossier)
        self.nominees = [(n.pk, n.name, Row(n)) for n in dossier.nominees.order_by("order", "pk")]
        self.documents = [(d.pk, d.nominee_id, Row(d)) for d in dossier.documents.order_by("pk")]
        self.versions = [
            (v.pk, Row(v, json_fields=("snapshot", "changes"))) for v in dossier.versions.order_by("number")
        ]
        self.returns = [
            (r.resolved_by_version_id, Row(r, json_fields=("items",))) for r in dossier.returns.order_by("number")
        ]
        processes = list(DossierProcess.objects.filter(dossier=dossier).order_by("pk"))
        self.processes = [(p.pk, Row(p, Process)) for p in processes]
        tasks = list(Task.objects.filter(process__in=[p.pk for p in processes]).order_by("pk"))
        self.tasks = [(t.pk, t.process_id, t.owner_id, t.owner_permission_obj_pk, Row(t)) for t in tasks]
        self.links = list(
            Task.previous.through.objects.filter(to_task__in=[t.pk for t in tasks]).values_list(
                "from_task_id", "to_task_id"
            )
        )
        self.events = [
            (e, json.loads(e.body)["payload"])
            for e in AuditEvent.objects.filter(content_type=dossier_ct, object_id=str(dossier.pk)).order_by("sequence")
        ]


class Replicator:
    def __init__(self, templates: list, units_by_award: dict, people: dict, rng: random.Random, first_person: int):
        from django.contrib.contenttypes.models import ContentType

        from nominations.models import Dossier

        self.dossier_ct = ContentType.objects.get_for_model(Dossier)
        self.by_shape: dict[tuple[str, str], list[Template]] = defaultdict(list)
        for shape, award, dossier in templates:
            self.by_shape[(shape, award)].append(Template(dossier, self.dossier_ct))
        self.units_by_award, self.people, self.rng = units_by_award, people, rng
        self.next_person = first_person
        self.usernames = {u.pk: u.get_username() for pair in people.values() for u in pair}

    def run(self, count: int) -> None:
        import gc

        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
            self.skip_triggers = bool(cursor.fetchone()[0])
        keys = [(s, a) for s, a, _w in SHAPES]
        weights = [w for _s, _a, w in SHAPES]
        done = 0
        gc.disable()  # millions of short-lived objects: the cyclic collector would only pause
        try:
            while done < count:
                size = min(BATCH, count - done)
                picks = self.rng.choices(keys, weights=weights, k=size)
                self.batch(picks, first_number=done)
                done += size
                if done % (5 * BATCH) == 0 or done == count:
                    print(f"    {done}/{count} replicas", flush=True)
        finally:
            gc.enable()

    def batch(self, picks, first_number: int) -> None:
        from types import SimpleNamespace

        from django.db import connection, transaction
        from viewflow.workflow.models import Process, Task

        from nominations.models import Dossier, DossierDocument, DossierProcess, DossierReturn, DossierVersion, Nominee
        from nominations.services.dossiers import canonical_key
        from workflows.audit import _body_fields, _digest, canonical_json
        from workflows.models import AuditEvent, ChainHead

        # What each replica is: its template, unit, people, time shift, title, then its rows, table by table.
        replicas = []
        for n, key in enumerate(picks):
            t = self.rng.choice(self.by_shape[key])
            unit = self.rng.choice(self.units_by_award[key[1]])
            clerk, head = self.people[unit.pk]
            t_clerk, t_head = self.people[t.unit_id]
            replicas.append(
                SimpleNamespace(
                    t=t,
                    unit=unit,
                    users={t_clerk.pk: clerk.pk, t_head.pk: head.pk},
                    delta=-timedelta(days=self.rng.randint(0, 30), seconds=self.rng.randint(0, 86_399)),
                    title=TITLE_NUMBER.sub(
                        f"(hồ sơ {first_number + n + 1:05d})", t.title.replace(t.unit_name, unit.name)
                    ),
                )
            )

        with transaction.atomic():
            if self.skip_triggers:
                # The rows are consistent by construction; their foreign keys are checked in bulk afterwards
                # (check_foreign_keys), as a restore would: row by row, the checks cost a third of the load's time.
                with connection.cursor() as cursor:
                    cursor.execute("SET LOCAL session_replication_role = replica")
            dossiers = []
            for r in replicas:
                t, users = r.t, r.users
                row = t.row.copy(
                    r.delta,
                    unit_id=r.unit.pk,
                    deciding_unit_id=r.unit.pk if t.row.values["deciding_unit_id"] == t.unit_id else None,
                    title=r.title,
                )
                if row["deciding_unit_id"] is None:
                    row["deciding_unit_id"] = t.row.values["deciding_unit_id"]
                for name in ("created_by_id", "assignee_id"):
                    row[name] = users.get(row[name], row[name])
                dossiers.append(row)
            copy_insert(Dossier, dossiers)

            nominees = []
            for r, d in zip(replicas, dossiers, strict=True):
                r.pk = d["id"]
                r.nominees, r.texts = {}, {r.t.title: r.title, r.t.unit_name: r.unit.name}
                r.nominee_rows = []
                for t_pk, t_name, t_row in r.t.nominees:
                    name, born, gender = person(self.next_person)
                    self.next_person += 1
                    row = t_row.copy(
                        r.delta, dossier_id=r.pk, name=name, birth_date=born, gender=gender, work_unit=r.unit.name
                    )
                    row["canonical_key"] = canonical_key(
                        kind=row["kind"], name=name, birth_date=born, id_number=row["id_number"], work_unit=r.unit.name
                    )
                    r.nominee_rows.append((t_pk, row))
                    r.texts[t_name] = name
                    nominees.append(row)
            copy_insert(Nominee, nominees)

            documents = []
            for r in replicas:
                r.nominees = {t_pk: row["id"] for t_pk, row in r.nominee_rows}
                r.document_rows = []
                for t_pk, t_nominee, t_row in r.t.documents:
                    row = t_row.copy(r.delta, dossier_id=r.pk, nominee_id=r.nominees.get(t_nominee))
                    row["uploaded_by_id"] = r.users.get(row["uploaded_by_id"], row["uploaded_by_id"])
                    r.document_rows.append((t_pk, row))
                    documents.append(row)
            copy_insert(DossierDocument, documents)

            versions = []
            for r in replicas:
                r.remap = Remap(r.nominees, {t_pk: row["id"] for t_pk, row in r.document_rows}, r.texts)
                r.version_rows = []
                for t_pk, t_row in r.t.versions:
                    row = t_row.copy(
                        r.delta,
                        dossier_id=r.pk,
                        snapshot=r.remap.json_text(t_row.values["snapshot"]),
                        changes=r.remap.json_text(t_row.values["changes"]),
                    )
                    row["submitted_by_id"] = r.users.get(row["submitted_by_id"], row["submitted_by_id"])
                    r.version_rows.append((t_pk, row))
                    versions.append(row)
            copy_insert(DossierVersion, versions)

            returns = []
            for r in replicas:
                versions_of = {t_pk: row["id"] for t_pk, row in r.version_rows}
                for t_version, t_row in r.t.returns:
                    row = t_row.copy(
                        r.delta,
                        dossier_id=r.pk,
                        reason=r.remap.text(t_row.values["reason"]),
                        items=r.remap.json_text(t_row.values["items"]),
                        resolved_by_version_id=versions_of.get(t_version),
                    )
                    returns.append(row)
            copy_insert(DossierReturn, returns)

            # viewflow: the Process rows, then their DossierProcess rows (multi-table inheritance), the tasks and the
            # links between tasks.
            processes = []
            for r in replicas:
                r.process_rows = [(t_pk, t_row.copy(r.delta)) for t_pk, t_row in r.t.processes]
                processes += [row for _pk, row in r.process_rows]
            copy_insert(Process, processes)
            copy_insert(
                DossierProcess,
                [{"process_ptr_id": row["id"], "dossier_id": r.pk} for r in replicas for _pk, row in r.process_rows],
            )
            tasks = []
            for r in replicas:
                process_of = {t_pk: row["id"] for t_pk, row in r.process_rows}
                r.task_rows = []
                for t_pk, t_process, t_owner, t_obj, t_row in r.t.tasks:
                    row = t_row.copy(
                        r.delta,
                        process_id=process_of[t_process],
                        owner_id=r.users.get(t_owner, t_owner),
                        owner_permission_obj_pk=str(r.pk) if t_obj == str(r.t.pk) else t_obj,
                    )
                    r.task_rows.append((t_pk, row))
                    tasks.append(row)
            copy_insert(Task, tasks)
            links = []
            for r in replicas:
                task_of = {t_pk: row["id"] for t_pk, row in r.task_rows}
                links += [{"from_task_id": task_of[a], "to_task_id": task_of[b]} for a, b in r.t.links]
            copy_insert(Task.previous.through, links)

            # The audit trail: appended to the chain, each body and hash computed as workflows.audit.record does.
            head = ChainHead.objects.select_for_update().get(pk=1)
            sequence, prev_hash = head.sequence, head.hash
            events = []
            for r in replicas:
                object_id, object_repr = str(r.pk), r.title[:300]
                for e, payload in r.t.events:
                    sequence += 1
                    actor_id = r.users.get(e.actor_id, e.actor_id)
                    event = SimpleNamespace(
                        sequence=sequence,
                        created_at=e.created_at + r.delta,
                        actor_id=actor_id,
                        actor_label=self.usernames.get(actor_id, e.actor_label),
                        action=e.action,
                        content_type=self.dossier_ct,
                        object_id=object_id,
                        object_repr=object_repr,
                        from_state=e.from_state,
                        to_state=e.to_state,
                        prev_hash=prev_hash,
                    )
                    body = canonical_json(_body_fields(event, r.remap(payload)))
                    prev_hash = _digest(body)
                    events.append(
                        {
                            "sequence": sequence,
                            "created_at": event.created_at,
                            "actor_id": actor_id,
                            "actor_label": event.actor_label,
                            "action": e.action,
                            "content_type_id": self.dossier_ct.pk,
                            "object_id": object_id,
                            "object_repr": object_repr,
                            "from_state": e.from_state,
                            "to_state": e.to_state,
                            "body": body,
                            "prev_hash": event.prev_hash,
                            "hash": prev_hash,
                        }
                    )
            copy_insert(AuditEvent, events)
            # The replicas are whole dossiers, not record edits: the outline moves with the head.
            ChainHead.objects.filter(pk=1).update(
                sequence=sequence, hash=prev_hash, outline_sequence=sequence, outline_hash=prev_hash
            )


def check_foreign_keys(models) -> list[str]:
    """Every foreign key of ``models``' tables points to an existing row (one anti-join per key, as PostgreSQL's
    ``VALIDATE CONSTRAINT`` would do): the replicas were loaded without the row-by-row checks."""
    from django.db import connection

    problems = []
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for model in models:
            for f in model._meta.local_concrete_fields:
                if not f.is_relation or not f.db_constraint:
                    continue
                target = f.target_field
                table, column = quote(model._meta.db_table), quote(f.column)
                parent, key = quote(target.model._meta.db_table), quote(target.column)
                cursor.execute(
                    f"SELECT count(*) FROM {table} c WHERE c.{column} IS NOT NULL AND NOT EXISTS "  # noqa: S608
                    f"(SELECT 1 FROM {parent} p WHERE p.{key} = c.{column})"
                )
                missing = cursor.fetchone()[0]
                if missing:
                    problems.append(f"{model._meta.db_table}.{f.column}: {missing} rows point nowhere")
    return problems


TITLE_NUMBER = re.compile(r"\(hồ sơ \d+\)")


# --- 5. the plan for the locustfile -----------------------------------------------------------------------------


def write_plan(path: Path, campaign, demo_users) -> dict:
    from accounts.enums import Role
    from accounts.models import User
    from competition.data.demo import DEMO_PASSWORD
    from competition.scoping import scope
    from nominations.models import Dossier

    accounts = []
    board = User.objects.get(username="canbo.snv")
    unit_users = list(
        User.objects.filter(username__in=demo_users, role__in=[Role.UNIT_CLERK, Role.UNIT_HEAD]).order_by("username")
    )
    for user, kind in [(board, "board")] + [(u, "unit") for u in unit_users]:
        ids = list(scope(user, Dossier.objects.filter(campaign=campaign)).order_by("pk").values_list("pk", flat=True))
        accounts.append(
            {
                "username": user.username,
                "id": user.pk,
                "password": DEMO_PASSWORD,
                "kind": kind,
                "role": user.role,
                "dossiers": ids,
            }
        )
    from django.conf import settings

    # The time zone of the request log's timestamps (Django sets the process's TZ to TIME_ZONE).
    plan = {"campaign": campaign.pk, "accounts": accounts, "time_zone": settings.TIME_ZONE}
    path.write_text(json.dumps(plan))
    return plan


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dossiers", type=int, default=10_000, help="dossiers in the campaign (default 10000)")
    parser.add_argument(
        "--templates", type=int, default=70, help="about how many dossiers through the services (default 70)"
    )
    parser.add_argument("--plan", type=Path, required=True, help="where to write the plan for the locustfile")
    parser.add_argument("--seed", type=int, default=20261127, help="random seed")
    args = parser.parse_args(argv)

    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from accounts.models import User
    from competition.enums import UnitKind
    from nominations.models import Dossier
    from workflows.audit import verify_chain
    from workflows.flowsync import check_agreement

    rng = random.Random(args.seed)
    lap = Lap()
    print("seeding:", flush=True)
    call_command("migrate", verbosity=0)
    lap("migrate")
    today = timezone.localdate()
    base = seed_base(today)
    campaign = base["campaign"]
    demo_users = [u for u, _role, _unit in base["users"]]
    lap("the demo's campaign (seed_demo's units, users, campaign, plans, progress reports, interim review)")

    from nominations.services import quotas

    officer = User.objects.get(username="canbo.snv")
    office = User.objects.get(username="vp.ubnd")
    # The demo's quota allows 3 Bằng khen per unit: lift it, as a board would for a campaign of this size.
    quotas.set_quota(
        campaign,
        BK,
        actor=officer,
        max_per_unit_individual=None,
        max_per_unit_collective=None,
        max_campaign_collective_percent=None,
        min_direct_worker_share=None,
        basis="Thử tải: không giới hạn",
    )
    units = list(campaign.units.filter(dissolved_on__isnull=True).order_by("code"))
    localities = [u for u in units if u.kind in (UnitKind.COMMUNE, UnitKind.WARD)]
    people = ensure_people(units)
    lap(f"{len(units)} units' clerks and heads")

    builder = Templates(campaign, people, officer, office, today)
    builder.next_person = 10_000_000  # far from the replicas' people
    made = []
    for i, (shape, award, nominees) in enumerate(plan_templates(args.templates)):
        pool = units if award == BK else localities
        unit = pool[(i * 7) % len(pool)]
        made.append((shape, award, builder.build(shape, award, nominees, unit, i + 1)))
    to_council = [d for shape, _a, d in made if shape in ("proposed", "decided")]
    builder.council_and_decision(to_council, [d for shape, _a, d in made if shape == "decided"])
    templates = []
    for shape, award, dossier in made:
        dossier.refresh_from_db()
        if dossier.state != FINAL_STATE[shape]:
            raise SeedFailed(f"template {dossier.pk} ({shape}) ended {dossier.state}")
        templates.append((shape, award, dossier))
    rate = len(made) / (time.perf_counter() - lap.last)
    lap(f"{len(made)} template dossiers through the services ({rate:.1f} dossiers/s)")

    missing = args.dossiers - Dossier.objects.filter(campaign=campaign).count()
    if missing > 0:
        replicator = Replicator(
            templates, {BK: units, GK: localities}, people, rng, first_person=Dossier.objects.count() * 3
        )
        replicator.run(missing)
        lap(f"{missing} replicas copied from the templates (COPY)")
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    lap("VACUUM ANALYZE")
    from viewflow.workflow.models import Process, Task

    from nominations.models import DossierDocument, DossierProcess, DossierReturn, DossierVersion, Nominee
    from workflows.models import AuditEvent

    loaded = [Dossier, Nominee, DossierDocument, DossierVersion, DossierReturn, Process, DossierProcess, Task]
    problems = check_foreign_keys([*loaded, Task.previous.through, AuditEvent])
    problems += check_agreement(strict=True)
    chain = verify_chain()
    lap(f"checks: foreign keys and flow agreement {len(problems)} problems, audit chain {len(chain)} problems")
    if problems or chain:
        for p in (problems + [str(c) for c in chain])[:10]:
            print("   ", p)
        raise SeedFailed("the seeded data disagree with their flows, their keys or the audit chain")

    by_state = Counter(Dossier.objects.filter(campaign=campaign).values_list("state", flat=True))
    plan = write_plan(args.plan, campaign, demo_users)
    print(
        f"seeded in {lap.total:.1f} s: {sum(by_state.values())} dossiers ("
        + ", ".join(f"{s} {n}" for s, n in sorted(by_state.items()))
        + f"), {Task.objects.count()} viewflow tasks, {AuditEvent.objects.count()} audit events; accounts: "
        + ", ".join(f"{a['username']} ({len(a['dossiers'])} dossiers)" for a in plan["accounts"]),
        flush=True,
    )
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except SeedFailed as exc:
        print(f"seed FAILED: {exc}", file=sys.stderr)
        sys.exit(2)
