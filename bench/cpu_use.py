"""Where a machine's CPU went during a benchmark phase (Linux /proc): the load generator (this process), the
dashboard (its gunicorn processes, one process group) and the rest of the machine (CouchDB, when it runs here)."""

import os
import time
from pathlib import Path

TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def _busy_seconds():
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + fields[4]  # idle + iowait
    return (sum(fields[:8]) - idle) / TICKS


def _process_seconds(stat_text):
    fields = stat_text.rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS  # utime + stime, every thread of the process


def _group_seconds(group):
    total = 0.0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:  # the process ended meanwhile
            continue
        if int(text.rsplit(")", 1)[1].split()[2]) == group:
            total += _process_seconds(text)
    return total


def dashboard_seconds(dashboard_group):
    """CPU seconds the dashboard's processes (one process group) have used so far; 0 without /proc."""
    return _group_seconds(dashboard_group) if CpuUse.available else 0.0


class CpuUse:
    """`with CpuUse(group) as use: ...`, then use.cores: {part: cores used on average over the block}."""

    available = Path("/proc/stat").exists()

    def __init__(self, dashboard_group):
        self.group = dashboard_group
        self.cores = {}

    def _snapshot(self):
        return (time.perf_counter(), _busy_seconds(), _process_seconds(Path("/proc/self/stat").read_text()),
                _group_seconds(self.group))

    def __enter__(self):
        if self.available:
            self.start = self._snapshot()
        return self

    def __exit__(self, *exc):
        if not self.available:
            return
        end = self._snapshot()
        wall, busy, generator, dashboard = (b - a for a, b in zip(self.start, end, strict=True))
        self.cores = {"load generator": generator / wall, "dashboard": dashboard / wall,
                      "the rest (CouchDB, if here)": max(0.0, busy - generator - dashboard) / wall}

    def line(self, pages_per_second):
        if not self.cores:
            return "  cores used: (no /proc here)"
        return "  cores used, and ms of CPU a page: " + "; ".join(
            f"{part} {cores:.2f} ({cores * 1000 / pages_per_second:.1f} ms)" for part, cores in self.cores.items())
