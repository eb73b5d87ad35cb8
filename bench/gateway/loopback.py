#!/usr/bin/env python3
"""A loopback OpenAI-compatible chat server for benchmarks: POST /v1/chat/completions, plain and streamed (SSE with
[DONE] and, when asked, the usage chunk). It "answers" by quoting the first evidence passage's first sentence with
its [n] marker, so Quarry's citation check passes, and it counts requests per model (GET /stats). With --no-usage it
reports no token usage, so Quarry meters the call with its own tokenizer. Usage: loopback.py PORT [--no-usage]"""
import json, re, sys, threading, time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PORT = int(sys.argv[1])
REPORT_USAGE = "--no-usage" not in sys.argv
calls = Counter()
lock = threading.Lock()


def answer(messages):
    user = next((m["content"] for m in reversed(messages) if m["role"] == "user"), "")
    match = re.search(r"\[(\d+)\][^\n]*\n+(.+?[.!?])(\s|$)", user, re.S)
    if not match:
        return "The documents do not say."
    return f"{' '.join(match.group(2).split())} [{match.group(1)}]"


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # streamed tokens leave when written, not after the client's delayed ACK

    def log_message(self, *args):
        pass

    def do_GET(self):
        body = json.dumps(dict(calls)).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self):
        request = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        model = request.get("model", "?")
        with lock:
            calls[model] += 1
        text = answer(request["messages"])
        prompt_tokens = sum(len(m["content"].split()) for m in request["messages"]) * 4 // 3
        usage = {"prompt_tokens": prompt_tokens, "completion_tokens": len(text.split()) * 4 // 3}
        usage["total_tokens"] = usage["prompt_tokens"] + usage["completion_tokens"]
        created = int(time.time())
        if not request.get("stream"):
            reply = {"id": "cmpl-loop", "object": "chat.completion", "created": created, "model": model,
                     "choices": [{"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}]}
            if REPORT_USAGE:
                reply["usage"] = usage
            body = json.dumps(reply).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()

        def send(payload):
            data = f"data: {payload}\n\n".encode()
            self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
            self.wfile.flush()

        def chunk(delta, finish=None):
            return json.dumps({"id": "cmpl-loop", "object": "chat.completion.chunk", "created": created, "model": model,
                               "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]})

        send(chunk({"role": "assistant", "content": ""}))
        for i, word in enumerate(text.split(" ")):
            send(chunk({"content": word if i == 0 else " " + word}))
        send(chunk({}, "stop"))
        if REPORT_USAGE and (request.get("stream_options") or {}).get("include_usage"):
            send(json.dumps({"id": "cmpl-loop", "object": "chat.completion.chunk", "created": created, "model": model,
                             "choices": [], "usage": usage}))
        send("[DONE]")
        self.wfile.write(b"0\r\n\r\n")
        self.wfile.flush()


ThreadingHTTPServer(("127.0.0.1", PORT), Handler).serve_forever()
