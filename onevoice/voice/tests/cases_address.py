"""Sentences for the Sie/du detector, each with the words a reader would mark as addressing them.

`du` and `sie` list the highlighted phrases (adjacent words of one form are one phrase), in order. `hard`
marks sentences the detector is known to get wrong: they stay in the precision/recall figures and are strict
xfails in the table test, so that fixing one is noticed.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass


@dataclass(frozen=True)
class AddressCase:
    text: str
    du: tuple[str, ...] = ()
    sie: tuple[str, ...] = ()
    language: str = "de"
    hard: bool = False


ADDRESS_CASES: list[AddressCase] = [
    # --- formal: pronouns and verb-first clauses
    AddressCase("Haben Sie Fragen? Wir helfen Ihnen gern.", sie=("Haben Sie", "Ihnen")),
    AddressCase("Wir freuen uns auf Ihren Besuch.", sie=("Ihren",)),
    AddressCase("Ab heute können Sie online bestellen.", sie=("Sie",)),
    AddressCase("Kommen Sie vorbei und lernen Sie unser Team kennen!", sie=("Kommen Sie", "Sie")),
    AddressCase("Bitte melden Sie sich bis Freitag an.", sie=("melden Sie sich",)),
    AddressCase("Melden Sie sich jetzt für den Newsletter an.", sie=("Melden Sie sich",)),
    AddressCase("Ihr Paket ist unterwegs.", sie=("Ihr",)),
    AddressCase("Ihre Bestellung ist bei uns eingegangen.", sie=("Ihre",)),
    AddressCase("Vielen Dank für Ihre Bestellung!", sie=("Ihre",)),
    AddressCase("Wir senden Ihnen gern weitere Informationen.", sie=("Ihnen",)),
    AddressCase("Sie können jetzt auch mit PayPal bezahlen.", sie=("Sie",)),
    AddressCase(
        "Sie suchen einen Ausbildungsplatz? Bewerben Sie sich bis 31. März.", sie=("Sie", "Bewerben Sie sich")
    ),
    AddressCase("Neu: Sie können Termine jetzt online buchen.", sie=("Sie",)),
    AddressCase("Was halten Sie von unserem neuen Logo?", sie=("Sie",)),
    AddressCase("Besuchen Sie uns auf der Messe in Halle 3.", sie=("Besuchen Sie",)),
    AddressCase("Sichern Sie sich jetzt Ihr Ticket!", sie=("Sichern Sie sich", "Ihr")),
    AddressCase("Möchten Sie mehr erfahren? Schreiben Sie uns.", sie=("Möchten Sie", "Schreiben Sie")),
    AddressCase("Wussten Sie, dass unser Stadtwerk seit 1898 besteht?", sie=("Wussten Sie",)),
    AddressCase("Wir beraten Sie gern persönlich.", sie=("Sie",)),
    AddressCase("Gemeinsam mit Ihnen gestalten wir die Zukunft.", sie=("Ihnen",)),
    AddressCase("Lassen Sie sich von unseren Angeboten überraschen.", sie=("Lassen Sie sich",)),
    AddressCase("Wie gefällt Ihnen unser neuer Auftritt?", sie=("Ihnen",)),
    AddressCase("Teilen Sie Ihre Meinung in den Kommentaren.", sie=("Teilen Sie Ihre",)),
    AddressCase("Hier finden Sie alle Termine im Überblick.", sie=("Sie",)),
    AddressCase("Sind Sie bereit für den Sommer?", sie=("Sind Sie",)),
    AddressCase("Werden Sie Teil unseres Teams!", sie=("Werden Sie",)),
    AddressCase("Unser Tipp für Sie: früh buchen lohnt sich.", sie=("Sie",)),
    AddressCase("Fragen? Rufen Sie uns an oder schreiben Sie eine Mail.", sie=("Rufen Sie", "Sie")),
    AddressCase("Für Ihre Sicherheit sind unsere Filialen videoüberwacht.", sie=("Ihre",)),
    AddressCase("Ihr Team vom Bürgerservice", sie=("Ihr",)),
    AddressCase("Ihnen gefällt unser Angebot? Dann empfehlen Sie uns weiter.", sie=("Ihnen", "Sie")),
    AddressCase("Entdecken Sie die neue Kollektion.", sie=("Entdecken Sie",)),
    AddressCase("Wenn Sie Fragen haben, melden Sie sich.", sie=("Sie", "Sie")),
    AddressCase("SIE haben gewonnen!"),
    # --- du: pronouns, verbs, imperatives
    AddressCase("Melde dich jetzt an!", du=("Melde dich",)),
    AddressCase("Hast du Fragen? Schreib uns!", du=("Hast du", "Schreib")),
    AddressCase("Wir freuen uns auf dich.", du=("dich",)),
    AddressCase("Dein Paket ist unterwegs.", du=("Dein",)),
    AddressCase("Vielen Dank für deine Bestellung!", du=("deine",)),
    AddressCase("Schau vorbei!", du=("Schau",)),
    AddressCase("Klick hier und sichere dir deinen Platz.", du=("Klick", "sichere dir deinen")),
    AddressCase("Folge uns auf Instagram!", du=("Folge",)),
    AddressCase("Du kannst jetzt auch mit PayPal bezahlen.", du=("Du kannst",)),
    AddressCase("Kannst du dir vorstellen, bei uns zu arbeiten?", du=("Kannst du dir",)),
    AddressCase("Bewirb dich bis zum 31. März.", du=("Bewirb dich",)),
    AddressCase("Hol dir jetzt dein Ticket!", du=("Hol dir", "dein")),
    AddressCase("Komm vorbei und lerne unser Team kennen.", du=("Komm", "lerne")),
    AddressCase("Bitte melde dich bis Freitag.", du=("melde dich",)),
    AddressCase("Wir beraten dich gern persönlich.", du=("dich",)),
    AddressCase("Was hältst du von unserem neuen Logo?", du=("hältst du",)),
    AddressCase("Lies mehr im Blog.", du=("Lies",)),
    AddressCase("Gib uns Feedback!", du=("Gib",)),
    AddressCase("Nimm teil an unserer Umfrage.", du=("Nimm",)),
    AddressCase("Entdecke die neue Kollektion.", du=("Entdecke",)),
    AddressCase("Verpasse nicht unser Sommerfest!", du=("Verpasse",)),
    AddressCase("Frag mal deine Kolleg*innen.", du=("Frag", "deine")),
    AddressCase("Teile den Beitrag mit deinen Freund*innen.", du=("Teile", "deinen")),
    AddressCase("Wusstest du, dass unser Stadtwerk seit 1898 besteht?", du=("Wusstest du",)),
    AddressCase("Du bist gefragt: Stimm ab!", du=("Du bist", "Stimm")),
    AddressCase("Was meinst du?", du=("meinst du",)),
    AddressCase("Gemeinsam mit dir gestalten wir die Zukunft.", du=("dir",)),
    AddressCase("Willst du mehr wissen? Dann lies weiter.", du=("Willst du", "lies")),
    AddressCase("Sei dabei beim Stadtlauf!", du=("Sei",)),
    AddressCase("Mach mit beim Fotowettbewerb!", du=("Mach",)),
    AddressCase("Probier es aus!", du=("Probier",)),
    AddressCase("Erfahre mehr über unsere Ausbildung.", du=("Erfahre",)),
    AddressCase("Weißt du schon, was du nach der Schule machen willst?", du=("Weißt du", "du", "willst")),
    AddressCase("Dir gefällt unser Angebot? Dann empfiehl uns weiter.", du=("Dir",)),
    AddressCase("Ruf uns an oder schreib eine Mail.", du=("Ruf", "schreib")),
    AddressCase("DU bist gemeint!", du=("DU bist",)),
    AddressCase("Trag dich in die Liste ein.", du=("Trag dich",)),
    AddressCase("Sichere dir jetzt 20 % Rabatt!", du=("Sichere dir",)),
    # --- plural du (ihr)
    AddressCase("Ihr seid großartig!", du=("Ihr seid",)),
    AddressCase("Habt ihr Lust auf ein Sommerfest?", du=("Habt ihr",)),
    AddressCase("Wir freuen uns auf euch!", du=("euch",)),
    AddressCase("Eure Meinung ist uns wichtig.", du=("Eure",)),
    AddressCase("Schaut vorbei!", du=("Schaut",)),
    AddressCase("Meldet euch bis Freitag an.", du=("Meldet euch",)),
    AddressCase("Wenn ihr Fragen habt, schreibt uns.", du=("ihr", "habt")),
    AddressCase("Seid dabei beim Stadtlauf!", du=("Seid",)),
    AddressCase("Ihr könnt euch ab sofort bewerben.", du=("Ihr könnt euch",)),
    AddressCase("Kommt ihr auch zum Sommerfest?", du=("Kommt ihr",)),
    AddressCase("Danke, dass ihr dabei wart!", du=("ihr",)),
    AddressCase("Ihr alle habt das möglich gemacht.", du=("Ihr", "habt")),
    AddressCase("Was wollt ihr als Nächstes sehen?", du=("wollt ihr",)),
    AddressCase("Vielen Dank an euer Team!", du=("euer",)),
    # --- 3rd person, lowercase, sentence-initial ambiguity
    AddressCase("Unsere Azubis starten heute. Sie freuen sich auf die Ausbildung."),
    AddressCase("Die Kolleginnen haben den Preis gewonnen, weil sie so engagiert sind."),
    AddressCase("Wir danken ihr recht herzlich für ihre Arbeit."),
    AddressCase("Anna leitet das Team. Ihre Erfahrung hilft uns allen."),
    AddressCase("Unsere Gärtner pflegen den Park. Sie pflanzen jedes Jahr 500 Bäume."),
    AddressCase("Maria und Tom haben ihr Studium abgeschlossen."),
    AddressCase("Die Feuerwehr war schnell vor Ort. Ihr Einsatz hat Schlimmeres verhindert."),
    AddressCase("Die Schülerinnen stellen ihre Projekte vor."),
    AddressCase("Unsere Mitarbeitenden sind für sie da, wenn es brennt."),
    AddressCase("Frau Schulz geht in Rente. Wir danken ihr für 30 Jahre."),
    AddressCase("Die Azubis haben ihren ersten Tag. Sie bekommen heute ihre Laptops."),
    # "Sie" is the Azubis, but the formal "Ihre" makes the detector read it as formal too
    AddressCase(
        "Unsere Azubis starten heute. Sie freuen sich auf Ihre Unterstützung.", sie=("Ihre",), hard=True
    ),
    AddressCase("Wir haben neue Produkte. Sie können sie ab sofort bestellen.", sie=("Sie",), hard=True),
    # --- nouns and adjectives that look like imperatives
    AddressCase("Folge 3 unseres Podcasts ist online."),
    AddressCase("Frage der Woche: Wie kommt ihr zur Arbeit?", du=("kommt ihr",)),
    AddressCase("Teile des Parks sind gesperrt."),
    AddressCase("Tipp: Früh buchen lohnt sich."),
    AddressCase("Sichere Zahlung mit Kreditkarte."),
    AddressCase("Stimme des Jahres: unsere Sprecherin."),
    AddressCase("Gewinne im Wert von 500 Euro warten."),
    AddressCase("Kauf auf Rechnung ist möglich."),
    AddressCase("Besuche aus aller Welt haben uns erreicht."),
    AddressCase("Komme gleich wieder, schreibt das Team."),
    # --- quotations, names, hashtags, mentions, links
    AddressCase("Die Sie & Er GmbH feiert Jubiläum."),
    AddressCase("Wir verkaufen jetzt „Du darfst“ im Hofladen.", sie=()),
    AddressCase("Unser Motto: »Du schaffst das!«"),
    AddressCase('Der Song "Ich und du" lief im Radio.'),
    AddressCase("#DuBistNichtAllein – wir unterstützen die Kampagne."),
    AddressCase("Danke an @duundich für die Zusammenarbeit."),
    AddressCase("Mehr auf https://example.org/du-bist-gefragt"),
    AddressCase("Die Zeitung titelte ‚Sie kommen wieder‘."),
    AddressCase("Unsere Kundin sagte: „Ihr seid die Besten!“ Danke dafür."),
    AddressCase("„Melde dich“, sagt Jana, „wir helfen gern.“"),
    AddressCase("Melde dich bei uns! #DuBistNichtAllein", du=("Melde dich",)),
    AddressCase("Das Du & Ich Café lädt ein."),
    # --- mixed forms
    AddressCase(
        "Melden Sie sich an und hol dir dein Geschenk.", du=("hol dir dein",), sie=("Melden Sie sich",)
    ),
    AddressCase("Du kannst Ihre Daten jederzeit ändern.", du=("Du kannst",), sie=("Ihre",)),
    AddressCase("Haben Sie Fragen? Schreib uns!", du=("Schreib",), sie=("Haben Sie",)),
    # --- formal with sentence-initial Sie and cues
    AddressCase("Sie haben gewonnen!", sie=("Sie",)),
    AddressCase(
        "Unsere Filiale zieht um. Sie finden uns ab Montag in der Hauptstraße.", sie=("Sie",), hard=True
    ),
    AddressCase("Sie erreichen uns unter 030 123456. Wir freuen uns auf Ihren Anruf.", sie=("Sie", "Ihren")),
    AddressCase("Sie sind herzlich eingeladen!", sie=("Sie",)),
    # --- more forms
    AddressCase("Sag's weiter!", du=("Sag's",)),
    AddressCase("Lass uns gemeinsam feiern!", du=("Lass",)),
    AddressCase("Lasst uns gemeinsam feiern!", du=("Lasst",)),
    AddressCase("Lassen Sie uns gemeinsam feiern!", sie=("Lassen Sie",)),
    AddressCase("Erzähl mal, wie war dein Tag?", du=("Erzähl", "dein")),
    AddressCase("Meld dich!", du=("Meld dich",)),
    AddressCase("Sieh dir das Video an.", du=("Sieh dir",)),
    AddressCase("Hier erfährst du mehr.", du=("erfährst du",)),
    AddressCase("Wie findest du das?", du=("findest du",)),
    AddressCase("Dich erwartet ein tolles Team.", du=("Dich",)),
    AddressCase("Bist du bereit?", du=("Bist du",)),
    AddressCase("Ihr wollt mehr?", du=("Ihr wollt",)),
    AddressCase("Ihr neues Konto wartet auf Sie.", sie=("Ihr", "Sie")),
    AddressCase("Euer Feedback hilft uns.", du=("Euer",)),
    AddressCase("Bei Fragen wenden Sie sich an unser Team.", sie=("Sie",)),
    AddressCase("Jetzt anmelden und Platz sichern!"),
    AddressCase("Einfach QR-Code scannen und mitmachen."),
    AddressCase("Heute ist Welttag des Buches. Lesen Sie mit uns!", sie=("Lesen Sie",)),
    AddressCase("Das Sie ist bei uns Standard, das Du im Team üblich."),
    AddressCase("Macht mit!", du=("Macht",)),
    AddressCase("Macht Spaß, oder?"),
    AddressCase("Die Anmeldung erfolgt über Ihr Kundenkonto.", sie=("Ihr",)),
    AddressCase("Schon gewusst? Sie können Ihren Zählerstand online melden.", sie=("Sie", "Ihren")),
    AddressCase("Unsere Kita-Kinder waren im Zoo. Ihnen hat es sehr gefallen."),
    AddressCase("Das Team der Tafel packt jeden Tag an. Ihr Engagement beeindruckt uns."),
    AddressCase("Ihre Meinung zählt!", sie=("Ihre",)),
    AddressCase("Morgen kommt ihr neues Buch heraus, sagt die Autorin."),
    AddressCase("Liebe Kundinnen und Kunden, wir haben neue Öffnungszeiten."),
    # the vocative "ihr Lieben" looks like a possessive; the cataphoric "Sie" has nothing before it
    AddressCase("Hallo zusammen, ihr Lieben!", du=("ihr",), hard=True),
    AddressCase("Sie sind die Heldinnen des Alltags: unsere Pflegekräfte.", hard=True),
    # --- posts written before the detector saw them (it then learnt "Lade sie dir", a lowercase imperative
    # after a dash, "Speicher dir" and "Gewinne zwei …")
    AddressCase(
        "Am Samstag öffnet das Rathaus seine Türen. Kommen Sie vorbei und werfen Sie einen Blick hinter die Kulissen!",
        sie=("Kommen Sie", "Sie"),
    ),
    AddressCase(
        "Du willst Verantwortung übernehmen? Dann bewirb dich jetzt als Schichtleitung (m/w/d).",
        du=("Du willst", "bewirb dich"),
    ),
    AddressCase("Unsere Pflegekräfte leisten Großartiges. Sie verdienen unseren Respekt."),
    AddressCase(
        "Ihre Stadtwerke informieren: Am Montag wird das Wasser kurzzeitig abgestellt.", sie=("Ihre",)
    ),
    AddressCase("Danke für eure Geduld während der Bauarbeiten!", du=("eure",)),
    AddressCase("Wir suchen Verstärkung! Bist du kreativ und teamfähig?", du=("Bist du",)),
    AddressCase(
        "Heute feiern wir 25 Jahre Bürgerbüro. Ohne Sie wäre das nicht möglich gewesen!", sie=("Sie",)
    ),
    AddressCase("Die Bibliothek hat neue Öffnungszeiten. Sie ist jetzt auch samstags geöffnet."),
    AddressCase("Tipp: Speichern Sie den Beitrag für später.", sie=("Speichern Sie",)),
    AddressCase("Tipp: Speicher dir den Beitrag für später.", du=("Speicher dir",)),
    AddressCase("Schreibt uns eure Fragen in die Kommentare!", du=("Schreibt", "eure")),
    AddressCase(
        "Haben wir Ihr Interesse geweckt? Dann freuen wir uns auf Ihre Bewerbung.", sie=("Ihr", "Ihre")
    ),
    AddressCase("Hast du schon unseren neuen Podcast gehört? Folge 12 ist online.", du=("Hast du",)),
    AddressCase("Für Fragen stehen wir Ihnen jederzeit zur Verfügung.", sie=("Ihnen",)),
    AddressCase("Unsere Azubis Lena und Max stellen sich vor. Sie haben im August angefangen."),
    AddressCase("Gewinnen Sie zwei Tickets für das Stadtfest!", sie=("Gewinnen Sie",)),
    AddressCase("Gewinne zwei Tickets für das Stadtfest!", du=("Gewinne",)),
    AddressCase("Jetzt bewerben und Teil unseres Teams werden!"),
    AddressCase(
        "Kennst du schon unsere App? Lade sie dir kostenlos herunter.", du=("Kennst du", "Lade", "dir")
    ),
    AddressCase("Wir wünschen Ihnen und Ihrer Familie frohe Feiertage!", sie=("Ihnen", "Ihrer")),
    AddressCase("Wir wünschen dir und deiner Familie frohe Feiertage!", du=("dir", "deiner")),
    AddressCase("Frohe Ostern wünscht euch das Team vom Jugendzentrum!", du=("euch",)),
    AddressCase("Die Kinder der Kita Sonnenschein haben gebastelt. Ihre Kunstwerke hängen jetzt im Foyer."),
    AddressCase(
        "Sie möchten mehr über Ihre Rente wissen? Vereinbaren Sie einen Termin.",
        sie=("Sie", "Ihre", "Vereinbaren Sie"),
    ),
    AddressCase("Was sagt ihr dazu?", du=("sagt ihr",)),
    AddressCase("Ihr habt abgestimmt: Der neue Spielplatz kommt!", du=("Ihr habt",)),
    AddressCase(
        "Verpassen Sie keine Neuigkeiten mehr und abonnieren Sie unseren Newsletter.",
        sie=("Verpassen Sie", "Sie"),
    ),
    AddressCase(
        "Abonniere unseren Newsletter und verpasse keine Neuigkeiten mehr.", du=("Abonniere", "verpasse")
    ),
    AddressCase("Zeig uns dein schönstes Urlaubsfoto!", du=("Zeig", "dein")),
    AddressCase("Erzählen Sie uns von Ihrem Lieblingsort in der Stadt.", sie=("Erzählen Sie", "Ihrem")),
    AddressCase(
        "Die Mitarbeiterinnen des Ordnungsamts sind unterwegs. Sprechen Sie sie gern an!",
        sie=("Sprechen Sie",),
    ),
    AddressCase("Mehr Infos gibt's unter www.example.org – schau mal rein!", du=("schau",)),
    AddressCase("Unser Chef sagt: Ihr seid das beste Team!", du=("Ihr seid",)),
    AddressCase("Hier kannst du dich anmelden: https://example.org/anmelden", du=("kannst du dich",)),
    AddressCase("Interessiert? Melden Sie sich bei Frau Weber.", sie=("Melden Sie sich",)),
    AddressCase("Ab sofort könnt ihr eure Bücher auch online verlängern.", du=("könnt ihr eure",)),
    # --- a second round of posts written before the detector saw them (it then learnt "Stell dir",
    # "Fühl dich" and any -st verb next to "du")
    AddressCase("Neu im Sortiment: regionale Äpfel vom Bodensee. Probieren Sie mal!", sie=("Probieren Sie",)),
    AddressCase(
        "Stell dir vor, du könntest deine Arbeitszeit frei einteilen.", du=("Stell dir", "du könntest deine")
    ),
    AddressCase("Ihre Meinung ist gefragt: Nehmen Sie an unserer Umfrage teil.", sie=("Ihre", "Nehmen Sie")),
    AddressCase(
        "Die Polizei bittet um Hinweise. Sie erreichen die Dienststelle unter 110.", sie=("Sie",), hard=True
    ),
    AddressCase("Die Stadträte haben entschieden. Sie stimmten für den Radweg."),
    AddressCase("Noch kein Ticket? Dann aber schnell!"),
    AddressCase(
        "Du hast Fragen zur Ausbildung? Unsere Azubis beantworten sie live auf Instagram.", du=("Du hast",)
    ),
    AddressCase("Lust auf Veränderung? Wir haben die passende Stelle für dich.", du=("dich",)),
    AddressCase("Bei uns bist du mehr als eine Nummer.", du=("bist du",)),
    AddressCase("Bei uns sind Sie mehr als eine Nummer.", sie=("Sie",)),
    AddressCase(
        "Achtung: Betrüger geben sich als Mitarbeitende aus. Geben Sie keine Daten heraus!",
        sie=("Geben Sie",),
    ),
    AddressCase("Achtung: Betrüger geben sich als Mitarbeitende aus. Gib keine Daten heraus!", du=("Gib",)),
    AddressCase("Wie gut kennst du deine Stadt? Mach mit beim Quiz!", du=("kennst du deine", "Mach")),
    AddressCase("Kinder, Kinder! Am Sonntag ist Familientag im Museum."),
    AddressCase("Die Gewinnerinnen stehen fest: Sie dürfen sich über ein E-Bike freuen."),
    AddressCase("Wir sagen Danke an alle, die mitgeholfen haben!"),
    AddressCase("Sagt Danke an alle, die mitgeholfen haben!", du=("Sagt",), hard=True),
    AddressCase("Fühlen Sie sich wie zu Hause.", sie=("Fühlen Sie sich",)),
    AddressCase("Fühl dich wie zu Hause.", du=("Fühl dich",)),
    AddressCase("Schönes Wochenende euch allen!", du=("euch",)),
    AddressCase("Schönes Wochenende Ihnen allen!", sie=("Ihnen",)),
    AddressCase("Unser Bürgermeister lädt ein. Er freut sich auf Ihren Besuch.", sie=("Ihren",)),
    AddressCase("Was macht eigentlich ein Stadtplaner? Unsere Kollegin Jana erklärt es."),
    AddressCase("Ihr Lieblingsrezept? Teilen Sie es mit uns!", sie=("Ihr", "Teilen Sie")),
    AddressCase("Dein Lieblingsrezept? Teil es mit uns!", du=("Dein", "Teil")),
    AddressCase(
        "Wer hat Lust, beim Frühjahrsputz mitzumachen? Meldet euch im Quartiersbüro.", du=("Meldet euch",)
    ),
    AddressCase("Die Sonne scheint, die Eisdiele hat geöffnet – worauf wartest du?", du=("wartest du",)),
    AddressCase("Danke, dass Sie uns seit 20 Jahren vertrauen.", sie=("Sie",)),
    AddressCase("Unsere Auszubildenden haben ihre Prüfung bestanden. Wir gratulieren ihnen herzlich!"),
    AddressCase(
        "Sie sind auf der Suche nach einem sicheren Job? Dann sind Sie bei uns richtig.", sie=("Sie", "Sie")
    ),
    # --- English text: no address findings
    AddressCase("Do you have questions? We are happy to help you.", language="en"),
    AddressCase("Follow us on Instagram for more updates and stories.", language="en"),
    AddressCase("Check the directory: dir /s lists all files on your drive.", language="en"),
    AddressCase("She and her team won the award for their work.", language="en"),
    AddressCase("Join us at our booth and grab your free coffee!", language="en"),
    AddressCase("Thank you for your order, we will ship it tomorrow.", language="en"),
]


@dataclass(frozen=True)
class Score:
    precision: float
    recall: float
    true_positives: int
    false_positives: int
    false_negatives: int


def detected(case: AddressCase) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The du phrases and the Sie phrases the checker highlights in the case's text (through `check`)."""
    from onevoice.voice.checker import Rule, RuleKind, Severity, VariantFacts, check

    facts = VariantFacts(text=case.text, language=case.language)
    rules = [
        Rule("sie", RuleKind.ADDRESS, Severity.BLOCK, {"form": "sie"}),
        Rule("du", RuleKind.ADDRESS, Severity.BLOCK, {"form": "du"}),
    ]
    found = check(facts, rules)
    by_position = sorted(found, key=lambda f: f.spans[0])
    du = tuple(case.text[f.spans[0][0] : f.spans[0][1]] for f in by_position if f.rule_id == "sie")
    sie = tuple(case.text[f.spans[0][0] : f.spans[0][1]] for f in by_position if f.rule_id == "du")
    return du, sie


def score(cases: list[AddressCase]) -> Score:
    """Precision and recall over the words highlighted as du or Sie (a phrase counts word by word)."""
    tp = fp = fn = 0
    for case in cases:
        du, sie = detected(case)
        got = Counter(("du", w) for p in du for w in p.split()) + Counter(
            ("sie", w) for p in sie for w in p.split()
        )
        want = Counter(("du", w) for p in case.du for w in p.split()) + Counter(
            ("sie", w) for p in case.sie for w in p.split()
        )
        hits = got & want
        tp += sum(hits.values())
        fp += sum((got - hits).values())
        fn += sum((want - hits).values())
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    return Score(precision, recall, tp, fp, fn)
