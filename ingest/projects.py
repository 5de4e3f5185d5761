"""Project mentions: what the project grammar finds, made into Found mentions with a kind.

- a head with several quoted names ("ТОР «Белогорск», «Свободный» и «Приамурская»")
  gives one project per name, all of the head's kind;
- a bare quoted name that repeats a project's name later on ("«Белогорска»") is another
  mention of that project;
- a "площадка «Парус»" takes the kind of the zone or park it sits in (same sentence);
- an unnamed project that a word of building brings about, which the grammar leaves
  ("Элеватор на 200 тысяч тонн зерна построят", "к строительству зернового элеватора").
"""
from __future__ import annotations

import re
from functools import lru_cache

from natasha import Doc

from graph.model import TERRITORY_KINDS, ZONE_KINDS
from graph.text import lemma, morph, name_key

from .grammars import sentence_matches
from .grammars.common import names_place, place_adjective
from .grammars.projects import COMPOUND_HEADS, TRIGGER, kind_of
from .mentions import Found, head_stop, make_found
from .project_spans import GENERIC as SPAN_GENERIC
from .project_spans import HEADS as SPAN_HEADS
from .project_spans import phrase
from .syntax import Tree
from .vocabulary import mapping, words

QUOTE = re.compile(r"«([^«»]{1,80}(?:«[^«»]{1,60}»?)?)»")
# one of the names listed after a plural head: «Ключ», or an abbreviation after "," or "и" ("… и ГИП")
LISTED_NAME = re.compile(QUOTE.pattern + r"|(?:(?<=\sи\s)|(?<=,\s))[А-ЯЁA-Z]{2,6}\b(?!\s*«)")
TRAILING = re.compile(r"(\s+(и|или|а)(\s+[а-яё-]+)?)$")


@lru_cache(maxsize=1)
def project_parser():
    from .grammars.projects import parser
    return parser()


def widen(text: str, start: int, stop: int) -> tuple[int, int]:
    """Whole words, hyphenated words included ("российско-китайский", "Комсомольске-на-Амуре")."""
    while start > 0 and (text[start - 1].isalnum()
                         or (text[start - 1] == "-" and start > 1 and text[start - 2].isalnum())):
        start -= 1
    while stop < len(text) and (text[stop].isalnum()
                                or (text[stop] == "-" and stop + 1 < len(text) and text[stop + 1].isalnum())):
        stop += 1
    return start, stop


# the grammar's head words: its trigger lemmas and the compounds the dictionary lacks
HEAD_NOUNS = TRIGGER.lemmas | set(COMPOUND_HEADS)


def head_noun(word: str) -> str:
    """A head noun the tagger left in its case ("мультимодальный логистический хаба"): the
    singular head it is a form of, when the word is one of the project heads."""
    if not word.islower() or word in HEAD_NOUNS:
        return word
    heads = {p.normal_form for p in morph().parse(word) if p.normal_form in HEAD_NOUNS and "sing" in p.tag}
    return next(iter(heads)) if len(heads) == 1 else word


def after_name(text: str, start: int) -> bool:
    """The span follows a capitalised word or an opening quote: it is part of a name
    ("Анжерский трубный завод", "«Маслоэкстракционный завод"); not a place after its
    preposition ("построила в Ярославле собственный завод")."""
    before = text[:start].rstrip(" ")
    if before.endswith(("«", '"', "„")):
        return True
    m = re.search(r"([A-ZА-ЯЁ][\w-]*)$", before)
    if not m or re.search(r"[.!?\n]\s*$", before[: m.start()] or "."):
        return False
    return not (re.search(r"(^|\s)(в|во|на|под|у|около|близ|возле|вблизи)\s+$", before[: m.start()])
                and not any("ADJF" in p.tag for p in morph().parse(m.group(1))))


def before_person(doc: Doc, start: int, stop: int) -> int:
    """Where the span ends before a person named after it: "директор завода в Красном Сулине Иван
    Петров" (the place's capitalised words run on into the name); not a person inside quotes
    or after "имени" ("завод имени Ивана Лихачева")."""
    text = doc.text
    for span in doc.spans:
        if span.type == "PER" and start < span.start < stop:
            before = text[start:span.start]
            if before.count("«") == before.count("»") and not re.search(r"\b(имени|им\.)\s*$", before):
                return start + len(before.rstrip(" ,—–-"))
    return stop


