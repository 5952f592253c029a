"""CPU numerics: the pins of portable mode, the job's check, the record, and result digests."""
import copy
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from conftest import ROOT

from mnist1d_repro import numerics
from mnist1d_repro.digests import compare_digests, content_digest, is_computed_result, result_digests
from mnist1d_repro.numerics import NumericsError, check_job, check_machine, environment_for

# A short training run in a fresh process, in the given mode, from the given environment: prints
# torch's kernel level and a digest of the trained parameters.
TRAIN = """
import hashlib, sys
sys.path.insert(0, {scripts!r})
from mnist1d_repro.numerics import apply_mode, configure_torch
apply_mode({mode!r})
import torch
configure_torch({mode!r})
torch.set_num_threads(1)
g = torch.Generator().manual_seed(0)
x, y = torch.randn(500, 40, generator=g), torch.randint(0, 10, (500,), generator=g)
torch.manual_seed(0)
model = torch.nn.Sequential(torch.nn.Linear(40, 100), torch.nn.ReLU(), torch.nn.Linear(100, 10))
optimizer = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
for step in range(50):
    rows = slice(step % 5 * 100, step % 5 * 100 + 100)
    optimizer.zero_grad()
    torch.nn.functional.cross_entropy(model(x[rows]), y[rows]).backward()
    optimizer.step()
print(torch.backends.cpu.get_cpu_capability(),
      hashlib.sha256(b"".join(p.detach().numpy().tobytes() for p in model.parameters())).hexdigest())
"""


def train_in_fresh_process(mode: str, **environment) -> tuple[str, str]:
    """(torch's kernel level, parameter digest) of TRAIN run with ``environment`` on top of a
    copy of this process's environment from which every pin was removed (as on a machine where
    nobody set them)."""
    env = {key: value for key, value in os.environ.items() if key not in numerics.PORTABLE_ENVIRONMENT}
    env.update(environment)
    code = TRAIN.format(scripts=str(ROOT / "scripts"), mode=mode)
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    capability, digest = out.stdout.split()
    return capability, digest


def test_native_numbers_follow_the_kernels_portable_ones_do_not():
    """The problem and the cure on one machine: in native mode, the kernel level torch
    dispatches to (what a CPU with or without AVX-512 would pick) changes the trained bytes; in
    portable mode the bytes are the same whatever the environment asked for."""
    native = {level: train_in_fresh_process("native", ATEN_CPU_CAPABILITY=level) for level in ("avx2", "default")}
    assert native["avx2"][0] == "AVX2" and native["default"][0] == "DEFAULT"
    assert native["avx2"][1] != native["default"][1]
    portable = {train_in_fresh_process("portable", ATEN_CPU_CAPABILITY=level, MKL_CBWR=branch)
                for level, branch in (("default", "AVX2"), ("avx2", "AUTO"), ("avx512", "AVX512"))}
    assert len(portable) == 1
    assert next(iter(portable))[0] == numerics.PORTABLE_TORCH_CAPABILITY


# TRAIN's digest in portable mode with torch 2.13.0 (CPU build), the same on every CPU it was run on:
# Intel Xeon (Sapphire Rapids class, AVX-512 with FP16), AMD EPYC (family 23, AVX2 only) and AMD
# EPYC Zen 4 (family 25, model 17, AVX-512). In
# native mode the two machines gave four different digests between them (each its own at its own
# kernel level, and another pair at ATen's DEFAULT level), because MKL picks its kernels per CPU.
PORTABLE_TRAIN_DIGEST = "c918c5afdb54f3d04768bfe568e0722162a4c4946254d167fd68653d2813b1a8"


@pytest.mark.skipif(not __import__("torch").__version__.startswith("2.13.0"),
                    reason="the recorded digest is torch 2.13.0's")
def test_portable_bytes_equal_those_recorded_on_other_cpus():
    """The promise itself, checked wherever the tests run: this CPU gives the bytes that the
    CPUs named above gave."""
    assert train_in_fresh_process("portable") == (numerics.PORTABLE_TORCH_CAPABILITY, PORTABLE_TRAIN_DIGEST)


