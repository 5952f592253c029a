"""The quick run's report in a real browser (headless Chromium): the page renders, every category,
subcategory and item opens through the report's own sidebar without a console error or an empty
page, every figure decodes, and a screenshot is kept in test-artifacts/report.png."""
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


def embedded_categories(report: str) -> dict:
    """The report's sidebar tree, as embedded in its JavaScript (category -> subcategory -> paths)."""
    start = report.index("var categories = {") + len("var categories = ")
    return json.JSONDecoder().raw_decode(report[start:])[0]


# Console errors, uncaught exceptions and rejected promises, recorded from before the report's own
# scripts run (a React render error logs to the console and then unmounts the whole page).
ERROR_TRAP = """<script>
window.reportErrors = [];
const consoleError = console.error.bind(console);
console.error = (...args) => { window.reportErrors.push(args.map(String).join(" ")); consoleError(...args); };
window.addEventListener("error", event => window.reportErrors.push("uncaught: " + event.message));
window.addEventListener("unhandledrejection", event => window.reportErrors.push("unhandled: " + event.reason));
</script>"""

# Clicks through the report as a reader would: from the sidebar's menu every category, in it every
# subcategory (back through the breadcrumb), and in each every toggle value and every item's view
# button; after each click it records what the main panel shows. The outcome goes into
# <pre id="browse-verdict"> for --dump-dom.
BROWSE = """<script>
window.addEventListener("load", async () => {
  const pause = (ms = 40) => new Promise(done => setTimeout(done, ms));
  const sidebar = () => document.querySelector("#app nav.h-screen");
  const panel = () => document.querySelector("#app > div > div.grow");
  const all = (root, selector) => root ? [...root.querySelectorAll(selector)] : [];
  const text = element => element.textContent.trim();
  const visits = [];
  async function click(element) { element.click(); await pause(); }
  const menuLink = name => all(sidebar(), "div.p-3 > ul > li > a").find(a => text(a) === name);
  const crumb = name => all(sidebar(), "ol a").find(a => text(a) === name);

  function htmlText(uri) {
    const comma = uri.indexOf(",");
    const meta = uri.slice(5, comma), body = uri.slice(comma + 1);
    const raw = meta.endsWith(";base64")
      ? new TextDecoder().decode(Uint8Array.from(atob(body), c => c.charCodeAt(0))) : decodeURIComponent(body);
    if (!meta.startsWith("text/html")) return raw;
    const page = new DOMParser().parseFromString(raw, "text/html");
    page.querySelectorAll("script, style").forEach(node => node.remove());
    return page.body ? text(page.body) : "";
  }

  async function shown() {  // what the main panel shows; "" for nothing
    const main = panel();
    if (!main) return "";
    const image = main.querySelector("img");
    if (image) {
      for (let i = 0; i < 200 && !(image.complete && image.naturalWidth > 0); i++) await pause(10);
      return image.naturalWidth > 0 ? `image ${image.naturalWidth}x${image.naturalHeight}` : "";
    }
    const frame = main.querySelector("iframe");
    if (frame) {
      const src = frame.getAttribute("src") || "";
      const words = src.startsWith("data:") ? htmlText(src) : "";
      return words ? `document, ${words.length} characters` : "";
    }
    return text(main) ? "text" : "";
  }

  async function openItems(page) {
    if (!sidebar()) return visits.push({page, problem: "the report went blank"});
    const rows = () => all(sidebar(), "tbody tr");
    if (!rows().length) return visits.push({page, problem: "no items listed"});
    // every combination of toggle values (Snakemake shows at most one toggle, of two values)
    let combinations = [[]];
    for (const toggle of all(sidebar(), "fieldset")) {
      const values = all(toggle, "input[type=radio]").length;
      combinations = combinations.flatMap(c => [...Array(values).keys()].map(v => [...c, v]));
    }
    for (const combination of combinations) {
      for (const [t, v] of combination.entries()) {
        const input = all(all(sidebar(), "fieldset")[t], "input[type=radio]")[v];
        if (!input) return visits.push({page, problem: "the report went blank"});
        await click(input);
      }
      const toggled = all(sidebar(), "fieldset input:checked").map(input => input.value).join(", ");
      for (let i = 0; i < rows().length; i++) {
        if (!sidebar()) return visits.push({page, problem: "the report went blank"});
        const row = rows()[i];
        const item = page + " / " + all(row, "td").slice(0, -1).map(text).join(" | ")
          + (toggled ? ` [${toggled}]` : "");
        const view = row.querySelector("td:last-child a");
        if (!view) { visits.push({item, problem: "no view button"}); continue; }
        if (view.getAttribute("href") !== "#") { visits.push({item, download: true}); continue; }
        const before = window.reportErrors.length;
        await click(view);
        visits.push({item, path: app.state.resultPath, shown: await shown(),
                     errors: window.reportErrors.slice(before)});
      }
    }
  }

  async function browse() {
  await pause(200);
  const byName = (a, b) => a.localeCompare(b);
  for (const category of Object.keys(categories).sort(byName)) {
    if (!sidebar()) break;
    await click(all(sidebar(), "ol a")[0]);  // home
    const link = menuLink(category);
    if (!link) { visits.push({page: category, problem: "not in the sidebar"}); continue; }
    await click(link);
    const subcategories = Object.keys(categories[category]).sort(byName);
    if (subcategories.length === 1) { await openItems(category); continue; }
    for (const subcategory of subcategories) {
      const page = `${category} / ${subcategory}`;
      if (!sidebar()) { visits.push({page, problem: "the report went blank"}); continue; }
      await click(crumb(category));
      const sublink = menuLink(subcategory);
      if (!sublink) { visits.push({page, problem: "not in the sidebar"}); continue; }
      await click(sublink);
      await openItems(page);
    }
  }
  }
  try { await browse(); } catch (error) { visits.push({page: "(click-through)", problem: String(error)}); }
  const verdict = document.createElement("pre");
  verdict.id = "browse-verdict";
  verdict.textContent = JSON.stringify({visits, errors: window.reportErrors});
  document.body.append(verdict);
});
</script>"""


