// web/device_motion.js under node's test runner (ctest: web:device_motion). A phone turning at a
// known rate about a known axis is turned into the devicemotion events Chrome (Android) and
// Safari (iOS) fire for it; the mapped samples must obey the kinematics that tie the two
// sensors together. For a still-standing phone that only rotates, the accelerometer measures
// g * u, with u the world's "up" in device coordinates, and u turns opposite to the device:
//     du/dt = -omega x u      (omega: the device's angular velocity in device axes, rad/s)
// so a gyroscope channel in the wrong axis or with the wrong sign breaks the equality, and a
// flipped accelerometer breaks "flat, screen up reads +9.8 on z".
import test from "node:test";
import assert from "node:assert/strict";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const { motionSample, accelerationSignFor } = require("../../web/device_motion.js");

const G = 9.80665;
const RAD_TO_DEG = 180 / Math.PI;
const RATE_HZ = 100;

const norm = (v) => Math.hypot(v[0], v[1], v[2]);
const cross = (a, b) => [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]];
const dot = (a, b) => a[0] * b[0] + a[1] * b[1] + a[2] * b[2];

// v turned by `angle` (right-handed) about the unit axis k (Rodrigues).
function rotate(v, k, angle) {
  const c = Math.cos(angle), s = Math.sin(angle), kv = cross(k, v), kd = dot(k, v) * (1 - c);
  return [0, 1, 2].map((i) => v[i] * c + kv[i] * s + k[i] * kd);
}

// "Up" in device coordinates after t seconds of turning at the constant body rate omega from flat,
// screen up (u = +z). The solution of du/dt = -omega x u: u(0) turned about omega by -|omega| t.
function upInDevice(omega, t) {
  const w = norm(omega);
  return rotate([0, 0, 1], omega.map((x) => x / w), -w * t);
}

const PLATFORMS = {
  // Chrome on Android: the spec's signs (flat, screen up: accelerationIncludingGravity.z = +9.8).
  android: {
    navigator: { userAgent: "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Mobile Safari/537.36", maxTouchPoints: 5 },
    DeviceMotionEvent: function DeviceMotionEvent() {},
    accelSign: 1,
  },
  // Safari on iOS: Core Motion's gravity-down sign on the accelerometer (see device_motion.js).
  ios: {
    navigator: { userAgent: "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1", maxTouchPoints: 5 },
    DeviceMotionEvent: Object.assign(function DeviceMotionEvent() {}, { requestPermission: async () => "granted" }),
    accelSign: -1,
  },
};

// The events a browser fires while the phone turns: rotationRate alpha/beta/gamma about the
// device x/y/z axes in deg/s (W3C spec, DeviceMotionEventRotationRate; Chrome and WebKit agree).
function browserEvents(omega, platform, seconds = 2) {
  const events = [];
  for (let i = 0; i <= seconds * RATE_HZ; ++i) {
    const u = upInDevice(omega, i / RATE_HZ);
    const s = PLATFORMS[platform].accelSign;
    events.push({
      accelerationIncludingGravity: { x: s * G * u[0], y: s * G * u[1], z: s * G * u[2] },
      rotationRate: { alpha: omega[0] * RAD_TO_DEG, beta: omega[1] * RAD_TO_DEG, gamma: omega[2] * RAD_TO_DEG },
      interval: 1000 / RATE_HZ,
    });
  }
  return events;
}

function mapEvents(events, platform) {
  const p = PLATFORMS[platform];
  const sign = accelerationSignFor(p.navigator, p.DeviceMotionEvent);
  return events.map((e) => motionSample(e, sign));
}

// Whether mapped samples describe a physically possible motion of a phone that starts flat,
// screen up: +9.8 on z at first, and d(accel)/dt = -gyro x accel all along.
function physicallyConsistent(samples) {
  if (!(Math.abs(samples[0][2] - G) < 0.01 && Math.hypot(samples[0][0], samples[0][1]) < 0.01)) return false;
  const dt = 1 / RATE_HZ;
  let worst = 0, scale = 0;
  for (let i = 1; i + 1 < samples.length; ++i) {
    const a = samples[i].slice(0, 3), w = samples[i].slice(3, 6);
    const measured = [0, 1, 2].map((c) => (samples[i + 1][c] - samples[i - 1][c]) / (2 * dt));
    const predicted = cross(w, a).map((x) => -x);
    worst = Math.max(worst, norm(measured.map((x, c) => x - predicted[c])));
    scale = Math.max(scale, norm(predicted));
  }
  return scale > 0.5 && worst < 0.01 * scale;
}

