"""The `onevoice` command: run the app on a laptop, run its parts in production, and look after it.

`onevoice up` and `onevoice demo` supervise the web server and one worker in the foreground;
`onevoice web` and `onevoice worker` are the single processes a production set-up runs many of.
"""

from __future__ import annotations

import argparse
import contextlib
import getpass
import logging
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from types import FrameType
from typing import Any
from urllib.parse import urlsplit, urlunsplit

BASE_DIR = Path(__file__).resolve().parent.parent
DEMO_DATA_DIR = BASE_DIR / "data" / "demo"
# Marks a data dir as the demo's: the demo runs (and `--reset` deletes) only there or in an empty one.
DEMO_MARKER = ".onevoice-demo"
STOP_TIMEOUT = 10.0


def say(german: str, english: str = "", *, err: bool = False) -> None:
    """Print a short message, German first and then English, the way every OneVoice command talks."""
    stream = sys.stderr if err else sys.stdout
    print(german, file=stream)
    if english:
        print(english, file=stream)
    stream.flush()


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    if str(BASE_DIR) not in sys.path:
        sys.path.insert(0, str(BASE_DIR))
    import django

    django.setup()


# --- starting up ---------------------------------------------------------------------------------


def compile_translations() -> None:
    """Compile the .po files in locale/ whose .mo is missing or older; warn if gettext is not installed."""
    locale_dir = BASE_DIR / "locale"
    stale = [
        po
        for po in locale_dir.glob("**/*.po")
        if not po.with_suffix(".mo").exists() or po.with_suffix(".mo").stat().st_mtime < po.stat().st_mtime
    ]
    if not stale:
        return
    if shutil.which("msgfmt") is None:
        say(
            "Warnung: msgfmt (gettext) fehlt, die Übersetzungen bleiben auf dem alten Stand.",
            "Warning: msgfmt (gettext) is missing, so translations were not compiled. Install gettext.",
            err=True,
        )
        return
    from django.core.management import call_command

    # compilemessages walks the current directory; keep it out of the virtualenv and the data.
    with contextlib.chdir(BASE_DIR):
        call_command(
            "compilemessages", verbosity=0, ignore_patterns=[".venv", "data", "node_modules", ".git"]
        )


def migrate() -> None:
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=1)


def collect_static_if_production() -> None:
    """Production serves hashed static files from STATIC_ROOT, which `collectstatic` fills."""
    from django.conf import settings
    from django.core.management import call_command

    if settings.PRODUCTION:
        call_command("collectstatic", interactive=False, verbosity=0)


def port_is_free(host: str, port: int) -> bool:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError:
            return False
    return True


def wait_for_port(host: str, port: int, *, timeout: float, alive: Callable[[], bool]) -> bool:
    connect_host = {"0.0.0.0": "127.0.0.1", "::": "::1"}.get(host, host)  # noqa: S104 - only a lookup
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and alive():
        with contextlib.suppress(OSError), socket.create_connection((connect_host, port), timeout=0.5):
            return True
        time.sleep(0.1)
    return False


def url_for(host: str, port: int) -> str:
    shown = {"0.0.0.0": "127.0.0.1", "::": "::1"}.get(host, host)  # noqa: S104 - only a lookup
    if ":" in shown:
        shown = f"[{shown}]"
    return f"http://{shown}:{port}"


def default_threads() -> int:
    """Request threads per web process: granian's own advice, twice the cores plus one."""
    return (os.cpu_count() or 1) * 2 + 1


def granian_command(host: str, port: int, workers: int, threads: int) -> list[str]:
    return [
        sys.executable, "-m", "granian",
        "--interface", "wsgi",
        "--host", host,
        "--port", str(port),
        "--workers", str(workers),
        "--blocking-threads", str(threads),
        "--no-ws",
        "--working-dir", str(BASE_DIR),
        "config.wsgi:application",
    ]  # fmt: skip


