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
    path("units/", views.unit_list, name="unit_list"),
]
