#!/usr/bin/env bash
# Simian's performance benchmarks in one command: builds what they need (Release, plus the native AOT publish),
# runs every benchmark, and writes bench/results/latest.jsonl and latest.md (see docs/benchmarks.md).
#
#   bench/run.sh            the full run (about 15-20 minutes on 2 cores; a 5-minute soak is part of it)
#   bench/run.sh --quick    every benchmark with tiny sizes (under 2 minutes) to check that the harness works;
#                           exits 0 when every benchmark ran and gave correct answers, whatever the timings.
#                           Writes bench/results/quick.{jsonl,md}.
# Options: --aot / --no-aot  force or skip the AOT publish (default: full run publishes, --quick does not)
#          --configuration C Release (default) or Debug; --quick defaults to Debug, which CI has already built
# Everything talks to 127.0.0.1 only, and every loop is bounded in count and time.
set -euo pipefail
cd "$(dirname "$0")/.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

quick=0 aot="" config=""
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) quick=1 ;;
    --aot) aot=yes ;;
    --no-aot) aot=no ;;
    --configuration|-c) config=${2:?}; shift ;;
    -h|--help) sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "bench/run.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done
[ -n "$aot" ] || aot=$([ "$quick" = 1 ] && echo no || echo yes)
[ -n "$config" ] || config=$([ "$quick" = 1 ] && echo Debug || echo Release)
mode=$([ "$quick" = 1 ] && echo quick || echo full)
name=$([ "$quick" = 1 ] && echo quick || echo latest)

out=bench/.out
results=bench/results
mkdir -p "$out" "$results"
jsonl="$results/$name.jsonl"
machine="$out/machine-$name.json"
: >"$jsonl"

esc() { printf '%s' "$1" | sed 's/\\/\\\\/g; s/"/\\"/g' | tr '\n' ' '; }
load() { cut -d' ' -f1-3 /proc/loadavg; }
# What else is using the CPU right now: the second of two top samples one second apart (the first is since boot).
busiest() { top -b -n 2 -d 1 -o %CPU -w 200 2>/dev/null | awk '/^top -/ { frame++ } frame == 2 && $1 ~ /^[0-9]+$/ && n < 5 { printf "%s%s %s%%", (n++ ? ", " : ""), $12, $9 }'; }
started=$(date -u +%Y-%m-%dT%H:%M:%SZ)
load_start=$(load)
busy_start=$(busiest || true)
echo "bench: $mode run, configuration $config, load average $load_start" >&2

step() { echo "bench: $*" >&2; }
failures=()

# --- build -------------------------------------------------------------------------------------------------------
step "building bench/Simian.Bench ($config)"
dotnet build bench/Simian.Bench -c "$config" -warnaserror -v:q -nologo >"$out/build.log" 2>&1 \
  || { cat "$out/build.log" >&2; echo "bench: build failed" >&2; exit 1; }
fdd="src/ChaosCli/bin/$config/net10.0"
bench=(dotnet "bench/Simian.Bench/bin/$config/net10.0/Simian.Bench.dll")

aot_bin="$out/aot/simian"
publish_args=()
if [ "$aot" = yes ]; then
  step "publishing the native AOT binary to $out/aot (takes minutes)"
  rm -rf "$out/aot"
  t0=$(date +%s.%N)
  if dotnet publish src/ChaosCli -c Release -r linux-x64 -p:PublishAot=true -o "$out/aot" -nologo >"$out/aot-publish.log" 2>&1; then
    publish_seconds=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.0f", b - a }')
    publish_args=(--publish-log "$out/aot-publish.log" --publish-seconds "$publish_seconds")
  else
    tail -30 "$out/aot-publish.log" >&2
    failures+=("AOT publish failed (see $out/aot-publish.log)")
  fi
fi
[ "$aot" = yes ] && [ -x "$aot_bin" ] || aot_bin=""
# The start-up floor: a minimal Native AOT hello from bench/Hello, same SDK and settings, timed beside simian.
hello_bin=""
if [ -n "$aot_bin" ]; then
  step "publishing the AOT hello floor (bench/Hello) to $out/hello"
  rm -rf "$out/hello"
  if dotnet publish bench/Hello -c Release -r linux-x64 -p:PublishAot=true -o "$out/hello" -nologo >"$out/hello-publish.log" 2>&1; then
    hello_bin="$out/hello/hello"
  else
    tail -30 "$out/hello-publish.log" >&2
    failures+=("AOT hello publish failed (see $out/hello-publish.log)")
  fi
