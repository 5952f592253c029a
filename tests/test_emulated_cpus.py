"""Portable numerics on other CPUs than this one, emulated: QEMU's user mode runs this machine's
Python with the CPUID of another x86-64 CPU model (vendor, family and instruction sets), which
is what PyTorch, MKL, NumPy and OpenBLAS read to choose their kernels. So every run of the tests
checks the operation trace (scripts/numerics_trace.py) of an Intel and an AMD CPU against the
committed one, whatever CPU the tests run on.

The emulator computes each instruction exactly as the instruction set defines it, so what these
tests cover is the libraries' choice of kernels by CPU, the source of the differences measured
between real machines (docs/running.md); a real CPU of another generation remains the last
word (``scripts/numerics_manifest.py confirm``). Needs ``qemu-x86_64`` (Debian: qemu-user);
skipped without it. Five emulated runs of about 30 to 50 seconds each (most of it importing
torch), two at a time."""
import os
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
TRACE_SCRIPT = str(ROOT / "scripts" / "numerics_trace.py")
COMMITTED_TRACE = ROOT / "manifests" / "portable-ops-trace.json.gz"
QEMU = shutil.which("qemu-x86_64")
# QEMU's models: an Intel Haswell (GenuineIntel, AVX2 and FMA) and a first-generation AMD EPYC
# (AuthenticAMD, AVX2); QEMU's emulation stops at AVX2, so neither has AVX-512
INTEL, AMD = "Haswell-v4", "EPYC-v3"

pytestmark = pytest.mark.skipif(QEMU is None or sys.platform != "linux",
                                reason="needs QEMU's user mode (qemu-x86_64; Debian: apt-get install qemu-user)")


CHECK_JOB = ("import sys; sys.path.insert(0, 'scripts'); from mnist1d_repro import numerics, jobs; "
             "numerics.apply_mode('portable'); import torch; numerics.configure_torch('portable'); "
             "numerics.check_job('portable', jobs.torch_cpu_capability())")


def emulated(cpu: str, *arguments: str, env=None) -> subprocess.CompletedProcess:
    """This Python, run with ``arguments`` on the emulated ``cpu``."""
    return subprocess.run([QEMU, "-cpu", cpu, sys.executable, *arguments], capture_output=True, text=True,
                          timeout=900, cwd=ROOT, env=env)


def compare(ours: Path, theirs: Path) -> list[str]:
    """Per model family, whether two traces agree (numerics_trace.py compare's lines after the CPUs)."""
    result = subprocess.run([sys.executable, TRACE_SCRIPT, "compare", str(ours), str(theirs)], check=True,
                            capture_output=True, text=True)
    return result.stdout.splitlines()[2:]


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """Every emulated run the tests read, started together on the machine's cores: name ->
    (completed process, trace file or None)."""
    from mnist1d_repro.numerics import PORTABLE_ENVIRONMENT

    folder = tmp_path_factory.mktemp("emulated")
    unpinned = {name: value for name, value in os.environ.items() if name not in PORTABLE_ENVIRONMENT}
    planned = {f"portable {cpu}": (cpu, [TRACE_SCRIPT, "record", str(folder / f"portable-{cpu}.json.gz")], None)
               for cpu in (INTEL, AMD)}
    planned.update({f"native {cpu}": (cpu, [TRACE_SCRIPT, "record", str(folder / f"native-{cpu}.json"), "--mode",
                                            "native", "--only", "logistic"], unpinned) for cpu in (INTEL, AMD)})
    planned.update({f"check {cpu}": (cpu, ["-c", CHECK_JOB], None) for cpu in ("SandyBridge", INTEL)})
    with ThreadPoolExecutor(max_workers=min(os.cpu_count() or 1, 4)) as pool:
        started = {name: pool.submit(emulated, cpu, *arguments, env=env)
                   for name, (cpu, arguments, env) in planned.items()}
        return {name: (future.result(), Path(planned[name][1][2]) if planned[name][1][0] == TRACE_SCRIPT else None)
                for name, future in started.items()}


def trace_of(runs, name: str) -> Path:
    process, trace = runs[name]
    assert process.returncode == 0, process.stderr[-3000:]
    return trace


@pytest.mark.parametrize("cpu", [INTEL, AMD])
def test_portable_operation_trace_is_the_committed_one_on_an_emulated_cpu(cpu, runs):
    """Every operation of every model family, its inputs and the digests of its outputs, as
    recorded on the CPU the manifests were made on."""
    per_model = compare(trace_of(runs, f"portable {cpu}"), COMMITTED_TRACE)
    assert len(per_model) >= 6 and all(line.endswith("identical throughout") for line in per_model), per_model


def test_native_numerics_differ_between_the_emulated_cpus(runs):
    """The check above has teeth: without the pins, the Intel and the AMD CPU get different
    bytes from the first matrix product on (MKL chooses its kernels by vendor), so the emulator
    really shows the libraries another CPU."""
    (line,) = compare(trace_of(runs, f"native {INTEL}"), trace_of(runs, f"native {AMD}"))
    assert "same inputs, other output" in line and "addmm" in line, line


def test_portable_jobs_refuse_an_emulated_cpu_without_avx2(runs):
    """A CPU without AVX2 (an Intel Sandy Bridge) cannot run the pinned kernels, and torch takes
    the pin on trust: the job-level check stops a portable job there, naming the remedy."""
    refused, _ = runs["check SandyBridge"]
    assert refused.returncode != 0
    assert "NumericsError" in refused.stderr and "AVX2" in refused.stderr and "cpu_numerics: native" in refused.stderr
    accepted, _ = runs[f"check {INTEL}"]
    assert accepted.returncode == 0, accepted.stderr[-2000:]
