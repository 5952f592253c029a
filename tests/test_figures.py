"""Plot helpers the figure scripts share: colours readable on white, counted nouns, the run's scale
stated on a figure, the paper's numbers drawn one way (mark_paper) on every figure that has them."""
import ast
from pathlib import Path
from types import SimpleNamespace

import matplotlib.colors
import numpy as np
import pandas as pd
import pytest

from mnist1d_repro.claims import load_claims
from mnist1d_repro.plotting import PAPER_COLOR, count_text, mark_paper, ordered_colors, paper_label


def contrast_on_white(color) -> float:
    """WCAG contrast ratio of ``color`` against white."""
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in matplotlib.colors.to_rgb(color)]
    luminance = 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]
    return 1.05 / (luminance + 0.05)


@pytest.mark.parametrize("count", [1, 2, 3, 5, 8, 30])
def test_ordered_colours_are_readable_on_white_and_distinct(count):
    colors = ordered_colors(count)
    assert len(colors) == count
    assert min(contrast_on_white(c) for c in colors) >= 3.0  # WCAG's minimum for graphics
    assert len({matplotlib.colors.to_hex(c) for c in colors}) == count


def test_counted_nouns():
    assert count_text(1, "outer step") == "1 outer step"
    assert [count_text(n, "level") for n in (0, 2)] == ["0 levels", "2 levels"]


@pytest.mark.parametrize("scale, stated", [("quick", True), ("paper", False), (None, False)])
def test_a_figure_states_a_scale_other_than_the_papers(tmp_path, scale, stated):
    import matplotlib.pyplot as plt

    from mnist1d_repro.plotting import save_figure

    fig, ax = plt.subplots()
    ax.plot([0, 1], [0, 1])
    save_figure(fig, tmp_path / "figure.png", scale=scale)
    assert (tmp_path / "figure.png").stat().st_size > 0
    assert any("quick scale" in text.get_text() for text in fig.texts) == stated


# --- the paper's numbers on the figures -------------------------------------------------------------

ROOT = Path(__file__).resolve().parents[1]
CLAIMS = ROOT / "config" / "claims.yaml"


def paper_marks(ax) -> dict:
    """Every paper mark on ``ax`` (mark_paper's): label -> (x data, y data)."""
    return {line.get_label(): (list(line.get_xdata()), list(line.get_ydata()))
            for line in ax.get_lines() if line.get_label().startswith("paper:")}


def legend_texts(ax) -> list[str]:
    legend = ax.get_legend()
    return [] if legend is None else [text.get_text() for text in legend.get_texts()]


def assert_level(ax, label, value):
    """A grey dotted line across ``ax`` at height ``value``, labelled and in the legend."""
    assert paper_marks(ax)[label][1] == [value, value]
    assert label in legend_texts(ax)


def script(name: str, **stand_ins) -> dict:
    """The definitions of scripts/``name``.py (imports, constants, functions) without its job:
    every statement before ``log = start_job(snakemake)`` and every function after it, with a
    stand-in ``snakemake`` and ``stand_ins`` over the script's globals. save_figure keeps the
    figure in ``namespace["figures"]`` instead of writing it."""
    path = ROOT / "scripts" / f"{name}.py"
    body, job = [], False
    for node in ast.parse(path.read_text()).body:
        job = job or (isinstance(node, ast.Assign) and "start_job" in ast.unparse(node.value))
        if not job or isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            body.append(node)
    namespace = {"__name__": f"script_{name}", "snakemake": SimpleNamespace(config={"scale": "paper"})}
    exec(compile(ast.Module(body, type_ignores=[]), str(path), "exec"), namespace)
    figures = []
    namespace.update(figures=figures, save_figure=lambda fig, path, **_: figures.append(fig), **stand_ins)
    return namespace


def test_mark_paper_draws_a_labelled_grey_dotted_line_or_hollow_circle():
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots()
    ax.plot([0, 10], [0, 1])
    level = mark_paper(ax, 0.62)
    position = mark_paper(ax, 50, axis="x", label="peak at 50")
    point = mark_paper(ax, 82, at=3, label="82 before the head")
    assert paper_label(0.62) == "paper: 0.62" and paper_label(70, "tickets 70") == "paper: tickets 70"
    assert paper_marks(ax) == {"paper: 0.62": ([0, 1], [0.62, 0.62]), "paper: peak at 50": ([50, 50], [0, 1]),
                               "paper: 82 before the head": ([3], [82])}
    for line in (level, position):
        assert line.get_color() == PAPER_COLOR and line.get_linestyle() == ":"
    assert point.get_marker() == "o" and point.get_markerfacecolor() == "none"
    assert point.get_markeredgecolor() == PAPER_COLOR and point.get_linestyle() == "None"
    assert ax.get_ylim()[1] >= 82  # the marks widen the axes to show themselves
    with pytest.raises(ValueError, match="axis"):
        mark_paper(ax, 1, axis="z")
    plt.close(fig)


