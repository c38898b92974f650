"""The case list: who sees what (department isolation), the filters and a constant number of queries."""

from __future__ import annotations

from datetime import timedelta
from uuid import UUID

import pytest
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from conftest import make_user
from onevoice.inbox import selectors
from onevoice.inbox.models import Case, Message, Priority, Reply
from onevoice.inbox.tests.casework import inbox_fixture  # noqa: F401
from onevoice.inbox.tests.factories import make_case, make_tag
from onevoice.organization.access import access_case, visible_cases
from onevoice.organization.models import Membership
from onevoice.organization.roles import Role

pytestmark = pytest.mark.django_db


def _subjects(member: Membership, **filters: object) -> set[str]:
    return {c.subject for c in selectors.cases_for(member, selectors.CaseFilters(**filters))}  # type: ignore[arg-type]


class TestVisibility:
    def test_the_smm_and_the_admin_see_every_case_of_their_organisation_only(self, personas, inbox):
        for member in (personas.smm, personas.admin):
            assert set(visible_cases(member)) == {inbox.marketing, inbox.hr, inbox.central}

    def test_a_cm_sees_their_department_and_the_central_cases_not_hrs(self, personas, inbox):
        assert set(visible_cases(personas.cm)) == {inbox.marketing, inbox.central}

    def test_a_cm_of_hr_does_not_see_marketings_cases(self, personas, inbox):
        user = make_user("cm-hr@muster.example", "Helga Personal")
        hr_cm = Membership.objects.create(organization=personas.organization, user=user, role=Role.CM)
        hr_cm.departments.set([personas.hr])
        assert set(visible_cases(hr_cm)) == {inbox.hr, inbox.central}
        with pytest.raises(Http404):
            access_case(hr_cm, inbox.marketing.public_id)

    def test_a_contributor_sees_their_departments_cases_but_not_the_central_ones(self, personas, inbox):
        assert set(visible_cases(personas.contributor)) == {inbox.hr}

    def test_a_case_assigned_to_someone_is_visible_to_them_whatever_its_department(self, personas, inbox):
        Case.objects.filter(pk=inbox.hr.pk).update(assignee=personas.cm)
        assert inbox.hr in set(visible_cases(personas.cm))

    def test_the_viewer_has_no_inbox_and_the_outsider_sees_only_their_own(self, personas, inbox):
        assert list(visible_cases(personas.viewer)) == []
        assert set(visible_cases(personas.outsider)) == {inbox.foreign}

    def test_a_reviewer_sees_a_case_once_a_reply_waits_for_their_approval(self, personas, inbox):
        assert inbox.hr not in set(visible_cases(personas.reviewer))
        Reply.objects.create(
            case=inbox.hr, author=personas.smm, text="Ja", state=Reply.State.PENDING_APPROVAL
        )
        assert inbox.hr in set(visible_cases(personas.reviewer))


