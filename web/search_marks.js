// Search hits (GET /v1/search results) as marks on one day of the timeline. A hit's "start" and
// "end" are ISO-8601 in the account's zone (the zone the timeline is drawn in), so its local day
// and minutes are read from the text, with no time-zone arithmetic in the browser. Loaded by
// index.html before app.js; node's test runner loads it too (tests/web/search_marks.test.mjs).
"use strict";

// "2024-03-10T13:05:30.500+01:00" -> { date: "2024-03-10", min: 785.5 }; null when not ISO.
function searchLocalTime(iso) {
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}):(\d{2}):(\d{2}(?:\.\d+)?)/.exec(iso || "");
  if (!m) return null;
  return { date: m[1], min: Number(m[2]) * 60 + Number(m[3]) + Number(m[4]) / 60 };
}

// The marks of `results` (best first) that touch local day `date` (YYYY-MM-DD), clipped to it:
// { rank (1 = best), start_min, end_min, score, label, log_line, window_id }. Hits of recordings
// with an unknown start (no "start") are never on a day.
function searchMarks(results, date) {
  const marks = [];
  (results || []).forEach((hit, i) => {
    const start = searchLocalTime(hit.start);
    const end = searchLocalTime(hit.end);
    if (!start || !end) return;
    let startMin, endMin;
    if (start.date === date) {
      startMin = start.min;
      endMin = end.date === date ? end.min : 1440;
    } else if (start.date < date && end.date === date && end.min > 0) {
      startMin = 0;
      endMin = end.min;
    } else {
      return;
    }
    marks.push({
      rank: i + 1, start_min: startMin, end_min: Math.max(startMin, endMin), score: hit.score,
      label: hit.label || "", log_line: hit.log_line || "", window_id: hit.window_id,
    });
  });
  return marks;
}

// The local day a hit starts on (YYYY-MM-DD), or null.
function searchHitDate(hit) {
  const start = searchLocalTime(hit && hit.start);
  return start ? start.date : null;
}

if (typeof module !== "undefined" && module.exports) {
  module.exports = { searchLocalTime, searchMarks, searchHitDate };
}
