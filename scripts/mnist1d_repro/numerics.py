"""CPU numerics: which instruction set the libraries' arithmetic may use.

PyTorch, MKL, oneDNN, OpenBLAS and NumPy each pick their kernels for the CPU they find, and
kernels for different instruction sets round differently (an AVX-512 matrix product sums in
another order than an AVX2 one). Training amplifies a last-bit difference into a different test
accuracy, so the same job gives different numbers on different x86-64 CPUs.

``portable`` (the default) pins every one of those choices to a level every x86-64 CPU with
AVX2 has, so that a job gives the same bytes on any such CPU for the same library versions;
``native`` lets each library use the best the CPU offers (faster on some sections, different
numbers on different CPUs). The pins are environment variables, read by each library when it
loads, so they are set when the workflow is parsed and every job inherits them (a Slurm job
too: sbatch passes the environment, and the job's own Snakemake parses the workflow again).

Nothing here imports NumPy or torch: the workflow imports this module when it is parsed.
"""
from __future__ import annotations

import os
import platform
from pathlib import Path

MODES = ("portable", "native")

# Each pin, and why it is there (measured on a 2-core Intel Xeon with AVX-512: see "Portable numerics"
# in docs/running.md):
PORTABLE_ENVIRONMENT = {
    # torch's own kernels (element-wise ops, reductions, the optimiser's update): AVX2 ones
    "ATEN_CPU_CAPABILITY": "avx2",
    # MKL's matrix products (every Linear layer): its code branch for any x86 CPU. MKL's AVX2
    # branch is honoured on Intel CPUs only; elsewhere MKL falls back to its automatic choice.
    "MKL_CBWR": "COMPATIBLE",
    # oneDNN: portable mode turns torch's route to it off (configure_torch), since oneDNN promises
    # the same bytes only on the same CPU; this caps anything that still reaches it
    "ONEDNN_MAX_CPU_ISA": "AVX2",
    # OpenBLAS inside NumPy and SciPy (scikit-learn's probes, the kNN distances): Haswell = AVX2
    "OPENBLAS_CORETYPE": "Haswell",
    # NumPy's own SIMD loops (exp, log, sin, sorting): none of its AVX-512 variants
    "NPY_DISABLE_CPU_FEATURES": "X86_V4 AVX512_ICL AVX512_SPR",
}

# The capability torch reports (torch.backends.cpu.get_cpu_capability()) under the pin
PORTABLE_TORCH_CAPABILITY = "AVX2"

# Set in every job's environment: the mode the workflow was parsed with
MODE_VARIABLE = "MNIST1D_CPU_NUMERICS"


class NumericsError(RuntimeError):
    """The numerics a job was asked for cannot be honoured on this machine."""


def environment_for(mode: str) -> dict:
    """The environment variables ``mode`` sets: the pins in portable mode, none in native mode
    (each library then picks for itself, or as the user's own environment says). Both record
    the mode itself."""
    if mode not in MODES:
        raise ValueError(f"cpu_numerics must be one of {', '.join(MODES)}, not {mode!r}")
    pins = PORTABLE_ENVIRONMENT if mode == "portable" else {}
    return {**pins, MODE_VARIABLE: mode}


def apply_mode(mode: str, environ=os.environ) -> dict:
    """Put ``mode``'s variables into ``environ`` (this process's environment by default, which
    every job started from it inherits); in portable mode they replace any value already there.
    Returns what it set."""
    variables = environment_for(mode)
    environ.update(variables)
    return variables


def cpu_model() -> str:
    """The CPU as the operating system reports it (Linux: /proc/cpuinfo's first "model name",
    with its family, model and stepping, which still tell the generation where a virtual
    machine shows a bare "AMD EPYC"), e.g. "AMD EPYC 9R14 96-Core Processor (family 25, model
    17, stepping 1)"; the platform's processor string elsewhere, or "unknown"."""
    fields = _cpuinfo_fields()
    name = fields.get("model name")
    if name is None:
        return platform.processor() or "unknown"
    ids = [f"{key} {fields[key]}" for key in ("cpu family", "model", "stepping") if key in fields]
    return f"{name} ({', '.join(ids).replace('cpu family', 'family')})" if ids else name


