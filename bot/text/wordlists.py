"""General-English word lists, as data, in one place. Nothing here is fitted to any corpus:
function words, reporting verbs, negations, hedges, months, weekdays, number words,
abbreviations and honorific/office titles any English news text uses."""

from __future__ import annotations

# Function words: never key words of a question or a claim.
STOPWORDS = frozenset("""a an the and or but if then so of to in on at by for with from about into over
after before during between against under up down out off again further once here there when where
why how what which who whom whose is are was were be been being have has had do does did doing
would should could can will may might must shall not no nor only own same than too very just also
i me my we our you your he him his she her hers it its they them their theirs this that these those
tell please say said says much many more most some any all each other such as per via
while since until although though because yet still even ever new""".split())

# Words of reporting ("said", "according to"): they frame a claim, they are not part of it.
REPORTING_WORDS = frozenset("""saying told tells stated states added adds noted according reportedly
reported reports report described describes describe claimed claims one ones like well mr mrs ms""".split())

DENIALS = frozenset({"denied", "denies", "deny", "dismissed", "dismisses", "rejected", "rejects"})
NEGATIONS = frozenset({"not", "no", "never", "n't", "none", "nobody", "nothing", "neither", "nor", "cannot",
                       "without"}) | DENIALS
# Words that make a statement uncertain: a quote saying someone "might participate" does not
# back a claim that they participated.
HEDGES = frozenset({"might", "may", "could", "possibly", "perhaps", "reportedly", "allegedly", "likely", "unlikely",
                    "expected", "believed", "considering", "rumored", "rumoured", "suggest", "suggests",
                    "suggested"})

# Discourse words capitalised only because they open a sentence; never names there.
DISCOURSE_STARTERS = frozenset({
    "Earlier", "Later", "Meanwhile", "However", "Yes", "No", "Both", "Ahead", "Despite", "Instead", "Overall",
    "Then", "Today", "Yesterday", "Currently", "Former", "Separately", "Additionally", "Also",
})
SENTENCE_STARTERS = frozenset({w.capitalize() for w in STOPWORDS | REPORTING_WORDS | NEGATIONS}) | DISCOURSE_STARTERS

MONTHS = {"jan": "january", "feb": "february", "mar": "march", "apr": "april", "may": "may", "jun": "june",
          "jul": "july", "aug": "august", "sep": "september", "sept": "september", "oct": "october",
          "nov": "november", "dec": "december"}
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
# Capitalised words that date a sentence and name nothing ("on Monday", "in March", "Sept").
CALENDAR_WORDS = frozenset(WEEKDAYS) | frozenset(MONTHS) | frozenset(MONTHS.values())

# Abbreviations whose full stop does not end a sentence ("Dec. 3", "Mr. Smith").
ABBREVIATIONS = frozenset({
    "mr", "mrs", "ms", "dr", "prof", "st", "gen", "sen", "rep", "gov", "lt", "col", "capt", "sgt", "maj",
    "jr", "sr", "no", "vol", "fig", "inc", "ltd", "co", "corp", "vs", "etc", "approx", "est", "dept",
    "mt", "ft", "pres",
} | {m for m in MONTHS if m != "may"})
# Words that, after an initialism such as "U.S.", show a new sentence has begun.
STARTERS_AFTER_INITIALISM = frozenset({
    "The", "A", "An", "He", "She", "It", "They", "We", "I", "This", "That", "But", "In", "On", "At",
    "Meanwhile", "However", "His", "Her", "Their", "There",
})

_UNITS = "zero _ two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen " \
         "seventeen eighteen nineteen"