# A training run through the library's loop, whose products (the lottery's MLP) go to OpenBLAS in
# portable mode: prints whether they did and a digest of the trained parameters.
TRAIN_ROUTED = """
import hashlib, sys
sys.path.insert(0, {scripts!r})
from mnist1d_repro.numerics import apply_mode, configure_torch
apply_mode("portable")
import torch
configure_torch("portable")
torch.set_num_threads(1)
from mnist1d_repro import numerics
from mnist1d_repro.models import build_model
from mnist1d_repro.training import TrainConfig, train
g = torch.Generator().manual_seed(0)
x, y = torch.randn(500, 40, generator=g), torch.randint(0, 10, (500,), generator=g)
torch.manual_seed(0)
model = build_model("mlp", hidden=500)
train(model, (x, y), {{}}, TrainConfig(steps=30, batch_size=100, lr=0.01))
print(numerics.OpenBLASProducts(model, x[:100]).routed,
      hashlib.sha256(b"".join(p.detach().numpy().tobytes() for p in model.parameters())).hexdigest())
"""

# TRAIN_ROUTED's digest with torch 2.13.0 (CPU build) and NumPy 2.4.6 (OpenBLAS 0.3.31), recorded on
# an AMD EPYC, Zen 4 (family 25, model 17).
PORTABLE_ROUTED_TRAIN_DIGEST = "2e155fdd220eccc1797002d3f9e89d7c3c6a322b75f322f92d843237b3240fba"


@pytest.mark.skipif(not __import__("torch").__version__.startswith("2.13.0") or np.__version__ != "2.4.6",
                    reason="the recorded digest is torch 2.13.0's and NumPy 2.4.6's")
def test_products_routed_to_openblas_give_the_recorded_bytes_whatever_mkl_and_aten_pick():
    """The lottery's MLP trained in portable mode: its products go to OpenBLAS, so neither MKL's
    branch nor ATen's level that another CPU might pick changes its bytes, which equal those
    recorded on the CPU named above."""
    env = {key: value for key, value in os.environ.items() if key not in numerics.PORTABLE_ENVIRONMENT}
    outputs = {subprocess.run([sys.executable, "-c", TRAIN_ROUTED.format(scripts=str(ROOT / "scripts"))],
                              env={**env, "MKL_CBWR": branch}, capture_output=True, text=True,
                              check=True).stdout.strip()
               for branch in ("COMPATIBLE", "AUTO")}
    assert outputs == {f"True {PORTABLE_ROUTED_TRAIN_DIGEST}"}


def test_large_products_go_to_openblas_within_a_training_run_only(monkeypatch):
    """In portable mode (this process is configured so: conftest), a model whose products
    average at least OPENBLAS_MIN_MEAN_PRODUCT multiply-adds has torch's float32 and float64
    products computed by NumPy's matmul (OpenBLAS) within the block, in the forward and the
    backward pass; a small model's, or any in native mode, keep torch's kernels, which are back
    after the block."""
    import torch
    from threadpoolctl import threadpool_limits

    from mnist1d_repro.models import build_model

    g = torch.Generator().manual_seed(0)
    a, b, bias = torch.randn(100, 500, generator=g), torch.randn(500, 300, generator=g), torch.randn(300, generator=g)
    x = torch.randn(100, 40, generator=g)
    torchs = torch.mm(a, b)
    with threadpool_limits(limits=1, user_api="blas"):  # as the block computes
        openblas = a.numpy() @ b.numpy()
        openblas_double = a.double().numpy() @ b.double().numpy()
        openblas_grad = a.numpy().T @ np.ones((100, 300), np.float32)
    assert not np.array_equal(torchs.numpy(), openblas)  # so that equality below tells them apart
    large, small = build_model("mlp", hidden=500), build_model("logistic")
    assert numerics.mean_product_size(small, x) < numerics.OPENBLAS_MIN_MEAN_PRODUCT
    assert numerics.mean_product_size(large, x) == (100 * 40 * 500 + 100 * 500 * 500 + 100 * 500 * 10) / 3
    with numerics.OpenBLASProducts(small, x) as block:
        assert not block.routed and torch.equal(torch.mm(a, b), torchs)
    monkeypatch.setattr(numerics, "_products_routable", False)  # a native-mode process
    assert not numerics.OpenBLASProducts(large, x).routed
    monkeypatch.undo()
    with numerics.OpenBLASProducts(large, x) as block:
        assert block.routed
        assert np.array_equal(torch.mm(a, b).numpy(), openblas)
        assert np.array_equal(torch.addmm(bias, a, b).numpy(), openblas + bias.numpy())
        assert np.array_equal(torch.addmm(bias.expand(100, 300), a, b, beta=0, alpha=2).numpy(), 2 * openblas)
        assert np.array_equal(torch.mm(a.double(), b.double()).numpy(), openblas_double)
        assert torch.equal(torch.mm(a.long(), b.long()), a.long() @ b.long())  # other dtypes: torch's kernel
        weight = b.clone().requires_grad_()
        (a @ weight).sum().backward()
        assert np.array_equal(weight.grad.numpy(), openblas_grad)
    assert torch.equal(torch.mm(a, b), torchs)


