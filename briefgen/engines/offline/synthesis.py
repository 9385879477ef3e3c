"""The offline brief across papers: only what the abstracts support, each thing said once.

- Takeaways are headline results: a paper's name and its own result sentence, quoted, with its
  own caveat when it states one; never cluster sizes.
- Themes are groups of papers that name the same phrase (GRPO, KV cache) in their title or main
  claim, named by that phrase; then a domain several papers share; the rest "Also today".
- Technical synthesis and next steps connect papers by what they share (a benchmark, a phrase,
  a negative result, a code link), never by histograms.
- Every text is written in English and Chinese at once (`Writer.zh`): the Chinese brief's own
  words are Chinese, the papers' sentences stay English, quoted 「…」.
- A `Writer` counts how often each of a paper's sentences is printed: none appears more than
  twice in a brief (the glance table counts once).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from briefgen.core.models import AnalysedPaper, Synthesis, Takeaway, Theme, TopPaper
from briefgen.core.rules import NEXT_STEPS, TAKEAWAYS, TOP_FACT_BULLETS, TOP_PAPERS
from briefgen.engines.offline import extract
from briefgen.engines.offline.chinese import KINDS_ZH, domain_zh, join_zh, quote_zh
from briefgen.engines.offline.evidence import Evidence, evidence_of, profile
from briefgen.read.latex import plain_text

MAX_PRINTS = 2  # a paper's sentence is printed at most this often in one brief
PHRASE_THEMES = 5
ALSO_TODAY = "Also today"

# Words that name no topic: a phrase made only of these never names a theme.
_STOP_TEXT = """a an the of for and or in on to with by from via at as is are be we our
    this that these those its it their into over under than then which while without within
    using based towards toward through across between among per can not no new novel more
    most less up do does how what when why where who whether vs versus beyond but yet only
    both all any some such very well also even still here there so thus if fail fails failing
    one via toward"""
_STOP = frozenset(_STOP_TEXT.split())
_GENERIC_TEXT = """model models language large llm llms method methods approach approaches
    framework frameworks performance task tasks data dataset datasets result results learning
    paper work study studies system systems propose proposed show shows state art existing
    training train trained evaluation evaluate evaluations benchmark benchmarks analysis problem
    problems information generation ai neural network networks deep experiment experiments
    improve improves improved improvement across different multiple high low better key real
    world each single two three first time effective efficient end general human humans
    prediction predictions application applications technique techniques setting settings
    use used uses user users challenge challenges capability capabilities level levels
    output outputs input inputs text texts process processes base quality scale strong
    significant significantly large-scale state-of-the-art open art source code release
    demonstrate demonstrates achieve achieves outperform outperforms introduce present presents
    develop design approach various diverse however while also further novel robust robustness
    accuracy generalization understanding environment environments solution solutions
    structure structures representation representations feature features component components
    mechanism mechanisms strategy strategies module modules pipeline pipelines tool tools"""
_GENERIC = frozenset(_GENERIC_TEXT.split())
_WORD = re.compile(r"[A-Za-z][A-Za-z0-9]*(?:-[A-Za-z0-9]+)*")


def _stem(word: str) -> str:
    word = word.lower()
    if len(word) > 4 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def _is_topic(words: tuple[str, ...]) -> bool:
    if words[0] in _STOP or words[-1] in _STOP:
        return False
    if all(w in _GENERIC or w in _STOP or w.rstrip("s") in _GENERIC for w in words):
        return False
    return not (len(words) == 1 and len(words[0]) < 4)


def _phrases(text: str, surfaces: dict[tuple[str, ...], Counter[str]]) -> Counter[tuple[str, ...]]:
    """Each 1-3 word topic phrase of `text` with how often it occurs (stems, lower case);
    the phrase's spellings as written are counted into `surfaces`."""
    counts: Counter[tuple[str, ...]] = Counter()
    for chunk in re.split(r"[.;:!?()\[\]]", text):
        tokens = _WORD.findall(chunk)
        stems = [_stem(t) for t in tokens]
        for n in (1, 2, 3):
            for i in range(len(stems) - n + 1):
                key = tuple(stems[i : i + n])
                if _is_topic(key):
                    counts[key] += 1
                    surfaces.setdefault(key, Counter())[" ".join(tokens[i : i + n])] += 1
    return counts


