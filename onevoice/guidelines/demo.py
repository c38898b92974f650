"""Guidelines for the demo organisation: the Social-Media-Leitlinien in two versions and a Netiquette,
published through the services, with some people having confirmed and some not yet."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from onevoice.guidelines import services
from onevoice.guidelines.models import Acknowledgement, Guideline, GuidelineVersion
from onevoice.organization.models import Membership, Organization

LEITLINIEN = "Social-Media-Leitlinien"
NETIQUETTE = "Netiquette"

_LEITLINIEN_V1 = """\
Diese Leitlinien gelten für alle, die für {org} in sozialen Netzwerken sprechen – auf den offiziellen
Kanälen und überall dort, wo Sie als Mitarbeiterin oder Mitarbeiter erkennbar sind.

# Unser Ton

- Wir schreiben **freundlich, klar und auf Augenhöhe**. Fachbegriffe erklären wir, Ironie vermeiden wir.
- Wir schreiben in kurzen Sätzen und kommen schnell zur Sache.
- Wir gendern mit Sternchen: *Kund\\*innen*, *Mitarbeiter\\*innen*.

# Sie oder du?

- Auf LinkedIn, Facebook und in der Kommentarspalte der Website **siezen** wir.
- Auf Instagram und in allen Karriere-Kanälen **duzen** wir.
- Wer uns duzt, bekommt trotzdem die Anrede des Kanals – außer im Direktchat, wenn das Gegenüber es ausdrücklich wünscht.

# Transparenz

- Bezahlte Kooperationen kennzeichnen wir am Anfang des Beitrags mit **„Anzeige“** oder **„Werbung“**.
- Wer privat über {org} schreibt, sagt dazu, dass er oder sie hier arbeitet.

# Datenschutz (DSGVO)

- Fotos von Kolleg\\*innen, Kund\\*innen oder Gästen veröffentlichen wir nur mit ihrer Einwilligung.
- Persönliche Daten (Bestellnummern, Adressen, Gesundheitsdaten) besprechen wir **nie öffentlich**,
  sondern bitten in eine Direktnachricht oder ans Telefon.

# Impressum

Jeder offizielle Kanal verlinkt das Impressum (§ 5 DDG): <https://muster-gmbh.example/impressum>.
"""

_LEITLINIEN_V2 = (
    _LEITLINIEN_V1
    + """
# Umgang mit Kritik

1. Wir antworten auf Kritik **innerhalb von zwei Arbeitsstunden** – auch wenn es zunächst nur ein
   „Wir kümmern uns“ ist.
2. Wir bedanken uns für den Hinweis, entschuldigen uns, wo wir Fehler gemacht haben, und nennen den nächsten Schritt.
3. Wir löschen keine Kritik. Gelöscht werden nur Beleidigungen, Spam und Rechtsverstöße – siehe *Netiquette*.

> Eine gute Antwort auf Kritik überzeugt auch alle, die nur mitlesen.

# Krisenfall

Wenn ein Thema eskaliert (viele negative Kommentare in kurzer Zeit, Presseanfragen, Shitstorm):

| Schritt | Wer | Was |
|---|---|---|
| 1 | Wer es bemerkt | Social-Media-Team sofort anrufen |
| 2 | Social-Media-Team | Alle geplanten Beiträge pausieren („Alles pausieren“) |
| 3 | Geschäftsführung und Unternehmenskommunikation | Abgestimmte Stellungnahme freigeben |

Bis zur Stellungnahme äußert sich niemand sonst öffentlich zum Thema.
"""
)

_NETIQUETTE = """\
Wir freuen uns über Ihre Fragen, Ideen und Kritik. Damit der Austausch für alle angenehm bleibt, bitten wir um:

- einen respektvollen Umgang miteinander,
- Beiträge, die zum Thema passen,
- keine Werbung und keine Links zu fremden Angeboten.

Beleidigungen, Diskriminierung, Drohungen und rechtswidrige Inhalte entfernen wir. Wiederholte Verstöße
führen zum Ausschluss. Fragen zu einzelnen Bestellungen beantworten wir gern per Direktnachricht.
"""


@transaction.atomic
def build(organization: Organization, smm: Membership) -> list[Guideline]:
    """Create the demo guidelines once; calling it again changes nothing."""
    existing = list(Guideline.objects.filter(organization=organization, title__in=[LEITLINIEN, NETIQUETTE]))
    if existing:
        return existing
    now = timezone.now()
    members = list(Membership.objects.active().filter(organization=organization).order_by("pk"))

    first = services.guideline_create(
        actor=smm,
        title=LEITLINIEN,
        body=_LEITLINIEN_V1.format(org=organization.name),
        change_note="Erste Fassung, abgestimmt mit Geschäftsführung und Betriebsrat.",
    )
    services.version_publish(actor=smm, version=first)
    _backdate(first, now - timedelta(days=120), members, acknowledged_share=1.0)

    second = services.draft_save(
        actor=smm,
        guideline=first.guideline,
        title=LEITLINIEN,
        body=_LEITLINIEN_V2.format(org=organization.name),
        change_note="Neu: „Umgang mit Kritik“ (Antwort binnen zwei Arbeitsstunden) und ein Ablauf für den Krisenfall.",
    )
    services.version_publish(actor=smm, version=second)
    _backdate(second, now - timedelta(days=12), members, acknowledged_share=0.6)

    netiquette = services.guideline_create(
        actor=smm, title=NETIQUETTE, body=_NETIQUETTE, change_note="Erste Fassung."
    )
    services.version_publish(actor=smm, version=netiquette)
    _backdate(netiquette, now - timedelta(days=90), members, acknowledged_share=0.8)
    return [first.guideline, netiquette.guideline]


def _backdate(
    version: GuidelineVersion,
    published_at: datetime,
    members: list[Membership],
    acknowledged_share: float,
) -> None:
    """Make the history look lived-in: an earlier publication and confirmations spread over the days after."""
    GuidelineVersion.objects.filter(pk=version.pk).update(published_at=published_at, created_at=published_at)
    count = round(len(members) * acknowledged_share)
    window = min(timezone.now() - published_at, timedelta(days=10))
    for i, member in enumerate(members[:count]):
        services.acknowledge(member=member, version=version)
        Acknowledgement.objects.filter(version=version, membership=member).update(
            acknowledged_at=published_at + window * (i + 1) / (count + 1)
        )
