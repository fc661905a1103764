#!/usr/bin/env bash
# The host-monitor assets: alert rules and their promtool unit tests, the
# scrape configurations, the Grafana dashboard, and docker-compose.yml
# (validated statically: no Docker engine runs here).
set -u
cd "$(dirname "$0")/.."
source test/lib/suite.sh

check "promtool check rules monitoring/alerts.yml" promtool check rules monitoring/alerts.yml
check "promtool test rules monitoring/alerts_test.yml (every alert fires and stays quiet)" \
    promtool test rules monitoring/alerts_test.yml
check "promtool check config monitoring/prometheus.yml" promtool check config monitoring/prometheus.yml
check "promtool check config monitoring/prometheus-compose.yml" promtool check config monitoring/prometheus-compose.yml
check "Grafana dashboard: valid JSON, only documented series" python3 monitoring/grafana/check_dashboard.py

# Every runbook link points at a README section.
runbooks_ok=true
for anchor in $(sed -n 's/.*runbook: README.md#\(.*\)/\1/p' monitoring/alerts.yml | sort -u); do
    if ! grep -qiE "^#+ .*" README.md || ! python3 - "$anchor" <<'PY'
import re, sys
anchor = sys.argv[1]
headings = [line.lstrip('#').strip() for line in open('README.md') if line.startswith('#')]
# GitHub's rule: lower case, punctuation dropped except - and _, spaces to -.
slugs = {re.sub(r'[^a-z0-9 _-]', '', h.lower()).replace(' ', '-') for h in headings}
sys.exit(0 if anchor in slugs else 1)
PY
    then
        echo "runbook anchor #$anchor has no README heading"
        runbooks_ok=false
    fi
done
check "every alert's runbook anchor is a README heading" $runbooks_ok

check "docker-compose.yml is valid (docker-compose config)" \
    env POSTGRES_PASSWORD=test docker-compose -f docker-compose.yml config -q
compose_config=$(env POSTGRES_PASSWORD=test docker-compose -f docker-compose.yml config)
check "docker-compose publishes ports on loopback only, and no password on a command line" \
    python3 -c '
import sys, yaml
services = yaml.safe_load(sys.stdin.read())["services"]
bad = [f"{name}: {port}" for name, service in services.items() for port in service.get("ports", [])
       if not str(port).startswith("127.0.0.1:")]
bad += [f"{name}: password in command" for name, service in services.items()
        if "password" in " ".join(service.get("command", []) if isinstance(service.get("command"), list)
                                   else [str(service.get("command", ""))]).lower()]
print("\n".join(bad))
sys.exit(1 if bad else 0)' <<<"$compose_config"
suite_result
