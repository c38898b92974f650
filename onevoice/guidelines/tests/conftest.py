from __future__ import annotations

import pytest

from onevoice.guidelines import services
from onevoice.guidelines.models import GuidelineVersion

BODY_V1 = "# Ton\n\nWir schreiben freundlich.\n\n# Anrede\n\nWir siezen.\n"
BODY_V2 = "# Ton\n\nWir schreiben freundlich und klar.\n\n# Anrede\n\nWir siezen.\n\n# Krisenfall\n\nSofort anrufen.\n"


def publish_guideline(
    personas, title: str = "Social-Media-Leitlinien", body: str = BODY_V1
) -> GuidelineVersion:
    version = services.guideline_create(
        actor=personas.smm, title=title, body=body, change_note="Erste Fassung."
    )
    return services.version_publish(actor=personas.smm, version=version)


def new_version(personas, published: GuidelineVersion, body: str = BODY_V2) -> GuidelineVersion:
    draft = services.draft_save(
        actor=personas.smm,
        guideline=published.guideline,
        title=published.guideline.title,
        body=body,
        change_note="Neu: Krisenfall.",
    )
    return services.version_publish(actor=personas.smm, version=draft)


@pytest.fixture
def published(personas) -> GuidelineVersion:
    return publish_guideline(personas)
