#!/usr/bin/env bash
# Proves that the committed repository builds, passes its tests and runs on a bare Debian 12:
#   1. debootstrap a minimal bookworm (minbase + git, make, ca-certificates, curl) under
#      /var/tmp, from the mirror this machine's apt sources name;
#   2. copy this machine's extra CA certificates, apt proxy settings, npm configuration and
#      proxy variables into it, so apt and npm inside reach their registries as they do here;
#   3. bind-mount /proc, /sys, /dev, /dev/pts and /dev/shm (chromium needs them);
#   4. clone the committed HEAD (not the work tree) into it and run `make test` there as root;
#   5. start `make run` in the background, wait for http://127.0.0.1:8080/healthz to answer
#      200, and stop it by its process id;
#   6. unmount everything and delete the chroot, also on failure or interruption.
# Every step has a time limit.  Exits 0 when all passed, else non-zero with one line
# "fresh-check: FAILED: ..." naming the step.
#
#   scripts/fresh-check.sh [--keep]     (as root; `make fresh-check`)
#
#   --keep            leave the chroot in place for debugging (its path is printed); the
#                     mounts are still removed.
#   MIRROR=URL        Debian mirror to use instead of the one in the apt sources.
#   FRESH_DIR=DIR     parent directory of the chroot (default /var/tmp).
set -euo pipefail

keep=0
for a in "$@"; do
  case $a in
    --keep) keep=1 ;;
    *) echo "usage: scripts/fresh-check.sh [--keep]" >&2; exit 2 ;;
  esac
done

repo=$(cd "$(dirname "$0")/.." && pwd)
start=$(date +%s)
say() { printf 'fresh-check: [%4ds] %s\n' "$(( $(date +%s) - start ))" "$*"; }
fail() { say "FAILED: $*"; exit 1; }

[ "$(id -u)" -eq 0 ] || { echo "fresh-check: FAILED: must run as root (debootstrap, chroot, mount)" >&2; exit 1; }
command -v git >/dev/null || fail "git is not installed"
command -v curl >/dev/null || fail "curl is not installed"
git -C "$repo" rev-parse --verify -q HEAD >/dev/null || fail "$repo has no commit to check"
head=$(git -C "$repo" rev-parse HEAD)

