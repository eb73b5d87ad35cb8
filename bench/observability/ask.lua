-- wrk script: POST /v1/ask with a rotating set of questions (JSON answer, extractive answerer).
local questions = {
  "how do I declare OAuth2 scopes",
  "how to return a custom response status code",
  "what is a dependency with yield",
  "how do I upload files",
  "how to add CORS middleware",
  "how to run background tasks after returning a response",
}
local i = 0
request = function()
  i = i + 1
  local body = '{"question":"' .. questions[(i % #questions) + 1] .. '"}'
  return wrk.format("POST", "/v1/ask", {["Content-Type"] = "application/json"}, body)
end
