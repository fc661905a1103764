#!/usr/bin/env python3
"""The person at the end of the pipeline, for test/alerting/run.sh.

  webhook.py serve LOG PORTFILE
      An HTTP server on 127.0.0.1 (a free port, written to PORTFILE) that accepts Alertmanager's
      webhook POSTs and appends each, with the time it arrived and its path, as one JSON line to LOG.

  webhook.py wait LOG SECONDS PATH SINCE STATUS ALERTNAME [LABEL=VALUE...]
      Waits at most SECONDS for a notification on PATH that arrived after SINCE (Unix seconds) and
      holds an alert ALERTNAME with status STATUS (firing or resolved) and these labels. Prints
      "<seconds since SINCE> <arrival, Unix seconds> <runbook_url>" and exits 0, or exits 1.

  webhook.py count LOG PATH SINCE UNTIL STATUS ALERTNAME
      Notifications on PATH in [SINCE, UNTIL) holding ALERTNAME with STATUS (ALERTNAME '*': any).

  webhook.py names LOG PATH SINCE UNTIL STATUS
      The distinct alert names notified on PATH in [SINCE, UNTIL) with STATUS, space-separated.

  webhook.py silent LOG PATH SECONDS
      Exits 0 when nothing arrived on PATH for the last SECONDS; prints when the last one came.
"""
import http.server
import json
import os
import sys
import time


def serve(log_path, port_file):
    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers.get('Content-Length', 0)))
            record = {'received': time.time(), 'path': self.path, 'body': json.loads(body)}
            with open(log_path, 'a') as log:
                log.write(json.dumps(record) + '\n')
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(('127.0.0.1', 0), Handler)
    with open(port_file + '.tmp', 'w') as f:
        f.write(str(server.server_address[1]))
    os.rename(port_file + '.tmp', port_file)
    server.serve_forever()


def notifications(log_path):
    try:
        with open(log_path) as log:
            return [json.loads(line) for line in log if line.endswith('\n')]
    except FileNotFoundError:
        return []


def alerts(log_path, path, since, until, status, alertname):
    """(received, alert) for each matching alert of each matching notification."""
    for record in notifications(log_path):
        if record['path'] != path or not since <= record['received'] < until:
            continue
        for alert in record['body']['alerts']:
            if alert['status'] == status and alertname in ('*', alert['labels'].get('alertname')):
                yield record['received'], alert


def main(argv):
    command = argv[1]
    if command == 'serve':
        serve(argv[2], argv[3])
    elif command == 'wait':
        log_path, seconds, path, since, status, alertname = argv[2:8]
        labels = dict(arg.split('=', 1) for arg in argv[8:])
        since, deadline = float(since), time.time() + float(seconds)
        while True:
            for received, alert in alerts(log_path, path, since, float('inf'), status, alertname):
                if all(alert['labels'].get(k) == v for k, v in labels.items()):
                    print(f"{received - since:.1f} {received:.3f} {alert['annotations'].get('runbook_url', '')}")
                    return 0
            if time.time() > deadline:
                return 1
            time.sleep(0.2)
    elif command == 'count':
        log_path, path, since, until, status, alertname = argv[2:8]
        records = {received for received, _ in alerts(log_path, path, float(since), float(until), status, alertname)}
        print(len(records))
    elif command == 'names':
        log_path, path, since, until, status = argv[2:7]
        names = {a['labels']['alertname'] for _, a in alerts(log_path, path, float(since), float(until), status, '*')}
        print(' '.join(sorted(names)))
    elif command == 'silent':
        log_path, path, seconds = argv[2:5]
        last = max([r['received'] for r in notifications(log_path) if r['path'] == path] or [0])
        print(f'{last:.3f}')
        return 0 if time.time() - last >= float(seconds) else 1
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