def _cpuinfo_fields() -> dict:
    """The first processor's fields of /proc/cpuinfo ({} where there is none)."""
    fields = {}
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if not line.strip():
                break
            key, _, value = line.partition(":")
            fields.setdefault(key.strip(), value.strip())
    except OSError:
        pass
    return fields


def vector_width() -> str | None:
    """The widest vector instruction set the CPU offers ("AVX-512", "AVX2", "below AVX2"), which
    decides what native mode's kernels use; None where the flags cannot be read."""
    flags = cpu_flags()
    if flags is None:
        return None
    return "AVX-512" if "avx512f" in flags else "AVX2" if "avx2" in flags else "below AVX2"


def is_x86_64() -> bool:
    return platform.machine().lower() in {"x86_64", "amd64"}


def check_machine(mode: str) -> str | None:
    """Why this machine cannot give portable numbers, or None when it can (or in native mode):
    the pins are x86-64 instruction sets, and the promise needs AVX2."""
    if mode != "portable":
        return None
    if not is_x86_64():
        return (f"cpu_numerics: portable pins x86-64 instruction sets, and this machine is {platform.machine()}; "
                "its numbers will differ from an x86-64 run's. Set cpu_numerics: native to say so in the record.")
    flags = cpu_flags()
    if flags is not None and "avx2" not in flags:
        return ("cpu_numerics: portable needs a CPU with AVX2, and this one "
                f"({cpu_model()}) has none. Set cpu_numerics: native to run with what it has.")
    return None


def cpu_flags() -> set | None:
    """The CPU's feature flags (Linux), or None where they cannot be read."""
    flags = _cpuinfo_fields().get("flags")
    return None if flags is None else set(flags.split())


def configure_torch(mode: str) -> None:
    """The part of ``mode`` that is a torch setting rather than an environment variable: in
    portable mode torch's convolutions run as its own matrix products (through MKL's pinned
    branch) instead of oneDNN's kernels, whose blocking oneDNN chooses per CPU (it promises
    the same bytes on the same platform only), its MKL-computed element-wise functions go
    through NumPy (route_vml_functions_through_numpy), and a training run's large matrix
    products may go to OpenBLAS (OpenBLASProducts). Native mode leaves torch's default."""
    global _products_routable
    if mode == "portable":
        import torch

        torch.backends.mkldnn.enabled = False
        route_vml_functions_through_numpy()
        _products_routable = True


# torch computes these element-wise functions with MKL's vector maths (VML) on x86 CPUs. VML
# picks its code per CPU vendor whatever MKL_CBWR says: under MKL_CBWR=COMPATIBLE an Intel Xeon
# rounds 17 % of Adam's square roots differently from correct rounding, while an AMD EPYC
# (family 23) rounds them all correctly (its results match correct rounding, not the Intel's).
# Portable mode computes them with NumPy's own loops instead, pinned to AVX2 like the rest;
# NumPy's square root is the correctly rounded one IEEE 754 defines.
VML_FUNCTIONS = ("sqrt", "exp", "log", "log2", "log10", "tanh", "tan", "atan", "asin", "acos",
                 "erf", "erfc", "erfinv")
_vml_override = None


def _numpy_function(name: str):
    import numpy as np

    if name.startswith("erf"):
        def special_function(*args, **kwargs):
            import scipy.special  # on first use: importing it costs a job that never calls it 0.3 s

            return getattr(scipy.special, name)(*args, **kwargs)

        return special_function
    return getattr(np, {"atan": "arctan", "asin": "arcsin", "acos": "arccos"}.get(name, name))


