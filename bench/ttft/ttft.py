#!/usr/bin/env python3
"""Time to first token over SSE: the gap between a loopback OpenAI-compatible provider writing its first token and
Quarry's first `delta` event on POST /v1/ask (Accept: text/event-stream). Both ends run in this process and read one
clock (time.perf_counter), so the gap is exact up to the local scheduler.

  provider PORT                       serve the streaming provider alone (for trying by hand)
  ask URL KEY KB QUERIES PORT N        N asks, one at a time; prints the gap distribution as one JSON line

The provider sends TOKENS words, DELAY_MS apart, like a model that produces ~50 tokens/s, then usage and [DONE].
"""
import json, os, sys, threading, time, http.client
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

TOKENS = int(os.environ.get("TOKENS", "24"))
DELAY = float(os.environ.get("DELAY_MS", "20")) / 1000
STATE = os.environ.get("TTFT_STATE", "/tmp/ttft-first-token")


class Provider(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Without TCP_NODELAY a token written right after the role chunk waits for the client's delayed ACK (~40 ms on
    # Linux): that was the provider's delay, not Quarry's.
    disable_nagle_algorithm = True

    def log_message(self, *args):
        pass

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", "0"))) or b"{}")
        if not self.path.endswith("/chat/completions"):
            self.send_error(404)
            return
        model = body.get("model", "ttft")
        if not body.get("stream"):
            text = "Answer [1]."
            payload = json.dumps({"id": "c", "object": "chat.completion", "created": 0, "model": model,
                                  "choices": [{"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}],
                                  "usage": {"prompt_tokens": 10, "completion_tokens": 3, "total_tokens": 13}}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)
            return
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()

        def send(obj):
            data = ("data: " + (obj if isinstance(obj, str) else json.dumps(obj)) + "\n\n").encode()
            self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
            self.wfile.flush()

        def chunk(delta, finish=None):
            return {"id": "c", "object": "chat.completion.chunk", "created": 0, "model": model,
                    "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]}

        send(chunk({"role": "assistant", "content": ""}))
        words = ["The", " evidence", " says", " so", " [1]."] + [" More", " words", " follow", " here."] * TOKENS
        for i, word in enumerate(words[:TOKENS]):
            send(chunk({"content": word}))
            if os.environ.get("PAD"):
                send(chunk({}))  # an empty update: diagnoses a client that holds one event back
            if i == 0:
                # Written and flushed to the socket: this is the provider's first token.
                with open(STATE, "w") as f:
                    f.write(repr(time.perf_counter()))
            time.sleep(DELAY)
        send(chunk({}, "stop"))
        if (body.get("stream_options") or {}).get("include_usage"):
            send({"id": "c", "object": "chat.completion.chunk", "created": 0, "model": model, "choices": [],
                  "usage": {"prompt_tokens": 100, "completion_tokens": TOKENS, "total_tokens": 100 + TOKENS}})
        send("[DONE]")
        self.wfile.write(b"0\r\n\r\n")
        self.wfile.flush()


def serve(port):
    ThreadingHTTPServer(("127.0.0.1", port), Provider).serve_forever()


def ask_once(host, port, key, kb, question):
    conn = http.client.HTTPConnection(host, port, timeout=20)
    conn.request("POST", "/v1/ask", json.dumps({"question": question, "knowledgeBase": kb}),
                 {"Authorization": "Bearer " + key, "Content-Type": "application/json", "Accept": "text/event-stream"})
    res = conn.getresponse()
    if res.status != 200:
        raise SystemExit(f"ask failed: {res.status} {res.read()[:300]!r}")
    first = None
    event = None
    while True:
        line = res.fp.readline()
        if not line:
            break
        line = line.decode().rstrip("\r\n")
        if line.startswith("event:"):
            event = line[6:].strip()
            if event == "delta" and first is None:
                first = time.perf_counter()
        elif event == "error" and line.startswith("data:"):
            raise SystemExit("error event: " + line)
        elif event == "done" and line.startswith("data:"):
            break  # the connection stays open (keep-alive)
    conn.close()
    return first


def main():
    if sys.argv[1] == "provider":
        serve(int(sys.argv[2]))
        return
    url, key, kb, queries, n = sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5], int(sys.argv[7])
    host, port = url.split("//")[1].split(":")
    # The provider runs in this process too, so both timestamps come from one perf_counter.
    threading.Thread(target=serve, args=(int(sys.argv[6]),), daemon=True).start()
    time.sleep(0.3)
    questions = [json.loads(l)["text"] for l in open(queries, encoding="utf-8")]
    gaps = []
    for i in range(n + 2):
        if os.path.exists(STATE):
            os.remove(STATE)
        first_delta = ask_once(host, int(port), key, kb, questions[i % len(questions)])
        if first_delta is None or not os.path.exists(STATE):
            raise SystemExit("no delta event or no provider token (is the provider configured?)")
        gap = (first_delta - float(open(STATE).read())) * 1000
        if i >= 2:  # the first two warm up (JIT, connections)
            gaps.append(gap)
    gaps.sort()
    pct = lambda p: round(gaps[min(len(gaps) - 1, int(p * len(gaps)))], 2)
    print(json.dumps({"engine": "quarry-ttft", "asks": len(gaps), "gap_ms_min": round(gaps[0], 2), "gap_ms_p50": pct(0.5),
                      "gap_ms_p90": pct(0.9), "gap_ms_max": round(gaps[-1], 2), "tokens": TOKENS, "token_delay_ms": DELAY * 1000}))


if __name__ == "__main__":
    main()