def worker_command() -> list[str]:
    return [sys.executable, "-m", "onevoice.cli", "worker"]


def _die_with_parent() -> None:
    """Run in the child before exec: own process group, and SIGTERM if the supervisor dies (Linux)."""
    os.setpgid(0, 0)
    with contextlib.suppress(Exception):
        import ctypes

        pr_set_pdeathsig = 1
        ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGTERM)


class Supervisor:
    """Run the web server and the worker side by side; stop both when asked or when either one dies.

    The children get process groups of their own, so a Ctrl+C in the terminal reaches only the
    supervisor, which then sends each child one SIGTERM: both finish what they are doing (the worker
    runs with SIGTERM as its graceful signal) and get killed after ten seconds if they have not.
    """

    def __init__(self) -> None:
        self.children: list[tuple[str, subprocess.Popen[bytes]]] = []
        self.stop_requested = threading.Event()
        self.signals_received = 0

    def _on_signal(self, signum: int, frame: FrameType | None) -> None:
        self.signals_received += 1
        self.stop_requested.set()

    def start(self, name: str, command: list[str]) -> None:
        process = subprocess.Popen(command, cwd=BASE_DIR, preexec_fn=_die_with_parent)  # noqa: S603 - our own argv
        self.children.append((name, process))

    def install_signal_handlers(self) -> None:
        signal.signal(signal.SIGINT, self._on_signal)
        signal.signal(signal.SIGTERM, self._on_signal)

    def alive(self) -> bool:
        return all(process.poll() is None for _, process in self.children)

    def wait(self) -> int:
        """Block until a stop signal (exit 0) or until a child dies (exit 1)."""
        while not self.stop_requested.wait(0.3):
            dead = [(name, p.returncode) for name, p in self.children if p.poll() is not None]
            if dead:
                for name, code in dead:
                    say(
                        f"{name} wurde unerwartet beendet (Exit-Code {code}); OneVoice stoppt.",
                        f"{name} stopped unexpectedly (exit code {code}); stopping OneVoice.",
                        err=True,
                    )
                self.stop()
                return 1
        say("OneVoice wird beendet …", "Stopping OneVoice …")
        self.stop()
        return 0

    def stop(self, timeout: float = STOP_TIMEOUT) -> None:
        for _, process in self.children:
            if process.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    process.terminate()
        signals_before = self.signals_received
        deadline = time.monotonic() + timeout
        for name, process in self.children:
            # A second Ctrl-C means "now": skip the grace period.
            while process.poll() is None and time.monotonic() < deadline:
                if self.signals_received > signals_before:
                    break
                time.sleep(0.1)
            if process.poll() is None:
                say(
                    f"{name} reagiert nicht und wird hart beendet.",
                    f"{name} did not stop; killing it.",
                    err=True,
                )
                with contextlib.suppress(ProcessLookupError):
                    process.kill()
                process.wait()
        for _, process in self.children:
            # Whatever a dead child left behind in its group (granian's own workers) goes with it.
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(process.pid, signal.SIGKILL)