def trailing(span: str) -> str:
    """The span without a dangling "и …" at its end: "и" alone or with a word that cannot be
    one more thing made ("… сои и маслоэкстракционный"); "пленок и изделий" stays whole."""
    m = TRAILING.search(span)
    if m is None:
        return span
    last = (m.group(3) or "").strip()
    if last and any("gent" in p.tag and ("NOUN" in p.tag or "ADJF" in p.tag or "PRTF" in p.tag)
                    for p in morph().parse(last)):
        return span
    return span[: m.start()]


NUMERAL = re.compile(r"(\d+|два|две|три|четыре|оба|обе|несколько|пять|десять)\s+$", re.IGNORECASE)


def after_numeral(text: str, start: int) -> bool:
    """"два промышленных технопарка": counted things are a group, not one project."""
    return bool(NUMERAL.search(text[max(0, start - 15):start]))


# "объект … станет новым рыбным портом": what a project becomes describes it, it is no other project
COPULA = re.compile(r"(?:\bстать|\bстал[аио]?|\bстан(?:ет|ут)|\bстанови(?:тся|ться)|\bстановятся"
                    r"|\bявля(?:ется|ются|лся|лась|лось))\s+$", re.IGNORECASE)


def after_copula(text: str, start: int) -> bool:
    """The span is in the instrumental after "стать"/"являться" ("станет новым рыбным портом"), not
    its subject ("может стать технопарк")."""
    first = re.match(r"[\w-]+", text[start:])
    if first is None or not COPULA.search(text[max(0, start - 30):start]):
        return False
    cases = {p.tag.case for p in morph().parse(first.group(0).lower())}
    return "ablt" in cases and "nomn" not in cases


EVENT_NOUNS = words("event_nouns")
REFERRING_MODIFIERS = words("referring_modifiers")


def after_event(text: str, start: int) -> bool:
    """"рейтинг ОЭЗ «Глобальные свободные зоны года»": the quoted name after a rating, contest or
    forum and the kind it ranks names the event."""
    words = re.findall(r"[а-яё-]+", text[max(0, start - 40):start].lower())
    return bool(words) and lemma(words[-1]) in EVENT_NOUNS


def capitalised_inside(text: str, start: int) -> bool:
    """An unnamed project starting with a capital away from a sentence start is a name
    ("Анжерский трубный завод" inside a sentence, or after a colon: "промышленность: Кировский
    завод, Невский завод"); "ОЭЗ в Кузбассе" is not."""
    if not text[start:start + 1].isupper() or re.match(r"[А-ЯЁA-Z]{2,}\b", text[start:]):
        return False
    before = text[:start].rstrip(" «\"")
    return bool(before) and before[-1] not in ".!?\n—"


# "построят производство упаковки", "появится производство субстанций", "запуск нового производства"
# "инвестирует 947 млн рублей в производство труб", "расширит производство хлебцев"
BUILT = re.compile(r"\b(по|вы)?(строи|строя|строительств|созда|запус|откр|появ|размест|размещ|локализ|налад|"
                   r"возвед|возвес|возвод|ввод|введ|инвест|вкладыв|влож|нов|расшир|заработ|направ|потрат)"
                   r"\w*\s+([\w.,:-]+\s+){0,6}$", re.I)


def production_not_built(text: str, start: int, head: str) -> bool:
    """An unnamed "производство X" is a project only where the clause before it builds, opens or
    places it ("построят … производство упаковки"); else it is a trade and its output ("объём
    производства молока", "заняться производством светодиодов")."""
    if lemma(head.split()[-1].lower()) != "производство":
        return False
    before = re.split(r"[.!?;\n]", text[max(0, start - 80):start])[-1]
    return not BUILT.search(f"{before} {text[start:start + 6].split(' ')[0]} ")


LIST_JOINT = re.compile(r"\s*(,|и|,\s*а\s+также)\s*")


def listed_after(projects: list[Found], text: str, start: int) -> bool:
    """The span is the next item of a list of projects («… производство гофрокартона «ТрансПак» и
    производство листов ПВХ компании «Карматех»»): what built the first built it too."""
    return any(LIST_JOINT.fullmatch(text, p.stop, start) for p in projects if p.stop <= start)


def pin_start(text: str, start: int, stop: int) -> int:
    """Where the words that pin an unnamed project down begin: "в …", "на …", "по …", "для …",
    "под …"."""
    m = re.search(r"\s(в|на|во|по|для|под|у|близ|возле|около|вблизи)\s", text[start:stop])
    return start + m.start() + 1 if m else stop


