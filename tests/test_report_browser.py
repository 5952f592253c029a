"""The quick run's report in a real browser (headless Chromium): the page renders, every figure
decodes, and a screenshot is kept in test-artifacts/report.png."""
import base64
import html
import json
import re
import shutil
import subprocess
import zipfile

import matplotlib.image
import pytest

from conftest import IN_CI, QUICK, ROOT, run_snakemake

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(CHROMIUM is None and not IN_CI, reason="no chromium (apt install chromium)")
ARTIFACTS = ROOT / "test-artifacts"


def chromium(tmp_path, *args):
    assert CHROMIUM, "CI=true but chromium is not installed"
    command = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-sync",
               "--disable-background-networking", "--disable-component-update", "--hide-scrollbars",
               f"--user-data-dir={tmp_path / 'chromium-profile'}", "--virtual-time-budget=10000", *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=180)


def visible_text(dom: str) -> str:
    dom = re.sub(r"<(script|style)\b.*?</\1>", " ", dom, flags=re.S)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", dom)).split())


def embedded_results(report: str) -> dict:
    """The report's results, as embedded in its JavaScript (name -> entry with data_uri)."""
    start = report.index("var results = {") + len("var results = ")
    return json.JSONDecoder().raw_decode(report[start:])[0]


def test_report_renders_its_sections(quick_run, tmp_path):
    report = quick_run / "results" / "report.html"
    dom = chromium(tmp_path, "--dump-dom", report.as_uri()).stdout
    text = visible_text(dom)
    # only the page's JavaScript puts these into the document
    for fragment in ["Results", "1. Review", "3. MNIST-1D dataset", "4. Classification", "5.1 Lottery tickets",
                     "5.2 Deep double descent", "5.3-5.4 Metalearning", "5.5 Self-supervised learning", "5.6 Pooling",
                     "Greydanus"]:
        assert fragment in text, fragment


def test_every_figure_decodes_in_the_browser(quick_run, tmp_path):
    results = embedded_results((quick_run / "results" / "report.html").read_text())
    figures = {name: entry["data_uri"] for name, entry in results.items() if name.endswith(".png")}
    assert len(figures) >= 15
    images = "\n".join(f'<img alt="{html.escape(name)}" src="{uri}">' for name, uri in figures.items())
    check = ("<script>window.onload = () => { const broken = [...document.images]"
             ".filter(i => !(i.complete && i.naturalWidth > 0)).map(i => i.alt);"
             "document.body.insertAdjacentHTML('beforeend', '<p id=verdict>' + document.images.length"
             " + ' images, broken: [' + broken.join(', ') + ']</p>'); };</script>")
    page = tmp_path / "figures.html"
    page.write_text(f"<!DOCTYPE html><html><body>{images}{check}</body></html>")
    # the serialised DOM quotes the id; the script's own source does not
    verdict = re.search(r'<p id="verdict">(.*?)</p>', chromium(tmp_path, "--dump-dom", page.as_uri()).stdout)
    assert verdict, "the check script did not run"
    assert verdict.group(1) == f"{len(figures)} images, broken: []"


def test_screenshot_is_kept(quick_run, tmp_path):
    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / "report.png"
    shot.unlink(missing_ok=True)
    chromium(tmp_path, "--window-size=1400,1000", f"--screenshot={shot}",
             (quick_run / "results" / "report.html").as_uri())
    pixels = matplotlib.image.imread(shot)
    assert pixels.shape[:2] == (1000, 1400) and pixels.std() > 0.01  # not a blank page


def test_claims_link_to_their_figures_in_the_zip_report(quick_run, tmp_path):
    import pandas as pd

    run_snakemake(quick_run, *QUICK, "--report", str(tmp_path / "report.zip"))
    with zipfile.ZipFile(tmp_path / "report.zip") as archive:
        archive.extractall(tmp_path / "unzipped")
    (page,) = (tmp_path / "unzipped").rglob("claims.html")
    from mnist1d_repro.reporting import VERDICT_ORDER

    claims = pd.read_csv(quick_run / "results" / "review" / "claims.csv")
    # the page lists not-reproduced claims first, then inconclusive ones, each group in report order
    claims = claims.iloc[claims["verdict"].map(VERDICT_ORDER.index).argsort(kind="stable")]
    hrefs = re.findall(r'<a class="report-link" href="([^"]+)"', page.read_text())
    assert len(hrefs) == len(claims)
    for href, figure in zip(hrefs, claims["figure"]):
        target = (page.parent / html.unescape(href)).resolve()
        assert target.is_file() and target.read_bytes() == (quick_run / figure).read_bytes(), (href, figure)
    # In the browser: links from the zip's file; the single-file report's data: URL shows their text only.
    assert chromium(tmp_path, "--dump-dom", page.as_uri()).stdout.count('class="report-link"') == len(claims)
    inline = chromium(tmp_path, "--dump-dom", "data:text/html;base64," + base64.b64encode(page.read_bytes()).decode())
    assert 'class="report-link"' not in inline.stdout and "figure5.png" in inline.stdout
