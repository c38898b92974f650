from __future__ import annotations

import time
from typing import Any

import pyotp
import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from conftest import PASSWORD
from onevoice.accounts import totp
from onevoice.accounts.models import RecoveryCode, TotpDevice, User
from onevoice.core.models import AuditEvent
from onevoice.sso.models import SsoSettings

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clear_cache() -> None:
    cache.clear()


def code_at(user: User, offset_steps: int = 0) -> str:
    device = TotpDevice.objects.get(user=user)
    generator = pyotp.TOTP(device.secret())
    return generator.at(time.time() + offset_steps * generator.interval)


def switch_on(user: User) -> list[str]:
    device = totp.totp_begin(user=user)
    return totp.totp_confirm(user=user, code=pyotp.TOTP(device.secret()).at(time.time() - 30))


def password_step(client: Client, email: str) -> Any:
    return client.post(reverse("accounts:login"), {"username": email, "password": PASSWORD})


class TestSetUp:
    def test_it_shows_a_qr_code_and_the_key_and_switches_on_with_a_code(self, personas: Any) -> None:
        user = personas.cm.user
        client = personas.client_for(personas.cm)
        assert "Off" in client.get(reverse("accounts:two_factor")).content.decode()
        page = client.get(reverse("accounts:two_factor_setup")).content.decode()
        assert "<svg" in page
        secret = TotpDevice.objects.get(user=user).secret()
        assert secret in page
        assert "muster.example" not in secret
        assert secret not in TotpDevice.objects.get(user=user).secret_encrypted
        assert not totp.is_enabled(user)
        response = client.post(reverse("accounts:two_factor_setup"), {"code": pyotp.TOTP(secret).now()})
        assert response.status_code == 200
        codes = response.context["codes"]
        assert len(codes) == 10
        assert len(set(codes)) == 10
        assert all(code in response.content.decode() for code in codes)
        assert totp.is_enabled(user)
        stored = list(RecoveryCode.objects.filter(user=user).values_list("code_hash", flat=True))
        assert len(stored) == 10
        assert not set(codes) & set(stored)
        assert AuditEvent.objects.filter(verb="totp.enabled", actor=user).exists()

    def test_a_wrong_first_code_keeps_it_off(self, personas: Any) -> None:
        client = personas.client_for(personas.cm)
        client.get(reverse("accounts:two_factor_setup"))
        response = client.post(reverse("accounts:two_factor_setup"), {"code": "000000"})
        assert response.status_code == 400
        assert "This code is not right" in response.content.decode()
        assert not totp.is_enabled(personas.cm.user)

    def test_the_page_shows_the_same_key_until_a_new_one_is_asked_for(self, personas: Any) -> None:
        client = personas.client_for(personas.cm)
        client.get(reverse("accounts:two_factor_setup"))
        first = TotpDevice.objects.get(user=personas.cm.user).secret()
        client.get(reverse("accounts:two_factor_setup"))
        assert TotpDevice.objects.get(user=personas.cm.user).secret() == first
        client.post(reverse("accounts:two_factor_setup"), {"restart": "1"})
        assert TotpDevice.objects.get(user=personas.cm.user).secret() != first


class TestLogin:
    def test_the_password_alone_is_not_enough(self, personas: Any) -> None:
        switch_on(personas.cm.user)
        client = Client(HTTP_ACCEPT_LANGUAGE="en")
        response = password_step(client, "cm@muster.example")
        assert response["Location"] == reverse("accounts:login_code")
        assert "_auth_user_id" not in client.session
        assert client.get(reverse("home")).status_code == 302
        response = client.post(reverse("accounts:login_code"), {"code": code_at(personas.cm.user)})
        assert response.status_code == 302
        assert client.session["_auth_user_id"] == str(personas.cm.user.pk)

    def test_a_wrong_code_is_refused(self, personas: Any) -> None:
        switch_on(personas.cm.user)
        client = Client(HTTP_ACCEPT_LANGUAGE="en")
        password_step(client, "cm@muster.example")
        response = client.post(reverse("accounts:login_code"), {"code": "123456"})
        assert response.status_code == 400
        assert "not right or was already used" in response.content.decode()
        assert "_auth_user_id" not in client.session

    def test_a_code_cannot_be_used_twice(self, personas: Any) -> None:
        switch_on(personas.cm.user)
        code = code_at(personas.cm.user)
        first = Client(HTTP_ACCEPT_LANGUAGE="en")
        password_step(first, "cm@muster.example")
        first.post(reverse("accounts:login_code"), {"code": code})
        assert "_auth_user_id" in first.session
        second = Client(HTTP_ACCEPT_LANGUAGE="en")
        password_step(second, "cm@muster.example")
        response = second.post(reverse("accounts:login_code"), {"code": code})
        assert response.status_code == 400
        assert "_auth_user_id" not in second.session

    def test_an_older_code_is_refused_after_a_newer_one(self, personas: Any) -> None:
        switch_on(personas.cm.user)
        assert totp.verify_second_factor(user=personas.cm.user, code=code_at(personas.cm.user, 1)) == "totp"
        assert totp.verify_second_factor(user=personas.cm.user, code=code_at(personas.cm.user, 0)) is None

    def test_a_recovery_code_works_once(self, personas: Any) -> None:
        personas.cm.user.language = "en"  # once logged in, pages speak the person's own language
        personas.cm.user.save(update_fields=["language"])
        codes = switch_on(personas.cm.user)
        client = Client(HTTP_ACCEPT_LANGUAGE="en")
        password_step(client, "cm@muster.example")
        response = client.post(reverse("accounts:login_code"), {"code": codes[3].upper()}, follow=True)
        assert "_auth_user_id" in client.session
        assert "9 are left" in response.content.decode()
        assert AuditEvent.objects.filter(verb="totp.recovery_code_used").exists()
        again = Client(HTTP_ACCEPT_LANGUAGE="en")
        password_step(again, "cm@muster.example")
        assert again.post(reverse("accounts:login_code"), {"code": codes[3]}).status_code == 400

    def test_too_many_wrong_codes_pause_the_second_step(self, personas: Any) -> None:
        switch_on(personas.cm.user)
        client = Client(HTTP_ACCEPT_LANGUAGE="en")
        password_step(client, "cm@muster.example")
        for _ in range(totp.FAILURE_LIMIT):
            client.post(reverse("accounts:login_code"), {"code": "000000"})
        password_step(client, "cm@muster.example")
        response = client.post(reverse("accounts:login_code"), {"code": code_at(personas.cm.user)})
        assert "Too many wrong codes" in response.content.decode()
        assert "_auth_user_id" not in client.session

    def test_the_second_step_expires(self, personas: Any) -> None:
        switch_on(personas.cm.user)
        client = Client(HTTP_ACCEPT_LANGUAGE="en")
        password_step(client, "cm@muster.example")
        session = client.session
        session["onevoice_pending_login"]["until"] = time.time() - 1
        session.save()
        response = client.post(reverse("accounts:login_code"), {"code": code_at(personas.cm.user)})
        assert response["Location"] == reverse("accounts:login")
        assert "_auth_user_id" not in client.session

    def test_without_a_password_there_is_no_second_step(self, personas: Any) -> None:
        response = Client(HTTP_ACCEPT_LANGUAGE="en").post(reverse("accounts:login_code"), {"code": "123456"})
        assert response["Location"] == reverse("accounts:login")


