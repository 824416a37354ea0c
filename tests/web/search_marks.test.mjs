// web/search_marks.js under node's test runner (ctest: web:search_marks): search hits become
// marks on the day they happened, in the account's zone, clipped at midnight.
import test from "node:test";
import assert from "node:assert/strict";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const { searchLocalTime, searchMarks, searchHitDate } = require("../../web/search_marks.js");

const hit = (start, end, score, extra = {}) => ({ start, end, score, window_id: 1, ...extra });

test("local times are read from the ISO text, offsets ignored", () => {
  assert.deepEqual(searchLocalTime("2024-03-10T13:05:30+01:00"), { date: "2024-03-10", min: 785.5 });
  assert.deepEqual(searchLocalTime("2024-03-10T00:00:00.500-07:00"), { date: "2024-03-10", min: 0.5 / 60 });
  assert.equal(searchLocalTime("yesterday"), null);
  assert.equal(searchLocalTime(null), null);
});

test("only the hits of the day are marked, keeping their rank", () => {
  const results = [
    hit("2024-03-11T09:00:00+00:00", "2024-03-11T09:00:05+00:00", 0.9),
    hit("2024-03-10T13:00:00+00:00", "2024-03-10T13:00:05+00:00", 0.8, { label: "walking", log_line: "Motion: walking" }),
    hit(null, null, 0.7),
  ];
  const marks = searchMarks(results, "2024-03-10");
  assert.equal(marks.length, 1);
  assert.equal(marks[0].rank, 2);
  assert.equal(marks[0].start_min, 780);
  assert.ok(Math.abs(marks[0].end_min - (780 + 5 / 60)) < 1e-9);
  assert.equal(marks[0].label, "walking");
  assert.equal(marks[0].log_line, "Motion: walking");
  assert.equal(searchHitDate(results[0]), "2024-03-11");
  assert.equal(searchHitDate(results[2]), null);
});

test("a window across midnight is clipped on both days", () => {
  const results = [hit("2024-03-10T23:59:58+00:00", "2024-03-11T00:00:03+00:00", 0.5)];
  const before = searchMarks(results, "2024-03-10");
  assert.equal(before.length, 1);
  assert.equal(before[0].end_min, 1440);
  const after = searchMarks(results, "2024-03-11");
  assert.equal(after.length, 1);
  assert.equal(after[0].start_min, 0);
  assert.equal(after[0].end_min, 3 / 60);
  assert.equal(searchMarks(results, "2024-03-12").length, 0);
  assert.deepEqual(searchMarks(undefined, "2024-03-10"), []);
});
