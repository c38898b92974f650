"""The demo organisation's enablement: profiles attached, onboarding partly done, trainings with gaps left."""

from __future__ import annotations

import pytest

from onevoice.enablement import demo, selectors
from onevoice.enablement.models import ProfileAssignment, TrainingRecord
from onevoice.organization.demo import build_demo_organization

pytestmark = pytest.mark.django_db


def test_the_demo_has_profiles_progress_and_trainings():
    organization = build_demo_organization()
    demo.seed(organization)
    demo.seed(organization)  # a second run changes nothing
    assert TrainingRecord.objects.filter(organization=organization).count() == len(demo.TRAININGS)
    assert ProfileAssignment.objects.filter(profile__organization=organization).count() == 2
    _rows, total = selectors.team_progress(organization)
    assert 0 < total.steps_done < total.steps_total
    coverage = selectors.skills_coverage(organization, None, None)
    assert any(cell.covered for row in coverage.rows for cell in row.cells)
    assert any(row.gaps for row in coverage.rows)
