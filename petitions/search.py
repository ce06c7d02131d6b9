"""Chinese full-text search over matters: title, content, demands and petitioner names.

Chinese has no spaces, so the text is cut into overlapping character bigrams ("拖欠工资" →
"拖欠 欠工 工资" plus the run's last character "资"), and the database indexes those tokens:

- SQLite: a contentless FTS5 table `petitions_search_fts` (tokenizer unicode61, rowid = matter id);
- PostgreSQL: a `tsvector` column `petitions_searchdocument.vector` (config 'simple', made by
  `to_tsvector` from the same tokens) with a GIN index.

A query term of two or more Chinese characters is a phrase of consecutive bigrams, so it matches
exactly the matters containing that string; a single character is a prefix query over the tokens
starting with it (the trailing unigram makes that exact too). Latin letters and digits are words,
matched by prefix. Several terms separated by spaces must all match.

ID numbers and phone numbers are never part of the indexed text. The index is written only by
`index_documents()`, which the registration and import services call in their transaction.
"""

from __future__ import annotations

import datetime
import json
import re
import time
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager, nullcontext
from operator import add
from typing import Any

import psycopg
from django.db import connection
from django.db.models import DateTimeField, ExpressionWrapper, F, Value
from django.db.models.expressions import RawSQL

FTS_TABLE = "petitions_search_fts"
DOC_TABLE = "petitions_searchdocument"

_CJK = "\u3400-\u4dbf\u4e00-\u9fff"
_RUN = re.compile(f"[{_CJK}]+|[0-9a-z]+")


# Runs of anything but the unified ideographs (basic block and extension A). Those ideographs are stable
# code points of NFKC (UAX #15: no decomposition, combining class 0, part of no composition), so
# normalising only the runs between them gives exactly NFKC of the whole text, at half the cost for a
# Chinese text with full-width punctuation (test_search proves the premise over every code point).
_NFKC_STABLE = "\u3400-\u4dbf\u4e00-\u9fff"
_UNSTABLE_RUN = re.compile(f"[^{_NFKC_STABLE}]+")


def _nfkc_run(match: re.Match[str]) -> str:
    return unicodedata.normalize("NFKC", match.group())


def _normalise(text: str) -> str:
    text = text or ""
    if not unicodedata.is_normalized("NFKC", text):
        text = _UNSTABLE_RUN.sub(_nfkc_run, text)
    return text.lower()


def _is_cjk(run: str) -> bool:
    return not run[0].isascii()


def tokens(text: str) -> list[str]:
    """The index tokens of a text: bigrams and a trailing unigram per Chinese run, words otherwise."""
    out: list[str] = []
    for match in _RUN.finditer(_normalise(text)):
        run = match.group()
        if _is_cjk(run) and len(run) > 1:
            out.extend(run[i : i + 2] for i in range(len(run) - 1))
            out.append(run[-1])
        else:
            out.append(run)
    return out


def token_string(text: str) -> str:
    """`tokens(text)` joined by spaces, built with fewer Python steps (indexing is on the import path)."""
    parts: list[str] = []
    for run in _RUN.findall(_normalise(text)):
        if len(run) > 1 and not run[0].isascii():
            parts.append(" ".join(map(add, run, run[1:])))
            parts.append(run[-1])
        else:
            parts.append(run)
    return " ".join(parts)


def document_text(title: str, content: str, demands: str = "", names: Iterable[str] = ()) -> str:
    """The text stored for a matter. Names are plain (only ID and phone are secret)."""
    return "\n".join(part for part in (title, content, demands, " ".join(n for n in names if n)) if part)


def _terms(query: str) -> list[tuple[list[str], bool]]:
    """(tokens, is_prefix) per query term."""
    terms: list[tuple[list[str], bool]] = []
    for match in _RUN.finditer(_normalise(query)):
        run = match.group()
        if _is_cjk(run) and len(run) > 1:
            terms.append(([run[i : i + 2] for i in range(len(run) - 1)], False))
        else:
            terms.append(([run], True))
    return terms


