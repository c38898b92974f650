from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from onevoice.organization.roles import Role
from onevoice.sso import services
from onevoice.sso.models import SsoSettings
from onevoice.sso.tests.provider import Provider, running_provider


@pytest.fixture
def provider(settings: Any) -> Iterator[Provider]:
    settings.HTTP_ALLOWED_PRIVATE_HOSTS = ["localhost"]
    with running_provider() as running:
        yield running


@pytest.fixture
def sso(personas: Any, provider: Provider) -> SsoSettings:
    """Muster GmbH signs in at the test provider; new people become contributors in Marketing."""
    settings_row = services.settings_get_or_create(personas.organization)
    return services.settings_update(
        actor=personas.admin,
        sso=settings_row,
        mappings=[
            services.MappingRow("social-admins", Role.ADMIN, None),
            services.MappingRow("social-team", Role.SMM, None),
            services.MappingRow("community", Role.CM, personas.marketing),
            services.MappingRow("hr-writers", Role.CONTRIBUTOR, personas.hr),
            services.MappingRow("management", Role.VIEWER, None),
        ],
        client_secret="s3cret",
        enabled=True,
        issuer=provider.url,
        client_id="onevoice-test",
        scopes="openid email profile",
        email_domains=["muster.example", "muster-gruppe.example"],
        default_role=Role.CONTRIBUTOR,
        default_department=personas.marketing,
        group_claim="groups",
        trust_unverified_email=False,
        enforce=False,
        break_glass_emails=[],
        require_totp=False,
    )
