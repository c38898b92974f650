from django.urls import path

from onevoice.accounts import two_factor, views

app_name = "accounts"

urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("password/reset/", views.PasswordResetView.as_view(), name="password_reset"),
    path("password/reset/sent/", views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path(
        "password/reset/<uidb64>/<token>/",
        views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path("password/reset/done/", views.PasswordResetCompleteView.as_view(), name="password_reset_complete"),
    path("password/change/", views.PasswordChangeView.as_view(), name="password_change"),
    path("me/", views.profile, name="profile"),
    path("language/", views.language_switch, name="language"),
    path("login/code/", two_factor.login_code, name="login_code"),
    path("login/two-factor-setup/", two_factor.login_setup, name="login_two_factor_setup"),
    path("me/two-factor/", two_factor.manage, name="two_factor"),
    path("me/two-factor/set-up/", two_factor.setup, name="two_factor_setup"),
    path("me/two-factor/recovery-codes/", two_factor.recovery_codes, name="two_factor_recovery"),
    path("me/two-factor/off/", two_factor.disable, name="two_factor_disable"),
]
