"""The rules a structured brief must follow: each broken rule is one line naming where."""

from __future__ import annotations

from briefgen.core.models import Takeaway, Theme, TopPaper
from briefgen.core.rules import check_brief
from tests.briefs import IDS, make_brief


def test_a_brief_that_follows_the_rules_has_no_problems() -> None:
    assert check_brief(make_brief()) == []


def test_every_broken_rule_is_named_in_the_order_the_brief_reads() -> None:
    brief = make_brief()
    rows = brief.papers_at_a_glance
    wrong_link = rows[1].model_copy(update={"url": "https://example.com/x"})
    brief = brief.model_copy(update={
        "papers_at_a_glance": [rows[0], wrong_link, *rows[2:], rows[0]],
        "takeaways": [Takeaway(headline="Only", body="One.", paper_ids=["2602.99999"])],
        "themes": [Theme(title="Empty", why_it_matters="No.", paper_ids=["2602.99998"],
                         common_approach=[], open_questions=[])],
        "technical_synthesis": [],
        "top_papers": [
            TopPaper(paper_id=IDS[0], bullets=["One."], why_now="Now.", skepticism=" "),
            TopPaper(paper_id=IDS[0], bullets=["A.", "B."], why_now="Now.", skepticism="Hm."),
            TopPaper(paper_id="2602.99997", bullets=["A.", "B."], why_now="N.", skepticism="H."),
        ],
        "next_steps": ["Only one."],
    })  # fmt: skip
    assert check_brief(brief) == [
        "papers at a glance: a paper is listed twice",
        f"papers at a glance: {IDS[1]} links to 'https://example.com/x'",
        "executive takeaways: 1 items, expected 4–7",
        "takeaway 'Only': cites 2602.99999, which was not analysed",
        "theme 'Empty': cites 2602.99998, which was not analysed",
        "theme 'Empty': no common approach",
        "theme 'Empty': no open questions",
        "technical synthesis: empty",
        "top papers: 3 listed, expected 5",
        "top papers: the same paper is listed twice",
        f"top papers: {IDS[0]} has 1 bullets, expected 2–4",
        f"top papers: {IDS[0]} has no skepticism note",
        "top papers: 2602.99997 was not analysed",
        "practical next steps: 1 items, expected 3–8",
    ]


def test_an_empty_table_and_a_theme_without_papers_are_problems() -> None:
    brief = make_brief().model_copy(update={
        "papers_at_a_glance": [],
        "themes": [Theme(title="T", why_it_matters="W.", paper_ids=[],
                         common_approach=["A."], open_questions=["Q?"])],
    })  # fmt: skip
    problems = check_brief(brief)
    assert problems[0] == "papers at a glance: no papers; a brief needs at least one"
    assert "theme 'T': names no paper" in problems
    assert not any(p.startswith("papers at a glance: a paper") for p in problems)
