#!/usr/bin/env bash
# The host-monitor assets: alert rules and their promtool unit tests, the
# scrape configurations, the Grafana dashboard, and docker-compose.yml
# (validated statically: no Docker engine runs here).
set -u
cd "$(dirname "$0")/.."
source test/lib/suite.sh
tmp=$(mktemp -d /tmp/fitbot-monitoring.XXXXXX)
trap 'rm -rf "$tmp"' EXIT

check "promtool check rules monitoring/alerts.yml" promtool check rules monitoring/alerts.yml
check "promtool test rules monitoring/alerts_test.yml (every alert fires and stays quiet)" \
    promtool test rules monitoring/alerts_test.yml
check "promtool check config monitoring/prometheus.yml" promtool check config monitoring/prometheus.yml
check "promtool check config monitoring/prometheus-compose.yml" promtool check config monitoring/prometheus-compose.yml
check "Grafana dashboard: valid JSON, only documented series" python3 monitoring/grafana/check_dashboard.py

# Every alert has an absolute runbook_url; all share one base (the one place to change it), and
# what follows the base is a file of this repository and a heading in it (GitHub's anchors), so the
# links follow the docs wherever they move.
check "every alert's runbook_url: one base, then a file of this repository and one of its headings" python3 - <<'PY'
import os, re, sys, yaml
rules = [r for g in yaml.safe_load(open('monitoring/alerts.yml'))['groups'] for r in g['rules'] if 'alert' in r]
def slugs(path):
    # GitHub's rule: lower case, punctuation dropped except - and _, spaces to -.
    headings = [l.lstrip('#').strip() for l in open(path) if re.match(r'#+ ', l)]
    return {re.sub(r'[^a-z0-9 _-]', '', h.lower()).replace(' ', '-') for h in headings}
bases, bad = set(), []
for rule in rules:
    url = rule.get('annotations', {}).get('runbook_url', '')
    if 'runbook' in rule.get('annotations', {}):
        bad.append(f"{rule['alert']}: the old relative `runbook` annotation")
    m = re.fullmatch(r'(https://[^#]+?)/([^/#][^#]*)#([^#]+)', url)
    # The base is what remains once the longest suffix of the path that is a file here is taken off.
    parts = m and m.group(1).split('/') + m.group(2).split('/')
    found = None
    for i in range(3, len(parts or [])):
        if os.path.isfile(os.path.join(*parts[i:])):
            found = ('/'.join(parts[:i]), os.path.join(*parts[i:]))
            break
    if not found:
        bad.append(f"{rule['alert']}: runbook_url {url!r} is not https://BASE/FILE#ANCHOR with FILE in this repository")
        continue
    bases.add(found[0])
    if m.group(3) not in slugs(found[1]):
        bad.append(f"{rule['alert']}: #{m.group(3)} is no heading of {found[1]}")
if len(bases) > 1:
    bad.append(f"more than one runbook base: {sorted(bases)}")
print('\n'.join(bad))
sys.exit(1 if bad else 0)
PY

# ---------------------------------------------------------------- Alertmanager
check "amtool check-config monitoring/alertmanager.yml" amtool check-config monitoring/alertmanager.yml
# The commented e-mail, Slack and Telegram examples are ready to fill: uncommented, the file still checks.
python3 - monitoring/alertmanager.yml >"$tmp/alertmanager-examples.yml" <<'PY'
import re, sys
for line in open(sys.argv[1]):
    m = re.match(r'^( {2,})# (\s*(?:- )?[a-z_]+:.*)$', line.rstrip('\n'))
    print(m.group(1) + m.group(2) if m else line.rstrip('\n'))
PY
check "alertmanager.yml's commented receiver examples (e-mail, Slack, Telegram) check once uncommented" bash -c "
    amtool check-config '$tmp/alertmanager-examples.yml' >/dev/null &&
    grep -q '^    email_configs:' '$tmp/alertmanager-examples.yml' && grep -q '^    slack_configs:' '$tmp/alertmanager-examples.yml' &&
    grep -q '^    telegram_configs:' '$tmp/alertmanager-examples.yml' && grep -q '^  smtp_smarthost:' '$tmp/alertmanager-examples.yml'"
