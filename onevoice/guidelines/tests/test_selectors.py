"""What the guideline pages read: each member's status, the managers' share and the history."""

from __future__ import annotations

import pytest

from onevoice.guidelines import selectors, services
from onevoice.guidelines.tests.conftest import BODY_V1, new_version, publish_guideline

pytestmark = pytest.mark.django_db


class TestGuidelineRows:
    def test_a_member_sees_published_guidelines_and_whether_they_confirmed(self, personas, published) -> None:
        services.guideline_create(actor=personas.smm, title="Entwurf", body=BODY_V1)
        services.acknowledge(member=personas.cm, version=published)
        [row] = selectors.guideline_rows(personas.cm)
        assert row.current == published
        assert row.acknowledged_at is not None
        assert not row.needs_my_confirmation
        assert selectors.unacknowledged_for(personas.cm) == []
        assert [r.guideline.title for r in selectors.unacknowledged_for(personas.viewer)] == [
            "Social-Media-Leitlinien"
        ]

    def test_a_manager_sees_drafts_and_the_share_of_confirmations(self, personas, published) -> None:
        services.guideline_create(actor=personas.smm, title="Entwurf", body=BODY_V1)
        services.acknowledge(member=personas.cm, version=published)
        services.acknowledge(member=personas.viewer, version=published)
        rows = {r.guideline.title: r for r in selectors.guideline_rows(personas.smm)}
        assert rows["Entwurf"].current is None
        assert rows["Entwurf"].draft is not None
        leitlinien = rows["Social-Media-Leitlinien"]
        assert (leitlinien.confirmed, leitlinien.members, leitlinien.share) == (2, 6, 33)

    def test_a_new_version_asks_everyone_again(self, personas, published) -> None:
        services.acknowledge(member=personas.cm, version=published)
        new_version(personas, published)
        [row] = selectors.guideline_rows(personas.cm)
        assert row.needs_my_confirmation

    def test_the_number_of_queries_does_not_grow_with_the_guidelines(
        self, personas, django_assert_max_num_queries
    ) -> None:
        for i in range(6):
            publish_guideline(personas, title=f"Leitlinie {i}")
        with django_assert_max_num_queries(5):
            assert len(selectors.guideline_rows(personas.smm)) == 6


class TestAcknowledgementReport:
    def test_it_lists_who_is_missing_first_with_dates(self, personas, published) -> None:
        services.acknowledge(member=personas.cm, version=published)
        services.reminders_send(actor=personas.smm, version=published)
        report = selectors.acknowledgement_report(published)
        assert (report.confirmed, report.pending, report.share) == (1, 5, 17)
        assert report.rows[-1].membership == personas.cm
        assert report.rows[-1].acknowledged_at is not None
        missing = report.rows[0]
        assert missing.acknowledged_at is None
        assert missing.last_reminded_at is not None

    def test_people_who_left_do_not_count(self, personas, published) -> None:
        services.acknowledge(member=personas.cm, version=published)
        personas.cm.is_active = False
        personas.cm.save()
        report = selectors.acknowledgement_report(published)
        assert (report.confirmed, len(report.rows)) == (0, 5)


class TestHistory:
    def test_versions_come_newest_first_with_what_changed(self, personas, published) -> None:
        second = new_version(personas, published)
        services.draft_save(
            actor=personas.smm, guideline=published.guideline, title="T", body="x", change_note=""
        )
        entries = selectors.history(published.guideline)
        assert [e.version for e in entries] == [second, published]
        assert ("added", "Sofort anrufen.") in [(c.kind, c.text) for c in entries[0].changes]
        assert entries[1].changes == []
