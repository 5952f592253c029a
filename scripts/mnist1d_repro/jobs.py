"""What every rule script does first: send output to the job's log, honour its thread count."""
from __future__ import annotations

import os
import sys
import time


def limit_threads(threads: int) -> None:
    """Keep numpy/BLAS/OpenMP (and torch, when loaded) within the job's ``threads``."""
    threads = max(1, int(threads))
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = str(threads)
    from threadpoolctl import threadpool_limits

    threadpool_limits(threads)
    if "torch" in sys.modules:
        sys.modules["torch"].set_num_threads(threads)


def start_job(smk) -> "JobLog":
    """Redirect stdout and stderr to the job's log file and limit threads. Call first."""
    log = open(smk.log[0], "w", buffering=1)
    sys.stdout = sys.stderr = log
    limit_threads(smk.threads)
    job_log = JobLog(log)
    job_log(f"rule {smk.rule}, threads {smk.threads}, wildcards {dict(smk.wildcards)}")
    return job_log


class JobLog:
    """Timestamped progress lines, so ``tail -f`` on a log shows how far a job is."""

    def __init__(self, stream):
        self.stream, self.started = stream, time.perf_counter()

    def __call__(self, message: str) -> None:
        elapsed = time.perf_counter() - self.started
        print(f"[{time.strftime('%H:%M:%S')} +{elapsed:7.1f}s] {message}", file=self.stream, flush=True)