def _surface(forms: Counter[str]) -> str:
    """The spelling most papers use, a title's capitals aside ('Diffusion Language Models' ->
    'diffusion language models'); an acronym as written ('KV cache', 'GRPO')."""
    ranked = [form for form, _ in forms.most_common()]
    plain = [f for f in ranked if not all(w[:1].isupper() for w in f.split())]
    form = (plain or ranked)[0]
    if not plain and len(form.split()) > 1:  # only ever seen in titles
        form = " ".join(w if any(c.isupper() for c in w[1:]) else w.lower() for w in form.split())
    return form if any(c.isupper() for c in form[1:]) else form.lower()


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _and(items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} and {items[-1]}"


def _q(sentence: str) -> str:
    return f"“{sentence}”"


@dataclass
class Paper:
    """One analysed paper as the synthesis sees it."""

    item: AnalysedPaper
    name: str
    ev: Evidence
    contribution: str
    phrases: set[tuple[str, ...]] = field(default_factory=set)
    in_title: set[tuple[str, ...]] = field(default_factory=set)
    rank: int = 0

    @property
    def pid(self) -> str:
        return self.item.paper_id


@dataclass
class Writer:
    """Texts in both languages, and how often each of a paper's sentences was printed."""

    zh: dict[str, str] = field(default_factory=dict)
    printed: Counter[str] = field(default_factory=Counter)

    def say(self, en: str, zh: str) -> str:
        self.zh[en] = zh
        return en

    @staticmethod
    def _key(sentence: str) -> str:
        return " ".join(sentence.lower().split())[:90]

    def fresh(self, sentence: str) -> bool:
        return bool(sentence) and self.printed[self._key(sentence)] < MAX_PRINTS

    def use(self, sentence: str) -> str:
        self.printed[self._key(sentence)] += 1
        return sentence

    def first_fresh(self, candidates: Iterable[str]) -> str:
        return next((c for c in candidates if self.fresh(c)), "")


# why now -------------------------------------------------------------------------------------

_SIMILAR = re.compile(r"^similar to your (?P<title>.+?)\s*\((?P<score>[\d.]+)", re.I)
_WORDS = re.compile(
    r"^(?:keywords?|title|abstract|matches your interests|interests?):\s*(?P<words>[^(]+)", re.I
)
_AUTHOR = re.compile(r"^authors?:\s*(?P<name>[^(]+?)\s*\(followed\)", re.I)
_UPVOTES = re.compile(r"^upvotes:\s*(?P<count>\d+)", re.I)


def why_now(reasons: list[str], writer: Writer) -> str:
    """The ranking's reasons in words, in both languages: 'Matches your interests: kv cache;
    similar to your 'SnapKV' (0.71).'"""
    en: list[str] = []
    zh: list[str] = []
    words: list[str] = []
    for reason in reasons:
        reason = reason.strip()
        if match := _AUTHOR.match(reason):
            en.append(f"by {match['name'].strip()}, whom you follow")
            zh.append(f"作者 {match['name'].strip()} 是你关注的")
        elif match := _SIMILAR.match(reason):
            title = match["title"].strip()
            title = title if title.startswith(("'", "“", '"')) else f"'{title}'"
            en.append(f"similar to your {title} ({match['score']})")
            zh.append(f"与你文库中的 {title} 相似（{match['score']}）")
        elif match := _WORDS.match(reason):
            words += [w.strip() for w in match["words"].split(",") if w.strip()]
        elif match := _UPVOTES.match(reason):
            en.append(f"{match['count']} upvotes")
            zh.append(f"{match['count']} 个点赞")
    words = list(dict.fromkeys(words))
    if words:  # after the reader's authors and papers, the stronger evidence
        at = sum(1 for part in en if part.startswith(("by ", "similar to")))
        en.insert(at, f"matches your interests: {', '.join(words)}")
        zh.insert(at, f"符合你的兴趣：{', '.join(words)}")
    if not en:
        return writer.say("In your categories; it matches none of your interests, papers or "
                          "followed authors by name.",
                          "属于你关注的分类，"
                          "但没有命中你的兴趣词、文库论文或关注的作者。")  # fmt: skip
    return writer.say(_cap("; ".join(en)) + ".", "；".join(zh) + "。")


