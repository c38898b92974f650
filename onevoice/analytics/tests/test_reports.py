"""The monthly management report: PDF on demand, schedules, mailing to a real SMTP server, retries."""

from __future__ import annotations

import email
import io
import threading
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from email import policy
from typing import Any

import pytest
from django.utils import timezone
from pypdf import PdfReader

from onevoice.analytics import collection, services
from onevoice.analytics.models import ReportDelivery, ReportSchedule
from onevoice.analytics.report import report_build, report_pdf
from onevoice.analytics.tests.conftest import direct_post
from onevoice.core.models import AuditEvent
from onevoice.networks.connectors.base import MetricSample as Sample

OCTOBER = date(2026, 10, 1)


class Mailbox:
    def __init__(self) -> None:
        self.messages: list[bytes] = []
        self.arrived = threading.Condition()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        with self.arrived:
            self.messages.append(envelope.content)
            self.arrived.notify_all()
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp(settings) -> Iterator[Mailbox]:
    """A real SMTP server on 127.0.0.1; Django sends through it."""
    import socket

    from aiosmtpd.controller import Controller

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    box = Mailbox()
    controller = Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": port, "timeout": 10},
        }
    }
    yield box
    controller.stop()


@pytest.fixture
def october(personas, bluesky):
    """A post in October 2026 with figures, and followers."""
    at = datetime(2026, 10, 8, 9, tzinfo=UTC)
    post = direct_post(bluesky, "at://x/app.bsky.feed.post/okt", at, "Herbstaktion")
    collection.tracked_posts_sync(now=at)
    collection.samples_ingest(
        bluesky,
        [Sample(post.external_id, "likes", 44, at + timedelta(hours=6))],
        [
            Sample("did", "followers", 900, datetime(2026, 10, 1, 6, tzinfo=UTC)),
            Sample("did", "followers", 960, datetime(2026, 10, 31, 6, tzinfo=UTC)),
        ],
    )


def url(personas, path: str = "") -> str:
    return f"/o/{personas.organization.slug}/analytics/reports/{path}"


class TestReport:
    def test_the_report_in_german_has_figures_kpis_and_charts(self, personas, october) -> None:
        report = report_build(personas.organization, OCTOBER, "de", now=datetime(2026, 11, 5, tzinfo=UTC))
        assert "Oktober 2026" in report.html
        assert "Herbstaktion" in report.html
        assert "<svg" in report.html  # charts drawn on the server
        assert "Plan" in report.html
        pdf = report_pdf(report)
        assert pdf.startswith(b"%PDF")
        text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
        assert "Oktober 2026" in text
        assert "Herbstaktion" in text
        assert personas.organization.name in text

    def test_a_month_without_data_says_so(self, personas) -> None:
        report = report_build(personas.organization, date(2025, 1, 1), "en")
        assert "There are no figures for this month" in report.html

    def test_pdf_on_demand(self, personas, october) -> None:
        answer = personas.client_for(personas.viewer).get(
            url(personas, "month/?month=2026-10&language=en&format=pdf")
        )
        assert answer.status_code == 200
        assert answer["Content-Type"] == "application/pdf"
        assert answer.content.startswith(b"%PDF")
        preview = personas.client_for(personas.viewer).get(
            url(personas, "month/?month=2026-10&language=en&format=html")
        )
        assert "Social media report October 2026" in preview.content.decode()

    def test_bad_months_are_explained(self, personas) -> None:
        client = personas.client_for(personas.viewer)
        bad = client.get(url(personas, "month/?month=Oktober&language=de&format=pdf"))
        assert bad.status_code == 400
        assert "e.g. 2026-10" in bad.content.decode()
        future = (timezone.now() + timedelta(days=70)).strftime("%Y-%m")
        later = client.get(url(personas, f"month/?month={future}&language=de&format=pdf"))
        assert later.status_code == 400
        assert "has not begun yet" in later.content.decode()

    def test_wrong_role_and_other_organisation(self, personas) -> None:
        assert personas.client_for(personas.contributor).get(url(personas)).status_code == 404
        assert personas.client_for(personas.outsider).get(url(personas)).status_code == 404
        assert personas.client_for(personas.viewer).get(url(personas)).status_code == 200


