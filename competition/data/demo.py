"""The shipped demo: Thái Nguyên's plan for the emulation campaign "Bình dân học AI" (QĐ 987/QĐ-UBND, 31/3/2025).

Texts are quoted from the decision (they are data, not interface strings). The deadlines inside the campaign are
not in the decision (domain.md, open questions): the values below are the demo's choice. ``seed_demo`` shifts every
date by the same number of days so that the campaign is in progress on the chosen day.
"""

from datetime import date

PROVINCE = {"code": "19", "name": "Tỉnh Thái Nguyên", "kind": "province"}

# Provincial bodies after the 2025 reorganisation (the departments that run and join the campaign).
DEPARTMENTS = [
    ("TN-VP", "Văn phòng Ủy ban nhân dân tỉnh", "department"),
    ("TN-SNV", "Sở Nội vụ", "department"),
    ("TN-STC", "Sở Tài chính", "department"),
    ("TN-STP", "Sở Tư pháp", "department"),
    ("TN-SCT", "Sở Công Thương", "department"),
    ("TN-SNNMT", "Sở Nông nghiệp và Môi trường", "department"),
    ("TN-SXD", "Sở Xây dựng", "department"),
    ("TN-SKHCN", "Sở Khoa học và Công nghệ", "department"),
    ("TN-SGDDT", "Sở Giáo dục và Đào tạo", "department"),
    ("TN-SYT", "Sở Y tế", "department"),
    ("TN-SVHTTDL", "Sở Văn hóa, Thể thao và Du lịch", "department"),
    ("TN-SDTTG", "Sở Dân tộc và Tôn giáo", "department"),
    ("TN-TTR", "Thanh tra tỉnh", "department"),
    ("TN-BQLKCN", "Ban Quản lý các khu công nghiệp tỉnh", "department"),
    ("TN-MTTQ", "Ủy ban Mặt trận Tổ quốc Việt Nam tỉnh", "organisation"),
    ("TN-DHTN", "Đại học Thái Nguyên", "organisation"),
    ("TN-HHDN", "Hiệp hội Doanh nghiệp tỉnh", "organisation"),
]

# Bodies within units (so that "a unit and its sub-units" has something to show).
BODIES = [
    ("TN-SNV-BTDKT", "Ban Thi đua - Khen thưởng", "TN-SNV"),
    ("TN-SNV-VP", "Văn phòng Sở Nội vụ", "TN-SNV"),
]

# A district-level unit abolished on 01/7/2025 (Nghị quyết 202/2025/QH15, 203/2025/QH15), kept with its successor
# so that legacy records map to a current unit: (code, name, dissolved on, successor code).
DISSOLVED = [
    ("TN-TPTN", "Ủy ban nhân dân thành phố Thái Nguyên (cấp huyện, trước 01/7/2025)", date(2025, 7, 1), "05443"),
]

# Demo clusters and blocs: how the province groups its units for ranking (the demo's own grouping).
BLOC_DEPARTMENTS = ("KHOI-SO", "Khối các sở, ban, ngành tỉnh")
CLUSTER_WARDS = ("CUM-PHUONG", "Cụm thi đua các phường")
COMMUNE_CLUSTERS = 4  # the communes are split into four clusters in order of their official code

