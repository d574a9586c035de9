"""Accounts, kept by the administrator: creating them in bulk from a file, resetting passwords, deactivating.

Memberships (which unit a person belongs to) live in this app, so the account services do too. The account file
is checked whole before any write, like the unit file (see :mod:`competition.services.units`); each new account
gets a random temporary password that must be changed at the first sign-in. Passwords are shown once, never
stored in clear and never written to the audit trail.
"""

from __future__ import annotations

import secrets
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import tablib
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import EmailValidator
from django.db import IntegrityError, transaction
from django.db.models.functions import Lower
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.enums import UNIT_ROLES, Role
from workflows import audit
from workflows.exceptions import TransitionRefused
from workflows.exports import FORMULA_PREFIXES, csv_bytes, escape_formula  # noqa: F401 (re-exported)

from ..models import Membership, Unit
from ..resources import choice_lookup, fold
from .tables import (
    Column,
    ImportCounts,
    Layout,
    RowError,
    Source,
    SourceRow,
    file_digest,
    iter_rows,
    map_headers,
    open_table,
    require_actor_perm,
)


def temporary_password() -> str:
    """A random password to be changed at the first sign-in; it never starts with a character that
    :func:`escape_formula` would have to escape (so the CSV copy is exactly what to type)."""
    while True:
        password = secrets.token_urlsafe(12)
        if password[0].isalnum():
            return password


ACCOUNT_COLUMNS: tuple[Column, ...] = (
    Column("username", gettext_lazy("Tên đăng nhập"), ("tai khoan", "login"), required=True),
    Column("full_name", gettext_lazy("Họ tên"), ("ho va ten", "full name", "name"), required=True),
    Column("email", gettext_lazy("Thư điện tử"), ("e mail", "dia chi thu dien tu")),
    Column("role", gettext_lazy("Vai trò"), ("quyen",), required=True),
    Column("unit_code", gettext_lazy("Mã đơn vị"), ("unit", "ma dv", "don vi")),
    Column("position", gettext_lazy("Chức vụ"), ("chuc danh",)),
)
ACCOUNT_COLUMN = {c.key: c for c in ACCOUNT_COLUMNS}
ACCOUNT_FIELDS = ("full_name", "email", "role", "position")


@dataclass
class NewAccount:
    """An account created by an import or a password reset, with the temporary password to hand over."""

    username: str
    full_name: str
    unit: str
    role: str
    password: str


@dataclass
class AccountImportResult(ImportCounts):
    accounts: list[NewAccount] = field(default_factory=list)
    updated_usernames: list[str] = field(default_factory=list)


@dataclass
class _AccountRow:
    source: SourceRow
    values: dict[str, str] = field(default_factory=dict)
    unit: Unit | None = None
    existing: object | None = None
    changed: list[str] = field(default_factory=list)


@dataclass
class _AccountPlan:
    errors: list[RowError]
    rows: list[_AccountRow]
    present: set[str]

    @property
    def new(self) -> list[_AccountRow]:
        return [r for r in self.rows if r.existing is None]

    @property
    def updated(self) -> list[_AccountRow]:
        return [r for r in self.rows if r.existing is not None and r.changed]

    @property
    def unchanged(self) -> list[_AccountRow]:
        return [r for r in self.rows if r.existing is not None and not r.changed]


def _role_labels() -> str:
    with translation.override("vi"):
        return "; ".join(f"{label} ({value})" for value, label in Role.choices)


def _parse_account_row(source: SourceRow, layout: Layout, errors: list[RowError]) -> _AccountRow:
    row = _AccountRow(source)

    def error(key: str, message: str) -> None:
        errors.append(RowError(source.number, layout.label(ACCOUNT_COLUMN[key]), source.text(key), message))

    username = source.text("username")
    if not username:
        error("username", _("Thiếu tên đăng nhập."))
    elif len(username) > 150:
        error("username", _("Tên đăng nhập dài quá 150 ký tự."))
    else:
        try:
            UnicodeUsernameValidator()(username)
        except ValidationError:
            error("username", _("Tên đăng nhập chỉ gồm chữ, số và các ký tự @ . + - _ (không có khoảng trắng)."))
    full_name = source.text("full_name")
    if not full_name:
        error("full_name", _("Thiếu họ tên."))
    elif len(full_name) > 150:
        error("full_name", _("Họ tên dài quá 150 ký tự."))
    email = source.text("email")
    if email:
        try:
            EmailValidator()(email)
        except ValidationError:
            error("email", _("Địa chỉ thư điện tử không hợp lệ (ví dụ đúng: vanthu@thainguyen.gov.vn)."))
    role = choice_lookup(Role).get(fold(source.text("role")))
    if not source.text("role"):
        error("role", _("Thiếu vai trò."))
    elif role is None:
        error("role", _("Vai trò không có trong danh mục. Hãy dùng một trong: %(roles)s.") % {"roles": _role_labels()})
    position = source.text("position")
    if len(position) > 150:
        error("position", _("Chức vụ dài quá 150 ký tự."))
    row.values = {
        "username": username,
        "full_name": full_name,
        "email": email,
        "role": role or "",
        "unit_code": source.text("unit_code"),
        "position": position,
    }
    return row


