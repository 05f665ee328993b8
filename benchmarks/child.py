"""One timed run in a fresh process: ``python -m benchmarks.child '<json spec>'``.

The spec names a prepare function and its arguments. Setup is not timed; the run is. The
last line printed is JSON: seconds (wall clock, and the process's CPU time, which shows the
work when waiting for a core inflates the wall clock on a shared machine), the peak resident
memory of the run, and the figures the run's check read from its result. With ``"profile"``
set, the run is profiled instead and the statistics written to that path.
"""

from __future__ import annotations

import gc
import importlib
import json
import resource
import sys
import time
from pathlib import Path
from typing import Any


def _reset_peak() -> bool:
    # Linux lets a process reset its high-water mark, so the peak is the run's, not setup's.
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True


def _peak_bytes(reset: bool) -> int:
    if reset:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    scale = 1 if sys.platform == "darwin" else 1024  # ru_maxrss is KiB on Linux
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * scale


def main(argv: list[str]) -> int:
    spec: dict[str, Any] = json.loads(argv[0])
    module, name = spec["target"].split(":")
    job = getattr(importlib.import_module(module), name)(**spec["args"])
    gc.collect()
    reset = _reset_peak()
    if spec.get("profile"):
        import cProfile

        profiler = cProfile.Profile()
        start, cpu = time.perf_counter(), time.process_time()
        result = profiler.runcall(job.run)
        seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
        profiler.dump_stats(spec["profile"])
    else:
        start, cpu = time.perf_counter(), time.process_time()
        result = job.run()
        seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    peak = _peak_bytes(reset)
    check = job.check(result)
    sgfund = sys.modules.get("sgfund")
    where = str(Path(sgfund.__file__).parent) if sgfund and sgfund.__file__ else None
    report = {
        "seconds": seconds,
        "cpu_seconds": cpu,
        "peak_rss": peak,
        "check": check,
        "sgfund": where,
    }
    print(json.dumps(report, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