CAMPAIGN = {
    "code": "binh-dan-hoc-ai",
    "name": "Phong trào thi đua “Bình dân học AI” tỉnh Thái Nguyên",
    "level": "provincial",
    "is_thematic": True,
    "issuing_body": "Ủy ban nhân dân tỉnh Thái Nguyên",
    "plan_number": "987/QĐ-UBND",
    "plan_date": date(2025, 3, 31),
    "plan_signer": "Nguyễn Huy Dũng",
    "plan_signer_title": "Chủ tịch",
    "plan_summary": "Ban hành Kế hoạch tổ chức thực hiện Phong trào thi đua “Bình dân học AI” tỉnh Thái Nguyên",
    "legal_basis": "\n".join(
        [
            "Luật Tổ chức chính quyền địa phương ngày 19/02/2025",
            "Luật Thi đua, khen thưởng ngày 15/6/2022",
            "Thông tư số 01/2024/TT-BNV ngày 24/02/2024 của Bộ trưởng Bộ Nội vụ quy định biện pháp thi hành Luật Thi "
            "đua, khen thưởng và Nghị định số 98/2023/NĐ-CP ngày 31/12/2023 của Chính phủ",
            "Nghị quyết số 01-NQ/TU ngày 31/12/2020 của Ban Chấp hành Đảng bộ tỉnh về Chương trình chuyển đổi số tỉnh "
            "Thái Nguyên giai đoạn 2021 - 2025, định hướng đến năm 2030",
            "Kế hoạch số 237/KH-UBND ngày 13/12/2024 của Ủy ban nhân dân tỉnh về việc triển khai chương trình "
            "“Bình dân học AI” giai đoạn 2024 - 2025 tại tỉnh Thái Nguyên",
            "Tờ trình số 90/TTr-SNV ngày 28/3/2025 của Giám đốc Sở Nội vụ",
        ]
    ),
    "objectives": (
        "Phát huy sức mạnh của cả hệ thống chính trị trong việc tuyên truyền, nâng cao nhận thức của mọi người dân "
        "về vai trò, ý nghĩa và sự cần thiết của công nghệ trí tuệ nhân tạo (AI) trong cuộc sống; hình thành văn hóa "
        "“AI xứ Trà” và tư duy “AI first” (ưu tiên AI).\n"
        "Nâng cao vai trò, trách nhiệm của các cấp, các ngành, đặc biệt vai trò của người đứng đầu trong việc chỉ "
        "đạo, triển khai Phong trào thi đua.\n"
        "Biểu dương, khen thưởng các tập thể, cá nhân có thành tích xuất sắc; kịp thời phát hiện, bồi dưỡng, nhân "
        "rộng các điển hình tiên tiến."
    ),
    "subjects": (
        "Tập thể: cơ quan, đơn vị, địa phương, doanh nghiệp, tổ chức hợp pháp trong và ngoài tỉnh Thái Nguyên.\n"
        "Cá nhân: cán bộ, công chức, viên chức, học sinh, sinh viên, công nhân, nông dân, người lao động, hội viên… "
        "thuộc cơ quan, đơn vị, địa phương, doanh nghiệp, tổ chức hợp pháp trong và ngoài tỉnh Thái Nguyên."
    ),
    "contents": (
        "a) Tuyên truyền, phổ biến, nâng cao nhận thức về vai trò, lợi ích của AI, chương trình “Bình dân học AI”.\n"
        "b) Xây dựng nội dung, chương trình, kế hoạch, các hình thức học AI phù hợp với từng nhóm đối tượng.\n"
        "c) Bồi dưỡng kiến thức, kỹ năng số; xây dựng đội ngũ chuyên gia về AI, giảng viên nguồn, cán bộ nòng cốt.\n"
        "d) Tích cực, chủ động tìm hiểu, học tập về AI, đẩy mạnh ứng dụng AI trong cuộc sống.\n"
        "đ) Ưu tiên và bảo đảm các nguồn lực để các cá nhân dễ dàng tiếp cận chương trình.\n"
        "e) Đề xuất, phát huy các sáng kiến, giải pháp hỗ trợ, đẩy mạnh việc thực hiện chương trình."
    ),
    "criteria_text": (
        "Đối với tập thể:\n"
        "1. Phát động, triển khai sâu rộng Phong trào thi đua đến các tập thể, cá nhân thuộc phạm vi quản lý.\n"
        "2. Đề xuất, tham mưu các nội dung trong chỉ đạo, triển khai, tổ chức thực hiện chương trình "
        "“Bình dân học AI”.\n"
        "3. Phối hợp tổ chức tập huấn, đào tạo chương trình “Bình dân học AI” cho các nhóm đối tượng thuộc quản lý "
        "bảo đảm tiến độ theo Kế hoạch số 237/KH-UBND.\n"
        "Đối với cá nhân:\n"
        "1. Có sáng kiến, đề xuất giải pháp trong chỉ đạo, tham mưu xây dựng, triển khai, tổ chức thực hiện "
        "chương trình và Phong trào thi đua.\n"
        "2. Tích cực tham gia đào tạo, tập huấn, phối hợp, giúp đỡ, tuyên truyền vận động thực hiện chương trình."
    ),
    "reward_text": (
        "Vào dịp tổng kết, Chủ tịch Ủy ban nhân dân cấp xã, thủ trưởng cơ quan, tổ chức, đơn vị khen thưởng theo "
        "thẩm quyền và trình cấp trên khen thưởng. Sở Nội vụ thẩm định hồ sơ, trình Chủ tịch Ủy ban nhân dân tỉnh "
        "khen thưởng tập thể, cá nhân có thành tích xuất sắc."
    ),
    "award_type_codes": ["bang_khen_tinh", "giay_khen_so", "giay_khen_xa"],
    "start_date": date(2025, 3, 31),
    "end_date": date(2025, 12, 31),
    # The demo's deadlines (not set by the decision).
    "plan_deadline": date(2025, 4, 30),
    "interim_review_date": date(2025, 7, 15),
    "self_scoring_deadline": date(2025, 12, 10),
    "nomination_deadline": date(2025, 12, 15),
    "summary_date": date(2025, 12, 26),
}