_TENS = "_ _ twenty thirty forty fifty sixty seventy eighty ninety"
_ORDINALS = "_ first second third fourth fifth sixth seventh eighth ninth tenth"
NUMBER_WORDS: dict[str, int] = {w: i for i, w in enumerate(_UNITS.split()) if w != "_"}
NUMBER_WORDS.update({w: 10 * i for i, w in enumerate(_TENS.split()) if w != "_"})
NUMBER_WORDS.update({w: i for i, w in enumerate(_ORDINALS.split()) if w != "_"})
DIGIT_WORDS = ("one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
SCALES = {"thousand": 1e3, "million": 1e6, "billion": 1e9, "trillion": 1e12, "bn": 1e9, "mn": 1e6}
QUANTITIES = {"dozens": 12.0, "hundreds": 1e2, "thousands": 1e3, "millions": 1e6, "billions": 1e9, "tens": 10.0}

# Irregular English verb forms → their base (so "led" matches "leads").
IRREGULAR = {"led": "lead", "leads": "lead", "met": "meet", "held": "hold", "holds": "hold", "began": "begin",
             "begun": "begin", "took": "take", "taken": "take", "gave": "give", "given": "give", "went": "go",
             "made": "make", "sought": "seek", "spoke": "speak", "spoken": "speak", "won": "win",
             "fought": "fight", "paid": "pay", "sent": "send", "left": "leave", "chose": "choose"}
# Endings that make a related word of a name ("Canada" → "Canadian", "Japan" → "Japanese").
NAME_ENDINGS = frozenset({"n", "an", "ian", "ean", "ns", "ans", "ians", "eans", "s", "y", "i", "e", "ese", "ish"})

# Office titles and their qualifiers ("former", "acting"): a role said before a name.
ROLE_QUALIFIERS = frozenset({"former", "ex", "late", "acting", "interim", "outgoing", "incoming", "then", "future",
                             "deputy", "vice", "current", "sitting", "elect"})
# Qualifiers that say the title is held now: "current mayor" and "outgoing mayor" agree with "mayor".
ROLE_HOLDING_QUALIFIERS = frozenset({"current", "sitting", "outgoing", "incumbent"})
ROLE_TITLES = frozenset({
    "president", "minister", "chancellor", "secretary", "senator", "governor", "ambassador", "envoy",
    "chief", "leader", "spokesperson", "spokesman", "spokeswoman", "adviser", "advisor", "aide",
    "chairman", "chair", "king", "queen", "general", "director", "speaker", "mayor", "premier", "head",
    "commander", "prime", "foreign", "defense", "defence", "state", "of",
})
# Words that open a capitalised pair without it being a person's name: articles, office
# titles, compass points and institution words ("Prime Minister", "United States", "North Sea").
NOT_NAME_STARTERS = frozenset({
    "The", "A", "An", "In", "On", "At", "From", "Special", "Secretary", "President", "Prime", "Minister", "General",
    "State", "United", "New", "North", "South", "East", "West", "National", "Security", "Foreign", "Defense",
    "Supreme", "Federal", "Central", "Middle", "Great",
})
# Spellings of one name ("United States" → "U.S."): (pattern, replacement), applied in order.
NAME_ALIASES = (
    (r"\bU\.S\.A\.", "U.S."),
    (r"\bUSA?\b", "U.S."),
    (r"\bUK\b", "U.K."),
    (r"\bUnited\s+Kingdom\b", "U.K."),
)

# Words that are never part of a name phrase or an answer: function words plus common prepositions.
FUNCTION_WORDS = STOPWORDS | frozenset("""according amid among around across along behind beyond despite except
inside outside through toward towards upon within without meanwhile however instead both either neither""".split())
# Stopwords that begin proper names ("New York", "New Delhi"): a name run is not trimmed of them.
NAME_OPENING_STOPWORDS = frozenset({"new"})
MONTH_NAMES = tuple(dict.fromkeys(m.capitalize() for m in MONTHS.values()))
# Number words that count something ("four astronauts", "dozens of ships"); not ordinals.
COUNT_WORDS = frozenset(w for w, n in NUMBER_WORDS.items() if w not in _ORDINALS.split()) | frozenset(
    {"hundred", "dozen"}) | frozenset(QUANTITIES)

# How models (and people) say that the sources do not answer: regular expressions, general English.
REFUSAL_PATTERNS = (
    r"\b(?:articles?|passages?|sources?|texts?|context|documents?|information)\s+(?:provided\s+)?"
    r"(?:do(?:es)?\s*n[o']t|did\s*n[o']t|never)\s+(?:say|mention|state|specify|contain|include|provide|"
    r"indicate|reveal|cover|discuss|address|give|name|identify|report)",
    r"\b(?:is|are|was|were)\s+not\s+(?:mentioned|specified|stated|provided|given|available|clear|known|"
    r"disclosed|reported|included)\b",
    r"\bno\s+(?:information|mention|details?|data|indication|answer)\b",
    r"\b(?:i|we)\s+(?:can(?:no|')t|could\s*n[o']t|am\s+unable|are\s+unable|do\s*n[o']t\s+know)\b",
    r"\b(?:cannot|can't|unable\s+to)\s+(?:be\s+)?(?:determine[d]?|answer(?:ed)?|find|found|tell|say|identif(?:y|ied))\b",
    r"^\s*(?:unknown|not\s+(?:specified|mentioned|stated|available)|n/?a|none)\s*\.?\s*$",
    r"\binsufficient\s+information\b",
)
# Framing in front of a claim: hedges and references to the sources, not claims themselves.
FRAMING_PREFIXES = (
    r"it\s+(?:appears|seems|looks)\s+(?:that|like)", r"it\s+is\s+(?:likely|possible|reported)\s+that",
    r"(?:based\s+on|according\s+to|from)\s+(?:the\s+)?(?:provided\s+)?(?:articles?|passages?|sources?|"
    r"information|context|texts?)(?:\s+provided)?", r"the\s+(?:articles?|passages?|sources?)\s+"
    r"(?:say|says|state|states|indicate|indicates|suggest|suggests|report|reports|mention|mentions)\s+that",
    r"apparently", r"reportedly", r"in\s+summary", r"to\s+answer\s+(?:your|the)\s+question",
)

# Phrases asking about a time window ending at --as-of: phrase → (days back to its first day,
# days back to its last day). Longest phrases first, so "this week" wins over "week".
RECENCY_WINDOWS: dict[str, tuple[int, int]] = {
    "in the last 24 hours": (1, 0), "in the past 24 hours": (1, 0), "this morning": (0, 0),
    "tonight": (0, 0), "today": (0, 0), "yesterday": (1, 1), "this week": (6, 0), "past week": (6, 0),
    "last few days": (3, 0), "past few days": (3, 0),
}
