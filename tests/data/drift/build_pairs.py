"""Regenerate pairs.json: labelled (archived, live) text pairs for choosing DRIFT_THRESHOLD.

Source texts are the main text (via provenance.page.extract.parse_page) of English article pages in
the `dates/html` corpus set (htmldate test set and friends, Apache-2.0; see
/work/shared/corpus/MANIFEST.md), cut to their first ~450 words.  Each pair applies one edit
that a real site makes to a page over time:

same (no drift)      typo fixes, an updated paragraph, a changed date line, different ads and
                     navigation residue, an appended correction, and a heavy combined update;
replaced (drift)     another article under the same site chrome, a "page moved" stub, a
                     domain-for-sale page, a 200 "not found" page, the site's home page of
                     headlines, and a follow-up article that quotes one paragraph of the original.

Deterministic (fixed seed).  Run: /work/.venv/bin/python tests/data/drift/build_pairs.py CORPUS_DIR
"""

from __future__ import annotations

import json
import random
import re
import sys
from pathlib import Path
from urllib.parse import urlsplit

from provenance.page.extract import parse_page

ARTICLES = [
    "html/1487058344.html",
    "html/blog.wikimedia.interactivemaps.html",
    "html/diem25.org.climate.html",
    "html/1545738097.html",
    "html/1493757507.html",
    "html/eff.org.2015.html",
    "html/mdavis.xyz.supermarket.html",
    "html/newsweek.com-Republican-Debate.html",
    "html/schneems.com.rubocop.html",
    "html/theplanetarypress.com.forestlands.html",
    "html/tomshardware.com.rtx.html",
    "html/1676872902.html",
    "html/blog.gaijinpot.com.chikan.html",
    "html/salon.com.emissions.html",
]
SAME_SITE = ("html/blog.wordpress.com.html", "html/blog.wordpress.com.diverse.html")
SAME_KINDS = ["typo_fixes", "updated_paragraph", "date_line", "ads_nav", "correction_note", "heavy_update"]
REPLACED_KINDS = ["other_article_same_site", "moved_stub", "for_sale", "not_found_200", "home_page", "follow_up"]
MAX_WORDS = 450


def load(corpus: Path) -> dict[str, tuple[str, str]]:
    expected = json.loads((corpus / "dates" / "expected.json").read_text())
    out = {}
    for rel in [*ARTICLES, *SAME_SITE]:
        url = expected[rel]["url"]
        text = parse_page((corpus / "dates" / rel).read_bytes(), url).main_text
        out[rel] = (url, cut(text))
    return out


def cut(text: str) -> str:
    paras, count = [], 0
    for para in paragraphs(text):
        paras.append(para)
        count += len(para.split())
        if count >= MAX_WORDS:
            break
    return "\n".join(paras)


