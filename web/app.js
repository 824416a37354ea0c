// imu2clip web UI: sign in, chat (streamed), day timeline, upload, live recording from a phone.
// Plain JS, no build step. Talks to the /v1 HTTP API with the user's bearer token.
//
// Page URL parameters (optional, for demos and tests):
//   ?as_of=ISO-8601  "now" for every question (e.g. 2024-05-06T18:00:00Z); also picks the timeline day
//   ?tz=IANA         time zone for questions (default: the account's zone, chosen by the server)
//   ?date=YYYY-MM-DD first day the timeline shows
"use strict";

const TOKEN_KEY = "imu2clip.token";
const params = new URLSearchParams(location.search);
const $ = (id) => document.getElementById(id);

const state = {
  token: localStorage.getItem(TOKEN_KEY) || "",
  user: null,       // {user, tz}
  askBusy: false,
};

// ---------- HTTP helpers ----------

class ApiError extends Error {
  constructor(status, message, code) {
    super(message);
    this.status = status;
    this.code = code || "";
  }
}

// Turns a non-2xx response into an ApiError carrying the server's own message.
async function errorFromResponse(response) {
  let message = "";
  let code = "";
  try {
    const body = await response.json();
    if (body && body.error) {
      message = body.error.message || "";
      code = body.error.code || body.error.type || "";
    }
  } catch (_) { /* not JSON: fall back to the status line */ }
  if (!message) message = `${response.status} ${response.statusText || "error"}`;
  return new ApiError(response.status, message, code);
}

function authHeaders(extra) {
  return Object.assign({ Authorization: `Bearer ${state.token}` }, extra || {});
}

async function api(path, options) {
  let response;
  try {
    response = await fetch(path, Object.assign({}, options, {
      headers: authHeaders(options && options.headers),
    }));
  } catch (e) {
    throw new ApiError(0, "Cannot reach the server. Check the connection and try again.");
  }
  if (response.status === 401) handleUnauthorized();
  if (!response.ok) throw await errorFromResponse(response);
  return response;
}

async function apiJson(path, options) {
  return (await api(path, options)).json();
}

function handleUnauthorized() {
  signOut("The server rejected the token. Sign in again.");
}

// ---------- sign in / out ----------

async function signIn(token) {
  state.token = token;
  const me = await apiJson("/v1/me");
  state.user = me;
  localStorage.setItem(TOKEN_KEY, token);
  $("account-name").textContent = me.tz ? `${me.user} · ${me.tz}` : me.user;
  $("account").hidden = false;
  $("sign-in").hidden = true;
  $("app").hidden = false;
  initTimelineDate();
  $("question").focus();
}

function signOut(message) {
  stopRecording();
  state.token = "";
  state.user = null;
  localStorage.removeItem(TOKEN_KEY);
  $("account").hidden = true;
  $("app").hidden = true;
  $("sign-in").hidden = false;
  $("messages").replaceChildren();
  $("sign-in-error").textContent = message || "";
  $("token").value = "";
}

$("sign-in-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const token = $("token").value.trim();
  $("sign-in-error").textContent = "";
  try {
    await signIn(token);
  } catch (e) {
    state.token = "";
    if (e.status === 401 || e.status === 403) {
      signOut("That token is not valid. Create one with: imu2clip user add NAME");
    } else {
      $("sign-in-error").textContent = e.message;
    }
  }
});
$("sign-out").addEventListener("click", () => signOut(""));

// ---------- tabs ----------

const tabs = ["chat", "timeline", "upload", "record"];
function selectTab(name) {
  for (const t of tabs) {
    const selected = t === name;
    $(`tab-${t}`).setAttribute("aria-selected", String(selected));
    $(`tab-${t}`).tabIndex = selected ? 0 : -1;
    $(`panel-${t}`).hidden = !selected;
  }
  if (name === "timeline") loadTimeline();
}
tabs.forEach((t, i) => {
  const tab = $(`tab-${t}`);
  tab.addEventListener("click", () => selectTab(t));
  tab.addEventListener("keydown", (event) => {
    const step = event.key === "ArrowRight" ? 1 : event.key === "ArrowLeft" ? -1 : 0;
    if (!step) return;
    const next = tabs[(i + step + tabs.length) % tabs.length];
    selectTab(next);
    $(`tab-${next}`).focus();
  });
});

// ---------- chat ----------

function appendMessage(kind) {
  const li = document.createElement("li");
  li.className = kind;
  $("messages").append(li);
  return li;
}

