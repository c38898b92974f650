from django.urls import path

from onevoice.organization import views

app_name = "organization"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("settings/", views.settings_edit, name="settings"),
    path("departments/", views.departments, name="departments"),
    path("departments/<uuid:department_id>/", views.department_edit, name="department"),
    path("departments/<uuid:department_id>/delete/", views.department_delete, name="department-delete"),
    path("people/", views.people, name="people"),
    path("people/invite/", views.invite, name="invite"),
    path("people/<uuid:membership_id>/", views.membership_edit, name="membership"),
    path("people/<uuid:membership_id>/remove/", views.membership_deactivate, name="membership-remove"),
    path("people/<uuid:membership_id>/readmit/", views.membership_reactivate, name="membership-readmit"),
    path("invitations/<uuid:invitation_id>/resend/", views.invitation_resend, name="invitation-resend"),
    path("invitations/<uuid:invitation_id>/revoke/", views.invitation_revoke, name="invitation-revoke"),
    path("audit/", views.audit_log, name="audit"),
]
