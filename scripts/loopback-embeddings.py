#!/usr/bin/env python3
"""A loopback OpenAI-compatible /v1/embeddings server for plumbing checks, not for quality.

Vectors are hashed bags of lower-cased words (and their 4-character prefixes), L2-normalized: they carry lexical
overlap only, so hybrid retrieval over them shows that embedding, storage, the vector index and fusion work end to end.

    python3 scripts/loopback-embeddings.py --port 8765 --dim 256
    QUARRY_Models__Embeddings__Provider=openai \
    QUARRY_Models__Embeddings__OpenAI__Endpoint=http://127.0.0.1:8765/v1 \
    QUARRY_Models__Embeddings__OpenAI__Model=loopback QUARRY_Models__Embeddings__OpenAI__Dimensions=256 \
    quarry eval --dataset ../shared/datasets/scifact --kb scifact-hybrid
"""
import argparse, base64, hashlib, json, math, re, struct
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

WORD = re.compile(r"[a-z0-9]+")


def embed(text, dim):
    v = [0.0] * dim
    for w in WORD.findall(text.lower()):
        for feature in (w, "p:" + w[:4]):
            h = int.from_bytes(hashlib.blake2b(feature.encode(), digest_size=8).digest(), "little")
            v[h % dim] += 1.0 if (h >> 63) == 0 else -1.0
    n = math.sqrt(sum(x * x for x in v)) or 1.0
    return [x / n for x in v]


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as real providers do
    def log_message(self, *args):
        pass

    def do_POST(self):
        if not self.path.rstrip("/").endswith("/embeddings"):
            self.send_error(404)
            return
        body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))))
        inputs = body["input"] if isinstance(body["input"], list) else [body["input"]]
        dim = body.get("dimensions") or self.server.dim
        data = []
        for i, text in enumerate(inputs):
            vector = embed(text, dim)
            if body.get("encoding_format") == "base64":
                payload = base64.b64encode(struct.pack("<%df" % dim, *vector)).decode()
            else:
                payload = vector
            data.append({"object": "embedding", "index": i, "embedding": payload})
        tokens = sum(len(t.split()) for t in inputs)
        out = json.dumps({"object": "list", "data": data, "model": body.get("model", "loopback"),
                          "usage": {"prompt_tokens": tokens, "total_tokens": tokens}}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(out)))
        self.end_headers()
        self.wfile.write(out)


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--dim", type=int, default=256)
    args = parser.parse_args()
    server = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    server.dim = args.dim
    server.serve_forever()
