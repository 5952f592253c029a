"""What every rule script does first: send output to the job's log, honour its thread count."""
from __future__ import annotations

import ctypes
import os
import re
import sys
import time
from pathlib import Path

from .numerics import check_job, configure_torch, numerics_record

# mallopt parameters of glibc's malloc.h
_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD = -1, -3


def limit_threads(threads: int) -> None:
    """Keep numpy/BLAS/OpenMP (and torch, when loaded) within the job's ``threads``."""
    threads = max(1, int(threads))
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = str(threads)
    from threadpoolctl import threadpool_limits

    threadpool_limits(threads)
    if "torch" in sys.modules:
        sys.modules["torch"].set_num_threads(threads)


def keep_freed_memory(limit_bytes: int = 1 << 30) -> bool:
    """Let glibc's malloc keep freed blocks of up to ``limit_bytes`` for reuse instead of handing
    them back to the kernel. A training step allocates and frees the same activation-sized
    buffers every time; with glibc's defaults the larger ones come from fresh mmap'd pages, and
    their page faults cost about a sixth of a 100-channel CNN step. The arithmetic is unchanged.
    Returns whether it applied (not on other C libraries, e.g. macOS)."""
    try:
        mallopt = ctypes.CDLL(None).mallopt  # the C library already loaded into this process
    except (OSError, AttributeError):
        return False
    return bool(mallopt(_M_MMAP_THRESHOLD, limit_bytes)) and bool(mallopt(_M_TRIM_THRESHOLD, limit_bytes))


def attempt_scaled(base):
    """A rule's resource (mem_mb or runtime) that grows with the attempt: ``base`` (a number, or a
    function of the wildcards) on the first, twice that on a retry. Local runs make one attempt;
    the Slurm profile retries once, so a job killed for running out of memory or time is
    resubmitted with more."""
    if callable(base):
        return lambda wildcards, attempt: base(wildcards) * attempt
    return lambda wildcards, attempt: base * attempt


# cuBLAS reads this when CUDA first creates a handle; with it, its matrix products are deterministic
CUBLAS_WORKSPACE = ":4096:8"


def configure_cuda(deterministic: bool) -> None:
    """Every CUDA setting that decides whether a GPU run repeats bit for bit, in one place, before
    any CUDA work. ``deterministic``: cuDNN's autotuner off and its deterministic algorithms on,
    torch's deterministic algorithms on, TF32 off for matrix products and cuDNN (the GRU and the
    convolutions use them), and cuBLAS's fixed workspace; otherwise torch's fast defaults. Nothing
    changes on the CPU."""
    import torch

    if deterministic:
        os.environ.setdefault("CUBLAS_WORKSPACE_CONFIG", CUBLAS_WORKSPACE)
    if not torch.cuda.is_available():
        return
    torch.backends.cudnn.benchmark = not deterministic
    torch.backends.cudnn.deterministic = deterministic
    torch.backends.cuda.matmul.allow_tf32 = not deterministic
    torch.backends.cudnn.allow_tf32 = not deterministic
    torch.use_deterministic_algorithms(deterministic)


def seconds_since_process_start() -> float | None:
    """How long this process has run: on Linux from /proc (its start in clock ticks after boot, against the
    uptime), so it covers the interpreter's start and every import before the call; None elsewhere."""
    try:
        after_name = Path("/proc/self/stat").read_text().rsplit(")", 1)[1].split()
        started_ticks = int(after_name[19])  # field 22 of proc(5), counted after the process name
        uptime = float(Path("/proc/uptime").read_text().split()[0])
        return max(0.0, uptime - started_ticks / os.sysconf("SC_CLK_TCK"))
    except (OSError, ValueError, IndexError):
        return None


STARTUP_LOG_PREFIX = "start-up"  # a job log's line "start-up 2.31 s": interpreter start and imports


def job_header(rule: str, threads: int, wildcards: dict) -> str:
    """A job log's first line: the rule, the threads it was given and its wildcards."""
    return f"rule {rule}, threads {threads}, wildcards {wildcards}"


def logged_threads(log: str) -> int:
    """The threads a job ran with, from its log's first line (job_header); 1 where the log is
    missing or has none."""
    try:
        with open(log, errors="replace") as stream:
            head = stream.read(4096)
    except OSError:
        return 1
    found = re.search(r"\] rule \w+, threads (\d+),", head)
    return int(found.group(1)) if found else 1


def start_job(smk) -> "JobLog":
    """Redirect stdout and stderr to the job's log file, limit threads, keep freed memory for
    reuse and set CUDA's determinism (config cuda_deterministic). Call first."""
    log = open(smk.log[0], "w", buffering=1)
    sys.stdout = sys.stderr = log
    limit_threads(smk.threads)
    keep_freed_memory()
    numerics = smk.config.get("cpu_numerics", "native")
    if "torch" in sys.modules:  # a training job: it imported torch first
        configure_cuda(smk.config.get("cuda_deterministic", True))
        configure_torch(numerics)
    check_job(numerics, torch_cpu_capability())
    startup = seconds_since_process_start()
    job_log = JobLog(log)
    job_log(job_header(smk.rule, smk.threads, dict(smk.wildcards)))
    job_log("cpu numerics " + ", ".join(f"{key} {value}" for key, value in numerics_record(torch_cpu_capability()).items()))
    if startup is not None:
        job_log(f"{STARTUP_LOG_PREFIX} {startup:.2f} s (interpreter, Snakemake's preamble, imports)")
    return job_log


def torch_cpu_capability() -> str | None:
    """The instruction set of torch's CPU kernels in this process ("AVX2", "AVX512", ...), or None
    when the job has not loaded torch."""
    if "torch" not in sys.modules:
        return None
    return sys.modules["torch"].backends.cpu.get_cpu_capability()


def runtime_record(device) -> dict:
    """What a training job really ran on, for its metrics file: the resolved device (and the GPU's
    name on CUDA), the torch, CUDA and cuDNN versions (None where absent), torch's thread count,
    on CUDA whether it ran in the deterministic mode, and the CPU numerics (the mode, the CPU's
    model name, torch's kernel level: see numerics.numerics_record)."""
    import torch

    device = torch.device(device)
    cuda = device.type == "cuda"
    return {"device": str(device), "device_name": torch.cuda.get_device_name(device) if cuda else None,
            "torch": torch.__version__, "cuda": torch.version.cuda,
            "cudnn": torch.backends.cudnn.version() if torch.backends.cudnn.is_available() else None,
            "threads": torch.get_num_threads(),
            # on CUDA, whether the run was set to repeat bit for bit (configure_cuda); None on the CPU
            "deterministic": torch.are_deterministic_algorithms_enabled() if cuda else None,
            **numerics_record(torch_cpu_capability())}


RUNTIME_COLUMNS_PREFIX = "runtime_"  # a CSV result carries the record as columns runtime_<key>


def with_runtime_columns(frame, device):
    """A CSV result's rows with the job's runtime record as constant columns (runtime_device, ...)."""
    return frame.assign(**{RUNTIME_COLUMNS_PREFIX + key: value for key, value in runtime_record(device).items()})


class JobLog:
    """Timestamped progress lines, so ``tail -f`` on a log shows how far a job is."""

    def __init__(self, stream):
        self.stream, self.started = stream, time.perf_counter()

    def __call__(self, message: str) -> None:
        elapsed = time.perf_counter() - self.started
        print(f"[{time.strftime('%H:%M:%S')} +{elapsed:7.1f}s] {message}", file=self.stream, flush=True)
