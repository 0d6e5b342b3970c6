"""The words the claim rules know (docs/claims.md says what the rules do with them).

General news vocabulary, not words picked from any one story. Word lists are written as one
string each, for reading; the formatter is told to leave this file's layout alone.
"""

from __future__ import annotations

import re

# fmt: off
# qualifier phrase (lower-cased tokens) -> qualifier
QUALIFIERS: dict[tuple[str, ...], str] = {
    **{tuple(p.split()): "more_than" for p in (
        "more than", "over", "above", "exceeding", "in excess of", "upwards of", "well over",
        "nearly over", "beyond",
    )},
    **{tuple(p.split()): "at_least" for p in (
        "at least", "no fewer than", "no less than", "a minimum of", "not less than",
    )},
    **{tuple(p.split()): "about" for p in (
        "about", "around", "approximately", "nearly", "almost", "roughly", "some",
        "an estimated", "close to", "estimated", "approx", "approx.", "circa", "around some",
    )},
    **{tuple(p.split()): "up_to" for p in (
        "up to", "as many as", "at most", "fewer than", "less than", "under", "no more than",
    )},
}

# metric cue word -> metric
METRIC_WORDS: dict[str, str] = {
    **dict.fromkeys("""
killed kill kills killing dead died die dies deaths death deadly slain lives fatalities perished
eliminated elimination neutralised neutralized massacred executed toll bodies buried burials
funerals
""".split(), "killed"),
    **dict.fromkeys("""
injured injuring injures injure injuries wounded wounding wounds hurt hospitalised hospitalized
shot
""".split(), "injured"),
    **dict.fromkeys("""
captured capturing captive captives hostage hostages abducted abducting abduction abductions
kidnapped kidnapping kidnappings seized
""".split(), "captured"),
    **dict.fromkeys("""
released freed releasing freeing rescued swapped exchanged repatriated
""".split(), "released"),
    **dict.fromkeys("""
destroyed destroying ablaze torched burnt burned demolished razed damaged blown
""".split(), "destroyed"),
    **dict.fromkeys("""
attacked attacks attack targeted targeting struck stormed raids raided assaults strikes
""".split(), "attacked"),
    **dict.fromkeys("""
arrested arrests arrest detained detaining apprehended nabbed custody
""".split(), "arrested"),
    **dict.fromkeys("""
missing disappeared disappearances unaccounted
""".split(), "missing"),
}

# metric cue phrase (lower-cased tokens) -> metric
METRIC_PHRASES: dict[tuple[str, ...], str] = {
    ("set", "on", "fire"): "destroyed",
    ("set", "fire"): "destroyed",
    ("seized", "or", "destroyed"): "destroyed",
    ("destroyed", "or", "seized"): "destroyed",
    ("damaged", "or", "destroyed"): "destroyed",
    ("taken", "captive"): "captured",
    ("taken", "hostage"): "captured",
    ("death", "toll"): "killed",
    ("lost", "their", "lives"): "killed",
    ("shot", "dead"): "killed",
    ("shot", "and", "killed"): "killed",
    ("fatally", "shot"): "killed",
    ("fatally", "wounded"): "killed",
    ("shot", "to", "death"): "killed",
    ("gunned", "down"): "killed",
    ("the", "life", "of"): "killed",
    ("the", "lives", "of"): "killed",
    # "none": a cue that looks like a metric and is not one
    ("released", "from"): "none",
    ("released", "after"): "none",
    ("treated", "and", "released"): "none",
    ("exchanged", "fire"): "none",
    ("exchanged", "gunfire"): "none",
    ("exchange", "of", "fire"): "none",
    ("fighting", "for", "their", "lives"): "none",
    ("fighting", "for", "his", "life"): "none",
    ("fighting", "for", "her", "life"): "none",
    ("shots", "fired"): "none",
    ("shot", "at"): "none",
    ("in", "the", "shooting"): "none",
}

# Metric cues that only people can undergo ("taken captive"), never buildings or vehicles.
PERSON_ONLY_CUES = frozenset("""
abducted abduction abductions captive captives hostage hostages injured kidnapped kidnapping
kidnappings killed taken wounded
""".split())

# Subjects that are things, and the only metrics things can undergo.
THINGS = frozenset("""
buildings locations vehicles
""".split())
THING_METRICS = frozenset("""
attacked captured destroyed released
""".split())