def run_app(host: str, port: int, *, banner_extra: Callable[[], None] | None = None) -> int:
    """Supervise granian and one Huey worker in the foreground until Ctrl-C or until one of them dies."""
    from django.db import connections

    from onevoice.organization.models import Organization

    if not port_is_free(host, port):
        say(
            f"Port {port} auf {host} ist belegt. Beenden Sie das andere Programm oder nehmen Sie --port {port + 1}.",
            f"Port {port} on {host} is in use. Stop the other program or pass --port {port + 1}.",
            err=True,
        )
        return 1
    url = url_for(host, port)
    has_organization = Organization.objects.exists()
    # The children open their own connections; the supervisor needs none while it waits.
    connections.close_all()
    supervisor = Supervisor()
    supervisor.install_signal_handlers()
    supervisor.start("Webserver (granian)", granian_command(host, port, workers=1, threads=default_threads()))
    supervisor.start("Worker (huey)", worker_command())
    wait_for_port(
        host, port, timeout=30, alive=lambda: supervisor.alive() and not supervisor.stop_requested.is_set()
    )
    if supervisor.alive() and not supervisor.stop_requested.is_set():
        print()
        say(
            f"OneVoice läuft auf {url} — Strg+C beendet.",
            f"OneVoice is running at {url} — press Ctrl+C to stop.",
        )
        if not has_organization:
            say(
                f"Noch keine Organisation: Der Einrichtungsassistent wartet auf {url}/setup/",
                f"No organisation yet: the set-up wizard is at {url}/setup/",
            )
        if banner_extra is not None:
            banner_extra()
        if host not in ("127.0.0.1", "localhost", "::1"):
            say(
                "Für Zugriffe über andere Adressen diese in ALLOWED_HOSTS eintragen.",
                "To open it by another address, add that address to ALLOWED_HOSTS.",
            )
        print(flush=True)
    return supervisor.wait()


def prepare_local_run(host: str, port: int) -> None:
    """Environment both children inherit: absolute data dir, and links in mails that point here."""
    if "ONEVOICE_DATA_DIR" in os.environ:
        os.environ["ONEVOICE_DATA_DIR"] = str(Path(os.environ["ONEVOICE_DATA_DIR"]).resolve())
    os.environ.setdefault("ONEVOICE_BASE_URL", url_for(host, port))
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    os.environ.setdefault("PYTHONUNBUFFERED", "1")


# --- sub-commands --------------------------------------------------------------------------------


def cmd_up(args: argparse.Namespace) -> int:
    prepare_local_run(args.host, args.port)
    setup_django()
    compile_translations()
    migrate()
    return run_app(args.host, args.port)


def cmd_demo(args: argparse.Namespace) -> int:
    # The demo lives in its own SQLite database and queue, so it never mixes with real data.
    for name in ("DATABASE_URL", "REDIS_URL"):
        if os.environ.pop(name, None):
            say(
                f"Demo: {name} wird ignoriert, die Demo nutzt SQLite.",
                f"Demo: ignoring {name}; it runs on SQLite.",
            )
    data_dir = Path(os.environ.get("ONEVOICE_DATA_DIR", DEMO_DATA_DIR)).resolve()
    os.environ["ONEVOICE_DATA_DIR"] = str(data_dir)
    holds_other_data = data_dir.exists() and any(data_dir.iterdir()) and not (data_dir / DEMO_MARKER).exists()
    if holds_other_data and data_dir != DEMO_DATA_DIR:
        say(
            f"{data_dir} enthält andere Daten. Die Demo braucht ein leeres Verzeichnis in ONEVOICE_DATA_DIR.",
            f"{data_dir} holds other data. Point ONEVOICE_DATA_DIR at an empty directory for the demo.",
            err=True,
        )
        return 1
    if args.reset and data_dir.exists():
        shutil.rmtree(data_dir)
        say(f"Demo-Daten gelöscht: {data_dir}", f"Deleted the demo data: {data_dir}")
    data_dir.mkdir(parents=True, exist_ok=True)
    (data_dir / DEMO_MARKER).touch()

    prepare_local_run(args.host, args.port)
    setup_django()
    compile_translations()
    migrate()

    from onevoice.organization.demo import DEMO_ORGANIZATION_SLUG, build_demo_organization
    from onevoice.organization.models import Organization

    if Organization.objects.filter(slug=DEMO_ORGANIZATION_SLUG).exists():
        say("Die Demo-Organisation besteht schon.", "The demo organisation exists already.")
    else:
        say(
            "Die Demo-Organisation „Muster GmbH“ wird angelegt …",
            "Building the demo organisation “Muster GmbH” …",
        )
        build_demo_organization()
    return run_app(args.host, args.port, banner_extra=print_demo_logins)


