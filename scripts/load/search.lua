-- wrk script: POST /v1/search with a rotating set of questions about the FastAPI docs.
-- QUARRY_KEY: API key (omit with a server started with --dev). QUARRY_KB: knowledge base (default "default").
-- Prints p50/p95/p99 latency and requests/s when done.
local key = os.getenv("QUARRY_KEY")
local kb = os.getenv("QUARRY_KB") or "default"
local path = os.getenv("QUARRY_PATH") or "/v1/search"
local field = path == "/v1/search" and "query" or "question"

local questions = {
  "how do I declare OAuth2 scopes",
  "return a custom response status code",
  "dependencies with yield and cleanup",
  "upload files with UploadFile",
  "background tasks after returning a response",
  "CORS middleware allowed origins",
  "path parameters with type validation",
  "how to test the application with TestClient",
  "settings from environment variables",
  "websocket endpoint example",
  "handling errors with HTTPException",
  "run the app with uvicorn in production",
}

local bodies = {}
for i, q in ipairs(questions) do
  bodies[i] = string.format('{"%s":"%s","knowledgeBase":"%s","topK":5}', field, q, kb)
end

local counter = 0
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
if key then wrk.headers["Authorization"] = "Bearer " .. key end

request = function()
  counter = counter + 1
  return wrk.format(nil, path, nil, bodies[(counter % #bodies) + 1])
end

local errors = 0
response = function(status, headers, body)
  if status ~= 200 then errors = errors + 1 end
end

done = function(summary, latency, requests)
  io.write(string.format("requests/s %.1f  p50 %.2f ms  p95 %.2f ms  p99 %.2f ms  non-2xx %d  socket errors %d\n",
    summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000,
    summary.errors.status, summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
