"""Figure 4, Figure S2, the lottery-ticket ablations and verdicts, and the verdicts under every
setting of lottery.score_weights that ran (the figures show the configured setting). The numbers
come from mnist1d_repro.sections.lottery; this script reads the job outputs, writes and draws."""
from functools import cache

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from mnist1d_repro.claims import load_claims
from mnist1d_repro.io import load_arrays, load_json, save_csv
from mnist1d_repro.jobs import start_job
from mnist1d_repro.plotting import count_text, mark_paper, save_figure
from mnist1d_repro.reporting import (claims_table, sensitivity_table, verdict_sentence, write_caption_snippet,
                                     write_html_table)
from mnist1d_repro.sections import lottery as section
from mnist1d_repro.sections.lottery import METHOD_NETWORK

NETWORK_COLORS = {"dense": "black", "lottery": "tab:blue", "random": "tab:orange"}
RUN_NAMES = {2: "pairs", 3: "triples", 4: "quadruples"}
ZOOM_FROM = 0.8  # the paper's zoomed panel: sparsity 80-100 %
# the claims whose paper values Figure 4's curve panels show, by panel (params.panels' keys)
PAPER_CLAIMS = {"original": "ticket_asymptotic_accuracy", "flipped": "ticket_flipped_accuracy"}
SCORE_WEIGHTS_TEXT = {"last_checkpoint": "scored from each retrain's last checkpoint",
                      "final": "scored from each retrain's final weights"}


@cache
def metrics(path):
    return load_json(path)


def measure(setting):
    """Read one score_weights setting's paper chains, asymptotic runs and ticket masks, and measure them."""
    spec, ticket_level = params.scoring[setting], settings["ticket_level"]
    chains = section.paper_chains({(c["method"], c["seed"]): pd.read_csv(c["levels"]) for c in spec["chains"]})
    first_layer = {(c["method"], c["seed"]): load_arrays(c["masks"])["linear1.weight"][ticket_level]
                   for c in spec["chains"]}
    return section.measure_setting(chains, spec["asymptotic"], [metrics(run["path"]) for run in spec["asymptotic"]],
                                   first_layer, ticket_level, settings["adjacency_runs"], params.panels)


def scoring_text(setting):
    return SCORE_WEIGHTS_TEXT.get(setting, setting)


def write_summary(claims, sensitivity):
    """The claims table with every other setting's number and verdict beside the configured one's."""
    write_html_table(section.summary_table(claims, sensitivity, switch, score_settings[1:]), out.summary,
                     "Lottery tickets: claims and verdicts",
                     note=f"Ticket = level {settings['ticket_level']} of the paper schedule "
                          f"({100 * shown.ticket_sparsity:.1f} % sparse), "
                          f"{scoring_text(configured)} ({switch}: {configured}). "
                          f"Asymptotic accuracy = mean test accuracy over the last "
                          f"{settings['asymptotic']['average_last_steps']} of {settings['asymptotic']['steps']} steps, "
                          f"averaged over seeds {settings['seeds']}; spread = standard deviation over seeds. "
                          + "".join(f"The columns '{switch}: {s}' give the same claims with the tickets "
                                    f"{scoring_text(s)}. " for s in score_settings[1:]))