# Section II.3 of the plan: the targets by the end of 2025.
LOCALITIES = ["commune", "ward"]
INDICATORS = [
    {
        "code": "1",
        "name": "Huyện, thành phố (nay là xã, phường) ban hành kế hoạch, tổ chức phát động tham gia "
        "chương trình “Bình dân học AI”",
        "numerator_label": "Số địa phương đã ban hành kế hoạch",
        "denominator_label": "Tổng số địa phương",
        "target_percent": 100,
        "applies_to": LOCALITIES,
    },
    {
        "code": "2",
        "name": "Cơ quan, đơn vị thành lập nhóm cán bộ, công chức, viên chức nòng cốt lan tỏa chương trình",
        "numerator_label": "Số cơ quan, đơn vị đã thành lập nhóm nòng cốt",
        "denominator_label": "Tổng số cơ quan, đơn vị",
        "target_percent": 100,
    },
    {
        "code": "3",
        "name": "Cán bộ, công chức, viên chức được học và ứng dụng nền tảng AI hỗ trợ công việc",
        "numerator_label": "Số CBCCVC đã học và ứng dụng AI",
        "denominator_label": "Tổng số CBCCVC",
        "target_percent": 100,
    },
    {
        "code": "3.1",
        "name": "Trong đó: CBCCVC được cải thiện hiệu quả, năng suất, chất lượng thực hiện nhiệm vụ",
        "numerator_label": "Số CBCCVC cải thiện hiệu quả",
        "denominator_label": "Số CBCCVC đã học và ứng dụng AI",
        "target_percent": 50,
        "parent_code": "3",
    },
    {
        "code": "4",
        "name": "Chủ doanh nghiệp, hợp tác xã, hộ kinh doanh cá thể được học và ứng dụng nền tảng AI",
        "numerator_label": "Số chủ DN, HTX, hộ kinh doanh đã học",
        "denominator_label": "Tổng số chủ DN, HTX, hộ kinh doanh",
        "target_percent": 80,
    },
    {
        "code": "4.1",
        "name": "Trong đó: được cải thiện công tác quản trị, tổ chức sản xuất kinh doanh, phát triển sản phẩm",
        "numerator_label": "Số chủ DN, HTX, hộ kinh doanh cải thiện quản trị",
        "denominator_label": "Số chủ DN, HTX, hộ kinh doanh đã học",
        "target_percent": 50,
        "parent_code": "4",
    },
    {
        "code": "5",
        "name": "Người trong độ tuổi lao động tham gia các lớp đào tạo kỹ năng AI cơ bản online",
        "numerator_label": "Số người lao động đã tham gia",
        "denominator_label": "Số người trong độ tuổi lao động",
        "target_percent": 80,
    },
    {
        "code": "5.1",
        "name": "Trong đó: người lao động có khả năng sử dụng các kỹ năng AI cơ bản",
        "numerator_label": "Số người sử dụng được kỹ năng AI cơ bản",
        "denominator_label": "Số người lao động đã tham gia",
        "target_percent": 50,
        "parent_code": "5",
    },
    {
        "code": "6",
        "name": "Xã, phường có giảng viên cộng đồng, kết nối với mạng lưới giảng viên AI toàn quốc",
        "numerator_label": "Số xã, phường có giảng viên cộng đồng",
        "denominator_label": "Tổng số xã, phường",
        "target_percent": 100,
        "applies_to": LOCALITIES,
    },
]

# The campaign is shown this many days after its (shifted) launch, in its "December": the plan deadline is long
# past (most plans are in, a few late or missing), three quarters are reported (the last one partly), the interim
# review (106 days after the launch, as in the decision's calendar) is published, self-scoring has closed and the
# board is scoring, and the nomination deadline has just passed (dossiers at every step).
DAYS_IN_PROGRESS = 262

