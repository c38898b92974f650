from django.contrib import admin
from django.urls import include, path

from onevoice.organization import views as organization_views
from onevoice.organization import wizard

urlpatterns = [
    path("", organization_views.home, name="home"),
    path("setup/", wizard.setup_start, name="setup"),
    path("setup/organisation/", wizard.setup_organization, name="setup-organization"),
    path("setup/departments/", wizard.setup_departments, name="setup-departments"),
    path("invitation/<str:token>/", organization_views.invitation_accept, name="invitation-accept"),
    path("accounts/", include("onevoice.accounts.urls")),
    path("o/<slug:org>/", include("onevoice.organization.urls")),
    path("django-admin/", admin.site.urls),
]