def write_snippet(claims, sensitivity):
    ticket_level, adjacency, runs = settings["ticket_level"], shown.adjacency, settings["adjacency_runs"]
    above95 = shown.tickets_minus_dense_above_95()
    pair_lottery, pair_lottery_se = section.pooled_fraction(shown.unit_fractions, "magnitude", 2)
    pair_random, pair_random_se = section.pooled_fraction(shown.unit_fractions, "random", 2)
    write_caption_snippet(out.snippet, [
        f"Dense network {shown.dense['test_acc']:.1f} % test accuracy; ticket ({100 * shown.ticket_sparsity:.1f} % "
        f"sparse) {shown.lottery.loc[ticket_level, 'test_acc']:.1f} %, random subnetwork "
        f"{shown.random.loc[ticket_level, 'test_acc']:.1f} % after {settings['chain']['steps']} steps. Tickets minus "
        f"dense, mean over the levels between 95 and 100 % sparsity: {above95:+.1f} points."
        if above95 is not None else f"after {settings['chain']['steps']} steps.",
        f"Pruning scores: {scoring_text(configured)} (``{switch}: {configured}``; "
        f"checkpoints every {settings['chain']['checkpoint_every']} steps); each level reports its last evaluation.",
        f"First-layer adjacent pairs kept per hidden unit: tickets {100 * pair_lottery:.2f} ± "
        f"{100 * pair_lottery_se:.2f} %, random {100 * pair_random:.2f} ± {100 * pair_random_se:.2f} % "
        f"(mean ± standard error over units); first-layer weights kept: tickets "
        f"{100 * section.mean_weight_density(adjacency, 'lottery'):.1f} %, "
        f"random {100 * section.mean_weight_density(adjacency, 'random'):.1f} %.",
        "Adjacent runs kept relative to chance at the mask's own density (pairs, triples, quadruples): tickets "
        + ", ".join(f"{section.relative_to_chance(adjacency, 'lottery', run):.2f}" for run in runs) + "; random "
        + ", ".join(f"{section.relative_to_chance(adjacency, 'random', run):.2f}" for run in runs) + ".",
        *[f"{row['claim']} — {verdict_sentence(row)}" for _, row in claims.iterrows()],
        *[f"With the tickets {scoring_text(s)} (``{switch}: {s}``): "
          + "; ".join(f"{row['claim_id']} {section.short_verdict(row)}"
                      for _, row in sensitivity[sensitivity["setting"] == s].iterrows()) + "."
          for s in score_settings[1:]],
    ])


def write_asymptotic_table():
    asymptotic = settings["asymptotic"]
    write_html_table(section.asymptotic_table(shown.runs, shown.stats, asymptotic["networks"]), out.asymptotic_table,
                     "Asymptotic test accuracy (%) of dense networks, tickets and random subnetworks",
                     note=f"Trained {asymptotic['steps']} steps (batch {asymptotic['batch_size']}) on "
                          f"dataset '{asymptotic['dataset']}', not the one the tickets were found on. "
                          f"'new' initialisation: seed + {asymptotic['new_init_offset']}, the mask kept. "
                          f"Mean ± std over seeds {settings['seeds']}.")


# --- Figure 4 ---------------------------------------------------------------------------------
def sparsity_panel(ax, column, ylabel, lowest=None):
    """Tickets and random subnetworks by sparsity; ``lowest``: a zoom on sparsities from there to
    100 %, the levels marked, the curve entering from the nearest level below it."""
    for method, frame in shown.levels.items():
        if lowest is not None:
            below = frame.loc[frame["sparsity"] < lowest, "sparsity"]
            frame = frame[frame["sparsity"] >= (below.max() if len(below) else lowest)]
        color = NETWORK_COLORS[METHOD_NETWORK[method]]
        ax.plot(100 * frame["sparsity"], frame[column], color=color, label=METHOD_NETWORK[method],
                marker="o" if lowest is not None else None, ms=3)
        spread = frame[f"{column}_std"].fillna(0)
        ax.fill_between(100 * frame["sparsity"], frame[column] - spread, frame[column] + spread, color=color, alpha=0.2)
    ax.axhline(shown.dense[column], color="black", ls="--", lw=1, label="dense")
    # dash-dot: grey dotted lines are the paper's numbers (plotting.mark_paper)
    ax.axvline(100 * shown.ticket_sparsity, color=NETWORK_COLORS["lottery"], ls="-.", lw=0.8,
               label=f"ticket ({100 * shown.ticket_sparsity:.1f} % sparse)")
    if lowest is not None:
        ax.set_xlim(100 * lowest - 1, 100.5)
    ax.set_xlabel("sparsity (%)")
    ax.set_ylabel(ylabel)
    ax.grid(alpha=0.3)


def zoom_title(lowest):
    """The zoom panel's title, with how many pruning levels it holds where that is few (the quick
    scale's short schedule)."""
    levels = next(iter(shown.levels.values()))
    inside = int((levels["sparsity"] >= lowest).sum())
    count = "" if inside >= 3 else f": {count_text(inside, 'level')} at this scale"
    return f"(b, zoom) sparsity {100 * lowest:.0f}-100 %{count}"


