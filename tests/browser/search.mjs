// The user's story in a real browser: open the page and see the newest papers, search, open a
// paper, see related papers, then narrow a search with the filter controls.
// Usage: node search.mjs BASE_URL QUERY EXPECTED_ID SCREENSHOT_DIR
import { chromium } from "playwright-core";

const [base, query, expected, shots] = process.argv.slice(2);
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});
const fail = async (message) => {
  console.error("FAIL: " + message);
  await browser.close();
  process.exit(1);
};
// The page opens on the newest papers; a search's answer replaces them. Wait for the one or
// the other by the status line, so a hit of the list is not taken for a hit of the search.
const waitForStatus = (page, pattern, name, what) => page.waitForFunction(
  (source) => new RegExp(source).test((document.querySelector("#results .status") || {}).textContent || ""),
  pattern.source, { timeout: 15000 }).catch(() => fail(`${name}: ${what}`));
try {
  for (const [name, viewport] of [["desktop", { width: 1280, height: 900 }], ["phone", { width: 390, height: 844 }]]) {
    const page = await browser.newPage({ viewport });
    const errors = [];
    page.on("pageerror", (e) => errors.push(String(e)));
    page.on("requestfailed", (r) => { if (!r.url().startsWith(base)) errors.push("outside request " + r.url()); });
    await page.goto(base + "/", { waitUntil: "load" });
    await waitForStatus(page, /^Newest first · 10 of \d+ papers/, name, "the page did not open on the newest papers");
    const listed = await page.locator("#results .hit").count();
    const opening = await page.locator("#results .hit .snippet").first().innerText();
    if (opening.includes("论文研究报告") || opening.includes("论文报告")) await fail(`${name}: a listed paper's snippet is its heading: ${opening}`);
    await page.fill("#q", query);
    await page.press("#q", "Enter");
    await waitForStatus(page, /^Showing /, name, `no answer for ${query}`);
    const hit = page.locator(`#results .hit[data-id="${expected}"]`);
    await hit.waitFor({ timeout: 15000 }).catch(() => fail(`${name}: ${expected} not among the results`));
    if (!new URL(page.url()).searchParams.get("q")) await fail(`${name}: the URL does not hold the query`);
    const marks = await page.locator("#results .snippet mark").count();
    if (marks === 0) await fail(`${name}: no highlighted snippet`);
    await hit.locator("h3 a").click();
    await page.locator("#paper").waitFor({ state: "visible", timeout: 15000 });
    await page.locator("#paper .related .hit").first().waitFor({ timeout: 15000 })
      .catch(() => fail(`${name}: no related papers shown`));
    const related = await page.locator("#paper .related .hit").count();
    const text = await page.locator("#paper").innerText();
    if (!text.includes("应用领域")) await fail(`${name}: the paper's sections are not shown`);
    if (await page.locator(`#paper .related .hit[data-id="${expected}"]`).count() > 0) await fail(`${name}: the paper is among its own related papers`);
    if (!new URL(page.url()).searchParams.get("paper") && !page.url().includes(expected)) await fail(`${name}: the URL does not hold the open paper`);
    if (errors.length) await fail(`${name}: ${errors.join("; ")}`);
    await page.screenshot({ path: `${shots}/${name}.png`, fullPage: false });
    console.log(`ok ${name}: ${listed} newest papers listed, then ${expected} found, ${marks} highlights, ${related} related papers`);
    // Closing the paper (Escape) gives the tab back the search's title.
    await page.locator("#q").blur();
    await page.keyboard.press("Escape");
    await page.locator("#paper").waitFor({ state: "hidden", timeout: 15000 })
      .catch(() => fail(`${name}: Escape did not close the paper`));
    if (await page.title() !== `${query} · paperdex`) await fail(`${name}: the tab is still titled ${await page.title()}`);

    // A filtered search: only the experiments sections, newest first; the filters live in
    // the URL (a reload keeps them) and each hit says which section matched.
    await page.goto(base + "/", { waitUntil: "load" });
    await waitForStatus(page, /^Newest first/, name, "the page did not open on the newest papers");
    await page.selectOption("#f-section", "experiments");
    await page.selectOption("#f-sort", "date");
    await page.fill("#q", "MMLU");
    await page.press("#q", "Enter");
    await waitForStatus(page, /^Showing /, name, "no answer for MMLU");
    await page.locator("#results .hit").first().waitFor({ timeout: 15000 })
      .catch(() => fail(`${name}: no hit for MMLU in the experiments sections`));
    const url = new URL(page.url());
    if (url.searchParams.get("section") !== "experiments" || url.searchParams.get("sort") !== "date") {
      await fail(`${name}: the URL does not hold the filters: ${page.url()}`);
    }
    const labels = await page.locator("#results .hit .section-label").allInnerTexts();
    const hits = await page.locator("#results .hit").count();
    if (labels.length !== hits || !labels.every((l) => l.includes("experiments"))) {
      await fail(`${name}: hits not labelled with their section: ${JSON.stringify(labels)}`);
    }
    await page.reload({ waitUntil: "load" });
    await page.locator("#results .hit").first().waitFor({ timeout: 15000 });
    if (await page.inputValue("#f-section") !== "experiments") await fail(`${name}: a reload lost the section filter`);
    if (errors.length) await fail(`${name}: ${errors.join("; ")}`);
    await page.screenshot({ path: `${shots}/${name}-filtered.png`, fullPage: false });
    console.log(`ok ${name} filtered: ${hits} hits, each labelled ${labels[0]}`);

    // A hand-typed URL in other words than the page's own (`sort=DATE`, `mode=keyword`,
    // `section=Experiments`): the controls show what is searched, not blanks.
    await page.goto(base + "/?q=MMLU&sort=DATE&mode=keyword&section=Experiments", { waitUntil: "load" });
    await page.locator("#results .hit").first().waitFor({ timeout: 15000 })
      .catch(() => fail(`${name}: no hit for a hand-typed URL`));
    const shownControls = [await page.inputValue("#f-sort"), await page.inputValue("#f-section"),
                           await page.locator("input[name=mode]:checked").getAttribute("value")];
    if (shownControls.join() !== "date,experiments,bm25") await fail(`${name}: the controls show ${shownControls}`);
    const status = await page.locator("#results .status").first().innerText();
    if (!status.includes("bm25")) await fail(`${name}: mode=keyword did not search bm25: ${status}`);
    console.log(`ok ${name} typed URL: ${shownControls}`);

    // A search for a name: each of that author's papers says which author it is.
    await page.goto(base + "/?q=" + encodeURIComponent("Yuanxing Zhang") + "&mode=bm25", { waitUntil: "load" });
    await page.locator("#results .hit .authors").first().waitFor({ timeout: 15000 })
      .catch(() => fail(`${name}: no hit names the author searched`));
    const named = await page.locator("#results .hit .authors mark").allInnerTexts();
    if (named.length !== 3 || !named.every((n) => n === "Yuanxing Zhang")) await fail(`${name}: authors named ${JSON.stringify(named)}`);
    console.log(`ok ${name} author: ${named.length} papers name Yuanxing Zhang`);

    // "More results" that fails keeps the page shown and can be clicked again.
    await page.goto(base + "/?q=" + encodeURIComponent("video generation"), { waitUntil: "load" });
    await page.locator("#results .more").waitFor({ timeout: 15000 })
      .catch(() => fail(`${name}: no "More results" for video generation`));
    const firstPage = await page.locator("#results .hit").count();
    await page.route(/\/api\/search\?.*offset=/, (route) => route.fulfill({
      status: 503, contentType: "application/json",
      body: JSON.stringify({ error: { code: "overloaded", message: "the server is busy" } }) }));
    await page.locator("#results .more").click();
    await page.locator("#results .more-error").waitFor({ timeout: 15000 })
      .catch(() => fail(`${name}: a failed "More results" said nothing`));
    if (await page.locator("#results .hit").count() !== firstPage) await fail(`${name}: a failed "More results" lost the hits shown`);
    await page.unroute(/\/api\/search\?.*offset=/);
    await page.locator("#results .more").click();
    await page.waitForFunction((n) => document.querySelectorAll("#results .hit").length > n, firstPage, { timeout: 15000 })
      .catch(() => fail(`${name}: "More results" did not work again after failing`));
    if (await page.locator("#results .more-error").count() !== 0) await fail(`${name}: the old error stayed`);
    console.log(`ok ${name} more: ${firstPage} hits kept through a failure, then ${await page.locator("#results .hit").count()}`);

    // A Chinese query: the page says which of its words were left out as common (模型, in
    // most of the sample's Chinese summaries).
    await page.goto(base + "/?q=" + encodeURIComponent("量化 模型"), { waitUntil: "load" });
    await page.locator("#results .query-notes").waitFor({ timeout: 15000 })
      .catch(() => fail(`${name}: no note on how the query was searched`));
    const notes = await page.locator("#results .query-notes").innerText();
    if (!notes.includes("Left out") || !notes.includes("模型")) await fail(`${name}: notes say ${notes}`);
    if (errors.length) await fail(`${name}: ${errors.join("; ")}`);
    console.log(`ok ${name} notes: ${notes}`);
    // A quoted phrase and a minused word: the page says what every hit holds and none does.
    await page.goto(base + "/?q=" + encodeURIComponent("\"language model\" -vision"), { waitUntil: "load" });
    await page.locator("#results .query-notes").waitFor({ timeout: 15000 })
      .catch(() => fail(`${name}: no note on the query's marks`));
    const marked = await page.locator("#results .query-notes").innerText();
    if (!marked.includes("Every hit holds “language model”") || !marked.includes("No hit holds “vision”")) {
      await fail(`${name}: marks noted as ${marked}`);
    }
    const titles = await page.locator("#results .hit h3").allInnerTexts();
    if (titles.length === 0 || titles.some((t) => /vision/i.test(t))) await fail(`${name}: hits ${JSON.stringify(titles)}`);
    console.log(`ok ${name} marks: ${marked}`);

    // Nothing typed, a day chosen: the list is what came out since then, and the URL says so;
    // a day after every paper lists none and says why.
    await page.goto(base + "/", { waitUntil: "load" });
    await waitForStatus(page, /^Newest first/, name, "the page did not open on the newest papers");
    await page.fill("#f-since", "2026-02-05");
    await page.locator("#f-since").dispatchEvent("change");
    await waitForStatus(page, /first listed since 2026-02-05$/, name, "choosing a day did not list the papers since it");
    if (new URL(page.url()).searchParams.get("since") !== "2026-02-05") await fail(`${name}: the URL lacks the day: ${page.url()}`);
    await page.goto(base + "/?since=2099-01-01", { waitUntil: "load" });
    await waitForStatus(page, /^No paper matches these filters\.$/, name, "a day after every paper did not say none is listed");
    if (await page.locator("#results .intro").count() !== 1) await fail(`${name}: the introduction went with the list`);
    if (errors.length) await fail(`${name}: ${errors.join("; ")}`);
    console.log(`ok ${name} newest: ${listed} listed, none since 2099-01-01`);
    await page.close();
  }
} catch (e) {
  await fail(String(e));
}
await browser.close();
