// End-to-end test of Settings → Your data in the web UI: the real `imu2clip serve` with a temp
// database, driven through headless Chromium. The export downloads the user's own lines (not
// another user's); a period and the account are deleted only after their confirmation step.
// Exits 0 when every check passes, 1 otherwise.
//
//   bash scripts/e2e.sh your_data.test.mjs     (IMU2CLIP_BIN, CHROMIUM, E2E_KEEP as for web_ui.test.mjs)
import { chromium } from "playwright-core";
import { spawn, execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, existsSync, openSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { createServer } from "node:net";

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const bin = resolve(repoRoot, process.env.IMU2CLIP_BIN || "build/services/cli/imu2clip");
const chromiumPath = process.env.CHROMIUM || "/usr/bin/chromium";
const timeoutS = Number(process.env.E2E_TIMEOUT_S || 180);
const work = mkdtempSync(join(tmpdir(), "imu2clip-e2e-data-"));
const db = join(work, "e2e.db");
const serverLog = join(work, "server.log");

const TZ = "Europe/Paris";
const DAY = "2024-05-06";
// ann: one line every 5 minutes 09:00-13:00 (48 lines); the test deletes 10:00-11:00 (12 lines).
// bob: the same morning, untouched by anything ann does.
const PERIOD = { from: `${DAY}T10:00`, to: `${DAY}T11:00` };

let server = null;
let browser = null;
let failed = false;

function log(message) { console.log(`[e2e:your_data] ${message}`); }

function check(condition, message) {
  if (!condition) throw new Error(`check failed: ${message}`);
  log(`ok: ${message}`);
}

function run(args) {
  return new Promise((resolvePromise, reject) => {
    execFile(bin, args, { timeout: 60000 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`imu2clip ${args.join(" ")} failed (${error.code}):\n${stdout}${stderr}`));
      else resolvePromise({ stdout, stderr });
    });
  });
}

function freePort() {
  return new Promise((resolvePromise, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const { port } = probe.address();
      probe.close(() => resolvePromise(port));
    });
  });
}

function tokenFrom(stdout) {
  const token = stdout.trim().split("\n").pop().trim();
  if (!/^\S{16,}$/.test(token)) throw new Error(`no token in 'user add' output:\n${stdout}`);
  return token;
}

function morningJsonl(label) {
  const lines = [];
  for (let m = 9 * 60; m < 13 * 60; m += 5) {
    const hh = String(Math.floor(m / 60)).padStart(2, "0");
    const mm = String(m % 60).padStart(2, "0");
    lines.push(JSON.stringify({ t: `${DAY}T${hh}:${mm}:00+02:00`, duration_s: 300, labels: [label], modality: "motion" }));
  }
  return lines.join("\n") + "\n";
}

