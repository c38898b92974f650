from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path
from django.views.static import serve

from onevoice.networks import newsroom
from onevoice.organization import views as organization_views
from onevoice.organization import wizard
from onevoice.planning import views as planning_views
from onevoice.planning.export_views import calendar_feed

urlpatterns = [
    path("", organization_views.home, name="home"),
    path("setup/", wizard.setup_start, name="setup"),
    path("setup/organisation/", wizard.setup_organization, name="setup-organization"),
    path("setup/departments/", wizard.setup_departments, name="setup-departments"),
    path("invitation/<str:token>/", organization_views.invitation_accept, name="invitation-accept"),
    path("accounts/", include("onevoice.accounts.urls")),
    path("o/<slug:org>/channels/", include("onevoice.networks.urls")),
    path("o/<slug:org>/plan/", include("onevoice.planning.urls")),
    path("o/<slug:org>/publishing/", include("onevoice.publishing.urls")),
    path("o/<slug:org>/strategy/", include("onevoice.strategy.urls")),
    path("o/<slug:org>/guidelines/", include("onevoice.guidelines.urls")),
    path("o/<slug:org>/voice/", include("onevoice.voice.urls")),
    path("o/<slug:org>/inbox/", include("onevoice.inbox.urls")),
    path("o/<slug:org>/workload/", include("onevoice.workload.urls")),
    path("o/<slug:org>/analytics/", include("onevoice.analytics.urls")),
    path("o/<slug:org>/assessment/", include("onevoice.assessment.urls")),
    path("o/<slug:org>/enablement/", include("onevoice.enablement.urls")),
    path("o/<slug:org>/api-tokens/", include("onevoice.api.urls_tokens")),
    path("o/<slug:org>/webhooks/", include("onevoice.webhooks.urls")),
    path("o/<slug:org>/sso/", include("onevoice.sso.urls_settings")),
    path("api/", include("onevoice.api.urls")),
    path("sso/", include("onevoice.sso.urls")),
    path("expert/", include(("onevoice.inbox.urls_public", "inbox_public"))),
    path("approval/<str:token>/", planning_views.approval_link, name="approval-link"),
    path("plan-feed/<str:token>.ics", calendar_feed, name="planning-ical"),
    path("o/<slug:org>/", include("onevoice.organization.urls")),
    path("newsroom/<uuid:channel_id>/", newsroom.page, name="newsroom-page"),
    path("newsroom/<uuid:channel_id>/feed.atom", newsroom.feed, name="newsroom-feed"),
    path("newsroom/<uuid:channel_id>/<str:key>/", newsroom.entry, name="newsroom-entry"),
    path("django-admin/", admin.site.urls),
    # Uploaded images (public once published, names unguessable); put a web server in front in production.
    re_path(r"^media/(?P<path>.*)$", serve, {"document_root": settings.MEDIA_ROOT}),
]
