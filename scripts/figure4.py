"""Figure 4, Figure S2, the lottery-ticket ablations and verdicts, and the verdicts under every
setting of lottery.score_weights that ran (the figures show the configured setting)."""
from functools import cache
from types import SimpleNamespace

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from mnist1d_repro.claims import load_claims
from mnist1d_repro.io import load_arrays, load_json, save_csv
from mnist1d_repro.jobs import start_job
from mnist1d_repro.lottery import adjacency_fractions
from mnist1d_repro.plotting import save_figure
from mnist1d_repro.summaries import lottery_claim_values, relative_to_chance
from mnist1d_repro.reporting import (claims_table, sensitivity_table, verdict_sentence, write_caption_snippet,
                                     write_html_table)

NETWORK_COLORS = {"dense": "black", "lottery": "tab:blue", "random": "tab:orange"}
METHOD_NETWORK = {"magnitude": "lottery", "random": "random"}
RUN_NAMES = {2: "pairs", 3: "triples", 4: "quadruples"}
SCORE_WEIGHTS_TEXT = {"last_checkpoint": "scored from each retrain's last checkpoint",
                      "final": "scored from each retrain's final weights"}

log = start_job(snakemake)
params, out = snakemake.params, snakemake.output
settings = params.settings
ticket_level = settings["ticket_level"]
panels = params.panels
switch = params.score_switch
score_settings = list(params.scoring)  # the configured setting first
configured = score_settings[0]

# --- pruning chains of every schedule (the configured setting; pruning-rate ablation) ----------
chains = pd.concat([pd.read_csv(path).assign(schedule=schedule, method=method, seed=seed)
                    for (schedule, method, seed), path in zip(params.chains, snakemake.input.chains)])
chains = chains[["schedule", "method", "seed"] + [c for c in chains.columns if c not in ("schedule", "method", "seed")]]
save_csv(out.chains, chains)
levels = (chains.groupby(["schedule", "method", "level"])
          .agg(sparsity=("sparsity", "first"), test_acc=("test_acc", "mean"), test_acc_std=("test_acc", "std"),
               test_loss=("test_loss", "mean"), test_loss_std=("test_loss", "std")).reset_index())


@cache
def metrics(path):
    return load_json(path)


def measure(setting):
    """Everything one score_weights setting's claims read: the paper schedule's chains (a-b),
    the asymptotic runs (c-f), the first-layer adjacency of the ticket (g), the claim values
    and their spread over seeds."""
    spec = params.scoring[setting]
    r = SimpleNamespace()
    # chains (a-b): per level, mean and std over seeds
    paper_chains = pd.concat([pd.read_csv(c["levels"]).assign(method=c["method"], seed=c["seed"])
                              for c in spec["chains"]])
    r.paper = {method: frame.groupby("level").agg(
                   sparsity=("sparsity", "first"), test_acc=("test_acc", "mean"), test_acc_std=("test_acc", "std"),
                   test_loss=("test_loss", "mean"), test_loss_std=("test_loss", "std"))
               for method, frame in paper_chains.groupby("method")}
    r.lottery, r.random_ = r.paper["magnitude"], r.paper["random"]
    r.dense = r.lottery.loc[0]  # level 0 is the unpruned network
    r.ticket_sparsity = r.lottery.loc[ticket_level, "sparsity"]
    r.above95 = r.lottery[(r.lottery["sparsity"] > 0.95) & (r.lottery["sparsity"] < 1)].index

    # asymptotic runs (c-f)
    r.run_specs = spec["asymptotic"]
    r.runs = pd.DataFrame([{**{k: v for k, v in run.items() if k != "path"},
                            **{k: metrics(run["path"])[k] for k in ("final_test_acc", "asymptotic_test_acc",
                                                                     "final_train_acc", "kept_fraction")}}
                           for run in r.run_specs])
    r.asym = r.runs.groupby(["variant", "init", "network"])["asymptotic_test_acc"].agg(["mean", "std", "count"])

    # first-layer adjacency (g and S2)
    r.first_layer = {(c["method"], c["seed"]): load_arrays(c["masks"])["linear1.weight"][ticket_level]
                     for c in spec["chains"]}
    adjacency_rows, r.unit_fractions = [], {}
    for (method, seed), mask in r.first_layer.items():
        for run in settings["adjacency_runs"]:
            fractions = adjacency_fractions(mask, run)
            r.unit_fractions[(method, seed, run)] = fractions
            adjacency_rows.append({"network": METHOD_NETWORK[method], "seed": seed, "run_length": run,
                                   "mean_fraction": fractions.mean(), "units": len(fractions),
                                   "weight_density": mask.mean(), "chance_fraction": mask.mean() ** run})
    r.adjacency = pd.DataFrame(adjacency_rows)
    r.measured, r.spread, r.n = lottery_claim_values(paper_chains, r.runs, r.adjacency, panels)
    return r