def print_demo_logins() -> None:
    from onevoice.organization.demo import DEMO_PASSWORD, DEMO_PEOPLE

    say(
        f"Demo-Zugänge, Passwort für alle: {DEMO_PASSWORD}", f"Demo logins, password for all: {DEMO_PASSWORD}"
    )
    for person in DEMO_PEOPLE:
        print(f"  {person.email:<40} {person.role_label}")


def cmd_web(args: argparse.Namespace) -> int:
    setup_django()
    collect_static_if_production()
    command = granian_command(args.host, args.port, workers=args.workers, threads=args.threads)
    os.chdir(BASE_DIR)
    # Become granian, so signals from systemd, Docker or the terminal go straight to it.
    os.execv(command[0], command)  # noqa: S606


def cmd_worker(args: argparse.Namespace) -> int:
    setup_django()
    from django.core.management import call_command

    # run_huey adds its own timestamped handler to the "huey" logger; without this every line shows twice.
    logging.getLogger("huey").propagate = False

    # SIGTERM (systemd, Docker, `onevoice up`) lets running tasks finish; SIGINT (Ctrl+C) cuts them short.
    call_command("run_huey", graceful_signal="TERM")
    return 0


def cmd_migrate(args: argparse.Namespace) -> int:
    setup_django()
    migrate()
    return 0


def read_password(args: argparse.Namespace) -> str | None:
    if args.password:
        return str(args.password)
    if os.environ.get("ONEVOICE_ADMIN_PASSWORD"):
        return os.environ["ONEVOICE_ADMIN_PASSWORD"]
    if not sys.stdin.isatty():
        say(
            "Kein Passwort: --password angeben oder ONEVOICE_ADMIN_PASSWORD setzen.",
            "No password: pass --password or set ONEVOICE_ADMIN_PASSWORD (no terminal to ask in).",
            err=True,
        )
        return None
    password = getpass.getpass("Passwort / password: ")
    if password != getpass.getpass("Noch einmal / again: "):
        say("Die Passwörter stimmen nicht überein.", "The passwords do not match.", err=True)
        return None
    return password


def cmd_createadmin(args: argparse.Namespace) -> int:
    setup_django()
    from django.core.exceptions import ValidationError
    from django.db import DatabaseError

    from onevoice.accounts.services import account_create

    password = read_password(args)
    if password is None:
        return 1
    try:
        user = account_create(email=args.email, full_name=args.name, password=password, superuser=True)
    except ValidationError as error:
        for message in error.messages:
            say(message, err=True)
        return 1
    except DatabaseError as error:
        say(
            f"Die Datenbank ist nicht bereit ({error}). Zuerst `onevoice migrate` ausführen.",
            f"The database is not ready ({error}). Run `onevoice migrate` first.",
            err=True,
        )
        return 1
    say(f"Administrator {user.email} angelegt.", f"Created administrator {user.email}.")
    return 0


def cmd_manage(args: argparse.Namespace) -> int:
    setup_django()
    from django.core.management import execute_from_command_line

    execute_from_command_line(["onevoice manage", *args.rest])
    return 0


# --- check ---------------------------------------------------------------------------------------


def without_password(url: str) -> str:
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    netloc = f"{parts.username or ''}:***@{host}" + (f":{parts.port}" if parts.port else "")
    return urlunsplit(parts._replace(netloc=netloc))


def describe_database(db: Mapping[str, Any]) -> str:
    engine = str(db["ENGINE"]).rsplit(".", 1)[-1]
    label = {"sqlite3": "SQLite", "postgresql": "PostgreSQL", "mysql": "MySQL"}.get(engine, engine)
    if engine == "sqlite3":
        return f"{label}, {db['NAME']}"
    where = db.get("HOST") or "local socket"
    if db.get("PORT"):
        where = f"{where}:{db['PORT']}"
    user = f", user {db['USER']}" if db.get("USER") else ""
    return f"{label}, database {db['NAME']} on {where}{user}"


