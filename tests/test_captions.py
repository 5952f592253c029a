"""The report's captions fit its sidebar (about 300 pixels wide): each renders, as Snakemake renders
it, to at most 150 words below its scale banner, and every table's caption says in one sentence
what ± means in that table. The detail a caption leaves out is in the table's own page or in
docs/methods.md."""
import html
import re

import pytest

from conftest import ROOT, config_of

REPORT = ROOT / "report"
CAPTIONS = sorted(p for p in REPORT.glob("*/*.rst"))
MAX_WORDS = 150

# The report items that are tables (an HTML page of one or more tables), by caption. The test
# below checks this list against the rules' report(...) entries.
TABLE_CAPTIONS = {
    "classification/table1",
    "classification/cost",
    "classification/mlp_sweep",
    "dataset/datasets",
    "dataset/pixel_baselines",
    "double_descent/summary",
    "lottery/summary",
    "lottery/asymptotic",
    "metalearning/learning_rates",
    "metalearning/activation_accuracy",
    "metalearning/transfer",
    "pooling/table",
    "ssl/table",
    "review/claims",
    "review/deviations",
    "review/provenance",
    "review/sensitivity",
}


class Anything:
    """A rule's params, input or wildcards, whatever a caption asks of them: each renders as one word."""

    def __getattr__(self, name):
        return self

    def __getitem__(self, key):
        return self

    def __str__(self):
        return "N"


class Output(Anything):
    def __init__(self, snippet):
        self.snippet = str(snippet)


class Snakemake:
    """What Snakemake passes a caption as ``snakemake`` (snakemake.report: Snakemake(job.input,
    job.output, job.params, wildcards, ..., config, ...))."""

    def __init__(self, config, snippet):
        self.config = config
        self.output = Output(snippet)
        self.input = self.params = self.wildcards = self.log = self.resources = Anything()
        self.threads = 1
        self.rule = "rule"


def render(caption, config, snippet):
    """The caption's reStructuredText after Jinja, with Snakemake's Environment settings."""
    from jinja2 import Environment, StrictUndefined

    env = Environment(trim_blocks=True, lstrip_blocks=True, undefined=StrictUndefined)
    return env.from_string(caption.read_text()).render(snakemake=Snakemake(config, snippet), categories={},
                                                       files={})


def prose(rst):
    """The text a reader sees: the caption through docutils (as Snakemake publishes it), tags
    stripped. The included verdict lines (an empty file here) are not counted: they are written
    by the run."""
    from docutils.core import publish_parts

    body = publish_parts(rst, writer="html", settings_overrides={"halt_level": 2, "report_level": 5})["body"]
    return html.unescape(re.sub(r"<[^>]+>", " ", body))


def words(text):
    return [token for token in text.split() if re.search(r"\w", token)]


@pytest.fixture(scope="module")
def snippet(tmp_path_factory):
    path = tmp_path_factory.mktemp("snippet") / "claims.rst"
    path.write_text("")
    return path


@pytest.fixture(scope="module")
def configs():
    return {"paper": config_of(ROOT, None), "quick": config_of(ROOT, "quick.yaml")}


def name(caption):
    return f"{caption.parent.name}/{caption.stem}"


def test_every_caption_has_the_scale_banner_and_renders_under_both_configs(configs, snippet):
    assert len(CAPTIONS) > 30
    for caption in CAPTIONS:
        assert caption.read_text().startswith('{% if snakemake.config["scale"] != "paper" -%}\n'), name(caption)
        assert "scale**" not in prose(render(caption, configs["paper"], snippet)), name(caption)
        assert "Quick scale" in prose(render(caption, configs["quick"], snippet)), name(caption)


@pytest.mark.parametrize("caption", CAPTIONS, ids=name)
def test_caption_fits_the_sidebar(caption, configs, snippet):
    count = len(words(prose(render(caption, configs["paper"], snippet))))
    assert count <= MAX_WORDS, f"{name(caption)}: {count} words"


def test_the_table_list_is_every_html_item_of_the_rules():
    html_items = set()
    for rules in (ROOT / "rules").glob("*.smk"):
        for target, caption in re.findall(r'report\(\s*f?"([^"]+)",\s*caption="\.\./report/([^"]+)\.rst"',
                                           rules.read_text()):
            if target.endswith(".html"):
                html_items.add(caption)
    assert html_items == TABLE_CAPTIONS


@pytest.mark.parametrize("table", sorted(TABLE_CAPTIONS))
def test_table_caption_says_what_plus_minus_means(table, configs, snippet):
    text = " ".join(prose(render(REPORT / f"{table}.rst", configs["paper"], snippet)).split())
    sentences = re.split(r"(?<=[.!?])\s+", text)
    assert [s for s in sentences if s.startswith("±")], f"{table}: no sentence starting with ± says what it means"


def test_verdict_lines_with_a_bar_render_without_a_docutils_error(tmp_path):
    """A claim's unit may hold bars (|pooled minus none|), which reStructuredText reads as a
    substitution reference: the snippet escapes them, so docutils raises nothing and shows the bars."""
    from docutils.core import publish_parts

    from mnist1d_repro.reporting import write_caption_snippet

    path = tmp_path / "claims.rst"
    write_caption_snippet(path, ["target < 3 points (|pooled minus none|), ours 0.4: **reproduced**"])
    body = publish_parts(path.read_text(), writer="html", settings_overrides={"halt_level": 2})["body"]
    assert "(|pooled minus none|)" in html.unescape(body) and "<strong>reproduced</strong>" in body