measured = {setting: measure(setting) for setting in score_settings}
shown = measured[configured]  # what the figures and tables show
paper, lottery, random_, dense = shown.paper, shown.lottery, shown.random_, shown.dense
ticket_sparsity, above95, runs, asym = shown.ticket_sparsity, shown.above95, shown.runs, shown.asym
adjacency, unit_fractions, first_layer = shown.adjacency, shown.unit_fractions, shown.first_layer
save_csv(out.asymptotic_csv, runs)
save_csv(out.adjacency, adjacency)


def pooled(method, run):
    values = np.concatenate([unit_fractions[(m, s, r)] for (m, s, r) in unit_fractions if m == method and r == run])
    return values.mean(), values.std(ddof=1) / np.sqrt(len(values))


pair_lottery, pair_lottery_se = pooled("magnitude", 2)
pair_random, pair_random_se = pooled("random", 2)

# --- verdicts: the configured setting's, and every setting's side by side ----------------------
claim_specs = load_claims(params.claims, "lottery")
claims = claims_table(claim_specs, shown.measured, digits=2, spread=shown.spread, n=shown.n)
save_csv(out.claims, claims)
sensitivity = sensitivity_table(claim_specs, switch, configured, digits=2,
                                measured={s: measured[s].measured for s in score_settings},
                                spread={s: measured[s].spread for s in score_settings},
                                n={s: measured[s].n for s in score_settings})
save_csv(out.sensitivity, sensitivity)


def short_verdict(row) -> str:
    """'3.2 points, reproduced' for a sensitivity-table row."""
    if row["ours"] is None or pd.isna(row["ours"]):
        return row["verdict"]
    unit = row["unit"] if row["unit"] == "%" else f" {row['unit']}"
    return f"{row['ours']:.3g}{unit}, {row['verdict']}"


summary = claims.copy()
for setting in score_settings[1:]:
    other = sensitivity[sensitivity["setting"] == setting].set_index("claim_id")
    position = summary.columns.get_loc("verdict") + 1
    summary.insert(position, f"verdict, {switch}: {setting}", summary["claim_id"].map(other["verdict"]))
    summary.insert(position, f"ours, {switch}: {setting}", summary["claim_id"].map(other["ours"]))
write_html_table(summary, out.summary, "Lottery tickets: claims and verdicts",
                 note=f"Ticket = level {ticket_level} of the paper schedule ({100 * ticket_sparsity:.1f} % sparse), "
                      f"{SCORE_WEIGHTS_TEXT.get(configured, configured)} ({switch}: {configured}). "
                      f"Asymptotic accuracy = mean test accuracy over the last "
                      f"{settings['asymptotic']['average_last_steps']} of {settings['asymptotic']['steps']} steps, "
                      f"averaged over seeds {settings['seeds']}; spread = standard deviation over seeds. "
                      + "".join(f"The columns '{switch}: {s}' give the same claims with the tickets "
                                f"{SCORE_WEIGHTS_TEXT.get(s, s)}. " for s in score_settings[1:]))