def test_the_paper_values_the_figures_draw_are_claims_with_a_paper_number():
    """Each figure takes its paper numbers from these claims' ``paper`` fields: a renamed claim
    or a dropped number must fail here, not leave a figure without its mark."""
    wanted = {"lottery": script("figure4")["PAPER_CLAIMS"].values(),
              "double_descent": ["noisy_mlp_peak_width"],
              "metalearning_lr": script("figure6")["PAPER_CLAIMS"],
              "metalearning_activation": ["activation_two_extrema"],
              "ssl": ["linear_accuracy_before_head"]}
    for section, ids in wanted.items():
        claims = load_claims(CLAIMS, section)
        for claim in ids:
            assert isinstance(claims[claim]["paper"], (int, float)), f"{section}.{claim}"
    activation = load_claims(CLAIMS, "metalearning_activation")
    assert all(activation[f"activation_beats_{name}"]["threshold"] == 5 for name in script("figure7")["BEATEN"])


def test_figure2_marks_the_papers_table1_cells_and_human_accuracy():
    table1 = script("table1")
    curves = {(variant, model, seed): pd.DataFrame({"run": "last_step", "step": [0, 100, 200],
                                                    "train_acc": [10.0, 80, 100], "test_acc": [10.0, 50, 60]})
              for variant in ("original", "shuffled") for model in ("mlp", "cnn") for seed in (0, 1)}
    paper = {("original", "cnn"): 94, ("shuffled", "cnn"): 56, ("original", "mlp"): 68, ("shuffled", "mlp"): 68,
             ("mnist", "cnn"): 99.5}
    table1["draw_figure2"](curves, "figure2.png", paper, 96.0)
    train, test = table1["figures"][0].axes
    assert paper_marks(train) == {}
    # at the last step, cells of one value in one mark; the MNIST cell is not Figure 2's
    assert paper_marks(test) == {"paper: human 96": ([0, 1], [96.0, 96.0]), "paper: CNN 94": ([200], [94]),
                                 "paper: MLP, MLP (shuffled) 68": ([200], [68]),
                                 "paper: CNN (shuffled) 56": ([200], [56])}
    assert {"paper: human 96", "paper: CNN 94"} <= set(legend_texts(test))


@pytest.mark.filterwarnings("ignore:No artists with labels")  # panel (b) is stubbed out here
def test_figure4_marks_the_papers_ticket_accuracies_on_panels_c_and_d():
    lottery = script("figure4")
    curve = pd.Series([10.0, 40.0], index=[0, 100])
    lottery.update(
        sparsity_panel=lambda *args, **kwargs: None, adjacency_panel=lambda ax: None, zoom_title=lambda lowest: "",
        shown=SimpleNamespace(ticket_sparsity=0.92), params=SimpleNamespace(
            panels={"original": "original", "flipped": "flipped", "shuffled": "shuffled"},
            scoring={"last_checkpoint": {"asymptotic": [{"path": "run.json"}]}}),
        configured="last_checkpoint", metrics=lambda path: {}, out=SimpleNamespace(figure4="figure4.png"),
        settings={"hidden": 100, "seeds": [42], "asymptotic": {"inits": ["original", "new"],
                                                                "networks": ["dense", "lottery", "random"]}},
        section=SimpleNamespace(mean_test_curve=lambda *args: curve))
    lottery["draw_figure4"]({"original": 70, "flipped": 71})
    axes = lottery["figures"][0].axes
    assert_level(axes[4], "paper: tickets 70", 70)  # (c)
    assert_level(axes[5], "paper: tickets 71", 71)  # (d)
    assert [paper_marks(ax) for ax in axes[:4] + axes[6:]] == [{}] * 6
    lottery["draw_figure4"]({})
    assert all(paper_marks(ax) == {} for ax in lottery["figures"][1].axes)


def test_figure5_marks_the_papers_peak_width_on_its_series():
    double_descent = script("figure5")
    names = ["clean", "noisy", "cnn"]
    curves = pd.DataFrame([{"series": name, "width": width, "test_error": 20.0 + width / 10, "test_error_std": 1.0,
                            "train_error": 10.0, "seeds": 2} for name in names for width in (8, 32, 128)])
    summary = pd.DataFrame({"threshold_width": [32.0, float("nan"), 32.0]}, index=names)
    settings = {"figure5": names, "interpolation_train_error": 0.5,
                "series": {name: {"model": "cnn" if name == "cnn" else "mlp"} for name in names}}
    double_descent["figure5"](curves, summary, settings, "figure5.png", {"noisy": 50})
    clean, noisy, cnn = double_descent["figures"][0].axes
    assert paper_marks(noisy) == {"paper: peak at 50 hidden units": ([50, 50], [0, 1])}
    assert "paper: peak at 50 hidden units" in legend_texts(noisy)
    assert paper_marks(clean) == paper_marks(cnn) == {}


