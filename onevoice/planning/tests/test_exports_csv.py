from __future__ import annotations

import csv
import io
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from conftest import make_user
from onevoice.core.models import AuditEvent
from onevoice.networks import services as channel_services
from onevoice.networks.models import Channel
from onevoice.organization import services as org_services
from onevoice.organization.models import default_business_hours
from onevoice.planning import csv_import
from onevoice.planning.models import Campaign, Post, Topic
from onevoice.planning.tests.conftest import later
from onevoice.planning.tests.exports_helpers import planned

pytestmark = pytest.mark.django_db
BERLIN = ZoneInfo("Europe/Berlin")
S = Post.Status
HEADER = "Date,Time,Title,Department,Campaign,Topic,Status,Channel,Text,Link,Owner e-mail,Post ID"


def url(name: str, org) -> str:
    return reverse(f"planning:{name}", args=[org.slug])


def download(client, org, **query) -> list[dict[str, str]]:
    response = client.get(url("plan-csv", org), query)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(body.removeprefix("\ufeff"))))


def upload(client, org, text: str, *, encoding: str = "utf-8-sig", name: str = "plan.csv"):
    file = SimpleUploadedFile(name, text.encode(encoding), content_type="text/csv")
    return client.post(url("plan-import", org), {"file": file})


def confirm(client, org, response):
    return client.post(
        url("plan-import", org), {"confirm": "1", "digest": response.context["digest"]}, follow=True
    )


def day(days: int = 3) -> str:
    return later(days=days).date().isoformat()


def row(
    title: str = "Sommerfest",
    *,
    date_: str | None = None,
    time_: str = "10:00",
    department: str = "Marketing",
    channel: str = "Newsroom Marketing",
    text: str = "Wir feiern!",
    campaign: str = "",
    topic: str = "",
    link: str = "",
) -> str:
    cells = [date_ if date_ is not None else day(), time_, title, department, campaign, topic, "", channel]
    cells += [text, link, "", ""]
    out = io.StringIO()
    csv.writer(out).writerow(cells)
    return out.getvalue()


def file_of(*rows: str) -> str:
    return HEADER + "\r\n" + "".join(rows)


