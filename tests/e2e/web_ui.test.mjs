// End-to-end test of the web UI: the real `imu2clip serve` with a temp database, driven through
// headless Chromium. Exits 0 when every check passes, 1 otherwise.
//
//   node tests/e2e/web_ui.test.mjs      (or scripts/e2e.sh, which installs playwright-core first)
//
// Environment:
//   IMU2CLIP_BIN        the binary (default: build/services/cli/imu2clip under the repo root)
//   IMU2CLIP_E2E_MODEL  a model bundle for `serve` (default: a small random one from `model init`;
//                       the logs the questions read are imported, so the model's quality is irrelevant)
//   CHROMIUM            browser executable (default /usr/bin/chromium)
//   E2E_TIMEOUT_S       overall limit (default 180)
//   E2E_KEEP=1          keep the temp folder (database, server log, screenshots) for inspection
import { chromium } from "playwright-core";
import { spawn, execFile } from "node:child_process";
import { mkdtempSync, writeFileSync, readFileSync, rmSync, existsSync, openSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { createServer } from "node:net";

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const bin = resolve(repoRoot, process.env.IMU2CLIP_BIN || "build/services/cli/imu2clip");
const chromiumPath = process.env.CHROMIUM || "/usr/bin/chromium";
const timeoutS = Number(process.env.E2E_TIMEOUT_S || 180);
const work = mkdtempSync(join(tmpdir(), "imu2clip-e2e-"));
const db = join(work, "e2e.db");
const serverLog = join(work, "server.log");

// The imported day, in the user's zone: 90 min sitting, 30 min walking, 2 h at the desk, 15 min walking.
const TZ = "Europe/Paris";
const DAY = "2024-05-06";
const AS_OF = `${DAY}T18:00:00+02:00`;
// The morning goes in with `imu2clip logs import`, the evening through POST /v1/logs/import.
const MORNING = [
  { from: "09:00", to: "10:30", label: "sitting" },
  { from: "10:30", to: "11:00", label: "walking" },
  { from: "11:00", to: "13:00", label: "sitting" },
];
const EVENING = [
  { from: "17:00", to: "17:15", label: "walking" },
];
const WALKING_MIN = 45;

let server = null;
let browser = null;
let failed = false;

function log(message) { console.log(`[e2e] ${message}`); }

function check(condition, message) {
  if (!condition) throw new Error(`check failed: ${message}`);
  log(`ok: ${message}`);
}

function run(args) {
  return new Promise((resolvePromise, reject) => {
    execFile(bin, args, { env: e2eEnv(), timeout: 60000 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`imu2clip ${args.join(" ")} failed (${error.code}):\n${stdout}${stderr}`));
      else resolvePromise({ stdout, stderr });
    });
  });
}

function e2eEnv() {
  return Object.assign({}, process.env, { OPENBLAS_CORETYPE: process.env.OPENBLAS_CORETYPE || "SkylakeX" });
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

// One JSONL line per 5 minutes, like the tagger's smoothed log.
function dayLogJsonl(plan) {
  const lines = [];
  const toMinutes = (hhmm) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3));
  for (const { from, to, label } of plan) {
    for (let m = toMinutes(from); m < toMinutes(to); m += 5) {
      const hh = String(Math.floor(m / 60)).padStart(2, "0");
      const mm = String(m % 60).padStart(2, "0");
      lines.push(JSON.stringify({ t: `${DAY}T${hh}:${mm}:00+02:00`, duration_s: 300, labels: [label], modality: "motion" }));
    }
  }
  return lines.join("\n") + "\n";
}

// 60 s of canonical IMU CSV at 50 Hz: a phone lying still, then a little motion.
function smallRecordingCsv() {
  const rows = ["t_ms,ax,ay,az,gx,gy,gz"];
  for (let i = 0; i < 3000; i++) {
    const t = i * 20;
    const s = Math.sin(i / 10);
    rows.push(`${t},${(0.2 * s).toFixed(4)},${(0.1 * s).toFixed(4)},${(9.81 + 0.3 * s).toFixed(4)},${(0.05 * s).toFixed(4)},0.0100,${(-0.02 * s).toFixed(4)}`);
  }
  return rows.join("\n") + "\n";
}

// `user add` prints the token alone on stdout (its explanation goes to stderr).
function tokenFrom(stdout) {
  const token = stdout.trim().split("\n").pop().trim();
  if (!/^\S{16,}$/.test(token)) throw new Error(`no token in 'user add' output:\n${stdout}`);
  return token;
}