# The mirror: the first URI of a source for the suite "bookworm" (deb822 .sources files, then
# classic one-line sources.list entries), and the security archive if the machine uses one.
mirror_for() {  # suite -> URI or nothing
  local suite=$1 f uri
  for f in /etc/apt/sources.list.d/*.sources; do
    [ -f "$f" ] || continue
    uri=$(awk -v want="$suite" '
      BEGIN { RS = ""; FS = "\n" }
      {
        u = ""; s = 0; deb = 1
        for (i = 1; i <= NF; i++) {
          line = $i; sub(/#.*/, "", line)
          if (line ~ /^Types:/ && line !~ /[ \t]deb([ \t]|$)/) deb = 0
          if (line ~ /^Enabled:[ \t]*no/) deb = 0
          if (line ~ /^URIs:/) { sub(/^URIs:[ \t]*/, "", line); split(line, w, /[ \t]+/); u = w[1] }
          if (line ~ /^Suites:/) { n = split(line, w, /[ \t]+/); for (j = 2; j <= n; j++) if (w[j] == want) s = 1 }
        }
        if (deb && s && u != "") { print u; exit }
      }' "$f")
    [ -n "$uri" ] && { echo "$uri"; return; }
  done
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [ -f "$f" ] || continue
    uri=$(awk -v want="$suite" '
      { sub(/#.*/, "") }
      $1 == "deb" {
        i = 2
        if ($i ~ /^\[/) { while (i <= NF && $i !~ /\]$/) i++; i++ }
        if ($(i + 1) == want) { print $i; exit }
      }' "$f")
    [ -n "$uri" ] && { echo "$uri"; return; }
  done
}
mirror=${MIRROR:-$(mirror_for bookworm)}
mirror=${mirror:-http://deb.debian.org/debian}
security=$(mirror_for bookworm-security)

# `make run` serves on 127.0.0.1:8080, and the chroot shares this machine's network: another
# server there would answer the health check in its place.
port_busy() {
  if command -v ss >/dev/null; then
    ss -Hltn 'sport = :8080' 2>/dev/null | grep -q .
  else
    curl -s -o /dev/null --max-time 2 http://127.0.0.1:8080/ 2>/dev/null
  fi
}
port_busy && fail "port 8080 on this machine is in use; stop what listens there and try again"

if ! command -v debootstrap >/dev/null; then
  say "installing debootstrap"
  export DEBIAN_FRONTEND=noninteractive
  timeout 300 apt-get update -qq >/dev/null || fail "apt-get update (for debootstrap)"
  timeout 300 apt-get install -y -qq --no-install-recommends debootstrap >/dev/null \
    || fail "apt-get install debootstrap"
fi

parent=${FRESH_DIR:-/var/tmp}
root=$(mktemp -d "$parent/vejled-fresh.XXXXXX")
chmod 755 "$root" # the new system's "/": every account (postgres too) must be able to enter it
run_pid=""
mounted=()

root_env=()   # the environment of commands in the chroot: clean, plus proxies and CA settings
root_env=(HOME=/root PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
          LANG=C.UTF-8 DEBIAN_FRONTEND=noninteractive TERM=dumb)
for v in $(compgen -e); do
  case $v in
    http_proxy|https_proxy|no_proxy|all_proxy|HTTP_PROXY|HTTPS_PROXY|NO_PROXY|ALL_PROXY|\
    npm_config_*|NPM_CONFIG_*|NODE_EXTRA_CA_CERTS|SSL_CERT_FILE|SSL_CERT_DIR|CURL_CA_BUNDLE)
      root_env+=("$v=${!v}") ;;
  esac
done
in_root() {  # seconds command... : run in the chroot as root, killed after the time limit
  local secs=$1; shift
  timeout --kill-after=30 "$secs" chroot "$root" /usr/bin/env -i "${root_env[@]}" "$@"
}

cleanup() {
  local rc=$? pid m i left
  set +e
  if [ -n "$run_pid" ] && kill -0 "$run_pid" 2>/dev/null; then
    kill -TERM -- "-$run_pid" 2>/dev/null
    sleep 2
    kill -KILL -- "-$run_pid" 2>/dev/null
  fi
  # Whatever still runs inside the chroot (a test's browser left behind) holds its mounts.
  for pid in $(ls /proc | grep -E '^[0-9]+$'); do
    [ "$(readlink "/proc/$pid/root" 2>/dev/null)" = "$root" ] && kill -KILL "$pid" 2>/dev/null
  done
  for (( i = ${#mounted[@]} - 1; i >= 0; i-- )); do
    m=${mounted[$i]}
    timeout 30 umount "$m" 2>/dev/null || timeout 30 umount -l "$m" 2>/dev/null \
      || echo "fresh-check: could not unmount $m" >&2
  done
  left=$(awk -v r="$root/" 'index($2, r) == 1 { print $2 }' /proc/mounts)
  if [ -n "$left" ]; then
    echo "fresh-check: still mounted below $root, not deleting it: $left" >&2
    [ $rc -eq 0 ] && rc=1
  elif [ $keep -eq 1 ]; then
    say "kept the chroot at $root"
  else
    rm -rf --one-file-system "$root"
  fi
  say "done in $(( $(date +%s) - start ))s, exit $rc"
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

say "commit $head of $repo"
say "debootstrap bookworm from $mirror into $root"
timeout 1800 debootstrap --variant=minbase --include=git,make,ca-certificates,curl \
  bookworm "$root" "$mirror" > "$root.debootstrap.log" 2>&1 \
  || { tail -n 20 "$root.debootstrap.log"; rm -f "$root.debootstrap.log"; fail "debootstrap"; }
rm -f "$root.debootstrap.log"

# apt sources of a normal installation: the release, its updates and its security archive.
rm -f "$root/etc/apt/sources.list"
{
  printf 'Types: deb\nURIs: %s\nSuites: bookworm bookworm-updates\nComponents: main\n' "$mirror"
  printf 'Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg\n'
  if [ -n "$security" ]; then
    printf '\nTypes: deb\nURIs: %s\nSuites: bookworm-security\nComponents: main\n' "$security"
    printf 'Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg\n'
  fi
} > "$root/etc/apt/sources.list.d/debian.sources"

# Reaching the registries as this machine does: its name resolution, the CA certificates it
# added to the system store, apt's proxy settings, npm's configuration files.
cp -L /etc/resolv.conf "$root/etc/resolv.conf" 2>/dev/null || true
cp /etc/hosts "$root/etc/hosts" 2>/dev/null || true
if compgen -G "/usr/local/share/ca-certificates/*" >/dev/null; then
  mkdir -p "$root/usr/local/share/ca-certificates"
  cp -R /usr/local/share/ca-certificates/. "$root/usr/local/share/ca-certificates/"
  in_root 120 update-ca-certificates >/dev/null 2>&1 || fail "update-ca-certificates in the chroot"
fi
apt-config dump 2>/dev/null | grep -iE '^Acquire::[a-z]+::Proxy' \
  > "$root/etc/apt/apt.conf.d/90fresh-check-proxy" || rm -f "$root/etc/apt/apt.conf.d/90fresh-check-proxy"
for f in /etc/npmrc /usr/etc/npmrc /usr/local/etc/npmrc "$HOME/.npmrc"; do
  [ -f "$f" ] || continue
  case $f in "$HOME"/*) dst=$root/root/.npmrc ;; *) dst=$root$f ;; esac
  mkdir -p "$(dirname "$dst")"
  cp "$f" "$dst"
done

say "mounting /proc /sys /dev /dev/pts /dev/shm"
for m in proc sys dev dev/pts dev/shm; do
  [ -d "/$m" ] || continue
  mkdir -p "$root/$m"
  mount --bind "/$m" "$root/$m" || fail "mount --bind /$m"
  mounted+=("$root/$m")
done

say "cloning the committed HEAD"
timeout 300 git clone -q --no-hardlinks --no-checkout "$repo" "$root/root/vejled" \
  || fail "git clone"
git -C "$root/root/vejled" checkout -q --detach "$head" || fail "git checkout $head"

say "make test (as root in the chroot)"
t0=$(date +%s)
in_root 5400 bash -c 'cd /root/vejled && make test' 2>&1 || fail "make test in the fresh Debian 12"
say "make test passed in $(( $(date +%s) - t0 ))s ($(in_root 30 node --version 2>/dev/null))"

port_busy && fail "port 8080 became busy during the test; cannot check make run"
say "make run in the background"
# setsid: its own process group (id = run_pid), so that stopping it reaches make and the server.
setsid timeout --kill-after=30 900 chroot "$root" /usr/bin/env -i "${root_env[@]}" \
  bash -c 'cd /root/vejled && exec make run' > "$root/root/make-run.log" 2>&1 < /dev/null &
run_pid=$!
ok=0
for _ in $(seq 1 300); do
  code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 3 http://127.0.0.1:8080/healthz || true)
  [ "$code" = 200 ] && { ok=1; break; }
  kill -0 "$run_pid" 2>/dev/null || break
  sleep 1
done
if [ $ok -ne 1 ]; then
  tail -n 30 "$root/root/make-run.log"
  fail "make run: /healthz did not answer 200 within 300 s"
fi
say "/healthz answered 200; stopping make run (pid $run_pid)"
kill -TERM -- "-$run_pid" 2>/dev/null || kill -TERM "$run_pid"
for _ in $(seq 1 30); do kill -0 "$run_pid" 2>/dev/null || break; sleep 1; done
kill -0 "$run_pid" 2>/dev/null && fail "make run did not stop within 30 s of SIGTERM"
run_pid=""
say "PASSED: make test and make run on a bare Debian 12"
