// Shared by the browser tests: serves the built site on 127.0.0.1 the way
// object storage does (index.html for folders, 404.html for unknown paths),
// starts Debian's Chromium headless, and runs axe-core on a page.
import { createServer } from "node:http";
import { spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { readFile, readdir, stat } from "node:fs/promises";
import { join, extname, resolve, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { before, after } from "node:test";
import { chromium } from "playwright-core";

const here = dirname(fileURLToPath(import.meta.url));
export const siteDir = resolve(process.env.SITE_DIR ?? join(here, "../../public"));
const axeSource = join(here, "node_modules/axe-core/axe.min.js");

const types = {
  ".html": "text/html; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".svg": "image/svg+xml",
  ".xml": "application/xml",
  ".txt": "text/plain; charset=utf-8",
};

/**
 * Serves the site on 127.0.0.1 (`port` 0 picks a free one), sending
 * `headers` with every answer (e.g. the CDN's security headers).
 */
export async function serveSite(port = 0, { headers = {} } = {}) {
  const server = createServer(async (request, response) => {
    const path = decodeURIComponent(new URL(request.url, "http://x").pathname);
    let file = resolve(siteDir, "." + path);
    if (!file.startsWith(siteDir)) file = join(siteDir, "404.html");
    try {
      if ((await stat(file)).isDirectory()) file = join(file, "index.html");
      const body = await readFile(file);
      response.writeHead(200, { ...headers, "content-type": types[extname(file)] ?? "application/octet-stream" });
      response.end(body);
    } catch {
      response.writeHead(404, { ...headers, "content-type": types[".html"] });
      response.end(await readFile(join(siteDir, "404.html")));
    }
  });
  await new Promise((ok) => server.listen(port, "127.0.0.1", ok));
  const origin = `http://127.0.0.1:${server.address().port}`;
  return { origin, close: () => new Promise((ok) => server.close(ok)) };
}

export async function launchBrowser() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}

/** Every municipality page the build wrote: [{slug, lang, path}]. */
export async function servicePages() {
  const pages = [];
  for (const slug of (await readdir(siteDir)).sort()) {
    if (slug === "assets" || slug === "orte" || slug.startsWith("_") || !(await stat(join(siteDir, slug))).isDirectory()) continue;
    for (const lang of (await readdir(join(siteDir, slug))).sort()) {
      if ((await stat(join(siteDir, slug, lang))).isDirectory()) {
        pages.push({ slug, lang, path: `/${slug}/${lang}/` });
      }
    }
  }
  return pages;
}

/** Opens `url`, recording every request that leaves the site's origin. */
export async function openPage(context, url, origin) {
  const page = await context.newPage();
  const foreign = [];
  page.on("request", (request) => {
    if (!request.url().startsWith(origin + "/") && !request.url().startsWith("data:")) {
      foreign.push(request.url());
    }
  });
  const response = await page.goto(url, { waitUntil: "load" });
  return { page, response, foreign };
}

/**
 * axe-core violations on the open page, one readable line each. axe is
 * evaluated through the DevTools protocol, not added as a <script>: the
 * pages' security policy refuses inline scripts, as it should.
 */
export async function axeViolations(page) {
  await page.evaluate(await readFile(axeSource, "utf8"));
  const results = await page.evaluate(() =>
    // eslint-disable-next-line no-undef
    axe.run(document, { resultTypes: ["violations"] }),
  );
  return results.violations.map(
    (v) => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`,
  );
}

/**
 * Registers hooks that serve the site and start Chromium for a test file;
 * the returned object holds `site` and `browser` once the tests run.
 */
export function useSiteAndBrowser(port = 0) {
  const shared = {};
  before(async () => {
    shared.site = await serveSite(port);
    shared.browser = await launchBrowser();
  });
  after(async () => {
    await shared.browser?.close();
    await shared.site?.close();
  });
  return shared;
}

/** form-fn's own folder from the build (registry.json, shells/): never published. */
export const functionDir = resolve(process.env.FUNCTION_DIR ?? join(siteDir, "../function"));
const formFnBinary = process.env.FORM_FN ?? resolve(here, "../../target/debug/form-fn");

/**
 * Starts form-fn on 127.0.0.1:`port`, in a fresh folder of its own (the
 * sample municipalities deliver to folder mailboxes relative to it); resolves
 * once it listens. Returns { work, store, stop }.
 */
export async function startFormFn(port) {
  const work = mkdtempSync(join(tmpdir(), "form-fn-"));
  const store = join(work, "store");
  // The sample site's signing key (test only): form-fn signs what it delivers.
  const signingKey = await readFile(join(here, "../keys/form-fn-signing.txt"), "utf8");
  const server = spawn(formFnBinary, ["serve", "--listen", `127.0.0.1:${port}`, "--registry", join(functionDir, "registry.json"), "--store", store], {
    cwd: work,
    env: { ...process.env, FORM_FN_SIGNING_KEY: signingKey },
    stdio: ["ignore", "ignore", "pipe"],
  });
  await new Promise((ok, fail) => {
    server.stderr.on("data", (chunk) => chunk.toString().includes("listening on") && ok());
    server.on("exit", (code) => fail(new Error(`form-fn exited with ${code}`)));
  });
  return { work, store, stop: () => server.kill() };
}

/**
 * The sample application, an adult Turkish citizen, by form section: what
 * a citizen enters on each step of the assistant (radios: their first answer).
 */
export const applicationSteps = {
  person: async (page, birthDate = "1990-05-17") => {
    await page.fill("#f-family_name", "Yılmaz");
    await page.fill("#f-given_names", "Ayşe");
    await page.fill("#f-birth_date", birthDate);
    await page.fill("#f-birth_place", "İzmir");
    await page.selectOption("#f-birth_country", "TR");
    await page.check("#f-sex");
    await page.selectOption("#f-nationalities-0-country", "TR");
  },
  identity: (page) => page.selectOption("#f-id_document", "passport"),
  contact: async (page) => {
    await page.fill("#f-street", "Niederwall 1");
    await page.fill("#f-postcode", "33602");
    await page.fill("#f-city", "Bielefeld");
    await page.fill("#f-email", "ayse@example.org");
  },
  residence: async (page) => {
    await page.fill("#f-resident_since", "2015-03-01");
    await page.selectOption("#f-permit", "settlement_permit");
    await page.check("#f-long_stays_abroad");
  },
  family: (page) => page.selectOption("#f-marital_status", "single"),
  requirements: async (page) => {
    for (const radio of ["#f-german_proof", "#f-test_proof", "#f-livelihood", "#f-benefits"]) await page.check(radio);
  },
  convictions: async (page) => {
    await page.check("#f-convicted");
    await page.check("#f-proceedings_pending");
  },
  declarations: async (page) => {
    for (const box of ["#f-fdgo_declaration", "#f-responsibility_declaration", "#f-truthful"]) await page.check(box);
  },
  documents: () => Promise.resolve(),
};

/** What the office finds in the sample application, as `applicationSteps` fill it in. */
export const sampleValues = (givenNames = "Ayşe") => ({
  family_name: "Yılmaz",
  given_names: givenNames,
  birth_date: "1990-05-17",
  birth_place: "İzmir",
  birth_country: "TR",
  sex: "female",
  nationalities: [{ country: "TR" }],
  id_document: "passport",
  street: "Niederwall 1",
  postcode: "33602",
  city: "Bielefeld",
  email: "ayse@example.org",
  resident_since: "2015-03-01",
  permit: "settlement_permit",
  long_stays_abroad: "no",
  marital_status: "single",
  children: [],
  german_proof: "certificate",
  test_proof: "test_certificate",
  livelihood: "employed",
  benefits: "no",
  convicted: "no",
  proceedings_pending: "no",
  fdgo_declaration: true,
  responsibility_declaration: true,
  truthful: true,
});

/** Fills in the whole sample application on a page without the assistant (JavaScript off). */
export async function fillApplication(page, birthDate) {
  for (const fill of Object.values(applicationSteps)) await fill(page, birthDate);
}

/**
 * With the assistant: clicks Continue on the shown step and waits until
 * the heading of step `step` (of 10: nine sections and the review) has the
 * focus, in any language.
 */
export async function continueTo(page, step) {
  await page.click("fieldset.section:not([hidden]) [data-step-continue]");
  await page.waitForFunction((step) => {
    const focused = document.activeElement;
    if (step === 10) return focused?.id === "review-title";
    const sections = [...document.querySelectorAll("fieldset.section")];
    return focused?.matches("legend h2") && sections.indexOf(focused.closest("fieldset.section")) === step - 1;
  }, step);
}

/** With the assistant: fills in every step of the sample application and arrives at the review. */
export async function walkAssistant(page) {
  for (const [index, fill] of Object.values(applicationSteps).entries()) {
    await fill(page);
    await continueTo(page, index + 2);
  }
}