# Unit plans in the demo, by unit code: the demo users' units are left at the steps their inboxes show.
DEMO_PLAN_STATES = {"05443": "accepted", "05710": "returned", "TN-SYT": "submitted"}
DEMO_PLAN_RETURN_REASON = "Kế hoạch chưa nêu chỉ tiêu 6 (giảng viên cộng đồng) và lộ trình từng quý; đề nghị bổ sung."
# The other participants, in code order, cycle through these (None: no plan yet).
DEMO_PLAN_CYCLE = [
    "accepted",
    "accepted",
    "accepted",
    "accepted",
    "accepted",
    "accepted",
    "late",
    "submitted",
    "draft",
    None,
]
DEMO_REVIEW_TITLE = "Sơ kết giữa kỳ chương trình “Bình dân học AI”"
DEMO_REVIEW_REMARKS = (
    "Phần lớn các địa phương đã ban hành kế hoạch và thành lập nhóm nòng cốt. Tỷ lệ người lao động tham gia lớp "
    "kỹ năng AI cơ bản còn thấp so với mục tiêu 80%; các xã, phường cần đẩy mạnh tuyên truyền và mở thêm lớp."
)

DEMO_PASSWORD = "demo12345!"

# (username, full name, role, unit code, position). Unit users of a few wards/communes are added by code below.
PROVINCIAL_USERS = [
    ("quantri", "Quản trị hệ thống", "admin", "TN-SNV", "Quản trị viên"),
    ("canbo.snv", "Trần Thị Thu Hà", "board_officer", "TN-SNV-BTDKT", "Chuyên viên Ban Thi đua - Khen thưởng"),
    ("giamdoc.snv", "Lê Văn Minh", "board_head", "TN-SNV", "Giám đốc Sở Nội vụ"),
    ("canbo.khcn", "Phạm Quốc Huy", "coordinator", "TN-SKHCN", "Chuyên viên Sở Khoa học và Công nghệ"),
    ("hoidong", "Đỗ Thị Lan", "council_member", "TN-SNV", "Ủy viên Hội đồng Thi đua - Khen thưởng tỉnh"),
    ("hoidong2", "Nguyễn Văn Sơn", "council_member", "TN-SNV", "Ủy viên Hội đồng Thi đua - Khen thưởng tỉnh"),
    ("hoidong3", "Trịnh Thị Ngọc", "council_member", "TN-SNV", "Ủy viên Hội đồng Thi đua - Khen thưởng tỉnh"),
    ("hoidong4", "Lương Văn Hải", "council_member", "TN-SNV", "Ủy viên Hội đồng Thi đua - Khen thưởng tỉnh"),
    ("vp.ubnd", "Hoàng Đức Thắng", "chairman_office", "TN-VP", "Chuyên viên Văn phòng UBND tỉnh"),
    ("kiemtoan", "Vũ Thị Mai", "auditor", "TN-TTR", "Thanh tra viên"),
    ("vanthu.syt", "Ngô Thị Hằng", "unit_clerk", "TN-SYT", "Chuyên viên Văn phòng Sở Y tế"),
    ("truong.syt", "Bùi Văn Khánh", "unit_head", "TN-SYT", "Giám đốc Sở Y tế"),
]

# Wards and communes (by official code) that get a demo clerk and head: vanthu.<slug>, truong.<slug>.
DEMO_LOCALITIES = ["05443", "05710"]
DEMO_LOCALITY_COMMUNES = 1  # plus the first commune in code order

