"""Benchmarks of what serverless users pay for: cold start, package size, warm request overhead, AWS
request counts, queue throughput, load on the local stack, the money all that costs, and the web console's
JavaScript weight and first paint in Chromium.

Run with ``make bench`` (``python -m bench``). Every figure is a ratio to a floor measured in the same run;
one table is printed and ``bench/results.json`` written. Benchmarks report, they never fail on timing.
Importing this package has no side effects: each figure sets up what it needs when it runs.
"""
from __future__ import annotations

FIGURES: tuple[str, ...] = ("cold_start", "package", "warm", "requests", "requests_busy_office", "queues", "load",
                            "money", "money_busy_office", "console", "dashboard", "heat", "courier_cost", "licences")