def test_figure6_marks_the_papers_optimum_on_both_learning_rate_panels():
    from mnist1d_repro.sections.metalearning_lr import run_finals, start_table

    metalearning = script("figure6")
    runs = pd.DataFrame([{"initial_weights": kind, "initial_lr": lr, "init_seed": seed, "outer_step": step,
                          "lr": lr + (0.6 - lr) * step / 4, "meta_loss": 2.0 - 0.1 * step}
                         for kind, seed in (("reference", 0), ("draws", 1), ("draws", 2))
                         for lr in (0.15, 1.5) for step in range(5)])
    finals = run_finals(runs)
    table = start_table(finals, ["reference", "draws"], [0.15, 1.5])
    metalearning["draw_figure"](runs, finals, table, [0.15, 1.5], "reference", "figure6.png", [0.7])
    ax_lr, ax_loss, ax_draws = metalearning["figures"][0].axes
    assert_level(ax_lr, "paper: 0.7", 0.7)
    assert_level(ax_draws, "paper: 0.7", 0.7)
    assert paper_marks(ax_loss) == {}


def test_figure7_marks_the_papers_extrema_and_margin_over_the_strongest_beaten_baseline():
    metalearning = script("figure7")
    learned = pd.DataFrame({"outer_step": range(4), "test_acc": [20.0, 25, 30, 31], "meta_loss": [2.0, 1.9, 1.8, 1.7],
                            "activation": "learned"})
    baselines = pd.DataFrame({"activation": ["relu", "elu", "tanh"], "outer_step": 0, "test_acc": [22.0, 24, 28],
                              "meta_loss": 2.1})
    grid = np.linspace(-5, 5, 11)
    setting = {"learned": learned, "baselines": baselines,
               "shapes": {"grid": grid, "outer_steps": np.array([0, 4]), "values": np.stack([grid, grid])}}
    comparison = pd.DataFrame({"activation": ["learned", "relu", "elu", "tanh"],
                               "test accuracy (mean)": [30.5, 22.0, 24.0, 28.0]})
    bar = metalearning["paper_bar"](comparison, load_claims(CLAIMS, "metalearning_activation"))
    assert bar == ("elu", 24.0, 5)  # tanh is stronger but not one the paper's claims name
    metalearning["draw_figure"](setting, ["relu", "elu", "tanh"], 0, True, "reference seeding", "figure7.png", 2, bar)
    ax_shape, ax_acc, ax_loss = metalearning["figures"][0].axes
    assert ax_shape.get_title().endswith("0 local extrema at the end; paper: 2)")
    assert_level(ax_acc, "paper: learned > elu + 5", 29.0)
    assert paper_marks(ax_shape) == paper_marks(ax_loss) == {}
    assert metalearning["paper_bar"](comparison[comparison["activation"].isin(["learned", "tanh"])], {}) is None


def test_figure8_marks_the_papers_accuracy_before_the_head():
    ssl = script("figure8", tsne_embedding=lambda output, *args, **kwargs: np.zeros((len(output), 2)))
    layers = pd.DataFrame([{"loss": "info_nce", "head_layers": head, "layer": layer, "mean": 50.0 + layer,
                            "std": 1.0} for head in (0, 2) for layer in range(3 + head + 1)])
    representation = {"output": np.zeros((20, 4)), "label": np.arange(20) % 10}
    tsne = {"perplexity": 5, "seed": 0, "loss": "info_nce", "head_layers": 2}
    ssl["figure8"](representation, layers, tsne, 1, "figure8.png", 82)
    ax_tsne, ax_layers = ssl["figures"][0].axes[:2]
    encoder_output = ssl["ENCODER_OUTPUT"]
    assert paper_marks(ax_layers) == {"paper: 82 before the 2-layer head": ([encoder_output], [82])}
    assert "paper: 82 before the 2-layer head" in legend_texts(ax_layers)
    assert paper_marks(ax_tsne) == {}


def test_figure9_draws_without_curve_panels_and_says_which_claims_did_not_run():
    """pooling.curve_sizes: [] left figure 9 with one Axes it tried to iterate over, and a config
    without the 'none' pooling failed formatting the caption's missing differences."""
    pooling = script("figure9", values=SimpleNamespace(measured={"pooling_helps_small_data": 2.0,
                                                                  "striding_does_not_help": None}))
    final = pd.DataFrame({"pooling": ["max", "max"], "train_size": [100, 1000], "mean": [60.0, 80.0],
                          "std": [1.0, None]})
    pooling["figure9"](final, pd.DataFrame(columns=["pooling", "train_size", "step", "test_acc"]), [], "figure9.png")
    assert len(pooling["figures"][0].axes) == 1
    assert [t.get_text() for t in pooling["figures"][0].axes[0].get_legend().get_texts()] == ["max"]
    assert [pooling["points"](claim) for claim in ("pooling_helps_small_data", "striding_does_not_help",
                                                   "pooling_no_help_large_data")] == ["+2.0", "not run", "not run"]