# Subject head nouns (lower-cased, singular and plural) -> subject
SUBJECT_HEADS: dict[str, str] = {
    **dict.fromkeys("""
soldier soldiers troops troop personnel policemen policeman cops officers jawans jawan
servicemen servicemembers guards paramilitaries commandos marines sailors airmen levies rangers
constables security forces
""".split(), "security_forces"),
    **dict.fromkeys("""
civilians civilian women woman children child kids residents villagers labourers laborers
workers passengers students pilgrims worshippers worshipers boys girls boy girl infants babies
farmers tourists shoppers bystanders migrants refugees journalists doctors nurses teachers
protesters protestors demonstrators fishermen miners drivers crew employees staff pilots traders
vendors engineers foreigners shepherds survivors minors men man teens teenagers brothers sons
daughters adults juveniles relatives neighbors neighbours
visitor visitors teenager teen resident villager worker passenger student pilgrim farmer tourist
shopper bystander migrant refugee journalist pedestrian pedestrians motorist motorists cyclist
cyclists spectator spectators
""".split(), "civilians"),
    **dict.fromkeys("""
militants militant terrorists terrorist insurgents insurgent rebels rebel fighters fighter
attackers attacker assailants gunmen gunman separatists jihadists bombers bomber extremists
fidayeen assailant
""".split(), "militants"),
    **dict.fromkeys("""
people persons person individuals others lives deaths dead bodies fatalities casualties victims
members officials inmates prisoners hostages captives abductions kidnappings disappearances
citizens nationals killed injured wounded toll suspects suspect arrests arrest injuries
""".split(), "people"),
    **dict.fromkeys("""
vehicles vehicle cars car trucks truck buses bus tankers tanks trains aircraft helicopters
drones boats ships motorcycles convoys lorries ambulances
""".split(), "vehicles"),
    **dict.fromkeys("""
buildings building properties property offices office banks prisons houses homes home shops
schools facilities installations posts checkpoints outposts stations camps bases headquarters
hospitals mosques churches temples bridges towers structures premises compounds hideouts
""".split(), "buildings"),
    **dict.fromkeys("""
locations location sites places districts cities towns areas villages provinces regions targets
neighbourhoods neighborhoods points fronts
""".split(), "locations"),
}

# Heads that say little alone: "80 members of the security forces" looks further.
SOFT_HEADS = frozenset("""
individuals members officials others people personnel persons
""".split())

# Modifiers that make a person noun a member of the security forces ("security officials").
SECURITY_MODIFIERS = frozenset("""
army counter-terrorism defence defense frontier military naval paramilitary police security
service
""".split())

# Modifiers that name a subject on their own ("31 civilian and 17 security deaths").
SUBJECT_MODIFIERS: dict[str, str] = {
    "civilian": "civilians",
    "security": "security_forces",
    "militant": "militants",
    "military": "security_forces",
    "police": "security_forces",
    "rebel": "militants",
    "insurgent": "militants",
    "terrorist": "militants",
}

# Words that end the search for a figure's subject.
SUBJECT_STOPS = frozenset("""
( ) , . : ; [ across after and are as at been by during for from had has have in including
into is on or over since that to was were while who with – —
""".split())

# Words that start a new clause: the search for a figure's verb stops there.
CLAUSE_STARTS = frozenset("""
after although because before since though unless until when whereas while
""".split())

# Verbs (and verb-like nouns) that attribute what follows or precedes them.
REPORTING_VERBS = frozenset("""
increased increases raised raises revised updated lowered
acknowledged acknowledges added admitted alleged alleges alleging announced announces
announcing asserted asserts cited claim claimed claiming claims confirmed confirming
confirms counted declared disclosed documented estimated estimates highlighted informed
insisted maintained noted put puts quoted recorded records report reported reporting reports
revealed said say saying says stated states tallied told warned
""".split())

# Reporting verbs that need a known kind of speaker ("the deadliest day records ...").
WEAK_VERBS = frozenset("""
increased increases raised raises revised updated lowered
counted documented estimated estimates put puts recorded records report reports tallied
""".split())

# A reporting word after these is a noun ("the BLA's claim").
DETERMINERS = frozenset("""
's a an her his its the their this ’s ”
""".split())

# Words that end a noun phrase when scanning left from a reporting verb.
NP_BREAKS = frozenset("""
( ) , - : ; after also and as but earlier further had has have later that then when whereas
which while who – —
""".split())

# Auxiliaries and times skipped between a speaker and its verb
# ("the BLA on Friday has since claimed").
BETWEEN_SUBJECT_AND_VERB = frozenset("""
afternoon again already also earlier evening first friday further had has have initially
just last late later monday morning night now officially on previously publicly repeatedly
reportedly saturday separately since sunday then this thursday today tuesday wednesday week
yesterday
""".split())

# Common nouns that can end a sentence's named subject ("Security units").
SUBJECT_NOUNS = frozenset("""
authorities forces group militants officers officials police rebels statement troops units
""".split())

# Words that refer back to the last group named.
PRONOUNS_ORG = frozenset("""
fighters group insurgents it its militants organisation organization outfit rebels
separatists statement they
""".split())

