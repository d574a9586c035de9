"""Policy as data (architecture principle 1): every legal number the engine starts with, with its source.

``manage.py seed_rules`` creates the rows below that do not exist yet (keyed by code or by start date) and never
touches a row that exists: from then on the administrator owns the values, edits them in the web app and confirms
them against the official text. ``unconfirmed`` lists the fields not confirmed from an official text (domain.md
marks them UNCERTAIN, or gives them only as an example); a decision computed from such a value cannot be signed.

Strings are Vietnamese legal text, kept as written in the documents (they are data, not interface strings).
"""

from datetime import date
from decimal import Decimal

# Dates of the law, NĐ 98/2023 and TT 01/2024 as cited by Thái Nguyên QĐ 987/QĐ-UBND (31/3/2025).
LAW = "Luật Thi đua, khen thưởng số 06/2022/QH15 ngày 15/6/2022"

# Fields of ``RuleSet`` that the seed could not take from an official text.
# - ``legal_basis``: the dates of issue of NĐ 152/2025 and TT 15/2025, which the "Căn cứ" part of a decision
#   cites, are not known here, nor the exact title of each text: the administrator completes and confirms them.
# - ``appraisal_working_days``: 20 working days is UNCERTAIN for every province (domain.md, step 10).
# - ``council_quorum``, ``council_attendance``: 2/3 and 80 % are examples in domain.md rule 8.

_COUNCIL_QUORUM = Decimal("0.6667")  # 2/3 of the members
_COUNCIL_ATTENDANCE = Decimal("0.8")
_APPRAISAL_WORKING_DAYS = 20
_MONEY_ROUNDING = 10_000  # NĐ 152/2025 Art. 49: rounded up to 10,000 VND

# Vote thresholds (domain rule 8), a share of ``vote_base``. A simple majority is "more than half".
_MAJORITY = Decimal("0.5001")
_EMULATION_FLAG_THRESHOLD = Decimal("0.8")  # NĐ 98/2023 Art. 30(7) for Cờ thi đua


def _documents(*, with_certification: bool, unconfirmed_all: bool) -> list[dict]:
    """Law 06/2022/QH15 Art. 84: the dossier of a nomination."""
    docs = [
        {
            "code": "to_trinh",
            "name": "Tờ trình đề nghị khen thưởng kèm theo danh sách người, tập thể được đề nghị",
            "per_nominee": False,
            "order": 1,
            "unconfirmed": [],
        },
        {
            "code": "bao_cao_thanh_tich",
            "name": "Báo cáo thành tích theo mẫu của nghị định (mỗi cá nhân, tập thể một bản)",
            "per_nominee": True,
            "order": 2,
            "unconfirmed": [],
        },
        {
            "code": "bien_ban_hoi_dong",
            "name": "Biên bản họp xét của Hội đồng Thi đua - Khen thưởng đơn vị đề nghị",
            "per_nominee": False,
            "order": 3,
            "unconfirmed": [],
        },
    ]
    if with_certification:
        docs.append(
            {
                "code": "van_ban_xac_nhan",
                "name": "Văn bản xác nhận của cơ quan có thẩm quyền (đối với hình thức, đối tượng phải có xác nhận)",
                "per_nominee": False,
                # Only where the award form or the subject requires it: listed, never blocking submission.
                "mandatory": False,
                "order": 4,
                # Which nominees need a certification is not settled here: confirm against the decree.
                "unconfirmed": ["name"],
            }
        )
    if unconfirmed_all:
        for doc in docs:
            doc["unconfirmed"] = ["name"]
    return docs


_ND152_MONEY = "Luật Thi đua, khen thưởng 2022; Nghị định 152/2025/NĐ-CP, Điều 49-54 (tiền thưởng)"
_COEFFICIENTS = ("coefficient_individual", "coefficient_collective", "coefficient_household")