def describe_queue(huey: dict[str, Any]) -> str:
    mode = " (immediate: tasks run inline)" if huey.get("immediate") else ""
    if "url" in huey:
        return f"Redis, {without_password(huey['url'])}{mode}"
    return f"SQLite, {huey.get('filename')}{mode}"


def mail_backend(settings: Any) -> tuple[str, dict[str, Any]]:
    """Return the default mailer's backend and its options (MAILERS, or the older EMAIL_* settings)."""
    mailers = getattr(settings, "MAILERS", None) or {}
    if "default" in mailers:
        return str(mailers["default"]["BACKEND"]), dict(mailers["default"].get("OPTIONS", {}))
    options = {
        "host": settings.EMAIL_HOST,
        "port": settings.EMAIL_PORT,
        "username": settings.EMAIL_HOST_USER,
        "use_tls": settings.EMAIL_USE_TLS,
        "use_ssl": settings.EMAIL_USE_SSL,
    }
    return str(settings.EMAIL_BACKEND), options


def describe_mail(settings: Any) -> str:
    backend, options = mail_backend(settings)
    if backend.endswith("smtp.EmailBackend"):
        security = (
            " with SSL" if options.get("use_ssl") else " with STARTTLS" if options.get("use_tls") else ""
        )
        user = f", user {options['username']}" if options.get("username") else ""
        where = f"{options.get('host')}:{options.get('port', 25)}"
        return f"SMTP {where}{security}{user}, from {settings.DEFAULT_FROM_EMAIL}"
    if backend.endswith("console.EmailBackend"):
        return "console (mails are printed to the log, not sent; set EMAIL_HOST to send them)"
    return backend


def fernet_problems(keys: Sequence[str]) -> list[str]:
    from cryptography.fernet import Fernet

    problems = []
    for number, key in enumerate(keys, start=1):
        try:
            Fernet(key.encode())
        except (ValueError, TypeError):
            problems.append(f"key {number} of ONEVOICE_ENCRYPTION_KEYS is not a Fernet key")
    return problems


def cmd_check(args: argparse.Namespace) -> int:
    from django.core.exceptions import ImproperlyConfigured

    try:
        setup_django()
        from django.conf import settings

        settings.DATABASES  # noqa: B018 - reading a setting is what raises ImproperlyConfigured
    except ImproperlyConfigured as error:
        say("Die Konfiguration ist unvollständig:", "The configuration is incomplete:", err=True)
        say(f"  {error}", err=True)
        return 1

    errors: list[str] = []
    warnings: list[str] = []
    keys = list(settings.ENCRYPTION_KEYS)
    errors += fernet_problems(keys)
    if keys:
        valid = "valid" if not errors else "NOT all valid"
        key_line = f"{len(keys)} ({valid}; the first one encrypts)"
    elif settings.PRODUCTION:
        key_line = "none"
    else:
        key_line = f"none set; a generated key is kept in {Path(settings.DATA_DIR) / 'encryption_key'}"
    if os.environ.get("ONEVOICE_SECRET_KEY", "").strip():
        secret_line = "set (ONEVOICE_SECRET_KEY)"  # noqa: S105 - a label, not a key
    else:
        secret_line = f"generated, kept in {Path(settings.DATA_DIR) / 'secret_key'}"
    database = settings.DATABASES["default"]

    if settings.PRODUCTION:
        if not keys:
            errors.append(
                "ONEVOICE_ENCRYPTION_KEYS is not set; production needs it to store network credentials. "
                "Generate a key with `onevoice genkey`."
            )
        if settings.DEBUG:
            warnings.append("ONEVOICE_DEBUG=1 in production shows internals to visitors; remove it.")
        if not mail_backend(settings)[0].endswith("smtp.EmailBackend"):
            warnings.append("EMAIL_HOST is not set: invitations and password mails are only logged.")
        if database["ENGINE"].endswith("sqlite3"):
            warnings.append("SQLite serves one machine only; set DATABASE_URL=postgres://… to run several.")
        if not settings.BASE_URL.startswith("https://"):
            warnings.append("ONEVOICE_BASE_URL should be the public https:// address; links in mails use it.")
        host = urlsplit(settings.BASE_URL).hostname or ""
        if host and host not in settings.ALLOWED_HOSTS and "*" not in settings.ALLOWED_HOSTS:
            warnings.append(f"ALLOWED_HOSTS does not contain {host}, the host of ONEVOICE_BASE_URL.")

    rows = [
        ("environment", "production" if settings.PRODUCTION else "development"),
        ("debug", "on" if settings.DEBUG else "off"),
        ("data dir", str(settings.DATA_DIR)),
        ("base URL", settings.BASE_URL),
        ("allowed hosts", ", ".join(settings.ALLOWED_HOSTS)),
        ("database", describe_database(database)),
        ("queue", describe_queue(settings.HUEY)),
        ("mail", describe_mail(settings)),
        ("encryption keys", key_line),
        ("secret key", secret_line),
    ]
    for label, value in rows:
        print(f"{label + ':':<17}{value}")
    for warning in warnings:
        print(f"WARNING: {warning}")
    for problem in errors:
        print(f"ERROR: {problem}", file=sys.stderr)
    if errors:
        say(
            "Die Konfiguration hat Fehler.",
            "The configuration has errors; fix them before starting.",
            err=True,
        )
        return 1
    print("OK")
    return 0