def _plan_accounts(dataset: tablib.Dataset) -> _AccountPlan:
    layout, errors = map_headers(dataset.headers or [], ACCOUNT_COLUMNS)
    if errors:
        return _AccountPlan(errors, [], set())
    present = set(layout.index)
    rows = [_parse_account_row(source, layout, errors) for source in iter_rows(dataset, layout, errors)]

    unit_codes = {r.values["unit_code"] for r in rows if r.values["unit_code"]}
    units = {u.code: u for u in Unit.objects.filter(code__in=unit_codes)}
    lowered = {r.values["username"].lower() for r in rows if r.values["username"]}
    existing = {
        u.username_lower: u
        for u in get_user_model()
        .objects.annotate(username_lower=Lower("username"))
        .filter(username_lower__in=lowered)
        .select_related("membership__unit")
    }
    seen: dict[str, int] = {}
    for row in rows:
        n, values = row.source.number, row.values
        unit_label = layout.label(ACCOUNT_COLUMN["unit_code"])
        if values["unit_code"]:
            row.unit = units.get(values["unit_code"])
            if row.unit is None:
                errors.append(
                    RowError(
                        n,
                        unit_label,
                        values["unit_code"],
                        _("Không có đơn vị mã “%(code)s”: hãy nhập đơn vị trước hoặc sửa mã.")
                        % {"code": values["unit_code"]},
                    )
                )
            elif row.unit.is_dissolved:
                errors.append(
                    RowError(
                        n,
                        unit_label,
                        values["unit_code"],
                        _("Đơn vị “%(unit)s” đã giải thể: hãy ghi mã đơn vị kế thừa%(successor)s.")
                        % {
                            "unit": row.unit,
                            "successor": f" ({row.unit.successor.code})" if row.unit.successor_id else "",
                        },
                    )
                )
        elif values["role"] in UNIT_ROLES:
            errors.append(
                RowError(
                    n,
                    unit_label,
                    "",
                    _("Vai trò “%(role)s” cần mã đơn vị: hãy ghi mã đơn vị của người này.")
                    % {"role": Role(values["role"]).label},
                )
            )
        key = values["username"].lower()
        if not key:
            continue
        username_label = layout.label(ACCOUNT_COLUMN["username"])
        if key in seen:
            errors.append(
                RowError(
                    n,
                    username_label,
                    values["username"],
                    _("Tên đăng nhập bị trùng với dòng %(row)s.") % {"row": seen[key]},
                )
            )
            continue
        seen[key] = n
        user = existing.get(key)
        if user is None:
            continue
        membership = getattr(user, "membership", None)
        their_unit = membership.unit if membership else None
        if (their_unit.code if their_unit else "") != values["unit_code"]:
            errors.append(
                RowError(
                    n,
                    username_label,
                    values["username"],
                    _("Tên đăng nhập “%(u)s” đã được dùng cho một tài khoản %(where)s: hãy chọn tên khác.")
                    % {
                        "u": user.username,
                        "where": _("của đơn vị “%(unit)s”") % {"unit": their_unit}
                        if their_unit
                        else _("không thuộc đơn vị nào"),
                    },
                )
            )
            continue
        row.existing = user
        row.changed = [name for name in ACCOUNT_FIELDS if name in present and values[name] != getattr(user, name)]
    errors.sort(key=lambda e: e.row or 0)
    ok_rows = [r for r in rows if r.values["username"] and seen.get(r.values["username"].lower()) == r.source.number]
    return _AccountPlan(errors, ok_rows, present)


def validate_accounts(dataset: tablib.Dataset) -> list[RowError]:
    """Check every row of an account file; writes nothing. Reports missing or malformed usernames, usernames
    repeated in the file or already used by a person of another unit, bad e-mail addresses, unknown roles,
    unknown or dissolved units, and unit roles without a unit."""
    return _plan_accounts(dataset).errors


def _hash_all(passwords: list[str]) -> list[str]:
    # Hashing is deliberately slow; PBKDF2 releases the GIL, so a few threads hash a large file in parallel.
    with ThreadPoolExecutor(max_workers=4) as pool:
        return list(pool.map(make_password, passwords))