def product_start(text: str, start: int, stop: int, what: str | None) -> int:
    """Where what the plant makes begins ("завод |мелющих шаров"), if the grammar found it."""
    if not what:
        return stop
    at = text.find(what.split()[0], start, stop)
    return at if at > start else stop


OWNED_KINDS = ("plant", "infrastructure")  # a centre's capitals are its own name («центр ЮРАН»)
OWNER_NOUNS = words("owner_nouns")
# a word that opens whose a project is: a quoted name, a name in Latin letters, an abbreviation («ГК»,
# «ТЕХНОСТАЛЬ», «УАЗа»), else a word of whose («компании», «холдинга»)
OWNER_WORD = re.compile(r"«|[A-Z][\w&.-]*|[А-ЯЁ]{2,}[а-яё]{0,2}\b|[а-яё]+")


def owner_start(text: str, start: int, stop: int, head: str) -> int:
    """Where whose the project is begins ("зерновой терминал | ГК «Эфко»"), after its head word;
    else `stop`."""
    after = head_stop(text, start, stop, head)
    for m in OWNER_WORD.finditer(text, start if after is None else after, stop):
        word = m.group()
        if not word.islower() or lemma(word) in OWNER_NOUNS:
            return m.start()
    return stop


def singular(phrase: str) -> str:
    """"индустриальные парки" -> "индустриальный парк": a plural head named for one of its items."""
    words = phrase.split()
    plural = [p for p in morph().parse(words[-1]) if "plur" in p.tag and p.normal_form in HEAD_NOUNS] if words else []
    if not plural:
        return phrase
    noun = plural[0]
    gender = morph().parse(noun.normal_form)[0].tag.gender
    out = []
    for w in words[:-1]:
        p = morph().parse(w)[0]
        f = p.inflect({"sing", "nomn", gender} if gender else {"sing", "nomn"}) if "ADJF" in p.tag else None
        out.append(f.word if f else w)
    return " ".join(out + [noun.normal_form])


def quoted_project(doc: Doc, quote: re.Match, kind: str | None, label: str) -> Found:
    """A project mention that is just its «name» (the kind comes from the head it goes with)."""
    f = make_found(doc, "PROJECT", quote.start(), quote.end(), "grammar")
    f.kind, f.label, f.label_start, f.label_stop = kind, label, quote.start(), quote.end()
    return f


def is_bare(span: str, head: str) -> bool:
    """Nothing but the head words (and "… типа"): "особую экономическую зону"."""
    rest = span.replace(head, "", 1)
    return not rest.strip() or bool(re.fullmatch(r"\s*([а-яё-]+\s+){0,2}типа\s*", rest))


def quoted_label(text: str, start: int, stop: int) -> tuple[str, int, int]:
    m = QUOTE.search(text, start, stop) or re.search(r"«[^«»]+«[^«»]+»", text[start:stop])
    if m is None:
        return "", -1, -1
    if m.re is QUOTE:
        return m.group(0), m.start(), m.end()
    return m.group(0), start + m.start(), start + m.end()