def test_routed_products_run_on_one_openblas_thread_whatever_the_process_allows():
    """OpenBLAS's products on two threads round otherwise than on one (measured: 100 x 500 x 300),
    so the block computes on one whatever the process's limit, and gives the limit back after."""
    import torch
    from threadpoolctl import threadpool_info, threadpool_limits

    from mnist1d_repro.models import build_model

    g = torch.Generator().manual_seed(0)
    a, b = torch.randn(100, 500, generator=g), torch.randn(500, 300, generator=g)
    with threadpool_limits(limits=1, user_api="blas"):
        one_thread = a.numpy() @ b.numpy()
    with threadpool_limits(limits=2, user_api="blas"):
        assert not np.array_equal(a.numpy() @ b.numpy(), one_thread)
        with numerics.OpenBLASProducts(build_model("mlp", hidden=500), torch.randn(100, 40, generator=g)) as block:
            assert block.routed and np.array_equal(torch.mm(a, b).numpy(), one_thread)
        assert {pool["num_threads"] for pool in threadpool_info() if pool["user_api"] == "blas"} == {2}


ONEDNN_PROBE = """
import sys
from pathlib import Path
sys.path.insert(0, {scripts!r})
from mnist1d_repro.numerics import apply_mode, configure_torch
apply_mode({mode!r})
import torch
configure_torch({mode!r})
from mnist1d_repro.models import build_model
model = build_model("pooling_cnn", pooling="max")
logits = model.reference_forward(torch.randn(8, 40))  # through torch's Conv1d
torch.nn.functional.cross_entropy(logits, torch.zeros(8, dtype=torch.long)).backward()
"""


@pytest.mark.parametrize("mode,reaches_onednn", [("native", True), ("portable", False)])
def test_portable_convolutions_do_not_reach_onednn(mode, reaches_onednn):
    """oneDNN picks its convolution kernels per CPU; portable mode routes torch's convolutions
    around it. The pipeline's networks run theirs as matrix products, but torch's Conv1d is still
    what their reference paths and any network a user adds call. Seen through oneDNN's own trace."""
    env = {**{k: v for k, v in os.environ.items() if k not in numerics.PORTABLE_ENVIRONMENT}, "ONEDNN_VERBOSE": "1"}
    out = subprocess.run([sys.executable, "-c", ONEDNN_PROBE.format(scripts=str(ROOT / "scripts"), mode=mode)],
                         env=env, capture_output=True, text=True, check=True)
    assert ("primitive,exec" in out.stdout) == reaches_onednn


VML_PROBE = """
import hashlib, json, os, sys
sys.path.insert(0, {scripts!r})
from mnist1d_repro.numerics import VML_FUNCTIONS, apply_mode, configure_torch
apply_mode({mode!r})
os.environ["MKL_CBWR"] = {branch!r}  # MKL's branch forced after the mode's pins
import numpy as np, torch
configure_torch({mode!r})
g = torch.Generator().manual_seed(0)
positive, signed, unit = torch.rand(20000, generator=g) * 4 + 0.01, torch.randn(20000, generator=g), torch.rand(20000, generator=g) * 1.8 - 0.9
inputs = dict(sqrt=positive, log=positive, log2=positive, log10=positive, asin=unit, acos=unit, erfinv=unit)
digests = {{name: hashlib.sha256(getattr(torch, name)(inputs.get(name, signed)).numpy().tobytes()).hexdigest()
            for name in VML_FUNCTIONS}}
digests["sqrt correctly rounded"] = bool((torch.sqrt(positive).numpy() == np.sqrt(positive.numpy())).all())
print(json.dumps(digests))
"""


