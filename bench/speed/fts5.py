#!/usr/bin/env python3
"""Raw SQLite FTS5 over a BEIR corpus, as the reference Quarry's keyword path is measured against.

Same tokenizer and bm25 column weights as Quarry's schema (title 2.5, section 1.0 [empty here], text 1.0), and the
same query reading as Quarry's KeywordQuery (words of letters/digits/marks, lower-cased, English stopwords dropped
unless they are all there is, every term quoted and OR-ed). No access filters, no hydration: the floor.

  fts5.py eval DATASET_DIR DB [--depth 10]          -> one JSON line: build MB/s, nDCG@10, p50/p95 ms
  fts5.py qps  DATASET_DIR DB [--clients 2] [--seconds 10]  -> one JSON line: queries/s with N processes
"""
import argparse, json, math, multiprocessing, os, re, sqlite3, sys, time

HERE = os.path.dirname(os.path.abspath(__file__))
STOPWORDS_CS = os.path.join(HERE, "..", "..", "src", "Quarry.Core", "Tokenization", "EnglishStopwords.cs")
STOPWORDS = frozenset(re.findall(r'"([a-z]+)"', open(STOPWORDS_CS, encoding="utf-8").read()))
WORD = re.compile(r"[^\W_]+", re.UNICODE)
WEIGHTS = "2.5, 1.5, 1.0"
# Quarry's schema says contentless_delete=1 (SQLite 3.43+); it changes no ranking, so older Pythons go without.
CONTENTLESS_DELETE = ", contentless_delete=1" if sqlite3.sqlite_version_info >= (3, 43) else ""


def match_expression(query):
    words = [w.lower() for w in WORD.findall(query) if len(w) <= 64]
    kept = [w for w in words if w not in STOPWORDS] or words
    seen, terms = set(), []
    for w in kept:
        if w not in seen:
            seen.add(w)
            terms.append('"%s"' % w)
    return " OR ".join(terms[:64])


def load(dataset):
    queries = {}
    with open(os.path.join(dataset, "queries.jsonl"), encoding="utf-8") as f:
        for line in f:
            q = json.loads(line)
            queries[q["_id"]] = q["text"]
    judged = {}
    with open(os.path.join(dataset, "qrels", "test.tsv"), encoding="utf-8") as f:
        next(f)
        for line in f:
            qid, did, grade = line.rstrip("\n").split("\t")
            judged.setdefault(qid, {})[did] = int(grade)
    return [(qid, text) for qid, text in queries.items() if qid in judged], judged


def build(dataset, db):
    if os.path.exists(db):
        os.remove(db)
    corpus = os.path.join(dataset, "corpus.jsonl")
    started = time.perf_counter()
    con = sqlite3.connect(db)
    con.executescript(
        "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
        "CREATE TABLE docs (row_id INTEGER PRIMARY KEY, id TEXT NOT NULL);"
        "CREATE VIRTUAL TABLE fts USING fts5 (title, section, text, content=''%s,"
        " tokenize='porter unicode61 remove_diacritics 2');"
        "INSERT INTO fts (fts, rank) VALUES ('rank', 'bm25(%s)');" % (CONTENTLESS_DELETE, WEIGHTS))
    with open(corpus, encoding="utf-8") as f, con:
        for i, line in enumerate(f, 1):
            d = json.loads(line)
            con.execute("INSERT INTO docs VALUES (?, ?)", (i, d["_id"]))
            con.execute("INSERT INTO fts (rowid, title, section, text) VALUES (?, ?, '', ?)", (i, d.get("title", ""), d.get("text", "")))
    con.close()
    seconds = time.perf_counter() - started
    return os.path.getsize(corpus) / 1e6 / seconds


SQL = "SELECT d.id FROM (SELECT rowid FROM fts WHERE fts MATCH ? ORDER BY rank LIMIT ?) m JOIN docs d ON d.row_id = m.rowid"


def ndcg(ranking, judged, k=10):
    dcg = sum(judged.get(d, 0) / math.log2(i + 2) for i, d in enumerate(ranking[:k]) if judged.get(d, 0) > 0)
    ideal = sum(g / math.log2(i + 2) for i, g in enumerate(sorted((g for g in judged.values() if g > 0), reverse=True)[:k]))
    return dcg / ideal if ideal else 0.0


def percentile(values, p):
    s = sorted(values)
    # Same nearest-rank reading as Quarry's RetrievalMetrics.Percentile.
    return s[max(0, min(len(s) - 1, int(math.ceil(p / 100 * len(s))) - 1))]


def evaluate(args):
    mb_s = build(args.dataset, args.db)
    queries, judged = load(args.dataset)
    con = sqlite3.connect(args.db)
    for _, text in queries[:50]:  # warm the page cache like Quarry's eval is warmed by its ingest
        con.execute(SQL, (match_expression(text), args.depth)).fetchall()
    latencies, total = [], 0.0
    for qid, text in queries:
        started = time.perf_counter()
        rows = con.execute(SQL, (match_expression(text), args.depth)).fetchall()
        latencies.append((time.perf_counter() - started) * 1000)
        total += ndcg([r[0] for r in rows], judged[qid])
    print(json.dumps({"engine": "fts5", "dataset": os.path.basename(os.path.normpath(args.dataset)), "queries": len(queries),
                      "ndcg@10": round(total / len(queries), 4), "p50": round(percentile(latencies, 50), 3),
                      "p95": round(percentile(latencies, 95), 3), "build_mb_s": round(mb_s, 2)}))


def _worker(db, expressions, depth, deadline, out):
    con = sqlite3.connect(db)
    n, i = 0, 0
    while time.perf_counter() < deadline:
        con.execute(SQL, (expressions[i % len(expressions)], depth)).fetchall()
        n, i = n + 1, i + 1
    out.put(n)


def qps(args):
    queries, _ = load(args.dataset)
    expressions = [match_expression(t) for _, t in queries]
    out = multiprocessing.Queue()
    deadline = time.perf_counter() + args.seconds
    procs = [multiprocessing.Process(target=_worker, args=(args.db, expressions[c::args.clients], args.depth, deadline, out)) for c in range(args.clients)]
    for p in procs:
        p.start()
    total = sum(out.get() for _ in procs)
    for p in procs:
        p.join()
    print(json.dumps({"engine": "fts5", "dataset": os.path.basename(os.path.normpath(args.dataset)), "clients": args.clients,
                      "qps": round(total / args.seconds, 1)}))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("command", choices=["eval", "qps"])
    parser.add_argument("dataset")
    parser.add_argument("db")
    parser.add_argument("--depth", type=int, default=10)
    parser.add_argument("--clients", type=int, default=2)
    parser.add_argument("--seconds", type=float, default=10)
    args = parser.parse_args()
    if args.command == "qps" and not os.path.exists(args.db):
        build(args.dataset, args.db)
    (evaluate if args.command == "eval" else qps)(args)


if __name__ == "__main__":
    sys.exit(main())