def grammar_projects(doc: Doc) -> list[Found]:
    text = doc.text
    found: list[Found] = []
    for offset, match in sentence_matches(project_parser(), doc, TRIGGER):
        fact = match.fact
        start, stop = widen(text, offset + match.span.start, offset + match.span.stop)
        stop = before_person(doc, start, stop)
        if fact.name is None and (after_name(text, start) or after_numeral(text, start) or after_copula(text, start)
                                  or (capitalised_inside(text, start) and kind_of(fact.head) not in ZONE_KINDS)):
            continue
        if fact.name is not None and after_event(text, start):
            continue
        if fact.name is None and fact.what and production_not_built(text, start, fact.head) \
                and not listed_after(found, text, start):
            continue
        span_text = text[start:stop]
        trimmed = trailing(span_text) if fact.name is None else span_text
        stop = start + len(trimmed)
        kind = kind_of(fact.head)
        lead = re.split(r"[«(]|\s(?:в|во|на|по|для|под|у)\s", text[start:stop])[0]
        # the words before the head tell the kind better: "распределительный центр", "свободного порта"
        lead_kind = kind_of(lead)
        if (kind in ("plant", "other") and lead_kind == "infrastructure") or lead_kind == "free_port":
            kind = lead_kind
        more = list(LISTED_NAME.finditer(text, start, stop)) if fact.more else []
        first_stop = more[1].start() if len(more) > 1 else stop
        if more:  # "«Надеждинская» и «Михайловский»": the first project ends at its own name
            first_stop = text.rfind("»", start, first_stop) + 1
        main = make_found(doc, "PROJECT", start, first_stop, "grammar")
        main.kind = kind
        main.head = lemma(fact.head.split()[-1])
        main.bare = fact.name is None and is_bare(text[start:stop], fact.head)
        named_head = ""  # the head words in the nominative singular, before the name
        if fact.name:
            main.label, main.label_start, main.label_stop = quoted_label(text, start, first_stop)
            if not main.label:  # a plain name: "свободный порт Владивосток"
                main.label = fact.name
            elif main.label_start > start:  # the head words in the nominative, the name as written
                head_words = singular(make_found(doc, "PROJECT", start, main.label_start, "grammar").normal).split()
                head_words[-1] = head_noun(head_words[-1])
                named_head = f"{' '.join(head_words)} "
                main.normal = f"{named_head}{text[main.label_start:first_stop]}"
        else:  # no other mention inside the head words: "Газохимический" is not a place
            main.label_start = start
            main.label_stop = min(pin_start(text, start, stop), product_start(text, start, stop, fact.what),
                                  owner_start(text, start, stop, main.head) if kind in OWNED_KINDS else stop)
            if main.label_stop < stop:  # the head words in the nominative, "в …"/"по …" as written
                head_normal = make_found(doc, "PROJECT", start, main.label_stop, "grammar").normal
                main.normal = f"{head_normal.rstrip()} {text[main.label_stop:stop]}"
        found.append(main)
        for q in more[1:]:
            other = quoted_project(doc, q, kind, q.group(0))
            other.normal = f"{named_head}{q.group(0)}".strip()
            found.append(other)
    return found


# "три территории опережающего развития: помимо «Белогорска», это «Приамурская» и «Свободный»"
LISTED_AFTER_HEAD = re.compile(
    r"(?P<head>территори(и|й) опережающего (социально-экономического )?развития|"
    r"\b(два|две|три|четыре|пять|\d+) (ТОР|ТОСЭР|ОЭЗ)\b|особ(ые|ых) экономическ(ие|их) зон\w?|"
    r"технопарк(и|ов|а)\b|(индустриальн|промышленн)(ые|ых) парк(и|ов|а)\b|промпарк(и|ов|а)\b)"
    r"[^.:;«»]{0,30}:(?P<names>[^.;]{3,300})", re.I)
LIST_OF_NAMES = re.compile(r"((\s|,|\bи\b|\bа также\b|\bэто\b|\bпомимо\b|\bв том числе\b|\bкроме\b)*"
                           r"«[^«»]{1,60}(«[^«»]{1,40}»)?»)+")
SHORT_HEAD = mapping("short_zone_heads")


def listed_names(doc: Doc, projects: list[Found]) -> list[Found]:
    """Quoted names listed after a colon that follows a project head: each is a project of
    the head's kind."""
    covered = [(p.start, p.stop) for p in projects]
    found = []
    for m in LISTED_AFTER_HEAD.finditer(doc.text):
        kind = kind_of(m.group("head"))
        if kind not in SHORT_HEAD:
            continue
        names = LIST_OF_NAMES.match(m.group("names"))
        if names is None:
            continue
        for q in QUOTE.finditer(doc.text, m.start("names"), m.start("names") + names.end()):
            if any(a <= q.start() < b for a, b in covered):
                continue
            f = quoted_project(doc, q, kind, q.group(0))
            inner = make_found(doc, 'PROJECT', q.start() + 1, q.end() - 1, 'grammar').normal
            f.normal = f"{SHORT_HEAD[kind]} «{inner}»"
            found.append(f)
    return found


# "ТОР «Надеждинская» получила новое название — теперь это ТОР «Приморье»", "переименована в …"
RENAMED = re.compile(r"(получил\w*\s+(новое\s+)?(название|наименование|имя)|переименова\w*)[^.«»]{0,40}$")


def join_renamed(doc: Doc, projects: list[Found]) -> None:
    """A project renamed in the text is one project under its new name: every mention of the
    old name joins the first mention of the new one."""
    ordered = sorted((p for p in projects if p.label), key=lambda p: p.start)
    for old, new in zip(ordered, ordered[1:], strict=False):
        between = doc.text[old.stop:new.label_start]
        if name_key(old.label) != name_key(new.label) and RENAMED.search(between) and "." not in between:
            for p in ordered:
                if name_key(p.label) == name_key(old.label):
                    p.same_as, p.why = new, f"old name: renamed {new.label} in the article"