def has_terms(query: str) -> bool:
    return bool(_terms(query))


def fts5_query(query: str) -> str:
    parts = []
    for toks, prefix in _terms(query):
        phrase = '"' + " ".join(toks) + '"'
        parts.append(phrase + "*" if prefix else phrase)
    return " AND ".join(parts)


def tsquery(query: str) -> str:
    parts = []
    for toks, prefix in _terms(query):
        if prefix:
            parts.append(f"'{toks[0]}':*")
        else:
            parts.append(" <-> ".join(f"'{t}'" for t in toks))
    return " & ".join(f"({p})" for p in parts)


# PostgreSQL: besides its words, a document holds one lexeme per facet of its matter that never changes
# after registration (category, kind, channel: "§c<id>", "§k<kind>", "§h<channel>"). A search with such
# a filter asks the index for the words AND the facet, so a common word is intersected with a category
# inside the index instead of fetching every document with the word. Words never contain "§" (tokens
# are Chinese characters, Latin letters and digits). The matter's own columns are still filtered too.
FACET_MARK = "§"
FACET_PREFIXES = {"category_id": "c", "kind": "k", "channel": "h"}  # matter column -> lexeme prefix
# SQL of the facet lexemes of the matter row `p` (migration 0011 holds the same text, frozen).
FACET_VECTOR = ("array_to_tsvector(array_remove(ARRAY["
                + ", ".join(f"'{FACET_MARK}{prefix}' || p.{column}" for column, prefix in FACET_PREFIXES.items())
                + "], NULL))")


def facets(*, category_ids: Iterable[int] = (), kind: str = "", channel: str = "") -> list[list[str]]:
    """Facet lexeme groups for a search's filters: a document must hold one lexeme of every group."""
    values = {"category_id": [str(int(pk)) for pk in category_ids], "kind": [kind] if kind else [],
              "channel": [channel] if channel else []}
    return [[f"{FACET_MARK}{FACET_PREFIXES[column]}{value}" for value in chosen]
            for column, chosen in values.items() if chosen]


def _facet_tsquery(groups: Sequence[Sequence[str]]) -> str:
    """tsquery input text (lexemes taken verbatim, not parsed as words)."""
    return " & ".join("(" + " | ".join(f"'{lexeme}'" for lexeme in group) + ")" for group in groups if group)


def match_sql(query: str, *, newest: int | None = None,
              facet_groups: Sequence[Sequence[str]] = ()) -> tuple[str, list[str]]:
    """SQL selecting the ids of matters whose indexed text matches `query` (which must have terms).

    `newest=n` keeps only the n highest ids (the most recently registered matches), which the
    index can produce without reading the rest. `facet_groups` (see facets()) narrows the matches
    inside the index on PostgreSQL; on SQLite it is left to the caller's own filters.
    """
    if connection.vendor == "postgresql":
        sql = f"SELECT petition_id FROM {DOC_TABLE} WHERE vector @@ to_tsquery('simple', %s)"  # noqa: S608
        params = [tsquery(query)]
        if any(facet_groups):
            sql = (f"SELECT petition_id FROM {DOC_TABLE} "  # noqa: S608
                   f"WHERE vector @@ (to_tsquery('simple', %s) && %s::tsquery)")
            params.append(_facet_tsquery(facet_groups))
        if newest:
            sql += f" ORDER BY petition_id DESC LIMIT {int(newest)}"
        return sql, params
    sql = f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s"  # noqa: S608
    if newest:
        sql += f" ORDER BY rowid DESC LIMIT {int(newest)}"
    return sql, [fts5_query(query)]


# Above this many matches, a first page ordered by date is found faster by walking the matters newest
# first and testing membership than by fetching every match and sorting them (SQLite).
DENSE_MATCHES = 2000
# Above this many matches, an indexed filter (category, locality, period) is a better place to start
# than the match list; the matches are then only tested for membership (SQLite).
MANY_MATCHES = 20000


