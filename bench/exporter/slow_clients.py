#!/usr/bin/env python3
"""Scrape latency of an exporter beside idle and slow TCP clients (issue 19).

usage: slow_clients.py URL [--idle N] [--slow N] [--seconds S] [--interval S]

First the baseline: scrapes alone, for the same number of scrapes. Then IDLE
clients that connect and send nothing, and SLOW ones that send a request line
and then one header line every 2 s (slowloris), all reconnecting as soon as the
server closes them, so that the load stays the same for the whole run; scrapes
go on meanwhile, each on a new connection, with a 10 s timeout (Prometheus's
default scrape timeout).

Prints one line of key=value pairs:
  baseline_median_ms baseline_p99_ms baseline_max_ms loaded_median_ms loaded_p99_ms
  loaded_max_ms baseline_scrapes scrapes (beside the clients) failed (both) idle_cut_s slow_cut_s (the median time the server kept an
  idle or a slow client before closing it; "none" when it kept them all)
  idle_open slow_open (clients connected at the end)
Every loop is bounded by --seconds; the process ends by itself.
"""
import argparse
import selectors
import socket
import statistics
import time
import urllib.parse

SCRAPE_TIMEOUT = 10.0
DRIBBLE_EVERY = 2.0


def scrape(host, port, path):
    """Milliseconds for one GET on a new connection, or None when it failed."""
    started = time.monotonic()
    try:
        with socket.create_connection((host, port), timeout=SCRAPE_TIMEOUT) as conn:
            conn.settimeout(SCRAPE_TIMEOUT)
            conn.sendall(f"GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n".encode())
            data = b""
            while True:
                chunk = conn.recv(65536)
                if not chunk:
                    break
                data += chunk
                if time.monotonic() - started > SCRAPE_TIMEOUT:
                    return None
        if not data.startswith(b"HTTP/1.1 200") or b"fitbot_partman_" not in data:
            return None
    except OSError:
        return None
    return (time.monotonic() - started) * 1000


class Clients:
    """IDLE and SLOW clients, reconnected when the server closes one."""

    def __init__(self, host, port, idle, slow):
        self.host, self.port = host, port
        self.selector = selectors.DefaultSelector()
        self.cut = {"idle": [], "slow": []}
        self.open = {"idle": 0, "slow": 0}
        self.wanted = {"idle": idle, "slow": slow}

    def connect(self, kind):
        conn = socket.socket(socket.AF_INET6 if ":" in self.host else socket.AF_INET)
        conn.setblocking(False)
        try:
            conn.connect_ex((self.host, self.port))
        except OSError:
            conn.close()
            return
        state = {"kind": kind, "since": time.monotonic(), "next": time.monotonic(), "lines": 0}
        self.selector.register(conn, selectors.EVENT_READ, state)
        self.open[kind] += 1

    def top_up(self):
        for kind, wanted in self.wanted.items():
            while self.open[kind] < wanted:
                self.connect(kind)

    def closed(self, conn, state):
        self.selector.unregister(conn)
        conn.close()
        self.open[state["kind"]] -= 1
        self.cut[state["kind"]].append(time.monotonic() - state["since"])

    def turn(self, wait):
        """Notice closed clients, let the slow ones dribble; at most `wait` s."""
        for key, _ in self.selector.select(timeout=wait):
            try:
                data = key.fileobj.recv(4096)
            except (BlockingIOError, InterruptedError):
                continue
            except OSError:
                data = b""
            if not data:  # the server closed it (or answered and closed)
                self.closed(key.fileobj, key.data)
        now = time.monotonic()
        for key in list(self.selector.get_map().values()):
            state = key.data
            if state["kind"] != "slow" or now < state["next"]:
                continue
            line = b"GET /metrics HTTP/1.1\r\n" if state["lines"] == 0 else b"X-Slow-%d: 1\r\n" % state["lines"]
            try:
                key.fileobj.send(line)
            except (BlockingIOError, InterruptedError):
                pass
            except OSError:
                self.closed(key.fileobj, state)
                continue
            state["lines"] += 1
            state["next"] = now + DRIBBLE_EVERY
        self.top_up()

    def close_all(self):
        for key in list(self.selector.get_map().values()):
            key.fileobj.close()
        self.selector.close()


def summary(latencies):
    ok = sorted(x for x in latencies if x is not None)
    if not ok:
        return "none", "none", "none"
    p99 = ok[min(len(ok) - 1, int(len(ok) * 0.99))]
    return f"{statistics.median(ok):.1f}", f"{p99:.1f}", f"{ok[-1]:.1f}"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("url")
    parser.add_argument("--idle", type=int, default=200)
    parser.add_argument("--slow", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=15)
    parser.add_argument("--interval", type=float, default=0.25, help="seconds between scrapes")
    args = parser.parse_args()
    url = urllib.parse.urlsplit(args.url)
    host, port, path = url.hostname, url.port, url.path or "/"

    count = max(1, int(args.seconds / args.interval))
    baseline = [scrape(host, port, path) for _ in range(count)]

    clients = Clients(host, port, args.idle, args.slow)
    clients.top_up()
    # Let every client connect (and the slow ones begin) before measuring.
    settle_until = time.monotonic() + 1.0
    while time.monotonic() < settle_until:
        clients.turn(0.05)
    loaded = []
    end = time.monotonic() + args.seconds
    next_scrape = time.monotonic()
    while time.monotonic() < end:
        if time.monotonic() >= next_scrape:
            loaded.append(scrape(host, port, path))
            next_scrape = time.monotonic() + args.interval
        clients.turn(max(0.0, min(0.05, next_scrape - time.monotonic())))
    idle_open, slow_open = clients.open["idle"], clients.open["slow"]
    clients.close_all()

    b_median, b_p99, b_max = summary(baseline)
    l_median, l_p99, l_max = summary(loaded)
    cut = {k: (f"{statistics.median(v):.1f}" if v else "none") for k, v in clients.cut.items()}
    failed = sum(1 for x in loaded if x is None) + sum(1 for x in baseline if x is None)
    print(f"baseline_median_ms={b_median} baseline_p99_ms={b_p99} baseline_max_ms={b_max} "
          f"loaded_median_ms={l_median} loaded_p99_ms={l_p99} loaded_max_ms={l_max} "
          f"baseline_scrapes={len(baseline)} scrapes={len(loaded)} failed={failed} "
          f"idle_cut_s={cut['idle']} slow_cut_s={cut['slow']} idle_open={idle_open} slow_open={slow_open}")


if __name__ == "__main__":
    main()