# themes --------------------------------------------------------------------------------------


@dataclass
class Group:
    title: str
    title_zh: str
    members: list[Paper]
    phrase: tuple[str, ...] = ()  # () for a domain group or "Also today"
    domain: str = ""


def _phrase_score(
    phrase: tuple[str, ...], left: list[Paper], surfaces: dict[tuple[str, ...], Counter[str]]
) -> float:
    """How well a phrase groups the papers left: how many name it, longer and coined phrases
    first; 0 when it cannot make a theme."""
    cover = sum(1 for p in left if phrase in p.phrases)
    coined = any(c.isupper() for c in _surface(surfaces[phrase])[1:])
    titled = sum(1 for p in left if phrase in p.in_title)
    # One common word is a theme only when two titles carry it (or it is a coined name,
    # GRPO): said in passing in claims it joins unrelated papers.
    if cover < 2 or (len(phrase) == 1 and not coined and (cover < 3 or titled < 2)):
        return 0.0
    return cover * (1 + 0.6 * (len(phrase) - 1)) * (1.3 if coined else 1.0)


def _domain_groups(left: list[Paper]) -> list[Group]:
    """A domain three or more of the papers left share, largest first ("Other" is none)."""
    by_domain: dict[str, list[Paper]] = {}
    for p in left:
        by_domain.setdefault(p.item.analysis.domain.rsplit(" (", 1)[0], []).append(p)
    return [Group(domain, domain_zh(domain), members, domain=domain)
            for domain, members in sorted(by_domain.items(), key=lambda kv: -len(kv[1]))
            if domain != "Other" and len(members) >= 3]  # fmt: skip


def _groups(papers: list[Paper], surfaces: dict[tuple[str, ...], Counter[str]]) -> list[Group]:
    """Papers grouped by a phrase most of them name in their title or main claim, then by a
    domain three or more share; the rest "Also today". Each paper in one group."""
    df = Counter(ph for p in papers for ph in p.phrases)
    ceiling = max(2, int(0.4 * len(papers)))  # a phrase in most papers names nothing
    candidates = [phrase for phrase, n in df.items() if n <= ceiling]
    left = list(papers)
    groups: list[Group] = []
    while len(groups) < PHRASE_THEMES:
        scored = [(_phrase_score(ph, left, surfaces), ph) for ph in candidates]
        score, phrase = max(scored, default=(0.0, ()))
        if score <= 0:
            break
        name = _surface(surfaces[phrase])
        groups.append(Group(_cap(name), name, [p for p in left if phrase in p.phrases],
                            phrase=phrase))  # fmt: skip
        left = [p for p in left if phrase not in p.phrases]
    for group in _domain_groups(left):
        groups.append(group)
        left = [p for p in left if p not in group.members]
    if left:
        groups.append(Group(ALSO_TODAY, "今日其他", left))
    return groups


def _listed(members: list[Paper]) -> tuple[str, str]:
    """A roundup's theme says which days its papers were listed: ' Listed Tue 2026-02-17 (2).'"""
    days = Counter(p.item.scored.paper.published for p in members)
    en = ", ".join(f"{day:%a %Y-%m-%d} ({n})" for day, n in sorted(days.items()))
    zh = "、".join(f"{day:%Y-%m-%d}（{n} 篇）" for day, n in sorted(days.items()))
    return f" In this roundup, listed {en}.", f"本期汇总中的列出日期：{zh}。"


def _more(count: int, shown: int, en: bool = True) -> str:
    return ("" if count <= shown else " and others") if en else ("" if count <= shown else " 等")