# PostgreSQL: up to about this many matches, a first page ordered by date is found faster by sorting
# all of them (the full-text index hands them over) than by walking the matters newest first and
# testing each, which for a term common only in older matters walks a long way.
SORT_MATCHES = 10000


def estimated_matches(query: str, facet_groups: Sequence[Sequence[str]] = ()) -> int:
    """PostgreSQL's own estimate of how many matters match (from the statistics of the index column:
    close for common words, low for rare ones, and a millisecond instead of a count)."""
    sql, params = match_sql(query, facet_groups=facet_groups)
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
        plan = cursor.fetchone()[0]
    if isinstance(plan, str):
        plan = json.loads(plan)
    return int(plan[0]["Plan"]["Plan Rows"])


def match_count(query: str) -> int:
    """How many matters match (cheap on SQLite: FTS5 counts from its doclists)."""
    sql, params = match_sql(query)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM ({sql}) matches", params)  # noqa: S608
        return cursor.fetchone()[0]


# PostgreSQL: the newest matches of a phrase are first looked for among this many newest documents.
RECENT_DOCUMENTS = 20000


def newest_matching(queryset: Any, query: str, count: int, *, enough: int | None = None) -> Any:
    """Narrow a Petition queryset to the `count` most recently registered matches of `query`.

    `enough` (PostgreSQL): when at least this many matches are among the newest documents, they are
    the answer and the index is not asked for older ones. Asking it costs most for a phrase that is
    common over the years but rarer lately (every match re-checked for word order); a caller that
    wants candidates rather than a complete list can settle for fewer."""
    if not has_terms(query):
        return queryset.none()
    if connection.vendor == "postgresql":
        # A phrase common in recent matters (a shared grievance, a template letter) can match tens of
        # thousands of documents, all of which the index hands over and PostgreSQL must re-check for
        # word order before it can take the newest. Testing the newest documents one by one finds
        # them after a few thousand at most; only if they hold too few is the index asked.
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT petition_id FROM (SELECT petition_id, vector FROM {DOC_TABLE} "  # noqa: S608
                f"ORDER BY petition_id DESC LIMIT {RECENT_DOCUMENTS}) recent "
                f"WHERE vector @@ to_tsquery('simple', %s) ORDER BY petition_id DESC LIMIT {int(count)}",
                [tsquery(query)])
            ids = [row[0] for row in cursor.fetchall()]
        if len(ids) >= (count if enough is None else min(enough, count)):
            return queryset.filter(pk__in=ids)
    sql, params = match_sql(query, newest=count)
    return queryset.filter(pk__in=RawSQL(sql, params))  # noqa: S611 - the SQL is ours, the query is a parameter


