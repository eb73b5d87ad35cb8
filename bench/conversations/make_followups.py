#!/usr/bin/env python3
"""Builds a small conversational retrieval set from SQuAD (../shared/datasets/squad-dev-a, BEIR layout).

For each paragraph, two of its questions that both name the paragraph's subject (its article title) become a
conversation: the first is asked as is, the second is rewritten to lean on the first by replacing the subject with a
pronoun ("When did Super Bowl 50 take place?" -> "When did it take place?"). Only the follow-up is judged, against
the paragraph both questions were asked about.

Writes, into the output folder: queries.jsonl ({"_id", "text": follow-up, "previous": first question,
"original": the second question before the rewrite}) and qrels/test.tsv. Deterministic: the first eligible pair of
each paragraph, paragraphs in corpus order, at most --limit pairs.

usage: make_followups.py [--squad DIR] [--out DIR] [--limit N]
"""
import argparse, json, os, re

def main():
    here = os.path.dirname(os.path.abspath(__file__))
    p = argparse.ArgumentParser()
    p.add_argument("--squad", default=os.path.join(here, "..", "..", "..", "shared", "datasets", "squad-dev-a"))
    p.add_argument("--out", default=os.path.join(here, "squad-followups"))
    p.add_argument("--limit", type=int, default=300)
    a = p.parse_args()

    titles, order = {}, []
    with open(os.path.join(a.squad, "corpus.jsonl"), encoding="utf-8") as f:
        for line in f:
            d = json.loads(line)
            titles[d["_id"]] = d["title"]
            order.append(d["_id"])
    queries = {}
    with open(os.path.join(a.squad, "queries.jsonl"), encoding="utf-8") as f:
        for line in f:
            q = json.loads(line)
            queries[q["_id"]] = q["text"]
    by_paragraph = {}
    with open(os.path.join(a.squad, "qrels", "test.tsv"), encoding="utf-8") as f:
        next(f)
        for line in f:
            qid, cid, _ = line.rstrip("\n").split("\t")
            by_paragraph.setdefault(cid, []).append(qid)

    pairs = []
    for cid in order:
        title = titles[cid].replace("_", " ")
        subject = re.compile(r"(?:\bthe\s+)?\b" + re.escape(title) + r"\b('s|’s)?", re.IGNORECASE)
        naming = [q for q in by_paragraph.get(cid, []) if subject.search(queries[q])]
        if len(naming) < 2:
            continue
        first, second = naming[0], naming[1]
        follow = subject.sub(lambda m: "its" if m.group(1) else "it", queries[second], count=1)
        follow = subject.sub(lambda m: "its" if m.group(1) else "it", follow)
        follow = follow[0].upper() + follow[1:]
        pairs.append((second, cid, queries[first], follow, queries[second]))
        if len(pairs) >= a.limit:
            break

    os.makedirs(os.path.join(a.out, "qrels"), exist_ok=True)
    with open(os.path.join(a.out, "queries.jsonl"), "w", encoding="utf-8") as f:
        for qid, _, previous, follow, original in pairs:
            f.write(json.dumps({"_id": qid, "text": follow, "previous": previous, "original": original}, ensure_ascii=False) + "\n")
    with open(os.path.join(a.out, "qrels", "test.tsv"), "w", encoding="utf-8") as f:
        f.write("query-id\tcorpus-id\tscore\n")
        for qid, cid, *_ in pairs:
            f.write(f"{qid}\t{cid}\t1\n")
    print(f"{len(pairs)} follow-ups written to {a.out}")

if __name__ == "__main__":
    main()
