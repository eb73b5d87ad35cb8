-- wrk script: POST /v1/search over the queries in $QUERIES (one per line, already JSON-escaped) in turn, with the
-- bearer key in $KEY against knowledge base $KB and top $TOPK results.
local key, kb, topk = os.getenv("KEY"), os.getenv("KB"), os.getenv("TOPK") or "10"
local queries = {}
for line in io.lines(os.getenv("QUERIES")) do queries[#queries + 1] = line end
local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("offset", threads * 7919)
end
local i = 0
request = function()
  i = i + 1
  local q = queries[((i + (offset or 0)) % #queries) + 1]
  return wrk.format("POST", "/v1/search",
    -- no-cache: each search runs; the search cache would otherwise serve the repeats.
    {["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. key, ["Cache-Control"] = "no-cache"},
    '{"query":"' .. q .. '","knowledgeBase":"' .. kb .. '","topK":' .. topk .. '}')
end
