from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog
from rest_framework.authtoken.models import TokenProxy

from accounts.views import PasswordChangeView
from competition.views import home
from config.guide import serve_guide

# API tokens are issued, rotated and revoked only by `manage.py api_token`, which audits it: not in the admin.
if admin.site.is_registered(TokenProxy):
    admin.site.unregister(TokenProxy)

urlpatterns = [
    path("", home, name="home"),
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/", PasswordChangeView.as_view(), name="password_change"),
    path("password/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("api/v1/", include("config.api")),
    path("huong-dan/", serve_guide, name="guide"),
    path("huong-dan/<path:path>", serve_guide, name="guide_page"),
    path("", include("competition.urls")),
    path("", include("workflows.urls")),
    path("", include("nominations.urls")),
    path("scoring/", include("scoring.urls")),
    path("accounts/", include("accounts.urls")),
    path("django-admin/", admin.site.urls),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