def route_vml_functions_through_numpy() -> None:
    """Replace torch's CPU kernels of VML_FUNCTIONS (functional, in-place and out= forms) by
    NumPy's, in this process; autograd's formulas are untouched. Once per process."""
    global _vml_override
    if _vml_override is not None:
        return
    import torch

    numpy_dtypes = (torch.float32, torch.float64, torch.complex64, torch.complex128)

    def as_computable(x):
        # what the function is computed in: integers and booleans promote to the default float
        # dtype as torch's do; half precision is computed in float32 and rounded back
        if x.dtype in numpy_dtypes:
            return x.detach().contiguous()
        if x.is_floating_point():
            return x.detach().float().contiguous()
        return x.detach().to(torch.get_default_dtype()).contiguous()

    def functional(numpy_function):
        def kernel(x):
            source = as_computable(x)
            result = torch.empty_like(source)
            numpy_function(source.numpy(), out=result.numpy())
            return result.to(x.dtype) if x.is_floating_point() and x.dtype != source.dtype else result
        return kernel

    def in_place(numpy_function, compute):
        def kernel(x):
            if x.dtype in numpy_dtypes and x.is_contiguous():
                array = x.detach().numpy()
                numpy_function(array, out=array)
            else:
                x.copy_(compute(x))
            return x
        return kernel

    def out_form(compute):
        def kernel(x, *, out):
            result = compute(x)
            out.resize_(result.shape)
            return out.copy_(result)
        return kernel

    library = torch.library.Library("aten", "IMPL")
    import warnings

    with warnings.catch_warnings():  # "overriding a previously registered kernel": meant
        warnings.simplefilter("ignore", UserWarning)
        for name in VML_FUNCTIONS:
            numpy_function = _numpy_function(name)
            compute = functional(numpy_function)
            library.impl(name, compute, "CPU")
            library.impl(f"{name}_", in_place(numpy_function, compute), "CPU")
            library.impl(f"{name}.out", out_form(compute), "CPU")
    _vml_override = library


def vml_functions_routed() -> bool:
    return _vml_override is not None


# Matrix products through OpenBLAS. MKL's compatible branch (the portable pin) computes a float32
# product at about 37 GFLOP/s on one core where NumPy's OpenBLAS, pinned to its Haswell (AVX2 and
# FMA) kernels, computes the same product at about 100 (an AMD EPYC, Zen 4, 100 x 500 x 500), and
# it is 2 to 5 times faster at every size down to 100 x 36 x 10. A product routed there costs
# about 6.5 microseconds of Python a call, which a model pays back only when its products are
# large: a training step took 0.49 times as long routed for the lottery's MLP (9.2 million
# multiply-adds a product on average), 0.6 to 0.7 for the CNNs (0.8 to 0.9 million), 0.88 for
# Table 1's MLP (0.5 million), the same for a 128-unit double-descent MLP (0.32 million), and
# 1.1 to 1.25 times as long for logistic regression, a 36-unit MLP and the GRU (0.02 to 0.09
# million). So a training run routes its products only where they average at least this many
# multiply-adds. Either way the arithmetic is fixed by the model's shapes, not by the CPU.
OPENBLAS_MIN_MEAN_PRODUCT = 400_000
_products_routable = False


def _openblas_library():
    """A torch library that computes float32 and float64 ``mm`` and ``addmm`` on the CPU with
    NumPy's matmul (OpenBLAS); other dtypes, and the out= and in-place forms, keep torch's
    kernels. autograd's formulas are untouched (a backward pass's products are ``mm`` too)."""
    import warnings

    import numpy as np
    import torch

    dtypes = (torch.float32, torch.float64)

    def mm(a, b):
        out = torch.empty((a.shape[0], b.shape[1]), dtype=a.dtype)
        if a.dtype in dtypes and b.dtype == a.dtype:
            np.matmul(a.numpy(force=True), b.numpy(force=True), out=out.numpy())
            return out
        return torch.mm(a, b, out=out)  # the out= form is not overridden: torch's own kernel

    def addmm(bias, a, b, *, beta=1, alpha=1):
        out = mm(a, b)
        if alpha != 1:
            out.mul_(alpha)
        if beta == 0:  # as torch's: the added term is ignored, NaN included
            return out
        return out.add_(bias, alpha=beta)

    library = torch.library.Library("aten", "IMPL")
    with warnings.catch_warnings():  # "overriding a previously registered kernel": meant
        warnings.simplefilter("ignore", UserWarning)
        library.impl("mm", mm, "CPU")
        library.impl("addmm", addmm, "CPU")
    return library