def cmd_genkey(args: argparse.Namespace) -> int:
    """Print a new key: a Fernet key for ONEVOICE_ENCRYPTION_KEYS, or a secret for ONEVOICE_SECRET_KEY."""
    if args.secret_key:
        import secrets

        print(secrets.token_urlsafe(50))
    else:
        from cryptography.fernet import Fernet

        print(Fernet.generate_key().decode())
    return 0


# --- argument parsing ----------------------------------------------------------------------------


def cmd_channels(args: argparse.Namespace) -> int:
    """List the channels and their state, or check one channel's login now."""
    setup_django()
    from django.core.exceptions import ValidationError

    from onevoice.networks import services
    from onevoice.networks.models import Channel

    channels = Channel.objects.select_related("organization", "department").order_by(
        "organization__name", "name"
    )
    if args.organization:
        channels = channels.filter(organization__slug=args.organization)
    if args.action == "list":
        rows = [
            (
                str(c.public_id),
                c.organization.slug,
                c.get_network_display(),
                c.name,
                c.handle,
                c.state,
                c.last_verified_at.isoformat(timespec="minutes") if c.last_verified_at else "—",
            )
            for c in channels
        ]
        if not rows:
            say("Keine Kanäle.", "No channels.")
            return 0
        header = ("id", "organisation", "network", "name", "handle", "state", "verified")
        widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
        for row in [header, *rows]:
            print("  ".join(str(v).ljust(w) for v, w in zip(row, widths, strict=True)))
        return 0
    # verify
    selected = channels.filter(public_id=args.channel) if args.channel else channels
    failures = 0
    for channel in selected:
        try:
            account = services.channel_verify(actor=None, channel=channel)
        except ValidationError as error:
            failures += 1
            print(f"{channel.public_id}  {channel.name}: FAILED — {' '.join(error.messages)}")
        else:
            print(f"{channel.public_id}  {channel.name}: ok ({account.handle})")
    return 1 if failures else 0