write_caption_snippet(out.snippet, [
    f"Dense network {dense['test_acc']:.1f} % test accuracy; ticket ({100 * ticket_sparsity:.1f} % sparse) "
    f"{lottery.loc[ticket_level, 'test_acc']:.1f} %, random subnetwork {random_.loc[ticket_level, 'test_acc']:.1f} % "
    f"after {settings['chain']['steps']} steps. Tickets minus dense, mean over the levels between 95 and "
    f"100 % sparsity: {lottery.loc[above95, 'test_acc'].mean() - dense['test_acc']:+.1f} points."
    if len(above95) else f"after {settings['chain']['steps']} steps.",
    f"Pruning scores: {SCORE_WEIGHTS_TEXT.get(configured, configured)} (``{switch}: {configured}``; "
    f"checkpoints every {settings['chain']['checkpoint_every']} steps); each level reports its last evaluation.",
    f"First-layer adjacent pairs kept per hidden unit: tickets {100 * pair_lottery:.2f} ± {100 * pair_lottery_se:.2f} %, "
    f"random {100 * pair_random:.2f} ± {100 * pair_random_se:.2f} % (mean ± standard error over units); "
    f"first-layer weights kept: tickets {100 * adjacency[adjacency['network'] == 'lottery']['weight_density'].mean():.1f} %, "
    f"random {100 * adjacency[adjacency['network'] == 'random']['weight_density'].mean():.1f} %.",
    "Adjacent runs kept relative to chance at the mask's own density (pairs, triples, quadruples): tickets "
    + ", ".join(f"{relative_to_chance(adjacency, 'lottery', run):.2f}" for run in settings["adjacency_runs"]) + "; random "
    + ", ".join(f"{relative_to_chance(adjacency, 'random', run):.2f}" for run in settings["adjacency_runs"]) + ".",
    *[f"{row['claim']} — {verdict_sentence(row)}" for _, row in claims.iterrows()],
    *[f"With the tickets {SCORE_WEIGHTS_TEXT.get(s, s)} (``{switch}: {s}``): "
      + "; ".join(f"{row['claim_id']} {short_verdict(row)}"
                  for _, row in sensitivity[sensitivity["setting"] == s].iterrows()) + "."
      for s in score_settings[1:]],
])

# --- asymptotic table: every variant x initialisation x network -------------------------------
table = []
for (variant, init), group in runs.groupby(["variant", "init"], sort=False):
    row = {"data variant": variant, "initialisation": init}
    for network in settings["asymptotic"]["networks"]:
        stats = asym.loc[(variant, init, network)]
        row[network] = (f"{stats['mean']:.1f} ± {stats['std']:.1f}" if stats["count"] > 1 else f"{stats['mean']:.1f}")
    table.append(row)
write_html_table(pd.DataFrame(table), out.asymptotic_table,
                 "Asymptotic test accuracy (%) of dense networks, tickets and random subnetworks",
                 note=f"Trained {settings['asymptotic']['steps']} steps (batch {settings['asymptotic']['batch_size']}) on "
                      f"dataset '{settings['asymptotic']['dataset']}', not the one the tickets were found on. "
                      f"'new' initialisation: seed + {settings['asymptotic']['new_init_offset']}, the mask kept. "
                      f"Mean ± std over seeds {settings['seeds']}.")


# --- Figure 4 ---------------------------------------------------------------------------------
def sparsity_panel(ax, column, ylabel, lowest=0.0):
    for method, frame in paper.items():
        frame = frame[frame["sparsity"] >= lowest]
        color = NETWORK_COLORS[METHOD_NETWORK[method]]
        ax.plot(100 * frame["sparsity"], frame[column], color=color, label=METHOD_NETWORK[method])
        spread = frame[f"{column}_std"].fillna(0)
        ax.fill_between(100 * frame["sparsity"], frame[column] - spread, frame[column] + spread, color=color, alpha=0.2)
    ax.axhline(dense[column], color="black", ls="--", lw=1, label="dense")
    ax.axvline(100 * ticket_sparsity, color="gray", ls=":", lw=1)
    ax.set_xlabel("sparsity (%)")
    ax.set_ylabel(ylabel)
    ax.grid(alpha=0.3)


def curve_panel(ax, variant, init, title):
    ax.set_title(title, fontsize=10)
    ax.set_xlabel("training step")
    ax.set_ylabel("test accuracy (%)")
    ax.grid(alpha=0.3)
    if variant is None or init not in settings["asymptotic"]["inits"]:
        ax.text(0.5, 0.5, "not run", ha="center", va="center", transform=ax.transAxes)
        return
    for network in settings["asymptotic"]["networks"]:
        paths = [run["path"] for run in shown.run_specs
                 if (run["variant"], run["init"], run["network"]) == (variant, init, network)]
        curves = pd.DataFrame([point for path in paths for point in metrics(path)["curve"]])
        mean = curves.groupby("step")["test_acc"].mean()
        ax.plot(mean.index, mean.values, color=NETWORK_COLORS[network], lw=1, label=network)