// Reads a text/event-stream body and calls onEvent(data string) for each event's data.
async function readEventStream(response, onEvent) {
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += decoder.decode(value, { stream: true }).replace(/\r\n?/g, "\n");
    let end;
    while ((end = buffer.indexOf("\n\n")) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const data = block.split("\n")
        .filter((line) => line.startsWith("data:"))
        .map((line) => line.slice(line.startsWith("data: ") ? 6 : 5))
        .join("\n");
      if (data && onEvent(data) === false) {
        reader.cancel();
        return;
      }
    }
  }
}

function renderAnswerDetails(li, result) {
  const evidence = Array.isArray(result.evidence) ? result.evidence : [];
  if (evidence.length) {
    const details = document.createElement("details");
    details.className = "evidence";
    const summary = document.createElement("summary");
    summary.textContent = `Evidence (${evidence.length} log line${evidence.length === 1 ? "" : "s"})`;
    const list = document.createElement("ul");
    for (const line of evidence) {
      const item = document.createElement("li");
      item.textContent = line;
      list.append(item);
    }
    details.append(summary, list);
    li.append(details);
  }
  const llm = result.llm || {};
  const note = document.createElement("p");
  note.className = "note llm-note";
  if (llm.used) {
    note.textContent = `Written by the language model${llm.model ? ` ${llm.model}` : ""} from your logs.`;
  } else if (llm.error) {
    note.textContent = `Built-in answer (fallback: the language model failed: ${llm.error}).`;
  } else {
    note.textContent = "Built-in answer computed from your logs (no language model).";
  }
  li.append(note);
}

async function ask(question) {
  const questionItem = appendMessage("question");
  questionItem.textContent = question;
  const li = appendMessage("answer");
  const text = document.createElement("div");
  text.className = "answer-text pending";
  // Screen readers hear the answer as it streams in.
  text.setAttribute("aria-live", "polite");
  text.setAttribute("aria-busy", "true");
  li.append(text);
  li.scrollIntoView({ block: "end", behavior: "smooth" });

  const body = { question, stream: true };
  const asOf = $("as-of").value.trim();
  if (asOf) body.as_of = asOf;
  if (params.get("tz")) body.tz = params.get("tz");

  let final = null;
  let streamError = "";
  try {
    const response = await api("/v1/ask", {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "text/event-stream" },
      body: JSON.stringify(body),
    });
    const type = response.headers.get("Content-Type") || "";
    if (type.includes("text/event-stream")) {
      await readEventStream(response, (data) => {
        if (data === "[DONE]") return false;
        let event;
        try { event = JSON.parse(data); } catch (_) { return true; }
        if (event.error) {
          streamError = event.error.message || String(event.error);
        } else if (typeof event.delta === "string") {
          text.textContent += event.delta;
        } else if (event.done) {
          final = event;
        }
        return true;
      });
    } else {
      final = await response.json();   // server answered without streaming
    }
  } catch (e) {
    streamError = e.message;
  }
  text.classList.remove("pending");
  text.setAttribute("aria-busy", "false");
  if (final) {
    if (typeof final.answer === "string" && final.answer) text.textContent = final.answer;
    renderAnswerDetails(li, final);
  }
  if (streamError) {
    const error = document.createElement("p");
    error.className = "error";
    error.setAttribute("role", "alert");
    error.textContent = streamError;
    li.append(error);
  } else if (!final && !text.textContent) {
    text.textContent = "(no answer)";
  }
  li.scrollIntoView({ block: "end", behavior: "smooth" });
}

$("ask-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const question = $("question").value.trim();
  if (!question || state.askBusy) return;
  state.askBusy = true;
  $("ask-button").disabled = true;
  $("question").value = "";
  try {
    await ask(question);
  } finally {
    state.askBusy = false;
    $("ask-button").disabled = false;
    $("question").focus();
  }
});

// ---------- timeline ----------

// YYYY-MM-DD of an instant in the account's time zone.
function localDate(date) {
  const options = { year: "numeric", month: "2-digit", day: "2-digit" };
  if (state.user && state.user.tz) options.timeZone = state.user.tz;
  try {
    return new Intl.DateTimeFormat("en-CA", options).format(date);
  } catch (_) {   // unknown zone in this browser
    delete options.timeZone;
    return new Intl.DateTimeFormat("en-CA", options).format(date);
  }
}