# Sources too vague to name a claimant.
GENERIC_SOURCES = frozenset((
    "officials familiar", "sources", "other sources", "some sources",
))

# Reports without a named outlet: the media, as a kind ("local reports", "some reports").
MEDIA_REPORTS = frozenset((
    "a report", "media reports", "report", "reports", "reports said", "some reports",
    "other reports", "local reports", "news reports", "press reports", "local media",
))

# claimant kind -> cue words; kinds are tried in this order, the first that matches wins
KIND_CUES: dict[str, tuple[str, ...]] = {
    "ngo": (
        "hospital", "medical services", "medical service", "medical center", "medical centre",
        "health system", "paramedic", "medics",
        "ambulance", "ems", "emergency medical", "nurse", "activist", "rights group",
        "amnesty", "human rights watch", "red cross", "red crescent", "institute",
        "observatory", "commission", "foundation", "médecins", "msf", "doctors without",
        "save the children", "acled", "rights group", "watchdog", "ngo", "monitor", "unicef",
        "oxfam", "council", "united nations", "un", "unhcr", "icrc",
        "world health organization",
    ),
    "media": (
        "associated press", "reuters", "afp", "agence france", "press trust", "pti", "ians",
        "ani", "uni", "ibns", "cnn", "bbc", "ndtv", "dna", "al jazeera", "times", "news",
        "post", "herald", "tribune", "journal", "gazette", " tv", "television", "radio",
        "press", "agency", "media", "newspaper", "reports", "report", "dawn", "xinhua", "tass",
        "guardian", "hindu", "express", "channel", "reporters", "correspondent", "ap",
    ),
    "militant_group": (
        "liberation", "front", "brigade", "taliban", "tehreek", "lashkar", "jaish", "qaeda",
        "islamic state", "isis", "isil", "hamas", "hezbollah", "houthi", "militia", "militant",
        "rebel", "insurgent", "separatist", "fighters", "jihad", "mujahideen", "the group",
        "armed group", "outfit",
    ),
    "government": (
        "government", "official", "authorit", "ministry", "minister", "president", "governor",
        "police", "army", "military", "forces", "ispr", "department", "administration",
        "commissioner", "spokesperson for", "mayor", "cabinet", "state", "security", "officer",
        "sheriff", "prosecutor", "court", "embassy", "interior", "defence", "defense", "chief",
        "secretary", "units", "troops", "federal", "provincial", "district", "senator",
        "lawmaker", "parliament", "agency of", "ministry of", "coroner", "fire department",
        "office", "ombudsman", "public defender", "attorney",
    ),
}

# Nouns before a number that make it a label, not a count ("Section 144", "Flight 370").
LABEL_NOUNS = frozenset("""
age aged ages
article avenue battalion block bus channel chapter class corps covid covid-19 district
episode flight g20 g7 gate grade highway house i- interstate level line model no no. number
page phase platform plot precinct regiment road room route rule season section sector squad
street unit version vol volume ward
""".split())

# Units after a number that make it a measure, not a count.
UNIT_NOUNS = frozenset("""
% a.m. acres am am. billion bullets centuries century cm crore day days decade decades
degrees dollars euros feet floors foot gmt hectares hour hours ist kg kilometers kilometres
km lakh block meters metres mile miles million minute minutes mm month months o'clock p.m. per
percent pm pm. points pounds rounds rupees second seconds shots storey storeys times tonnes
tons trillion utc votes week weeks year years yuan
games matches fixtures appearances innings outings
""".split())

# Before a number: money.
CURRENCY = frozenset("""
$ eur inr pkr rs rs. us$ usd £ € ₹
""".split())

# Before or after a number: a date.
MONTHS = frozenset("""
apr apr. april aug aug. august dec dec. december feb feb. february jan jan. january jul july
jun june mar mar. march may nov nov. november oct oct. october sep sep. sept sept. september
""".split())

# A full stop after these does not end a sentence.
ABBREVIATIONS = tuple("""
Mr Mrs Ms Dr St Gen Lt Col Capt Sgt Maj Rev Prof No Jan Feb Mar Apr Aug Sep Sept Oct Nov Dec
U.S U.N U.K Inc Ltd Co vs Gov Sen
""".split())
# fmt: on

# fmt: off
# Subject heads that are a demographic slice of victims, not a class: a count of them inside a
# stated total is a part ("including five women and three children").
DEMOGRAPHIC_HEADS = frozenset("""
women woman children child kids boys girls boy girl infants babies minors students teenagers
teens men man juveniles adults journalists foreigners tourists employees staff nationals pilgrims
worshippers
""".split())

