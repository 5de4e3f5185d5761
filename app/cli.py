"""The `investgraph` command: a thin layer over ingest and the store interface.

    investgraph ingest examples/              read, extract and store articles
    investgraph extract FILE... --format jsonl   extraction only, one JSON line per article
    investgraph stats [--json]                counts of articles, entities, relations
    investgraph search NAME                   find entities in any case form
    investgraph entity NAME                   an entity's card, with why its names are one node
    investgraph merge INTO OTHER              merge node OTHER into INTO, kept across re-ingests
    investgraph split NODE ALIAS              move NODE's mentions named ALIAS to a node of their own
    investgraph decisions                     the merges and splits made by hand
    investgraph export --format graphml -o graph.graphml   the graph, or a selection (--around, --as-of, ...)
    investgraph snapshot info FILE            what a snapshot holds (its manifest)
    investgraph import FILE                   load a JSON or CSV snapshot into a store
    investgraph diff A B                      what changed between two snapshots
    investgraph load --from PATH_OR_URL --to URL   copy a whole graph between stores
    investgraph app                           the Streamlit workbench on localhost

A StoreError (unreachable server, wrong password, missing database, a failed write, a merge
or split that cannot be done) ends any command with one line naming the store or the nodes
and the cause, and exit status 1.
"""
from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click
from tqdm import tqdm

from ingest.limits import DEFAULT_MAX_BYTES, DEFAULT_TIMEOUT

if TYPE_CHECKING:
    from ingest.run import IngestReport

STORE_HELP = ("Where the graph lives: a path or sqlite:///PATH (embedded, the default "
              "$INVESTGRAPH_HOME/graph.db, INVESTGRAPH_HOME defaults to ./.investgraph), or "
              "neo4j://USER@HOST:7687[?database=DB] with the password in NEO4J_PASSWORD. "
              "Env: INVESTGRAPH_STORE, else NEO4J_URI.")


@contextmanager
def opened(url: str | None) -> Iterator:
    """The store a URL names, closed after; a StoreError becomes one line in InvestGraphGroup."""
    from graph.open import open_store
    store = open_store(url)
    try:
        yield store
    finally:
        store.close()


class InvestGraphGroup(click.Group):
    """Every command: a StoreError is one line on stderr and exit status 1, never a traceback."""

    def invoke(self, ctx: click.Context):
        from graph.store import StoreError
        try:
            return super().invoke(ctx)
        except StoreError as err:
            raise click.ClickException(str(err)) from err


class RefusedOutput(click.ClickException):
    """An output the command will not write to: one line, and exit status 2 like a usage error."""

    exit_code = 2


store_option = click.option("--store", "store_url", envvar="INVESTGRAPH_STORE", default=None,
                            metavar="URL", help=STORE_HELP)


CLI_HELP = """InvestGraph: who is behind which investment project.

\b
Typical session:
  investgraph ingest examples/news          read, extract and store articles
  investgraph stats                         what is in the graph
  investgraph search Заливацкого            find entities in any case form
  investgraph entity "Руслан Заливацкий"    an entity's card with its relations
  investgraph merge "Руслан Заливацкий" "Руслан Заливатский"   one node for good
  investgraph export --format graphml -o graph.graphml   open in Gephi
  investgraph export --format json --as-of 2024-03-31 -o march.json   the graph as known then
  investgraph diff march.json april.json    what is new since
  investgraph app                           the workbench on http://127.0.0.1:8501

The graph lives in the embedded store ./.investgraph/graph.db unless --store,
INVESTGRAPH_STORE or NEO4J_URI names another (a path, sqlite:///PATH or
neo4j://USER@HOST:7687, password in NEO4J_PASSWORD).
"""


@click.group(cls=InvestGraphGroup, help=CLI_HELP)
@click.version_option(package_name="investgraph")
def cli() -> None:
    pass


max_bytes_option = click.option(
    "--max-bytes", type=click.IntRange(min=1), default=DEFAULT_MAX_BYTES, show_default=True, metavar="BYTES",
    help="Largest article read: a .txt or .html file, or a record's text in .json/.jsonl/.csv, over this "
         "size is skipped with the reason.")


timeout_option = click.option(
    "--timeout", type=click.FloatRange(min=0), default=DEFAULT_TIMEOUT, show_default=True, metavar="SECONDS",
    help="Longest one article's extraction may take; an article over it fails with the reason and the rest "
         "go on. 0: no limit. (A limit needs POSIX signals: on Windows there is none.)")


