// End-to-end test of the web UI: the real `imu2clip serve` with a temp database, driven through
// headless Chromium. Exits 0 when every check passes, 1 otherwise.
//
//   node tests/e2e/web_ui.test.mjs      (or scripts/e2e.sh, which installs playwright-core first)
//
// Environment:
//   IMU2CLIP_BIN        the binary (default: build/services/cli/imu2clip under the repo root)
//   IMU2CLIP_E2E_MODEL  a model bundle for `serve` (default: a small random one from `model init`;
//                       the logs the questions read are imported, so the model's quality is irrelevant)
//   IMU2CLIP_E2E_AUDIO_MODEL  an audio bundle for `serve --audio-model` (default: a tiny one from a
//                       one-step `pretrain --modality audio` on synthetic tones; POST /v1/audio only
//                       has to accept the sound, not tag it well)
//   CHROMIUM            browser executable (default /usr/bin/chromium)
//   E2E_TIMEOUT_S       overall limit (default 180)
//   E2E_KEEP=1          keep the temp folder (database, server log, screenshots) for inspection
import { chromium } from "playwright-core";
import { spawn, execFile } from "node:child_process";
import { mkdtempSync, mkdirSync, writeFileSync, readFileSync, rmSync, existsSync, openSync } from "node:fs";
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
// What the phone heard on that walk: the timeline draws it as a lane of its own.
const EVENING_SOUNDS = [
  { from: "17:00", to: "17:15", label: "street traffic" },
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
function dayLogJsonl(plan, modality = "motion") {
  const lines = [];
  const toMinutes = (hhmm) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3));
  for (const { from, to, label } of plan) {
    for (let m = toMinutes(from); m < toMinutes(to); m += 5) {
      const hh = String(Math.floor(m / 60)).padStart(2, "0");
      const mm = String(m % 60).padStart(2, "0");
      lines.push(JSON.stringify({ t: `${DAY}T${hh}:${mm}:00+02:00`, duration_s: 300, labels: [label], modality }));
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

// The fake microphone's input (Chromium plays it in a loop): a mono 16-bit PCM WAV of a tone.
const MIC_TONE_HZ = 440;
const MIC_TONE_AMPLITUDE = 0.5;
function toneWav(rate, seconds, hz, amplitude) {
  const n = Math.round(rate * seconds);
  const wav = Buffer.alloc(44 + 2 * n);
  wav.write("RIFF", 0);
  wav.writeUInt32LE(36 + 2 * n, 4);
  wav.write("WAVEfmt ", 8);
  wav.writeUInt32LE(16, 16);          // fmt chunk size
  wav.writeUInt16LE(1, 20);           // PCM
  wav.writeUInt16LE(1, 22);           // mono
  wav.writeUInt32LE(rate, 24);
  wav.writeUInt32LE(2 * rate, 28);    // bytes per second
  wav.writeUInt16LE(2, 32);           // bytes per frame
  wav.writeUInt16LE(16, 34);          // bits per sample
  wav.write("data", 36);
  wav.writeUInt32LE(2 * n, 40);
  for (let i = 0; i < n; i++) wav.writeInt16LE(Math.round(amplitude * 32767 * Math.sin((2 * Math.PI * hz * i) / rate)), 44 + 2 * i);
  return wav;
}

// Amplitude (full scale 1) of the `hz` component of little-endian PCM16 at `rate` (one DFT bin).
// A chunk sent at another rate than its header says puts the tone elsewhere, and this near 0.
function toneAmplitude(bytes, rate, hz) {
  const n = bytes.length / 2;
  let re = 0, im = 0;
  for (let i = 0; i < n; i++) {
    const v = bytes.readInt16LE(2 * i) / 32768;
    re += v * Math.cos((2 * Math.PI * hz * i) / rate);
    im += v * Math.sin((2 * Math.PI * hz * i) / rate);
  }
  return (2 * Math.hypot(re, im)) / n;
}

// The frequency in [lo, hi] (step `step` Hz) with the largest amplitude in the chunk.
function dominantFrequency(bytes, rate, lo, hi, step) {
  let best = lo, bestAmplitude = -1;
  for (let hz = lo; hz <= hi; hz += step) {
    const a = toneAmplitude(bytes, rate, hz);
    if (a > bestAmplitude) { best = hz; bestAmplitude = a; }
  }
  return best;
}

async function waitUntil(condition, timeoutMs, what) {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
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
    if (server.exitCode !== null || server.signalCode !== null) {
      throw new Error(`the server exited with ${server.exitCode ?? server.signalCode}:\n${readFileSync(serverLog, "utf8")}`);
    }
    try {
      const response = await fetch(`${base}/healthz`);
      if (response.ok) return response.json();
    } catch (_) { /* not listening yet */ }
    if (Date.now() > deadline) throw new Error(`the server did not become healthy:\n${readFileSync(serverLog, "utf8")}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function startServer(model, audioModel, port) {
  const out = openSync(serverLog, "a");
  server = spawn(bin, ["serve", "--db", db, "--model", model, "--audio-model", audioModel,
                       "--host", "127.0.0.1", "--port", String(port)],
                 { env: e2eEnv(), stdio: ["ignore", out, out] });
  return waitForHealthy(`http://127.0.0.1:${port}`);
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

  let model = process.env.IMU2CLIP_E2E_MODEL;
  if (!model) {
    model = join(work, "model.safetensors");
    await run(["model", "init", "--out", model, "--seed", "7",
               "--label", "sitting", "--label", "walking", "--label", "running", "--label", "cooking"]);
  }
  let audioModel = process.env.IMU2CLIP_E2E_AUDIO_MODEL;
  if (!audioModel) {
    audioModel = join(work, "audio.safetensors");
    const clips = join(work, "audio-clips");
    mkdirSync(join(clips, "clips"), { recursive: true });
    const rows = ["clip_id,label,source,fold,split"];
    for (let k = 0; k < 4; k++) {
      writeFileSync(join(clips, "clips", `low-${k}.wav`), toneWav(16000, 2, 200 + 50 * k, 0.3));
      writeFileSync(join(clips, "clips", `high-${k}.wav`), toneWav(16000, 2, 2000 + 500 * k, 0.3));
      rows.push(`low-${k},humming,e2e:low,0,train`, `high-${k},beeping,e2e:high,0,train`);
    }
    writeFileSync(join(clips, "labels.csv"), rows.join("\n") + "\n");
    await run(["pretrain", "--modality", "audio", "--data", clips, "--out", audioModel, "--epochs", "1", "--max-steps", "1",
               "--batch", "8", "--val-split", "none", "--seed", "7", "--threads", "1", "--device", "cpu"]);
  }

  const added = await run(["user", "add", "ann", "--db", db, "--tz", TZ]);
  const token = tokenFrom(added.stdout);
  const logFile = join(work, "morning.jsonl");
  writeFileSync(logFile, dayLogJsonl(MORNING));
  await run(["logs", "import", "--db", db, "--user", "ann", logFile]);

  const port = await freePort();
  const health = await startServer(model, audioModel, port);
  log(`server up on port ${port}: ${JSON.stringify(health)}`);
  const base = `http://127.0.0.1:${port}`;

  const imported = await fetch(`${base}/v1/logs/import`, {
    method: "POST",
    headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/x-ndjson" },
    body: dayLogJsonl(EVENING),
  });
  check(imported.ok, `POST /v1/logs/import accepted the evening (${imported.status})`);
  const importedSounds = await fetch(`${base}/v1/logs/import`, {
    method: "POST",
    headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/x-ndjson" },
    body: dayLogJsonl(EVENING_SOUNDS, "audio"),
  });
  check(importedSounds.ok, `POST /v1/logs/import accepted the evening's sounds (${importedSounds.status})`);
  log(`user 'ann' has ${MORNING.length + EVENING.length} activities on ${DAY}`);

  // A fake microphone that hears the tone, granted without a prompt.
  const micWav = join(work, "mic.wav");
  writeFileSync(micWav, toneWav(48000, 3, MIC_TONE_HZ, MIC_TONE_AMPLITUDE));
  browser = await chromium.launch({
    executablePath: chromiumPath,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
           "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
           `--use-file-for-fake-audio-capture=${micWav}`],
  });
  // A phone-sized window in the user's zone.
  const context = await browser.newContext({ viewport: { width: 390, height: 844 }, timezoneId: TZ });
  // Every track the page gets from getUserMedia, to check that Stop releases the microphone.
  await context.addInitScript(() => {
    window.__micTracks = [];
    const devices = navigator.mediaDevices;
    if (!devices || !devices.getUserMedia) return;
    const getUserMedia = devices.getUserMedia.bind(devices);
    devices.getUserMedia = async (constraints) => {
      const stream = await getUserMedia(constraints);
      window.__micTracks.push(...stream.getTracks());
      return stream;
    };
  });
  const page = await context.newPage();
  page.setDefaultTimeout(30000);
  const pageErrors = [];
  page.on("pageerror", (error) => pageErrors.push(error.message));
  // The page runs under its Content-Security-Policy: anything it blocks is a bug in the page.
  const cspViolations = [];
  page.on("console", (message) => {
    if (/Content Security Policy/i.test(message.text())) cspViolations.push(message.text());
  });

  const pageResponse = await page.goto(`${base}/?as_of=${encodeURIComponent(AS_OF)}`);
  const pageHeaders = pageResponse.headers();
  check(/frame-ancestors 'none'/.test(pageHeaders["content-security-policy"] || "") &&
        /script-src 'self'/.test(pageHeaders["content-security-policy"] || ""),
        `the page is served with a Content-Security-Policy (${pageHeaders["content-security-policy"]})`);
  check(pageHeaders["x-content-type-options"] === "nosniff", "and X-Content-Type-Options: nosniff");
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
  // The sounds are a lane of their own under the activities, with their own legend.
  const soundBars = await page.locator("#timeline-chart svg g.lane-audio rect.bar title").allTextContents();
  check(soundBars.some((t) => t.startsWith("street traffic: 17:00")), `the audio lane draws the street traffic (${soundBars.length} bars)`);
  check(!totals.some((t) => t.includes("street traffic")), "sounds are not totalled as activities");
  const soundTotals = await page.locator("#timeline-audio-totals li").allTextContents();
  check(await page.isVisible("#timeline-audio-legend") && soundTotals.some((t) => t.includes("street traffic") && t.includes("15 min")),
        "the audio legend totals 15 min of street traffic");
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

  // Search: the uploaded windows' stored embeddings answer a free-text query, marked on the day.
  await page.fill("#search-q", "walking");
  await page.click("#search-button");
  await page.waitForFunction(() => /match|Nothing found|error/i.test(document.getElementById("search-status").textContent));
  const searchStatus = await page.textContent("#search-status");
  log(`search: ${searchStatus}`);
  check(/^\d+ match/.test(searchStatus), "the search finds windows of the uploaded recording");
  await page.waitForSelector("#timeline-chart svg g.search-marks rect.search-mark");
  const markTitles = await page.locator("#timeline-chart svg rect.search-mark title").allTextContents();
  check(markTitles.some((t) => t.includes("at 20:0")), `the uploaded windows are marked at 20:00 (${markTitles[0] || "none"})`);
  check(markTitles.length <= await page.locator("#search-results li").count(), "each mark is one of the listed results");

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

  // Sound: off until asked; then 2-second chunks of 16 kHz PCM reach POST /v1/audio with a
  // recording indicator on screen, and Stop takes the indicator away and releases the microphone.
  check(await page.isHidden("#sound-indicator"), "no sound indicator before recording sound");
  check(await page.evaluate(() => window.__micTracks.length) === 0, "the microphone stays closed until asked");
  const audio = [];   // {request, response, body, reply} per POST /v1/audio
  page.on("response", async (response) => {
    const request = response.request();
    if (request.method() !== "POST" || new URL(request.url()).pathname !== "/v1/audio") return;
    const entry = { request, response, body: request.postDataBuffer() || Buffer.alloc(0), reply: null, text: "", read: false };
    audio.push(entry);
    try { entry.text = await response.text(); entry.reply = JSON.parse(entry.text); } catch (_) { /* checked below */ }
    entry.read = true;
  });
  const accepted = () => audio.filter((a) => a.read && a.response.status() === 202);
  // 429 is retried by the page; anything else but 202 is an answer the test cannot wait out.
  const refused = () => audio.find((a) => a.read && a.response.status() !== 202 && a.response.status() !== 429);
  const soundClickedAt = Date.now();
  await page.click("#sound-button");
  await page.waitForSelector("#sound-indicator", { state: "visible" });
  const indicator = (await page.textContent("#sound-indicator")).replace(/\s+/g, " ");
  check(/Recording sound \d+:\d\d Stop/.test(indicator), `the recording indicator is on screen ("${indicator.trim()}")`);
  check(await page.isVisible("#sound-indicator .rec-dot"), "with its red dot");
  check(await page.getAttribute("#sound-button", "aria-pressed") === "true", "the sound button shows it is on");
  await waitUntil(() => accepted().length >= 2 || refused(), 20000, "two answered POST /v1/audio");
  const bad = refused();
  if (bad) {
    throw new Error(`POST /v1/audio answered ${bad.response.status()}: ${bad.text.slice(0, 300)}` +
                    (bad.response.status() === 404 ? " (this build has no /v1/audio route)" : ""));
  }
  const [first, second] = accepted();
  const headers = first.request.headers();
  check(headers["content-type"] === "audio/L16;rate=16000;channels=1", `the chunk is sent as ${headers["content-type"]}`);
  check(headers.authorization === `Bearer ${token}`, "with the user's token");
  const firstUrl = new URL(first.request.url());
  const start = Number(firstUrl.searchParams.get("start"));
  check(start >= soundClickedAt - 1000 && start <= Date.now(), `the first chunk starts when recording started (start=${start}, clicked at ${soundClickedAt})`);
  check(firstUrl.searchParams.get("device") === "phone-browser", "from the device 'phone-browser'");
  check(first.body.length === 2 * 16000 * 2, `a 2 s chunk of 16 kHz int16 (${first.body.length} bytes)`);
  // Chromium's fake microphone glitches where it loops the file and, on a loaded machine, drops
  // whole stretches (silence), so the level is not exact: what must hold is that the chunk's
  // strongest frequency is the tone's (a chunk resampled wrongly or labelled with another rate
  // puts it elsewhere) and that it is clearly audible.
  const peak = dominantFrequency(second.body, 16000, 100, 4000, 10);
  const heard = toneAmplitude(second.body, 16000, MIC_TONE_HZ);
  check(Math.abs(peak - MIC_TONE_HZ) <= 10 && heard > 0.1 * MIC_TONE_AMPLITUDE,
        `the chunk holds the microphone's ${MIC_TONE_HZ} Hz tone at 16 kHz (strongest ${peak} Hz, amplitude ${heard.toFixed(3)})`);
  check(Number(new URL(second.request.url()).searchParams.get("start")) === start + first.body.length / 2 / 16,
        "the next chunk starts where the first ended");
  // accepted_samples counts at the rate the server resamples to (its audio model's), so the
  // seconds are what must match.
  check(first.reply && first.reply.accepted_samples > 0 && Math.abs(first.reply.accepted_s - 2) < 1e-3 && first.reply.recording_id != null,
        `the server took the whole chunk: ${JSON.stringify(first.reply)}`);
  await page.screenshot({ path: join(work, "recording-sound.png"), fullPage: true });

  await page.click("#sound-stop");
  await page.waitForSelector("#sound-indicator", { state: "hidden" });
  check(await page.isHidden("#sound-indicator"), "Stop takes the recording indicator away");
  check(await page.getAttribute("#sound-button", "aria-pressed") === "false", "the sound button shows it is off");
  const tracks = await page.evaluate(() => window.__micTracks.map((t) => `${t.kind}:${t.readyState}`));
  check(tracks.length > 0 && tracks.every((t) => t.endsWith(":ended")), `the microphone is released (${tracks.join(", ")})`);
  // "Stopped: sending the rest…" until the last chunk is answered; "Stopped." when there was none.
  await page.waitForFunction(() => /^Stopped\./.test(document.getElementById("sound-status").textContent));
  const soundStatus = await page.textContent("#sound-status");
  check(["Stopped. All the sound was sent.", "Stopped."].includes(soundStatus), `the rest is sent after Stop: "${soundStatus}"`);
  check(await page.textContent("#sound-errors") === "0" && audio.every((a) => a.response.status() === 202),
        `every sound chunk was accepted (${audio.length} POSTs)`);

  // Sign out forgets the token.
  await page.click("#sign-out");
  check(await page.isVisible("#sign-in-form"), "signing out shows the sign-in form");
  check(await page.evaluate(() => localStorage.getItem("imu2clip.token")) === null, "signing out forgets the token");

  check(pageErrors.length === 0, `no JavaScript errors${pageErrors.length ? `: ${pageErrors.join("; ")}` : ""}`);
  check(cspViolations.length === 0, `nothing the page does is blocked by its policy${cspViolations.length ? `: ${cspViolations.join("; ")}` : ""}`);
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