# Plural nouns after a figure that count no people, though the lexicon does not know them:
# animals, a player's record ("two starts"), and what a disease counts ("57 hospitalizations",
# "431 infections": the rubric's disease cases are not casualties). Nouns ending in
# NOT_PEOPLE_SUFFIXES are abstract ("infections", "appointments") and count no people either.
NOT_PEOPLE = frozenset("""
animals lions tigers leopards bears wolves dogs cats horses cows cattle sheep goats pigs camels
donkeys elephants monkeys birds chickens fish dolphins whales sharks snakes crocodiles
starts goals wins losses defeats victories titles trophies medals caps assists runs wickets
laps sets draws saves tackles seasons races stages
""".split())
NOT_PEOPLE_SUFFIXES = ("tions", "sions", "ments", "ities", "nesses", "ances", "ences", "isms")

# Words around a figure that make it a period statistic, not one event's toll.
PERIOD_CUES = (
    "this year", "last year", "so far this year", "year to date", "year-to-date", "annual",
    "annually", "every year", "each year", "per year", "a year", "past year", "previous year",
    "past twelve months", "past 12 months", "previous twelve months", "previous 12 months",
    "last twelve months", "last 12 months", "since january", "this decade", "in recent years",
    "over the years",
    # a war's running total, not one strike's toll ("more than 73,000 killed since the war began")
    "since the war", "since the start of", "since the beginning of", "since the conflict",
    "since the invasion", "invasion began", "war began", "war started", "war broke out",
    "conflict began", "since the fighting began", "throughout the war", "course of the war",
    # a count since a month or a year ago ("killed in Gaza since last October", "since 2023")
    "since last", *(f"since {month}" for month in (
        "february", "march", "april", "may", "june", "july", "august", "september", "october",
        "november", "december",
    )),
)
#: "since 2023": a count since a year
SINCE_YEAR = re.compile(r"\bsince (?:19|20)\d\d\b")

# Sentence cues of an earlier or other event cited for comparison.
OTHER_EVENT_CUES = (
    "deadliest since", "worst since", "earlier attack", "previous attack", "a similar attack",
    "in a separate", "last month's", "the last time", "in a similar",
    # a strike the day before, cited beside today's (issue 18: "at least 7" then "9" is no revision)
    "a day earlier", "the previous day", "days earlier", "a week earlier", "earlier strike",
    "previous strike", "another attack", "another strike", "separate incident", "separate strike",
)

# Words that put a figure in one place inside a larger area ("in the Podilskyi district alone").
PLACE_PART_CUES = (
    "district alone", "alone in", "in one district", "in one town", "in one village",
    "in one city", "neighbourhood alone", "neighborhood alone", "province alone",
    "region alone", "city alone", "town alone", "village alone", "in the district of",
)
PLACE_PART_HEADS = frozenset("district neighbourhood neighborhood suburb ward borough".split())
# Words that put a figure over a whole area, so that a smaller count of the same kind in a named
# place of the same text is a part of it ("237 in Derna ... 303 across eastern Libya").
WHOLE_AREA_CUES = (
    "across", "throughout", "in all", "in total", "nationwide", "countrywide", "statewide",
    "overall", "all told", "the whole region", "the entire region",
)
# Words after a figure that add to an earlier count of the same kind ("4 more were detained").
ADDITIONAL_AFTER = frozenset("more others other additional further".split())
# fmt: on

# fmt: off
# Capitalized words after a figure that are not a named group of people ("5 Main Street").
NOT_GROUPS = frozenset("""
street st avenue ave road rd boulevard blvd drive lane way court place highway
monday tuesday wednesday thursday friday saturday sunday
""".split()) | MONTHS
# fmt: on

# fmt: off
# Cues of a government body that other kinds' cue words would claim first ("civil protection
# agency" is not a news agency, "the National Disaster Mitigation Agency" is not media).
GOVERNMENT_FIRST = (
    "civil protection", "disaster", "mitigation", "emergency management", "immigration",
    "customs", "border protection", "national police", "health ministry", "ministry of",
    "interior ministry", "fire officials", "fire department", "sheriff", "police",
    "prosecutor", "coroner", "medical examiner",
)
# fmt: on

# fmt: off
# Nouns after a figure that count happenings, not people ("3 separate shootings").
EVENT_NOUNS = frozenset("""
shootings shooting incidents incident attacks explosions blasts bombings operations raids
cases charges counts rounds shots calls gunshots bombs grenades rockets missiles mortars shells
devices explosives weapons guns rifles pistols bullets casings
""".split())

# Location heads that can sit inside a subject ("106 protesters in 21 cities were killed").
PLACE_HEADS = frozenset("""
cities towns provinces districts states countries villages locations regions neighborhoods
neighbourhoods areas
""".split())

# Auxiliaries between a bare figure and its participle ("as many as 200 have been killed").
AUXILIARIES = frozenset("""
have has had been were was are is be being also reportedly
""".split())
# fmt: on
