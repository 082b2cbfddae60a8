-- wrk: POST the answer form of video 1, each request as the next prepared citizen
-- (citizens.lua, written by prepare.mjs, is loaded from the same folder by run.sh).
local i = 0
request = function()
  i = i + 1
  local c = citizens[(i % #citizens) + 1]
  return wrk.format("POST", "/borger/video/1", {
    ["Cookie"] = c[1],
    ["Content-Type"] = "application/x-www-form-urlencoded",
    ["Origin"] = origin,
  }, c[2])
end