# routes RECEIVER LABELS...: an alert with these labels goes to RECEIVER (receivers only: grouping
# and inhibition are asserted end to end in test/alerting).
routes() {
    local receiver=$1; shift
    check "route: {$*} -> $receiver" bash -c 'receiver=$1; shift
        amtool config routes test --config.file=monitoring/alertmanager.yml --verify.receivers="$receiver" "$@" >/dev/null 2>&1' \
        _ "$receiver" "$@"
}
routes watchdog alertname=Watchdog severity=none
routes watchdog alertname=Watchdog severity=critical
routes default alertname=FitbotPartmanRunwayExhausted severity=critical parent=public.heart_rate_readings
routes default alertname=FitbotPartmanMaintenanceFailed severity=warning jobid=1
routes default alertname=HostMemoryCritical severity=critical instance=host:9100
routes default alertname=SomethingElse
check "every rule's severity is one alertmanager.yml routes (critical, warning; none for the Watchdog only)" python3 - <<'PY'
import sys, yaml
rules = [r for g in yaml.safe_load(open('monitoring/alerts.yml'))['groups'] for r in g['rules'] if 'alert' in r]
bad = [r['alert'] for r in rules if r['labels'].get('severity') not in ('critical', 'warning')
       and not (r['alert'] == 'Watchdog' and r['labels'].get('severity') == 'none')]
print(bad)
sys.exit(1 if bad else 0)
PY
check "both Prometheus configurations send to an Alertmanager" python3 - <<'PY'
import sys, yaml
sys.exit(0 if all(yaml.safe_load(open(f))['alerting']['alertmanagers'][0]['static_configs'][0]['targets']
                  for f in ('monitoring/prometheus.yml', 'monitoring/prometheus-compose.yml')) else 1)
PY
check "docs/monitoring.md's time-to-notify table has every alert, with its for: from alerts.yml" python3 - <<'PY'
import re, sys, yaml
rules = [r for g in yaml.safe_load(open('monitoring/alerts.yml'))['groups'] for r in g['rules'] if 'alert' in r]
rows = {m.group(1): m.group(2) for m in re.finditer(r'^\| (\w+) \| [^|]+ \| ([^|]+?) \|.*\|$', open('docs/monitoring.md').read(), re.M)}
bad = [f"{r['alert']}: docs/monitoring.md has {rows.get(r['alert'])!r}, alerts.yml {r.get('for', '-')!r}"
       for r in rules if rows.get(r['alert']) != r.get('for', '-')]
print('\n'.join(bad))
sys.exit(1 if bad else 0)
PY

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
check "docker-compose: every image pinned to a version, every service has a memory limit, together at most 896 MiB of the 1 GB host" \
    python3 -c '
import re, sys, yaml
services = yaml.safe_load(sys.stdin.read())["services"]
units = {"k": 1 / 1024, "m": 1, "g": 1024}
def mib(limit):
    m = re.fullmatch(r"(\d+)([kmg])?b?", str(limit).lower())
    return int(m.group(1)) * units[m.group(2)] if m.group(2) else int(m.group(1)) / 2**20
bad = [name + ": image " + s["image"] + " not pinned" for name, s in services.items()
       if "image" in s and not re.search(r":v?\d+\.\d+\.\d+$", s["image"])]
bad += [f"{name}: no mem_limit" for name, s in services.items() if "mem_limit" not in s]
total = sum(mib(s.get("mem_limit", 0)) for s in services.values())
print(f"memory limits: {total:.0f} MiB over {len(services)} services")
if total > 896: bad.append(f"{total:.0f} MiB > 896 MiB")
if "alertmanager" not in services: bad.append("no alertmanager service")
print("\n".join(bad))
sys.exit(1 if bad else 0)' <<<"$compose_config"
suite_result
