from __future__ import annotations

import pytest
from django.conf import settings
from django.core import mail
from django.test import Client
from django.urls import reverse

from conftest import PASSWORD
from onevoice.accounts.models import User

pytestmark = pytest.mark.django_db


class TestLogin:
    def test_it_logs_in_with_email_and_uses_the_profile_language(self, personas) -> None:
        user = personas.cm.user
        user.language = "en"
        user.save()
        client = Client()
        response = client.post(
            reverse("accounts:login"), {"username": "CM@muster.example", "password": PASSWORD}
        )
        assert response.status_code == 302
        assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
        assert "Overview" in client.get(response["Location"], follow=True).content.decode()

    def test_a_wrong_password_gives_a_clear_message(self, personas) -> None:
        response = Client().post(
            reverse("accounts:login"),
            {"username": "cm@muster.example", "password": "falsch"},
            HTTP_ACCEPT_LANGUAGE="en",
        )
        assert response.status_code == 200
        assert "is not right" in response.content.decode()

    def test_repeated_failures_pause_logging_in(self, personas) -> None:
        client = Client(HTTP_ACCEPT_LANGUAGE="en")
        for _ in range(settings.AXES_FAILURE_LIMIT):
            client.post(reverse("accounts:login"), {"username": "cm@muster.example", "password": "falsch"})
        response = client.post(
            reverse("accounts:login"), {"username": "cm@muster.example", "password": PASSWORD}
        )
        assert response.status_code == 429
        assert "paused for 15 minutes" in response.content.decode()
        assert "_auth_user_id" not in client.session

    def test_the_login_page_is_german_by_default(self, db) -> None:
        body = Client().get(reverse("accounts:login")).content.decode()
        assert 'lang="de"' in body
        assert "Anmelden" in body


class TestLanguageSwitch:
    def test_it_switches_for_visitors_and_stays(self, db) -> None:
        client = Client()
        response = client.post(reverse("accounts:language"), {"language": "en", "next": "/accounts/login/"})
        assert response.status_code == 302
        assert "Log in" in client.get("/accounts/login/").content.decode()

    def test_it_becomes_the_profile_language_of_a_logged_in_person(self, personas) -> None:
        client = personas.client_for(personas.cm, language="de")
        client.post(reverse("accounts:language"), {"language": "en", "next": "/"})
        personas.cm.user.refresh_from_db()
        assert personas.cm.user.language == "en"

    def test_it_does_not_redirect_to_other_sites(self, db) -> None:
        response = Client().post(
            reverse("accounts:language"), {"language": "en", "next": "https://evil.example/"}
        )
        assert response["Location"] == "/"


class TestPasswordReset:
    def test_it_mails_a_link_that_sets_a_new_password(self, personas) -> None:
        client = Client()
        client.post(reverse("accounts:password_reset"), {"email": "cm@muster.example"})
        assert len(mail.outbox) == 1
        link = next(line for line in mail.outbox[0].body.splitlines() if "/password/reset/" in line)
        path = link.split("://", 1)[1].split("/", 1)[1]
        response = client.get("/" + path, follow=True)
        assert response.status_code == 200
        response = client.post(
            response.redirect_chain[-1][0],
            {"new_password1": "Neues-Passwort-99", "new_password2": "Neues-Passwort-99"},
        )
        assert response.status_code == 302
        response = Client().post(
            reverse("accounts:login"), {"username": "cm@muster.example", "password": "Neues-Passwort-99"}
        )
        assert response.status_code == 302

    def test_an_unknown_address_reveals_nothing(self, db) -> None:
        response = Client().post(reverse("accounts:password_reset"), {"email": "niemand@example.org"})
        assert response.status_code == 302
        assert len(mail.outbox) == 0


class TestProfile:
    def test_it_saves_name_language_and_time_zone(self, personas) -> None:
        client = personas.client_for(personas.cm)
        response = client.post(
            reverse("accounts:profile"),
            {"full_name": "Chris C.", "language": "en", "time_zone": "Europe/Vienna"},
        )
        assert response.status_code == 302
        user = User.objects.get(pk=personas.cm.user.pk)
        assert (user.full_name, user.language, user.time_zone) == ("Chris C.", "en", "Europe/Vienna")

    def test_a_wrong_time_zone_is_refused_and_the_name_kept(self, personas) -> None:
        client = personas.client_for(personas.cm)
        response = client.post(
            reverse("accounts:profile"), {"full_name": "Chris Neu", "language": "en", "time_zone": "Berlin"}
        )
        assert response.status_code == 400
        assert "is not a known time zone" in response.content.decode()
        assert 'value="Chris Neu"' in response.content.decode()

    def test_times_are_shown_in_the_persons_time_zone(self, personas) -> None:
        personas.cm.user.time_zone = "America/New_York"
        personas.cm.user.save()
        client = personas.client_for(personas.cm)
        response = client.get(reverse("accounts:profile"))
        assert response.context["TIME_ZONE"] == "America/New_York"
