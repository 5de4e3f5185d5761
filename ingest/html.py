"""Main text of a news web page: the article, without menus, scripts, sidebars or footers."""
from __future__ import annotations

from dataclasses import dataclass
from typing import cast

from bs4 import BeautifulSoup

BOILERPLATE = ["script", "style", "noscript", "nav", "header", "footer", "aside", "form",
               "iframe", "svg", "button", "template"]
BLOCKS = ["h1", "h2", "h3", "h4", "p", "li", "blockquote", "pre"]
DATE_META = ["article:published_time", "datePublished", "date", "pubdate", "og:published_time"]
# tag[attr] is typed str | AttributeValueList, but bs4 splits only class, rel and the like into
# lists: the content, href and datetime read here are strings (hence the casts)


@dataclass
class Page:
    text: str
    title: str = ""
    url: str = ""
    date: str = ""


def meta(soup: BeautifulSoup, names: list[str]) -> str:
    for name in names:
        tag = soup.find("meta", attrs={"property": name}) or soup.find("meta", attrs={"name": name}) \
            or soup.find("meta", attrs={"itemprop": name})
        if tag and tag.get("content"):
            return cast(str, tag["content"]).strip()
    return ""


def main_text(html: str) -> Page:
    soup = BeautifulSoup(html, "lxml")
    title = meta(soup, ["og:title"]) or (soup.title.get_text(" ", strip=True) if soup.title else "")
    url = meta(soup, ["og:url"])
    if not url and (link := soup.find("link", rel="canonical")) and link.get("href"):
        url = cast(str, link["href"]).strip()
    date = meta(soup, DATE_META)
    if not date and (t := soup.find("time")) and t.get("datetime"):
        date = cast(str, t["datetime"])
    for tag in soup(BOILERPLATE):
        if tag.name == "header" and tag.find_parent("article"):
            continue  # an article's own <header> holds its headline, not site chrome
        tag.decompose()
    # find(None, attrs=…): bs4's typed overloads cover attrs alone only with the name spelled out
    root = soup.find("article") or soup.find("main") or soup.find(None, attrs={"role": "main"}) or soup.body or soup
    h1 = root.find("h1") or soup.find("h1")
    if h1:
        title = h1.get_text(" ", strip=True)
    paragraphs = [b.get_text(" ", strip=True) for b in root.find_all(BLOCKS)
                  if not b.find_parent(BLOCKS)]
    paragraphs = [p for p in paragraphs if p]
    if not paragraphs:
        paragraphs = [line.strip() for line in root.get_text("\n").split("\n") if line.strip()]
    if h1 and paragraphs and paragraphs[0] != title:
        paragraphs.insert(0, title)
    return Page(text="\n\n".join(paragraphs), title=title, url=url, date=date)