def repeated_names(doc: Doc, projects: list[Found]) -> list[Found]:
    """Bare «Name» quotes (any case form) naming a project found with its head."""
    labels = {name_key(p.label): p for p in projects if p.label.startswith("«")}
    if not labels:
        return []
    covered = [(p.start, p.stop) for p in projects]
    found = []
    for q in QUOTE.finditer(doc.text):
        if any(a <= q.start() < b for a, b in covered):
            continue
        project = labels.get(name_key(q.group(0)))
        if project is not None:
            f = quoted_project(doc, q, project.kind, project.label)
            f.normal = project.normal
            found.append(f)
    return found


def settle_site_kinds(doc: Doc, projects: list[Found]) -> None:
    """A "площадка" is part of the zone or park named in its sentence; alone it is a park."""
    for p in projects:
        if p.kind != "site":
            continue
        sentence = next((s for s in doc.sents if s.start <= p.start < s.stop), None)
        zones = [q.kind for q in projects if q.kind in ZONE_KINDS and sentence is not None
                 and sentence.start <= q.start < sentence.stop]
        p.kind = zones[0] if zones else "industrial_park"


def pinned(p: Found) -> bool:
    """An unnamed project pinned down by "в …"/"по …" ("завод по переработке сои")."""
    return not p.label and p.label_stop < p.stop


def join_place_adjectives(projects: list[Found]) -> None:
    """"томская ОЭЗ" and ОЭЗ «Томск»: an unnamed project of a kind whose adjective comes from
    the name of the one named project of that kind is that project, wherever it stands."""
    for p in projects:
        if p.label or pinned(p) or p.same_as is not None:
            continue
        words = name_key(p.normal).split()
        if len(words) < 2:
            continue
        names = {name_key(n.label): n for n in projects
                 if n.label and n.kind == p.kind and names_place(words[0], n.label)}
        if len(names) == 1:
            p.same_as = next(iter(names.values()))
            p.why = f"named after the place in the name «{p.same_as.label.strip('«»')}»"


def join_bare_heads(doc: Doc, projects: list[Found]) -> None:
    """"сельхозмашиностроительный технопарк" after "технопарк «Юг Алтая»": an unnamed
    project with nothing pinning it down is the named project of its kind (a plant's or a
    terminal's: of its head word, `same_head`) before it, else
    the one pinned-down project of its kind and head word before it ("завод" after "завод
    по глубокой переработке сои")."""
    ordered = sorted(projects, key=lambda p: p.start)
    for p in ordered:
        if (named_owner := owners_named_plant(p, ordered)) is not None:  # "завод ООО «Электроприбор»"
            p.same_as, p.why = named_owner, "its owner's name is the plant's own name"
            continue
        if pinned(p) and p.kind in ("sez", "tor", "free_port"):  # "новая ТОР на Курилах" by ТОР «Курилы»
            zones = {name_key(n.label): n for n in ordered if n.label and n.kind == p.kind}
            if len(zones) == 1:
                p.same_as = next(iter(zones.values()))
                p.why = "the article's one named zone of this kind"
        if p.label or pinned(p):
            continue
        named = [n for n in ordered if n.label and n.kind == p.kind and n.start < p.start and same_head(n, p)]
        if p.bare and not named:  # "особую экономическую зону" in a title before ОЭЗ «Кузбасс»
            named = [n for n in ordered if n.label and n.kind == p.kind][:1]
        if p.bare and not named:  # "резидентом зоны" in a story about "томская ОЭЗ"
            unnamed = {name_key(n.normal): n for n in ordered if n is not p and not n.bare and n.kind == p.kind}
            named = list(unnamed.values()) if len(unnamed) == 1 else []
        alike = {(q.normal, q.label_stop - q.start) for q in ordered
                 if pinned(q) and q.kind == p.kind and q.head == p.head and q.start < p.start}
        if named:
            p.same_as = by_place(doc, p, named) or named[-1]
            p.why = "the project's head word alone, with one project of its kind in the article"
        elif len(alike) == 1 and not product_named_before(p, ordered):
            p.same_as = next(q for q in reversed(ordered) if pinned(q) and q.kind == p.kind
                             and q.head == p.head and q.start < p.start)
            p.why = "the head word alone after the one project of its kind and head"
        elif pointing(p):  # "для будущего завода" after "деревообрабатывающий завод"
            before = {name_key(q.normal): q for q in ordered if q.start < p.start and q.kind == p.kind
                      and q.head == p.head and not pointing(q)}
            if len(before) == 1:
                p.same_as = next(iter(before.values()))
                p.why = "the head word with a word that points back, after the one project of its head"


