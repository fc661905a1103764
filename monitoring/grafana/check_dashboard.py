#!/usr/bin/env python3
"""Checks the Grafana dashboard: valid JSON, unique panel ids, every query
uses only series the exporter produces (monitoring/METRICS.md), and every
series it reads is filtered by the `database` variable (serve --all-databases)."""
import json
import re
import sys
from pathlib import Path

here = Path(__file__).resolve().parent
documented = set(re.findall(r"`(fitbot_partman_[a-z_]+)`", (here.parent / "METRICS.md").read_text()))
dashboard = json.loads((here / "fitbot_partman.json").read_text())
problems = []
ids = [panel["id"] for panel in dashboard["panels"]]
if len(ids) != len(set(ids)):
    problems.append("panel ids are not unique")
for panel in dashboard["panels"]:
    for target in panel.get("targets", []):
        for name in re.findall(r"\bfitbot_partman_[a-z_]+", target["expr"]):
            if name not in documented:
                problems.append(f"panel {panel['title']!r} uses {name}, which METRICS.md does not list")
        for name, selector in re.findall(r"\b(fitbot_partman_[a-z_]+)(\{[^}]*\})?", target["expr"]):
            if 'database=~"$database"' not in selector:
                problems.append(f"panel {panel['title']!r}: {name} is not filtered by the database variable")
if not any(v["name"] == "database" and v.get("allValue") == ".*" for v in dashboard["templating"]["list"]):
    problems.append("no `database` variable whose All matches series without the label (allValue .*)")
for problem in problems:
    print(problem)
sys.exit(1 if problems else 0)
