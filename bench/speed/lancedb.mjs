// LanceDB (Tantivy-style full-text index, npm @lancedb/lancedb) over a BEIR corpus: the third engine in the speed
// bench beside raw FTS5. Same query reading as fts5.py (words, English stopwords dropped, OR-ed); LanceDB's own
// English stemmer and stopword list, one index over title + text (LanceDB indexes one column per FTS index).
//
//   node lancedb.mjs eval DATASET_DIR DIR [--depth 10]        -> one JSON line: build MB/s, nDCG@10, p50/p95 ms
//   node lancedb.mjs qps  DATASET_DIR DIR [--seconds 10]      -> one JSON line: queries/s with 2 concurrent queries
import * as lancedb from "@lancedb/lancedb";
import { readFileSync, rmSync, statSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const [command, datasetArg, dir, ...rest] = process.argv.slice(2);
const option = (name, fallback) => {
  const i = rest.indexOf(`--${name}`);
  return i >= 0 ? Number(rest[i + 1]) : fallback;
};
const depth = option("depth", 10);
const seconds = option("seconds", 10);
const dataset = resolve(datasetArg);
const name = basename(dataset);

const stopwords = new Set(
  [...readFileSync(join(here, "../../src/Quarry.Core/Tokenization/EnglishStopwords.cs"), "utf8").matchAll(/"([a-z]+)"/g)].map(m => m[1]));
const words = text => (text.match(/[\p{L}\p{M}\p{N}]+/gu) ?? []).map(w => w.toLowerCase()).filter(w => w.length <= 64);
function queryText(text) {
  const all = words(text);
  const kept = all.filter(w => !stopwords.has(w));
  return [...new Set(kept.length ? kept : all)].slice(0, 64).join(" ");
}

const lines = file => readFileSync(join(dataset, file), "utf8").split("\n").filter(l => l.trim()).map(l => JSON.parse(l));
function load() {
  const judged = new Map();
  for (const line of readFileSync(join(dataset, "qrels", "test.tsv"), "utf8").split("\n").slice(1)) {
    const [qid, did, grade] = line.split("\t");
    if (!qid) continue;
    if (!judged.has(qid)) judged.set(qid, new Map());
    judged.get(qid).set(did, Number(grade));
  }
  const queries = lines("queries.jsonl").filter(q => judged.has(q._id)).map(q => [q._id, queryText(q.text)]);
  return { queries, judged };
}

async function build() {
  rmSync(dir, { recursive: true, force: true });
  const corpus = join(dataset, "corpus.jsonl");
  const started = performance.now();
  const rows = lines("corpus.jsonl").map(d => ({ id: d._id, content: `${d.title ?? ""}\n${d.text ?? ""}` }));
  const db = await lancedb.connect(dir);
  const table = await db.createTable("docs", rows);
  await table.createIndex("content", {
    config: lancedb.Index.fts({ withPosition: false, stem: true, removeStopWords: true, lowercase: true, asciiFolding: true, language: "English" }),
  });
  const mbs = statSync(corpus).size / 1e6 / ((performance.now() - started) / 1000);
  return { table, mbs };
}

const search = (table, text) => table.search(text, "fts", "content").select(["id", "_score"]).limit(depth).toArray();

function ndcg(ranking, judged, k = 10) {
  let dcg = 0;
  ranking.slice(0, k).forEach((d, i) => { const g = judged.get(d) ?? 0; if (g > 0) dcg += g / Math.log2(i + 2); });
  const ideal = [...judged.values()].filter(g => g > 0).sort((a, b) => b - a).slice(0, k).reduce((s, g, i) => s + g / Math.log2(i + 2), 0);
  return ideal ? dcg / ideal : 0;
}
const percentile = (values, p) => { const s = [...values].sort((a, b) => a - b); return s[Math.max(0, Math.min(s.length - 1, Math.ceil(p / 100 * s.length) - 1))]; };

async function evaluate() {
  const { table, mbs } = await build();
  const { queries, judged } = load();
  for (const [, text] of queries.slice(0, 50)) await search(table, text);
  const latencies = [];
  let total = 0;
  for (const [qid, text] of queries) {
    const started = performance.now();
    const rows = await search(table, text);
    latencies.push(performance.now() - started);
    total += ndcg(rows.map(r => r.id), judged.get(qid));
  }
  console.log(JSON.stringify({ engine: "lancedb", dataset: name, queries: queries.length, "ndcg@10": +(total / queries.length).toFixed(4),
    p50: +percentile(latencies, 50).toFixed(3), p95: +percentile(latencies, 95).toFixed(3), build_mb_s: +mbs.toFixed(2) }));
}

async function qps() {
  const db = await lancedb.connect(dir);
  const table = await db.openTable("docs");
  const { queries } = load();
  const deadline = performance.now() + seconds * 1000;
  let n = 0;
  // Two queries in flight at once: LanceDB runs them on its own native threads, as two FTS5 processes run on two cores.
  const client = async offset => {
    for (let i = offset; performance.now() < deadline; i += 2, n++) await search(table, queries[i % queries.length][1]);
  };
  await Promise.all([client(0), client(1)]);
  console.log(JSON.stringify({ engine: "lancedb", dataset: name, clients: 2, qps: +(n / seconds).toFixed(1) }));
}

await (command === "eval" ? evaluate() : qps());