class TestManage:
    def test_new_recovery_codes_replace_the_old_ones(self, personas: Any) -> None:
        old = switch_on(personas.cm.user)
        client = personas.client_for(personas.cm)
        response = client.post(reverse("accounts:two_factor_recovery"), {"code": code_at(personas.cm.user)})
        new = response.context["codes"]
        assert len(new) == 10
        assert not set(new) & set(old)
        assert totp.verify_second_factor(user=personas.cm.user, code=old[0]) is None
        assert AuditEvent.objects.filter(verb="totp.recovery_codes_renewed").exists()

    def test_switching_off_needs_a_code(self, personas: Any) -> None:
        switch_on(personas.cm.user)
        client = personas.client_for(personas.cm)
        response = client.post(reverse("accounts:two_factor_disable"), {"code": "000000"}, follow=True)
        assert "This code is not right" in response.content.decode()
        assert totp.is_enabled(personas.cm.user)
        client.post(reverse("accounts:two_factor_disable"), {"code": code_at(personas.cm.user)})
        assert not totp.is_enabled(personas.cm.user)
        assert not RecoveryCode.objects.filter(user=personas.cm.user).exists()
        assert AuditEvent.objects.filter(verb="totp.disabled").exists()
        assert password_step(Client(HTTP_ACCEPT_LANGUAGE="en"), "cm@muster.example")["Location"] != reverse(
            "accounts:login_code"
        )

    def test_the_profile_links_to_it(self, personas: Any) -> None:
        body = personas.client_for(personas.cm).get(reverse("accounts:profile")).content.decode()
        assert reverse("accounts:two_factor") in body

    def test_people_who_sign_in_only_through_sso_are_not_offered_a_password(self, personas: Any) -> None:
        user = personas.cm.user
        user.set_unusable_password()
        user.save()
        body = personas.client_for(personas.cm).get(reverse("accounts:profile")).content.decode()
        assert reverse("accounts:password_change") not in body
        assert reverse("accounts:two_factor") not in body
        assert 'data-testid="sso-only"' in body


class TestRequiredByTheOrganisation:
    def test_members_without_an_app_set_it_up_at_their_next_login(self, personas: Any) -> None:
        SsoSettings.objects.create(organization=personas.organization, require_totp=True)
        client = Client(HTTP_ACCEPT_LANGUAGE="en")
        response = password_step(client, "cm@muster.example")
        assert response["Location"] == reverse("accounts:login_two_factor_setup")
        assert "_auth_user_id" not in client.session
        page = client.get(response["Location"]).content.decode()
        assert "<svg" in page
        assert "requires a second step" in page
        secret = TotpDevice.objects.get(user=personas.cm.user).secret()
        response = client.post(reverse("accounts:login_two_factor_setup"), {"code": pyotp.TOTP(secret).now()})
        assert response.status_code == 200
        assert len(response.context["codes"]) == 10
        assert client.session["_auth_user_id"] == str(personas.cm.user.pk)
        assert totp.is_enabled(personas.cm.user)

    def test_other_organisations_are_not_affected(self, personas: Any) -> None:
        SsoSettings.objects.create(organization=personas.organization, require_totp=True)
        assert password_step(Client(HTTP_ACCEPT_LANGUAGE="en"), "admin@andere.example")[
            "Location"
        ] == reverse("home")
