"""The words the claim rules know. Documented in docs/claims.md; general news vocabulary,
not words picked from any one story."""

from __future__ import annotations

# qualifier phrase (lower-cased tokens) -> qualifier
QUALIFIERS: dict[tuple[str, ...], str] = {
    **{tuple(p.split()): "more_than" for p in (
        "more than", "over", "above", "exceeding", "in excess of", "upwards of", "well over",
        "nearly over", "beyond")},
    **{tuple(p.split()): "at_least" for p in (
        "at least", "no fewer than", "no less than", "a minimum of", "not less than")},
    **{tuple(p.split()): "about" for p in (
        "about", "around", "approximately", "nearly", "almost", "roughly", "some",
        "an estimated", "close to", "estimated", "approx", "approx.", "circa", "around some")},
    **{tuple(p.split()): "up_to" for p in (
        "up to", "as many as", "at most", "fewer than", "less than", "under", "no more than")},
}

# metric cue -> metric. Single words and phrases (lower-cased tokens).
METRIC_WORDS: dict[str, str] = {
    **dict.fromkeys(("killed", "kill", "kills", "killing", "dead", "died", "die", "dies",
                     "deaths", "death", "deadly", "slain", "lives", "fatalities", "perished",
                     "eliminated", "elimination", "neutralised", "neutralized", "massacred",
                     "executed", "toll", "bodies"), "killed"),
    **dict.fromkeys(("injured", "injuring", "injures", "injure", "injuries", "wounded",
                     "wounding", "wounds", "hurt", "hospitalised", "hospitalized"), "injured"),
    **dict.fromkeys(("captured", "capturing", "captive", "captives", "hostage", "hostages",
                     "abducted", "abducting", "abduction", "abductions", "kidnapped",
                     "kidnapping", "kidnappings", "seized"), "captured"),
    **dict.fromkeys(("released", "freed", "releasing", "freeing", "rescued"), "released"),
    **dict.fromkeys(("destroyed", "destroying", "ablaze", "torched", "burnt", "burned",
                     "demolished", "razed", "damaged", "blown"), "destroyed"),
    **dict.fromkeys(("attacked", "attacks", "attack", "targeted", "targeting", "struck",
                     "stormed", "raids", "raided", "assaults", "strikes"), "attacked"),
    **dict.fromkeys(("arrested", "arrests", "arrest", "detained", "detaining", "apprehended",
                     "nabbed", "custody"), "arrested"),
    **dict.fromkeys(("missing", "disappeared", "disappearances", "unaccounted"), "missing"),
}
METRIC_PHRASES: dict[tuple[str, ...], str] = {
    ("set", "on", "fire"): "destroyed", ("set", "fire"): "destroyed",
    ("seized", "or", "destroyed"): "destroyed", ("destroyed", "or", "seized"): "destroyed",
    ("damaged", "or", "destroyed"): "destroyed", ("taken", "captive"): "captured",
    ("taken", "hostage"): "captured", ("death", "toll"): "killed",
    ("lost", "their", "lives"): "killed",
}