class TestFilters:
    def test_mine_my_department_unassigned_and_overdue(self, personas, inbox):
        Case.objects.filter(pk=inbox.central.pk).update(assignee=personas.cm)
        past = timezone.now() - timedelta(minutes=5)
        Case.objects.filter(pk=inbox.marketing.pk).update(first_response_due=past)
        assert _subjects(personas.cm, view="mine") == {inbox.central.subject}
        assert _subjects(personas.cm, view="department") == {inbox.marketing.subject}
        assert _subjects(personas.cm, view="unassigned") == {inbox.marketing.subject}
        assert _subjects(personas.cm, view="overdue") == {inbox.marketing.subject}

    def test_an_answered_case_is_overdue_only_past_its_resolution_time(self, personas, inbox):
        past = timezone.now() - timedelta(minutes=5)
        Case.objects.filter(pk=inbox.marketing.pk).update(first_response_due=past, first_response_at=past)
        assert _subjects(personas.smm, view="overdue") == set()
        Case.objects.filter(pk=inbox.marketing.pk).update(resolution_due=past)
        assert _subjects(personas.smm, view="overdue") == {inbox.marketing.subject}

    def test_channel_tag_priority_status_and_text(self, personas, inbox):
        tag = make_tag(personas.organization, "Recht")
        inbox.hr.tags.add(tag)
        Case.objects.filter(pk=inbox.central.pk).update(priority=Priority.URGENT, status=Case.Status.CLOSED)
        assert _subjects(personas.smm, channel=inbox.hr_channel) == {inbox.hr.subject}
        assert _subjects(personas.smm, tag=tag) == {inbox.hr.subject}
        assert _subjects(personas.smm, priority=Priority.URGENT) == set()  # closed: not active
        assert _subjects(personas.smm, priority=Priority.URGENT, status="closed") == {inbox.central.subject}
        assert _subjects(personas.smm, q="ausbildung") == {inbox.hr.subject}
        assert _subjects(personas.smm, q="bernd.test") == {inbox.hr.subject}

    def test_most_urgent_first_puts_the_earliest_deadline_on_top(self, personas, inbox):
        soon = timezone.now() + timedelta(minutes=3)
        Case.objects.filter(pk=inbox.central.pk).update(first_response_due=soon)
        rows = list(selectors.cases_for(personas.smm, selectors.CaseFilters(sort="urgent")))
        assert rows[0] == inbox.central