# Nomination dossiers left at each step of the Dossier flow, so that every acting role has work in its inbox:
# (unit code, award form, title, state to leave it in, nominees as (kind, name, gender, birth date, position)).
DEMO_DOSSIERS = [
    (
        "05443",
        "bang_khen_tinh",
        "Đề nghị tặng Bằng khen cho tập thể, cá nhân phường Phan Đình Phùng",
        "draft",
        [
            ("collective", "Tổ công nghệ số cộng đồng phường Phan Đình Phùng", "", None, ""),
            ("individual", "Nguyễn Thị Hoà", "female", date(1987, 5, 14), "Công chức Văn hóa - Xã hội"),
        ],
    ),
    (
        "05710",
        "bang_khen_tinh",
        "Đề nghị tặng Bằng khen cho cá nhân phường Linh Sơn",
        "submitted",
        [
            ("individual", "Trần Văn Khoẻ", "male", date(1979, 11, 2), "Phó Chủ tịch Ủy ban nhân dân phường"),
            ("individual", "Lê Thị Thuý", "female", date(1992, 3, 23), "Giáo viên Trường Tiểu học Linh Sơn"),
        ],
    ),
    (
        "05710",
        "bang_khen_tinh",
        "Đề nghị tặng Bằng khen cho tập thể phường Linh Sơn",
        "returned",
        [
            ("collective", "Đoàn Thanh niên phường Linh Sơn", "", None, ""),
        ],
    ),
    (
        "TN-SYT",
        "bang_khen_tinh",
        "Đề nghị tặng Bằng khen cho cá nhân thuộc Sở Y tế",
        "received",
        [
            ("individual", "Phạm Minh Đức", "male", date(1984, 8, 9), "Bác sĩ Khoa Khám bệnh, Bệnh viện A"),
        ],
    ),
    (
        "TN-SGDDT",
        "bang_khen_tinh",
        "Đề nghị tặng Bằng khen cho tập thể, cá nhân ngành Giáo dục",
        "appraised",
        [
            ("collective", "Trường THPT Chuyên Thái Nguyên", "", None, ""),
            ("individual", "Đỗ Thu Hương", "female", date(1981, 1, 30), "Giáo viên Tin học"),
        ],
    ),
    (
        "TN-SGDDT",
        "bang_khen_tinh",
        "Đề nghị tặng Bằng khen cho cá nhân ngành Giáo dục (đợt 2)",
        "council",
        [
            ("individual", "Vũ Minh Tâm", "male", date(1990, 2, 14), "Giáo viên Toán, Trường THCS Nha Trang"),
        ],
    ),
    (
        "TN-SKHCN",
        "bang_khen_tinh",
        "Đề nghị tặng Bằng khen cho tập thể, cá nhân Sở Khoa học và Công nghệ",
        "decided",
        [
            ("collective", "Phòng Quản lý công nghệ và Chuyển đổi số", "", None, ""),
            ("individual", "Ngô Thị Lan Anh", "female", date(1988, 7, 21), "Chuyên viên Phòng Quản lý công nghệ"),
            ("individual", "Bùi Quốc Việt", "male", date(1983, 12, 5), "Trưởng phòng Quản lý công nghệ"),
        ],
    ),
    (
        "05443",
        "giay_khen_xa",
        "Đề nghị tặng Giấy khen của Chủ tịch UBND phường cho cá nhân",
        "submitted",
        [
            ("individual", "Hoàng Văn Nam", "male", date(1995, 6, 17), "Trưởng tổ dân phố số 5"),
        ],
    ),
]
# The demo's signed decision (state "decided" above): its number in the province's register, its signer, and the
# fund's allocation for the year, as the board would enter them.
DEMO_DECISION = {
    "number": 2150,
    "signer_name": "Nguyễn Huy Dũng",
    "signer_authority": "deputy",
    "submission_letter_number": "312/TTr-SNV",
    "fund_allocation": 1_500_000_000,
}
# The demo campaign's Bằng khen quota (domain rule 11), as the board sets it; QĐ 987 sets no numbers, so these
# follow the 2025 provincial example of domain.md and are marked as the demo's own.
DEMO_QUOTA = {
    "award_type_code": "bang_khen_tinh",
    "values": {
        "max_per_unit_individual": 3,
        "max_per_unit_collective": 1,
        "max_campaign_collective_percent": "10",
        "min_direct_worker_share": "50",
        "basis": "Hướng dẫn khen thưởng tổng kết Phong trào của Sở Nội vụ (số liệu trình diễn)",
    },
}
# Positions of leaders and managers (not "doing direct work" for the priority of domain rule 11).
LEADER_POSITION_WORDS = ("Chủ tịch", "Giám đốc", "Trưởng phòng", "Phó Trưởng", "Bí thư", "Hiệu trưởng")
# The province's council (domain rule 8): (username, title in the council, chair?). A session has closed on the
# "appraised" dossier (its nominees approved: it waits for the Chairman's decision); another is voting on the
# "council" dossier, with hoidong and hoidong4 still to vote.
DEMO_COUNCIL = [
    ("giamdoc.snv", "Phó Chủ tịch Thường trực Hội đồng", True),
    ("hoidong", "Ủy viên", False),
    ("hoidong2", "Ủy viên", False),
    ("hoidong3", "Ủy viên", False),
    ("hoidong4", "Ủy viên", False),
]
DEMO_COUNCIL_WAITING = ("hoidong", "hoidong4")
DEMO_RETURN_REASON = "Đề nghị phường hoàn thiện các nội dung dưới đây và gửi lại hồ sơ."
DEMO_RETURN_ITEMS = {
    "bien_ban_hoi_dong": "Biên bản chưa ghi kết quả bỏ phiếu và chưa có chữ ký của Chủ tịch Hội đồng.",
    "bao_cao_thanh_tich": "Báo cáo thành tích chưa đúng mẫu của Nghị định 152/2025/NĐ-CP; bổ sung số liệu kết quả.",
}
DEMO_APPRAISAL_RETURN_REASON = "Báo cáo thành tích chưa nêu số người được tập huấn; đề nghị bổ sung số liệu cụ thể."
