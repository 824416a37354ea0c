// The day timeline's lanes (GET /v1/timeline segments): what the user did (motion, imported
// context: every modality but audio) and, under it, what was heard (modality "audio"). Each lane
// has one row per label, most time first, and the time per label for its legend. Loaded by
// index.html before app.js; node's test runner loads it too (tests/web/timeline_lanes.test.mjs).
"use strict";

const TIMELINE_AUDIO_MODALITY = "audio";

// Segments without length are not drawn; lanes without segments are left out.
function timelineLanes(segments) {
  const lanes = [
    { key: "activity", title: "Activity", segments: [], totals: new Map(), labels: [] },
    { key: "audio", title: "Audio", segments: [], totals: new Map(), labels: [] },
  ];
  for (const s of segments || []) {
    if (!(s.end_min > s.start_min)) continue;
    const lane = s.modality === TIMELINE_AUDIO_MODALITY ? lanes[1] : lanes[0];
    lane.segments.push(s);
    lane.totals.set(s.label, (lane.totals.get(s.label) || 0) + (s.end_min - s.start_min));
  }
  for (const lane of lanes) {
    lane.labels = [...lane.totals.keys()].sort((a, b) => lane.totals.get(b) - lane.totals.get(a) || a.localeCompare(b));
  }
  return lanes.filter((lane) => lane.segments.length > 0);
}

if (typeof module !== "undefined" && module.exports) {
  module.exports = { timelineLanes };
}
