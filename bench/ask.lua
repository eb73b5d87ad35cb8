-- wrk script for the bench harnesses: POST /v1/ask (JSON) over six FastAPI questions in turn. MODE=cold makes every
-- question unique (a cache miss each time: the full answer path).
local questions = {
  "how do I declare OAuth2 scopes",
  "how to return a custom response status code",
  "what is a dependency with yield",
  "how do I upload files",
  "how to add CORS middleware",
  "how to run background tasks after returning a response",
}
local cold = os.getenv("MODE") == "cold"
local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("tid", threads)
end
local i = 0
request = function()
  i = i + 1
  local q = questions[(i % #questions) + 1]
  if cold then q = q .. " variant " .. tid .. "-" .. i end
  return wrk.format("POST", "/v1/ask", {["Content-Type"] = "application/json"}, '{"question":"' .. q .. '"}')
end
