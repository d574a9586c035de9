from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from competition.enums import Authority, SubjectKind
from competition.models import AwardType, Campaign, RuleSet, Unit
from workflows.conditions import condition

from .enums import (
    ISSUED_DECISION_STATES,
    AppraisalResult,
    Attendance,
    AwardSource,
    CouncilResult,
    CouncilSessionState,
    DecisionState,
    DossierState,
    FundEntryKind,
    Gender,
    HoldReason,
    NomineeKind,
    PaymentState,
    RevocationGround,
    RevocationState,
    SignerAuthority,
)


@condition(_("Hồ sơ chưa có người hoặc tập thể nào được đề nghị."))
def has_nominees(dossier) -> bool:
    return dossier.nominees.exists()


@condition(_("Còn người hoặc tập thể chưa có kết quả thẩm định."))
def every_nominee_appraised(dossier) -> bool:
    return not dossier.nominees.filter(appraisal_result=AppraisalResult.PENDING).exists()


@condition(_("Hồ sơ còn thiếu tài liệu bắt buộc (Luật Thi đua, khen thưởng 2022, Điều 84)."))
def has_required_documents(dossier) -> bool:
    from .services.composition import is_complete

    return is_complete(dossier)


@condition(_("Hội đồng chưa có kết luận cho mọi người, tập thể được thẩm định đề nghị khen thưởng."))
def council_has_concluded(dossier) -> bool:
    return not dossier.nominees.filter(
        appraisal_result=AppraisalResult.ACCEPTED, council_result=CouncilResult.PENDING
    ).exists()


@condition(_("Hồ sơ chưa thuộc quyết định khen thưởng nào đã ký."))
def has_signed_decision(dossier) -> bool:
    return dossier.decision_id is not None and dossier.decision.state in ISSUED_DECISION_STATES