def dask_address_option(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """--dask is 'local' or a scheduler URL."""
    if value is not None and value != "local" and "://" not in value:
        raise click.BadParameter("'local' or a scheduler address such as tcp://HOST:8786")
    return value


@cli.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@store_option
@click.option("--batch-size", type=click.IntRange(min=1), default=16, show_default=True,
              help="Articles written per transaction.")
@max_bytes_option
@timeout_option
@click.option("--workers", type=click.IntRange(min=1), default=None, metavar="N",
              help="Processes that extract at once (default: this machine's cores, but one per 20 articles at "
                   "most: a worker takes seconds to start). Each loads natasha once (about 0.5 GB); 1: extract "
                   "in this process, as before. The graph is the same for any N: "
                   "results are written in article order by this process.")
@click.option("--dask", "dask_address", default=None, metavar="local|tcp://HOST:8786",
              callback=dask_address_option,
              help="Extract on Dask distributed workers instead: 'local' starts a LocalCluster of --workers "
                   "processes, tcp://HOST:PORT uses the cluster at that scheduler (its workers need investgraph "
                   "installed). Writing stays here. Needs pip install 'investgraph[dask]'.")
@click.option("--quiet", is_flag=True, help="No progress bar.")
def ingest(paths: tuple[str, ...], store_url: str | None, batch_size: int, max_bytes: int, timeout: float,
           workers: int | None, dask_address: str | None, quiet: bool) -> None:
    """Read articles from files or folders (.txt .html .json .jsonl .csv; UTF-8, UTF-16/32 or
    cp1251), extract people, organisations, places, projects and their relations, and store them.

    Safe to re-run: articles already stored with the same text are skipped; a changed
    article replaces its old mentions and evidence, in the same transaction that stores it
    (if its new text cannot be extracted, the old version stays).

    Prints one line per input that was skipped (empty, not text, an HTML page without text,
    over --max-bytes, an earlier duplicate of a url, record id or text) or failed (cannot be
    read or parsed, a broken link, a folder that cannot be listed, extraction failed or took
    longer than --timeout), naming the file (and line for .jsonl and .csv), then the
    counts: added, replaced, unchanged, skipped, failed.

    Exit status: 0 when nothing failed (skipped inputs are no failure), 1 when some input
    failed or the store could not be written, 2 for a usage error.

    Extraction runs on every core (--workers) or on a Dask cluster (--dask); the inputs are
    read twice, once to count them and find duplicates, once streamed to the workers, so
    memory does not grow with the corpus.

    \b
    Example:
      investgraph ingest examples/news
      investgraph ingest --workers 1 examples/news        one process, no pool
      investgraph ingest --dask local --workers 4 news/   a Dask LocalCluster of 4 workers
      investgraph ingest --dask tcp://scheduler:8786 news/
      investgraph ingest --store neo4j://neo4j@localhost:7687 news.jsonl
    """
    from graph.store import StoreError
    from ingest.parallel import DaskMissing, WorkerLost
    from ingest.readers import read_articles
    from ingest.run import ingest_articles, survey

    with opened(store_url) as store:
        plan = survey(read_articles(list(paths), max_bytes))
        extractor = make_extractor(workers, dask_address, plan.count)
        bar = tqdm(total=plan.count, unit="article", desc="ingest", disable=quiet, file=sys.stderr)
        try:
            report = ingest_articles(store, read_articles(list(paths), max_bytes), batch_size=batch_size,
                                     progress=lambda _: bar.update(1), timeout=timeout, extractor=extractor,
                                     last=plan.last)
        except DaskMissing as err:
            raise click.ClickException(str(err)) from err
        except WorkerLost as err:
            raise click.ClickException(f"{err}; earlier batches stay stored, and running the ingest again "
                                       "skips them") from err
        except StoreError as err:
            raise StoreError(f"{err}; earlier batches stay stored, and running the ingest again "
                             "skips them") from err
        finally:
            bar.close()
    tell(report, store.url)
    if report.errors:
        sys.exit(1)


def tell(report: IngestReport, url: str) -> None:
    """What an ingest did, on stderr: a line per input skipped or failed, then the counts."""
    for skip in report.skipped:
        click.echo(f"skipped: {skip}", err=True)
    for err in report.errors:
        click.echo(f"failed: {err}", err=True)
    click.echo(f"{report.added} added, {report.replaced} replaced, {report.unchanged} unchanged, "
               f"{len(report.skipped)} skipped, {len(report.errors)} failed -> {url}", err=True)


ARTICLES_PER_WORKER = 20  # below this many articles a worker costs more (spawn, loading natasha) than it saves


def make_extractor(workers: int | None, dask_address: str | None, articles: int):
    """Where ingest extracts: None (this process) for --workers 1, else a process pool or Dask.
    Without --workers, a pool of the cores but no more than one worker per ARTICLES_PER_WORKER."""
    from ingest.parallel import DaskExtractor, PoolExtractor, default_workers
    count = workers or min(default_workers(), max(1, articles // ARTICLES_PER_WORKER))
    if dask_address:
        return DaskExtractor(dask_address, count)
    return PoolExtractor(count) if count > 1 else None


@cli.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option("--format", "fmt", type=click.Choice(["jsonl", "text"]), default="jsonl", show_default=True)
@max_bytes_option
@timeout_option
def extract(paths: tuple[str, ...], fmt: str, max_bytes: int, timeout: float) -> None:
    """Extract entities and relations without storing anything.

    With --format jsonl prints one JSON object per article:
    {"doc", "entities": [{"id", "type", "name", "kind"?, "mentions": [{"start", "stop", "text"}]}],
    "relations": [{"type", "source", "target", "role"?, "evidence": {"start", "stop"}}]}.

    Skipped and failed inputs are one line each on stderr, as for ingest; exit status 1 when
    some input failed.
    """
    from ingest.extract import as_contract
    from ingest.extract import extract as run_extract
    from ingest.readers import ReadError, read_articles
    from ingest.run import Extracted
    from ingest.timelimit import ExtractionTimeout, time_limit

    failed = 0
    for item in read_articles(list(paths), max_bytes):
        if isinstance(item, ReadError):
            click.echo(f"{'skipped' if item.skipped else 'failed'}: {item}", err=True)
            failed += not item.skipped
            continue
        try:
            with time_limit(timeout):
                record = as_contract(run_extract(item))
        except (Exception, ExtractionTimeout) as err:  # one broken article must not stop the others
            why = Extracted.failed(err).failure
            click.echo(f"failed: {item.source or item.id}: extraction failed: {why}", err=True)
            failed += 1
            continue
        if fmt == "jsonl":
            click.echo(json.dumps(record, ensure_ascii=False))
        else:
            click.echo(f"# {record['doc']}")
            names = {e["id"]: e["name"] for e in record["entities"]}
            for e in record["entities"]:
                click.echo(f"  {e['type']:8} {e['name']}  ({len(e['mentions'])}x)")
            for r in record["relations"]:
                role = f" [{r['role']}]" if r.get("role") else ""
                click.echo(f"  {names[r['source']]} -{r['type']}{role}-> {names[r['target']]}")
    if failed:
        sys.exit(1)


@cli.command()
@store_option
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
def stats(store_url: str | None, as_json: bool) -> None:
    """Counts of articles, entities by type and relations by type."""
    with opened(store_url) as store:
        s = store.stats()
    if as_json:
        click.echo(json.dumps(s, ensure_ascii=False, sort_keys=True))
        return
    click.echo(f"articles  {s['articles']}")
    click.echo(f"mentions  {s['mentions']}")
    click.echo(f"entities  {s['entities_total']}")
    for t, n in s["entities"].items():
        click.echo(f"  {t:12} {n}")
    click.echo(f"relations {s['relations_total']}")
    for t, n in s["relations"].items():
        click.echo(f"  {t:12} {n}")


@cli.command()
@click.argument("query")
@store_option
@click.option("--type", "types", multiple=True, help="Only these entity types (PERSON, ORG, LOC, PROJECT).")
@click.option("--limit", default=20, show_default=True)
def search(query: str, store_url: str | None, types: tuple[str, ...], limit: int) -> None:
    """Find entities by name in any case form ("Заливацкого" finds "Руслан Заливацкий")."""
    with opened(store_url) as store:
        hits = store.search(query, types=list(types) or None, limit=limit)
    if not hits:
        click.echo(f"nothing found for '{query}'", err=True)
        sys.exit(1)
    for h in hits:
        click.echo(f"{h.type:8} {h.name}  ({h.mentions} mentions)  {h.id}")


@cli.command()
@click.argument("name")
@store_option
def entity(name: str, store_url: str | None) -> None:
    """Print a node's card: type, name, aliases, facts, mention count, relations with roles,
    articles, and why its names are one node (the rule that joined each alias, in which
    article, and the merges and splits made by hand). NAME is a node id or a name in any
    case form (the best search hit)."""
    with opened(store_url) as store:
        card = store.entity(name)
        if card is None:
            hits = store.search(name, limit=1)
            card = store.entity(hits[0].id) if hits else None
    if card is None:
        raise click.ClickException(f"no entity matches '{name}'")
    click.echo(f"{card.name}  [{card.type}{' / ' + card.kind if card.kind else ''}]  {card.id}")
    if card.aliases:
        click.echo(f"aliases: {', '.join(card.aliases)}")
    for k, v in card.facts.items():
        click.echo(f"{k}: {v}")
    click.echo(f"mentions: {card.mention_count} in {len(card.articles)} articles")
    for n in card.neighbours:
        arrow = "->" if n.direction == "out" else "<-"
        role = f" ({n.role})" if n.role else ""
        score = f" confidence {n.confidence:.2f}" if n.confidence is not None else ""
        click.echo(f"  {arrow} {n.relation}{role} {n.name} [{n.type}] weight {n.weight}{score}")
    for a in card.articles:
        click.echo(f"  article: {a['date'] or '----------'} {a['title']}  {a['url'] or a['id']}")
    if card.merge_log:
        click.echo("why these names are one node:")
    for e in card.merge_log:
        click.echo(f"  {e['alias']}: {e['rule']}" + (f"  (article {e['article']})" if e["article"] else ""))


@cli.command()
@click.argument("into")
@click.argument("other")
@store_option
def merge(into: str, other: str, store_url: str | None) -> None:
    """Merge node OTHER into node INTO, for good: OTHER's mentions, relations and evidence move
    to INTO now, and whatever later ingests resolve to OTHER lands in INTO too. OTHER's articles
    call the node by INTO's name; its kind and facts come from the articles of both (each fact's
    latest dated statement).

    INTO and OTHER are node ids or names in any case form; a name that fits several nodes
    is refused, listing their ids.

    \b
    Example:
      investgraph merge "Руслан Заливацкий" "Руслан Заливатский"
    """
    from graph.decisions import find_node

    with opened(store_url) as store:
        into_id, other_id = find_node(store, into), find_node(store, other)
        decision = store.merge(into_id, other_id)
        card = store.entity(into_id)
    click.echo(f"merged {decision.alias} ({decision.other}) into {card.name} ({card.id}): "
               f"{card.mention_count} mentions in {len(card.articles)} articles")


@cli.command()
@click.argument("node")
@click.argument("alias")
@store_option
def split(node: str, alias: str, store_url: str | None) -> None:
    """Split NODE: its mentions whose text is ALIAS (in any case form), and the relations stated
    in their sentences, move to a new node of the same type named ALIAS, now and in every
    later ingest.

    NODE is a node id or a name in any case form; a name that fits several nodes is refused,
    listing their ids.

    \b
    Example:
      investgraph split "Руслан Заливацкий" "Р. Заливацкий"
    """
    from graph.decisions import find_node

    with opened(store_url) as store:
        node_id = find_node(store, node)
        decision = store.split(node_id, alias)
        old, new = store.entity(node_id), store.entity(decision.other)
    click.echo(f"split {new.name} ({new.id}, {new.mention_count} mentions) off {old.name} ({old.id}, "
               f"{old.mention_count} mentions left)")


@cli.command()
@store_option
def decisions(store_url: str | None) -> None:
    """List the merges and splits made by hand, in the order they were made."""
    with opened(store_url) as store:
        made = store.decisions()
    for n, d in enumerate(made, 1):
        if d.action == "merge":
            click.echo(f"{n}. merge {d.other} ({d.alias}) into {d.node} ({d.name})")
        else:
            click.echo(f"{n}. split {d.alias} off {d.node} into {d.other} ({d.name})")
    if not made:
        click.echo("no decisions", err=True)


def names_list(ctx: click.Context, param: click.Parameter, values: tuple[str, ...]) -> tuple[str, ...]:
    """A repeatable option that also takes commas: --types PERSON,ORG --types LOC."""
    return tuple(dict.fromkeys(v.strip().upper() for value in values for v in value.split(",") if v.strip()))


def iso_day(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """A date YYYY-MM-DD, as given."""
    from graph.snapshot import is_iso_date
    if value is not None and not is_iso_date(value):
        raise click.BadParameter(f"'{value}' is not a date YYYY-MM-DD")
    return value


def selection_options(f):
    """The options that choose a piece of the graph (graph.snapshot.Selection)."""
    for option in reversed([
        click.option("--around", multiple=True, metavar="NAME_OR_ID",
                     help="Only what lies within --hops relations of this entity (a node id or a name in any "
                          "case form); repeat for several."),
        click.option("--hops", type=click.IntRange(1, 3), default=1, show_default=True,
                     help="How far from each --around entity (1..3)."),
        click.option("--project", "projects", multiple=True, metavar="NAME_OR_ID",
                     help="A project with its participants, the people working at them, and its places; "
                          "repeat for several."),
        click.option("--region", "regions", multiple=True, metavar="NAME_OR_ID",
                     help="A place with what lies in it: its places, the projects and organisations located "
                          "there with their participants and people; repeat for several."),
        click.option("--types", multiple=True, callback=names_list, metavar="TYPE[,TYPE]",
                     help="Only these entity types (PERSON, ORG, LOC, PROJECT); the entities asked for by "
                          "--around and --project always stay."),
        click.option("--relations", multiple=True, callback=names_list, metavar="TYPE[,TYPE]",
                     help="Only these relation types (WORKS_AT, INVOLVED_IN, LOCATED_IN, PART_OF)."),
        click.option("--min-weight", type=click.IntRange(min=1), default=1, show_default=True, metavar="N",
                     help="Only relations stated in at least N articles (of the date range)."),
        click.option("--min-confidence", type=click.FloatRange(0, 1), default=None, metavar="X",
                     help="Leave out relations whose confidence (0..1, the relation model's) is below X; "
                          "relations made by rules alone have none and are always kept."),
        click.option("--since", callback=iso_day, metavar="YYYY-MM-DD",
                     help="Only evidence and mentions from articles dated on or after this day."),
        click.option("--until", callback=iso_day, metavar="YYYY-MM-DD",
                     help="Only evidence and mentions from articles dated on or before this day."),
        click.option("--as-of", "as_of", callback=iso_day, metavar="YYYY-MM-DD",
                     help="The graph as known on this day: only articles dated on or before it."),
    ]):
        f = option(f)
    return f


EXPORT_HELP = """Write a snapshot of the graph, the whole of it or a selection, in one of these formats:

\b
  graphml, gexf  for Gephi (entities and articles as nodes, coloured and sized by type)
  json           articles, nodes with mentions, edges with confidence and evidence
  csv            tables: nodes, edges, articles, mentions, evidence (a folder or .zip)
  neo4j-admin    CSV for `neo4j-admin database import full` (a folder or .zip): builds an
                 InvestGraph Neo4j database offline; in the folder, with Neo4j stopped:
                 neo4j-admin database import full neo4j @neo4j-admin-import.args
  cypher         a Cypher script that rebuilds the snapshot in an empty Neo4j database:
                 cypher-shell -f FILE, or investgraph import FILE --store neo4j://...
  ftm            FollowTheMoney entities, one JSON a line, for Aleph and screening tools
                 (pip install 'investgraph[ftm]'); --articles adds Article entities as proof
  html           one self-contained interactive page (opens offline); at most 5,000 entities
                 and 20,000 relations, a larger snapshot is refused: select a piece of it
  png, svg       a picture of the selection for reports (its 499 best-connected entities)

Every relation carries its confidence (none for those made by rules alone).

\b
Selection (all optional; together they narrow each other):
  --around/--hops   what lies around some entities
  --project         projects with participants, their people and places
  --region          a place with its places, projects and organisations located there
  --types, --relations, --min-weight, --min-confidence
  --since/--until   a relation is in only with evidence from articles dated in the range,
                    an entity only with a mention there or a relation that is in
  --as-of           the graph as known on that day (articles dated on or before it)
Articles without a date are outside any date range. The snapshot lists the articles it rests on.

Every file carries a manifest: created_at, InvestGraph version, the store, the selection as
given, counts by type, the article ids and a content hash (over the content, not the time).
JSON has it under "manifest", GraphML as graph data, GEXF as the meta description, CSV and
neo4j-admin as manifest.json, Cypher in its first comment lines, HTML in a JSON script element,
PNG in a text chunk, SVG in its metadata; FtM beside it, as FILE.manifest.json.
`investgraph snapshot info FILE` prints it; `investgraph import` reads JSON and CSV back (and runs
a Cypher script in Neo4j); `investgraph diff A B` compares two.

The store is read a page at a time as the file is written (the whole graph or a selection: memory
stays bounded), in one read on the embedded store (an ingest writing meanwhile does not change the
file; on Neo4j, export a graph nothing is writing). A file is written whole or not at all (beside
itself, then renamed). Exit status 2 when the output cannot be used (a folder for a file, an
existing file without --force) or an option is wrong, 1 when writing fails (disk full, no
permission), a name matches no entity or the snapshot is too large for an html page.

\b
Example:
  investgraph export --format graphml -o graph.graphml
  investgraph export --format gexf --no-articles -o entities.gexf
  investgraph export --format csv --articles -o tables/
  investgraph export --format csv -o tables.zip
  investgraph export --format json --min-confidence 0.5 -o confident.json
  investgraph export --format json --around "Руслан Заливацкий" --hops 2 -o zalivatsky.json
  investgraph export --format gexf --project "Алабуга" --since 2024-01-01 -o alabuga-2024.gexf
  investgraph export --format json --as-of 2024-03-31 -o q1.json
  investgraph export --format csv --types PERSON,ORG --relations WORKS_AT -o people.zip
  investgraph export --format neo4j-admin -o neo4j-import/
  investgraph export --format cypher -o graph.cypher
  investgraph export --format ftm --articles -o entities.ftm.json
  investgraph export --format html --project "Алабуга" -o alabuga.html
  investgraph export --format png --around "Руслан Заливацкий" -o zalivatsky.png
  investgraph export --format html --region "Калужская область" -o kaluga.html
"""


@cli.command("export", help=EXPORT_HELP)
@click.option("--format", "fmt", required=True, type=click.Choice(
    ["graphml", "gexf", "json", "csv", "neo4j-admin", "cypher", "ftm", "html", "png", "svg"]))
@click.option("-o", "--output", type=click.Path(), required=True,
              help="File to write; for csv a folder (nodes.csv, edges.csv, articles.csv, mentions.csv, "
                   "evidence.csv, manifest.json in it) or a name ending in .zip (the same zipped), for "
                   "neo4j-admin likewise a folder or .zip. An existing file is not overwritten without --force; "
                   "csv and neo4j-admin refuse a new name with another suffix (new.csv) rather than make a "
                   "folder of that name.")
@click.option("--force", is_flag=True, help="Overwrite an existing file (for csv: existing tables in the folder).")
@click.option("--articles/--no-articles", default=None,
              help="Articles as nodes too, with a MENTIONED_IN edge (weight: mentions) from each entity "
                   "to each article that names it. Default: on for graphml and gexf, off for csv; "
                   "json always lists articles on their own. For ftm: Article entities, named as proof "
                   "by every entity and link (default off).")
@selection_options
@store_option
def export_cmd(fmt: str, output: str, force: bool, articles: bool | None, store_url: str | None,
               **chosen) -> None:
    from graph.export import export_parts, output_problem
    from graph.formats import MissingDependency, TooLarge, size_problem
    from graph.snapshot import Selection, selection_problem
    from graph.snapshot_stream import exporting

    if fmt == "json" and articles is not None:
        raise click.UsageError("json keeps articles in their own list; --articles/--no-articles is for "
                               "graphml, gexf, csv and ftm")
    if fmt not in ("graphml", "gexf", "csv", "ftm") and articles is not None:
        raise click.UsageError(f"{fmt} takes no --articles/--no-articles (it is for graphml, gexf, csv and ftm)")
    fields: dict[str, Any] = {k: tuple(v) if isinstance(v, tuple) else v for k, v in chosen.items()}
    given = Selection(**fields)
    if problem := selection_problem(given):
        raise click.UsageError(problem)
    if problem := output_problem(fmt, Path(output), force):
        raise RefusedOutput(problem)
    with opened(store_url) as store:
        whole = store.stats() if given.is_whole() else None
        if whole and (problem := size_problem(fmt, whole["entities_total"], whole["relations_total"])):
            raise click.ClickException(problem)  # said before the graph is read
        try:
            with exporting(store, given) as parts:
                written = export_parts(parts, fmt, Path(output), articles=articles)
        except OSError as err:
            raise click.ClickException(f"cannot write {output}: {err.strerror or err}") from err
        except (MissingDependency, TooLarge) as err:
            raise click.ClickException(str(err)) from err
    about = parts.manifest or {}
    for path in written:
        click.echo(f"wrote {path}", err=True)
    c = about["counts"]
    click.echo(f"{c['entities_total']} entities, {c['relations_total']} relations, {c['articles']} articles; "
               f"{about['content_hash']}", err=True)


@cli.group()
def snapshot() -> None:
    """Snapshots: the files `investgraph export` writes, with their manifest."""


@snapshot.command("info")
@click.argument("file", type=click.Path(exists=True))
@click.option("--json", "as_json", is_flag=True, help="The manifest as JSON.")
def snapshot_info(file: str, as_json: bool) -> None:
    """Print a snapshot's manifest: when and from which store it was made, with which InvestGraph,
    the selection, counts by type, the articles it rests on and its content hash. For JSON and CSV
    the content hash is checked against the content.

    \b
    Example:
      investgraph snapshot info q1.json
      investgraph snapshot info tables.zip --json
    """
    from graph.formats import written_here
    from graph.snapshot import SnapshotError, content_hash, describe, read_manifest
    from graph.snapshot_io import read_snapshot

    try:
        about = read_manifest(Path(file))
        readable = Path(file).suffix.lower() not in (".graphml", ".gexf") and not written_here(Path(file))
        back = read_snapshot(Path(file)) if readable else None
    except SnapshotError as err:
        raise click.ClickException(str(err)) from err
    if as_json:
        click.echo(json.dumps(about, ensure_ascii=False, indent=1))
    else:
        for line in describe(about):
            click.echo(line)
    if back is not None and content_hash(back.graph) != about.get("content_hash"):
        raise click.ClickException(f"{file}: its content does not match the manifest's content hash "
                                   "(edited since it was exported?)")


@cli.command("import")
@click.argument("file", type=click.Path(exists=True))
@store_option
@click.option("--batch-size", type=click.IntRange(min=1), default=100, show_default=True,
              help="Articles written per transaction.")
def import_cmd(file: str, store_url: str | None, batch_size: int) -> None:
    """Load a JSON or CSV snapshot (as `investgraph export` writes them) into a store, through the
    same write as ingest: entities are merged by id, nothing is duplicated, the store's merges and
    splits place what comes in, and importing twice changes nothing.

    A Cypher script (`export --format cypher`, FILE.cypher) is run statement by statement in a
    Neo4j store that holds no graph yet, and gives the same graph there.

    A snapshot carries no article texts: each article is stored with a stand-in text (its evidence
    sentences and mentions at their offsets). An article the store already holds is kept as it is.
    GraphML and GEXF cannot be imported (they carry no mentions or evidence).

    \b
    Example:
      investgraph import q1.json --store colleague.db
      investgraph import tables.zip --store neo4j://neo4j@localhost:7687
      investgraph import q1.cypher --store neo4j://neo4j@localhost:7687
    """
    from graph.snapshot import SnapshotError
    from graph.snapshot_io import import_snapshot, read_snapshot

    if Path(file).suffix.lower() == ".cypher":
        from graph.formats.cypher import run_in_store
        with opened(store_url) as store:
            count = run_in_store(store, Path(file))
        click.echo(f"ran the {count} statements of {file} -> {store.url}", err=True)
        return
    try:
        back = read_snapshot(Path(file))
    except SnapshotError as err:
        raise click.ClickException(str(err)) from err
    with opened(store_url) as store:
        report = import_snapshot(store, back.graph, batch_size=batch_size)
    g = back.graph
    click.echo(f"{len(report.added)} articles added, {len(report.kept)} already stored (kept as they were); "
               f"{g.number_of_nodes()} entities, {g.number_of_edges()} relations in {file} -> {store.url}", err=True)


@cli.command("diff")
@click.argument("files", nargs=-1, type=click.Path(exists=True), metavar="[A B]")
@click.option("--since", callback=iso_day, metavar="YYYY-MM-DD",
              help="Instead of two files: the store's graph as known the day before this date against the "
                   "graph as known today (articles without a date are left out of both).")
@store_option
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@click.option("--html", "html_path", type=click.Path(dir_okay=False), default=None, metavar="FILE",
              help="Also write the changes as a self-contained HTML report.")
def diff_cmd(files: tuple[str, ...], since: str | None, store_url: str | None, as_json: bool,
             html_path: str | None) -> None:
    """What changed from snapshot A to snapshot B (JSON or CSV snapshots), or in the store since a
    date: entities and relations new in B or gone from it, roles and facts that changed, each with
    its evidence (the sentences, their articles' dates, titles and urls).

    \b
    Example:
      investgraph export --format json --as-of 2024-03-31 -o march.json
      investgraph export --format json --as-of 2024-04-30 -o april.json
      investgraph diff march.json april.json
      investgraph diff march.json april.json --json
      investgraph diff --since 2024-04-01                  what the store learnt from April on
      investgraph diff --since 2024-04-01 --html new.html
    """
    from graph.diff import as_text, diff
    from graph.formats.base import atomic_file
    from graph.formats.diff_html import render

    if bool(since) == (len(files) == 2) or len(files) not in (0, 2):
        raise click.UsageError("give two snapshot files A B, or --since DATE (with --store) for the store")
    old, new, a, b = diff_sides(files, since, store_url)
    changes = diff(old, new)
    if html_path:
        with atomic_file(Path(html_path)) as out:
            out.write(render(changes, a, b).encode("utf-8"))
        click.echo(f"wrote {html_path}", err=True)
    if as_json:
        click.echo(json.dumps({"a": a, "b": b, **changes.as_json()}, ensure_ascii=False, indent=1))
        return
    for line in as_text(changes):
        click.echo(line)


def diff_sides(files: tuple[str, ...], since: str | None, store_url: str | None):
    """The two graphs `investgraph diff` compares, and what to call them: two snapshot files, or
    the store as known the day before `since` and as known today."""
    from graph.diff import PeriodError, since_sides
    from graph.snapshot import SnapshotError
    from graph.snapshot_io import read_snapshot
    if since is None:
        try:
            return read_snapshot(Path(files[0])).graph, read_snapshot(Path(files[1])).graph, files[0], files[1]
        except SnapshotError as err:
            raise click.ClickException(str(err)) from err
    with opened(store_url) as store:
        try:
            old, new, before, today = since_sides(store.snapshot(), since)
        except PeriodError as err:
            raise click.UsageError(str(err)) from err
        url = store.url
    return old, new, f"{url} as of {before}", f"{url} as of {today}"


@cli.command()
@click.option("--from", "source_url", required=True, metavar="PATH_OR_URL",
              help="The store to copy from: a path, sqlite:///PATH or neo4j://USER@HOST:7687.")
@click.option("--to", "target_url", required=True, metavar="URL", help="The store to copy into.")
@click.option("--batch-size", default=100, show_default=True, help="Articles written per transaction.")
def load(source_url: str, target_url: str, batch_size: int) -> None:
    """Copy a whole graph from one store into another (embedded to Neo4j and back): the
    merges and splits made by hand, then every article with its mentions, entities,
    relations, evidence sentences and merge log.

    Articles already in the target with the same text stay as they are; the rest of the
    target is kept. A failed batch is rolled back and named; earlier batches stay copied.

    \b
    Example:
      investgraph load --from .investgraph/graph.db --to neo4j://neo4j@localhost:7687
      investgraph load --from neo4j://neo4j@localhost:7687 --to backup/graph.db
    """
    from graph.open import copy_store

    if batch_size < 1:
        raise click.BadParameter("must be at least 1", param_hint="--batch-size")
    with opened(source_url) as source, opened(target_url) as target:
        if target.url == source.url:
            raise click.ClickException(f"{source.url}: --from and --to name the same store")
        report = copy_store(source, target, batch_size=batch_size)
    w = report.written
    click.echo(f"{report.articles} articles copied ({len(w.added)} added, {len(w.replaced)} replaced, "
               f"{len(w.unchanged)} unchanged), {report.decisions} decisions: {source.url} -> {target.url}",
               err=True)


@cli.command()
@store_option
@click.option("--port", default=8501, show_default=True)
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to bind; the default keeps the app on this machine.")
def app(store_url: str | None, port: int, host: str) -> None:
    """Open the Streamlit workbench on http://HOST:PORT."""
    with opened(store_url):  # a store that cannot be opened fails here, in one line
        pass
    script = Path(__file__).with_name("streamlit_app.py")
    env = dict(os.environ)
    if store_url:
        env["INVESTGRAPH_STORE"] = store_url
    cmd = [sys.executable, "-m", "streamlit", "run", str(script), "--server.port", str(port),
           "--server.address", host, "--server.headless", "true", "--browser.gatherUsageStats", "false",
           "--client.showErrorDetails", "none"]  # never a traceback in the browser (the log has it)
    click.echo(f"InvestGraph on http://{host}:{port}", err=True)
    sys.stderr.flush()
    # become Streamlit, so that stopping this process stops the server (no orphan left behind)
    os.execve(sys.executable, cmd, env)


def main() -> None:
    cli(prog_name="investgraph")


if __name__ == "__main__":
    main()