async function startServer(model, port) {
  const out = openSync(serverLog, "a");
  server = spawn(bin, ["serve", "--db", db, "--model", model, "--host", "127.0.0.1", "--port", String(port)],
                 { stdio: ["ignore", out, out] });
  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60000;
  for (;;) {
    if (server.exitCode !== null || server.signalCode !== null) {
      throw new Error(`the server exited with ${server.exitCode ?? server.signalCode}:\n${readFileSync(serverLog, "utf8")}`);
    }
    try {
      const response = await fetch(`${base}/healthz`);
      if (response.ok) return base;
    } catch (_) { /* not listening yet */ }
    if (Date.now() > deadline) throw new Error(`the server did not become healthy:\n${readFileSync(serverLog, "utf8")}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function stopServer() {
  if (!server || server.exitCode !== null || server.signalCode !== null) return;
  const exited = new Promise((r) => server.once("exit", r));
  server.kill("SIGTERM");
  const timer = setTimeout(() => server.kill("SIGKILL"), 10000);
  await exited;
  clearTimeout(timer);
}

async function main() {
  check(existsSync(bin), `binary exists: ${bin}`);
  const model = join(work, "model.safetensors");
  await run(["model", "init", "--out", model, "--seed", "7", "--label", "sitting", "--label", "walking"]);
  const ann = tokenFrom((await run(["user", "add", "ann", "--db", db, "--tz", TZ])).stdout);
  const bob = tokenFrom((await run(["user", "add", "bob", "--db", db, "--tz", TZ])).stdout);
  for (const [name, label] of [["ann", "sitting"], ["bob", "walking"]]) {
    const file = join(work, `${name}.jsonl`);
    writeFileSync(file, morningJsonl(label));
    await run(["logs", "import", "--db", db, "--user", name, file]);
  }
  const base = await startServer(model, await freePort());
  const entries = async (token) => {
    const response = await fetch(`${base}/v1/logs?from=${DAY}T00:00:00&to=${DAY}T23:59:59&tz=${TZ}`,
                                 { headers: { Authorization: `Bearer ${token}` } });
    if (response.status === 401) return null;
    return (await response.json()).entries;
  };
  check((await entries(ann)).length === 48 && (await entries(bob)).length === 48, "ann and bob have 48 lines each");

  browser = await chromium.launch({ executablePath: chromiumPath, args: ["--headless", "--no-sandbox", "--disable-gpu"] });
  const context = await browser.newContext({ viewport: { width: 390, height: 844 }, timezoneId: TZ, acceptDownloads: true });
  const page = await context.newPage();
  page.setDefaultTimeout(30000);
  const pageErrors = [];
  page.on("pageerror", (error) => pageErrors.push(error.message));
  await page.goto(base);
  await page.fill("#token", ann);
  await page.click("#sign-in-form button[type=submit]");
  await page.waitForSelector("#app:not([hidden])");
  await page.click("#tab-settings");
  check(await page.isVisible("#export-button"), "Settings shows Your data");

  // Export: the file the browser saves holds ann's lines and none of bob's.
  const [download] = await Promise.all([page.waitForEvent("download"), page.click("#export-button")]);
  check(download.suggestedFilename() === "imu2clip-export-ann.ndjson", `the download is named ${download.suggestedFilename()}`);
  const exported = readFileSync(await download.path(), "utf8").split("\n").filter((l) => l).map((l) => JSON.parse(l));
  const logs = exported.filter((r) => r.type === "log");
  check(exported[0].type === "imu2clip-export" || typeof exported[0].version !== "undefined",
        `the file starts with the export header (${JSON.stringify(exported[0]).slice(0, 80)})`);
  check(logs.length === 48 && logs.every((r) => r.labels.length === 1 && r.labels[0] === "sitting"), `it holds ann's 48 lines (${logs.length})`);
  check(!exported.some((r) => JSON.stringify(r).includes("walking")), "and nothing of bob's");
  await page.waitForFunction(() => /^Downloaded /.test(document.getElementById("export-status").textContent));

  // Delete a period: the first click only asks; Cancel deletes nothing.
  await page.fill("#erase-from", PERIOD.from);
  await page.fill("#erase-to", PERIOD.to);
  await page.click("#erase-button");
  await page.waitForSelector("#erase-confirm", { state: "visible" });
  const question = await page.textContent("#erase-question");
  check(question.includes("2024-05-06 10:00") && question.includes("2024-05-06 11:00"), `it asks first: "${question}"`);
  check((await entries(ann)).length === 48, "nothing is deleted before the confirmation");
  await page.click("#erase-no");
  check(await page.isHidden("#erase-confirm") && (await entries(ann)).length === 48, "Cancel deletes nothing");
  await page.click("#erase-button");
  await page.click("#erase-yes");
  await page.waitForFunction(() => /^Deleted /.test(document.getElementById("erase-status").textContent));
  const left = await entries(ann);
  const inPeriod = left.filter((e) => e.t >= `${DAY}T10:00` && e.t < `${DAY}T11:00`);
  check(left.length === 36 && inPeriod.length === 0, `confirmed, the hour's 12 lines are gone (${left.length} left)`);
  check((await entries(bob)).length === 48, "bob's lines are untouched");

  // Delete the account: the button stays disabled until the name is typed exactly.
  await page.click("#account-delete");
  await page.waitForSelector("#account-confirm", { state: "visible" });
  check(await page.isDisabled("#account-delete-yes"), "the account delete is disabled before the name is typed");
  await page.fill("#account-confirm-name", "an");
  check(await page.isDisabled("#account-delete-yes"), "and with a wrong name");
  await page.press("#account-confirm-name", "Enter");
  check((await entries(ann)) !== null, "submitting a wrong name deletes nothing");
  await page.fill("#account-confirm-name", "ann");
  check(await page.isEnabled("#account-delete-yes"), "the exact name enables it");
  await page.click("#account-delete-yes");
  await page.waitForSelector("#sign-in-form", { state: "visible" });
  const message = await page.textContent("#sign-in-error");
  check(message.includes("ann") && message.includes("deleted"), `the page signs out and says so: "${message}"`);
  check((await entries(ann)) === null, "ann's token no longer works");
  check((await entries(bob)).length === 48, "bob's account and lines remain");
  check(pageErrors.length === 0, `no JavaScript errors${pageErrors.length ? `: ${pageErrors.join("; ")}` : ""}`);
}

const watchdog = setTimeout(async () => {
  console.error(`[e2e:your_data] FAIL: timed out after ${timeoutS} s`);
  failed = true;
  await cleanup();
  process.exit(1);
}, timeoutS * 1000);

async function cleanup() {
  try { if (browser) await browser.close(); } catch (_) { /* already gone */ }
  try { await stopServer(); } catch (_) { /* already gone */ }
  if (failed || process.env.E2E_KEEP === "1") log(`kept ${work} (server log: ${serverLog})`);
  else rmSync(work, { recursive: true, force: true });
}

try {
  await main();
  log("PASS");
} catch (error) {
  failed = true;
  console.error(`[e2e:your_data] FAIL: ${error.message}`);
  if (existsSync(serverLog)) console.error(`server log tail:\n${readFileSync(serverLog, "utf8").split("\n").slice(-30).join("\n")}`);
}
clearTimeout(watchdog);
await cleanup();
process.exit(failed ? 1 : 0);
