#!/usr/bin/env python3
"""Scrapes a URL at a fixed rate for a while and prints latency percentiles.

usage: load.py URL RATE SECONDS -> "median_ms p99_ms errors count"
A request is issued every 1/RATE seconds on its own thread (open loop, as a
scraper would), so a slow answer does not slow the arrival rate."""
import statistics
import sys
import threading
import time
import urllib.request

url, rate, seconds = sys.argv[1], float(sys.argv[2]), float(sys.argv[3])
latencies, errors, lock = [], [0], threading.Lock()


def scrape():
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            response.read()
            ok = response.status == 200
    except Exception:
        ok = False
    elapsed = (time.perf_counter() - started) * 1000
    with lock:
        if ok:
            latencies.append(elapsed)
        else:
            errors[0] += 1


threads = []
start = time.perf_counter()
for i in range(int(rate * seconds)):
    delay = start + i / rate - time.perf_counter()
    if delay > 0:
        time.sleep(delay)
    thread = threading.Thread(target=scrape)
    thread.start()
    threads.append(thread)
for thread in threads:
    thread.join()
latencies.sort()
p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] if latencies else float("nan")
print(f"{statistics.median(latencies) if latencies else float('nan'):.3f} {p99:.3f} {errors[0]} {len(latencies)}")