fig, axes = plt.subplots(2, 4, figsize=(17, 7.5), layout="constrained")
sparsity_panel(axes[0, 0], "test_loss", "final test loss")
axes[0, 0].set_title("(a) test loss after retraining", fontsize=10)
sparsity_panel(axes[0, 1], "test_acc", "final test accuracy (%)")
axes[0, 1].set_title("(b) test accuracy after retraining", fontsize=10)
axes[0, 1].legend(fontsize=8)
sparsity_panel(axes[0, 2], "test_acc", "final test accuracy (%)", lowest=0.8)
axes[0, 2].set_title("(b, zoom) sparsity 80-100 %", fontsize=10)
ax = axes[0, 3]
runs_shown = settings["adjacency_runs"]
for offset, method in ((-0.2, "magnitude"), (0.2, "random")):
    stats = [pooled(method, run) for run in runs_shown]
    network = METHOD_NETWORK[method]
    ax.bar(np.arange(len(runs_shown)) + offset, [100 * m for m, _ in stats], width=0.4,
           yerr=[100 * se for _, se in stats], capsize=3, color=NETWORK_COLORS[network], label=network)
    chance = [100 * adjacency[(adjacency["network"] == network) & (adjacency["run_length"] == run)]
              ["chance_fraction"].mean() for run in runs_shown]
    ax.hlines(chance, np.arange(len(runs_shown)) + offset - 0.2, np.arange(len(runs_shown)) + offset + 0.2,
              color="black", lw=1.5, label="chance at the mask's density" if method == "random" else None)
ax.set_xticks(range(len(runs_shown)), [RUN_NAMES.get(run, f"{run} in a row") for run in runs_shown])
ax.set_ylabel("adjacent kept inputs per unit (%)")
ax.set_title("(g) first-layer adjacency (mean ± s.e.)", fontsize=10)
ax.legend(fontsize=8)
ax.grid(alpha=0.3, axis="y")
curve_panel(axes[1, 0], panels["original"], "original", "(c) ticket on new data")
curve_panel(axes[1, 1], panels["flipped"], "original", "(d) flipped data")
curve_panel(axes[1, 2], panels["shuffled"], "original", "(e) shuffled data")
curve_panel(axes[1, 3], panels["original"], "new", "(f) new initial weights, same masks")
axes[1, 0].legend(fontsize=8)
fig.suptitle(f"Figure 4: lottery tickets (MLP, hidden {settings['hidden']}; ticket {100 * ticket_sparsity:.1f} % sparse; "
             f"mean over seeds {settings['seeds']})")
save_figure(fig, out.figure4)

# --- Figure S2: first-layer masks of the first seed, hidden units sorted by adjacency ---------
seed = settings["seeds"][0]
fig, axes = plt.subplots(1, 2, figsize=(9, 8), layout="constrained")
for ax, method in zip(axes, ("magnitude", "random")):
    mask = first_layer[(method, seed)]
    order = np.argsort(-unit_fractions[(method, seed, 2)], kind="stable")
    ax.imshow(mask[order], aspect="auto", cmap="Greys", interpolation="nearest")
    ax.set_title(f"{METHOD_NETWORK[method]}: {100 * mask.mean():.1f} % of first-layer weights kept", fontsize=10)
    ax.set_xlabel("input position")
    ax.set_ylabel("hidden unit (most adjacent pairs first)")
fig.suptitle(f"Figure S2: first-layer masks at {100 * ticket_sparsity:.1f} % sparsity (seed {seed}); black = kept")
save_figure(fig, out.figureS2)

# --- Ablation: pruning rate -------------------------------------------------------------------
fig, ax = plt.subplots(figsize=(7, 4.5), layout="constrained")
schedules = levels[levels["method"] == "magnitude"]
for schedule, frame in schedules.groupby("schedule", sort=False):
    spec = settings["schedules"][schedule]
    ax.errorbar(100 * frame["sparsity"], frame["test_acc"], yerr=frame["test_acc_std"].fillna(0), marker="o",
                ms=2 if spec["levels"] > 30 else 4, capsize=2, lw=1,
                label=f"tickets, {schedule}: {spec['levels']} levels to {100 * spec['final_sparsity']:.0f} %")
ax.plot(100 * random_["sparsity"], random_["test_acc"], color="gray", ls="--", lw=1, label="random subnetworks")
ax.axhline(dense["test_acc"], color="black", ls=":", lw=1, label="dense")
ax.set_xlabel("sparsity (%)")
ax.set_ylabel("final test accuracy (%)")
ax.set_title("Ablation: how fast to prune")
ax.grid(alpha=0.3)
ax.legend(fontsize=8)
save_figure(fig, out.pruning_rate)

# --- Ablation: asymptotic accuracy for every variant, network and initialisation --------------
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
save_figure(fig, out.asymptotic_ablation)
log("done")
