from django.urls import path

from . import views, views_awards, views_board, views_composition, views_import, views_public, views_signed
from .views_council import council_ballot, council_detail, council_list, council_minutes, council_minutes_pdf
from .views_quotas import quota_edit, quota_list
from .views_submission import decision_submission_letter, decision_submission_letter_pdf
from .views_summary import (
    campaign_summary,
    campaign_summary_docx,
    campaign_summary_xlsx,
    statistics,
    statistics_default_template,
    statistics_download,
    statistics_template_activate,
    statistics_template_default,
    statistics_template_download,
    statistics_template_upload,
)

app_name = "nominations"

urlpatterns = [
    path("dossiers/", views_board.dossier_list, name="dossier_list"),
    path("dossiers/bulk/", views_board.dossier_bulk, name="dossier_bulk"),
    path("dossiers/bulk/<int:pk>/", views_board.bulk_job, name="bulk_job"),
    path("dossiers/<int:pk>/assign/", views_board.dossier_assign, name="dossier_assign"),
    path("campaigns/<int:campaign_pk>/dossiers/new/", views.dossier_create, name="dossier_create"),
    path("dossiers/<int:pk>/", views.dossier_detail, name="dossier_detail"),
    path("dossiers/<int:pk>/nominees/add/", views.nominee_add, name="nominee_add"),
    path("dossiers/<int:pk>/nominees/import/", views_import.nominee_import, name="nominee_import"),
    path(
        "dossiers/<int:pk>/nominees/import/template/",
        views_import.nominee_import_template,
        name="nominee_import_template",
    ),
    path("dossiers/<int:pk>/nominees/<int:nominee_pk>/remove/", views.nominee_remove, name="nominee_remove"),
    path("dossiers/<int:pk>/nominees/<int:nominee_pk>/appraise/", views.nominee_appraise, name="nominee_appraise"),
    path("dossiers/<int:pk>/do/<slug:name>/", views.dossier_transition, name="dossier_transition"),
    path("dossiers/<int:pk>/return/", views_composition.dossier_return, name="dossier_return"),
    path("dossiers/<int:pk>/documents/upload/", views_composition.document_upload, name="document_upload"),
    path(
        "dossiers/<int:pk>/documents/<int:document_pk>/remove/",
        views_composition.document_remove,
        name="document_remove",
    ),
    path(
        "dossiers/<int:pk>/documents/<int:document_pk>/",
        views_composition.document_download,
        name="document_download",
    ),
    path("decisions/", views.decision_list, name="decision_list"),
    path("decisions/new/", views.decision_create, name="decision_create"),
    path("decisions/<int:pk>/", views.decision_detail, name="decision_detail"),
    path("decisions/<int:pk>/sign/", views.decision_sign, name="decision_sign"),
    path("decisions/<int:pk>/signed-pdf/", views_signed.signed_pdf_upload, name="signed_pdf_upload"),
    path("decisions/<int:pk>/signed-pdf/<int:scan_pk>/", views_signed.signed_pdf_download, name="signed_pdf_download"),
    path("decisions/<int:pk>/download/<slug:fmt>/", views.decision_download, name="decision_download"),
    path("decisions/<int:pk>/submission-letter.docx", decision_submission_letter, name="decision_submission_letter"),
    path(
        "decisions/<int:pk>/submission-letter.pdf",
        decision_submission_letter_pdf,
        name="decision_submission_letter_pdf",
    ),
    path("history/", views.history_list, name="history_list"),
    path("history/import/", views.history_import, name="history_import"),
    path("history/template.xlsx", views.history_template, name="history_template"),
    path("holds/", views.hold_list, name="hold_list"),
    path("holds/add/", views.hold_add, name="hold_add"),
    path("holds/<int:pk>/lift/", views.hold_lift, name="hold_lift"),
    path("campaigns/<int:campaign_pk>/quotas/", quota_list, name="quota_list"),
    path("campaigns/<int:campaign_pk>/quotas/<slug:code>/", quota_edit, name="quota_edit"),
    path("council/", council_list, name="council_list"),
    path("council/<int:pk>/", council_detail, name="council_detail"),
    path("council/<int:pk>/ballot/", council_ballot, name="council_ballot"),
    path("council/<int:pk>/minutes.docx", council_minutes, name="council_minutes"),
    path("council/<int:pk>/minutes.pdf", council_minutes_pdf, name="council_minutes_pdf"),
    # What follows a signed decision (issue 7): payment and the fund, certificates, publication, revocation.
    path("decisions/<int:pk>/payments/", views_awards.decision_payments, name="decision_payments"),
    path("decisions/<int:pk>/payments.xlsx", views_awards.decision_payments_xlsx, name="decision_payments_xlsx"),
    path("awards/<int:pk>/recover/", views_awards.award_recover, name="award_recover"),
    path("fund/", views_awards.fund, name="fund"),
    path("decisions/<int:pk>/certificates/", views_awards.decision_certificates, name="decision_certificates"),
    path(
        "decisions/<int:pk>/certificates.xlsx",
        views_awards.decision_certificates_xlsx,
        name="decision_certificates_xlsx",
    ),
    path("decisions/<int:pk>/publish/", views_awards.decision_publish, name="decision_publish"),
    path("awards/<int:pk>/revoke/", views_awards.award_revoke, name="award_revoke"),
    path("revocations/", views_awards.revocation_list, name="revocation_list"),
    path("revocations/<int:pk>/", views_awards.revocation_detail, name="revocation_detail"),
    path("revocations/flags/<int:pk>/resolve/", views_awards.flag_resolve, name="flag_resolve"),
    # Public pages: no login, no personal data.
    path("cong-khai/", views_public.public_decisions, name="public_decisions"),
    path("cong-khai/<str:code>/", views_public.public_decision, name="public_decision"),
    path("tra-cuu/", views_public.verify, name="verify"),
    path("tra-cuu/<str:code>/", views_public.verify_code, name="verify_code"),
    # The campaign summary (tổng kết) and the yearly statistics for the Ministry of Home Affairs (issue 7 item 7).
    path("campaigns/<int:campaign_pk>/summary/", campaign_summary, name="campaign_summary"),
    path("campaigns/<int:campaign_pk>/summary.docx", campaign_summary_docx, name="campaign_summary_docx"),
    path("campaigns/<int:campaign_pk>/summary.xlsx", campaign_summary_xlsx, name="campaign_summary_xlsx"),
    path("statistics/", statistics, name="statistics"),
    path("statistics/<int:year>.xlsx", statistics_download, name="statistics_download"),
    path("statistics/template.xlsx", statistics_default_template, name="statistics_default_template"),
    path("statistics/templates/upload/", statistics_template_upload, name="statistics_template_upload"),
    path("statistics/templates/default/", statistics_template_default, name="statistics_template_default"),
    path("statistics/templates/<int:pk>/", statistics_template_download, name="statistics_template_download"),
    path("statistics/templates/<int:pk>/activate/", statistics_template_activate, name="statistics_template_activate"),
]
