"""The demo's two past self-assessments show progress."""

from __future__ import annotations

import pytest

from onevoice.assessment import demo, selectors
from onevoice.assessment.models import Assessment

pytestmark = pytest.mark.django_db


class TestDemo:
    def test_it_adds_two_past_assessments_once_with_progress(self, personas):
        assert demo.seed(personas.organization) == 2
        assert demo.seed(personas.organization) == 0
        rows = selectors.history_rows(personas.organization)
        assert len(rows) == 2
        assert rows[1].overall > rows[0].overall
        assert all(a.result["model"] == "decentral" for a in Assessment.objects.all())
        assert rows[1].assessment.completed_by == personas.smm
