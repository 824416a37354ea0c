// DeviceMotion events -> the samples /v1/imu takes: [ax, ay, az, gx, gy, gz] with the
// accelerometer in m/s^2 INCLUDING gravity (+9.8 along the axis pointing up when the phone is
// still) and the gyroscope in rad/s, right-handed, about the same device axes (x to the right of
// the screen, y to its top, z out of the screen). Pure functions, so node's test runner checks
// them (tests/web/device_motion.test.mjs); a classic script, so app.js sees them as globals.
//
// Which rotationRate field turns about which axis:
//  - W3C "Device Orientation and Motion" (https://w3c.github.io/deviceorientation/, interface
//    DeviceMotionEventRotationRate): "The alpha getter steps are to return ... x axis rotation
//    rate", beta -> y axis, gamma -> z axis, in deg/s, right-hand convention.
//  - The spec used to say the opposite (rotationRate as the rate of change of the orientation
//    angles: alpha about z, beta about x, gamma about y, as DeviceOrientationEvent still is).
//    w3c/deviceorientation issue #44 and pull request #43 (2017) changed it because "Chrome on
//    Android, Firefox browser on Android, and Safari browser on iPhone, they all implement
//    rotationRate as ... x axis: alpha, y axis: beta, z axis: gamma" (Chromium bug 541607).
//  - WebKit's iOS source (Source/WebCore/platform/ios/WebCoreMotionManager.mm) passes Core
//    Motion's rotationRate.x, .y, .z, converted to degrees, as alpha, beta, gamma.
//  So the gyroscope is [alpha, beta, gamma] converted to rad/s. MDN's DeviceMotionEvent.rotationRate
//  page has the corrected wording; its DeviceMotionEventRotationRate.alpha page ("around the Z
//  axis") still has the old one. The spec text above governs.
//
// The accelerometer's sign:
//  - The spec (section "Device Motion") defines accelerationIncludingGravity as proper
//    acceleration: a phone lying flat, screen up, reads {x: 0, y: 0, z: 9.8}. Chrome on Android
//    reports Android's TYPE_ACCELEROMETER, which follows the same convention.
//  - WebKit on iOS (Safari, and every iOS browser, which must use WebKit) reports Core
//    Motion's userAcceleration + gravity times 9.80665 unchanged (WebCoreMotionManager.mm,
//    sendMotionData). Core Motion's gravity vector points DOWN (a phone flat, screen up, reads
//    z = -1 g), so iOS gives the opposite sign on all three axes. Libraries that normalise
//    DeviceMotion across browsers flip it for the same reason (gyronorm.js issue #54
//    "Acceleration is not consistent between iOS and Android", its gravityNormalized option).
//  The rotation rate has the same (right-handed) sign on both, so only the accelerometer is
//  flipped, and only on iOS.

/** +1 where accelerationIncludingGravity follows the spec, -1 on iOS WebKit. */
function accelerationSignFor(nav, motionEvent) {
  // DeviceMotionEvent.requestPermission exists only in WebKit (iOS 13+); older iOS is known
  // by its user agent. iPadOS presents itself as a Mac with a touch screen.
  const ua = (nav && nav.userAgent) || "";
  const ios = /iPhone|iPad|iPod/.test(ua) || (/Macintosh/.test(ua) && nav && nav.maxTouchPoints > 1);
  const webkitPermission = Boolean(motionEvent) && typeof motionEvent.requestPermission === "function";
  return ios || webkitPermission ? -1 : 1;
}

const MOTION_DEG_TO_RAD = Math.PI / 180;

/**
 * One devicemotion event as [ax, ay, az, gx, gy, gz] (m/s^2 with gravity, rad/s), or null when
 * the event carries no accelerometer or gyroscope values (desktop browsers fire such events).
 * accelerationSign: accelerationSignFor(navigator, DeviceMotionEvent).
 */
function motionSample(event, accelerationSign) {
  const a = event && event.accelerationIncludingGravity;
  const r = event && event.rotationRate;
  if (!a || !r) return null;
  const values = [a.x, a.y, a.z, r.alpha, r.beta, r.gamma];
  if (values.some((v) => typeof v !== "number" || !Number.isFinite(v))) return null;
  const s = accelerationSign < 0 ? -1 : 1;
  return [
    s * a.x, s * a.y, s * a.z,
    r.alpha * MOTION_DEG_TO_RAD,   // about x
    r.beta * MOTION_DEG_TO_RAD,    // about y
    r.gamma * MOTION_DEG_TO_RAD,   // about z
  ];
}

if (typeof module !== "undefined" && module.exports) {
  module.exports = { accelerationSignFor, motionSample };
}