def vml_digests(mode: str, branch: str) -> dict:
    code = VML_PROBE.format(scripts=str(ROOT / "scripts"), mode=mode, branch=branch)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def test_portable_element_wise_functions_do_not_follow_mkls_branch():
    """torch computes sqrt, exp, tanh and the like with MKL's vector maths, which picks its code
    per CPU vendor even under MKL_CBWR=COMPATIBLE: Adam's square roots differed between an Intel
    Xeon and an AMD EPYC. Portable mode computes them with NumPy: the same bytes whichever
    branch MKL takes, and square roots correctly rounded."""
    portable = [vml_digests("portable", branch) for branch in ("COMPATIBLE", "AVX2", "AUTO")]
    assert portable[0] == portable[1] == portable[2]
    assert portable[0]["sqrt correctly rounded"]
    if "GenuineIntel" in Path("/proc/cpuinfo").read_text():
        # the problem itself, as measured on Intel CPUs: MKL's compatible branch rounds square
        # roots otherwise than its AVX2 branch (and than IEEE's correct rounding)
        native = {branch: vml_digests("native", branch) for branch in ("COMPATIBLE", "AVX2")}
        assert native["COMPATIBLE"]["sqrt"] != native["AVX2"]["sqrt"]
        assert not native["COMPATIBLE"]["sqrt correctly rounded"]


def test_routed_functions_keep_autograd_dtypes_and_forms():
    """The tests run in portable mode (conftest), so torch's functions here are NumPy's."""
    import torch

    assert numerics.vml_functions_routed()
    x = (torch.rand(7, 5, dtype=torch.float64) + 0.1).requires_grad_()
    root = x.sqrt()
    root.sum().backward()
    assert torch.equal(x.grad, 1 / (2 * root.detach()))  # torch's own formula, unchanged
    assert torch.sqrt(torch.tensor([4, 9])).dtype == torch.float32
    assert torch.equal(torch.sqrt(torch.tensor([4, 9])), torch.tensor([2.0, 3.0]))
    half = torch.exp(torch.tensor([0.0, 1.0], dtype=torch.float16))
    assert half.dtype == torch.float16 and half[0] == 1
    strided = torch.randn(6, 4)[:, 1]
    assert torch.equal(strided.tanh(), torch.from_numpy(np.tanh(strided.contiguous().numpy())))
    in_place, out = strided.clone(), torch.empty(6)
    in_place.tanh_()
    torch.tanh(strided, out=out)
    assert torch.equal(in_place, strided.tanh()) and torch.equal(out, in_place)
    # torch's GRU calls tanh_ inside; its gradients agree with a float64 run
    torch.manual_seed(0)
    gru = torch.nn.GRU(3, 4, batch_first=True)
    inputs = torch.randn(2, 5, 3)
    gru(inputs)[0].sum().backward()
    gru64 = copy.deepcopy(gru).double()
    gru64.zero_grad()
    gru64(inputs.double())[0].sum().backward()
    assert torch.allclose(gru.weight_hh_l0.grad.double(), gru64.weight_hh_l0.grad, atol=1e-5)


def test_environment_of_each_mode():
    portable = environment_for("portable")
    assert portable["ATEN_CPU_CAPABILITY"] == "avx2" and portable["MKL_CBWR"] == "COMPATIBLE"
    assert portable[numerics.MODE_VARIABLE] == "portable"
    assert environment_for("native") == {numerics.MODE_VARIABLE: "native"}
    with pytest.raises(ValueError, match="cpu_numerics"):
        environment_for("fast")


def test_portable_replaces_a_value_already_set():
    environ = {"ATEN_CPU_CAPABILITY": "avx512", "MKL_CBWR": "AVX512", "HOME": "/root"}
    numerics.apply_mode("portable", environ)
    assert environ["ATEN_CPU_CAPABILITY"] == "avx2" and environ["MKL_CBWR"] == "COMPATIBLE"
    assert environ["HOME"] == "/root"
    native = {"MKL_CBWR": "AVX512"}
    numerics.apply_mode("native", native)
    assert native["MKL_CBWR"] == "AVX512"  # native leaves the user's own choice