# Subject head nouns (lower-cased, singular and plural).
SUBJECT_HEADS: dict[str, str] = {
    **dict.fromkeys(("soldier", "soldiers", "troops", "troop", "personnel", "policemen",
                     "policeman", "policemen", "cops", "officers", "jawans", "jawan",
                     "servicemen", "servicemembers", "guards", "paramilitaries", "commandos",
                     "marines", "sailors", "airmen", "levies", "rangers", "constables",
                     "security", "forces"), "security_forces"),
    **dict.fromkeys(("civilians", "civilian", "women", "woman", "children", "child", "kids",
                     "residents", "villagers", "labourers", "laborers", "workers", "passengers",
                     "students", "pilgrims", "worshippers", "worshipers", "boys", "girls", "boy",
                     "girl", "infants", "babies", "farmers", "tourists", "shoppers",
                     "bystanders", "migrants", "refugees", "journalists", "doctors", "nurses",
                     "teachers", "protesters", "protestors", "demonstrators", "fishermen",
                     "minors", "men"), "civilians"),
    **dict.fromkeys(("militants", "militant", "terrorists", "terrorist", "insurgents",
                     "insurgent", "rebels", "rebel", "fighters", "fighter", "attackers",
                     "attacker", "assailants", "gunmen", "gunman", "separatists", "jihadists",
                     "bombers", "bomber", "extremists", "suspects", "fidayeen", "assailant"),
     "militants"),
    **dict.fromkeys(("people", "persons", "person", "individuals", "others", "lives",
                     "deaths", "dead", "bodies", "fatalities", "casualties", "victims",
                     "members", "officials", "inmates", "prisoners", "hostages", "captives",
                     "abductions", "kidnappings", "disappearances", "citizens", "nationals",
                     "killed", "injured", "wounded", "toll"), "people"),
    **dict.fromkeys(("vehicles", "vehicle", "cars", "car", "trucks", "truck", "buses", "bus",
                     "tankers", "tanks", "trains", "aircraft", "helicopters", "drones",
                     "boats", "ships", "motorcycles", "convoys", "lorries"), "vehicles"),
    **dict.fromkeys(("buildings", "building", "properties", "property", "offices", "office",
                     "banks", "prisons", "houses", "homes", "home", "shops", "schools",
                     "facilities", "installations", "posts", "checkpoints", "outposts",
                     "stations", "camps", "bases", "headquarters", "hospitals", "mosques",
                     "churches", "temples", "bridges", "towers", "structures", "premises",
                     "compounds", "hideouts"), "buildings"),
    **dict.fromkeys(("locations", "location", "sites", "places", "districts", "cities",
                     "towns", "areas", "villages", "provinces", "regions", "targets",
                     "neighbourhoods", "neighborhoods", "points", "fronts", "attacks"),
     "locations"),
}
# Modifiers that make a person noun a member of the security forces ("security officials").
SECURITY_MODIFIERS = frozenset({"security", "military", "police", "army", "paramilitary",
                                "defence", "defense", "naval", "frontier", "counter-terrorism"})
# Modifiers that name a subject on their own ("31 civilian and 17 security deaths").
SUBJECT_MODIFIERS = {"civilian": "civilians", "security": "security_forces",
                     "militant": "militants", "military": "security_forces",
                     "police": "security_forces", "rebel": "militants",
                     "insurgent": "militants", "terrorist": "militants"}

REPORTING_VERBS = frozenset({
    "said", "says", "say", "saying", "report", "claimed", "claims", "claim", "claiming", "alleged",
    "alleges", "alleging", "stated", "states", "reported", "reports", "reporting", "told",
    "announced", "announces", "announcing", "asserted", "asserts", "acknowledged",
    "acknowledges", "confirmed", "confirms", "confirming", "added", "noted", "estimated",
    "estimates", "maintained", "declared", "insisted", "recorded", "records", "documented",
    "counted", "tallied", "put", "puts", "revealed", "disclosed", "admitted", "informed",
    "highlighted", "warned", "quoted", "cited",
})

# Words that end a noun phrase when scanning left from a reporting verb.
NP_BREAKS = frozenset({",", ";", ":", "that", "which", "who", "and", "but", "while", "whereas",
                       "as", "after", "when", "(", ")", "—", "–", "-", "“", "”", '"', "also",
                       "further", "had", "has", "have", "later", "earlier", "then"})

PRONOUNS_ORG = frozenset({"it", "its", "they", "group", "outfit", "organisation",
                          "organization", "militants", "rebels", "insurgents", "separatists",
                          "fighters", "statement"})
PRONOUNS_PERSON = frozenset({"he", "she", "spokesperson", "spokesman", "spokeswoman"})

