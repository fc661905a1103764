#!/usr/bin/env python3
"""The test copy of the shipped monitoring configuration, for test/alerting/run.sh.

  test_configs.py OUT_DIR EXPORTER_PORT ALERTMANAGER_PORT WEBHOOK_PORT

Writes OUT_DIR/{alerts,prometheus,alertmanager}.yml from monitoring/ with only the durations and the
addresses changed; routes, matchers, grouping, inhibition, send_resolved, expressions, labels and
annotations stay as shipped:
  - every `for:` of alerts.yml is divided by 60 (a minute becomes a second; 2 s at least);
  - Prometheus scrapes and evaluates every second, the exporter only, and sends to the test's
    Alertmanager;
  - Alertmanager waits 1 s for a group (the Watchdog's 0 s stays), flushes every second, repeats
    the Watchdog every 2 s and criticals every 4 s; both receivers post to the recorder, on
    /default and /watchdog.
"""
import re
import sys
import yaml

out, exporter_port, alertmanager_port, webhook_port = sys.argv[1:5]
UNITS = {'s': 1, 'm': 60, 'h': 3600, 'd': 86400}


def seconds(duration):
    return sum(int(n) * UNITS[u] for n, u in re.findall(r'(\d+)([smhd])', duration))


rules = yaml.safe_load(open('monitoring/alerts.yml'))
for group in rules['groups']:
    for rule in group['rules']:
        if 'for' in rule:
            rule['for'] = f"{max(2, seconds(rule['for']) // 60)}s"
yaml.safe_dump(rules, open(f'{out}/alerts.yml', 'w'), sort_keys=False)

prometheus = yaml.safe_load(open('monitoring/prometheus.yml'))
prometheus['global'] = {'scrape_interval': '1s', 'evaluation_interval': '1s'}
prometheus['scrape_configs'] = [job for job in prometheus['scrape_configs'] if job['job_name'] == 'fitbot_partman']
prometheus['scrape_configs'][0]['static_configs'] = [{'targets': [f'127.0.0.1:{exporter_port}']}]
prometheus['alerting']['alertmanagers'] = [{'static_configs': [{'targets': [f'127.0.0.1:{alertmanager_port}']}]}]
yaml.safe_dump(prometheus, open(f'{out}/prometheus.yml', 'w'), sort_keys=False)

alertmanager = yaml.safe_load(open('monitoring/alertmanager.yml'))


def shorten(route):
    matchers = ' '.join(route.get('matchers', []))
    if 'group_wait' in route and seconds(route['group_wait']) > 0:
        route['group_wait'] = '1s'
    if 'group_interval' in route:
        route['group_interval'] = '1s'
    if 'repeat_interval' in route:
        route['repeat_interval'] = ('2s' if 'Watchdog' in matchers else '4s' if 'critical' in matchers else '1h')
    for child in route.get('routes', []):
        shorten(child)


shorten(alertmanager['route'])
for receiver in alertmanager['receivers']:
    for webhook in receiver.get('webhook_configs', []):
        webhook['url'] = f"http://127.0.0.1:{webhook_port}/{receiver['name']}"
yaml.safe_dump(alertmanager, open(f'{out}/alertmanager.yml', 'w'), sort_keys=False)