def test_machines_portable_mode_refuses(monkeypatch):
    assert check_machine("native") is None
    monkeypatch.setattr(numerics.platform, "machine", lambda: "aarch64")
    assert "aarch64" in check_machine("portable") and "native" in check_machine("portable")
    monkeypatch.setattr(numerics.platform, "machine", lambda: "x86_64")
    monkeypatch.setattr(numerics, "cpu_flags", lambda: {"sse2", "avx"})
    assert "AVX2" in check_machine("portable")
    monkeypatch.setattr(numerics, "cpu_flags", lambda: {"sse2", "avx", "avx2"})
    assert check_machine("portable") is None


def test_job_check_names_what_is_not_pinned(monkeypatch):
    import torch

    numerics.configure_torch("portable")
    for name, value in numerics.PORTABLE_ENVIRONMENT.items():
        monkeypatch.setenv(name, value)
    check_job("portable", "AVX2")
    check_job("native", "AVX512")
    with pytest.raises(NumericsError, match="runs AVX512"):
        check_job("portable", "AVX512")
    monkeypatch.delenv("MKL_CBWR")
    with pytest.raises(NumericsError, match="MKL_CBWR"):
        check_job("portable", None)
    monkeypatch.setenv("MKL_CBWR", "COMPATIBLE")
    monkeypatch.setattr(torch.backends.mkldnn, "enabled", True)
    with pytest.raises(NumericsError, match="oneDNN"):
        check_job("portable", "AVX2")
    monkeypatch.setattr(torch.backends.mkldnn, "enabled", False)
    monkeypatch.setattr(torch.cpu, "_is_avx2_supported", lambda: False)  # torch still says AVX2: it trusts the pin
    with pytest.raises(NumericsError, match="needs a CPU with AVX2.*cpu_numerics: native"):
        check_job("portable", "AVX2")
    check_job("native", "AVX2")
    monkeypatch.setattr(numerics, "_vml_override", None)
    with pytest.raises(NumericsError, match="vector maths"):
        check_job("portable", "AVX2")


def test_record_names_the_mode_and_the_cpu(monkeypatch):
    monkeypatch.setenv(numerics.MODE_VARIABLE, "portable")
    record = numerics.numerics_record("AVX2")
    assert record == {"cpu_numerics": "portable", "cpu": numerics.cpu_model(),
                      "cpu_vector_width": numerics.vector_width(), "cpu_capability": "AVX2"}
    assert record["cpu"] not in {"", "unknown"}
    if numerics.is_x86_64():
        assert "family" in record["cpu"] and record["cpu_vector_width"] in {"AVX-512", "AVX2"}
    monkeypatch.delenv(numerics.MODE_VARIABLE)
    assert numerics.numerics_record(None)["cpu_numerics"] == "native"


def test_digests_leave_the_runtime_record_out(tmp_path):
    one, two, other = tmp_path / "one.json", tmp_path / "two.json", tmp_path / "other.json"
    one.write_text(json.dumps({"runtime": {"cpu": "AMD EPYC"}, "test_acc": 61.5}))
    two.write_text(json.dumps({"test_acc": 61.5, "runtime": {"cpu": "Intel Xeon"}}))
    other.write_text(json.dumps({"runtime": {"cpu": "AMD EPYC"}, "test_acc": 61.6}))
    assert content_digest(one) == content_digest(two) != content_digest(other)
    a, b, c = tmp_path / "a.csv", tmp_path / "b.csv", tmp_path / "c.csv"
    a.write_text("width,test_error,runtime_cpu\n36,55.9,AMD EPYC\n")
    b.write_text("width,test_error,runtime_cpu\n36,55.9,Intel Xeon\n")
    c.write_text("width,test_error,runtime_cpu\n36,55.933,AMD EPYC\n")
    assert content_digest(a) == content_digest(b) != content_digest(c)
    # a summary table that keeps each run's record whole, in one column (double descent's runs.csv)
    a.write_text('width,runtime,test_error\n36,"{\'cpu\': \'AMD EPYC\'}",55.9\n')
    b.write_text('width,runtime,test_error\n36,"{\'cpu\': \'Intel Xeon\'}",55.9\n')
    assert content_digest(a) == content_digest(b)
    np.savez(tmp_path / "x.npz", w=np.arange(3.0))
    np.savez(tmp_path / "y.npz", w=np.arange(3.0) + 1e-12)
    assert content_digest(tmp_path / "x.npz") != content_digest(tmp_path / "y.npz")