def _theme_why(group: Group, w: Writer, roundup: bool) -> str:
    """What the theme's papers share, as a fact; a roundup's says which days they came from."""
    count, names = len(group.members), [p.name for p in group.members[:4]]
    listed_en, listed_zh = _and(names) + _more(count, 4), join_zh(names) + _more(count, 4, False)
    if group.phrase:
        en = (f"{count} of the selected papers name {group.title_zh} in their title or main "
              f"claim: {listed_en}.")
        zh = f"入选论文中有 {count} 篇在标题或主要贡献中提到 {group.title_zh}：{listed_zh}。"
    elif group.domain:
        en = (f"{count} selected papers share the domain {group.title} but no phrase with "
              f"another theme: {listed_en}.")
        zh = (f"有 {count} 篇入选论文同属「{group.title_zh}」领域，但与其他主题没有共同短语："
              f"{listed_zh}。")
    else:
        en = (f"{count} selected papers share no phrase or domain with another; all are in the "
              "table above, the highest-ranked named here.")
        zh = (f"有 {count} 篇入选论文与其他论文没有共同短语或领域；它们都在上面的速览表里，"
              "这里列出排名最高的几篇。")
    if roundup:
        days_en, days_zh = _listed(group.members)
        en, zh = en + days_en, zh + days_zh
    return w.say(en, zh)


def _mentions(p: Paper, phrase: tuple[str, ...]) -> list[str]:
    """The paper's claim or result sentences that name the theme's phrase."""
    if not phrase:
        return []
    pattern = re.compile(r"\b" + r"\W+".join(re.escape(x) for x in phrase), re.I)
    return [extract.tidy(s) for s in extract.split_sentences(_abstract(p))
            if pattern.search(" ".join(_stem(t) for t in _WORD.findall(s)))
            and (extract.claim_score(extract.standalone(s)) > 0 or s in p.ev.results)]  # fmt: skip


def _approach(group: Group, w: Writer) -> list[str]:
    """Each of the first papers' own sentence on the theme, one not yet printed twice; papers
    whose every sentence is printed enough already are pointed to instead."""
    approach: list[str] = []
    elsewhere: list[Paper] = []
    for p in group.members[:3]:
        mentions = _mentions(p, group.phrase)
        sentence = w.first_fresh([*(m for m in mentions if m != p.contribution), *mentions,
                                  p.contribution, *p.ev.results])  # fmt: skip
        if sentence:
            text = extract.shorten(w.use(sentence), 240)
            approach.append(w.say(f"{p.name}: {_q(text)}", f"{p.name}：{quote_zh(text)}"))
        else:
            elsewhere.append(p)
    if elsewhere:
        ranks = [str(p.rank) for p in elsewhere]
        rows = "Row" if len(ranks) == 1 else "Rows"
        approach.append(w.say(
            f"{rows} {_and(ranks)} of the table above (their claims and results are quoted in the "
            "takeaways and the top 5).",
            f"见上方速览表第 {'、'.join(ranks)} 行（其主张与结果已在执行要点与 Top 5 中引用）。"))
    return approach


def _theme(group: Group, w: Writer, roundup: bool = False) -> Theme:
    return Theme(
        title=w.say(group.title, group.title_zh),
        why_it_matters=_theme_why(group, w, roundup),
        paper_ids=[p.pid for p in group.members[:4]],
        common_approach=_approach(group, w),
        open_questions=_open_questions(group.members, w, also_today=not group.phrase
                                       and not group.domain),
    )  # fmt: skip


def _abstract(p: Paper) -> str:
    return plain_text(p.item.scored.paper.abstract)


_FAMILY = re.compile(r"^(Qwen|Llama|LLaMA|GPT|Gemini|Gemma|Claude|DeepSeek|Mistral|Mixtral|Phi|"
                     r"OLMo|InternVL|LLaVA|Kimi|GLM|Falcon|Pythia|T5|BERT|RoBERTa|ViT|CLIP|SAM)",
                     re.I)


def _shared_names(papers: list[Paper]) -> list[tuple[str, list[Paper]]]:
    """Benchmarks (not models: see `_families`) two or more of `papers` report on, most
    shared first."""
    on: dict[str, list[Paper]] = {}
    for p in papers:
        for name in p.ev.named:
            if not _FAMILY.match(name):
                on.setdefault(name, []).append(p)
    shared = [(name, who) for name, who in on.items() if len(who) > 1]
    return sorted(shared, key=lambda kv: -len(kv[1]))


def _families(papers: list[Paper]) -> list[tuple[str, list[Paper]]]:
    """Model families (Qwen, Llama…) that two or more papers name, not already one shared
    name: 'Qwen3-4B' and 'Qwen3.5' are both Qwen."""
    on: dict[str, list[Paper]] = {}
    for p in papers:
        for family in dict.fromkeys(m.group(1) for n in p.ev.named if (m := _FAMILY.match(n))):
            on.setdefault(family, []).append(p)
    return sorted(((f, who) for f, who in on.items() if len(who) > 1), key=lambda kv: -len(kv[1]))