def import_accounts(path: Source, *, actor, dry_run: bool = False, filename: str | None = None) -> AccountImportResult:
    """Create (and update) accounts from a file (XLSX or CSV), all or nothing.

    A username already held by a person of the same unit updates that account's name, e-mail, role and position
    (its password is untouched); held by anyone else, it is an error. Side effects (not in a dry run, and only
    when something changes): creates users with a random temporary password and ``must_change_password``, their
    memberships, updates the changed users, and appends one audit event listing usernames (never passwords), in
    one transaction. The temporary passwords are returned in ``accounts``, once.
    """
    require_actor_perm(actor, "accounts.manage_accounts")
    dataset, file_errors, data, filename = open_table(path, filename)
    if file_errors:
        return AccountImportResult(errors=file_errors, dry_run=dry_run)
    plan = _plan_accounts(dataset)
    result = AccountImportResult(
        new=len(plan.new),
        updated=len(plan.updated),
        unchanged=len(plan.unchanged),
        errors=plan.errors,
        dry_run=dry_run,
        updated_usernames=[r.existing.username for r in plan.updated],
    )
    if plan.errors or dry_run or not (result.new or result.updated):
        return result

    User = get_user_model()
    passwords = [temporary_password() for _row in plan.new]
    hashes = _hash_all(passwords)  # outside the transaction: it is the slow part
    new_users = [
        User(
            username=r.values["username"],
            full_name=r.values["full_name"],
            email=r.values["email"],
            role=r.values["role"],
            position=r.values["position"],
            password=digest,
            must_change_password=True,
        )
        for r, digest in zip(plan.new, hashes, strict=True)
    ]
    for row in plan.updated:
        for name in row.changed:
            setattr(row.existing, name, row.values[name])
    try:
        with transaction.atomic():
            User.objects.bulk_create(new_users, batch_size=500)
            ids = dict(User.objects.filter(username__in=[u.username for u in new_users]).values_list("username", "id"))
            Membership.objects.bulk_create(
                [Membership(user_id=ids[r.values["username"]], unit=r.unit) for r in plan.new if r.unit],
                batch_size=500,
            )
            if plan.updated:
                User.objects.bulk_update([r.existing for r in plan.updated], list(ACCOUNT_FIELDS), batch_size=500)
            audit.record(
                actor=actor,
                action="accounts.users.import",
                payload={
                    "file": filename,
                    "sha256": file_digest(data),
                    "created": [u.username for u in new_users],
                    "updated": result.updated_usernames,
                    "unchanged": result.unchanged,
                },
            )
    except IntegrityError:
        return AccountImportResult(
            errors=[
                RowError(
                    None,
                    "",
                    filename,
                    _(
                        "Trong lúc nhập, có tài khoản trùng tên vừa được tạo ở nơi khác. "
                        "Chưa ghi gì: hãy tải tệp lên lại."
                    ),
                )
            ],
            dry_run=dry_run,
        )
    result.accounts = [
        NewAccount(
            r.values["username"],
            r.values["full_name"],
            r.unit.code if r.unit else "",
            str(Role(r.values["role"]).label),
            password,
        )
        for r, password in zip(plan.new, passwords, strict=True)
    ]
    return result


def accounts_csv(accounts: list[NewAccount]) -> bytes:
    """The new accounts and their temporary passwords as a UTF-8 CSV (with a BOM, so Excel reads the
    diacritics), every cell passed through :func:`escape_formula` (by :func:`workflows.exports.csv_bytes`)."""
    header = [_("Tên đăng nhập"), _("Họ tên"), _("Mã đơn vị"), _("Vai trò"), _("Mật khẩu tạm thời")]
    rows = [(a.username, a.full_name, a.unit, a.role, a.password) for a in accounts]
    return csv_bytes([header, *rows])


def _check_target(user, actor) -> None:
    require_actor_perm(actor, "accounts.manage_accounts")
    if user.is_superuser and not getattr(actor, "is_superuser", False) and not getattr(actor, "is_system", False):
        raise PermissionDenied(_("Chỉ quản trị cấp cao nhất mới thao tác được trên tài khoản này."))


def reset_password(user, *, actor) -> str:
    """Give ``user`` a new random temporary password, to be changed at the next sign-in, and return it.

    Side effects: sets the password hash and ``must_change_password``; one audit event (without the password).
    """
    _check_target(user, actor)
    password = temporary_password()
    digest = make_password(password)
    with transaction.atomic():
        user.password = digest
        user.must_change_password = True
        user.save(update_fields=["password", "must_change_password"])
        audit.record(
            actor=actor, action="accounts.user.reset_password", obj=user, payload={"must_change_password": True}
        )
    return password


def deactivate_user(user, *, actor):
    """Lock ``user`` out (``is_active = False``); the administrator cannot lock themself out.

    Side effects: saves the user; one audit event. Refuses (``TransitionRefused``) oneself or an account that is
    already inactive.
    """
    _check_target(user, actor)
    if getattr(actor, "pk", None) is not None and actor.pk == user.pk:
        raise TransitionRefused(_("Bạn không thể tự khoá tài khoản của chính mình."))
    if not user.is_active:
        raise TransitionRefused(_("Tài khoản “%(u)s” đã bị khoá từ trước.") % {"u": user.get_username()})
    with transaction.atomic():
        user.is_active = False
        user.save(update_fields=["is_active"])
        audit.record(actor=actor, action="accounts.user.deactivate", obj=user, to_state="inactive")
    return user
