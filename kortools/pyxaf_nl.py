"""pyxaf's findings in Dutch: each code's title (pyxaf.findings.CODES) as an adviser reads it.

pyxaf reports what it notices in a file as coded findings with English titles and messages;
kortools' page, report and command speak Dutch (issue #31 item 6, issue #32 item 7). The
English message stays in the English text of a finding; a code pyxaf adds later than this
table is named by its code in Dutch words.
"""

from __future__ import annotations

SEVERITY_NL = {"INFO": "ter informatie", "WARNING": "waarschuwing", "ERROR": "fout"}

TITLES_NL = {
    "XAF1001": "het bestand begint met een byte-order mark",
    "XAF1002": "geen XML-declaratie; gelezen als UTF-8",
    "XAF1003": "een tekenset die de specificatie niet toestaat",
    "XAF1004": "tekenset door kortools opgegeven",
    "XAF1005": "verklaard als ISO-8859-1 maar met windows-1252-tekens",
    "XAF1006": "onleesbare bytes vervangen",
    "XAF1010": "hersteld: ongeldige stuurtekens verwijderd",
    "XAF1011": "hersteld: ISO-8859-1 gelezen als windows-1252",
    "XAF1012": "hersteld: losse &-tekens omgezet",
    "XAF1013": "hersteld: rommel na het einde van het document verwijderd",
    "XAF1020": "ingepakt bestand",
    "XAF1021": "ingepakt bestand beschadigd of onvolledig",
    "XAF2001": "de XML klopt niet",
    "XAF2002": "verboden constructie (DOCTYPE/ENTITY)",
    "XAF2003": "veiligheidsgrens overschreden",
    "XAF3001": "versie herkend",
    "XAF3002": "namespace is een bekende variant, niet die van het XSD",
    "XAF3003": "namespace bestaat officieel niet",
    "XAF3004": "onbekende namespace",
    "XAF3005": "tegenstrijdige aanwijzingen voor de versie",
    "XAF3006": "vervolgbestand van een gesplitste auditfile",
    "XAF3007": "versie niet met zekerheid vast te stellen",
    "XAF3008": "bestanden van één set hebben verschillende versies",
    "XAF3009": "vervolgbestanden niet op volgorde genummerd",
    "XAF3010": "verplicht element ontbreekt",
    "XAF3011": "element bestaat niet in deze versie",
    "XAF3012": "element komt vaker voor dan toegestaan",
    "XAF3013": "element staat niet op zijn plaats",
    "XAF3014": "waarde te lang of te kort",
    "XAF3015": "waarde niet in de toegestane lijst",
    "XAF3016": "waarde past niet in het voorgeschreven patroon",
    "XAF3017": "ongeldige datum",
    "XAF3018": "ongeldig decimaal getal",
    "XAF3019": "ongeldig geheel getal",
    "XAF3020": "waarde wijkt af van de vaste waarde",
    "XAF3021": "waarde buiten het toegestane bereik",
    "XAF3030": "stamgegevens na de boekingen",
    "XAF3040": "fout volgens het XSD-schema",
    "XAF3050": "ongeldige regel (ADF)",
    "XAF4001": "grootboekrekening niet gedefinieerd",
    "XAF4002": "klant of leverancier niet gedefinieerd",
    "XAF4003": "btw-code niet gedefinieerd",
    "XAF4004": "periode niet gedefinieerd",
    "XAF4005": "tegenrekening van een dagboek niet gedefinieerd",
    "XAF4006": "rekening van een btw-code niet gedefinieerd",
    "XAF4007": "rekening van de openingsbalans niet gedefinieerd",
    "XAF4008": "verwijzingen niet gecontroleerd: de stamgegevens ontbreken",
    "XAF5004": "totaal debet van de openingsbalans wijkt af van de som van de debetregels",
    "XAF5005": "totaal credit van de openingsbalans wijkt af van de som van de creditregels",
    "XAF5006": "openingsbalans: totaal debet wijkt af van totaal credit",
    "XAF5007": "totaal debet van de boekingen wijkt af van de som van de debetregels",
    "XAF5008": "totaal credit van de boekingen wijkt af van de som van de creditregels",
    "XAF5009": "boekingen: totaal debet wijkt af van totaal credit",
    "XAF5010": "een boeking is niet in evenwicht",
    "XAF5011": "aantal regels van de openingsbalans klopt niet met de telling",
    "XAF5012": "aantal boekingsregels klopt niet met de telling in het bestand",
    "XAF5013": "openingsbalans is niet in evenwicht",
    "XAF6001": "klant- of leveranciersnummer dubbel",
    "XAF6002": "grootboekrekening dubbel",
    "XAF6003": "RGS-code dubbel",
    "XAF6004": "boekingsnummer dubbel binnen een dagboek",
    "XAF6005": "regelnummer dubbel binnen een boeking",
    "XAF6006": "regelnummer van de openingsbalans dubbel",
    "XAF6007": "dagboek dubbel",
    "XAF6008": "btw-code dubbel",
    "XAF6009": "periodenummer dubbel",
    "XAF6010": "stamgegevens verschillen tussen de bestanden",
    "XAF6011": "bestanden van één set horen bij verschillende administraties",
    "XAF7001": "negatief bedrag",
    "XAF7002": "boekdatum buiten het boekjaar",
    "XAF7003": "boekdatum buiten zijn periode",
    "XAF7004": "openingsbalans zowel als element als in boekingen",
    "XAF7005": "openingsbalans als boekingen mag niet in XAF 4.0",
    "XAF7006": "geen openingsbalans",
    "XAF7007": "boekjaar klopt niet met begin- en einddatum",
    "XAF7008": "tijdzone van een datum weggelaten",
    "XAF7009": "code met spaties ervoor of erna",
    "XAF7010": "valutadatum buiten het boekjaar",
    "XAF7011": "boeking zonder regels",
    "XAF7012": "ongebruikelijke codewaarde",
    "XAF7013": "regel met zowel een debet- als een creditbedrag",
    "XAF7014": "periodenummer is geen getal",
    "XAF8001": "RGS-code is een plaatshouder",
    "XAF8002": "RGS-code lijkt geen RGS-referentiecode",
    "XAF8003": "RGS-code staat niet in de RGS-versie",
    "XAF8004": "RGS-code heeft in een latere RGS-versie een andere naam",
    "XAF8005": "RGS-versie niet herkend",
    "XAF8006": "rekening gekoppeld aan een ander RGS-niveau dan 4 of 5",
}


def finding_nl(code: str, severity: object) -> str:
    """A pyxaf finding in Dutch: what it is and how serious, with its code for look-up."""
    title = TITLES_NL.get(code, "melding zonder Nederlandse omschrijving")
    grade = SEVERITY_NL.get(str(severity).upper(), str(severity).lower())
    return f"{title} ({grade}; melding {code} van de lezer)"