def cmd_rotatekeys(args: argparse.Namespace) -> int:
    """Re-encrypt every channel's credentials with the first key of ONEVOICE_ENCRYPTION_KEYS."""
    setup_django()
    from django.db import transaction

    from onevoice.networks import crypto
    from onevoice.networks.models import Channel

    count = 0
    with transaction.atomic():
        for channel in Channel.objects.select_for_update().exclude(credentials_encrypted=""):
            channel.credentials_encrypted = crypto.rotate(channel.credentials_encrypted)
            channel.save(update_fields=["credentials_encrypted"])
            count += 1
    say(
        f"{count} Kanäle mit dem ersten Schlüssel neu verschlüsselt. Ältere Schlüssel können jetzt entfernt werden.",
        f"{count} channels re-encrypted with the first key. Older keys can now be removed.",
    )
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="onevoice",
        description="OneVoice: social media and community management. Start with `onevoice up`.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def add_address(command: argparse.ArgumentParser) -> None:
        command.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
        command.add_argument("--port", type=int, default=8000, help="port to listen on (default 8000)")

    up = commands.add_parser(
        "up", help="migrate, then run the web server and a worker (laptop, small office)"
    )
    add_address(up)
    up.set_defaults(handler=cmd_up)

    demo = commands.add_parser("demo", help="like `up`, with the demo organisation Muster GmbH in data/demo")
    add_address(demo)
    demo.add_argument("--reset", action="store_true", help="delete the demo data first and build it afresh")
    demo.set_defaults(handler=cmd_demo)

    web = commands.add_parser("web", help="run only the web server (production; run `migrate` first)")
    add_address(web)
    web.add_argument("--workers", type=int, default=2, help="web server processes (default 2)")
    web.add_argument(
        "--threads",
        type=int,
        default=default_threads(),
        help="request threads per process (default: 2 × cores + 1)",
    )
    web.set_defaults(handler=cmd_web)

    worker = commands.add_parser("worker", help="run only the background worker (production)")
    worker.set_defaults(handler=cmd_worker)

    migrate_ = commands.add_parser("migrate", help="bring the database schema up to date")
    migrate_.set_defaults(handler=cmd_migrate)

    createadmin = commands.add_parser("createadmin", help="create an administrator account")
    createadmin.add_argument("--email", required=True)
    createadmin.add_argument("--name", required=True, help="full name")
    createadmin.add_argument(
        "--password", help="asked for when omitted; or set ONEVOICE_ADMIN_PASSWORD (keeps it out of `ps`)"
    )
    createadmin.set_defaults(handler=cmd_createadmin)

    check = commands.add_parser("check", help="show the configuration and whether production is complete")
    check.set_defaults(handler=cmd_check)

    genkey = commands.add_parser(
        "genkey", help="print a new key for ONEVOICE_ENCRYPTION_KEYS (put it first to rotate keys)"
    )
    genkey.add_argument(
        "--secret-key", action="store_true", help="print a value for ONEVOICE_SECRET_KEY instead"
    )
    genkey.set_defaults(handler=cmd_genkey)

    channels = commands.add_parser("channels", help="list the connected channels, or check their logins")
    channels.add_argument("action", choices=["list", "verify"], nargs="?", default="list")
    channels.add_argument("channel", nargs="?", help="with `verify`: the channel id (default: all)")
    channels.add_argument("--organization", help="only this organisation (its short name)")
    channels.set_defaults(handler=cmd_channels)

    rotatekeys = commands.add_parser(
        "rotatekeys", help="re-encrypt channel credentials with the first of ONEVOICE_ENCRYPTION_KEYS"
    )
    rotatekeys.set_defaults(handler=cmd_rotatekeys)

    manage = commands.add_parser("manage", help="run a Django management command, e.g. `manage shell`")
    manage.add_argument("rest", nargs=argparse.REMAINDER, help="the command and its arguments")
    manage.set_defaults(handler=cmd_manage)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["manage"]:
        # Everything after `manage` belongs to Django, including options argparse would claim.
        return cmd_manage(argparse.Namespace(rest=argv[1:]))
    args = build_parser().parse_args(argv)
    handler: Callable[[argparse.Namespace], int] = args.handler
    try:
        return handler(args)
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