def _shared_question(members: list[Paper], w: Writer) -> list[str]:
    for name, who in _shared_names(members)[:1]:
        names = [p.name for p in who[:3]]
        return [w.say(
            f"{_and(names)} all report on {name}: check that their settings match before "
            "comparing their numbers.",
            f"{join_zh(names)} 都报告了 {name} 上的结果：比较数字前先核对设置是否一致。",
        )]  # fmt: skip
    return []


def _caveat_questions(members: list[Paper], w: Writer, limit: int) -> list[str]:
    """Up to `limit` of the papers' own caveats, each one not yet printed twice."""
    questions: list[str] = []
    for p in members:
        hedge = next((h for h in p.ev.hedges if w.fresh(h)), "")
        if hedge and len(questions) < limit:
            text = extract.shorten(w.use(hedge), 220)
            questions.append(w.say(f"{p.name}'s own caveat: {_q(text)}",
                                   f"{p.name} 自己的保留意见：{quote_zh(text)}"))  # fmt: skip
    return questions


def _silent_question(members: list[Paper], w: Writer) -> list[str]:
    """Papers whose abstract has no figure at all; what that means is said the first time."""
    silent = [p for p in members if not p.ev.has_figure]
    if not silent:
        return []
    names = [p.name for p in silent[:3]]
    first = not w.printed["no figure"]
    w.printed["no figure"] += 1
    why = ": the size of the effect is unknown from what was read" if first else ""
    why_zh = "：从所读内容无法判断效果大小" if first else ""
    one = len(silent) == 1
    return [w.say(
        f"{_and(names)} state{'s' if one else ''} no figure in {'its' if one else 'their'} "
        f"abstract{why}.",
        f"{join_zh(names)} 的摘要没有给出任何数字{why_zh}。",
    )]  # fmt: skip


def _open_questions(members: list[Paper], w: Writer, also_today: bool) -> list[str]:
    questions = _shared_question(members, w)
    questions += _caveat_questions(members, w, 3 - len(questions))
    if len(questions) < 3:
        questions += _silent_question(members, w)
    if questions:
        return questions[:3]
    names = [p.name for p in members[:3]]
    if also_today or len(members) == 1:
        return [w.say(f"Nothing else in today's selection tests the claims of {_and(names)}.",
                      f"今天入选的其他论文没有检验 {join_zh(names)} 的结论。")]  # fmt: skip
    return [w.say(
        f"{_and(names)} report on different benchmarks or none by name: their results cannot be "
        "compared from what was read.",
        f"{join_zh(names)} 使用不同的基准或未点名基准：从所读内容无法比较其结果。")]  # fmt: skip


# the brief ----------------------------------------------------------------------------------


def _takeaways(ranked: list[Paper], w: Writer) -> list[Takeaway]:
    """Headline results of the highest-ranked papers that report one, then, to fill, the
    highest-ranked claims."""
    takeaways: list[Takeaway] = []
    with_results = [p for p in ranked if p.ev.results]
    for p in with_results[: TAKEAWAYS.high - 1]:
        result = w.first_fresh(p.ev.results)
        if not result:
            continue
        text = extract.shorten(w.use(result), 260)
        en, zh = _q(text), f"结果：{quote_zh(text)}"
        hedge = next((h for h in p.ev.hedges if w.fresh(h) and h != result), "")
        if hedge:
            short = extract.shorten(w.use(hedge), 200)
            en += f" Its own caveat: {_q(short)}"
            zh += f"作者自己的保留意见：{quote_zh(short)}"
        takeaways.append(Takeaway(headline=w.say(p.name, p.name), body=w.say(en, zh),
                                  paper_ids=[p.pid]))  # fmt: skip
        if len(takeaways) >= 5:
            break
    for p in ranked:
        if len(takeaways) >= TAKEAWAYS.lowest_for(len(ranked)):
            break
        if any(p.pid in t.paper_ids for t in takeaways):
            continue
        claim = w.first_fresh([p.contribution, p.ev.finding])
        if not claim:  # quoted twice already: pointed to instead
            takeaways.append(Takeaway(
                headline=w.say(p.name, p.name),
                body=w.say(f"Its claim is quoted in the table above (row {p.rank}) and in the "
                           "top 5.", f"其主张已在上方速览表第 {p.rank} 行与 Top 5 中引用。"),
                paper_ids=[p.pid]))  # fmt: skip
            continue
        text = extract.shorten(w.use(claim), 260)
        takeaways.append(Takeaway(
            headline=w.say(p.name, p.name),
            body=w.say(f"No figure of its own in the abstract's results; its claim: {_q(text)}"
                       if not p.ev.results else _q(text),
                       (f"摘要未给出结果数字；其主张：{quote_zh(text)}" if not p.ev.results
                        else f"主张：{quote_zh(text)}")),
            paper_ids=[p.pid],
        ))  # fmt: skip
    return takeaways


