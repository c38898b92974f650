from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from django.test import override_settings

from onevoice.accounts.models import User
from onevoice.cli import describe_database, describe_queue, main, without_password

REPO = Path(__file__).resolve().parents[3]


class TestCheck:
    def test_it_prints_the_configuration(self, capsys: pytest.CaptureFixture[str]) -> None:
        key = Fernet.generate_key().decode()
        with override_settings(ENCRYPTION_KEYS=[key, Fernet.generate_key().decode()]):
            assert main(["check"]) == 0
        out = capsys.readouterr().out
        assert "database:" in out
        assert "queue:" in out
        assert "mail:" in out
        assert "encryption keys: 2 (valid; the first one encrypts)" in out
        assert "secret key:" in out
        assert out.rstrip().endswith("OK")
        assert key not in out

    def test_it_fails_on_an_encryption_key_that_is_not_a_fernet_key(
        self, capsys: pytest.CaptureFixture[str]
    ) -> None:
        with override_settings(ENCRYPTION_KEYS=[Fernet.generate_key().decode(), "not-a-key"]):
            assert main(["check"]) == 1
        assert "key 2 of ONEVOICE_ENCRYPTION_KEYS is not a Fernet key" in capsys.readouterr().err

    def test_it_hides_passwords_in_the_database_and_redis_addresses(self) -> None:
        database = {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": "onevoice",
            "HOST": "db.internal",
            "PORT": 5432,
            "USER": "ov",
            "PASSWORD": "geheim-1",
        }
        huey = {"huey_class": "huey.RedisHuey", "url": "redis://:geheim-2@cache.internal:6379/0"}
        assert describe_database(database) == "PostgreSQL, database onevoice on db.internal:5432, user ov"
        assert describe_queue(huey) == "Redis, redis://:***@cache.internal:6379/0"

    def test_it_refuses_an_incomplete_production_configuration(self, tmp_path: Path) -> None:
        env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("ONEVOICE_", "DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE"))
        }
        env |= {"ONEVOICE_ENV": "production", "ONEVOICE_DATA_DIR": str(tmp_path)}
        result = subprocess.run(
            [sys.executable, "-m", "onevoice.cli", "check"],
            cwd=REPO,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert result.returncode == 1
        assert "ONEVOICE_SECRET_KEY is not set" in result.stderr
        assert "Traceback" not in result.stderr


def test_without_password_keeps_everything_but_the_password() -> None:
    assert without_password("redis://user:pw@host:6379/1") == "redis://user:***@host:6379/1"
    assert without_password("redis://host:6379") == "redis://host:6379"


@pytest.mark.django_db
class TestCreateAdmin:
    def test_it_creates_a_superuser(self, capsys: pytest.CaptureFixture[str]) -> None:
        code = main(
            [
                "createadmin",
                "--email",
                "IT@Firma.example",
                "--name",
                "Ina Technik",
                "--password",
                "Sicheres-Passwort-9",
            ]
        )
        assert code == 0
        user = User.objects.get(email="it@firma.example")
        assert (user.full_name, user.is_superuser, user.is_staff) == ("Ina Technik", True, True)
        assert user.check_password("Sicheres-Passwort-9")
        assert "it@firma.example" in capsys.readouterr().out

    def test_it_refuses_without_a_password_when_there_is_no_terminal(
        self, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setattr(sys, "stdin", io.StringIO(""))
        monkeypatch.delenv("ONEVOICE_ADMIN_PASSWORD", raising=False)
        assert main(["createadmin", "--email", "it@firma.example", "--name", "Ina Technik"]) == 1
        assert "--password" in capsys.readouterr().err
        assert not User.objects.exists()

    def test_it_takes_the_password_from_the_environment(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setattr(sys, "stdin", io.StringIO(""))
        monkeypatch.setenv("ONEVOICE_ADMIN_PASSWORD", "Sicheres-Passwort-9")
        assert main(["createadmin", "--email", "it@firma.example", "--name", "Ina Technik"]) == 0
        assert User.objects.get(email="it@firma.example").check_password("Sicheres-Passwort-9")

    def test_it_explains_a_password_that_is_too_short(self, capsys: pytest.CaptureFixture[str]) -> None:
        assert (
            main(["createadmin", "--email", "it@firma.example", "--name", "Ina", "--password", "kurz"]) == 1
        )
        assert "too short" in capsys.readouterr().err
        assert not User.objects.exists()

    def test_it_refuses_an_address_that_already_has_an_account(
        self, capsys: pytest.CaptureFixture[str]
    ) -> None:
        User.objects.create_user("it@firma.example", "Sicheres-Passwort-9", full_name="Ina Technik")
        code = main(
            ["createadmin", "--email", "it@firma.example", "--name", "Ina", "--password", "Anderes-Pw-123"]
        )
        assert code == 1
        assert capsys.readouterr().err.strip()


class TestGenkey:
    def test_it_prints_a_fernet_key(self, capsys: pytest.CaptureFixture[str]) -> None:
        assert main(["genkey"]) == 0
        key = capsys.readouterr().out.strip()
        assert Fernet(key.encode()).decrypt(Fernet(key.encode()).encrypt(b"x")) == b"x"

    def test_it_prints_a_long_secret_key(self, capsys: pytest.CaptureFixture[str]) -> None:
        assert main(["genkey", "--secret-key"]) == 0
        assert len(capsys.readouterr().out.strip()) >= 50


class TestChannelsCommand:
    def test_it_lists_and_verifies_channels(self, personas, scripted, capsys) -> None:
        from onevoice.networks import services as channel_services

        channel = channel_services.channel_connect_bluesky(
            actor=personas.smm,
            name="Bluesky Muster",
            department=None,
            identifier="muster.test",
            app_password="pw",
            service="https://bsky.social",
        )
        assert main(["channels"]) == 0
        out = capsys.readouterr().out
        assert "Bluesky Muster" in out
        assert "connected" in out
        assert main(["channels", "verify", str(channel.public_id)]) == 0
        assert "ok (muster.test)" in capsys.readouterr().out

    def test_verify_reports_a_revoked_login(self, personas, scripted, capsys) -> None:
        from onevoice.networks import services as channel_services
        from onevoice.networks.connectors.base import AuthExpired

        channel_services.channel_connect_bluesky(
            actor=personas.smm,
            name="Bluesky Muster",
            department=None,
            identifier="muster.test",
            app_password="pw",
            service="https://bsky.social",
        )
        scripted.fail_verify = AuthExpired()
        assert main(["channels", "verify"]) == 1
        assert "FAILED" in capsys.readouterr().out


class TestRotateKeys:
    def test_credentials_stay_readable_after_rotation(self, personas, scripted, settings) -> None:
        from cryptography.fernet import Fernet

        from onevoice.networks import services as channel_services
        from onevoice.networks.models import Channel

        old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
        settings.ENCRYPTION_KEYS = [old]
        channel_services.channel_connect_bluesky(
            actor=personas.smm,
            name="B",
            department=None,
            identifier="muster.test",
            app_password="geheim",
            service="https://bsky.social",
        )
        settings.ENCRYPTION_KEYS = [new, old]
        assert main(["rotatekeys"]) == 0
        settings.ENCRYPTION_KEYS = [new]
        assert Channel.objects.get().credentials["app_password"] == "geheim"
