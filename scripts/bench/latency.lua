-- wrk: GET one page at a fixed pace; every connection waits `pause` ms between requests
-- (run.sh appends "pause = N" and the cookie), so the offered rate is about
-- connections * 1000 / pause requests a second, whatever the server's speed.
request = function()
  return wrk.format("GET", path, {["Cookie"] = cookie})
end
delay = function()
  return pause
end
