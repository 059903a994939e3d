#!/usr/bin/env bash
# The end-to-end tests' key paths against one simian binary (meant for the native AOT build):
#   bench/aot-smoke.sh bench/.out/aot/simian [LABEL]
# Progress goes to stderr; one JSON line (the harness's result format) goes to stdout. Exit 0 when every check passes.
set -uo pipefail
cd "$(dirname "$0")/.."
simian=${1:?usage: bench/aot-smoke.sh PATH-TO-SIMIAN [LABEL]}
label=${2:-AOT binary}
load_start=$(cut -d' ' -f1-3 /proc/loadavg)
state=$(mktemp -d)
trap 'rm -rf "$state"' EXIT
export SIMIAN_STATE_DIR="$state/state" CI=true

passed=0 failed=0 failures=()
check() { # name, expected exit code, actual exit code[, extra condition 0/1]
  local name=$1 want=$2 got=$3 ok=${4:-0}
  if [ "$got" = "$want" ] && [ "$ok" = 0 ]; then
    passed=$((passed + 1)); echo "ok    $name (exit $got)" >&2
  else
    failed=$((failed + 1)); failures+=("$name: exit $got, wanted $want"); echo "FAIL  $name (exit $got, wanted $want)" >&2
  fi
}

"$simian" validate samples/quickstart.yaml >/dev/null 2>"$state/err"; check "validate samples/quickstart.yaml" 0 $?
# shellcheck disable=SC2046
"$simian" validate $(find chaos-profiles -name '*.yaml' | sort) >/dev/null 2>"$state/err"; check "validate chaos-profiles/*.yaml" 0 $?
printf 'apiVersion: simian/v1\nkind: Nope\n' > "$state/bad.yaml"
"$simian" validate "$state/bad.yaml" >"$state/out" 2>&1; code=$?
grep -q "bad.yaml:2:7: error: unsupported kind" "$state/out"; check "validate an invalid profile (errors at path:line:col)" 2 $code $?
"$simian" no-such-command >/dev/null 2>&1; check "unknown command is a usage error" 2 $?

"$simian" plan samples/quickstart.yaml --output json >"$state/plan.json" 2>"$state/err"; code=$?
json_ok=1
if command -v jq >/dev/null; then
  jq -e '(.fingerprint | startswith("sha256:")) and (.targets[0].selected == ["demo-api"])' "$state/plan.json" >/dev/null && json_ok=0
else
  grep -q '"fingerprint": *"sha256:' "$state/plan.json" && json_ok=0
fi
check "plan --output json (fingerprint, selected target)" 0 $code $json_ok

# The quickstart deviates on purpose: exit 5 once the latency was injected, detected and rolled back.
timeout 180 "$simian" run samples/quickstart.yaml --yes --output json >"$state/run.json" 2>"$state/run.err"; code=$?
run_ok=1
if command -v jq >/dev/null; then
  jq -e '.status == "deviated"' "$state/run.json" >/dev/null && run_ok=0
else
  grep -q '"status": *"deviated"' "$state/run.json" && run_ok=0
fi
[ "$code" = 5 ] || tail -20 "$state/run.err" >&2
check "run samples/quickstart.yaml --yes --output json (deviated, rolled back)" 5 $code $run_ok

total=$((passed + failed))
esc() { printf '%s' "$1" | sed 's/\\/\\\\/g; s/"/\\"/g'; }
notes=""
for f in "${failures[@]+"${failures[@]}"}"; do notes+="${notes:+,}\"$(esc "$f")\""; done
pass=$([ "$failed" = 0 ] && echo true || echo false)
printf '{"benchmark":"aot-smoke","reproduce":"bench/aot-smoke.sh %s","loadAverageStart":"%s","loadAverageEnd":"%s","finishedUtc":"%s","checks":[{"target":"%s passes the end-to-end key paths (validate exit codes, plan JSON, quickstart run → exit 5)","goal":"all pass","measured":"%d of %d checks passed","pass":%s}],"notes":[%s],"data":{"binary":"%s"}}\n' \
  "$(esc "$simian")" "$load_start" "$(cut -d' ' -f1-3 /proc/loadavg)" "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$(esc "$label")" "$passed" "$total" "$pass" "$notes" "$(esc "$simian")"
[ "$failed" = 0 ]