class Dossier(ConcurrentTransitionMixin, models.Model):
    """A nomination dossier (hồ sơ đề nghị khen thưởng) of one unit, for one award form, in one campaign."""

    campaign = models.ForeignKey(
        Campaign, verbose_name=_("phong trào"), on_delete=models.PROTECT, related_name="dossiers"
    )
    unit = models.ForeignKey(Unit, verbose_name=_("đơn vị đề nghị"), on_delete=models.PROTECT, related_name="dossiers")
    award_type_code = models.CharField(_("hình thức khen thưởng"), max_length=50)
    # Whose authority decides (domain rule 6): the province for the Chairman's Bằng khen; for a Giấy khen, the
    # commune or department itself, whose own emulation office receives and appraises.
    deciding_unit = models.ForeignKey(
        Unit, verbose_name=_("cấp quyết định"), on_delete=models.PROTECT, related_name="dossiers_to_decide"
    )
    rule_set = models.ForeignKey(
        RuleSet,
        verbose_name=_("bộ quy định áp dụng"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="dossiers",
        help_text=_("Cố định khi gửi hồ sơ."),
    )
    title = models.CharField(_("trích yếu"), max_length=300)
    letter_number = models.CharField(_("số tờ trình của đơn vị"), max_length=50, blank=True)
    letter_date = models.DateField(_("ngày tờ trình"), null=True, blank=True)
    state = FSMField(
        _("trạng thái"), max_length=20, choices=DossierState.choices, default=DossierState.DRAFT, protected=True
    )
    return_reason = models.TextField(_("lý do trả lại"), blank=True)
    council_session = models.ForeignKey(
        "CouncilSession",
        verbose_name=_("phiên họp Hội đồng"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="dossiers",
    )
    decision = models.ForeignKey(
        "AwardDecision",
        verbose_name=_("quyết định khen thưởng"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="dossiers",
    )
    submitted_at = models.DateTimeField(_("gửi lúc"), null=True, blank=True)
    received_at = models.DateTimeField(_("tiếp nhận lúc"), null=True, blank=True)
    appraised_at = models.DateTimeField(_("thẩm định lúc"), null=True, blank=True)
    proposed_at = models.DateTimeField(_("Hội đồng xét lúc"), null=True, blank=True)
    decided_at = models.DateTimeField(_("quyết định lúc"), null=True, blank=True)
    # The board officer who handles the dossier (cán bộ thụ lý): set by the board's head, or by the officer who
    # receives it; the reminders and the inbox go to them (or to their stand-in while they are away).
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("cán bộ thụ lý"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_dossiers",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    scope_unit_field = "unit"

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("hồ sơ đề nghị khen thưởng")
        verbose_name_plural = _("hồ sơ đề nghị khen thưởng")

    def __str__(self) -> str:
        return self.title

    @property
    def award_type(self) -> AwardType | None:
        rule_set = self.rule_set or self.campaign.rule_set
        if rule_set is None:
            return None
        return rule_set.award_types.filter(code=self.award_type_code).first()

    # --- lifecycle: only the door (workflows.transition) calls these -------------------------------------
    @transition(
        field=state,
        source=[DossierState.DRAFT, DossierState.RETURNED],
        target=DossierState.SUBMITTED,
        conditions=[has_nominees],
        custom={"label": _("Gửi hồ sơ")},
    )
    def submit(self, *, rule_set: RuleSet, at) -> None:
        # A dossier pins the rule set in force when it is first submitted and finishes under it (domain rule 1).
        if self.rule_set_id is None:
            self.rule_set = rule_set
        self.submitted_at = at
        self.return_reason = ""

    @transition(
        field=state,
        source=DossierState.SUBMITTED,
        target=DossierState.RECEIVED,
        conditions=[has_required_documents],
        custom={"label": _("Tiếp nhận")},
    )
    def receive(self, *, at) -> None:
        self.received_at = at

    @transition(
        field=state,
        source=DossierState.SUBMITTED,
        target=DossierState.RETURNED,
        custom={"label": _("Trả lại để bổ sung")},
    )
    def send_back(self, *, reason: str) -> None:
        self.return_reason = reason

    @transition(
        field=state,
        source=DossierState.RECEIVED,
        target=DossierState.RETURNED,
        custom={"label": _("Trả lại để bổ sung trong khi thẩm định")},
    )
    def send_back_in_appraisal(self, *, reason: str) -> None:
        self.return_reason = reason

    @transition(
        field=state,
        source=DossierState.RECEIVED,
        target=DossierState.APPRAISED,
        conditions=[every_nominee_appraised],
        custom={"label": _("Hoàn thành thẩm định")},
    )
    def appraise(self, *, at) -> None:
        self.appraised_at = at

    @transition(
        field=state,
        source=DossierState.APPRAISED,
        target=DossierState.PROPOSED,
        conditions=[council_has_concluded],
        custom={"label": _("Hội đồng xét")},
    )
    def council_review(self, *, at) -> None:
        self.proposed_at = at

    @transition(
        field=state,
        source=DossierState.PROPOSED,
        target=DossierState.DECIDED,
        conditions=[has_signed_decision],
        custom={"label": _("Quyết định khen thưởng")},
    )
    def decide(self, *, at) -> None:
        self.decided_at = at


class Nominee(models.Model):
    """A person, collective or household proposed in a dossier."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="nominees")
    kind = models.CharField(_("loại"), max_length=20, choices=NomineeKind.choices)
    name = models.CharField(_("họ tên / tên tập thể"), max_length=255)
    gender = models.CharField(_("giới tính"), max_length=10, choices=Gender.choices, blank=True)
    birth_date = models.DateField(_("ngày sinh"), null=True, blank=True)
    id_number = models.CharField(_("số định danh"), max_length=20, blank=True)
    position = models.CharField(_("chức vụ"), max_length=255, blank=True)
    work_unit = models.CharField(_("đơn vị công tác"), max_length=255, blank=True)
    collective_unit = models.ForeignKey(
        Unit,
        verbose_name=_("đơn vị (tập thể)"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="nominations",
    )
    direct_worker = models.BooleanField(_("trực tiếp lao động, công tác"), default=False)
    achievement = models.TextField(_("tóm tắt thành tích"), blank=True)
    canonical_key = models.CharField(max_length=300, db_index=True, editable=False)
    appraisal_result = models.CharField(
        _("kết quả thẩm định"),
        max_length=10,
        choices=AppraisalResult.choices,
        default=AppraisalResult.PENDING,
        blank=True,
    )
    appraisal_note = models.TextField(_("ý kiến thẩm định"), blank=True)
    council_result = models.CharField(
        _("kết quả xét của Hội đồng"), max_length=20, choices=CouncilResult.choices, default="", blank=True
    )
    order = models.PositiveIntegerField(_("thứ tự"), default=0)

    scope_unit_field = "dossier__unit"

    class Meta:
        ordering = ["dossier", "order", "id"]
        verbose_name = _("người, tập thể được đề nghị")
        verbose_name_plural = _("người, tập thể được đề nghị")

    def __str__(self) -> str:
        return self.name

    @property
    def subject_kind(self) -> str:
        return {
            NomineeKind.INDIVIDUAL: SubjectKind.INDIVIDUAL,
            NomineeKind.COLLECTIVE: SubjectKind.COLLECTIVE,
            NomineeKind.HOUSEHOLD: SubjectKind.HOUSEHOLD,
        }[self.kind]

    @property
    def title_and_unit(self) -> str:
        if self.kind == NomineeKind.INDIVIDUAL:
            return ", ".join(p for p in (self.position, self.work_unit) if p)
        return self.work_unit


class DecisionRegister(models.Model):
    """The issuing body's register of documents (sổ đăng ký văn bản) for one symbol, when the product keeps it:
    numbers are allocated here, once, never reused (domain rule 13)."""

    issuing_unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="registers")
    symbol = models.CharField(_("ký hiệu"), max_length=50)
    year = models.PositiveSmallIntegerField(_("năm"))
    last_number = models.PositiveIntegerField(_("số đã cấp gần nhất"), default=0)

    class Meta:
        unique_together = [("issuing_unit", "symbol", "year")]
        verbose_name = _("sổ đăng ký văn bản")
        verbose_name_plural = _("sổ đăng ký văn bản")

    def __str__(self) -> str:
        return f"{self.issuing_unit} {self.symbol} {self.year}"


@condition(_("Chưa có số, ký hiệu và ngày ký của quyết định."))
def has_number_and_date(decision) -> bool:
    return bool(decision.number and decision.symbol and decision.issued_on)


@condition(_("Quyết định chưa có người được khen thưởng."))
def has_awards(decision) -> bool:
    return decision.awards.exists()


@condition(_("Chưa tải lên bản quyết định đã ký (PDF)."))
def has_signed_scan(decision) -> bool:
    return decision.signed_scans.exists()


class AwardDecision(ConcurrentTransitionMixin, models.Model):
    """An award decision (quyết định khen thưởng) with its annexed list and money."""

    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="decisions")
    issuing_unit = models.ForeignKey(
        Unit, verbose_name=_("cơ quan ban hành"), on_delete=models.PROTECT, related_name="decisions"
    )
    authority = models.CharField(_("thẩm quyền"), max_length=30, choices=Authority.choices)
    award_type = models.ForeignKey(
        AwardType, verbose_name=_("hình thức khen thưởng"), on_delete=models.PROTECT, related_name="decisions"
    )
    rule_set = models.ForeignKey(
        RuleSet, verbose_name=_("bộ quy định"), on_delete=models.PROTECT, related_name="decisions"
    )
    number = models.PositiveIntegerField(_("số"), null=True, blank=True)
    year = models.PositiveSmallIntegerField(_("năm"), null=True, blank=True)
    symbol = models.CharField(_("ký hiệu"), max_length=50)
    issued_on = models.DateField(_("ngày ký"), null=True, blank=True)
    place = models.CharField(_("địa danh"), max_length=100)
    signer_name = models.CharField(_("người ký"), max_length=150, blank=True)
    signer_authority = models.CharField(
        _("thẩm quyền ký"), max_length=10, choices=SignerAuthority.choices, default=SignerAuthority.HEAD
    )
    submission_letter_number = models.CharField(_("số tờ trình của cơ quan thẩm định"), max_length=50, blank=True)
    submission_letter_date = models.DateField(_("ngày tờ trình"), null=True, blank=True)
    recipients = models.TextField(_("nơi nhận"), blank=True)
    state = FSMField(
        _("trạng thái"), max_length=20, choices=DecisionState.choices, default=DecisionState.DRAFT, protected=True
    )
    signed_at = models.DateTimeField(_("ký lúc"), null=True, blank=True)
    audit_head_hash = models.CharField(_("mã băm nhật ký khi ký"), max_length=64, blank=True)
    # Printed on the decision and on the public pages; anyone verifies the decision by it (issue 7 item 5).
    verification_code = models.CharField(_("mã tra cứu"), max_length=16, unique=True, null=True, blank=True)
    published_at = models.DateTimeField(_("công bố lúc"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    scope_unit_field = "issuing_unit"

    class Meta:
        ordering = ["-issued_on", "-id"]
        verbose_name = _("quyết định khen thưởng")
        verbose_name_plural = _("quyết định khen thưởng")
        constraints = [
            # Domain rule 13: a number is unique per issuing body, year and symbol, and never reused.
            models.UniqueConstraint(
                fields=["issuing_unit", "year", "symbol", "number"],
                condition=Q(number__isnull=False),
                name="decision_number_unique_per_body_year_symbol",
            ),
        ]

    def __str__(self) -> str:
        if self.number:
            return f"{self.number}/{self.symbol}"
        return str(_("Dự thảo quyết định #%(pk)s") % {"pk": self.pk})

    @transition(
        field=state,
        source=DecisionState.DRAFT,
        target=DecisionState.SIGNED,
        conditions=[has_number_and_date, has_awards],
        custom={"label": _("Ký quyết định")},
    )
    def sign(self, *, at, head_hash: str, code: str) -> None:
        self.signed_at = at
        self.audit_head_hash = head_hash
        self.verification_code = code

    @transition(
        field=state,
        source=DecisionState.SIGNED,
        target=DecisionState.PUBLISHED,
        conditions=[has_signed_scan],
        custom={"label": _("Công bố quyết định")},
    )
    def publish(self, *, at) -> None:
        self.published_at = at


def signed_pdf_upload_to(scan, filename: str) -> str:
    return f"decisions/{scan.decision_id}/signed-{scan.sha256[:16]}.pdf"


class SignedDecisionScan(models.Model):
    """The signed decision as a PDF (the scan or the digitally signed file), uploaded back after signing: frozen
    (a row is never changed; a replacement is a new row with its reason) and hashed into the audit trail. The
    current one is the latest; see ``nominations.services.decisions.upload_signed_pdf``."""

    decision = models.ForeignKey("AwardDecision", on_delete=models.PROTECT, related_name="signed_scans")
    file = models.FileField(_("tệp PDF đã ký"), upload_to=signed_pdf_upload_to, max_length=300)
    name = models.CharField(_("tên tệp"), max_length=255)
    size = models.PositiveIntegerField(_("dung lượng (byte)"))
    sha256 = models.CharField(_("mã băm SHA-256"), max_length=64)
    reason = models.TextField(_("lý do thay thế"), blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("tải lên lúc"))

    class Meta:
        ordering = ["decision", "-uploaded_at", "-id"]
        verbose_name = _("bản quyết định đã ký (PDF)")
        verbose_name_plural = _("bản quyết định đã ký (PDF)")

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("a signed decision's PDF is frozen: upload a replacement instead")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("a signed decision's PDF is frozen: it is never deleted")


@condition(_("Quyết định chưa được ký."))
def decision_is_signed(award) -> bool:
    return award.decision.state in ISSUED_DECISION_STATES


class Award(ConcurrentTransitionMixin, models.Model):
    """One line of the annexed list: an awardee and the money computed for them, with its certificate code and
    the state of its payment from the emulation fund (issue 7 item 4: due → paid → to recover → recovered)."""

    decision = models.ForeignKey(AwardDecision, on_delete=models.CASCADE, related_name="awards")
    nominee = models.OneToOneField(Nominee, on_delete=models.PROTECT, related_name="award")
    subject_kind = models.CharField(_("đối tượng"), max_length=20, choices=SubjectKind.choices)
    name = models.CharField(_("họ tên / tên tập thể"), max_length=255)
    title_and_unit = models.CharField(_("chức vụ, đơn vị"), max_length=500, blank=True)
    coefficient = models.DecimalField(_("hệ số"), max_digits=6, decimal_places=3, null=True, blank=True)
    base_salary = models.PositiveIntegerField(_("mức lương cơ sở"), null=True, blank=True)
    amount = models.PositiveIntegerField(_("tiền thưởng (đồng)"), default=0)
    order = models.PositiveIntegerField(_("thứ tự"), default=0)
    # Printed on the certificate with its QR code; set when the decision is signed.
    certificate_code = models.CharField(_("mã giấy chứng nhận"), max_length=16, unique=True, null=True, blank=True)
    payment_state = FSMField(
        _("chi trả"), max_length=20, choices=PaymentState.choices, default=PaymentState.DUE, protected=True
    )
    paid_on = models.DateField(_("ngày chi"), null=True, blank=True)
    payment_reference = models.CharField(_("chứng từ chi"), max_length=100, blank=True)
    recovered_on = models.DateField(_("ngày thu hồi tiền"), null=True, blank=True)
    recovery_reference = models.CharField(_("chứng từ thu hồi"), max_length=100, blank=True)

    scope_unit_field = "decision__issuing_unit"

    class Meta:
        ordering = ["decision", "subject_kind", "order"]
        verbose_name = _("người, tập thể được khen thưởng")
        verbose_name_plural = _("danh sách khen thưởng")

    def __str__(self) -> str:
        return self.name

    @transition(
        field=payment_state,
        source=PaymentState.DUE,
        target=PaymentState.PAID,
        conditions=[decision_is_signed],
        custom={"label": _("Ghi nhận đã chi tiền thưởng")},
    )
    def pay(self, *, paid_on, reference: str = "") -> None:
        self.paid_on = paid_on
        self.payment_reference = reference

    @transition(
        field=payment_state,
        source=PaymentState.PAID,
        target=PaymentState.TO_RECOVER,
        custom={"label": _("Chuyển sang phải thu hồi tiền thưởng")},
    )
    def claim_back(self) -> None:
        pass

    @transition(
        field=payment_state,
        source=PaymentState.DUE,
        target=PaymentState.CANCELLED,
        custom={"label": _("Hủy khoản chi chưa thực hiện")},
    )
    def cancel_payment(self) -> None:
        pass

    @transition(
        field=payment_state,
        source=PaymentState.TO_RECOVER,
        target=PaymentState.RECOVERED,
        custom={"label": _("Ghi nhận đã thu hồi tiền thưởng")},
    )
    def recover(self, *, recovered_on, reference: str = "") -> None:
        self.recovered_on = recovered_on
        self.recovery_reference = reference


# --- Award history and holds (domain rules 3, 4 and 5): see nominations/services/history.py ----------------------


class AwardRecord(models.Model):
    """One award already given, in the register of awards (sổ theo dõi khen thưởng): imported from the board's
    records, or entered once when a decision of the product is signed. Past awards feed the checks of domain rule
    3 (one achievement, one award) through the same canonical key as nominees; thematic awards do not count toward
    merit-award eligibility (rule 4)."""

    subject_kind = models.CharField(_("đối tượng"), max_length=20, choices=SubjectKind.choices)
    name = models.CharField(_("họ tên / tên tập thể"), max_length=255)
    birth_date = models.DateField(_("ngày sinh"), null=True, blank=True)
    id_number = models.CharField(_("số định danh"), max_length=20, blank=True)
    work_unit = models.CharField(_("đơn vị công tác"), max_length=255, blank=True)
    collective_unit = models.ForeignKey(
        Unit,
        verbose_name=_("đơn vị (tập thể)"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="award_records",
    )
    canonical_key = models.CharField(max_length=300, editable=False)
    award_type_code = models.CharField(_("mã hình thức khen thưởng"), max_length=50)
    award_name = models.CharField(_("hình thức khen thưởng"), max_length=255)
    is_thematic = models.BooleanField(_("khen thưởng theo chuyên đề"), default=False)
    decision_number = models.CharField(_("số quyết định"), max_length=50)
    decision_symbol = models.CharField(_("ký hiệu quyết định"), max_length=50, blank=True)
    decision_date = models.DateField(_("ngày quyết định"), null=True, blank=True)
    issuing_authority = models.CharField(_("cấp quyết định"), max_length=255, blank=True)
    year = models.PositiveSmallIntegerField(_("năm"))
    campaign = models.ForeignKey(
        Campaign,
        verbose_name=_("phong trào"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="award_records",
    )
    source = models.CharField(_("nguồn"), max_length=20, choices=AwardSource.choices)
    award = models.OneToOneField(
        "Award",
        verbose_name=_("dòng của quyết định"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="record",
    )
    # Set when the award is revoked (Law 06/2022 Art. 93): it no longer counts for anything.
    revoked_on = models.DateField(_("ngày thu hồi"), null=True, blank=True)
    revocation_reference = models.CharField(_("quyết định thu hồi"), max_length=80, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-year", "name", "id"]
        indexes = [models.Index(fields=["canonical_key"], name="award_record_canonical_key")]
        verbose_name = _("khen thưởng đã có")
        verbose_name_plural = _("sổ theo dõi khen thưởng")

    def __str__(self) -> str:
        return f"{self.name}: {self.award_name} ({self.decision_reference})"

    @property
    def decision_reference(self) -> str:
        """The decision as it is cited: "12/QĐ-UBND"."""
        return f"{self.decision_number}/{self.decision_symbol}" if self.decision_symbol else self.decision_number


class NomineeHoldQuerySet(models.QuerySet):
    def active(self, on=None):
        """Holds in force on ``on`` (default today): not lifted, and open-ended or not yet expired."""
        from django.utils import timezone

        day = on or timezone.localdate()
        return self.filter(Q(until__isnull=True) | Q(until__gte=day), lifted_at__isnull=True)


class NomineeHold(models.Model):
    """A person or collective held, not awarded, while under discipline, inspection or an open complaint
    (domain rule 5, NĐ 152/2025 Art. 4). Matched to nominees by the same canonical key."""

    kind = models.CharField(_("loại"), max_length=20, choices=NomineeKind.choices)
    name = models.CharField(_("họ tên / tên tập thể"), max_length=255)
    birth_date = models.DateField(_("ngày sinh"), null=True, blank=True)
    id_number = models.CharField(_("số định danh"), max_length=20, blank=True)
    work_unit = models.CharField(_("đơn vị công tác"), max_length=255, blank=True)
    canonical_key = models.CharField(max_length=300, db_index=True, editable=False)
    reason = models.CharField(_("lý do"), max_length=20, choices=HoldReason.choices)
    note = models.TextField(_("ghi chú, văn bản căn cứ"), blank=True)
    since = models.DateField(_("từ ngày"))
    until = models.DateField(_("đến ngày"), null=True, blank=True, help_text=_("Để trống: đến khi gỡ."))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    lifted_at = models.DateTimeField(_("gỡ lúc"), null=True, blank=True)
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    lift_reason = models.TextField(_("lý do gỡ"), blank=True)

    objects = NomineeHoldQuerySet.as_manager()

    class Meta:
        ordering = ["-since", "-id"]
        verbose_name = _("tạm dừng xét khen thưởng")
        verbose_name_plural = _("tạm dừng xét khen thưởng")

    def __str__(self) -> str:
        return f"{self.name}: {self.get_reason_display()}"

    def is_active(self, on=None) -> bool:
        from django.utils import timezone

        day = on or timezone.localdate()
        return self.lifted_at is None and (self.until is None or self.until >= day)


# --- Composition, returns and versions (domain rule 7, Law 06/2022 Art. 84): see nominations/services/composition.py


def dossier_document_upload_to(document, filename: str) -> str:
    return f"dossiers/{document.dossier.campaign_id}/{document.dossier_id}/{filename}"


class DossierDocument(models.Model):
    """One file of a dossier's composition: a required document of its award form (``code`` is the rule set's
    ``RequiredDocument.code``), for the whole dossier or for one nominee. A replaced file is kept, superseded, so
    that every version of the dossier still names the files it held."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="documents")
    code = models.CharField(_("thành phần hồ sơ"), max_length=50)
    nominee = models.ForeignKey(
        Nominee,
        verbose_name=_("người, tập thể"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="documents",
    )
    file = models.FileField(_("tệp"), upload_to=dossier_document_upload_to, max_length=300)
    name = models.CharField(_("tên tệp"), max_length=255)
    kind = models.CharField(_("định dạng"), max_length=10)
    size = models.PositiveIntegerField(_("dung lượng (byte)"))
    sha256 = models.CharField(_("mã băm SHA-256"), max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("tải lên lúc"))
    superseded_at = models.DateTimeField(_("thay thế lúc"), null=True, blank=True)

    scope_unit_field = "dossier__unit"

    class Meta:
        ordering = ["dossier", "code", "nominee", "-uploaded_at", "-id"]
        indexes = [models.Index(fields=["dossier", "superseded_at"], name="dossier_document_current")]
        verbose_name = _("tài liệu của hồ sơ")
        verbose_name_plural = _("tài liệu của hồ sơ")

    def __str__(self) -> str:
        return self.name


class DossierReturn(models.Model):
    """A return for supplementation (trả lại để bổ sung), at receipt or during appraisal, with a reason per item
    (a document, a nominee's document, a nominee). Resolved by the unit's next submission."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="returns")
    number = models.PositiveSmallIntegerField(_("lần trả lại"))
    from_state = models.CharField(_("trả lại khi"), max_length=20, choices=DossierState.choices)
    reason = models.TextField(_("ý kiến chung"), blank=True)
    # [{"target": "document:<code>" | "document:<code>:<nominee pk>" | "nominee:<pk>", "label": …, "reason": …}]
    items = models.JSONField(_("nội dung cần bổ sung"), default=list)
    returned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    returned_at = models.DateTimeField(_("trả lại lúc"))
    resolved_by_version = models.ForeignKey(
        "DossierVersion",
        verbose_name=_("đã bổ sung ở lần gửi"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="resolves",
    )

    class Meta:
        ordering = ["dossier", "number"]
        unique_together = [("dossier", "number")]
        verbose_name = _("lần trả lại hồ sơ")
        verbose_name_plural = _("các lần trả lại hồ sơ")

    def __str__(self) -> str:
        return str(_("Trả lại lần %(n)s") % {"n": self.number})


class DossierVersion(models.Model):
    """What the unit sent at one submission: the nominees and the files (names and SHA-256 digests), and what
    changed since the previous submission. Personal data is kept as a digest, never as a value (domain rule 16)."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveSmallIntegerField(_("lần gửi"))
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    submitted_at = models.DateTimeField(_("gửi lúc"))
    snapshot = models.JSONField(_("nội dung hồ sơ"), default=dict)
    changes = models.JSONField(_("thay đổi so với lần gửi trước"), default=list)

    class Meta:
        ordering = ["dossier", "number"]
        unique_together = [("dossier", "number")]
        verbose_name = _("phiên bản hồ sơ")
        verbose_name_plural = _("các phiên bản hồ sơ")

    def __str__(self) -> str:
        return str(_("Lần gửi %(n)s") % {"n": self.number})


class NominationQuota(models.Model):
    """The campaign's quotas and priorities for one award form (domain rule 11), set by the board from the
    campaign's own document (e.g. "Bằng khen to at most 10 % of collectives"). Empty fields do not limit."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="nomination_quotas")
    award_type_code = models.CharField(_("hình thức khen thưởng"), max_length=50)
    max_per_unit_individual = models.PositiveIntegerField(
        _("số cá nhân tối đa mỗi đơn vị được đề nghị"), null=True, blank=True
    )
    max_per_unit_collective = models.PositiveIntegerField(
        _("số tập thể tối đa mỗi đơn vị được đề nghị"), null=True, blank=True
    )
    max_campaign_individual = models.PositiveIntegerField(
        _("số cá nhân tối đa toàn phong trào"), null=True, blank=True
    )
    max_campaign_collective_percent = models.DecimalField(
        _("tỷ lệ tập thể tối đa toàn phong trào (phần trăm số đơn vị tham gia)"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
    )
    min_direct_worker_share = models.DecimalField(
        _("tỷ lệ tối thiểu cá nhân trực tiếp lao động, công tác (%)"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("Trong số cá nhân được đề nghị của mỗi đơn vị và của toàn phong trào."),
    )
    required_classes = models.JSONField(
        _("xếp loại thi đua bắt buộc"),
        default=list,
        blank=True,
        help_text=_("Mã các mức xếp loại được đề nghị; để trống nếu không yêu cầu."),
    )
    basis = models.CharField(
        _("văn bản quy định"), max_length=255, blank=True, help_text=_("Ví dụ: Kế hoạch phát động, mục IV.")
    )

    class Meta:
        unique_together = [("campaign", "award_type_code")]
        verbose_name = _("chỉ tiêu khen thưởng của phong trào")
        verbose_name_plural = _("chỉ tiêu khen thưởng của phong trào")

    def __str__(self) -> str:
        return f"{self.campaign} · {self.award_type_code}"


# --- The council (Hội đồng Thi đua - Khen thưởng) and its secret ballot (domain rule 8): services/council.py -----


@condition(_("Phiên họp chưa có thành viên Hội đồng."))
def session_has_members(session) -> bool:
    return session.members.exists()


@condition(_("Phiên họp chưa có hồ sơ nào để xét."))
def session_has_dossiers(session) -> bool:
    return session.dossiers.exists()


class CouncilSession(ConcurrentTransitionMixin, models.Model):
    """One meeting of the council of a deciding unit (the province's Hội đồng Thi đua - Khen thưởng, or a commune's
    or department's own) that reviews appraised dossiers of one campaign and award form by secret ballot.

    The ballot is secret: a member's ``has_voted`` is recorded (and audited), never what they chose; the choices go
    straight into per-nominee counters (``BallotTally``) that hold no voter, no time and no per-ballot row."""

    deciding_unit = models.ForeignKey(
        Unit, verbose_name=_("Hội đồng của"), on_delete=models.PROTECT, related_name="council_sessions"
    )
    campaign = models.ForeignKey(
        Campaign, verbose_name=_("phong trào"), on_delete=models.PROTECT, related_name="council_sessions"
    )
    award_type_code = models.CharField(_("hình thức khen thưởng"), max_length=50)
    rule_set = models.ForeignKey(
        RuleSet, verbose_name=_("bộ quy định"), on_delete=models.PROTECT, related_name="council_sessions"
    )
    title = models.CharField(_("tên phiên họp"), max_length=300)
    held_on = models.DateField(_("ngày họp"))
    place = models.CharField(_("địa điểm"), max_length=255, blank=True)
    standing_only = models.BooleanField(
        _("chỉ Thường trực Hội đồng xét"),
        default=False,
        help_text=_("Một số tỉnh để Thường trực Hội đồng xét Bằng khen của Chủ tịch UBND tỉnh."),
    )
    state = FSMField(
        _("trạng thái"),
        max_length=20,
        choices=CouncilSessionState.choices,
        default=CouncilSessionState.DRAFT,
        protected=True,
    )
    conclusion = models.TextField(_("kết luận của phiên họp"), blank=True)
    opened_at = models.DateTimeField(_("mở bỏ phiếu lúc"), null=True, blank=True)
    closed_at = models.DateTimeField(_("kết thúc lúc"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    scope_unit_field = "deciding_unit"

    class Meta:
        ordering = ["-held_on", "-id"]
        verbose_name = _("phiên họp Hội đồng Thi đua - Khen thưởng")
        verbose_name_plural = _("phiên họp Hội đồng Thi đua - Khen thưởng")

    def __str__(self) -> str:
        return self.title

    @transition(
        field=state,
        source=CouncilSessionState.DRAFT,
        target=CouncilSessionState.VOTING,
        conditions=[session_has_members, session_has_dossiers],
        custom={"label": _("Mở bỏ phiếu")},
    )
    def open_voting(self, *, at) -> None:
        self.opened_at = at

    @transition(
        field=state,
        source=CouncilSessionState.VOTING,
        target=CouncilSessionState.CLOSED,
        custom={"label": _("Kết thúc bỏ phiếu, công bố kết quả")},
    )
    def close(self, *, at) -> None:
        self.closed_at = at


class CouncilMember(models.Model):
    """A member of the council at one session: present, absent with a written vote, or absent; whether they have
    voted (never how)."""

    session = models.ForeignKey(CouncilSession, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("thành viên"), on_delete=models.PROTECT, related_name="+"
    )
    title = models.CharField(_("chức danh trong Hội đồng"), max_length=255, blank=True)
    is_chair = models.BooleanField(_("chủ trì"), default=False)
    attendance = models.CharField(_("tham dự"), max_length=20, choices=Attendance.choices, default=Attendance.PRESENT)
    has_voted = models.BooleanField(_("đã bỏ phiếu"), default=False)

    class Meta:
        ordering = ["session", "-is_chair", "id"]
        unique_together = [("session", "user")]
        verbose_name = _("thành viên dự họp")
        verbose_name_plural = _("thành viên dự họp")

    def __str__(self) -> str:
        return str(self.user)


class BallotTally(models.Model):
    """The counts of one nominee's ballots at one session. Nothing here names a voter, a time or an order: each
    ballot only increments these counters, inside the transaction that marks its member as having voted."""

    session = models.ForeignKey(CouncilSession, on_delete=models.CASCADE, related_name="tallies")
    nominee = models.ForeignKey(Nominee, on_delete=models.CASCADE, related_name="tallies")
    yes = models.PositiveIntegerField(_("đồng ý"), default=0)
    no = models.PositiveIntegerField(_("không đồng ý"), default=0)
    abstain = models.PositiveIntegerField(_("không biểu quyết"), default=0)

    class Meta:
        unique_together = [("session", "nominee")]
        verbose_name = _("kết quả kiểm phiếu")
        verbose_name_plural = _("kết quả kiểm phiếu")

    def __str__(self) -> str:
        return f"{self.nominee}: {self.yes}/{self.no}/{self.abstain}"


# --- The board's bulk actions on a filtered list of dossiers (issue 6): see nominations/services/board.py ---------


class BulkJob(models.Model):
    """One bulk action (receive, assign) over every dossier of a filter, run in the background: the filter and
    the options as they were confirmed, the progress, and what became of each dossier that was not done."""

    class Action(models.TextChoices):
        RECEIVE = "receive", _("Tiếp nhận hồ sơ")
        ASSIGN = "assign", _("Phân công cán bộ thụ lý")

    class State(models.TextChoices):
        QUEUED = "queued", _("Đang chờ xử lý")
        RUNNING = "running", _("Đang thực hiện")
        DONE = "done", _("Đã xong")
        FAILED = "failed", _("Bị lỗi")

    action = models.CharField(_("thao tác"), max_length=20, choices=Action.choices)
    filters = models.JSONField(_("bộ lọc"), default=dict, blank=True)
    options = models.JSONField(_("tuỳ chọn"), default=dict, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người thực hiện"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    state = models.CharField(_("trạng thái"), max_length=20, choices=State.choices, default=State.QUEUED)
    total = models.PositiveIntegerField(_("số hồ sơ"), default=0)
    processed = models.PositiveIntegerField(_("số hồ sơ đã xử lý"), default=0)
    succeeded = models.PositiveIntegerField(_("số hồ sơ đã thực hiện"), default=0)
    unchanged = models.PositiveIntegerField(_("số hồ sơ không cần thay đổi"), default=0)
    refused_count = models.PositiveIntegerField(_("số hồ sơ không thực hiện"), default=0)
    # [[dossier pk, title, reason], …], the first THIDUA_BULK_REFUSALS_KEPT of them.
    refusals = models.JSONField(_("hồ sơ không thực hiện và lý do"), default=list, blank=True)
    message = models.TextField(_("kết quả"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # When its background task was last queued, and how many times (workflows/jobs.py resumes lost tasks).
    queued_at = models.DateTimeField(null=True, blank=True)
    deliveries = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("thao tác hàng loạt trên hồ sơ")
        verbose_name_plural = _("thao tác hàng loạt trên hồ sơ")

    def __str__(self) -> str:
        return f"{self.get_action_display()} #{self.pk}"

    @property
    def percent_done(self) -> int:
        if not self.total:
            return 0
        return min(100, self.processed * 100 // self.total)

    @property
    def running(self) -> bool:
        return self.state in (self.State.QUEUED, self.State.RUNNING)


# --- The work queue of a dossier (viewflow): see nominations/flows.py and workflows/flowsync.py ----------------
from viewflow.workflow.models import Process  # noqa: E402  (kept with the model it serves, at the end of the file)


class DossierProcess(Process):
    """viewflow's process of one dossier: who must act next. The dossier's own state stays the business truth;
    the door keeps the two in step (workflows.flowsync) and ``verify_audit`` checks they agree."""

    dossier = models.ForeignKey(Dossier, verbose_name=_("hồ sơ"), on_delete=models.PROTECT, related_name="processes")

    class Meta:
        verbose_name = _("quy trình xử lý hồ sơ")
        verbose_name_plural = _("quy trình xử lý hồ sơ")

    def __str__(self) -> str:
        return str(_("Quy trình xử lý “%(dossier)s”") % {"dossier": self.dossier})


# --- The emulation fund and revocation (issue 7 items 4 and 6): see nominations/services/payments.py and
# nominations/services/revocations.py --------------------------------------------------------------------------


class FundEntry(models.Model):
    """A movement of a body's emulation fund (quỹ thi đua, khen thưởng) other than award payouts and recoveries,
    which come from the awards themselves. The balance of a year is computed, never stored."""

    unit = models.ForeignKey(Unit, verbose_name=_("đơn vị quản lý quỹ"), on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("năm"))
    kind = models.CharField(_("loại"), max_length=20, choices=FundEntryKind.choices)
    amount = models.PositiveBigIntegerField(_("số tiền (đồng)"))
    entered_on = models.DateField(_("ngày"))
    reference = models.CharField(_("chứng từ"), max_length=100, blank=True)
    note = models.CharField(_("nội dung"), max_length=255, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    scope_unit_field = "unit"

    class Meta:
        ordering = ["unit", "-year", "-entered_on", "-id"]
        verbose_name = _("khoản thu, chi của quỹ thi đua, khen thưởng")
        verbose_name_plural = _("quỹ thi đua, khen thưởng")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.amount:,} ({self.year})"


@condition(_("Chưa có số, ký hiệu và ngày ký của quyết định thu hồi."))
def revocation_has_number(revocation) -> bool:
    return bool(revocation.number and revocation.symbol and revocation.issued_on)


@condition(_("Tiền thưởng đã chi chưa được thu hồi."))
def money_settled(revocation) -> bool:
    return revocation.award.payment_state not in (PaymentState.PAID, PaymentState.TO_RECOVER)


class Revocation(ConcurrentTransitionMixin, models.Model):
    """The revocation of one award (Law 06/2022/QH15 Art. 93): proposed with its grounds → decided by a numbered
    revocation decision of the awarding authority → the certificate and the money recovered. A proposal may be
    withdrawn before the decision."""

    award = models.ForeignKey(
        Award, verbose_name=_("khen thưởng"), on_delete=models.PROTECT, related_name="revocations"
    )
    ground = models.CharField(_("căn cứ thu hồi"), max_length=20, choices=RevocationGround.choices)
    detail = models.TextField(_("nội dung vi phạm"))
    state = FSMField(
        _("trạng thái"),
        max_length=20,
        choices=RevocationState.choices,
        default=RevocationState.PROPOSED,
        protected=True,
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    proposed_at = models.DateTimeField(_("đề nghị lúc"))
    # The revocation decision, from the awarding authority's register (shared with its award decisions).
    issuing_unit = models.ForeignKey(
        Unit, verbose_name=_("cơ quan ban hành"), on_delete=models.PROTECT, related_name="revocations"
    )
    number = models.PositiveIntegerField(_("số"), null=True, blank=True)
    year = models.PositiveSmallIntegerField(_("năm"), null=True, blank=True)
    symbol = models.CharField(_("ký hiệu"), max_length=50, blank=True)
    issued_on = models.DateField(_("ngày ký"), null=True, blank=True)
    signer_name = models.CharField(_("người ký"), max_length=150, blank=True)
    decided_at = models.DateTimeField(_("quyết định lúc"), null=True, blank=True)
    recovered_at = models.DateTimeField(_("thu hồi xong lúc"), null=True, blank=True)
    certificate_returned = models.BooleanField(_("đã thu hồi bằng, giấy chứng nhận"), default=False)
    withdrawal_reason = models.TextField(_("lý do rút đề nghị"), blank=True)

    scope_unit_field = "issuing_unit"

    class Meta:
        ordering = ["-proposed_at", "-id"]
        verbose_name = _("thu hồi khen thưởng")
        verbose_name_plural = _("thu hồi khen thưởng")
        constraints = [
            # One open revocation per award: a second proposal waits for the first to end.
            models.UniqueConstraint(
                fields=["award"],
                condition=Q(state__in=["proposed", "decided", "recovered"]),
                name="one_live_revocation_per_award",
            ),
            models.UniqueConstraint(
                fields=["issuing_unit", "year", "symbol", "number"],
                condition=Q(number__isnull=False),
                name="revocation_number_unique_per_body_year_symbol",
            ),
        ]

    def __str__(self) -> str:
        return str(_("Thu hồi khen thưởng của %(name)s") % {"name": self.award.name})

    @property
    def decision_reference(self) -> str:
        return f"{self.number}/{self.symbol}" if self.number else ""

    @transition(
        field=state,
        source=RevocationState.PROPOSED,
        target=RevocationState.DECIDED,
        conditions=[revocation_has_number],
        custom={"label": _("Ký quyết định thu hồi")},
    )
    def decide(self, *, at) -> None:
        self.decided_at = at

    @transition(
        field=state,
        source=RevocationState.DECIDED,
        target=RevocationState.RECOVERED,
        conditions=[money_settled],
        custom={"label": _("Hoàn tất thu hồi")},
    )
    def complete(self, *, at, certificate_returned: bool) -> None:
        self.recovered_at = at
        self.certificate_returned = certificate_returned

    @transition(
        field=state,
        source=RevocationState.PROPOSED,
        target=RevocationState.WITHDRAWN,
        custom={"label": _("Rút đề nghị thu hồi")},
    )
    def withdraw(self, *, reason: str) -> None:
        self.withdrawal_reason = reason


class AwardReviewFlag(models.Model):
    """A later award whose eligibility may have counted an award since revoked: the board reviews it and records
    what it found (Law 06/2022 Art. 93; merit awards count toward later ones, thematic ones do not)."""

    record = models.ForeignKey(
        AwardRecord, verbose_name=_("khen thưởng cần xem xét"), on_delete=models.PROTECT, related_name="review_flags"
    )
    revocation = models.ForeignKey(Revocation, on_delete=models.PROTECT, related_name="flags")
    created_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(_("xem xét xong lúc"), null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    resolution = models.TextField(_("kết quả xem xét"), blank=True)

    class Meta:
        ordering = ["resolved_at", "-created_at", "-id"]
        unique_together = [("record", "revocation")]
        verbose_name = _("khen thưởng cần xem xét lại")
        verbose_name_plural = _("khen thưởng cần xem xét lại")

    def __str__(self) -> str:
        return str(self.record)


# --- The yearly statistics of awards for the Ministry of Home Affairs (issue 7 item 7): see
# nominations/services/statistics.py ------------------------------------------------------------------------------


def statistics_template_upload_to(template, filename: str) -> str:
    return f"statistics/templates/{template.sha256[:16]}.xlsx"


class StatisticsTemplate(models.Model):
    """An XLSX layout of the yearly statistics uploaded by the board, with placeholder cells
    (``{{ count bang_khen_tinh individual female }}`` …) filled for a year. At most one is active; without one the
    default layout built in code is used. Checked when uploaded (a valid XLSX, every placeholder understood); its file
    never changes afterwards; each upload and each change of the active template is audited."""

    name = models.CharField(_("tên mẫu"), max_length=255)
    file = models.FileField(_("tệp mẫu (XLSX)"), upload_to=statistics_template_upload_to, max_length=300)
    sha256 = models.CharField(_("mã băm SHA-256"), max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("tải lên lúc"))
    active = models.BooleanField(_("đang dùng"), default=False)

    class Meta:
        ordering = ["-uploaded_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["active"], condition=Q(active=True), name="one_active_statistics_template"
            ),
        ]
        verbose_name = _("mẫu thống kê khen thưởng")
        verbose_name_plural = _("mẫu thống kê khen thưởng")

    def __str__(self) -> str:
        return self.name
