from django.urls import path

from . import views

app_name = "nominations"

urlpatterns = [
    path("dossiers/", views.dossier_list, name="dossier_list"),
    path("campaigns/<int:campaign_pk>/dossiers/new/", views.dossier_create, name="dossier_create"),
    path("dossiers/<int:pk>/", views.dossier_detail, name="dossier_detail"),
    path("dossiers/<int:pk>/nominees/add/", views.nominee_add, name="nominee_add"),
    path("dossiers/<int:pk>/nominees/<int:nominee_pk>/remove/", views.nominee_remove, name="nominee_remove"),
    path("dossiers/<int:pk>/nominees/<int:nominee_pk>/appraise/", views.nominee_appraise, name="nominee_appraise"),
    path("dossiers/<int:pk>/do/<slug:name>/", views.dossier_transition, name="dossier_transition"),
    path("decisions/", views.decision_list, name="decision_list"),
    path("decisions/new/", views.decision_create, name="decision_create"),
    path("decisions/<int:pk>/", views.decision_detail, name="decision_detail"),
    path("decisions/<int:pk>/sign/", views.decision_sign, name="decision_sign"),
    path("decisions/<int:pk>/download/<slug:fmt>/", views.decision_download, name="decision_download"),
]