def mean_product_size(model, batch) -> float:
    """The mean multiply-adds (m x k x n) of the CPU matrix products (``mm``, ``addmm``) of one
    forward pass of ``model`` on ``batch``; 0 where it computes none. Counted by kernels
    registered for those two operations for the length of the pass, which compute each product
    with torch's own kernel (a dispatch mode would count the same products, tested, but its first
    use in a process costs about a second, which every training job would pay). The pass runs
    without gradients and changes nothing (the models hold no running statistics), and outside
    any dispatch mode already active (an operation trace does not see it)."""
    import warnings

    import torch
    from torch.utils._python_dispatch import _disable_current_modes

    sizes = []

    def counted(a, b):
        sizes.append(a.shape[0] * a.shape[1] * b.shape[1])
        return a.new_empty((a.shape[0], b.shape[1]))

    def mm(a, b):
        return torch.mm(a, b, out=counted(a, b))  # the out= form keeps torch's kernel

    def addmm(bias, a, b, *, beta=1, alpha=1):
        return torch.addmm(bias, a, b, beta=beta, alpha=alpha, out=counted(a, b))

    library = torch.library.Library("aten", "IMPL")
    try:
        with warnings.catch_warnings():  # "overriding a previously registered kernel": meant
            warnings.simplefilter("ignore", UserWarning)
            library.impl("mm", mm, "CPU")
            library.impl("addmm", addmm, "CPU")
        with _disable_current_modes(), torch.no_grad():
            model(batch)
    finally:
        library._destroy()
    return sum(sizes) / len(sizes) if sizes else 0.0


class OpenBLASProducts:
    """Within the block, a portable process (``configure_torch("portable")``) computes torch's
    float32 and float64 matrix products on the CPU with OpenBLAS when ``model``'s products
    average at least OPENBLAS_MIN_MEAN_PRODUCT multiply-adds on ``batch`` (its training batch);
    otherwise, in native mode, or for a model off the CPU, nothing changes. ``routed`` says
    which. OpenBLAS runs on one thread within the block whatever the process allows: its
    products on two threads round otherwise than on one."""

    def __init__(self, model, batch):
        self.routed = (_products_routable and batch.device.type == "cpu"
                       and mean_product_size(model, batch) >= OPENBLAS_MIN_MEAN_PRODUCT)
        self._library = self._thread_limit = None

    def __enter__(self):
        if self.routed:
            from threadpoolctl import threadpool_limits

            self._thread_limit = threadpool_limits(limits=1, user_api="blas")
            self._library = _openblas_library()
        return self

    def __exit__(self, *exc):
        if self._library is not None:
            self._library._destroy()  # torch's own kernels again
            self._thread_limit.restore_original_limits()
            self._library = self._thread_limit = None
        return False


def check_job(mode: str, torch_capability: str | None) -> None:
    """Refuse a job whose process does not run the numerics the workflow was parsed with: in
    portable mode every pin in the environment and, where torch is loaded, torch's dispatch at
    AVX2 with oneDNN off, on a CPU that has AVX2. torch takes ATEN_CPU_CAPABILITY on trust (it
    reports AVX2 on a CPU without it, whose first AVX2 kernel would then stop the job with an
    illegal instruction), so the CPU's own answer (CPUID, as torch reads it) is asked as well:
    the workflow's check reads /proc/cpuinfo where it is parsed, which on a cluster need not be
    the machine a job runs on."""
    if mode != "portable":
        return
    if torch_capability is not None:
        import torch

        if torch.backends.mkldnn.enabled or not vml_functions_routed():
            raise NumericsError("cpu_numerics: portable, but torch still routes convolutions to oneDNN or "
                                "element-wise functions to MKL's vector maths: call numerics.configure_torch first")
        if not torch.cpu._is_avx2_supported():
            raise NumericsError(f"cpu_numerics: portable needs a CPU with AVX2, and this one ({cpu_model()}) has "
                                "none. Set cpu_numerics: native to run with what it has.")
    unset = [name for name, value in PORTABLE_ENVIRONMENT.items() if os.environ.get(name) != value]
    if unset:
        raise NumericsError(
            f"cpu_numerics: portable, but this job's environment does not pin {', '.join(unset)}: run the rule "
            "scripts through Snakemake, which sets them when it parses the workflow.")
    if torch_capability is not None and torch_capability != PORTABLE_TORCH_CAPABILITY:
        raise NumericsError(
            f"cpu_numerics: portable asks torch for {PORTABLE_TORCH_CAPABILITY} kernels, and on this CPU "
            f"({cpu_model()}) it runs {torch_capability}; set cpu_numerics: native to run here.")


def numerics_record(torch_capability: str | None) -> dict:
    """What a result file records about its arithmetic: the mode, the CPU's model name and the
    kernels torch dispatched to (None when the job did not load torch)."""
    return {"cpu_numerics": os.environ.get(MODE_VARIABLE, "native"), "cpu": cpu_model(),
            "cpu_vector_width": vector_width(), "cpu_capability": torch_capability}