def filter_matching(queryset: Any, query: str, *, ordered_page: bool = False, within: str = "",
                    indexed_filter: bool = False, facet_groups: Sequence[Sequence[str]] = ()) -> Any:
    """Narrow a Petition queryset to the matters matching `query`; unchanged if the query has no terms.

    `ordered_page=True` is for a queryset that will be read as one ordered page (LIMIT): with many
    matches SQLite is told not to drive the query from the match list (unary + on the id), so it
    walks the date index and stops after a page. Counting must use the default form.

    `within` (a unit path) intersects the matches with the matters held in that subtree using only
    the access index, before any matter row is read: much cheaper for a narrow scope (a town's
    desk) searching a common word. It only narrows further what the queryset's own scoping allows.

    `indexed_filter=True` says the queryset also filters on an indexed column (category, locality,
    period): with very many matches, SQLite is then left to start from that index.

    `facet_groups`: the queryset's filters on category, kind and channel as facets() (PostgreSQL
    intersects them with the words inside the index; the queryset must filter on them as well).
    """
    if not has_terms(query):
        return queryset
    sql, params = match_sql(query, facet_groups=facet_groups)
    if within:
        sql = (f"SELECT petition_id FROM petitions_petitionaccess WHERE unit_path >= %s AND unit_path < %s "  # noqa: S608
               f"AND petition_id IN ({sql})")
        params = [within, within + "~", *params]
    if (connection.vendor == "postgresql" and ordered_page and not within
            and estimated_matches(query, facet_groups) <= SORT_MATCHES):
        # Sort the matches rather than walk the date index (see SORT_MATCHES): the order is the
        # list's own, on an expression no index provides.
        newest = ExpressionWrapper(F("received_at") + Value(datetime.timedelta(0)), output_field=DateTimeField())
        return queryset.filter(pk__in=RawSQL(sql, params)).order_by(newest.desc(), "-id")  # noqa: S611
    if connection.vendor == "sqlite" and (ordered_page or indexed_filter) and not within and (
            match_count(query) > (DENSE_MATCHES if ordered_page else MANY_MATCHES)):
        table = queryset.model._meta.db_table
        return queryset.extra(where=[f'+"{table}"."id" IN ({sql})'], params=params)  # noqa: S610 - our SQL
    return queryset.filter(pk__in=RawSQL(sql, params))  # noqa: S611 - the SQL is ours, the query is a parameter


# PostgreSQL: documents are sent in statements of this many, pipelined (see _index_postgres).
PIPELINE_DOCUMENTS = 100


def index_documents(docs: Sequence[tuple[int, str]], *, replace: bool = False) -> None:
    """Index (matter id, text) pairs. With `replace`, documents that exist are re-indexed."""
    if not docs:
        return
    if connection.vendor == "postgresql":
        _index_postgres(docs, replace=replace)
        return
    with connection.cursor() as cursor:
        if replace:
            ids = [pk for pk, _ in docs]
            old: list[tuple[int, str]] = []
            for start in range(0, len(ids), 500):
                chunk = ids[start : start + 500]
                cursor.execute(
                    f"SELECT petition_id, text FROM {DOC_TABLE} WHERE petition_id IN "  # noqa: S608
                    f"({','.join(['%s'] * len(chunk))})",
                    chunk,
                )
                old.extend(cursor.fetchall())
            if old:
                # A contentless FTS5 table forgets a row only when told the tokens it was indexed with.
                cursor.executemany(
                    f"INSERT INTO {FTS_TABLE} ({FTS_TABLE}, rowid, tokens) VALUES ('delete', %s, %s)",  # noqa: S608
                    [(pk, token_string(text)) for pk, text in old],
                )
                cursor.executemany(f"DELETE FROM {DOC_TABLE} WHERE petition_id = %s",  # noqa: S608
                                   [(pk,) for pk, _ in old])
        cursor.executemany(f"INSERT INTO {DOC_TABLE} (petition_id, text) VALUES (%s, %s)",  # noqa: S608
                           list(docs))
        cursor.executemany(f"INSERT INTO {FTS_TABLE} (rowid, tokens) VALUES (%s, %s)",  # noqa: S608
                           [(pk, token_string(text)) for pk, text in docs])


