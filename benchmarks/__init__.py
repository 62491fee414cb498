"""Performance benchmarks for CPC Tracker.

- `python -m benchmarks.pages` (`make bench`): builds a large data set in its own database
  (cpc_tracker_bench, never the developers' cpc_tracker) and times every page in the URLconf.
- `scripts/load-test.sh` (`make load`): a wrk load run against gunicorn on that database.

Method and results: docs/performance.md.
"""

# Shared by benchmarks.pages, benchmarks.dataset and scripts/load-test.sh (which must not import Django
# models before settings are configured, so these live here).
BENCH_DATABASE = "cpc_tracker_bench"
MARKER_TABLE = "benchmark_dataset"  # holds the data set's parameters once it is completely built
