"""URLs for CPC Tracker. Public pages need no sign-in; staff tools live in Django admin."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from .home import HomeView

from .forms import SignInForm

urlpatterns = [
    path("", HomeView.as_view(), name="home"),
    path("sign-in/", auth_views.LoginView.as_view(authentication_form=SignInForm), name="login"),
    path("sign-out/", auth_views.LogoutView.as_view(), name="logout"),
    path("", include("recommendations.urls")),
    path("", include("reviews.urls")),
    path("", include("reports.urls")),
    path("admin/", admin.site.urls),
]

handler404 = "cpc_tracker.views.page_not_found"
handler500 = "cpc_tracker.views.server_error"