fi
simian=${aot_bin:-$fdd/simian}   # what ships is measured: the AOT binary when there is one
jit="$fdd/simian"

run() { # name, then the bench subcommand and its options
  local label=$1; shift
  step "$label: ${*}"
  if ! "${bench[@]}" "$@" >>"$jsonl"; then failures+=("$label"); fi
}

# --- benchmarks --------------------------------------------------------------------------------------------------
if [ "$quick" = 1 ]; then
  run startup startup ${aot_bin:+--aot "$aot_bin"} ${hello_bin:+--hello "$hello_bin"} --fdd "$fdd" --runs 5 --warmup 1 "${publish_args[@]+"${publish_args[@]}"}"
  step "aot-smoke: $simian"; bench/aot-smoke.sh "$simian" "$([ -n "$aot_bin" ] && echo "AOT binary" || echo "apphost (no AOT binary)")" >>"$jsonl" || failures+=("aot-smoke")
  run proxy-latency proxy-latency --simian "$simian" --roundtrips 1000 --warmup 200 --block 250
  run proxy-throughput proxy-throughput --simian "$simian" --bytes 64M --connections 1,64 --repeats 1
  run proxy-soak proxy-soak --simian "$simian" --duration 20s --workers 4
  run latency-precision latency-precision --simian "$simian" --requests 100 --connections 1,10 --single-requests 10 --baseline-requests 50
  run plan-scale plan-scale --simian "$simian" --counts 1000 --runs 1 --warmup 0
  run plan-breakdown plan-breakdown --sandbox "$jit" --count 2000
  run abort abort --simian "$simian" --runs 1
else
  run startup startup ${aot_bin:+--aot "$aot_bin"} ${hello_bin:+--hello "$hello_bin"} --fdd "$fdd" --runs 100 --warmup 10 "${publish_args[@]+"${publish_args[@]}"}"
  step "aot-smoke: $simian"; bench/aot-smoke.sh "$simian" "$([ -n "$aot_bin" ] && echo "AOT binary" || echo "apphost (no AOT binary)")" >>"$jsonl" || failures+=("aot-smoke")
  run proxy-latency proxy-latency --simian "$simian" --roundtrips 20000 --warmup 2000 --block 500 --processes 5 ${aot_bin:+--label "AOT proxy"}
  if [ -n "$aot_bin" ]; then
    run proxy-latency-jit proxy-latency --simian "$jit" --roundtrips 20000 --warmup 2000 --block 500 --processes 5 --label "JIT proxy"
  fi
  run proxy-throughput proxy-throughput --simian "$simian" --bytes 2G --connections 1,64 --repeats 5 --reference 64K,256K ${aot_bin:+--label "AOT proxy"}
  if [ -n "$aot_bin" ]; then
    run proxy-throughput-jit proxy-throughput --simian "$jit" --bytes 2G --connections 1,64 --repeats 5 --label "JIT proxy"
  fi
  run proxy-soak proxy-soak --simian "$simian" --duration 5m --workers 8
  run latency-precision latency-precision --simian "$simian" --requests 1000 --connections 1,50 --single-requests 300 --baseline-requests 500
  run plan-scale plan-scale --simian "$simian" ${aot_bin:+--simian-jit "$jit"} --sandbox "$jit" --counts 10000,100000 --runs 3 --warmup 1
  run plan-breakdown plan-breakdown --sandbox "$jit" --count 100000
  run abort abort --simian "$simian" --runs 10
fi

# --- results -----------------------------------------------------------------------------------------------------
commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
dirty=$([ -n "$(git status --porcelain 2>/dev/null | head -1)" ] && echo true || echo false)
cat >"$machine" <<JSON
{"mode":"$mode","command":"bench/run.sh$([ "$quick" = 1 ] && echo " --quick")","startedUtc":"$started","finishedUtc":"$(date -u +%Y-%m-%dT%H:%M:%SZ)",
 "commit":"$commit","dirty":$dirty,"nproc":"$(nproc)","cpu":"$(esc "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //')")",
 "memory":"$(awk '/MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)","kernel":"$(uname -r)","dotnet":"$(dotnet --version)",
 "loadStart":"$load_start","loadEnd":"$(load)","otherLoad":"$(esc "busiest processes at start: $busy_start; at end: $(busiest || true)")"}
JSON
"${bench[@]}" report --results "$jsonl" --machine "$machine" --out "$results/$name.md" || failures+=("report")

if [ ${#failures[@]} -gt 0 ]; then
  printf 'bench: FAILED: %s\n' "${failures[@]}" >&2
  exit 1
fi
echo "bench: done; results in $results/$name.md" >&2