def adjacency_panel(ax):
    runs_shown = settings["adjacency_runs"]
    for offset, method in ((-0.2, "magnitude"), (0.2, "random")):
        stats = [section.pooled_fraction(shown.unit_fractions, method, run) for run in runs_shown]
        network = METHOD_NETWORK[method]
        ax.bar(np.arange(len(runs_shown)) + offset, [100 * m for m, _ in stats], width=0.4,
               yerr=[100 * se for _, se in stats], capsize=3, color=NETWORK_COLORS[network], label=network)
        chance = [100 * section.mean_chance_fraction(shown.adjacency, network, run) for run in runs_shown]
        ax.hlines(chance, np.arange(len(runs_shown)) + offset - 0.2, np.arange(len(runs_shown)) + offset + 0.2,
                  color="black", lw=1.5, label="chance at the mask's density" if method == "random" else None)
    ax.set_xticks(range(len(runs_shown)), [RUN_NAMES.get(run, f"{run} in a row") for run in runs_shown])
    ax.set_ylabel("adjacent kept inputs per unit (%)")
    ax.set_title("(g) first-layer adjacency (mean ± s.e.)", fontsize=10)
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3, axis="y")


def curve_panel(ax, variant, init, title, paper=None):
    """The mean test-accuracy curve of each network trained on ``variant``; ``paper``: the tickets'
    asymptotic accuracy the paper prints for this panel."""
    ax.set_title(title, fontsize=10)
    ax.set_xlabel("training step")
    ax.set_ylabel("test accuracy (%)")
    ax.grid(alpha=0.3)
    if variant is None or init not in settings["asymptotic"]["inits"]:
        ax.text(0.5, 0.5, "not run", ha="center", va="center", transform=ax.transAxes)
        return
    run_specs = params.scoring[configured]["asymptotic"]
    run_metrics = [metrics(run["path"]) for run in run_specs]
    for network in settings["asymptotic"]["networks"]:
        mean = section.mean_test_curve(run_specs, run_metrics, variant, init, network)
        ax.plot(mean.index, mean.values, color=NETWORK_COLORS[network], lw=1, label=network)
    if paper is not None:
        mark_paper(ax, paper, label=f"tickets {paper:g}")
        ax.legend(fontsize=8)


def draw_figure4(paper: dict):
    """Figure 4 of the configured setting; ``paper``: the paper's value per curve panel (PAPER_CLAIMS)."""
    panels = params.panels
    fig, axes = plt.subplots(2, 4, figsize=(17, 7.5), layout="constrained")
    sparsity_panel(axes[0, 0], "test_loss", "final test loss")
    axes[0, 0].set_title("(a) test loss after retraining", fontsize=10)
    sparsity_panel(axes[0, 1], "test_acc", "final test accuracy (%)")
    axes[0, 1].set_title("(b) test accuracy after retraining", fontsize=10)
    axes[0, 1].legend(fontsize=8)
    sparsity_panel(axes[0, 2], "test_acc", "final test accuracy (%)", lowest=ZOOM_FROM)
    axes[0, 2].set_title(zoom_title(ZOOM_FROM), fontsize=10)
    adjacency_panel(axes[0, 3])
    curve_panel(axes[1, 0], panels["original"], "original", "(c) ticket on new data", paper.get("original"))
    curve_panel(axes[1, 1], panels["flipped"], "original", "(d) flipped data", paper.get("flipped"))
    curve_panel(axes[1, 2], panels["shuffled"], "original", "(e) shuffled data")
    curve_panel(axes[1, 3], panels["original"], "new", "(f) new initial weights, same masks")
    axes[1, 0].legend(fontsize=8)
    fig.suptitle(f"Figure 4: lottery tickets (MLP, hidden {settings['hidden']}; ticket "
                 f"{100 * shown.ticket_sparsity:.1f} % sparse; mean over seeds {settings['seeds']})")
    save_figure(fig, out.figure4, scale=snakemake.config["scale"])


def draw_figure_s2():
    """First-layer masks of the first seed, hidden units sorted by adjacency."""
    seed = settings["seeds"][0]
    fig, axes = plt.subplots(1, 2, figsize=(9, 8), layout="constrained")
    for ax, method in zip(axes, ("magnitude", "random")):
        mask = shown.first_layer[(method, seed)]
        order = np.argsort(-shown.unit_fractions[(method, seed, 2)], kind="stable")
        ax.imshow(mask[order], aspect="auto", cmap="Greys", interpolation="nearest")
        ax.set_title(f"{METHOD_NETWORK[method]}: {100 * mask.mean():.1f} % of first-layer weights kept", fontsize=10)
        ax.set_xlabel("input position")
        ax.set_ylabel("hidden unit (most adjacent pairs first)")
    fig.suptitle(f"Figure S2: first-layer masks at {100 * shown.ticket_sparsity:.1f} % sparsity (seed {seed}); "
                 "black = kept")
    save_figure(fig, out.figureS2, scale=snakemake.config["scale"])