def _top(p: Paper, w: Writer) -> TopPaper:
    bullets: list[str] = []
    labels = {"study": ("Finding", "发现"), "survey": ("Scope", "范围"),
              "benchmark": ("What it releases", "发布内容"),
              "position": ("Argument", "论点")}  # fmt: skip
    label_en, label_zh = labels.get(p.ev.kind, ("What it does", "做了什么"))
    lead = w.first_fresh([p.ev.finding if p.ev.kind == "study" else "", p.contribution])
    if lead:
        text = extract.shorten(w.use(lead), 260)
        bullets.append(w.say(f"{label_en}: {text}", f"{label_zh}：{quote_zh(text)}"))
    for result in p.ev.results:
        if len(bullets) >= TOP_FACT_BULLETS.high - 1 or not w.fresh(result):
            continue
        text = extract.shorten(w.use(result), 260)
        bullets.append(w.say(f"Result: {text}", f"结果：{quote_zh(text)}"))
    if len(bullets) < TOP_FACT_BULLETS.low:
        domain = p.item.analysis.domain
        bullets.append(w.say(
            f"A {p.ev.kind} paper in {domain}, read from its {p.item.analysis.read_from}.",
            f"{domain_zh(domain)}方向的{_kind_zh(p.ev.kind)}论文，读自其"
            f"{'全文' if p.item.analysis.read_from == 'html' else '摘要'}。"))  # fmt: skip
    if len(bullets) < TOP_FACT_BULLETS.low:
        bullets.append(w.say(f"arXiv {p.pid}; authors: {_authors(p)}.",
                             f"arXiv {p.pid}；作者：{_authors(p)}。"))  # fmt: skip
    where = p.item.analysis.read_from
    return TopPaper(
        paper_id=p.pid,
        bullets=bullets,
        why_now=why_now(p.item.scored.reasons, w),
        skepticism=w.say(*profile(p.name, p.ev, where)),
    )


def _distinct_why_now(tops: list[TopPaper], ranked: list[Paper], w: Writer) -> list[TopPaper]:
    """Two top papers with the same reasons would read alike: each names its paper."""
    seen = Counter(top.why_now for top in tops)
    named = []
    for top, p in zip(tops, ranked, strict=False):
        if seen[top.why_now] > 1:
            why = top.why_now
            top = top.model_copy(update={"why_now": w.say(
                f"{p.name}: {why[:1].lower() + why[1:]}", f"{p.name}：{w.zh.get(why, why)}")})
        named.append(top)
    return named


def _kind_zh(kind: str) -> str:
    return KINDS_ZH.get(kind, kind)


def _authors(p: Paper) -> str:
    authors = p.item.scored.paper.authors
    return ", ".join(authors[:3]) + (" et al." if len(authors) > 3 else "") or "not listed"


def _benchmark_lines(ranked: list[Paper], w: Writer) -> list[str]:
    return [w.say(
        f"{_and(names)} all report on {name}; their setups are not compared here, so read the "
        "numbers side by side only after checking them.",
        f"{join_zh(names)} 都报告了 {name} 上的结果；"
        "此处未核对它们的设置，并列比较数字前请先核对。",
    ) for name, who in _shared_names(ranked)[:3]
        for names in [[p.name for p in who[:4]]]]  # fmt: skip


