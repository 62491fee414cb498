from django.urls import path

from . import invitation_views

urlpatterns = [
    path("invitations/", invitation_views.InvitationListView.as_view(), name="invitation-list"),
    path(
        "councils/<slug:slug>/invitations/new/",
        invitation_views.InvitationCreateView.as_view(),
        name="invitation-create",
    ),
    path(
        "invitations/<int:pk>/withdraw/",
        invitation_views.InvitationWithdrawView.as_view(),
        name="invitation-withdraw",
    ),
    path("invitations/<str:token>/", invitation_views.InvitationAcceptView.as_view(), name="invitation-accept"),
]