class TestExport:
    @pytest.mark.parametrize(
        ("persona", "status"),
        [("admin", 200), ("smm", 200), ("cm", 200), ("contributor", 200), ("reviewer", 200), ("viewer", 200)],
    )
    def test_everyone_who_sees_the_plan_may_export_it(self, personas, persona, status) -> None:
        response = personas.client_for(getattr(personas, persona)).get(url("plan-csv", personas.organization))
        assert response.status_code == status

    def test_the_outsider_gets_nothing(self, personas) -> None:
        response = personas.client_for(personas.outsider).get(url("plan-csv", personas.organization))
        assert response.status_code == 404

    def test_one_row_per_variant_in_the_organisations_time(self, personas, channels) -> None:
        campaign = Campaign.objects.create(
            organization=personas.organization,
            name="Herbst",
            starts_on=date(2027, 1, 1),
            ends_on=date(2027, 12, 1),
        )
        topic = Topic.objects.create(organization=personas.organization, name="Produkte")
        post = planned(
            personas.smm,
            personas.marketing,
            channels,
            title="Launch",
            at=datetime(2027, 3, 28, 3, 30, tzinfo=BERLIN),
            text="Da!",
            campaign=campaign,
            topic=topic,
            status=S.SCHEDULED,
        )
        rows = download(personas.client_for(personas.viewer), personas.organization)
        assert [r["Channel"] for r in rows] == ["Newsroom Karriere", "Newsroom Marketing"]
        first = rows[0]
        assert list(first) == HEADER.split(",")
        assert first["Date"] == "2027-03-28"
        assert first["Time"] == "03:30"
        assert (first["Title"], first["Department"], first["Campaign"], first["Topic"]) == (
            "Launch",
            "Marketing",
            "Herbst",
            "Produkte",
        )
        assert first["Status"] == "Scheduled"
        assert first["Text"] == "Da!"
        assert first["Owner e-mail"] == "smm@muster.example"
        assert first["Post ID"] == str(post.public_id)

    def test_an_idea_without_channels_has_one_row_without_date(self, personas, channels) -> None:
        planned(personas.smm, personas.marketing, [], title="Idee", text="Vielleicht", unscheduled=True)
        [only] = download(personas.client_for(personas.cm), personas.organization)
        assert (only["Date"], only["Time"], only["Channel"], only["Text"]) == ("", "", "", "Vielleicht")

    def test_cells_that_would_run_as_formulas_are_defused(self, personas, channels) -> None:
        planned(personas.smm, personas.marketing, channels[:1], title="=HYPERLINK(1)", text="@alle -wichtig")
        [only] = download(personas.client_for(personas.cm), personas.organization)
        assert only["Title"] == "'=HYPERLINK(1)"
        assert only["Text"] == "'@alle -wichtig"

    def test_the_calendar_filters_apply(self, personas, channels) -> None:
        planned(
            personas.smm, personas.marketing, channels[:1], title="M", at=later(days=3), status=S.SCHEDULED
        )
        planned(personas.smm, personas.hr, channels, title="P", at=later(days=10), status=S.DRAFT)
        client = personas.client_for(personas.cm)
        org = personas.organization

        def titles(**query) -> list[tuple[str, str]]:
            return [(r["Title"], r["Channel"]) for r in download(client, org, **query)]

        assert titles(department=str(personas.hr.public_id)) == [
            ("P", "Newsroom Karriere"),
            ("P", "Newsroom Marketing"),
        ]
        # With a channel filter only that channel's variants are listed.
        assert titles(channel=str(channels[0].public_id)) == [
            ("M", "Newsroom Marketing"),
            ("P", "Newsroom Marketing"),
        ]
        assert titles(status="scheduled") == [("M", "Newsroom Marketing")]
        assert titles(**{"from": day(5)}) == [("P", "Newsroom Karriere"), ("P", "Newsroom Marketing")]
        assert titles(to=day(3)) == [("M", "Newsroom Marketing")]
        assert titles(status=["scheduled", "draft"], department="not-an-id") == titles()

    def test_queries_do_not_grow_with_the_plan(
        self, personas, channels, django_assert_max_num_queries
    ) -> None:
        for n in range(25):
            planned(personas.smm, personas.marketing, channels, title=f"P{n}", at=later(days=2 + n % 9))
        client = personas.client_for(personas.cm)
        with django_assert_max_num_queries(14):
            rows = download(client, personas.organization)
        assert len(rows) == 50


class TestImportPermissions:
    @pytest.mark.parametrize(
        ("persona", "status"),
        [
            ("admin", 200),
            ("smm", 200),
            ("cm", 200),
            ("contributor", 200),
            ("reviewer", 404),
            ("viewer", 404),
            ("outsider", 404),
        ],
    )
    def test_who_may_import(self, personas, persona, status) -> None:
        response = personas.client_for(getattr(personas, persona)).get(
            url("plan-import", personas.organization)
        )
        assert response.status_code == status

    def test_a_viewer_cannot_upload_either(self, personas, channels) -> None:
        response = upload(personas.client_for(personas.viewer), personas.organization, file_of(row()))
        assert response.status_code == 404
        assert not Post.objects.exists()

    def test_a_contributor_imports_only_for_their_own_department(self, personas, channels) -> None:
        client = personas.client_for(personas.contributor)
        org = personas.organization
        response = upload(client, org, file_of(row(department="Marketing", channel="Newsroom Karriere")))
        assert response.status_code == 400
        assert "You can only plan posts for your own departments" in response.content.decode()
        response = upload(client, org, file_of(row(department="Personal", channel="Newsroom Karriere")))
        assert response.status_code == 200
        confirm(client, org, response)
        post = Post.objects.get()
        assert (post.owner, post.department) == (personas.contributor, personas.hr)

    def test_a_cm_imports_for_marketing_but_not_for_hr(self, personas, channels) -> None:
        client = personas.client_for(personas.cm)
        response = upload(client, personas.organization, file_of(row(), row("B", department="Personal")))
        assert response.status_code == 400
        assert not Post.objects.exists()