def product_named_before(p: Found, ordered: list[Found]) -> bool:
    """Whether an earlier mention of p's head word already named what p makes ("цинковый завод"
    before "цинковый электролизный завод"): then p is that plant, not the one pinned-down plant
    of its head ("завод мелющих шаров") that happens to stand between them."""
    return bool(p.sense) and any(q.start < p.start and not q.label and q.kind == p.kind and q.head == p.head
                                 and q.sense == p.sense and product_words(q) for q in ordered)


def owners_named_plant(p: Found, ordered: list[Found]) -> Found | None:
    """The named plant of p's head whose own name is p's owner's («завод «Электроприбор»» and
    «завод ООО «Электроприбор»»), if p is pinned down by a quoted owner and there is just one."""
    if p.label or not pinned(p) or (quote := re.search(r"«([^«»]+)", p.text[p.label_stop - p.start:])) is None:
        return None
    named = {id(n): n for n in ordered if n.label and n.kind == p.kind and n.head == p.head
             and name_key(n.label) == name_key(quote.group(1))}
    return next(iter(named.values())) if len(named) == 1 else None


def pointing(p: Found) -> bool:
    """The head word with only words that point at a project, not describe it: "будущий завод"."""
    ws = [lemma(w) for w in re.findall(r"[\w-]+", p.normal.lower())]
    return len(ws) > 1 and ws[-1] == p.head and all(w in REFERRING_MODIFIERS for w in ws[:-1])


def same_head(named: Found, bare: Found) -> bool:
    """Whether a bare head can stand for a named project: of a territory any head of its kind
    ("парк" for технопарк «…»), of a plant or a terminal only the same word ("логистический
    комплекс" is not аэропорт «Платов»)."""
    return named.kind in TERRITORY_KINDS or named.head == bare.head


NAMED_PLACE_AFTER = re.compile(r"\s+(?:в|во)\s+([А-ЯЁ][а-яё-]+)")


def by_place(doc: Doc, project: Found, named: list[Found]) -> Found | None:
    """Of several named projects of a kind, the one whose place ("технопарк «Юг Алтая» в
    Рубцовске") this sentence or the one before names ("…примером Рубцовска. Там … возвели
    технопарк"), if just one."""
    sents = [s for s in doc.sents if s.start <= project.start]
    text = " ".join(s.text for s in sents[-2:])
    lemmas = {lemma(w) for w in re.findall(r"[А-ЯЁ][а-яё-]+", text)}
    placed = {id(n): n for n in named if (m := NAMED_PLACE_AFTER.match(doc.text, n.stop))
              and any(w == lemma(m.group(1)) or names_place(w, lemma(m.group(1))) for w in lemmas)}
    return next(iter(placed.values())) if len(placed) == 1 else None


SPAN_PASSING = words("span_passing_words")
PLACE_PIN = re.compile(r"(?:^|\s)(?:в|во|на|у|под|близ|возле|около|вблизи)\s")


def product_words(p: Found) -> frozenset[str]:
    """The lemmas of what an unnamed project makes or does ("завод |монтажной пены|",
    "завод |по переработке сои| в Амурской области"), without the place that pins it."""
    rest = p.text[p.label_stop - p.start:] if pinned(p) else ""
    m = PLACE_PIN.search(rest)
    product = rest[: m.start()] if m else rest
    found = {lemma(w) for w in re.findall(r"[а-яёa-z-]{3,}", product.lower())}
    if p.kind == "plant":  # "бетонный завод", "кирпичный завод"
        found |= {lemma(w) for w in re.findall(r"[а-яё-]{3,}", p.text[: p.label_stop - p.start].lower())[:-1]
                  if lemma(w) not in SPAN_PASSING and not place_adjective(w)}
    return frozenset(found)


def same_product(a: frozenset[str], b: frozenset[str]) -> bool:
    return a <= b or b <= a or len(a & b) * 2 >= len(a | b)


