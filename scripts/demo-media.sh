#!/usr/bin/env bash
# Generates the demo video files named by db/demo/packs/*.json ("media" of every video) into
# OUTDIR: a small H.264/AAC MP4 per video (640x360, 20 fps, yuv420p, faststart, well under
# 1 MB) of the video's duration_seconds, showing the group, the title in Danish and English,
# "Eksempelindhold / Example content" and a progress bar, over a quiet sine tone.
# Real content replaces these files; the service works without them (pages show the transcript).
#
#   scripts/demo-media.sh OUTDIR
#
# Idempotent: a file that already exists is left alone, and nothing is printed when every file
# exists. One line on stderr per generated file. Each file is written to a temporary name in
# OUTDIR and renamed into place, so a crash never leaves half a video under the real name.
# Without ffmpeg (or node, which reads the packs) it prints one warning and exits 0.
set -euo pipefail

if [ $# -ne 1 ] || [ -z "$1" ]; then
  echo "usage: scripts/demo-media.sh OUTDIR" >&2
  exit 2
fi
case $1 in /*) out=$1 ;; *) out=$PWD/$1 ;; esac   # relative to the caller, not the repo
cd "$(dirname "$0")/.."
for tool in ffmpeg node; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "demo-media: $tool not found; demo videos not generated (pages still show transcripts)" >&2
    exit 0
  fi
done

font=/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf
bold=/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf
if [ ! -r "$font" ]; then
  echo "demo-media: $font not found (fonts-dejavu-core); demo videos not generated" >&2
  exit 0
fi
[ -r "$bold" ] || bold=$font

# One record per video, fields separated by US (\x1f, so empty fields survive `read`):
# media, duration, background colour, group name, two title lines (da), two title lines (en).
# Text goes to ffmpeg through textfile=, so no drawtext escaping is needed.
# shellcheck disable=SC2016  # JavaScript, not shell: nothing to expand
list_js='
const fs = require("fs"), path = require("path");
const US = "\x1f";
const palette = ["0x1f4e5f", "0x2e4a62", "0x3b5249", "0x4a4e69", "0x2f5d62",
                 "0x5c4b51", "0x34495e", "0x3d5a40", "0x4b4453"];
function wrap(text, width) {            // at most two lines of about equal length
  if (text.length <= width) return [text, ""];
  const words = text.split(" ");
  let best = [text, ""], bestLen = Infinity;
  for (let i = 1; i < words.length; i++) {
    const a = words.slice(0, i).join(" "), b = words.slice(i).join(" ");
    const len = Math.max(a.length, b.length);
    if (len < bestLen) { best = [a, b]; bestLen = len; }
  }
  return best;
}
const clean = (s) => String(s || "").replace(/[\x00-\x1f\x7f]+/g, " ").trim();
const dir = "db/demo/packs";
const packs = fs.readdirSync(dir).filter((f) => f.endsWith(".json")).sort();
packs.forEach((f, i) => {
  const p = JSON.parse(fs.readFileSync(path.join(dir, f), "utf8"));
  const g = p.group || {};
  const bg = palette[i % palette.length];
  for (const v of p.videos || []) {
    const media = String(v.media || ""), d = v.duration_seconds;
    if (!/^[a-z0-9][a-z0-9._-]*\.mp4$/.test(media) || !Number.isInteger(d) || d < 1 || d > 600) {
      console.error(`demo-media: ${f}: skipping video ${v.slug}: bad media name or duration`);
      continue;
    }
    const t = v.title || {}, n = g.name || {};
    console.log([media, d, bg, clean(n.da), ...wrap(clean(t.da), 30), ...wrap(clean(t.en), 44)].join(US));
  }
});
'
list=$(node -e "$list_js")
[ -n "$list" ] || exit 0

mkdir -p "$out"
out=$(cd "$out" && pwd)
work=$(mktemp -d)
tmp=""
trap 'rm -rf "$work"; if [ -n "$tmp" ]; then rm -f "$tmp"; fi' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# drawtext for one line of text, centred horizontally; the text is written to a file in $work.
# args: name fontfile size colour y text
line() {
  printf '%s' "$6" >"$work/$1.txt"
  printf ',drawtext=fontfile=%s:textfile=%s.txt:expansion=none:fontsize=%s:fontcolor=%s:x=(w-text_w)/2:y=%s' \
    "$2" "$1" "$3" "$4" "$5"
}

while IFS=$'\x1f' read -r media dur bg group t1 t2 e1 e2; do
  [ -n "$media" ] || continue
  [ -e "$out/$media" ] && continue

  # Layout: group name on top, title (1–2 lines) and English title (1–2 lines) as one block
  # around the middle, the example-content label and a progress bar at the bottom.
  nt=1; [ -n "$t2" ] && nt=2
  ne=1; [ -n "$e2" ] && ne=2
  [ -n "$e1" ] || ne=0
  block=$(( nt * 44 + (ne > 0 ? 14 : 0) + ne * 30 ))
  y=$(( (360 - block) / 2 - 6 ))
  vf="[0:v]null"
  vf+=$(line group "$font" 20 'white@0.75' 34 "$group")
  vf+=$(line t1 "$bold" 34 white "$y" "$t1"); y=$(( y + 44 ))
  if [ "$nt" -eq 2 ]; then vf+=$(line t2 "$bold" 34 white "$y" "$t2"); y=$(( y + 44 )); fi
  y=$(( y + 14 ))
  if [ "$ne" -ge 1 ]; then vf+=$(line e1 "$font" 22 'white@0.85' "$y" "$e1"); y=$(( y + 30 )); fi
  if [ "$ne" -eq 2 ]; then vf+=$(line e2 "$font" 22 'white@0.85' "$y" "$e2"); fi
  vf+=$(line label "$font" 18 'white@0.9' 300 'Eksempelindhold / Example content')
  vf+="[bg];[bg][1:v]overlay=x=-w+W*t/${dur}:y=H-6:eval=frame:shortest=1[v]"
  af="[2:a]volume=0.06,afade=t=in:d=1,afade=t=out:st=$(( dur > 2 ? dur - 1 : 0 )):d=1[a]"

  tmp="$out/.$media.tmp.$$"
  (cd "$work" && ffmpeg -nostdin -hide_banner -loglevel error -y \
      -f lavfi -i "color=c=$bg:s=640x360:r=20:d=$dur" \
      -f lavfi -i "color=c=white:s=640x4:r=20:d=$dur" \
      -f lavfi -i "sine=frequency=220:sample_rate=44100:duration=$dur" \
      -filter_complex "$vf;$af" -map '[v]' -map '[a]' \
      -c:v libx264 -preset veryfast -tune stillimage -crf 28 -maxrate 200k -bufsize 400k \
      -profile:v main -level:v 3.0 -pix_fmt yuv420p -r 20 -g 40 \
      -c:a aac -b:a 32k -ac 1 -ar 44100 \
      -t "$dur" -movflags +faststart \
      -metadata title="$t1${t2:+ $t2}" -metadata comment='Eksempelindhold / Example content' \
      -f mp4 "$tmp")
  mv -f "$tmp" "$out/$media"
  tmp=""
  echo "demo-media: $media (${dur} s)" >&2
done <<<"$list"