class TestImportPreview:
    @pytest.fixture
    def client(self, personas, channels):
        return personas.client_for(personas.smm)

    def preview(self, client, personas, text: str, **kwargs) -> tuple[int, csv_import.ImportPreview, str]:
        response = upload(client, personas.organization, text, **kwargs)
        return response.status_code, response.context.get("preview"), response.content.decode()

    def test_wrong_columns_name_the_expected_header(self, client, personas) -> None:
        # Headings in neither language (German ones such as "Datum" are understood, see below).
        status, preview, page = self.preview(client, personas, "Tag,Überschrift,Netz\r\n2027-01-01,x,y\r\n")
        assert status == 400
        assert preview.problem.startswith(
            f"The first line must name the columns: {HEADER.replace(',', ', ')}"
        )
        assert "Missing: Date, Time, Title, Department, Channel, Text." in preview.problem
        assert "Not known: Tag, Überschrift, Netz." in preview.problem
        assert "This file cannot be imported." in page
        assert not Post.objects.exists()

    def test_an_empty_file_is_explained(self, client, personas) -> None:
        _status, preview, _page = self.preview(client, personas, "")
        assert "The file is empty" in preview.problem

    def test_a_header_without_rows_is_explained(self, client, personas) -> None:
        _status, preview, _page = self.preview(client, personas, HEADER + "\r\n")
        assert "no rows" in preview.problem

    def test_every_bad_row_is_listed_and_nothing_is_imported(self, client, personas) -> None:
        past = (datetime.now(BERLIN) - timedelta(days=2)).date().isoformat()
        text = file_of(
            row("Gut"),
            row("Datum", date_="31.02.2027"),
            row("Zeit", time_="25:99"),
            row("Kanal", channel="Instagram"),
            row("Abteilung", department="Vertrieb"),
            row("Vergangen", date_=past),
            row("Link", link="kein link"),
            row("Kampagne", campaign="Gibt es nicht"),
            row("Keine Abteilung", department=""),
        )
        status, preview, page = self.preview(client, personas, text)
        assert status == 400
        errors = {r.values["title"]: r.errors for r in preview.rows}
        assert errors["Gut"] == []
        assert errors["Datum"] == ["“31.02.2027” is not a date. Write dates as 2027-03-28 or 28.03.2027."]
        assert errors["Zeit"] == ["“25:99” is not a time of day. Write times as 09:30."]
        assert errors["Kanal"] == [
            "There is no channel “Instagram” you can plan for. "
            "Your channels: Newsroom Karriere, Newsroom Marketing."
        ]
        assert errors["Abteilung"] == ["There is no department “Vertrieb”. Departments: Marketing, Personal."]
        assert "is in the past. Choose a later time." in errors["Vergangen"][0]
        assert errors["Link"] == ["The link “kein link” is not a web address."]
        assert errors["Kampagne"] == ["There is no campaign “Gibt es nicht”. Campaigns: —."]
        assert errors["Keine Abteilung"] == ["Name the department the post belongs to."]
        assert [r.line for r in preview.bad_rows] == [3, 4, 5, 6, 7, 8, 9, 10]
        assert "8 of 9 lines have errors. Nothing was imported" in page
        assert "Import 1 post" not in page
        assert not Post.objects.exists()

    def test_a_time_the_clocks_jump_over_is_refused(self, client, personas) -> None:
        _status, preview, _page = self.preview(
            client, personas, file_of(row(date_="2027-03-28", time_="02:30"))
        )
        [error] = preview.rows[0].errors
        assert error.startswith("02:30 on ")
        assert "does not exist in Europe/Berlin" in error

    def test_a_text_over_the_networks_limit_is_refused(self, client, personas, scripted) -> None:
        Channel.objects.create(organization=personas.organization, network="bluesky", name="Bluesky")
        text = file_of(row(channel="Bluesky", text="x" * 301), row("Kurz", channel="Bluesky", text="x" * 300))
        _status, preview, _page = self.preview(client, personas, text)
        assert preview.rows[0].errors == ["Bluesky: The text has 301 characters; Bluesky allows at most 300."]
        assert preview.rows[1].errors == []

    def test_rows_of_one_post_must_agree(self, client, personas) -> None:
        text = file_of(
            row("Fest", channel="Newsroom Marketing"),
            row("Fest", channel="Newsroom Marketing"),
            row("Fest", channel="Newsroom Karriere", department="Personal"),
        )
        _status, preview, _page = self.preview(client, personas, text)
        assert preview.rows[1].errors == ["Line 2 already plans this post for Newsroom Marketing."]
        assert preview.rows[2].errors == [
            "Line 2 plans the same post (title, date and time) for another department."
        ]

    def test_a_post_already_in_the_plan_is_not_imported_twice(self, client, personas, channels) -> None:
        planned(personas.smm, personas.marketing, channels[:1], title="Schon da")
        exported = download(client, personas.organization)
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=list(exported[0]))
        writer.writeheader()
        writer.writerows(exported)
        _status, preview, _page = self.preview(client, personas, out.getvalue())
        assert (
            preview.rows[0].errors[0].startswith("This is the post “Schon da”, which is already in the plan.")
        )

    def test_a_good_file_is_previewed_then_imported_as_drafts(self, client, personas, channels) -> None:
        text = file_of(
            row("Fest", time_="10:00", channel="Newsroom Marketing", text="Kommt alle!"),
            row(
                "Fest",
                time_="10:00",
                channel="Newsroom Karriere",
                text="Auch Bewerber!",
                link="https://muster.example/jobs",
            ),
            row("Idee", date_="", time_="", channel=""),
        )
        response = upload(client, personas.organization, text)
        assert response.status_code == 200
        page = response.content.decode()
        assert "All 3 lines are fine. They make 2 posts." in page
        assert "Import 2 posts" in page
        assert not Post.objects.exists()  # the preview writes nothing

        done = confirm(client, personas.organization, response)
        assert "2 posts are in the plan as drafts." in done.content.decode()
        fest = Post.objects.get(title="Fest")
        assert fest.status == S.DRAFT
        assert fest.owner == personas.smm
        assert fest.publish_at == later(days=3).replace(hour=10)
        assert fest.base_text == "Kommt alle!"
        variants = {v.channel.name: (v.text, v.link) for v in fest.variants.select_related("channel")}
        assert variants == {
            "Newsroom Marketing": ("Kommt alle!", ""),
            "Newsroom Karriere": ("Auch Bewerber!", "https://muster.example/jobs"),
        }
        idea = Post.objects.get(title="Idee")
        assert (idea.status, idea.publish_at, idea.variants.count()) == (S.IDEA, None, 0)
        event = AuditEvent.objects.get(verb="plan.imported")
        assert event.after == {"file": "plan.csv", "posts": 2, "rows": 3}
        # The stored file is gone: confirming again imports nothing more.
        again = confirm(client, personas.organization, response)
        assert "Upload it again" in again.content.decode()
        assert Post.objects.count() == 2

    def test_semicolons_windows_encoding_and_german_dates_are_read(self, client, personas) -> None:
        future = later(days=4)
        text = HEADER.replace(",", ";") + "\r\n"
        text += (
            f"{future:%d.%m.%Y};9.15;Grüße aus München;marketing;;;;newsroom marketing;Schöne Grüße;;;\r\n"
        )
        response = upload(client, personas.organization, text, encoding="cp1252")
        assert response.status_code == 200, response.context["preview"].rows[0].errors
        confirm(client, personas.organization, response)
        post = Post.objects.get()
        assert post.title == "Grüße aus München"
        assert post.publish_at == future.replace(hour=9, minute=15)

    def test_a_confirmation_for_another_file_is_refused(self, client, personas) -> None:
        response = upload(client, personas.organization, file_of(row()))
        done = client.post(
            url("plan-import", personas.organization), {"confirm": "1", "digest": "x"}, follow=True
        )
        assert "Upload it again" in done.content.decode()
        assert not Post.objects.exists()
        assert response.status_code == 200

    def test_a_change_between_preview_and_confirm_is_caught(self, client, personas, channels) -> None:
        response = upload(client, personas.organization, file_of(row()))
        Channel.objects.filter(pk=channels[0].pk).update(name="Umbenannt")
        refused = confirm(client, personas.organization, response)
        assert refused.status_code == 400
        assert "Nothing was imported" in refused.content.decode()
        assert not Post.objects.exists()

    def test_a_file_over_two_megabytes_is_refused(self, client, personas) -> None:
        response = upload(client, personas.organization, HEADER + "\r\n" + "x" * 2_000_001)
        assert response.status_code == 400
        assert "at most 2000 KB can be imported" in response.content.decode()


