#!/usr/bin/env bash
# Smoke-checks a running Simian sandbox with the real aws-cli.
#
#   SANDBOX_ENDPOINT=http://127.0.0.1:4566 tests/awscli/check.sh
#
# Credentials come from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY (default: the sample fleet's
# AKIASANDBOX / sandbox-secret). SANDBOX_BUCKET names a bucket that has a policy (optional).
# AWS_CLI picks the binary (default: /usr/bin/aws, else `aws` on PATH). The automated version of
# these checks is tests/Simian.Sandbox.Tests/AwsCli/AwsCliTests.cs, which starts its own sandbox.
set -euo pipefail

endpoint="${SANDBOX_ENDPOINT:?set SANDBOX_ENDPOINT to the sandbox URL, e.g. http://127.0.0.1:4566}"
case "$endpoint" in
  http://127.*|http://localhost*|http://\[::1\]*) ;;
  *) echo "check.sh: refusing non-loopback endpoint '$endpoint'" >&2; exit 2 ;;
esac

aws_bin="${AWS_CLI:-}"
if [[ -z "$aws_bin" ]]; then
  if [[ -x /usr/bin/aws ]]; then aws_bin=/usr/bin/aws; else aws_bin="$(command -v aws || true)"; fi
fi
if [[ -z "$aws_bin" ]]; then
  echo "check.sh: aws-cli not found (apt-get install -y awscli)" >&2
  exit 1
fi

export AWS_ACCESS_KEY_ID="${AWS_ACCESS_KEY_ID:-AKIASANDBOX}"
export AWS_SECRET_ACCESS_KEY="${AWS_SECRET_ACCESS_KEY:-sandbox-secret}"
export AWS_DEFAULT_REGION="${AWS_DEFAULT_REGION:-us-east-1}"
export AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null
export AWS_EC2_METADATA_DISABLED=true AWS_PAGER="" AWS_CLI_AUTO_PROMPT=off AWS_MAX_ATTEMPTS=1
unset AWS_PROFILE AWS_SESSION_TOKEN

passed=0
failed=0
aws_() { "$aws_bin" "$@" --endpoint-url "$endpoint" --region "$AWS_DEFAULT_REGION" --output json; }

# check NAME PYTHON-EXPRESSION-ON-doc -- aws arguments...
check() {
  local name="$1" expr="$2"; shift 3
  local out
  if out="$(aws_ "$@" 2>&1)" && printf '%s' "$out" | python3 -c "import json,sys; doc=json.load(sys.stdin); sys.exit(0 if ($expr) else 1)"; then
    echo "ok   $name"; passed=$((passed + 1))
  else
    echo "FAIL $name"; printf '%s\n' "$out" | sed 's/^/     /' | head -20; failed=$((failed + 1))
  fi
}

echo "aws-cli: $("$aws_bin" --version 2>&1)"
check "sts get-caller-identity" "doc['Arn'].startswith('arn:aws:')" -- sts get-caller-identity
check "ec2 describe-instances" "isinstance(doc['Reservations'], list)" -- ec2 describe-instances
check "ec2 describe-instances paginated" "isinstance(doc['Reservations'], list)" -- ec2 describe-instances --page-size 5
check "s3api list-buckets" "isinstance(doc.get('Buckets', []), list)" -- s3api list-buckets
if [[ -n "${SANDBOX_BUCKET:-}" ]]; then
  check "s3api get-bucket-policy" "json.loads(doc['Policy']).get('Statement') is not None" -- s3api get-bucket-policy --bucket "$SANDBOX_BUCKET"
  check "s3api list-objects-v2" "True" -- s3api list-objects-v2 --bucket "$SANDBOX_BUCKET"
fi

echo "$passed passed, $failed failed"
[[ $failed -eq 0 ]]
