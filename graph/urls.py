"""Store URLs: what a URL names, the default one, a Neo4j URL parsed for the driver, and a URL
fit for messages (its password hidden).

A path or `sqlite:///path` names the embedded store (the default, under `$INVESTGRAPH_HOME`,
default `./.investgraph/`); `neo4j://[USER@]HOST[:PORT][?database=DB]` (also `bolt://`,
`neo4j+s://`, `bolt+s://`) names Neo4j. The Neo4j password comes from `NEO4J_PASSWORD` and never
appears in a store's `url`. Without a URL: `$INVESTGRAPH_STORE`, else `$NEO4J_URI`, else the
embedded default.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qsl, unquote, urlencode, urlsplit

from .store import StoreError

DEFAULT_FILE = "graph.db"
NEO4J_SCHEMES = ("neo4j", "neo4j+s", "neo4j+ssc", "bolt", "bolt+s", "bolt+ssc")
NEO4J_DEFAULT_PORT = 7687
NEO4J_DEFAULT_USER = "neo4j"
NEO4J_DEFAULT_DATABASE = "neo4j"


def default_url() -> str:
    """The URL of the store to use when none is given."""
    if url := os.environ.get("INVESTGRAPH_STORE") or os.environ.get("NEO4J_URI"):
        return url
    home = Path(os.environ.get("INVESTGRAPH_HOME", ".investgraph"))
    return str(home / DEFAULT_FILE)


def is_neo4j_url(url: str) -> bool:
    """Whether the URL names a Neo4j server (by its scheme)."""
    return url.split("://", 1)[0].lower() in NEO4J_SCHEMES if "://" in url else False


@dataclass(frozen=True)
class Neo4jTarget:
    """Where a Neo4j store connects: what the driver needs, and `url` to show (no password)."""

    uri: str  # scheme://host:port[?routing context], for the driver
    user: str
    password: str = field(repr=False)
    database: str
    url: str  # the store's name in messages: scheme://user@host:port[?database=DB]


def neo4j_target(url: str) -> Neo4jTarget:
    """Parse a Neo4j URL: user from the URL or $NEO4J_USER (default neo4j), database from
    `?database=` or $NEO4J_DATABASE (default neo4j), password from $NEO4J_PASSWORD (a password
    written in the URL is used only when that is unset, and never shown)."""
    try:
        parts = urlsplit(url)
        port = parts.port or NEO4J_DEFAULT_PORT
    except ValueError as err:
        raise StoreError(f"{redact_url(url)}: not a Neo4j URL ({err})") from err
    scheme, host = parts.scheme.lower(), parts.hostname or ""
    if scheme not in NEO4J_SCHEMES or not host or parts.path not in ("", "/"):
        raise StoreError(f"{redact_url(url)}: not a Neo4j URL (expected neo4j://[USER@]HOST[:PORT][?database=DB])")
    query = dict(parse_qsl(parts.query))
    database = query.pop("database", "") or os.environ.get("NEO4J_DATABASE") or NEO4J_DEFAULT_DATABASE
    user = unquote(parts.username or "") or os.environ.get("NEO4J_USER") or NEO4J_DEFAULT_USER
    password = os.environ.get("NEO4J_PASSWORD") or unquote(parts.password or "")
    netloc = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
    rest = f"?{urlencode(query)}" if query else ""
    shown = {**query, **({"database": database} if database != NEO4J_DEFAULT_DATABASE else {})}
    return Neo4jTarget(uri=f"{scheme}://{netloc}{rest}", user=user, password=password, database=database,
                       url=f"{scheme}://{user}@{netloc}" + (f"?{urlencode(shown)}" if shown else ""))


def redact_url(url: str) -> str:
    """The URL with any password replaced by ***, for messages."""
    try:
        parts = urlsplit(url)
        if parts.password is None:
            return url
        netloc = parts.netloc.rsplit("@", 1)[1]
        user = parts.username or ""
        return parts._replace(netloc=f"{user}:***@{netloc}").geturl()
    except ValueError:
        return "<unparsable URL>"

