// imu2clip web UI: sign in, chat (streamed), day timeline, upload, live recording from a phone
// (motion, and optionally sound).
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
  abandonSound();
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

const tabs = ["chat", "timeline", "upload", "record", "settings"];
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
  if (label === "unclear motion" || label === "unclear sound") return "hsl(0 0% 72%)";
  if (label === "quiet") return "hsl(0 0% 86%)";   // silence: heard, but nothing to see
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
    $("timeline-audio-totals").replaceChildren();
    $("timeline-audio-legend").hidden = true;
    $("timeline-detail").textContent = "";
    $("timeline-status").textContent = e.message;
  }
}

function drawTimeline(timeline) {
  // What was done, and under it (when anything was heard) what was heard: timeline_lanes.js.
  const lanes = timelineLanes(timeline.segments);
  const chart = $("timeline-chart");
  $("timeline-detail").textContent = "";
  const laneOf = (key) => lanes.find((lane) => lane.key === key);
  const activities = laneOf("activity") ? laneOf("activity").labels.length : 0;
  const sounds = laneOf("audio") ? laneOf("audio").labels.length : 0;

  $("timeline-status").textContent = lanes.length
    ? `${timeline.date}${timeline.tz ? ` (${timeline.tz})` : ""}: ${activities} activit${activities === 1 ? "y" : "ies"}` +
      (sounds ? `, ${sounds} sound${sounds === 1 ? "" : "s"}` : "")
    : `Nothing logged on ${timeline.date || $("timeline-date").value}.`;

  // One row per label; the audio lane opens with a row that names it.
  const rows = [];
  for (const lane of lanes) {
    if (lane.key === "audio") rows.push({ lane, title: lane.title });
    for (const label of lane.labels) rows.push({ lane, label });
  }

  // Drawn in CSS pixels (no viewBox scaling) so text stays readable on a narrow phone.
  const width = Math.max(320, chart.clientWidth || 640);
  const labelWidth = Math.min(130, Math.round(width * 0.28));
  const rowHeight = 24;
  const top = 18;
  const plotWidth = width - labelWidth - 8;
  const height = top + Math.max(1, rows.length) * rowHeight + 4;
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
  const groups = new Map(lanes.map((lane) => [lane.key, svg("g", { class: `lane lane-${lane.key}`, "aria-label": lane.title }, root)]));
  const rowOf = new Map();
  rows.forEach((row, i) => {
    const y = top + i * rowHeight;
    const group = groups.get(row.lane.key);
    if (row.title) {
      svg("line", { class: "lane-rule", x1: 0, x2: width, y1: y + 1, y2: y + 1 }, group);
      svg("text", { class: "lane-title", x: 0, y: y + rowHeight / 2 + 4 }, group).textContent = row.title;
      return;
    }
    rowOf.set(`${row.lane.key}\n${row.label}`, i);
    const text = svg("text", { class: "row-label", x: 0, y: y + rowHeight / 2 + 4 }, group);
    text.textContent = row.label.length > 18 ? `${row.label.slice(0, 17)}…` : row.label;
    const full = svg("title", {}, text);
    full.textContent = row.label;
  });
  for (const lane of lanes) {
    for (const s of lane.segments) {
      const row = rowOf.get(`${lane.key}\n${s.label}`);
      const rect = svg("rect", {
        class: "bar",
        x: x(s.start_min),
        y: top + row * rowHeight + 3,
        width: Math.max(1.5, x(s.end_min) - x(s.start_min)),
        height: rowHeight - 6,
        rx: 2,
        fill: labelColour(s.label),
        tabindex: 0,
      }, groups.get(lane.key));
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
  }
  drawSearchMarks(root, x, top - 4, height, timeline.date);
  chart.replaceChildren(root);

  // One legend per lane: time per activity, and time per sound.
  const legend = (list, lane) => list.replaceChildren(...(lane ? lane.labels : []).map((label) => {
    const item = document.createElement("li");
    const swatch = document.createElement("span");
    swatch.className = "swatch";
    swatch.style.background = labelColour(label);
    item.append(swatch, `${label} — ${duration(lane.totals.get(label))}`);
    return item;
  }));
  legend($("timeline-totals"), laneOf("activity"));
  legend($("timeline-audio-totals"), laneOf("audio"));
  $("timeline-audio-legend").hidden = !laneOf("audio");
}

let resizeTimer = 0;
window.addEventListener("resize", () => {
  clearTimeout(resizeTimer);
  resizeTimer = setTimeout(() => { if (lastTimeline && !$("panel-timeline").hidden) drawTimeline(lastTimeline); }, 150);
});

// ---------- search ----------

// The latest search's results (GET /v1/search), marked on whichever day the timeline shows.
let lastSearch = null;
let searchRequest = 0;

// Numbered bands over the whole chart for the hits of the drawn day (search_marks.js).
function drawSearchMarks(root, x, top, height, date) {
  if (!lastSearch) return;
  const group = svg("g", { class: "search-marks", "aria-label": `Matches for ${lastSearch.query}` }, root);
  for (const mark of searchMarks(lastSearch.results, date)) {
    const band = svg("rect", {
      class: "search-mark", x: x(mark.start_min), y: top,
      width: Math.max(3, x(mark.end_min) - x(mark.start_min)), height: height - top, tabindex: 0,
      "data-rank": mark.rank,
    }, group);
    svg("text", { class: "search-rank", x: x(mark.start_min), y: top + 10, "text-anchor": "middle" }, group)
      .textContent = String(mark.rank);
    const description = `#${mark.rank} "${lastSearch.query}" ${mark.score.toFixed(2)} at ${clock(mark.start_min)}` +
      (mark.log_line ? ` · ${mark.log_line}` : mark.label ? ` · ${mark.label}` : "");
    svg("title", {}, band).textContent = description;
    const show = () => { $("timeline-detail").textContent = description; };
    band.addEventListener("click", show);
    band.addEventListener("focus", show);
  }
}

function showSearchResults() {
  const list = $("search-results");
  list.replaceChildren(...lastSearch.results.map((hit) => {
    const item = document.createElement("li");
    const button = document.createElement("button");
    button.type = "button";
    button.className = "link";
    const when = hit.start ? hit.start.slice(0, 16).replace("T", " ") : `recording ${hit.recording_id}`;
    button.textContent = `${hit.score.toFixed(2)} · ${when} · ${hit.log_line || hit.label || hit.modality}`;
    const date = searchHitDate(hit);
    if (date) {
      button.addEventListener("click", () => { $("timeline-date").value = date; loadTimeline(); });
    } else {
      button.disabled = true;
    }
    item.append(button);
    return item;
  }));
}

$("search-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const q = $("search-q").value.trim();
  if (!q || !state.token) return;
  const request = ++searchRequest;
  $("search-status").textContent = "Searching…";
  try {
    const found = await apiJson(`/v1/search?q=${encodeURIComponent(q)}&k=20`);
    if (request !== searchRequest) return;
    lastSearch = found;
    const days = new Set(found.results.map(searchHitDate).filter(Boolean));
    $("search-status").textContent = found.results.length
      ? `${found.results.length} match${found.results.length === 1 ? "" : "es"} for "${q}" on ${days.size} day${days.size === 1 ? "" : "s"}` +
        " (marked on the timeline)."
      : `Nothing found for "${q}".`;
    showSearchResults();
    // Show the best match's day, where its mark is.
    const best = found.results.length ? searchHitDate(found.results[0]) : null;
    if (best && best !== $("timeline-date").value) {
      $("timeline-date").value = best;
      loadTimeline();
    } else if (lastTimeline) {
      drawTimeline(lastTimeline);
    }
  } catch (e) {
    if (request !== searchRequest) return;
    $("search-status").textContent = e.message;
  }
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

// ---------- sound from the microphone ----------
//
// getUserMedia -> AudioWorklet (the processor in audio_capture.js hands over mono batches) ->
// resampled to 16 kHz, PCM16, 2-second chunks (audio_capture.js) -> POST /v1/audio, one chunk
// at a time, in order. MediaRecorder is not used: it produces WebM/Opus, which the server
// does not read.

const SOUND_DEVICE = "phone-browser";   // the same name the motion stream uses for this phone
const SOUND_BACKLOG_SECONDS = 300;      // unsent sound kept while the server is busy or unreachable
// A batch whose audio-clock time and wall-clock time disagree by more than this starts a new
// stretch with its own start time (the system suspended the audio, e.g. during a call).
const SOUND_RESYNC_MS = 1000;
// Shorter pieces (a stretch's first render quantum before the microphone delivers, the tail
// after Stop) are not sent: they hold nothing the server could tag and would cost a request.
const SOUND_MIN_CHUNK_SECONDS = 0.1;
const BASE_TITLE = document.title;

const sound = {
  active: false,
  starting: false,
  stream: null,
  context: null,
  source: null,
  node: null,
  rate: 0,              // rate the chunks are sent at
  resampler: null,
  chunker: null,
  segmentFrame: 0,      // context frame of the current stretch's first sample
  segmentStartMs: 0,    // its wall-clock time
  nextFrame: 0,         // context frame the next batch should start at
  endMs: 0,             // wall-clock end of the last chunk queued
  backlog: new AudioBacklog(SOUND_BACKLOG_SECONDS),
  sending: false,
  failures: 0,          // failed sends in a row
  retryAt: 0,
  timer: 0,
  startedAt: 0,
  sentSeconds: 0,
  droppedSeconds: 0,
  errors: 0,
};

function soundStatus(message, isError) {
  $("sound-status").textContent = message;
  $("sound-status").classList.toggle("error", Boolean(isError));
}

const soundSeconds = (s) => (s < 0.05 ? "0 s" : s < 10 ? `${s.toFixed(1)} s` : `${Math.round(s)} s`);

function updateSoundStats() {
  $("sound-sent").textContent = soundSeconds(sound.sentSeconds);
  $("sound-buffered").textContent = soundSeconds(sound.backlog.seconds + (sound.chunker ? sound.chunker.filled / sound.rate : 0));
  $("sound-dropped").textContent = soundSeconds(sound.droppedSeconds);
  $("sound-errors").textContent = String(sound.errors);
  if (sound.active) {
    const s = Math.floor((Date.now() - sound.startedAt) / 1000);
    const hms = s >= 3600 ? `${Math.floor(s / 3600)}:${String(Math.floor(s / 60) % 60).padStart(2, "0")}` : `${Math.floor(s / 60)}`;
    $("sound-elapsed").textContent = `${hms}:${String(s % 60).padStart(2, "0")}`;
  }
}

function noteDropped(chunks) {
  if (!chunks.length) return;
  const lost = chunks.reduce((n, c) => n + c.samples.length / c.rate, 0);
  sound.droppedSeconds += lost;
  soundStatus(`Dropped the oldest ${soundSeconds(lost)} of sound: more than ${SOUND_BACKLOG_SECONDS / 60} min was waiting to be sent.`, true);
}

function queueChunk(chunk) {
  if (!chunk || chunk.samples.length < chunk.rate * SOUND_MIN_CHUNK_SECONDS) return;
  sound.endMs = chunk.startMs + (chunk.samples.length * 1000) / chunk.rate;
  noteDropped(sound.backlog.push(chunk));
}

// Ends the current stretch: the resampler's and chunker's last samples go out as a short chunk.
function endSoundSegment() {
  if (!sound.chunker) return;
  for (const chunk of sound.chunker.push(floatToPcm16(sound.resampler.flush()))) queueChunk(chunk);
  queueChunk(sound.chunker.flush());
  sound.chunker = null;
  sound.resampler = null;
}

// One batch from the audio thread: {frame: context frame of its first sample, samples: mono}.
function onSoundBatch({ frame, samples }) {
  if (!sound.active) return;
  const context = sound.context;
  const inRate = context.sampleRate;
  // The batch's wall-clock time, from the audio clock read together with the system clock
  // (about a render quantum late; the input latency is not known to the page).
  const wallMs = Date.now() - (context.currentTime - frame / inRate) * 1000;
  const expectedMs = sound.segmentStartMs + ((frame - sound.segmentFrame) * 1000) / inRate;
  if (!sound.chunker || frame !== sound.nextFrame || Math.abs(wallMs - expectedMs) > SOUND_RESYNC_MS) {
    endSoundSegment();
    // Never before the end of what was already sent: the estimate jitters by a few ms.
    const startMs = Math.max(Math.round(wallMs), Math.ceil(sound.endMs));
    sound.resampler = new Resampler(inRate, sound.rate);
    sound.chunker = new PcmChunker({ rate: sound.rate, startMs });
    sound.segmentFrame = frame;
    sound.segmentStartMs = startMs;
  }
  sound.nextFrame = frame + samples.length;
  for (const chunk of sound.chunker.push(floatToPcm16(sound.resampler.process(samples)))) queueChunk(chunk);
  if (sound.backlog.length) sendSound();
}

async function sendSound() {
  if (sound.sending || !state.token || Date.now() < sound.retryAt) return;
  const chunk = sound.backlog.shift();
  if (!chunk) return;
  sound.sending = true;
  const query = new URLSearchParams({ start: String(chunk.startMs), device: SOUND_DEVICE });
  let retry = false;
  try {
    const response = await fetch(`/v1/audio?${query}`, {
      method: "POST",
      headers: authHeaders({ "Content-Type": audioContentType(chunk.rate) }),
      body: pcm16LittleEndian(chunk.samples),
    });
    if (response.ok) {
      let reply = {};
      try { reply = await response.json(); } catch (_) { /* the chunk was taken either way */ }
      sound.failures = 0;
      sound.sentSeconds += Number.isFinite(reply.accepted_s) ? reply.accepted_s : chunk.samples.length / chunk.rate;
      if (!sound.active && sound.backlog.length === 0) {
        soundStatus(sound.droppedSeconds > 0
          ? `Stopped. The rest was sent; ${soundSeconds(sound.droppedSeconds)} could not be.` : "Stopped. All the sound was sent.");
      }
      else if ($("sound-status").classList.contains("error") || !$("sound-status").textContent) {
        soundStatus(sound.active ? "Recording sound…" : "Stopped: sending the rest of the sound…");
      }
    } else if (response.status === 401) {
      handleUnauthorized();
    } else if (response.status === 429 || response.status >= 500) {
      // Busy (429) or in trouble (5xx): keep the chunk and try again later.
      const error = await errorFromResponse(response);
      retry = true;
      scheduleSoundRetry(response.headers.get("Retry-After"), response.status === 429
        ? "The server is busy" : `The server failed (${error.message})`);
    } else {
      // 400, 413 ...: this chunk was refused as it is; sending it again would fail the same way.
      const error = await errorFromResponse(response);
      sound.errors++;
      sound.droppedSeconds += chunk.samples.length / chunk.rate;
      soundStatus(`A sound chunk was refused: ${error.message}`, true);
    }
  } catch (_) {
    retry = true;
    scheduleSoundRetry(null, "Cannot reach the server");
  } finally {
    sound.sending = false;
    if (retry && state.token) noteDropped(sound.backlog.unshift(chunk));
    updateSoundStats();
  }
  if (!retry && sound.backlog.length) sendSound();
  else if (!sound.active && sound.backlog.length === 0) clearSoundTimer();
}

function scheduleSoundRetry(retryAfter, reason) {
  sound.errors++;
  sound.failures++;
  const delay = audioRetryDelayMs(sound.failures, retryAfter);
  sound.retryAt = Date.now() + delay;
  soundStatus(`${reason}; trying again in ${Math.round(delay / 1000)} s. The sound is kept (up to ${SOUND_BACKLOG_SECONDS / 60} min).`, true);
}

function clearSoundTimer() {
  clearInterval(sound.timer);
  sound.timer = 0;
}

// Signing out: the microphone goes, and so does the sound not sent yet (there is no token to
// send it with any more).
function abandonSound() {
  sound.starting = false;
  if (sound.active) {
    sound.active = false;
    releaseMicrophone();
    showSoundStopped();
  }
  sound.backlog.clear();
  sound.chunker = null;
  sound.resampler = null;
  clearSoundTimer();
  soundStatus("");
  updateSoundStats();
}

function microphoneError(e) {
  switch (e && e.name) {
    case "NotAllowedError":
    case "SecurityError":
      return "Microphone access was denied. Allow it in the browser's site settings and try again.";
    case "NotFoundError":
    case "OverconstrainedError":
      return "This device has no microphone the browser can use.";
    case "NotReadableError":
    case "AbortError":
      return "The microphone is in use by another app or could not be started.";
    case "RecorderLoadError":
      return e.message;
    default:
      return `Could not start the microphone: ${(e && e.message) || e}`;
  }
}

function releaseMicrophone() {
  if (sound.node) {
    sound.node.port.onmessage = null;
    sound.node.port.postMessage("stop");
    sound.node.disconnect();
  }
  if (sound.source) sound.source.disconnect();
  if (sound.stream) sound.stream.getTracks().forEach((track) => track.stop());
  if (sound.context) sound.context.close().catch(() => {});
  Object.assign(sound, { stream: null, source: null, node: null, context: null });
}

async function startSound() {
  if (sound.active || sound.starting) return;
  if (!window.isSecureContext || !navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
    soundStatus("The microphone needs a secure page: open this site over HTTPS (or localhost).", true);
    return;
  }
  const AudioContextClass = window.AudioContext || window.webkitAudioContext;
  if (!AudioContextClass || !("audioWorklet" in AudioContextClass.prototype)) {
    soundStatus("This browser cannot record sound here (no AudioWorklet); update it and try again.", true);
    return;
  }
  sound.starting = true;
  $("sound-button").disabled = true;
  soundStatus("Asking for the microphone…");
  try {
    // The context is made inside the tap, so browsers let it run.
    sound.context = new AudioContextClass();
    const moduleLoaded = sound.context.audioWorklet.addModule("/audio_capture.js").catch((e) => {
      throw Object.assign(new Error(`Could not load the sound recorder (/audio_capture.js): ${e.message}`), { name: "RecorderLoadError" });
    });
    moduleLoaded.catch(() => {});   // awaited below; this only keeps an early failure from going unhandled
    // Voice processing is off: noise suppression would remove the background sounds the
    // server tags, and echo cancellation and gain control change levels over time.
    sound.stream = await navigator.mediaDevices.getUserMedia({
      audio: { echoCancellation: false, noiseSuppression: false, autoGainControl: false },
    });
    await moduleLoaded;
    if (sound.context.state === "suspended") await sound.context.resume();
    sound.rate = audioSendRate(sound.context.sampleRate);
    sound.source = sound.context.createMediaStreamSource(sound.stream);
    sound.node = new AudioWorkletNode(sound.context, AUDIO_WORKLET_NAME, { numberOfInputs: 1, numberOfOutputs: 1, outputChannelCount: [1] });
    sound.node.port.onmessage = (event) => onSoundBatch(event.data);
    sound.source.connect(sound.node);
    // The node writes silence; being connected to the output keeps the browser pulling it.
    sound.node.connect(sound.context.destination);
    const { stream, context } = sound;
    for (const track of stream.getAudioTracks()) {
      track.addEventListener("ended", () => {
        if (sound.stream === stream) stopSound("The microphone was turned off (unplugged, or access was withdrawn).");
      });
    }
    context.addEventListener("statechange", () => {
      if (!sound.active || sound.context !== context) return;
      if (context.state === "running") soundStatus("Recording sound…");
      else soundStatus("The system paused the microphone; recording goes on when it allows.", true);
    });
  } catch (e) {
    releaseMicrophone();
    sound.starting = false;
    $("sound-button").disabled = false;
    soundStatus(e instanceof RangeError ? e.message : microphoneError(e), true);
    return;
  }
  if (!sound.starting) {   // signed out while the browser was asking
    releaseMicrophone();
    $("sound-button").disabled = false;
    return;
  }
  Object.assign(sound, {
    active: true, starting: false, chunker: null, resampler: null, nextFrame: 0, endMs: 0,
    startedAt: Date.now(), sentSeconds: 0, droppedSeconds: 0, errors: 0, failures: 0, retryAt: 0,
  });
  clearSoundTimer();
  sound.timer = setInterval(() => { sendSound(); updateSoundStats(); }, 500);
  $("sound-button").disabled = false;
  $("sound-button").textContent = "Stop recording sound";
  $("sound-button").classList.add("recording");
  $("sound-button").setAttribute("aria-pressed", "true");
  $("sound-indicator").hidden = false;
  document.title = `● Recording sound · ${BASE_TITLE}`;
  soundStatus("Recording sound…");
  updateSoundStats();
}

function showSoundStopped() {
  $("sound-button").textContent = "Record sound";
  $("sound-button").classList.remove("recording");
  $("sound-button").setAttribute("aria-pressed", "false");
  $("sound-indicator").hidden = true;
  document.title = BASE_TITLE;
}

// Stops capture at once and lets the microphone go; what was recorded is still sent.
function stopSound(message) {
  if (!sound.active) return;
  sound.active = false;
  releaseMicrophone();
  endSoundSegment();
  showSoundStopped();
  if (sound.backlog.length && state.token) {
    sound.retryAt = 0;
    soundStatus(message || "Stopped: sending the rest of the sound…", Boolean(message));
    sendSound();
  } else {
    if (!sound.sending) clearSoundTimer();
    soundStatus(message || "Stopped.", Boolean(message));
  }
  updateSoundStats();
}

$("sound-button").addEventListener("click", () => {
  if (sound.active) stopSound(""); else startSound();
});
$("sound-stop").addEventListener("click", () => stopSound(""));
// Leaving the page ends the recording; the browser would stop the microphone anyway.
window.addEventListener("pagehide", () => stopSound(""));
// Some systems (iOS) pause the audio while the page is in the background.
document.addEventListener("visibilitychange", () => {
  if (document.visibilityState === "visible" && sound.active && sound.context && sound.context.state !== "running") {
    sound.context.resume().catch(() => {});
  }
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
