"""Account pages of the person signed in."""

from __future__ import annotations

from django import forms
from django.contrib.auth import forms as auth_forms
from django.contrib.auth import views as auth_views
from django.utils.translation import gettext as _


class PasswordChangeForm(auth_forms.PasswordChangeForm):
    def clean(self):
        data = super().clean()
        password = data.get("new_password1")
        if password and "new_password2" not in self.errors and self.user.check_password(password):
            self.add_error(
                "new_password2",
                forms.ValidationError(_("Mật khẩu mới phải khác mật khẩu đang dùng."), code="password_unchanged"),
            )
        return data


class PasswordChangeView(auth_views.PasswordChangeView):
    """Django's password change, which also clears ``must_change_password`` (set on a new account and after a
    reset by the administrator) in the same save."""

    form_class = PasswordChangeForm

    def form_valid(self, form):
        form.user.must_change_password = False
        return super().form_valid(form)


def locked_out(request, credentials=None, *args, **kwargs):
    """What a locked-out sign-in sees (django-axes' ``AXES_LOCKOUT_CALLABLE``): HTTP 429 with when to try again."""
    from django.conf import settings
    from django.shortcuts import render

    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    context = {"failure_limit": settings.AXES_FAILURE_LIMIT, "cooloff_minutes": minutes}
    return render(request, "registration/locked_out.html", context, status=429)
