# Path builders of ssl.smk: the files its rules write and read, from the config.


def ssl_settings(wildcards):
    """The ssl config section a job runs under, from its {ssl_setting} folder."""
    return switched_section("ssl", SSL_SWITCHES, wildcards.ssl_setting)


def ssl_linear_probe(wildcards):
    """The linear-probe settings an SSL job runs with, from its {ssl_setting} folder."""
    return switched_section("linear_probe", SSL_SWITCHES, wildcards.ssl_setting)


def ssl_loss_seeds(loss):
    """The seeds a loss's jobs run under the configured settings: InfoNCE (the claims' loss) `seeds`,
    VICReg `ablation_seeds`."""
    return config["ssl"]["seeds" if loss == "info_nce" else "ablation_seeds"]


def ssl_tsne_input():
    """The output representation Figure 8a embeds: ssl.tsne's loss and head depth, its first seed."""
    t = config["ssl"]["tsne"]
    return f"{SSL_DIR}/{t['loss']}/head{t['head_layers']}/seed{ssl_loss_seeds(t['loss'])[0]}/output_representation.npz"


def ssl_runs(filename, setting_dir="", losses=None, seeds=None):
    """One file of every self-supervised job (loss x head depth x seed) in one setting's folder
    (default: the configured settings, every configured loss; InfoNCE, the claims' loss, at `seeds`,
    VICReg at `ablation_seeds`)."""
    c = config["ssl"]
    return [
        f"{SSL_DIR}/{setting_dir}{loss}/head{head}/seed{seed}/{filename}"
        for loss in (c["losses"] if losses is None else losses)
        for head in c["head_layers"]
        for seed in (seeds or ssl_loss_seeds(loss))
    ]


def ssl_sensitivity_runs(filename):
    """One file of every job the alternative SSL settings add: InfoNCE (the claims' loss) x
    head depth x seed per alternative, at `ablation_seeds` (another seed set: its seeds, in the
    configured folders); VICReg runs under the configured settings only."""
    return [
        path
        for switch, setting in switch_alternatives(SSL_SWITCHES)
        for path in ssl_runs(
            filename,
            switch_dir(switch, setting),
            ["info_nce"],
            setting if registry.SWITCHES[switch].seed_set else config["ssl"]["ablation_seeds"],
        )
    ]
