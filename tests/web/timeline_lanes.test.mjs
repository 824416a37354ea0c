// web/timeline_lanes.js under node's test runner (ctest: web:timeline_lanes): the day timeline
// draws what was heard as its own lane under what was done.
import test from "node:test";
import assert from "node:assert/strict";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const { timelineLanes } = require("../../web/timeline_lanes.js");

const bar = (label, modality, start_min, end_min) => ({ label, modality, start_min, end_min });

test("audio segments get a lane of their own under the activities", () => {
  const lanes = timelineLanes([
    bar("walking", "imu", 540, 560),
    bar("vacuum cleaner running", "audio", 540, 560),
    bar("sitting", "imu", 600, 660),
    bar("quiet", "audio", 600, 660),
    bar("at home", "context", 600, 700),
    bar("eating", "audio", 700, 710),
    bar("eating", "imu", 700, 720),
  ]);
  assert.deepEqual(lanes.map((l) => l.key), ["activity", "audio"]);
  assert.deepEqual(lanes.map((l) => l.title), ["Activity", "Audio"]);
  // every modality but audio is something done; rows by time, most first
  assert.deepEqual(lanes[0].labels, ["at home", "sitting", "eating", "walking"]);
  assert.deepEqual(lanes[1].labels, ["quiet", "vacuum cleaner running", "eating"]);
  // a label both seen and heard has a row and a total in each lane
  assert.equal(lanes[0].totals.get("eating"), 20);
  assert.equal(lanes[1].totals.get("eating"), 10);
  assert.equal(lanes[1].segments.length, 3);
});

test("without audio there is one lane, and nothing drawable gives none", () => {
  const lanes = timelineLanes([bar("walking", "imu", 0, 30), bar("walking", "imu", 60, 75)]);
  assert.equal(lanes.length, 1);
  assert.equal(lanes[0].key, "activity");
  assert.equal(lanes[0].totals.get("walking"), 45);
  assert.deepEqual(timelineLanes([bar("quiet", "audio", 10, 10)]), []);
  assert.deepEqual(timelineLanes(undefined), []);
  // a day with only sounds has only the audio lane
  assert.deepEqual(timelineLanes([bar("quiet", "audio", 0, 60)]).map((l) => l.key), ["audio"]);
});