def _index_postgres(docs: Sequence[tuple[int, str]], *, replace: bool) -> None:
    """The tokens are cut here (the same function as the queries'); PostgreSQL turns them into the
    vector (C, and a word too long to index is skipped with a notice, not refused). The matter's facets
    (see FACET_MARK) come from its row, written before its document.

    Most of an import's time on PostgreSQL goes here, so: a server-side-binding cursor sends the texts
    as array parameters (Django's client-side binding would quote megabytes into the SQL text), and
    the statements go through a pipeline, so the server parses the vectors of one part while the
    tokens of the next are cut here. Same connection and transaction as the caller's.

    Turning tokens into vectors is most of the server's work and needs nothing of the transaction, so
    in a large batch every other part has it done by a second backend (see _VectorHelper) while the
    writing backend parses the parts between; then the helper's vectors are written as they are."""
    conflict = ("ON CONFLICT (petition_id) DO UPDATE SET text = EXCLUDED.text, vector = EXCLUDED.vector"
                if replace else "")

    def insert(vector: str, param: str) -> str:
        return (f"INSERT INTO {DOC_TABLE} (petition_id, text, vector) "  # noqa: S608
                f"SELECT docs.pk, docs.text, {vector} || {FACET_VECTOR} "
                f"FROM unnest(%s::bigint[], %s::text[], {param}) AS docs(pk, text, vector) "
                f"JOIN petitions_petition p ON p.id = docs.pk {conflict}")

    parse = insert(_to_vector("docs.vector"), "%s::text[]")
    parsed = insert("docs.vector", "%b::tsvector[]")  # the helper's vectors go back in binary, as they came
    connection.ensure_connection()
    raw = connection.connection
    parts = [docs[start : start + PIPELINE_DOCUMENTS] for start in range(0, len(docs), PIPELINE_DOCUMENTS)]
    helper = _VectorHelper.open() if len(docs) >= PARALLEL_DOCUMENTS else None
    with psycopg.Cursor(raw) as cursor, raw.pipeline(), helper or nullcontext():
        cursor.adapters.register_dumper(_Vector, _VectorDumper)

        def write(part: Sequence[tuple[int, str]], sql: str, vectors: list[Any]) -> None:
            cursor.execute(sql, [[pk for pk, _ in part], [text for _, text in part], vectors])

        elsewhere = []
        for index, part in enumerate(parts):
            tokens = [token_string(text) for _, text in part]
            if helper and index % 2 == 0:
                elsewhere.append((part, tokens, helper.submit(tokens)))
            else:
                write(part, parse, tokens)
        for part, tokens, vectors in elsewhere:
            try:
                ready = vectors.result()
            except psycopg.OperationalError:  # the helper's connection was lost: parse them here
                write(part, parse, tokens)
            else:
                write(part, parsed, ready)


def _to_vector(tokens_sql: str) -> str:
    """SQL of the vector of a token string (the writer's and the helper's, so they cannot differ)."""
    return f"to_tsvector('simple', {tokens_sql})"


# At least this many documents: half the parts' vectors are made on a second connection (see _VectorHelper).
PARALLEL_DOCUMENTS = 300
TSVECTOR_OID = 3614


class _Vector(bytes):
    """A tsvector in PostgreSQL's binary form, as the helper's backend sent it."""


class _VectorDumper(psycopg.adapt.Dumper):
    format = psycopg.pq.Format.BINARY
    oid = TSVECTOR_OID

    def dump(self, obj: Any) -> bytes:
        return bytes(obj)


class _VectorHelper:
    """A second connection that turns token strings into tsvectors (a pure function of its input:
    no table is read or written, so no transaction is shared or needed), from a thread of its own:
    its backend parses parts on one core while this process cuts the tokens of the next and the
    main connection's backend writes the previous ones. If it cannot connect (`open` returns None)
    or loses its connection, the writing backend parses those parts too.
    An import of a thousand long letters spends about a fifth less time here (bench.intake_import)."""

    def __init__(self, conn: psycopg.Connection) -> None:
        self.conn = conn
        self.thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="search-vectors")

    @classmethod
    def open(cls) -> _VectorHelper | None:
        params = {k: v for k, v in connection.get_connection_params().items()
                  if k not in ("cursor_factory", "context")}
        try:
            conn = psycopg.connect(**params, autocommit=True)
        except psycopg.Error:
            return None
        return cls(conn)

    def __enter__(self) -> _VectorHelper:
        return self

    def __exit__(self, *exc: object) -> None:
        self.thread.shutdown(cancel_futures=True)
        self.conn.close()

    def submit(self, tokens: list[str]) -> Future[list[_Vector]]:
        return self.thread.submit(self._vectors, tokens)

    def _vectors(self, tokens: list[str]) -> list[_Vector]:
        with self.conn.cursor(binary=True) as cursor:
            cursor.execute(f"SELECT {_to_vector('t')} FROM unnest(%s::text[]) WITH ORDINALITY AS x(t, n) "  # noqa: S608
                           "ORDER BY n", [tokens])
            return [_Vector(row[0]) for row in cursor.fetchall()]