def test_result_digests_cover_computed_files_only(tmp_path):
    results = tmp_path / "results"
    for name in ("lottery/metrics.json", "logs/lottery.log", "benchmarks/a.tsv", "review/cost.csv",
                 "review/provenance.json", "review/claims.csv", "figure.png",
                 "classification/cost_mnist_vs_mnist1d.csv", "review/deviations.csv"):
        (results / name).parent.mkdir(parents=True, exist_ok=True)
        (results / name).write_text("{}" if name.endswith(".json") else "a\n1\n")
    assert sorted(result_digests(results)) == ["lottery/metrics.json", "review/claims.csv"]
    assert not is_computed_result(__import__("pathlib").Path("logs/x.csv"))


def test_comparison_names_each_kind_of_difference():
    outcome = compare_digests({"a": "1", "b": "2", "new": "3"}, {"a": "1", "b": "9", "gone": "4"})
    assert outcome == {"differing": ["b"], "missing": ["gone"], "unrecorded": ["new"]}


TRACE_PROBE = """
import json, os, sys
sys.path.insert(0, {scripts!r})
from mnist1d_repro.numerics import apply_mode, configure_torch
apply_mode("portable")
os.environ["MKL_CBWR"] = {branch!r}
import torch
configure_torch("portable")
torch.set_num_threads(1)
from mnist1d_repro.op_trace import trace_workload
print(json.dumps(trace_workload("mlp", {{"hidden": 36, "residual": False, "hidden_layers": 1}}, "sgd", 100)))
"""


@pytest.mark.parametrize("name,options", [("logistic", {}), ("mlp", {}), ("mlp", {"hidden": 36, "residual": False}),
                                          ("cnn", {}), ("cnn", {"channels": 8, "in_channels": 28, "length": 28}),
                                          ("gru", {}), ("pooling_cnn", {"pooling": "max"}),
                                          ("pooling_cnn", {"pooling": "stride"})])
def test_the_product_count_is_the_dispatch_modes(name, options):
    """mean_product_size counts with kernels registered for the length of one pass; a dispatch
    mode (what it used before, a second slower per process) sees exactly the same products, so
    every model is routed as before. The kernels are gone afterwards and a trace does not see
    the pass."""
    import torch
    from torch.utils._python_dispatch import TorchDispatchMode

    from mnist1d_repro.models import build_model

    torch.manual_seed(0)
    model = build_model(name, **options)
    length, channels = options.get("length", 40), options.get("in_channels", 1)
    batch = torch.randn(100, length, channels) if channels > 1 else torch.randn(100, length)
    seen, sizes = [], []

    class Products(TorchDispatchMode):
        def __torch_dispatch__(self, func, types, args=(), kwargs=None):
            seen.append(func)
            if func in (torch.ops.aten.mm.default, torch.ops.aten.addmm.default):
                sizes.append(args[-2].shape[0] * args[-2].shape[1] * args[-1].shape[1])
            return func(*args, **(kwargs or {}))

    with torch.no_grad(), Products():
        expected = model(batch)
    seen.clear()
    with Products():  # as under an operation trace
        size = numerics.mean_product_size(model, batch)
    assert size == sum(sizes) / len(sizes) and seen == []
    with torch.no_grad():
        assert torch.equal(model(batch), expected)  # torch's own kernels again


def test_a_trace_names_the_operation_where_two_machines_part():
    """Two runs that differ in one library's kernels (here MKL's matrix products, forced to
    another branch, as another CPU may pick; a narrow MLP, whose products stay with MKL): the
    traces agree up to the first matrix product and the comparison names it, with its shapes."""
    from mnist1d_repro.op_trace import first_divergence

    traces = [json.loads(subprocess.run([sys.executable, "-c", TRACE_PROBE.format(scripts=str(ROOT / "scripts"),
                                                                                 branch=branch)],
                                        capture_output=True, text=True, check=True).stdout)
              for branch in ("COMPATIBLE", "AVX2")]
    assert first_divergence(traces[0], traces[0]) is None
    found = first_divergence(*traces)
    assert found["kind"] == "same inputs, other output"
    assert found["ours"]["op"] in ("aten.addmm.default", "aten.mm.default")
    assert all(call["outputs"] == other["outputs"] for call, other in zip(traces[0][:found["index"]], traces[1]))