function initTimelineDate() {
  let date = params.get("date");
  if (!date) {
    const asOf = params.get("as_of") ? new Date(params.get("as_of")) : new Date();
    date = localDate(isNaN(asOf) ? new Date() : asOf);
  }
  $("timeline-date").value = date;
}

function shiftDay(days) {
  const value = $("timeline-date").value;
  if (!value) return;
  const d = new Date(`${value}T12:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  $("timeline-date").value = d.toISOString().slice(0, 10);
  loadTimeline();
}
$("day-prev").addEventListener("click", () => shiftDay(-1));
$("day-next").addEventListener("click", () => shiftDay(1));
$("timeline-date").addEventListener("change", () => loadTimeline());
$("timeline-form").addEventListener("submit", (event) => { event.preventDefault(); loadTimeline(); });

// Stable colour per label so "walking" looks the same every day. Stretches the tagger was not
// confident about are grey: they are not an activity.
function labelColour(label) {
  if (label === "unclear motion") return "hsl(0 0% 72%)";
  let hash = 2166136261;
  for (let i = 0; i < label.length; i++) hash = Math.imul(hash ^ label.charCodeAt(i), 16777619);
  const hue = (hash >>> 0) % 360;
  return `hsl(${hue} 62% 50%)`;
}

function clock(minutes) {
  const m = Math.max(0, Math.min(1440, Math.round(minutes)));
  return `${String(Math.floor(m / 60)).padStart(2, "0")}:${String(m % 60).padStart(2, "0")}`;
}

function duration(minutes) {
  const m = Math.round(minutes);
  if (m < 1) return "<1 min";
  if (m < 60) return `${m} min`;
  return `${Math.floor(m / 60)} h ${String(m % 60).padStart(2, "0")} min`;
}

const SVG_NS = "http://www.w3.org/2000/svg";
function svg(name, attributes, parent) {
  const node = document.createElementNS(SVG_NS, name);
  for (const [key, value] of Object.entries(attributes || {})) node.setAttribute(key, value);
  if (parent) parent.append(node);
  return node;
}

let lastTimeline = null;
let timelineRequest = 0;

async function loadTimeline() {
  const date = $("timeline-date").value;
  if (!date || !state.token) return;
  const request = ++timelineRequest;
  $("timeline-status").textContent = "Loading…";
  try {
    const timeline = await apiJson(`/v1/timeline?date=${encodeURIComponent(date)}`);
    if (request !== timelineRequest) return;   // a newer day was picked meanwhile
    lastTimeline = timeline;
    drawTimeline(timeline);
  } catch (e) {
    if (request !== timelineRequest) return;
    lastTimeline = null;
    $("timeline-chart").replaceChildren();
    $("timeline-totals").replaceChildren();
    $("timeline-detail").textContent = "";
    $("timeline-status").textContent = e.message;
  }
}

function drawTimeline(timeline) {
  const segments = (timeline.segments || []).filter((s) => s.end_min > s.start_min);
  const chart = $("timeline-chart");
  $("timeline-detail").textContent = "";
  const totals = new Map();
  for (const s of segments) totals.set(s.label, (totals.get(s.label) || 0) + (s.end_min - s.start_min));
  const labels = [...totals.keys()].sort((a, b) => totals.get(b) - totals.get(a) || a.localeCompare(b));

  $("timeline-status").textContent = segments.length
    ? `${timeline.date}${timeline.tz ? ` (${timeline.tz})` : ""}: ${labels.length} activit${labels.length === 1 ? "y" : "ies"}`
    : `Nothing logged on ${timeline.date || $("timeline-date").value}.`;

  // Drawn in CSS pixels (no viewBox scaling) so text stays readable on a narrow phone.
  const width = Math.max(320, chart.clientWidth || 640);
  const labelWidth = Math.min(130, Math.round(width * 0.28));
  const rowHeight = 24;
  const top = 18;
  const plotWidth = width - labelWidth - 8;
  const height = top + Math.max(1, labels.length) * rowHeight + 4;
  const x = (minutes) => labelWidth + (minutes / 1440) * plotWidth;

  const root = svg("svg", {
    width, height, role: "img",
    "aria-label": `Activity timeline for ${timeline.date || ""}`,
  });
  const hourStep = plotWidth < 360 ? 6 : plotWidth < 600 ? 3 : 2;
  for (let h = 0; h <= 24; h++) {
    svg("line", { class: "tick", x1: x(h * 60), x2: x(h * 60), y1: top - 4, y2: height, "stroke-width": h % hourStep ? 0.5 : 1 }, root);
    if (h % hourStep === 0) {
      const tick = svg("text", { x: x(h * 60), y: 11, "text-anchor": h === 0 ? "start" : h === 24 ? "end" : "middle" }, root);
      tick.textContent = String(h).padStart(2, "0");
    }
  }
  labels.forEach((label, row) => {
    const y = top + row * rowHeight;
    const text = svg("text", { class: "row-label", x: 0, y: y + rowHeight / 2 + 4 }, root);
    text.textContent = label.length > 18 ? `${label.slice(0, 17)}…` : label;
    const full = svg("title", {}, text);
    full.textContent = label;
  });
  const rowOf = new Map(labels.map((label, i) => [label, i]));
  for (const s of segments) {
    const row = rowOf.get(s.label);
    const rect = svg("rect", {
      class: "bar",
      x: x(s.start_min),
      y: top + row * rowHeight + 3,
      width: Math.max(1.5, x(s.end_min) - x(s.start_min)),
      height: rowHeight - 6,
      rx: 2,
      fill: labelColour(s.label),
      tabindex: 0,
    }, root);
    const description = `${s.label}: ${clock(s.start_min)}–${clock(s.end_min)} (${duration(s.end_min - s.start_min)})` +
      (s.modality ? ` · ${s.modality}` : "");
    svg("title", {}, rect).textContent = description;
    // Phones have no hover: a tap (or Enter) shows the same text below the chart.
    const show = () => {
      root.querySelectorAll("rect.selected").forEach((r) => r.classList.remove("selected"));
      rect.classList.add("selected");
      $("timeline-detail").textContent = description;
    };
    rect.addEventListener("click", show);
    rect.addEventListener("focus", show);
  }
  chart.replaceChildren(root);

  const list = $("timeline-totals");
  list.replaceChildren(...labels.map((label) => {
    const item = document.createElement("li");
    const swatch = document.createElement("span");
    swatch.className = "swatch";
    swatch.style.background = labelColour(label);
    item.append(swatch, `${label} — ${duration(totals.get(label))}`);
    return item;
  }));
}

let resizeTimer = 0;
window.addEventListener("resize", () => {
  clearTimeout(resizeTimer);
  resizeTimer = setTimeout(() => { if (lastTimeline && !$("panel-timeline").hidden) drawTimeline(lastTimeline); }, 150);
});

// ---------- upload ----------

// XMLHttpRequest rather than fetch: only XHR reports upload progress.
function uploadWithProgress(url, formData, onProgress) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open("POST", url);
    xhr.setRequestHeader("Authorization", `Bearer ${state.token}`);
    xhr.responseType = "text";
    xhr.upload.onprogress = (event) => { if (event.lengthComputable) onProgress(event.loaded / event.total); };
    xhr.onerror = () => reject(new ApiError(0, "The upload failed: the server could not be reached."));
    xhr.onload = () => {
      let body = null;
      try { body = JSON.parse(xhr.responseText); } catch (_) { /* keep null */ }
      if (xhr.status >= 200 && xhr.status < 300) return resolve(body || {});
      if (xhr.status === 401) handleUnauthorized();
      const message = body && body.error && body.error.message
        ? body.error.message : `${xhr.status} ${xhr.statusText || "error"}`;
      reject(new ApiError(xhr.status, message));
    };
    xhr.send(formData);
  });
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function showSummary(summary) {
  const list = $("job-summary");
  list.replaceChildren();
  for (const [key, value] of Object.entries(summary || {})) {
    const dt = document.createElement("dt");
    dt.textContent = key.replace(/_/g, " ");
    const dd = document.createElement("dd");
    dd.textContent = typeof value === "object" ? JSON.stringify(value) : String(value);
    list.append(dt, dd);
  }
}

async function followJob(jobId) {
  const status = $("upload-status");
  for (;;) {
    const job = await apiJson(`/v1/jobs/${encodeURIComponent(jobId)}`);
    const progress = Number(job.progress) || 0;
    $("job-progress").value = Math.min(1, progress > 1 ? progress / 100 : progress);
    if (job.state === "done") {
      $("job-progress").value = 1;
      status.textContent = `Done${job.recording_id != null ? `: recording ${job.recording_id} tagged` : ""}. See it in the timeline.`;
      showSummary(job.summary);
      return;
    }
    if (job.state === "failed") {
      status.textContent = `Tagging failed: ${job.error || "unknown error"}`;
      status.classList.add("error");
      showSummary(job.summary);
      return;
    }
    status.textContent = job.state === "queued" ? "Waiting for the tagger…" : `Tagging… ${Math.round($("job-progress").value * 100)} %`;
    await sleep(1000);
  }
}

$("upload-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const file = $("upload-file").files[0];
  const status = $("upload-status");
  status.classList.remove("error");
  if (!file) { status.textContent = "Choose a file first."; return; }
  const query = new URLSearchParams();
  query.set("format", $("upload-format").value);
  const start = $("upload-start").value;
  if (start) query.set("start", new Date(start).toISOString());   // the phone's zone applies
  if (state.user && state.user.tz) query.set("tz", state.user.tz);
  const device = $("upload-device").value.trim();
  if (device) query.set("device", device);
  const form = new FormData();
  form.append("file", file, file.name);

  $("upload-button").disabled = true;
  $("upload-progress").value = 0;
  $("job-progress").value = 0;
  $("job-summary").replaceChildren();
  status.textContent = `Uploading ${file.name}…`;
  try {
    const reply = await uploadWithProgress(`/v1/recordings?${query}`, form, (fraction) => {
      $("upload-progress").value = fraction;
    });
    $("upload-progress").value = 1;
    if (reply.job_id == null) throw new ApiError(0, "The server did not return a job id.");
    status.textContent = "Uploaded. Waiting for the tagger…";
    await followJob(reply.job_id);
  } catch (e) {
    status.textContent = e.message;
    status.classList.add("error");
  } finally {
    $("upload-button").disabled = false;
  }
});

// ---------- live recording from the phone ----------

const recorder = {
  active: false,
  times: [],         // t_utc_ms per buffered sample
  samples: [],       // [ax, ay, az, gx, gy, gz]
  lastTime: 0,
  sent: 0,
  errors: 0,
  retryAt: 0,        // no POST before this time (after 429 / network trouble)
  sending: false,
  timer: 0,
  wakeLock: null,
  rateWindow: [],    // recent event times, for the displayed sample rate
  noData: 0,
};
const MAX_BUFFERED = 120 * 200;     // ~2 minutes at 200 Hz kept while the server is unreachable
const MAX_BATCH = 5000;             // samples per POST, so catching up after an outage stays in small requests
// iOS reports accelerationIncludingGravity with the opposite sign (web/device_motion.js).
const ACCELERATION_SIGN = accelerationSignFor(navigator, typeof DeviceMotionEvent === "undefined" ? null : DeviceMotionEvent);

function recordStatus(message, isError) {
  $("record-status").textContent = message;
  $("record-status").classList.toggle("error", Boolean(isError));
}

function updateRecordStats() {
  $("rec-sent").textContent = String(recorder.sent);
  $("rec-buffered").textContent = String(recorder.times.length);
  $("rec-errors").textContent = String(recorder.errors);
  const w = recorder.rateWindow;
  $("rec-rate").textContent = w.length > 2
    ? `${Math.round(((w.length - 1) * 1000) / (w[w.length - 1] - w[0]))} Hz` : "–";
}

function onMotion(event) {
  const sample = motionSample(event, ACCELERATION_SIGN);   // m/s^2 with gravity, rad/s, device axes
  if (!sample) {
    // Desktop browsers fire the event without sensor values.
    if (++recorder.noData === 50 && recorder.sent === 0 && recorder.times.length === 0) {
      recordStatus("This device reports no accelerometer/gyroscope data.", true);
    }
    return;
  }
  const now = Math.round(performance.timeOrigin + event.timeStamp);
  if (now <= recorder.lastTime) return;   // the server needs strictly increasing times
  recorder.lastTime = now;
  recorder.times.push(now);
  recorder.samples.push(sample);
  if (recorder.times.length > MAX_BUFFERED) {
    recorder.times.splice(0, recorder.times.length - MAX_BUFFERED);
    recorder.samples.splice(0, recorder.samples.length - MAX_BUFFERED);
  }
  recorder.rateWindow.push(now);
  if (recorder.rateWindow.length > 100) recorder.rateWindow.shift();
}

async function flushSamples() {
  if (recorder.sending || recorder.times.length === 0 || Date.now() < recorder.retryAt) return;
  recorder.sending = true;
  const count = Math.min(recorder.times.length, MAX_BATCH);
  const body = {
    device: "phone-browser",
    device_kind: "phone",
    t_utc_ms: recorder.times.slice(0, count),
    samples: recorder.samples.slice(0, count),
  };
  try {
    const response = await fetch("/v1/imu", {
      method: "POST",
      headers: authHeaders({ "Content-Type": "application/json" }),
      body: JSON.stringify(body),
    });
    if (response.ok) {
      recorder.times.splice(0, count);
      recorder.samples.splice(0, count);
      recorder.sent += count;
      recordStatus(recorder.active ? "Recording…" : "Stopped. Everything was sent.");
    } else if (response.status === 429 || response.status === 503) {
      // The server is busy: keep the samples and try again a little later.
      const retryAfter = Number(response.headers.get("Retry-After")) || 3;
      recorder.retryAt = Date.now() + retryAfter * 1000;
      recorder.errors++;
      recordStatus(`Server busy; retrying in ${retryAfter} s (samples are kept).`, true);
    } else if (response.status === 401) {
      handleUnauthorized();
    } else {
      // The server refused this batch as invalid: resending it would fail the same way.
      const error = await errorFromResponse(response);
      recorder.times.splice(0, count);
      recorder.samples.splice(0, count);
      recorder.errors++;
      recordStatus(`A batch was rejected: ${error.message}`, true);
    }
  } catch (_) {
    recorder.retryAt = Date.now() + 3000;
    recorder.errors++;
    recordStatus("Cannot reach the server; retrying (samples are kept).", true);
  } finally {
    recorder.sending = false;
    updateRecordStats();
  }
}

// Phones stop motion events when the screen turns off, so ask to keep it on while recording.
async function keepScreenOn() {
  try {
    if (navigator.wakeLock && recorder.active) recorder.wakeLock = await navigator.wakeLock.request("screen");
  } catch (_) { /* not allowed here: recording still works while the screen stays on */ }
}
// The browser drops the wake lock whenever the page is hidden; take it again on return.
document.addEventListener("visibilitychange", () => {
  if (document.visibilityState === "visible" && recorder.active) keepScreenOn();
});

async function startRecording() {
  if (typeof DeviceMotionEvent === "undefined") {
    recordStatus("This browser has no motion sensors API.", true);
    return;
  }
  if (!window.isSecureContext) {
    recordStatus("Motion sensors need a secure page: open this site over HTTPS (or localhost).", true);
    return;
  }
  // iOS asks the user; it must happen inside the tap handler.
  if (typeof DeviceMotionEvent.requestPermission === "function") {
    try {
      const answer = await DeviceMotionEvent.requestPermission();
      if (answer !== "granted") {
        recordStatus("Motion access was denied. Allow it in the browser settings and try again.", true);
        return;
      }
    } catch (e) {
      recordStatus(`Motion access failed: ${e.message}`, true);
      return;
    }
  }
  Object.assign(recorder, { active: true, errors: 0, sent: 0, retryAt: 0, noData: 0, rateWindow: [] });
  window.addEventListener("devicemotion", onMotion);
  recorder.timer = setInterval(() => { flushSamples(); updateRecordStats(); }, 1000);
  await keepScreenOn();
  $("record-button").textContent = "Stop recording";
  $("record-button").classList.add("recording");
  $("record-button").setAttribute("aria-pressed", "true");
  recordStatus("Recording…");
  updateRecordStats();
}

function stopRecording() {
  if (!recorder.active) return;
  recorder.active = false;
  window.removeEventListener("devicemotion", onMotion);
  clearInterval(recorder.timer);
  if (recorder.wakeLock) { recorder.wakeLock.release().catch(() => {}); recorder.wakeLock = null; }
  $("record-button").textContent = "Record from this phone";
  $("record-button").classList.remove("recording");
  $("record-button").setAttribute("aria-pressed", "false");
  if (state.token && recorder.times.length) {
    recorder.retryAt = 0;
    recordStatus("Stopping: sending the last samples…");
    flushSamples();
  } else {
    recordStatus("Stopped.");
  }
}

$("record-button").addEventListener("click", () => {
  if (recorder.active) stopRecording(); else startRecording();
});

// ---------- start ----------

$("as-of").value = params.get("as_of") || "";
if (state.token) {
  signIn(state.token).catch((e) => {
    if (e.status === 401 || e.status === 403) signOut("Your saved token is no longer valid. Sign in again.");
    else {
      // Keep the token: the server may just be down for a moment.
      $("sign-in-error").textContent = e.message;
    }
  });
}