async function waitForHealthy(base) {
  const deadline = Date.now() + 60000;
  for (;;) {
    if (server.exitCode !== null) throw new Error(`the server exited with ${server.exitCode}:\n${readFileSync(serverLog, "utf8")}`);
    try {
      const response = await fetch(`${base}/healthz`);
      if (response.ok) return response.json();
    } catch (_) { /* not listening yet */ }
    if (Date.now() > deadline) throw new Error(`the server did not become healthy:\n${readFileSync(serverLog, "utf8")}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function startServer(model, port) {
  const out = openSync(serverLog, "a");
  server = spawn(bin, ["serve", "--db", db, "--model", model, "--host", "127.0.0.1", "--port", String(port)],
                 { env: e2eEnv(), stdio: ["ignore", out, out] });
  return waitForHealthy(`http://127.0.0.1:${port}`);
}

async function stopServer() {
  if (!server || server.exitCode !== null) return;
  const exited = new Promise((r) => server.once("exit", r));
  server.kill("SIGTERM");
  const timer = setTimeout(() => server.kill("SIGKILL"), 10000);
  await exited;
  clearTimeout(timer);
}

async function main() {
  check(existsSync(bin), `binary exists: ${bin}`);

  let model = process.env.IMU2CLIP_E2E_MODEL;
  if (!model) {
    model = join(work, "model.safetensors");
    await run(["model", "init", "--out", model, "--seed", "7",
               "--label", "sitting", "--label", "walking", "--label", "running", "--label", "cooking"]);
  }

  const added = await run(["user", "add", "ann", "--db", db, "--tz", TZ]);
  const token = tokenFrom(added.stdout);
  const logFile = join(work, "morning.jsonl");
  writeFileSync(logFile, dayLogJsonl(MORNING));
  await run(["logs", "import", "--db", db, "--user", "ann", logFile]);

  const port = await freePort();
  const health = await startServer(model, port);
  log(`server up on port ${port}: ${JSON.stringify(health)}`);
  const base = `http://127.0.0.1:${port}`;

  const imported = await fetch(`${base}/v1/logs/import`, {
    method: "POST",
    headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/x-ndjson" },
    body: dayLogJsonl(EVENING),
  });
  check(imported.ok, `POST /v1/logs/import accepted the evening (${imported.status})`);
  log(`user 'ann' has ${MORNING.length + EVENING.length} activities on ${DAY}`);

  browser = await chromium.launch({
    executablePath: chromiumPath,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
  });
  // A phone-sized window in the user's zone.
  const context = await browser.newContext({ viewport: { width: 390, height: 844 }, timezoneId: TZ });
  const page = await context.newPage();
  page.setDefaultTimeout(30000);
  const pageErrors = [];
  page.on("pageerror", (error) => pageErrors.push(error.message));

  await page.goto(`${base}/?as_of=${encodeURIComponent(AS_OF)}`);
  check(await page.isVisible("#sign-in-form"), "the page asks for a token first");

  // A wrong token is refused with a message, and nothing is stored.
  await page.fill("#token", "not-a-real-token-0123456789");
  await page.click("#sign-in-form button[type=submit]");
  await page.waitForFunction(() => document.getElementById("sign-in-error").textContent.length > 0);
  check(await page.isHidden("#app"), "a wrong token does not open the app");

  await page.fill("#token", token);
  await page.click("#sign-in-form button[type=submit]");
  await page.waitForSelector("#app:not([hidden])");
  check((await page.textContent("#account-name")).includes("ann"), "signed in as ann");

  // The sign-in survives a reload (token in localStorage).
  await page.reload();
  await page.waitForSelector("#app:not([hidden])");
  check(await page.isHidden("#sign-in"), "still signed in after a reload");

  // Chat: streamed answer with evidence.
  await page.fill("#question", "how long was I walking today?");
  await page.click("#ask-button");
  const answer = page.locator("#messages li.answer").last();
  await answer.locator(".llm-note").waitFor();
  const answerText = (await answer.locator(".answer-text").textContent()).trim();
  log(`answer: ${answerText}`);
  check(new RegExp(`\\b${WALKING_MIN}\\s*min`).test(answerText), `the answer gives ${WALKING_MIN} min of walking`);
  check(await answer.locator(".error").count() === 0, "no error under the answer");
  const evidence = await answer.locator("details.evidence li").allTextContents();
  check(evidence.length > 0, `evidence lines are listed (${evidence.length})`);
  check(evidence.some((line) => /walking/i.test(line)), "the evidence mentions walking");
  await answer.locator("details.evidence summary").click();
  check(await answer.locator("details.evidence li").first().isVisible(), "the evidence opens");
  check((await answer.locator(".llm-note").textContent()).length > 0, "the answer says whether an LLM wrote it");
  await page.screenshot({ path: join(work, "chat.png"), fullPage: true });

  // Timeline of the imported day.
  await page.click("#tab-timeline");
  await page.waitForSelector("#timeline-chart svg rect.bar");
  check(await page.inputValue("#timeline-date") === DAY, `the timeline opens on ${DAY} (the as_of day)`);
  const bars = await page.locator("#timeline-chart svg rect.bar").count();
  check(bars > 0, `the timeline draws activity bars (${bars})`);
  const titles = await page.locator("#timeline-chart svg rect.bar title").allTextContents();
  check(titles.some((t) => t.startsWith("walking: 10:30")), "a walking bar starts at 10:30");
  const totals = await page.locator("#timeline-totals li").allTextContents();
  log(`totals: ${totals.join(" | ")}`);
  check(totals.some((t) => t.includes("walking") && t.includes(`${WALKING_MIN} min`)), `the timeline totals ${WALKING_MIN} min of walking`);
  await page.screenshot({ path: join(work, "timeline.png"), fullPage: true });
  await page.click("#day-next");
  await page.waitForFunction(() => /Nothing logged/.test(document.getElementById("timeline-status").textContent));
  check(await page.locator("#timeline-chart svg rect.bar").count() === 0, "the next day is empty");

  // Upload a small recording and follow its job to the end.
  await page.click("#tab-upload");
  const csv = join(work, "phone.csv");
  writeFileSync(csv, smallRecordingCsv());
  await page.setInputFiles("#upload-file", csv);
  await page.fill("#upload-start", `${DAY}T20:00:00`);
  await page.click("#upload-button");
  await page.waitForFunction(() => /^(Done|Tagging failed)|error|failed/i.test(document.getElementById("upload-status").textContent),
                             null, { timeout: 90000 });
  const uploadStatus = await page.textContent("#upload-status");
  log(`upload: ${uploadStatus}`);
  check(uploadStatus.startsWith("Done"), "the uploaded recording is tagged");
  check(await page.evaluate(() => document.getElementById("upload-progress").value) === 1, "the upload bar is full");
  // Its tags land on the timeline at the start given in the form (20:00 in the user's zone).
  await page.click("#tab-timeline");
  await page.click("#day-prev");
  await page.waitForFunction((day) => document.getElementById("timeline-status").textContent.startsWith(day), DAY);
  const uploadedBars = (await page.locator("#timeline-chart svg rect.bar title").allTextContents())
    .filter((t) => /: 20:0\d–/.test(t));
  check(uploadedBars.length > 0, `the uploaded recording shows on the timeline at 20:00 (${uploadedBars[0] || "none"})`);

  // Live recording: synthetic motion events (headless Chromium has no sensors) reach POST /v1/imu.
  await page.click("#tab-record");
  await page.click("#record-button");
  await page.evaluate(() => {
    let i = 0;
    window.__motion = setInterval(() => {
      const s = Math.sin(i++ / 5);
      window.dispatchEvent(new DeviceMotionEvent("devicemotion", {
        accelerationIncludingGravity: { x: s, y: 9.81, z: 0.5 * s },
        rotationRate: { alpha: 20 * s, beta: 5, gamma: -5 },
        interval: 20,
      }));
    }, 20);
  });
  await page.waitForFunction(() => Number(document.getElementById("rec-sent").textContent) >= 100, null, { timeout: 15000 });
  await page.evaluate(() => clearInterval(window.__motion));
  await page.click("#record-button");
  await page.waitForFunction(() => document.getElementById("rec-buffered").textContent === "0");
  check(await page.textContent("#rec-errors") === "0", `live samples sent without errors (${await page.textContent("#rec-sent")})`);

  // Sign out forgets the token.
  await page.click("#sign-out");
  check(await page.isVisible("#sign-in-form"), "signing out shows the sign-in form");
  check(await page.evaluate(() => localStorage.getItem("imu2clip.token")) === null, "signing out forgets the token");

  check(pageErrors.length === 0, `no JavaScript errors${pageErrors.length ? `: ${pageErrors.join("; ")}` : ""}`);
}

const watchdog = setTimeout(async () => {
  console.error(`[e2e] FAIL: timed out after ${timeoutS} s`);
  failed = true;
  await cleanup();
  process.exit(1);
}, timeoutS * 1000);

async function cleanup() {
  try { if (browser) await browser.close(); } catch (_) { /* already gone */ }
  try { await stopServer(); } catch (_) { /* already gone */ }
  if (failed || process.env.E2E_KEEP === "1") {
    log(`kept ${work} (server log: ${serverLog})`);
  } else {
    rmSync(work, { recursive: true, force: true });
  }
}

try {
  await main();
  log("PASS");
} catch (error) {
  failed = true;
  console.error(`[e2e] FAIL: ${error.message}`);
  if (existsSync(serverLog)) console.error(`[e2e] server log tail:\n${readFileSync(serverLog, "utf8").split("\n").slice(-30).join("\n")}`);
}
clearTimeout(watchdog);
await cleanup();
process.exit(failed ? 1 : 0);
