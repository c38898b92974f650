"""The session store: Django's database sessions, read with a written-out statement."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from conftest import PASSWORD
from onevoice.accounts.sessions import SessionStore

pytestmark = pytest.mark.django_db


def test_it_is_the_configured_engine() -> None:
    assert settings.SESSION_ENGINE == "onevoice.accounts.sessions"


def test_a_stored_session_is_read_back() -> None:
    store = SessionStore()
    store["answer"] = 42
    store.create()
    again = SessionStore(session_key=store.session_key)
    assert again["answer"] == 42


def test_an_expired_or_unknown_session_is_empty_and_gets_a_new_key() -> None:
    store = SessionStore()
    store["answer"] = 42
    store.create()
    Session.objects.filter(pk=store.session_key).update(expire_date=timezone.now() - timedelta(seconds=1))
    expired = SessionStore(session_key=store.session_key)
    assert expired.get("answer") is None
    assert expired.session_key is None
    assert SessionStore(session_key="x" * 32).get("answer") is None


def test_login_keeps_a_person_signed_in_until_logout(personas) -> None:
    client = Client()
    overview = reverse("organization:overview", args=[personas.organization.slug])
    client.post(reverse("accounts:login"), {"username": personas.cm.user.email, "password": PASSWORD})
    assert client.get(overview).status_code == 200
    client.post(reverse("accounts:logout"))
    assert client.get(overview).status_code == 302