def draw_pruning_rate(levels):
    fig, ax = plt.subplots(figsize=(7, 4.5), layout="constrained")
    schedules = levels[levels["method"] == "magnitude"]
    for schedule, frame in schedules.groupby("schedule", sort=False):
        spec = settings["schedules"][schedule]
        ax.errorbar(100 * frame["sparsity"], frame["test_acc"], yerr=frame["test_acc_std"].fillna(0), marker="o",
                    ms=2 if spec["levels"] > 30 else 4, capsize=2, lw=1,
                    label=f"tickets, {schedule}: {spec['levels']} levels to {100 * spec['final_sparsity']:.0f} %")
    ax.plot(100 * shown.random["sparsity"], shown.random["test_acc"], color="gray", ls="--", lw=1,
            label="random subnetworks")
    ax.axhline(shown.dense["test_acc"], color="black", ls=":", lw=1, label="dense")
    ax.set_xlabel("sparsity (%)")
    ax.set_ylabel("final test accuracy (%)")
    ax.set_title("Ablation: how fast to prune")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    save_figure(fig, out.pruning_rate, scale=snakemake.config["scale"])


def draw_asymptotic_ablation():
    """Asymptotic accuracy for every variant, network and initialisation."""
    runs, asym = shown.runs, shown.stats
    fig, ax = plt.subplots(figsize=(10, 4.5), layout="constrained")
    groups = list(dict.fromkeys(zip(runs["variant"], runs["init"])))
    networks = settings["asymptotic"]["networks"]
    width = 0.8 / len(networks)
    for i, network in enumerate(networks):
        stats = [asym.loc[(variant, init, network)] for variant, init in groups]
        ax.bar(np.arange(len(groups)) + (i - (len(networks) - 1) / 2) * width, [s["mean"] for s in stats], width,
               yerr=[0 if s["count"] < 2 else s["std"] for s in stats], capsize=2, color=NETWORK_COLORS[network],
               label=network)
    ax.set_xticks(range(len(groups)), [f"{variant}\n{init} init" for variant, init in groups], fontsize=8)
    ax.set_ylabel("asymptotic test accuracy (%)")
    ax.set_title("Ablation: tickets and random masks on every data variant, original and new initial weights")
    ax.set_ylim(bottom=max(0, runs["asymptotic_test_acc"].min() - 10))
    ax.grid(alpha=0.3, axis="y")
    ax.legend(fontsize=8)
    save_figure(fig, out.asymptotic_ablation, scale=snakemake.config["scale"])


log = start_job(snakemake)
params, out = snakemake.params, snakemake.output
settings, switch = params.settings, params.score_switch
score_settings = list(params.scoring)  # the configured setting first
configured = score_settings[0]

# pruning chains of every schedule (the configured setting; pruning-rate ablation)
chains = section.all_chains({key: pd.read_csv(path) for key, path in zip(params.chains, snakemake.input.chains)})
save_csv(out.chains, chains)
levels = section.level_means(chains, ["schedule", "method", "level"]).reset_index()

measured = {setting: measure(setting) for setting in score_settings}
shown = measured[configured]  # what the figures and tables show
save_csv(out.asymptotic_csv, shown.runs)
save_csv(out.adjacency, shown.adjacency)

# verdicts: the configured setting's, and every setting's side by side
claim_specs = load_claims(params.claims, "lottery")
claims = claims_table(claim_specs, digits=2, **shown.claims.table_arguments())
save_csv(out.claims, claims)
by_setting = {setting: measured[setting].claims.table_arguments() for setting in score_settings}
sensitivity = sensitivity_table(claim_specs, switch, configured, digits=2,
                                **{name: {s: values[name] for s, values in by_setting.items()}
                                   for name in ("measured", "spread", "se", "n")})
save_csv(out.sensitivity, sensitivity)
write_summary(claims, sensitivity)
write_snippet(claims, sensitivity)
write_asymptotic_table()

draw_figure4({panel: claim_specs[claim]["paper"] for panel, claim in PAPER_CLAIMS.items()
              if claim_specs.get(claim, {}).get("paper") is not None})
draw_figure_s2()
draw_pruning_rate(levels)
draw_asymptotic_ablation()
log("done")