class TestListQueries:
    def test_the_page_costs_the_same_queries_for_five_and_for_forty_cases(self, personas, inbox):
        tag = make_tag(personas.organization, "Lieferung")

        def count() -> int:
            member = Membership.objects.get(pk=personas.cm.pk)
            with CaptureQueriesContext(connection) as queries:
                page = selectors.case_page(member, selectors.CaseFilters(), size=50)
                assert all(row.tags == ["Lieferung"] for row in page.rows if row.snippet.startswith("Frage"))
            return len(queries)

        few = count()
        for n in range(35):
            make_case(inbox.marketing_channel, text=f"Frage {n}", handle=f"person{n}.test", tags=[tag])
        assert count() == few

    def test_a_row_shows_the_latest_inbound_message_and_what_the_case_belongs_to(self, personas, inbox):
        case = inbox.marketing
        later = case.last_message_at + timedelta(minutes=1)
        Message.objects.create(
            case=case,
            channel=case.channel,
            external_id="spaeter",
            kind=case.kind,
            author_id="did:plc:anna",
            author_handle="anna.test",
            author_name="Anna <b>Zweite</b>",
            text="Noch eine Frage " + "x" * 400,
            created_at=later,
        )
        Message.objects.create(
            case=case,
            channel=case.channel,
            external_id="antwort",
            kind=case.kind,
            direction=Message.Direction.OUTBOUND,
            author_id="did:plc:org",
            author_handle="muster.test",
            author_name="Muster GmbH",
            text="Unsere Antwort",
            created_at=later + timedelta(minutes=1),
        )
        case.tags.add(make_tag(personas.organization, "Zeta"), make_tag(personas.organization, "Alpha"))
        Case.objects.filter(pk=case.pk).update(assignee=personas.cm, offensive=True)
        case.refresh_from_db()
        [row] = selectors.case_rows([case.pk])
        assert (row.author_handle, row.author_name) == ("anna.test", "Anna <b>Zweite</b>")
        assert row.snippet == ("Noch eine Frage " + "x" * 400)[:240]
        assert row.tags == ["Alpha", "Zeta"]
        assert (row.channel_name, row.department_name, row.assignee_name) == (
            "Bluesky Marketing",
            "Marketing",
            personas.cm.user.full_name,
        )
        # Read as plain values, typed as the model's own fields are, on SQLite and PostgreSQL alike.
        assert isinstance(row.public_id, UUID)
        assert row.public_id == case.public_id
        assert (row.last_message_at, row.first_response_due, row.resolution_due) == (
            case.last_message_at,
            case.first_response_due,
            case.resolution_due,
        )
        assert row.last_message_at.utcoffset() == timedelta(0)
        assert row.first_response_at is None
        assert row.offensive is True
        assert (row.kind, row.status, row.priority, row.sentiment) == (
            case.kind,
            case.status,
            case.priority,
            case.sentiment,
        )

    @pytest.mark.parametrize("view", selectors.VIEWS)
    def test_the_page_lists_what_the_filters_select_in_order(self, personas, inbox, view):
        """The merged per-status statement gives the same cases, in the same order, as the plain query."""
        tag = make_tag(personas.organization, "Lieferung")
        now = timezone.now()
        for n in range(9):
            make_case(
                (inbox.marketing_channel, inbox.central_channel)[n % 2],
                text=f"Frage {n}",
                handle=f"p{n}.test",
                at=now - timedelta(minutes=n * 5 % 13),
                tags=[tag] if n % 3 else [],
            )
        for n, case in enumerate(Case.objects.order_by("pk")):
            Case.objects.filter(pk=case.pk).update(
                status=("new", "open", "waiting", "closed")[n % 4],
                assignee=personas.cm if n % 2 else None,
                first_response_due=now - timedelta(minutes=1) if n % 3 == 0 else now + timedelta(hours=1),
            )
        for filters in (
            selectors.CaseFilters(view=view),
            selectors.CaseFilters(view=view, tag=tag),
            selectors.CaseFilters(view=view, q="frage"),
        ):
            expected = list(selectors.cases_for(personas.cm, filters, now=now).values_list("pk", flat=True))
            pages = [
                selectors.page_ids(personas.cm, filters, start=start, stop=start + 4, now=now)
                for start in (0, 4, 8)
            ]
            assert [pk for page in pages for pk in page] == expected

    def test_a_view_that_matches_nothing_is_an_empty_page(self, personas, inbox):
        # The SMM belongs to no department: "my department" selects nothing before any row is read.
        personas.smm.departments.clear()
        page = selectors.case_page(personas.smm, selectors.CaseFilters(view="department"))
        assert (page.rows, page.has_next, page.total) == ([], False, 0)

    def test_rows_keep_the_order_asked_for_and_skip_deleted_cases(self, personas, inbox):
        ids = [inbox.hr.pk, inbox.central.pk, inbox.marketing.pk]
        Case.objects.filter(pk=inbox.central.pk).delete()
        assert [row.pk for row in selectors.case_rows(ids)] == [inbox.hr.pk, inbox.marketing.pk]
        assert selectors.case_rows([]) == []

    def test_the_page_knows_whether_there_is_a_next_one(self, personas, inbox):
        for n in range(4):
            make_case(inbox.central_channel, text=f"Frage {n}", handle=f"p{n}.test")
        # Active cases of three statuses: the page merges one ordered query per status.
        for n, case in enumerate(Case.objects.order_by("pk")):
            Case.objects.filter(pk=case.pk).update(
                status=("new", "open", "waiting")[n % 3],
                last_message_at=timezone.now() - timedelta(minutes=n * 7 % 11),
            )
        page = selectors.case_page(personas.smm, selectors.CaseFilters(), size=3)
        assert (len(page.rows), page.has_next, page.total) == (3, True, None)
        second = selectors.case_page(personas.smm, selectors.CaseFilters(), number=2, size=3)
        last = selectors.case_page(personas.smm, selectors.CaseFilters(), number=3, size=3)
        assert (len(last.rows), last.has_next, last.has_previous, last.total) == (1, False, True, 7)
        shown = [c.pk for p in (page, second, last) for c in p.rows]
        assert shown == list(
            selectors.cases_for(personas.smm, selectors.CaseFilters()).values_list("pk", flat=True)
        )

    def test_the_sla_shows_the_deadline_that_counts_now(self, personas, inbox):
        now = timezone.now()
        case = inbox.marketing
        selectors.decorate_sla(case, now)
        assert case.sla_kind == "first"
        assert not case.sla_overdue
        case.first_response_at = now
        case.resolution_due = now - timedelta(minutes=1)
        selectors.decorate_sla(case, now)
        assert case.sla_kind == "resolution"
        assert case.sla_overdue