def _family_lines(ranked: list[Paper], w: Writer) -> list[str]:
    lines = []
    for family, who in _families(ranked)[:2]:
        shown = [f"{p.name} ({', '.join(n for n in p.ev.named if n.startswith(family))})"
                 for p in who[:4]]  # fmt: skip
        lines.append(w.say(
            f"{_and(shown)} all report on {family} models: their results share a model family, "
            "not necessarily a size or a setup.",
            f"{join_zh(shown)} 都报告了 {family} 系列模型上的结果："
            "同一模型家族，规模与设置未必相同。",
        ))  # fmt: skip
    return lines


_KINDS = (("study", "studies that measure rather than build", "做测量而非构建新系统的研究"),
          ("benchmark", "benchmarks or datasets", "基准或数据集"), ("survey", "surveys", "综述"))


def _kind_lines(ranked: list[Paper], w: Writer) -> list[str]:
    lines = []
    for kind, en, zh in _KINDS:
        of_kind = [p.name for p in ranked if p.ev.kind == kind]
        if len(of_kind) >= 2:
            names, count = of_kind[:4], len(of_kind)
            lines.append(w.say(
                f"{count} of the selected papers are {en}: {_and(names)}{_more(count, 4)}.",
                f"入选论文中有 {count} 篇是{zh}：{join_zh(names)}{_more(count, 4, False)}。"))
    return lines


def _caution_lines(ranked: list[Paper], w: Writer) -> list[str]:
    """Headline figures to read with care across papers: best cases, unnamed baselines."""
    lines = []
    up_to = [f"{p.name} ({p.ev.up_to})" for p in ranked if p.ev.up_to][:4]
    if len(up_to) >= 2:
        lines.append(w.say(
            f"{_and(up_to)} headline “up to” figures: best cases, not averages.",
            f"{join_zh(up_to)} 的标题性数字是“up to”（最多）形式：这是最好情况，不是平均值。"))
    generic = [p.name for p in ranked
               if p.ev.generic_baselines and not p.ev.baselines and p.ev.results][:4]  # fmt: skip
    if len(generic) >= 2:
        lines.append(w.say(
            f"{_and(generic)} report gains over unnamed “existing methods” or “baselines”: which "
            "baselines is not said in the abstract.",
            f"{join_zh(generic)} 报告的提升是相对未点名的“现有方法”或“基线”："
            "摘要没有说明是哪些基线。"))
    return lines


def _technical(ranked: list[Paper], w: Writer) -> list[str]:
    """Lines that connect two or more papers by what they share; never a histogram."""
    lines = (_benchmark_lines(ranked, w) + _family_lines(ranked, w) + _kind_lines(ranked, w)
             + _caution_lines(ranked, w))  # fmt: skip
    if lines:
        return lines[:6]
    names = [p.name for p in ranked[:3]]
    return [w.say(
        f"The selected papers share no benchmark, model or key phrase: {_and(names)} and the rest "
        "stand alone.",
        f"入选论文之间没有共同的基准、模型或关键短语：{join_zh(names)} 等各自独立。")]  # fmt: skip


def _reading_steps(ranked: list[Paper], w: Writer) -> list[str]:
    """Code to try, caveats to read first, and a benchmark to compare two papers on."""
    steps = []
    coded = [p for p in ranked if p.ev.code][:4]
    if coded:
        listed = "; ".join(f"{p.name} ({p.ev.code})" for p in coded)
        steps.append(w.say(f"Code to try, linked from the abstract or the arXiv comment: {listed}.",
                           f"可以试用的代码（链接来自摘要或 arXiv 备注）：{listed}。"))  # fmt: skip
    negative = [p.name for p in ranked if p.ev.hedges][:3]
    if negative:
        steps.append(w.say(
            f"Read first where the authors state their own caveat or negative result: "
            f"{_and(negative)}.",
            f"先读作者自己说明了保留意见或负面结果的论文：{join_zh(negative)}。"))  # fmt: skip
    for name, who in _shared_names(ranked)[:1]:
        names = [p.name for p in who[:3]]
        steps.append(w.say(
            f"Put {_and(names)} side by side on {name}: same benchmark, check the setups.",
            f"把 {join_zh(names)} 在 {name} 上的结果放在一起看："
            "同一基准，先核对设置。"))  # fmt: skip
    return steps