def browse_report(report, tmp_path) -> dict:
    """Click through a copy of ``report`` with ERROR_TRAP and BROWSE added; their record."""
    page = tmp_path / "browse.html"
    source = report.read_text()
    # the report's own <head> comes first and its own </body> last (its scripts quote other pages)
    head, body_end = source.index("<head>") + len("<head>"), source.rindex("</body>")
    page.write_text(source[:head] + ERROR_TRAP + source[head:body_end] + BROWSE + source[body_end:])
    dom = chromium(tmp_path, "--dump-dom", "--virtual-time-budget=600000", page.as_uri()).stdout
    verdict = re.search(r'<pre id="browse-verdict">(.*?)</pre>', dom, flags=re.S)
    assert verdict, "the click-through did not finish"
    return json.loads(html.unescape(verdict.group(1)))


def browse_problems(record: dict, categories: dict, results: dict) -> list[str]:
    """What went wrong in a click-through: console errors, pages and items that showed nothing or
    were not reachable, and results of the sidebar that no click opened."""
    problems = [f"console: {error}" for error in record["errors"]]
    opened = set()
    for visit in record["visits"]:
        name = visit.get("item", visit.get("page"))
        if "problem" in visit:
            problems.append(f"{name}: {visit['problem']}")
        elif not visit.get("download"):
            opened.add(visit["path"])
            if not visit["shown"]:
                problems.append(f"{name}: empty main panel")
            problems += [f"{name}: console: {error}" for error in visit["errors"]]
    viewable = {path for subcategories in categories.values() for paths in subcategories.values() for path in paths
                if results[path]["mime_type"] in {"image/png", "image/jpeg", "image/svg+xml", "text/html",
                                                  "application/pdf"}}
    problems += [f"never opened: {path}" for path in sorted(viewable - opened)]
    return problems


def test_every_page_and_item_opens(quick_run, tmp_path):
    report = quick_run / "results" / "report.html"
    source = report.read_text()
    record = browse_report(report, tmp_path)
    assert len([v for v in record["visits"] if "path" in v]) >= 15
    assert browse_problems(record, embedded_categories(source), embedded_results(source)) == []


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
