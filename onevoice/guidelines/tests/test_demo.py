"""The demo guidelines: German, two versions of the Leitlinien, some people confirmed, built once."""

from __future__ import annotations

import pytest
from django.utils import timezone

from onevoice.guidelines import demo, selectors
from onevoice.guidelines.models import Acknowledgement, Guideline
from onevoice.guidelines.rendering import render_markdown

pytestmark = pytest.mark.django_db


class TestBuild:
    def test_it_builds_the_leitlinien_in_two_published_versions_and_a_netiquette(self, personas) -> None:
        demo.build(personas.organization, personas.smm)
        leitlinien = Guideline.objects.get(title=demo.LEITLINIEN)
        assert list(leitlinien.versions.values_list("number", flat=True)) == [2, 1]
        assert all(v.published_at for v in leitlinien.versions.all())
        current = selectors.current_version(leitlinien)
        assert current is not None
        html = render_markdown(current.body)
        for heading in (
            "Unser Ton",
            "Sie oder du?",
            "Transparenz",
            "Datenschutz (DSGVO)",
            "Impressum",
            "Umgang mit Kritik",
            "Krisenfall",
        ):
            assert f'">{heading}</h2>' in html, heading
        assert "Muster GmbH" in current.body
        assert "Krisenfall" in current.change_note
        assert Guideline.objects.filter(title=demo.NETIQUETTE).exists()

    def test_some_people_have_confirmed_the_current_version_and_some_not(self, personas) -> None:
        demo.build(personas.organization, personas.smm)
        current = selectors.current_version(Guideline.objects.get(title=demo.LEITLINIEN))
        assert current is not None
        report = selectors.acknowledgement_report(current)
        assert 0 < report.confirmed < len(report.rows)
        older = Acknowledgement.objects.filter(version__number=1, version__guideline=current.guideline)
        assert older.count() == len(report.rows)
        for ack in Acknowledgement.objects.select_related("version"):
            assert ack.version.published_at is not None
            assert ack.version.published_at <= ack.acknowledged_at <= timezone.now()

    def test_building_twice_changes_nothing(self, personas) -> None:
        demo.build(personas.organization, personas.smm)
        counts = (Guideline.objects.count(), Acknowledgement.objects.count())
        demo.build(personas.organization, personas.smm)
        assert (Guideline.objects.count(), Acknowledgement.objects.count()) == counts
