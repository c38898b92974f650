from __future__ import annotations

import pytest
from django.urls import reverse

from onevoice.planning import services
from onevoice.planning.tests.conftest import later

pytestmark = pytest.mark.django_db


class TestSimilarPostsOnThePostPage:
    def test_a_cm_sees_the_same_story_planned_by_another_department(self, personas, channels) -> None:
        ours = services.post_create(
            actor=personas.cm,
            title="Ausbildungsstart 2027",
            department=personas.marketing,
            channels=channels[:1],
            base_text="Ausbildungsstart 2027 bei Muster: zwölf neue Auszubildende in der Logistik beginnen.",
            publish_at=later(days=5),
        )
        services.post_create(
            actor=personas.smm,
            title="Neue Azubis",
            department=personas.hr,
            channels=channels[1:],
            base_text="Zwölf neue Auszubildende beginnen 2027 ihre Ausbildung in der Logistik bei Muster.",
            publish_at=later(days=6),
        )
        services.post_create(
            actor=personas.smm,
            title="Sommerfest",
            department=personas.hr,
            channels=channels[1:],
            base_text="Grillen, Musik und Kinderprogramm: unser Sommerfest für alle Familien.",
            publish_at=later(days=6),
        )
        url = reverse("planning:post", args=[personas.organization.slug, ours.public_id])
        page = personas.client_for(personas.cm).get(url).content.decode()
        assert "Similar posts from other departments" in page
        assert "Neue Azubis" in page
        assert "Sommerfest" not in page

    def test_nothing_is_shown_without_a_similar_post(self, personas, draft) -> None:
        url = reverse("planning:post", args=[personas.organization.slug, draft.public_id])
        page = personas.client_for(personas.viewer).get(url).content.decode()
        assert "Similar posts from other departments" not in page