class TestRoundTrip:
    def test_export_then_import_into_a_fresh_organisation_gives_the_same_plan(
        self, personas, channels
    ) -> None:
        org = personas.organization
        campaign = Campaign.objects.create(
            organization=org, name="Herbst", starts_on=date(2027, 1, 1), ends_on=date(2027, 12, 31)
        )
        topic = Topic.objects.create(organization=org, name="Karriere")
        first = planned(
            personas.smm,
            personas.hr,
            channels,
            title="Ausbildung 2027",
            at=later(days=6, hour=8),
            text='-Jetzt bewerben!\nMit "Zitat", Komma; und Umlauten: äöüß',
            campaign=campaign,
            topic=topic,
            status=S.SCHEDULED,
        )
        from onevoice.planning import services

        variant = first.variants.get(channel=channels[0])
        services.variant_update(
            actor=personas.smm,
            variant=variant,
            expected_version=first.version,
            text="=Eigener Text",
            link="https://muster.example/a",
            language="de",
        )
        planned(personas.smm, personas.marketing, channels[:1], title="Ohne Kampagne", at=later(days=9))
        planned(personas.smm, personas.marketing, [], title="Nur eine Idee", text="Später", unscheduled=True)

        response = personas.client_for(personas.smm).get(url("plan-csv", org))
        exported = b"".join(response.streaming_content).decode("utf-8")
        # The fresh organisation knows the same names but none of the posts.
        fresh_admin = org_services.organization_create(
            creator=make_user("admin@neu.example", "Nora Neu"),
            name="Neu GmbH",
            time_zone="Europe/Berlin",
            form_of_address="sie",
            model="decentral",
            business_hours=default_business_hours(),
            departments=[
                org_services.DepartmentProposal("Marketing"),
                org_services.DepartmentProposal("Personal"),
            ],
        )
        fresh = fresh_admin.organization
        for name, department in (("Newsroom Marketing", "Marketing"), ("Newsroom Karriere", "Personal")):
            channel_services.channel_create_newsroom(
                actor=fresh_admin, name=name, department=fresh.departments.get(name=department)
            )
        Campaign.objects.create(
            organization=fresh, name="Herbst", starts_on=date(2027, 1, 1), ends_on=date(2027, 12, 31)
        )
        Topic.objects.create(organization=fresh, name="Karriere")
        # Post IDs of another organisation are not "already in the plan" here.
        client = personas.client_for(fresh_admin)
        preview = upload(client, fresh, exported.removeprefix("\ufeff"))
        assert preview.status_code == 200, [r.errors for r in preview.context["preview"].rows]
        confirm(client, fresh, preview)

        def plan(of) -> list[tuple]:
            return sorted(
                (
                    p.title,
                    p.department.name,
                    p.campaign.name if p.campaign else None,
                    p.topic.name if p.topic else None,
                    p.publish_at,
                    p.base_text,
                    tuple(sorted((v.channel.name, v.text, v.link) for v in p.variants.all())),
                )
                for p in Post.objects.filter(organization=of).prefetch_related("variants__channel")
            )

        assert plan(fresh) == plan(org)
        assert len(plan(fresh)) == 3