KIND_CUES: dict[str, tuple[str, ...]] = {
    "ngo": ("amnesty", "human rights watch", "red cross", "red crescent", "institute",
            "observatory", "commission", "foundation", "médecins", "msf", "doctors without",
            "save the children", "acled", "rights group", "watchdog", "ngo", "monitor",
            "unicef", "oxfam", "council"),
    "media": ("associated press", "reuters", "afp", "agence france", "press trust", "pti",
              "ians", "ani", "uni", "ibns", "cnn", "bbc", "ndtv", "dna", "al jazeera", "times",
              "news", "post", "herald", "tribune", "journal", "gazette", " tv", "television",
              "radio", "press", "agency", "media", "newspaper", "reports", "report", "dawn",
              "xinhua", "tass", "guardian", "hindu", "express", "channel", "reporters",
              "correspondent", "ap"),
    "militant_group": ("liberation", "front", "brigade", "taliban", "tehreek", "lashkar",
                       "jaish", "qaeda", "islamic state", "isis", "isil", "hamas", "hezbollah",
                       "houthi", "militia", "militant", "rebel", "insurgent", "separatist",
                       "fighters", "jihad", "mujahideen", "the group", "armed group", "outfit"),
    "government": ("government", "official", "authorit", "ministry", "minister", "president",
                   "governor", "police", "army", "military", "forces", "ispr", "department",
                   "administration", "commissioner", "spokesperson for", "mayor", "cabinet",
                   "state", "security", "officer", "sheriff", "prosecutor", "court",
                   "embassy", "interior", "defence", "defense", "chief", "secretary", "units",
                   "troops", "federal", "provincial", "district", "senator", "lawmaker",
                   "parliament", "agency of", "ministry of", "coroner", "fire department"),
}

# Nouns before a number that make it a label, not a count ("Section 144", "Flight 370").
LABEL_NOUNS = frozenset({"section", "article", "no", "no.", "number", "rule", "chapter",
                         "route", "highway", "flight", "room", "page", "vol", "volume",
                         "phase", "level", "gate", "platform", "sector", "block", "ward",
                         "district", "precinct", "unit", "squad", "battalion", "regiment",
                         "corps", "grade", "class", "covid", "covid-19", "g20", "g7",
                         "episode", "season", "version", "model", "channel", "line", "bus",
                         "plot", "house", "street", "road", "avenue", "interstate", "i-"})
UNIT_NOUNS = frozenset({
    "hour", "hours", "day", "days", "minute", "minutes", "second", "seconds", "week", "weeks",
    "month", "months", "year", "years", "decade", "decades", "century", "centuries", "km",
    "kilometres", "kilometers", "miles", "mile", "metres", "meters", "feet", "foot", "kg",
    "tonnes", "tons", "percent", "per", "%", "pm", "am", "p.m.", "a.m.", "million", "billion",
    "crore", "lakh", "trillion", "dollars", "rupees", "euros", "pounds", "yuan", "acres",
    "hectares", "times", "points", "votes", "degrees", "am.", "pm.", "gmt", "ist", "utc",
    "o'clock", "storey", "storeys", "floors", "rounds", "shots", "bullets", "mm", "cm",
})
CURRENCY = frozenset({"$", "€", "£", "₹", "rs", "rs.", "usd", "inr", "pkr", "eur", "us$"})
MONTHS = frozenset({
    "january", "february", "march", "april", "may", "june", "july", "august", "september",
    "october", "november", "december", "jan", "feb", "mar", "apr", "jun", "jul", "aug",
    "sep", "sept", "oct", "nov", "dec", "jan.", "feb.", "mar.", "apr.", "aug.", "sep.",
    "sept.", "oct.", "nov.", "dec.",
})

# Metric cues that only people can undergo ("taken captive"), never buildings or vehicles.
PERSON_ONLY_CUES = frozenset({"captive", "captives", "hostage", "hostages", "abducted",
                              "abduction", "abductions", "kidnapped", "kidnapping",
                              "kidnappings", "taken", "killed", "injured", "wounded"})