def paragraphs(text: str) -> list[str]:
    lines = [line.strip() for line in text.split("\n") if line.strip()]
    if len(lines) >= 5:
        return lines
    sentences = re.split(r"(?<=[.!?])\s+", " ".join(lines))
    step = max(1, len(sentences) // 6)
    return [" ".join(sentences[i : i + step]) for i in range(0, len(sentences), step)]


def chrome(host: str, rng: random.Random) -> tuple[str, str]:
    site = host.removeprefix("www.").split(".")[0].capitalize()
    nav = f"{site}\nHome | News | Opinion | About | Contact | Subscribe\nSearch {site}"
    year = rng.choice(["2019", "2021", "2023"])
    foot = f"© {year} {site}. All rights reserved. Privacy policy | Terms of use | Cookie settings"
    return nav, foot


ADS = [
    "Advertisement",
    "Sponsored: Save 40% on your first order with code SPRING",
    "Subscribe to our newsletter for the latest stories",
    "Recommended for you: 10 gadgets under $50",
    "Most read: How to sleep better in one week",
    "Advertisement - scroll to continue",
    "Sign up for breaking news alerts",
    "Follow us on Twitter and Facebook",
    "Trending: The best phones of the year",
]


def typo(text: str, rng: random.Random, n: int = 4) -> str:
    words = text.split(" ")
    for _ in range(n):
        i = rng.randrange(len(words))
        w = words[i]
        if len(w) > 4 and w.isalpha():
            j = rng.randrange(1, len(w) - 2)
            words[i] = w[:j] + w[j + 1] + w[j] + w[j + 2 :]
    return " ".join(words)


def replace_paragraphs(text: str, donor: str, rng: random.Random, n: int) -> str:
    paras, donors = paragraphs(text), paragraphs(donor)
    for _ in range(n):
        paras[rng.randrange(1, len(paras))] = rng.choice(donors)
    return "\n".join(paras)


def same_pair(kind: str, url: str, text: str, donor: str, rng: random.Random) -> tuple[str, str]:
    nav, foot = chrome(urlsplit(url).hostname or "", rng)
    if kind == "typo_fixes":
        return typo(text, rng, 5), text
    if kind == "updated_paragraph":
        return text, replace_paragraphs(text, donor, rng, 1)
    if kind == "date_line":
        return (
            f"Published August 6, 2019 at 9:14 am\n{text}",
            f"Updated March 2, 2023 at 11:02 pm. Originally published August 6, 2019\n{text}",
        )
    if kind == "ads_nav":
        a, b = rng.sample(ADS, 3), rng.sample(ADS, 3)
        return (
            f"{nav}\n{a[0]}\n{text}\n{a[1]}\n{a[2]}\n{foot}",
            f"{nav}\nMenu\n{b[0]}\n{text}\n{b[1]}\n{b[2]}\n{foot}",
        )
    if kind == "correction_note":
        return text, (
            f"{typo(text, rng, 2)}\nCorrection: An earlier version of this article misstated a figure "
            "in the third paragraph. It has been corrected."
        )
    if kind == "heavy_update":
        a, b = rng.sample(ADS, 2), rng.sample(ADS, 2)
        live = replace_paragraphs(typo(text, rng, 4), donor, rng, 2)
        return (
            f"Posted 12/03/2018\n{a[0]}\n{text}\n{a[1]}",
            f"Last updated 4 January 2024\n{b[0]}\n{live}\n{b[1]}\nEditor's note: this story has been updated.",
        )
    raise ValueError(kind)


def replaced_pair(kind: str, url: str, text: str, donor: str, rng: random.Random) -> tuple[str, str]:
    host = urlsplit(url).hostname or "example.com"
    nav, foot = chrome(host, rng)
    archived = f"{nav}\n{text}\n{foot}"
    if kind == "other_article_same_site":
        return archived, f"{nav}\n{donor}\n{foot}"
    if kind == "moved_stub":
        return archived, (
            f"{nav}\nThis page has moved\nThe content you are looking for has been moved to our new "
            f"website. Please update your bookmarks. You will be redirected shortly.\n{foot}"
        )
    if kind == "for_sale":
        return archived, (
            f"{host} is for sale!\nBuy this domain now. Make an offer today.\nThe owner of {host} "
            "is offering it for sale for an asking price of 2,950 USD. Secure checkout, fast "
            "transfer, buyer protection program.\nRelated searches: Online Degrees, Cheap Flights, "
            "Car Insurance Quotes"
        )
    if kind == "not_found_200":
        return archived, (
            f"{nav}\nOops! We can't find the page you're looking for.\nSorry, the page you "
            "requested could not be found. It may have been removed, had its name changed, or is "
            f"temporarily unavailable. Try searching our site or return to the home page.\n{foot}"
        )
    if kind == "home_page":
        heads = [p.split(". ")[0][:90] for p in paragraphs(donor)[:8]] + [
            p.split(". ")[0][:90] for p in paragraphs(text)[:1]
        ]
        rng.shuffle(heads)
        return archived, f"{nav}\nTop stories\n" + "\n".join(heads) + f"\n{foot}"
    if kind == "follow_up":
        quoted = rng.choice(paragraphs(text)[1:])
        return archived, f'{nav}\n{donor}\nAs we reported earlier: "{quoted}"\n{foot}'
    raise ValueError(kind)


def short(text: str, words: int = 70) -> str:
    return " ".join(text.split()[:words])


def hard_pairs(texts: dict[str, tuple[str, str]], rng: random.Random) -> list[dict]:
    """Cases near the boundary: short articles under heavy shared chrome, and big rewrites."""
    out = []
    for i, rel in enumerate(ARTICLES[:8]):
        url, text = texts[rel]
        donor_url, donor = texts[ARTICLES[(i + 3) % len(ARTICLES)]]
        nav, foot = chrome(urlsplit(url).hostname or "", rng)
        if i % 4 == 0:  # a short item whose extracted text is half chrome, replaced by another short item
            label, kind = "replaced", "short_other_item_same_chrome"
            archived, live = f"{nav}\n{short(text)}\n{foot}", f"{nav}\n{short(donor)}\n{foot}"
        elif i % 4 == 1:  # the same short item, typo fixed and re-dated, under different chrome residue
            label, kind = "same", "short_item_edited"
            archived = f"{nav}\nPosted May 3, 2017\n{typo(short(text), rng, 2)}\n{rng.choice(ADS)}"
            live = f"Menu\nUpdated 2 June 2021\n{short(text)}\n{rng.choice(ADS)}\n{foot}"
        elif i % 4 == 2:  # a third of the paragraphs rewritten, the rest lightly edited
            label, kind = "same", "partial_rewrite"
            n = max(1, len(paragraphs(text)) // 3)
            archived, live = text, replace_paragraphs(typo(text, rng, 6), donor, rng, n)
        else:  # the page now shows the original's lead only, inside a new article (a "what happened next")
            label, kind = "replaced", "new_article_reusing_lead"
            lead = paragraphs(text)[0]
            archived, live = text, f"{lead}\n{donor}"
        out.append(
            {
                "id": f"{label}-{kind}-{i:02d}",
                "label": label,
                "kind": kind,
                "source": rel,
                "url": url,
                "donor_url": donor_url,
                "archived": archived,
                "live": live,
            }
        )
    return out


def build(corpus: Path) -> list[dict]:
    rng = random.Random(20260101)
    texts = load(corpus)
    pairs = []
    for i, rel in enumerate(ARTICLES):
        url, text = texts[rel]
        donor_url, donor = texts[ARTICLES[(i + 5) % len(ARTICLES)]]
        for label, kinds, make in (("same", SAME_KINDS, same_pair), ("replaced", REPLACED_KINDS, replaced_pair)):
            kind = kinds[i % len(kinds)]
            archived, live = make(kind, url, text, donor, rng)
            pairs.append(
                {
                    "id": f"{label}-{kind}-{i:02d}",
                    "label": label,
                    "kind": kind,
                    "source": rel,
                    "url": url,
                    "donor_url": donor_url,
                    "archived": archived,
                    "live": live,
                }
            )
    pairs.extend(hard_pairs(texts, rng))
    (url_a, a), (url_b, b) = texts[SAME_SITE[0]], texts[SAME_SITE[1]]
    pairs.append(
        {
            "id": "replaced-real_same_site-99",
            "label": "replaced",
            "kind": "other_article_same_site",
            "source": SAME_SITE[0],
            "url": url_a,
            "donor_url": url_b,
            "archived": a,
            "live": b,
        }
    )
    return pairs


if __name__ == "__main__":
    corpus = Path(sys.argv[1] if len(sys.argv) > 1 else "/work/shared/corpus")
    out = Path(__file__).with_name("pairs.json")
    out.write_text(json.dumps(build(corpus), indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {out}")
