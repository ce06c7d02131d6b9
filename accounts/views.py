from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.urls import reverse_lazy

from accounts.forms import LoginForm
from audit.models import Action
from audit.services import record


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def form_valid(self, form):  # noqa: ANN001, ANN201
        response = super().form_valid(form)
        record(self.request.user, Action.LOGIN, self.request.user, summary="登录成功")
        return response


class LogoutView(auth_views.LogoutView):
    def post(self, request, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003, ANN201
        if request.user.is_authenticated:
            record(request.user, Action.LOGOUT, request.user, summary="退出登录")
        return super().post(request, *args, **kwargs)


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("core:home")

    def form_valid(self, form):  # noqa: ANN001, ANN201
        response = super().form_valid(form)
        record(self.request.user, Action.PASSWORD_CHANGE, self.request.user, summary="修改密码")
        messages.success(self.request, "密码已修改。")
        return response