def tell_apart_products(projects: list[Found]) -> None:
    """Unnamed projects of one kind and head word are one project across an article ("завод
    по переработке сои", later "завод в Амурской области"), unless they make different things:
    "завод средств защиты растений", "завод монтажной пены" are two plants. A mention pinned by
    its place alone, or by nothing ("новый завод"), goes with the product named last before it."""
    alike: dict[tuple, list[Found]] = {}
    for p in sorted(projects, key=lambda p: p.start):
        if not p.label:
            alike.setdefault((p.kind, p.head), []).append(p)
    for group in alike.values():
        products: list[frozenset[str]] = []
        for p in group:
            words = product_words(p)
            if words and not any(same_product(words, known) for known in products):
                products.append(words)
        if len(products) < 2:
            continue
        current = ""
        for p in group:
            words = product_words(p)
            if words:
                current = " ".join(sorted(next(k for k in products if same_product(words, k))))
            p.sense = current or " ".join(sorted(products[0]))


def tell_apart_listed(doc: Doc, projects: list[Found]) -> None:
    """Unnamed projects of one kind and head word that one sentence lists side by side are
    apart: "комбинат в Усть-Илимске, …, комбинаты в Бодайбинском районе"."""
    for sent in doc.sents:
        alike: dict[tuple, list[Found]] = {}
        for p in projects:
            if pinned(p) and not p.sense and sent.start <= p.start < sent.stop:
                alike.setdefault((p.kind, p.head), []).append(p)
        for group in alike.values():
            if len({name_key(p.text[p.label_stop - p.start:]) for p in group}) > 1:
                for p in group:
                    p.sense = name_key(p.text[p.label_stop - p.start:])


# what brings an unnamed project into being: a verb ("появится", "построят") or a noun ("строительство")
ARISING = {**{w: "verb" for w in words("build_verbs")}, **{w: "noun" for w in words("build_nouns")},
           **mapping("arising_words")}
SUBJECT_OR_OBJECT = {"nsubj", "nsubj:pass", "obj"}
PLACE_KIND_NOUNS = frozenset(mapping("place_referring")) | {"страна"}
ARISING_HEADS = SPAN_HEADS - {"проект"}  # "проект стоимостью …" speaks of a project, names none
BROAD_HEADS = words("broad_heads")
# "предприятие площадью 20 тыс. кв. метров": how big it is says nothing of which one
MEASURE_NOUNS = words("measure_nouns")
SAYS_NOT_WHICH = SPAN_PASSING | MEASURE_NOUNS


def arising(tree: Tree, token) -> bool:
    """Whether the token (or the first of the list it ends) is what a verb of coming into being
    brings about ("появится агропромышленный парк", "построит бойню и завод", "фабрика, которую
    построят"), or hangs on such a noun ("к строительству элеватора")."""
    seen = {token.id}
    while token.rel == "conj" and (first := tree.parent(token)) is not None and first.id not in seen:
        token = first
        seen.add(token.id)
    for clause in tree.children[token.id]:  # "фабрика, которую построят в Омске"
        if clause.rel in ("acl", "acl:relcl") and any(
                ARISING.get(lemma(v.text.lower())) == "verb" for v in [clause] + [
                    x for x in tree.children[clause.id] if x.rel == "xcomp"]):
            return True
    parent = tree.parent(token)
    if parent is None:
        return False
    what = ARISING.get(lemma(parent.text.lower()))
    return (what == "verb" and token.rel in SUBJECT_OR_OBJECT) or (what == "noun" and token.rel == "nmod")


def unplaced(words_: list, places: list[tuple[int, int]]) -> list:
    """The phrase up to a place named by its kind alone ("курортов | в южных регионах России",
    "| в районе села"): only a named place is part of a project's name."""
    for i, w in enumerate(words_):
        if i and w.pos == "ADP" and i + 1 < len(words_):
            noun = next((x for x in words_[i + 1:] if x.pos == "NOUN"), None)
            if noun is not None and lemma(noun.text.lower()) in PLACE_KIND_NOUNS \
                    and not any(a <= noun.start < b for a, b in places):
                return words_[:i]
    return words_


def unmeasured(words_: list, head) -> list:
    """The phrase up to how big the project is ("корпус | площадью 11 тыс. кв. м"): its size is
    no part of its name."""
    for i, w in enumerate(words_):
        if w.start > head.start and lemma(w.text.lower()) in MEASURE_NOUNS:
            return words_[:i]
    return words_