// Rotations about each device axis alone (but z, which leaves gravity where it is) and about a
// skewed axis that mixes all three, in both directions.
const ROTATIONS = {
  "about +x (tilting the top away)": [1.2, 0, 0],
  "about -y": [0, -0.9, 0],
  "skewed, all axes": [0.7, -0.5, 0.4],
  "skewed, opposite": [-0.3, 0.8, -0.6],
};

for (const platform of Object.keys(PLATFORMS)) {
  for (const [name, omega] of Object.entries(ROTATIONS)) {
    test(`${platform}: ${name} maps to a consistent gyro axis, sign and rate`, () => {
      const samples = mapEvents(browserEvents(omega, platform), platform);
      assert.ok(physicallyConsistent(samples), "mapped accel and gyro disagree");
      for (const s of samples) {
        assert.equal(s.length, 6);
        for (let c = 0; c < 3; ++c) assert.ok(Math.abs(s[3 + c] - omega[c]) < 1e-9, `gyro channel ${c} in rad/s`);
        assert.ok(Math.abs(norm(s.slice(0, 3)) - G) < 1e-6, "accel in m/s^2 including gravity");
      }
    });
  }
}

// Every other reading of the same events must fail the check, including the order this file
// replaced ([beta, gamma, alpha]) and any single flipped sign.
const WRONG_MAPPINGS = {
  "old order [beta, gamma, alpha]": (s) => [s[0], s[1], s[2], s[4], s[5], s[3]],
  "deviceorientation order [gamma, alpha, beta]": (s) => [s[0], s[1], s[2], s[5], s[3], s[4]],
  "x and y swapped": (s) => [s[0], s[1], s[2], s[4], s[3], s[5]],
  "gx negated": (s) => [s[0], s[1], s[2], -s[3], s[4], s[5]],
  "gy negated": (s) => [s[0], s[1], s[2], s[3], -s[4], s[5]],
  "gz negated": (s) => [s[0], s[1], s[2], s[3], s[4], -s[5]],
  "gyro negated": (s) => [s[0], s[1], s[2], -s[3], -s[4], -s[5]],
  "accel negated (iOS sign not handled)": (s) => [-s[0], -s[1], -s[2], s[3], s[4], s[5]],
  "deg/s not converted": (s) => [s[0], s[1], s[2], s[3] * RAD_TO_DEG, s[4] * RAD_TO_DEG, s[5] * RAD_TO_DEG],
};

for (const [name, wrong] of Object.entries(WRONG_MAPPINGS)) {
  test(`a wrong mapping is caught: ${name}`, () => {
    for (const platform of Object.keys(PLATFORMS)) {
      const samples = mapEvents(browserEvents(ROTATIONS["skewed, all axes"], platform), platform);
      assert.ok(physicallyConsistent(samples));
      assert.ok(!physicallyConsistent(samples.map(wrong)), `${platform}: ${name} passed`);
    }
  });
}

test("the old mapping fails on a plain rotation about x too", () => {
  const events = browserEvents(ROTATIONS["about +x (tilting the top away)"], "android");
  const old = events.map((e) => {
    const a = e.accelerationIncludingGravity, r = e.rotationRate, k = Math.PI / 180;
    return [a.x, a.y, a.z, r.beta * k, r.gamma * k, r.alpha * k];
  });
  assert.ok(!physicallyConsistent(old));
});

test("iOS is recognised by WebKit's permission API or its user agent, others keep the spec's sign", () => {
  assert.equal(accelerationSignFor(PLATFORMS.ios.navigator, PLATFORMS.ios.DeviceMotionEvent), -1);
  assert.equal(accelerationSignFor(PLATFORMS.ios.navigator, null), -1);
  assert.equal(accelerationSignFor({ userAgent: "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15", maxTouchPoints: 5 }, null), -1);
  assert.equal(accelerationSignFor(PLATFORMS.android.navigator, PLATFORMS.android.DeviceMotionEvent), 1);
  assert.equal(accelerationSignFor({ userAgent: "Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0", maxTouchPoints: 0 }, null), 1);
});

test("events without sensor values map to null", () => {
  assert.equal(motionSample({ accelerationIncludingGravity: null, rotationRate: null }, 1), null);
  assert.equal(motionSample({ accelerationIncludingGravity: { x: 0, y: 0, z: 9.8 }, rotationRate: { alpha: null, beta: null, gamma: null } }, 1), null);
  assert.equal(motionSample({ accelerationIncludingGravity: { x: null, y: null, z: null }, rotationRate: { alpha: 1, beta: 2, gamma: 3 } }, 1), null);
  assert.deepEqual(motionSample({ accelerationIncludingGravity: { x: 1, y: 2, z: 3 }, rotationRate: { alpha: 180, beta: 0, gamma: -90 } }, -1),
                   [-1, -2, -3, Math.PI, 0, -Math.PI / 2]);
});
