#!/bin/sh
# Runs the libFuzzer targets NAME... (every one in BUILD/fuzzers without names) for SECONDS
# each (bounded: -max_total_time, -timeout per input, -rss_limit_mb).  Exit 1 if any target
# finds a crash, leak or timeout.
# usage: tests/fuzz/run.sh BUILD SECONDS [NAME...]      (from the repository root)
set -u
build=$1
seconds=$2
shift 2
if [ $# -eq 0 ]; then
    for bin in "$build"/fuzzers/fuzz_*; do
        case $bin in *.d) ;; *) set -- "$@" "${bin##*/fuzz_}" ;; esac
    done
fi
fail=0
for name in "$@"; do
    bin="$build/fuzzers/fuzz_$name"
    work="$build/corpus/$name"
    mkdir -p "$work"
    log="$build/fuzz_$name.log"
    if "$bin" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=4096 \
        -artifact_prefix="$build/crash-$name-" -print_final_stats=1 \
        "$work" "tests/fuzz/corpus/$name" >"$log" 2>&1; then
        runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
        echo "  fuzz $name: ${runs:-?} inputs in ${seconds}s, no crash"
    else
        echo "  fuzz $name: FAILED — see $log"
        tail -n 30 "$log"
        fail=1
    fi
done
exit $fail