def arising_phrase(tree: Tree, head, places: list[tuple[int, int]]) -> tuple[list, bool] | None:
    """The words of the project a word of building brings about at this head, if they name one:
    words of its own, a broad head more than "новый", "крупный" (a lone "завод" is another
    mention, joined to its project by join_bare_heads), a plural its number ("построят заводы"
    is talk of a kind; "три мусоросортировочных комплекса" one project). With them, whether it is
    counted."""
    if not arising(tree, head):
        return None
    words_ = unmeasured(unplaced(phrase(tree, head), places), head)
    kind_word = lemma(head.text.lower())
    own = [w for w in words_ if w is not head and w.pos in ("ADJ", "NOUN", "PROPN")
           and (lemma(w.text.lower()) not in SAYS_NOT_WHICH or kind_word not in BROAD_HEADS)]
    if not own or any(lemma(w.text.lower()) in SPAN_GENERIC for w in words_):
        return None
    counted = [c for c in tree.children[head.id] if c.rel.startswith("nummod") and c.start < head.start]
    if head.feats.get("Number") == "Plur" and not counted:
        return None
    return sorted(words_ + counted, key=lambda w: w.start), bool(counted)


def arising_found(doc: Doc, words_: list, counted: bool, head, places: list[tuple[int, int]]) -> Found:
    """The project mention of the phrase: the words that pin it down ("для …", "в Карагинском
    районе") are not its own name, and a place among them stays a place; a counted one as written."""
    start, stop = words_[0].start, words_[-1].stop
    f = make_found(doc, "PROJECT", start, stop, "grammar")
    inside = [a for a, b in places if start <= a and b <= stop]
    pin = pin_start(doc.text, start, min(inside)) if inside else stop
    if counted:
        f.normal = f.text  # "три мусоросортировочных комплекса": as written
    elif pin < stop:  # the head words in the nominative, "в …" as written
        f.normal = f"{make_found(doc, 'PROJECT', start, pin, 'grammar').normal.rstrip()} {doc.text[pin:stop]}"
    f.kind, f.head = kind_of(f.text), lemma(head.text.lower())
    f.label_start, f.label_stop = start, pin
    return f


def arising_projects(doc: Doc, projects: list[Found]) -> list[Found]:
    """Unnamed projects the grammar leaves, as a word of building brings them about: "Элеватор на
    200 тысяч тонн зерна построят в Бийске", "построит девять свиноводческих комплексов". A named
    place inside the phrase is the project's ("терминалы … в Карагинском районе"); a phrase across
    a name's end is none."""
    taken = [(f.start, f.stop) for f in projects] + [(s.start, s.stop) for s in doc.spans if s.type != "LOC"]
    places = [(s.start, s.stop) for s in doc.spans if s.type == "LOC"]
    out = []
    for sent in doc.sents:
        tree = None
        for t in sent.tokens:
            if not (t.pos == "NOUN" or (t.pos == "PROPN" and t.start == sent.start)) \
                    or lemma(t.text.lower()) not in ARISING_HEADS or any(a <= t.start < b for a, b in taken + places):
                continue
            tree = tree or Tree(sent)
            arisen = arising_phrase(tree, t, places)
            if arisen is None:
                continue
            words_, counted = arisen
            start, stop = words_[0].start, words_[-1].stop
            if any(a < stop and start < b for a, b in taken) or any(
                    a < stop and start < b and not (start <= a and b <= stop) for a, b in places):
                continue
            out.append(arising_found(doc, words_, counted, t, places))
            taken.append((start, stop))
    return out


def project_mentions(doc: Doc) -> list[Found]:
    projects = grammar_projects(doc)
    projects += arising_projects(doc, projects)
    companies = companies_named_after_plants(doc, projects)
    projects += repeated_names(doc, projects)
    projects += listed_names(doc, projects)
    tell_apart_products(projects)
    tell_apart_listed(doc, projects)
    settle_site_kinds(doc, projects)
    join_place_adjectives(projects)
    join_bare_heads(doc, projects)
    join_renamed(doc, projects)
    return [p for p in projects if not p.bare or p.same_as is not None] + companies


def companies_named_after_plants(doc: Doc, projects: list[Found]) -> list[Found]:
    """«Маслоэкстракционный завод «Амурский»: a named plant in quotes of its own is the name
    of the company that runs it, an organisation. Takes those out of projects."""
    companies = [p for p in projects if p.label and p.kind in ("plant", "infrastructure")
                 and doc.text[max(0, p.start - 1):p.start] == "«"]
    for c in companies:
        c.type, c.kind = "ORG", None
        projects.remove(c)
    return companies
