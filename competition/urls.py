from django.urls import path

from . import views

app_name = "competition"

urlpatterns = [
    path("campaigns/", views.campaign_list, name="campaign_list"),
    path("campaigns/new/", views.campaign_edit, name="campaign_create"),
    path("campaigns/<int:pk>/", views.campaign_detail, name="campaign_detail"),
    path("campaigns/<int:pk>/edit/", views.campaign_edit, name="campaign_edit"),
    path("campaigns/<int:pk>/indicators/", views.campaign_indicators, name="campaign_indicators"),
    path("campaigns/<int:pk>/participants/", views.campaign_participants, name="campaign_participants"),
    path("campaigns/<int:pk>/do/<slug:name>/", views.campaign_transition, name="campaign_transition"),
    path("campaigns/<int:pk>/progress/", views.progress_periods, name="progress_periods"),
    path("campaigns/<int:pk>/progress/<int:period_pk>/", views.progress_board, name="progress_board"),
    path("campaigns/<int:pk>/progress/<int:period_pk>/export/", views.progress_export, name="progress_export"),
    path(
        "campaigns/<int:pk>/progress/<int:period_pk>/unit/<int:unit_pk>/",
        views.progress_entry,
        name="progress_entry",
    ),
    path("campaigns/<int:pk>/plan/", views.plan_mine, name="plan_mine"),
    path("campaigns/<int:pk>/plans/", views.plan_status, name="plan_status"),
    path("plans/<int:pk>/", views.plan_detail, name="plan_detail"),
    path("plans/<int:pk>/do/<slug:name>/", views.plan_transition, name="plan_transition"),
    path("plans/<int:pk>/document/", views.plan_document, name="plan_document"),
    path("plans/<int:pk>/versions/<int:version>/document/", views.plan_document, name="plan_version_document"),
    path("units/", views.unit_list, name="unit_list"),
    path("units/import/", views.unit_import, name="unit_import"),
    path("units/import/template/", views.unit_import_template, name="unit_import_template"),
    path("units/<int:pk>/", views.unit_detail, name="unit_detail"),
    path("clusters/", views.cluster_list, name="cluster_list"),
    path("people/", views.user_list, name="user_list"),
    path("people/import/", views.user_import, name="user_import"),
    path("people/<int:pk>/reset/", views.user_reset_password, name="user_reset_password"),
    path("people/<int:pk>/deactivate/", views.user_deactivate, name="user_deactivate"),
    path("rules/", views.ruleset_list, name="ruleset_list"),
    path("rules/<int:pk>/", views.ruleset_detail, name="ruleset_detail"),
    path("rules/<int:pk>/copy/", views.ruleset_copy, name="ruleset_copy"),
    path("rules/value/<str:model>/<int:pk>/<str:field>/", views.ruleset_value_edit, name="ruleset_value_edit"),
    path(
        "rules/value/<str:model>/<int:pk>/<str:field>/confirm/",
        views.ruleset_value_confirm,
        name="ruleset_value_confirm",
    ),
    path("rules/unconfirmed/", views.unconfirmed_value_list, name="unconfirmed_values"),
    path("rules/base-salary/", views.base_salary_list, name="base_salary_list"),
]
