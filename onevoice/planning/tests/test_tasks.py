from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from onevoice.planning import services
from onevoice.planning.models import Notification, Post
from onevoice.planning.tasks import flag_unapproved_posts

pytestmark = pytest.mark.django_db


class TestUnapprovedInTime:
    def test_a_post_in_review_shortly_before_its_time_is_flagged_once(self, personas, channels) -> None:
        post = services.post_create(
            actor=personas.cm,
            title="Knapp",
            department=personas.marketing,
            channels=channels[:1],
            base_text="x",
            publish_at=timezone.now() + timedelta(minutes=90),
        )
        services.post_submit(actor=personas.cm, post=post)
        flag_unapproved_posts.call_local()
        flag_unapproved_posts.call_local()
        flagged = Notification.objects.filter(kind=Notification.Kind.APPROVAL_EXPIRING)
        assert sorted(n.recipient.user.email for n in flagged) == ["cm@muster.example", "smm@muster.example"]

    def test_an_approved_or_far_away_post_is_not_flagged(self, personas, channels) -> None:
        soon = services.post_create(
            actor=personas.cm,
            title="Freigegeben",
            department=personas.marketing,
            channels=channels[:1],
            base_text="x",
            publish_at=timezone.now() + timedelta(minutes=90),
        )
        services.post_submit(actor=personas.cm, post=soon)
        services.post_decide(actor=personas.smm, post=soon, verdict="approved")
        services.post_create(
            actor=personas.cm,
            title="Später",
            department=personas.marketing,
            channels=channels[:1],
            base_text="x",
            publish_at=timezone.now() + timedelta(days=5),
        )
        flag_unapproved_posts.call_local()
        assert not Notification.objects.filter(kind=Notification.Kind.APPROVAL_EXPIRING).exists()
        assert Post.objects.get(title="Freigegeben").status == Post.Status.SCHEDULED
