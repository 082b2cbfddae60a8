#!/bin/bash
# Where durability's cost arises: row (b) of make bench (durable answer submissions/s ÷ the
# same load with PRAGMA synchronous=OFF) measured with the database in four places,
# alternating in every round, so that the places can be compared in one run:
#   disk     a directory under build/, on the repository's own disk (what make bench uses)
#   tmpfs    a directory in /dev/shm: a sync does nothing, nothing is written back
#   ram      ext4 without a journal (as the disk's ext4 on the machines this was written
#            on) on a loop device whose backing file lies in /dev/shm: the block layer,
#            the file system's write-back and every cache flush happen as on a disk, but
#            the "device" keeps the bytes in memory, so a flush has nothing to make durable
#   ram-nb   the same, mounted with nobarrier: write-back and its wait, no cache flushes
# Per run: submissions/s and the machine's busy CPU µs per acknowledged submission
# (/proc/stat, everything on the machine, load generator included).
# Needs root (losetup, mkfs.ext4, mount) and about 8 GB free in /dev/shm; everything it
# mounts, attaches and starts it removes again on exit.  Loopback only, bounded rounds.
# usage: scripts/bench/durability-where.sh [VEJLED_BIN [TEST_BIN]]
#   TEST_BIN: a build with -DVEJLED_TESTING and no sanitizer (make bench builds
#   build/bench/vejled).  Environment: BENCH_ROUNDS (10), BENCH_SECONDS (5), PLACES (the
#   places to measure, default "disk tmpfs ram ram-nb"), BENCH_THREADS ([server] threads).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
BIN=${1:-$ROOT/build/vejled}
TBIN=${2:-$ROOT/build/bench/vejled}
SECS=${BENCH_SECONDS:-5}
ROUNDS=${BENCH_ROUNDS:-10}
PLACES=${PLACES:-disk tmpfs ram ram-nb}
CONNS=64
if [ "$(id -u)" != 0 ]; then
    echo "durability-where: needs root for losetup, mkfs.ext4 and mount" >&2
    exit 2
fi
for tool in losetup mkfs.ext4 mount umount; do
    command -v "$tool" >/dev/null || { echo "durability-where: $tool is missing" >&2; exit 2; }
done
[ -x "$TBIN" ] || { echo "durability-where: no test build at $TBIN (make bench builds it)" >&2; exit 2; }
# shellcheck source=scripts/bench/lib.sh
. "$HERE/lib.sh"

SHM=$(mktemp -d /dev/shm/vejled-where.XXXXXX)
MOUNTS=()
LOOPS=()
cleanup_where() {
    cleanup
    for m in "${MOUNTS[@]}"; do umount "$m" 2>/dev/null || true; done
    for l in "${LOOPS[@]}"; do losetup -d "$l" 2>/dev/null || true; done
    rm -rf "$SHM"
}
trap cleanup_where EXIT

# ram_fs NAME MOUNT-OPTIONS: an ext4 file system on a loop device over a file in /dev/shm,
# mounted at $SHM/NAME.mnt (not in a subshell: the cleanup needs LOOPS and MOUNTS)
ram_fs() {
    local img="$SHM/$1.img" mnt="$SHM/$1.mnt" dev
    truncate -s 4G "$img"
    dev=$(losetup -f --show "$img")
    LOOPS+=("$dev")
    mkfs.ext4 -q -O ^has_journal "$dev"
    mkdir -p "$mnt"
    mount -o "$2" "$dev" "$mnt"
    MOUNTS+=("$mnt")
}

echo "durability-where — $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) CPUs, wrk ${SECS}s x $ROUNDS rounds, $CONNS connections"

# one prepared database (the demo, 64 citizens with open sessions), copied to each place
bench_db "$BIN"
start_server prepare "$BIN" "$DB" "$WORK/vejled.ini"
node "$HERE/prepare.mjs" "$PORT" "$KEY" "$DB" "$CONNS" "$WORK"
stop_server "$SPID"

declare -A DIR SUM
for place in $PLACES; do
    case $place in
    disk) DIR[$place]=$WORK/disk ;;
    tmpfs) DIR[$place]=$SHM/tmpfs ;;
    ram) ram_fs ram relatime; DIR[$place]=$SHM/ram.mnt ;;
    ram-nb) ram_fs ram-nb relatime,nobarrier; DIR[$place]=$SHM/ram-nb.mnt ;;
    *) echo "durability-where: unknown place $place" >&2; exit 2 ;;
    esac
    mkdir -p "${DIR[$place]}"
    chmod 755 "${DIR[$place]}"
    cp "$DB" "${DIR[$place]}/v.db"
    [ -f "$DB.key" ] && cp "$DB.key" "${DIR[$place]}/v.db.key"
done

# busy and idle jiffies of the whole machine
cpu_ticks() { awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 + $9, $5 + $6 }' /proc/stat; }
# busy_us BEFORE AFTER N: busy CPU µs per submission between two readings
busy_us() {
    awk -v a="$1" -v b="$2" -v n="$3" -v hz="$(getconf CLK_TCK)" 'BEGIN { split(a, A); split(b, B)
        printf "%.0f", (n > 0 ? (B[1] - A[1]) * 1e6 / hz / n : 0) }'
}

for r in $(seq 1 "$ROUNDS"); do
    line="round $r:"
    for place in $PLACES; do
        for mode in durable off; do
            env=()
            [ "$mode" = off ] && env=(VEJLED_TEST_SYNCHRONOUS=OFF)
            sync
            start_server "$place-$mode" "$TBIN" "${DIR[$place]}/v.db" "$WORK/vejled.ini" "${env[@]}"
            c0=$(cpu_ticks)
            v=$(submit_rps "$PORT")
            c1=$(cpu_ticks)
            stop_server "$SPID"
            SUM[$place-$mode]=$(add "${SUM[$place-$mode]:-0}" "$v")
            line+=$(printf " %s %s %.0f/s %sµs" "$place" "$mode" "$v" "$(busy_us "$c0" "$c1" "$(cat "$WORK/sent")")")
        done
        line+=" |"
    done
    echo "$line"
done
echo
for place in $PLACES; do
    "$BIN" verify --db "${DIR[$place]}/v.db" >/dev/null 2>&1 ||
        { echo "durability-where: the journal in $place does not verify"; exit 1; }
    printf "  %-7s durable ÷ synchronous=OFF %s   (durable %.0f/s, OFF %.0f/s, mean of the rounds)\n" \
        "$place" "$(ratio "${SUM[$place-durable]}" "${SUM[$place-off]}")" \
        "$(awk -v s="${SUM[$place-durable]}" -v n="$ROUNDS" 'BEGIN { print s / n }')" \
        "$(awk -v s="${SUM[$place-off]}" -v n="$ROUNDS" 'BEGIN { print s / n }')"
done
