from django.db import models
from django.utils.translation import gettext_lazy as _


class DossierState(models.TextChoices):
    DRAFT = "draft", _("Đang soạn")
    SUBMITTED = "submitted", _("Đã gửi")
    RETURNED = "returned", _("Trả lại để bổ sung")
    RECEIVED = "received", _("Đã tiếp nhận")
    APPRAISED = "appraised", _("Đã thẩm định")
    PROPOSED = "proposed", _("Đã qua Hội đồng, chờ quyết định")
    DECIDED = "decided", _("Đã có quyết định")


class NomineeKind(models.TextChoices):
    INDIVIDUAL = "individual", _("Cá nhân")
    COLLECTIVE = "collective", _("Tập thể")
    HOUSEHOLD = "household", _("Hộ gia đình")


class Gender(models.TextChoices):
    FEMALE = "female", _("Nữ")
    MALE = "male", _("Nam")


class AppraisalResult(models.TextChoices):
    PENDING = "", _("Chưa thẩm định")
    ACCEPTED = "accepted", _("Đề nghị khen thưởng")
    REJECTED = "rejected", _("Không đề nghị")


class DecisionState(models.TextChoices):
    DRAFT = "draft", _("Dự thảo")
    SIGNED = "signed", _("Đã ký")
    PUBLISHED = "published", _("Đã công bố")


# A decision in force: signed, whether published yet or not.
ISSUED_DECISION_STATES = (DecisionState.SIGNED, DecisionState.PUBLISHED)


class SignerAuthority(models.TextChoices):
    HEAD = "head", _("Người đứng đầu ký: CHỦ TỊCH, GIÁM ĐỐC")
    DEPUTY = "deputy", _("Cấp phó ký thay: KT. CHỦ TỊCH, PHÓ CHỦ TỊCH")


class AwardSource(models.TextChoices):
    IMPORTED = "imported", _("Nhập từ sổ theo dõi khen thưởng")
    DECISION = "decision", _("Quyết định ký trên phần mềm")


class HoldReason(models.TextChoices):
    """Why a person or collective is held, not awarded (domain rule 5, NĐ 152/2025 Art. 4)."""

    DISCIPLINE = "discipline", _("Đang bị xem xét thi hành kỷ luật")
    INSPECTION = "inspection", _("Đang bị điều tra, thanh tra, kiểm tra khi có dấu hiệu vi phạm")
    COMPLAINT = "complaint", _("Có đơn thư khiếu nại, tố cáo đang được xác minh, làm rõ")


class CouncilResult(models.TextChoices):
    """What the council concluded on one nominee (domain rule 8)."""

    PENDING = "", _("Chưa xét")
    APPROVED = "approved", _("Hội đồng đề nghị khen thưởng")
    NOT_APPROVED = "not_approved", _("Hội đồng không đề nghị")


class CouncilSessionState(models.TextChoices):
    DRAFT = "draft", _("Chuẩn bị phiên họp")
    VOTING = "voting", _("Đang bỏ phiếu")
    CLOSED = "closed", _("Đã kết thúc, có kết quả")


class Attendance(models.TextChoices):
    PRESENT = "present", _("Có mặt")
    WRITTEN = "written", _("Vắng, gửi phiếu bằng văn bản")
    ABSENT = "absent", _("Vắng")


class Vote(models.TextChoices):
    YES = "yes", _("Đồng ý")
    NO = "no", _("Không đồng ý")
    ABSTAIN = "abstain", _("Không biểu quyết")


class PaymentState(models.TextChoices):
    """The money of one award line, from the emulation fund (issue 7 item 4)."""

    DUE = "due", _("Chưa chi")
    PAID = "paid", _("Đã chi")
    TO_RECOVER = "to_recover", _("Phải thu hồi")
    RECOVERED = "recovered", _("Đã thu hồi")
    CANCELLED = "cancelled", _("Không chi (đã thu hồi khen thưởng)")


class FundEntryKind(models.TextChoices):
    """A movement of the emulation fund other than award payouts and recoveries (which come from the awards)."""

    ALLOCATION = "allocation", _("Trích lập quỹ từ ngân sách")
    CONTRIBUTION = "contribution", _("Đóng góp, tài trợ và thu khác")
    SPENDING = "spending", _("Chi khác của quỹ")


class RevocationGround(models.TextChoices):
    """Grounds for annulling an award decision (Law 06/2022/QH15 Art. 93)."""

    FRAUD = "fraud", _("Gian dối trong việc kê khai thành tích để được khen thưởng")
    FORGERY = "forgery", _("Làm giả hồ sơ, giấy tờ để được khen thưởng")
    UNLAWFUL = "unlawful", _("Xác nhận sai, thẩm định, đề nghị khen thưởng trái pháp luật")
    OTHER = "other", _("Căn cứ khác theo quy định của pháp luật")


class RevocationState(models.TextChoices):
    PROPOSED = "proposed", _("Đề nghị thu hồi")
    DECIDED = "decided", _("Đã có quyết định thu hồi")
    RECOVERED = "recovered", _("Đã thu hồi hiện vật và tiền thưởng")
    WITHDRAWN = "withdrawn", _("Đã rút đề nghị")