def _topic_step(group: Group, w: Writer) -> str:
    lead, then = group.members[0], [p.name for p in group.members[1:3]]
    return w.say(
        f"If {group.title_zh} is your topic: start with {lead.name} (arXiv {lead.pid}), then "
        f"{_and(then)}.",
        f"如果你研究 {group.title_zh}：先读 {lead.name}（arXiv {lead.pid}），"
        f"再读 {join_zh(then)}。")


def _caveat_step(ranked: list[Paper], extractive: bool, w: Writer) -> list[str]:
    """What the top papers' abstracts leave untested, and how this brief was made (once)."""
    steps = []
    untested = [p.name for p in ranked[:TOP_PAPERS] if not p.ev.evaluates]
    if untested:
        steps.append(w.say(
            f"{_and(untested)} name no experiment in the abstract: look for one in the full text "
            "before relying on the claim.",
            f"{join_zh(untested)} 的摘要没有提到实验："
            "依赖其结论前请在全文中查找实验。"))  # fmt: skip
    if extractive:
        steps.append(w.say(
            "This brief quotes titles and abstracts without a model: the claims are the authors', "
            "unchecked. Read the top 5 in full before acting, or rerun with a model provider.",
            "本简报未使用语言模型，只引用标题与摘要原文：其中的主张是作者的，未经核实。"
            "行动前请通读前 5 篇，或改用模型提供方重新生成。"))  # fmt: skip
    else:
        steps.append(w.say(
            "These analyses are a model's reading of each paper: check the top 5's claims and "
            "numbers against the papers before acting on them.",
            "这些分析是模型对每篇论文的解读："
            "行动前请对照原文核对前 5 篇的主张与数字。"))  # fmt: skip
    return steps


def _next_steps(ranked: list[Paper], groups: list[Group], extractive: bool,
                w: Writer) -> list[str]:  # fmt: skip
    steps = _reading_steps(ranked, w)
    for group in [g for g in groups if g.phrase and len(g.members) > 1][:2]:
        if len(steps) < NEXT_STEPS.high - 1:
            steps.append(_topic_step(group, w))
    steps += _caveat_step(ranked, extractive, w)
    while len(steps) < NEXT_STEPS.lowest_for(len(ranked)):
        p = ranked[len(steps) % len(ranked)]
        steps.append(w.say(f"Skim {p.name} (arXiv {p.pid}) for its method and evaluation setup.",
                           f"浏览 {p.name}（arXiv {p.pid}）的方法与评估设置。"))  # fmt: skip
    return steps[: NEXT_STEPS.high]


def synthesize(
    papers: list[AnalysedPaper], extractive: bool = True, roundup: bool = False
) -> tuple[Synthesis, dict[str, str]]:
    """The synthesis of `papers` and the Chinese of every text it wrote (English -> Chinese);
    a `roundup`'s themes say which days their papers were listed."""
    w = Writer()
    ordered = sorted(papers, key=lambda a: (-a.scored.score, a.paper_id))
    surfaces: dict[tuple[str, ...], Counter[str]] = {}
    ranked: list[Paper] = []
    for item in ordered:
        paper = item.scored.paper
        abstract = plain_text(paper.abstract)
        contribution = item.analysis.one_line_contribution
        ev = evidence_of(paper.title, abstract, paper.comment or "",
                         contribution)  # fmt: skip
        p = Paper(item, extract.short_name(paper.title), ev, contribution)
        strong = _phrases(f"{paper.title}. {contribution}", surfaces)
        weak = _phrases(abstract, surfaces)
        p.phrases = set(strong) | {ph for ph, n in weak.items() if n >= 2}
        p.in_title = set(_phrases(paper.title, {}))
        p.rank = len(ranked) + 1
        w.use(contribution)  # the glance table prints every contribution once
        ranked.append(p)
    groups = _groups(ranked, surfaces)
    top = _distinct_why_now([_top(p, w) for p in ranked[:TOP_PAPERS]], ranked, w)
    takeaways = _takeaways(ranked, w)
    themes = [_theme(g, w, roundup) for g in groups]
    synthesis = Synthesis(
        takeaways=takeaways,
        themes=themes,
        technical_synthesis=_technical(ranked, w),
        top_papers=top,
        next_steps=_next_steps(ranked, groups, extractive, w),
    )
    return synthesis, w.zh