GIN_INDEX = "petitions_search_vector_gin"
FTS_AUTOMERGE = 4  # FTS5's default: merge work done by every write, in proportion to what it wrote
FTS_MERGE_PAGES = 500  # one step of the background merge (SQLite)


def merge_pending(*, budget_seconds: float = 10.0) -> int:
    """Merge what the search index holds back into its main structure now; returns the pages merged.

    PostgreSQL: new documents go to the GIN index's pending list (cheap appends, searched linearly
    until merged; its limit is raised by migration 0010 so that no registration or import pays for a
    merge inline). SQLite: an import writes its FTS5 segments without merging them (deferred_merges);
    here they are merged step by step until there is nothing left or the budget is spent. The
    background worker calls this right after an import and every five minutes (petitions.tasks)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT gin_clean_pending_list(%s::regclass)", [GIN_INDEX])
            return int(cursor.fetchone()[0])
        raw = connection.connection
        pages = 0
        started = time.monotonic()
        while time.monotonic() - started < budget_seconds:
            before = raw.total_changes
            cursor.execute(f"INSERT INTO {FTS_TABLE} ({FTS_TABLE}, rank) VALUES ('merge', %s)",  # noqa: S608
                           [FTS_MERGE_PAGES])
            if raw.total_changes - before < 2:  # FTS5's sign that there was no merge work left
                break
            pages += FTS_MERGE_PAGES
        return pages


@contextmanager
def deferred_merges() -> Iterator[None]:
    """Around a bulk write (an import): SQLite writes the new FTS5 segments without merging older ones
    on the way (the background worker merges them afterwards: merge_pending). PostgreSQL's pending
    list already works that way. Restored even if the write fails."""
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {FTS_TABLE} ({FTS_TABLE}, rank) VALUES ('automerge', 0)")  # noqa: S608
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"INSERT INTO {FTS_TABLE} ({FTS_TABLE}, rank) VALUES ('automerge', %s)",  # noqa: S608
                           [FTS_AUTOMERGE])


def _names_by_petition(ids: Sequence[int]) -> dict[int, list[str]]:
    from petitions.models import ContactPerson

    names: dict[int, list[str]] = {pk: [] for pk in ids}
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        rows = sorted(ContactPerson.objects.filter(contact__petition_id__in=chunk).order_by()
                      .values_list("id", "contact__petition_id", "petitioner__name"))
        for _id, pid, name in rows:
            if name not in names[pid]:
                names[pid].append(name)
    return names


def _documents(ids: Sequence[int]) -> list[tuple[int, str]]:
    from petitions.models import Petition

    names = _names_by_petition(ids)
    return [(pk, document_text(t, c, d, names[pk]))
            for pk, t, c, d in Petition.objects.filter(pk__in=ids).values_list("pk", "title", "content", "demands")]


def reindex(petition_ids: Iterable[int]) -> int:
    """Rebuild the indexed text of these matters from their current title, content and people."""
    ids = list(petition_ids)
    docs: list[tuple[int, str]] = []
    for start in range(0, len(ids), 500):
        docs.extend(_documents(ids[start : start + 500]))
    index_documents(docs, replace=True)
    return len(docs)


def rebuild_all(batch: int = 5000) -> int:
    """Drop and rebuild the whole index (after a restore, or if the index was lost)."""
    from petitions.models import Petition, SearchDocument

    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(f"INSERT INTO {FTS_TABLE} ({FTS_TABLE}) VALUES ('delete-all')")  # noqa: S608
    SearchDocument.objects.all().delete()
    ids = list(Petition.objects.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), batch):
        index_documents(_documents(ids[start : start + batch]))
    return len(ids)
