#!/usr/bin/env python3
"""Calibrates the answer cache's semantic threshold (Cache:SemanticThreshold).

False hits: on squad-dev-a, distinct questions asked of the same paragraph are different questions; a pair at or above
the threshold would serve one question the other's answer. True hits: pairs of paraphrases.tsv at or above it.

  bench/cache/semantic-threshold.py --endpoint http://host/v1 --model NAME [--key KEY]   # any OpenAI-compatible embedder
  bench/cache/semantic-threshold.py --quarry builtin:minilm                               # Quarry's own embedder (quarry models embed)
  bench/cache/semantic-threshold.py --proxy                                               # a lexical stand-in, see docs
"""
import argparse, collections, hashlib, json, math, os, re, sys, urllib.request

here = os.path.dirname(os.path.abspath(__file__))
squad = os.path.join(here, "..", "..", "..", "shared", "datasets", "squad-dev-a")

def proxy_embed(texts, dim=512):
    # Hashed word unigrams + character trigrams, L2-normalized: what a lexical embedder sees. Not a real model.
    out = []
    for t in texts:
        v = [0.0] * dim
        words = re.findall(r"\w+", t.lower())
        feats = words + [w[i:i + 3] for w in words for i in range(max(1, len(w) - 2))]
        for f in feats:
            h = int.from_bytes(hashlib.blake2b(f.encode(), digest_size=4).digest(), "little")
            v[h % dim] += 1.0 if (h >> 31) & 1 else -1.0
        n = math.sqrt(sum(x * x for x in v)) or 1.0
        out.append([x / n for x in v])
    return out

def endpoint_embed(texts, endpoint, model, key):
    out = []
    for i in range(0, len(texts), 64):
        body = json.dumps({"model": model, "input": texts[i:i + 64]}).encode()
        req = urllib.request.Request(endpoint.rstrip("/") + "/embeddings", body, {"Content-Type": "application/json", **({"Authorization": "Bearer " + key} if key else {})})
        data = json.load(urllib.request.urlopen(req))["data"]
        out += [d["embedding"] for d in sorted(data, key=lambda d: d["index"])]
    return out

def quarry_embed(texts, provider):
    # The vectors the semantic cache compares: Quarry's embedder on questions, as queries.
    import subprocess, tempfile
    builds = [os.path.join(here, "..", "..", "artifacts", "bin", "Quarry.Cli", c, "quarry.dll") for c in ("release", "debug")]
    cli = max((b for b in builds if os.path.exists(b)), key=os.path.getmtime)  # the newest build
    env = dict(os.environ, QUARRY_Models__Embeddings__Provider=provider)
    with tempfile.TemporaryDirectory() as data:
        out = subprocess.run(["dotnet", cli, "models", "embed", "--query", "--data", data], input="\n".join(t.replace("\n", " ") for t in texts) + "\n",
                             capture_output=True, text=True, env=env, check=True).stdout
    return [json.loads(l) for l in out.splitlines() if l.strip()]

def cos(a, b):
    dot = sum(x * y for x, y in zip(a, b))
    return dot / ((math.sqrt(sum(x * x for x in a)) * math.sqrt(sum(y * y for y in b))) or 1.0)

def main():
    p = argparse.ArgumentParser()
    p.add_argument("--endpoint"); p.add_argument("--model"); p.add_argument("--key")
    p.add_argument("--proxy", action="store_true"); p.add_argument("--quarry", metavar="PROVIDER")
    p.add_argument("--thresholds", default="0.80,0.85,0.90,0.92,0.95,0.97,0.99")
    a = p.parse_args()
    embed = proxy_embed if a.proxy else (lambda t: quarry_embed(t, a.quarry)) if a.quarry else (lambda t: endpoint_embed(t, a.endpoint, a.model, a.key))
    if not a.proxy and not a.quarry and not (a.endpoint and a.model): p.error("--endpoint and --model, --quarry PROVIDER, or --proxy")

    questions = {}
    for line in open(os.path.join(squad, "queries.jsonl")):
        q = json.loads(line); questions[q["_id"]] = q["text"]
    by_paragraph = collections.defaultdict(list)
    for line in list(open(os.path.join(squad, "qrels", "test.tsv")))[1:]:
        qid, cid, _ = line.rstrip("\n").split("\t")
        by_paragraph[cid].append(qid)
    ids = [q for qs in by_paragraph.values() for q in qs]
    vectors = dict(zip(ids, embed([questions[q] for q in ids])))
    pairs, best = [], collections.defaultdict(float)
    for qs in by_paragraph.values():
        for i, x in enumerate(qs):
            for y in qs[i + 1:]:
                if questions[x].strip().lower() == questions[y].strip().lower(): continue
                s = cos(vectors[x], vectors[y]); pairs.append(s)
                best[x] = max(best[x], s); best[y] = max(best[y], s)

    rows = [l.rstrip("\n").split("\t") for l in open(os.path.join(here, "paraphrases.tsv")) if l.strip() and not l.startswith("#")]
    pv = embed([t for r in rows for t in r])
    para = [cos(pv[2 * i], pv[2 * i + 1]) for i in range(len(rows))]

    print(f"squad-dev-a: {len(ids)} questions, {len(by_paragraph)} paragraphs, {len(pairs)} distinct same-paragraph pairs; {len(para)} paraphrase pairs")
    # A question is wrongly served when some other question of its paragraph, asked first, is at or above the threshold.
    print("threshold  false-hit pairs (rate)   questions exposed (rate)   paraphrase hits")
    for t in [float(x) for x in a.thresholds.split(",")]:
        f = sum(s >= t for s in pairs); e = sum(s >= t for s in best.values()); h = sum(s >= t for s in para)
        print(f"{t:9.2f}  {f:6d} ({100.0 * f / len(pairs):5.2f} %)      {e:6d} ({100.0 * e / len(ids):5.2f} %)        {h:2d}/{len(para)}")

if __name__ == "__main__":
    main()