RULE_SETS: list[dict] = [
    {
        "code": "nd98-2023",
        "name": "NĐ 98/2023/NĐ-CP và TT 01/2024/TT-BNV",
        "legal_basis": "\n".join(
            [
                LAW,
                "Nghị định số 98/2023/NĐ-CP ngày 31/12/2023 của Chính phủ quy định chi tiết thi hành một số điều "
                "của Luật Thi đua, khen thưởng",
                "Thông tư số 01/2024/TT-BNV ngày 24/02/2024 của Bộ trưởng Bộ Nội vụ quy định biện pháp thi hành "
                "Luật Thi đua, khen thưởng và Nghị định số 98/2023/NĐ-CP",
            ]
        ),
        # The decree is dated 31/12/2023; domain.md does not state its effective date: to confirm.
        "valid_from": date(2023, 12, 31),
        "valid_to": date(2025, 7, 1),  # repealed by NĐ 152/2025 from 01/7/2025 (exclusive end)
        "appraisal_working_days": _APPRAISAL_WORKING_DAYS,
        "council_quorum": _COUNCIL_QUORUM,
        "council_attendance": _COUNCIL_ATTENDANCE,
        # NĐ 152 Art. 49 rounds up to 10,000 VND; the rounding under NĐ 98 is not confirmed.
        "money_rounding": _MONEY_ROUNDING,
        "unconfirmed": [
            "valid_from",
            "legal_basis",
            "appraisal_working_days",
            "council_quorum",
            "council_attendance",
            "money_rounding",
        ],
        "award_types": [
            {
                "code": "bang_khen_tinh",
                "name": "Bằng khen của Chủ tịch Ủy ban nhân dân tỉnh",
                "authority": "provincial_chairman",
                "legal_reference": "Luật Thi đua, khen thưởng 2022; Nghị định 98/2023/NĐ-CP",
                "min_campaign_months": 0,
                "thematic_only": False,
                # Commonly cited, UNCERTAIN (domain rule 10); household coefficient unknown.
                "coefficient_individual": Decimal("1.0"),
                "coefficient_collective": Decimal("2.0"),
                "coefficient_household": None,
                "vote_threshold": _MAJORITY,
                "vote_base": "reviewing_members",
                "order": 1,
                "unconfirmed": [*_COEFFICIENTS, "vote_threshold", "vote_base"],
                "documents": _documents(with_certification=True, unconfirmed_all=True),
            },
            {
                "code": "giay_khen_so",
                "name": "Giấy khen của Giám đốc sở, Thủ trưởng ban, ngành tỉnh",
                "authority": "department_head",
                "legal_reference": "Luật Thi đua, khen thưởng 2022; Nghị định 98/2023/NĐ-CP",
                "min_campaign_months": 0,
                "thematic_only": False,
                "coefficient_individual": Decimal("0.3"),
                "coefficient_collective": Decimal("0.6"),
                "coefficient_household": None,
                "vote_threshold": _MAJORITY,
                "vote_base": "reviewing_members",
                "order": 2,
                "unconfirmed": [*_COEFFICIENTS, "vote_threshold", "vote_base"],
                "documents": _documents(with_certification=False, unconfirmed_all=True),
            },
            {
                "code": "giay_khen_xa",
                "name": "Giấy khen của Chủ tịch Ủy ban nhân dân xã, phường",
                "authority": "commune_chairman",
                "legal_reference": "Luật Thi đua, khen thưởng 2022; Nghị định 98/2023/NĐ-CP",
                "min_campaign_months": 0,
                "thematic_only": False,
                "coefficient_individual": Decimal("0.15"),
                "coefficient_collective": Decimal("0.3"),
                "coefficient_household": None,
                "vote_threshold": _MAJORITY,
                "vote_base": "reviewing_members",
                "order": 3,
                "unconfirmed": [*_COEFFICIENTS, "vote_threshold", "vote_base"],
                "documents": _documents(with_certification=False, unconfirmed_all=True),
            },
            {
                "code": "co_thi_dua_tinh",
                "name": "Cờ thi đua của Ủy ban nhân dân tỉnh (phong trào thi đua theo chuyên đề)",
                "authority": "provincial_chairman",
                "legal_reference": "Luật Thi đua, khen thưởng 2022; Nghị định 98/2023/NĐ-CP",
                # Domain rule 2: a thematic campaign of 3 years or more.
                "min_campaign_months": 36,
                "thematic_only": True,
                # domain.md gives no coefficient for the Cờ thi đua.
                "coefficient_individual": None,
                "coefficient_collective": None,
                "coefficient_household": None,
                "vote_threshold": _EMULATION_FLAG_THRESHOLD,
                "vote_base": "all_members",
                "order": 4,
                "unconfirmed": [*_COEFFICIENTS, "vote_threshold", "vote_base"],
                "documents": _documents(with_certification=True, unconfirmed_all=True),
            },
        ],
    },
    {
        "code": "nd152-2025",
        "name": "NĐ 152/2025/NĐ-CP và TT 15/2025/TT-BNV",
        "legal_basis": "\n".join(
            [
                LAW,
                "Nghị định số 152/2025/NĐ-CP của Chính phủ quy định chi tiết thi hành một số điều của "
                "Luật Thi đua, khen thưởng",
                "Thông tư số 15/2025/TT-BNV của Bộ trưởng Bộ Nội vụ",
            ]
        ),
        "valid_from": date(2025, 7, 1),
        "valid_to": None,
        "appraisal_working_days": _APPRAISAL_WORKING_DAYS,
        "council_quorum": _COUNCIL_QUORUM,
        "council_attendance": _COUNCIL_ATTENDANCE,
        "money_rounding": _MONEY_ROUNDING,
        "unconfirmed": ["legal_basis", "appraisal_working_days", "council_quorum", "council_attendance"],
        "award_types": [
            {
                "code": "bang_khen_tinh",
                "name": "Bằng khen của Chủ tịch Ủy ban nhân dân tỉnh",
                "authority": "provincial_chairman",
                "legal_reference": _ND152_MONEY,
                "min_campaign_months": 0,
                "thematic_only": False,
                "coefficient_individual": Decimal("1.5"),
                "coefficient_collective": Decimal("3.0"),
                "coefficient_household": Decimal("2.25"),
                # No decree text found sets the threshold for the Chairman's Bằng khen (domain rule 8).
                "vote_threshold": _MAJORITY,
                "vote_base": "reviewing_members",
                "order": 1,
                "unconfirmed": ["vote_threshold", "vote_base"],
                "documents": _documents(with_certification=True, unconfirmed_all=False),
            },
            {
                "code": "giay_khen_so",
                "name": "Giấy khen của Giám đốc sở, Thủ trưởng ban, ngành tỉnh",
                "authority": "department_head",
                "legal_reference": _ND152_MONEY,
                "min_campaign_months": 0,
                "thematic_only": False,
                "coefficient_individual": Decimal("0.3"),
                "coefficient_collective": Decimal("0.6"),
                "coefficient_household": Decimal("0.45"),
                "vote_threshold": _MAJORITY,
                "vote_base": "reviewing_members",
                "order": 2,
                "unconfirmed": ["vote_threshold", "vote_base"],
                "documents": _documents(with_certification=False, unconfirmed_all=False),
            },
            {
                "code": "giay_khen_xa",
                "name": "Giấy khen của Chủ tịch Ủy ban nhân dân xã, phường",
                "authority": "commune_chairman",
                "legal_reference": _ND152_MONEY,
                "min_campaign_months": 0,
                "thematic_only": False,
                "coefficient_individual": Decimal("0.3"),
                "coefficient_collective": Decimal("0.6"),
                "coefficient_household": Decimal("0.45"),
                "vote_threshold": _MAJORITY,
                "vote_base": "reviewing_members",
                "order": 3,
                "unconfirmed": ["vote_threshold", "vote_base"],
                "documents": _documents(with_certification=False, unconfirmed_all=False),
            },
            {
                "code": "co_thi_dua_tinh",
                "name": "Cờ thi đua của Ủy ban nhân dân tỉnh (phong trào thi đua theo chuyên đề)",
                "authority": "provincial_chairman",
                "legal_reference": "Luật Thi đua, khen thưởng 2022; Nghị định 152/2025/NĐ-CP",
                "min_campaign_months": 36,
                "thematic_only": True,
                "coefficient_individual": None,
                "coefficient_collective": None,
                "coefficient_household": None,
                # NĐ 152's own thresholds are an open question (domain.md): the NĐ 98 value, to confirm.
                "vote_threshold": _EMULATION_FLAG_THRESHOLD,
                "vote_base": "all_members",
                "order": 4,
                "unconfirmed": [*_COEFFICIENTS, "vote_threshold", "vote_base"],
                "documents": _documents(with_certification=True, unconfirmed_all=False),
            },
        ],
    },
]

# Mức lương cơ sở (domain rule 10). NĐ 161/2026 is seeded confirmed as domain.md asks; the board may correct it.
BASE_SALARIES: list[dict] = [
    {
        "amount": 1_800_000,
        "valid_from": date(2023, 7, 1),
        "legal_basis": "Nghị định số 24/2023/NĐ-CP",
        "unconfirmed": [],
    },
    {
        "amount": 2_340_000,
        "valid_from": date(2024, 7, 1),
        "legal_basis": "Nghị định số 73/2024/NĐ-CP",
        "unconfirmed": [],
    },
    {
        "amount": 2_530_000,
        "valid_from": date(2026, 7, 1),
        "legal_basis": "Nghị định số 161/2026/NĐ-CP",
        "unconfirmed": [],
    },
]