class TestSchedules:
    def test_the_smm_schedules_a_report_for_management(self, personas) -> None:
        answer = personas.client_for(personas.smm).post(
            url(personas, "schedules/"),
            {
                "name": "Geschäftsleitung",
                "language": "de",
                "day_of_month": "2",
                "recipients": [personas.viewer.pk],
                "active": "on",
            },
        )
        assert answer.status_code == 302
        schedule = ReportSchedule.objects.get()
        assert list(schedule.recipients.all()) == [personas.viewer]
        assert AuditEvent.objects.filter(verb="analytics.schedule_created").exists()

    def test_only_people_who_may_read_reports_can_receive_them(self, personas) -> None:
        answer = personas.client_for(personas.smm).post(
            url(personas, "schedules/"),
            {"name": "GL", "language": "de", "day_of_month": "2", "recipients": [personas.contributor.pk]},
        )
        assert answer.status_code == 400
        assert "Geschäftsleitung" not in answer.content.decode()
        assert not ReportSchedule.objects.exists()

    def test_a_bad_day_keeps_what_was_typed(self, personas) -> None:
        answer = personas.client_for(personas.smm).post(
            url(personas, "schedules/"),
            {
                "name": "Vorstand monatlich",
                "language": "de",
                "day_of_month": "31",
                "recipients": [personas.viewer.pk],
            },
        )
        assert answer.status_code == 400
        assert 'value="Vorstand monatlich"' in answer.content.decode()

    def test_a_cm_may_read_but_not_schedule(self, personas) -> None:
        answer = personas.client_for(personas.cm).post(
            url(personas, "schedules/"),
            {"name": "x", "language": "de", "day_of_month": "2", "recipients": [personas.viewer.pk]},
        )
        assert answer.status_code == 404

    def test_another_organisations_schedule_cannot_be_deleted(self, personas) -> None:
        schedule = services.schedule_save(
            actor=personas.smm,
            schedule=None,
            name="GL",
            language="de",
            day_of_month=2,
            recipients=[personas.viewer],
        )
        other = f"/o/{personas.outsider.organization.slug}/analytics/reports/schedules/{schedule.public_id}/delete/"
        assert personas.client_for(personas.outsider).post(other).status_code == 404
        assert ReportSchedule.objects.filter(pk=schedule.pk).exists()


class TestMailing:
    def test_a_scheduled_report_is_mailed_once_per_month(
        self, personas, october, smtp, django_capture_on_commit_callbacks
    ) -> None:
        services.schedule_save(
            actor=personas.smm,
            schedule=None,
            name="GL",
            language="de",
            day_of_month=2,
            recipients=[personas.viewer],
        )
        assert services.schedules_run(now=datetime(2026, 11, 1, 12, tzinfo=UTC)) == []  # before its day
        with django_capture_on_commit_callbacks(execute=True):
            created = services.schedules_run(now=datetime(2026, 11, 2, 12, tzinfo=UTC))
        assert len(created) == 1
        with smtp.arrived:
            smtp.arrived.wait_for(lambda: smtp.messages, timeout=20)
        message = email.message_from_bytes(smtp.messages[0], policy=policy.default)
        assert message["To"] == personas.viewer.user.email
        assert "10/2026" in message["Subject"]
        (attachment,) = list(message.iter_attachments())
        assert attachment.get_content_type() == "application/pdf"
        assert attachment.get_content().startswith(b"%PDF")
        delivery = ReportDelivery.objects.get()
        assert (delivery.state, delivery.period_start) == ("sent", OCTOBER)
        assert services.schedules_run(now=datetime(2026, 11, 3, 12, tzinfo=UTC)) == []  # not twice

    def test_a_failing_mail_is_retried_and_shown_in_the_history(
        self, personas, october, settings, monkeypatch
    ) -> None:
        monkeypatch.setattr(services, "report_pdf", lambda report: b"%PDF-1.7 (built in the other tests)")
        settings.MAILERS = {  # nothing listens on port 9
            "default": {
                "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
                "OPTIONS": {"host": "127.0.0.1", "port": 9, "timeout": 2},
            }
        }
        delivery = ReportDelivery.objects.create(
            organization=personas.organization,
            period_start=OCTOBER,
            language="en",
            recipients="gf@muster.example",
        )
        with pytest.raises(services.DeliveryFailed):
            services.delivery_send(delivery.pk)
        delivery.refresh_from_db()
        assert (delivery.state, delivery.tries) == ("retrying", 1)
        for _ in range(services.MAX_TRIES - 2):
            with pytest.raises(services.DeliveryFailed):
                services.delivery_send(delivery.pk)
        assert services.delivery_send(delivery.pk) == "failed"
        delivery.refresh_from_db()
        assert (delivery.state, delivery.tries) == ("failed", services.MAX_TRIES)
        page = personas.client_for(personas.viewer).get(url(personas)).content.decode()
        assert "Failed" in page
        assert "after 4 tries" in page

    def test_send_now_to_chosen_people(
        self, personas, october, mailoutbox, django_capture_on_commit_callbacks
    ) -> None:
        with django_capture_on_commit_callbacks(execute=True):
            answer = personas.client_for(personas.cm).post(
                url(personas, "send/"),
                {"month": "2026-10", "language": "en", "send-recipients": [str(personas.viewer.public_id)]},
            )
        assert answer.status_code == 302
        assert len(mailoutbox) == 1
        assert ReportDelivery.objects.get().state == "sent"

    def test_send_now_needs_a_recipient_from_the_organisation(self, personas, october, mailoutbox) -> None:
        answer = personas.client_for(personas.cm).post(
            url(personas, "send/"),
            {"month": "2026-10", "language": "en", "send-recipients": [str(personas.outsider.public_id)]},
        )
        assert answer.status_code == 400
        assert "Choose at least one person" in answer.content.decode()
        assert not mailoutbox
