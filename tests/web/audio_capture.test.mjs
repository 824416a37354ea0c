// web/audio_capture.js under node's test runner (ctest: web:audio_capture). Tones of known
// frequency and phase go through the capture path (mix-down, resampling to 16 kHz, PCM16,
// 2-second chunks) and must come out at the right frequency, level and time; tones the 16 kHz
// stream cannot carry must not come back as aliases.
import test from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import vm from "node:vm";

const require = createRequire(import.meta.url);
const capturePath = require.resolve("../../web/audio_capture.js");
const {
  audioSendRate, audioContentType, downmix, Resampler, floatToPcm16, pcm16LittleEndian,
  PcmChunker, AudioBacklog, audioRetryDelayMs, AUDIO_WORKLET_NAME, AUDIO_WORKLET_BATCH,
} = require(capturePath);

function tone(rate, hz, seconds, { amplitude = 0.5, phase = 0 } = {}) {
  const out = new Float32Array(Math.round(rate * seconds));
  for (let i = 0; i < out.length; ++i) out[i] = amplitude * Math.sin(2 * Math.PI * hz * (i / rate) + phase);
  return out;
}

// Feeds `input` to a resampler in blocks of the given sizes (cycled), then flushes.
function resample(input, inRate, outRate, blockSizes = [128]) {
  const resampler = new Resampler(inRate, outRate);
  const parts = [];
  for (let offset = 0, b = 0; offset < input.length; ++b) {
    const size = blockSizes[b % blockSizes.length];
    parts.push(resampler.process(input.subarray(offset, offset + size)));
    offset += size;
  }
  parts.push(resampler.flush());
  return concat(parts, Float32Array);
}

function concat(parts, Type) {
  const out = new Type(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const p of parts) { out.set(p, offset); offset += p.length; }
  return out;
}

const rms = (x) => Math.sqrt(x.reduce((s, v) => s + v * v, 0) / x.length);
// The part away from the start and the end, where the silence around the input leaks in.
const interior = (x, rate, marginS = 0.01) => x.subarray(Math.round(rate * marginS), x.length - Math.round(rate * marginS));

// Largest difference between y (at rate) and the tone it should be, over the interior.
function toneError(y, rate, hz, amplitude, phase = 0) {
  const margin = Math.round(rate * 0.01);
  let worst = 0;
  for (let n = margin; n < y.length - margin; ++n) {
    worst = Math.max(worst, Math.abs(y[n] - amplitude * Math.sin(2 * Math.PI * hz * (n / rate) + phase)));
  }
  return worst;
}

test("the send rate is 16 kHz, or the capture rate when that is lower; the content type names it", () => {
  assert.equal(audioSendRate(48000), 16000);
  assert.equal(audioSendRate(44100), 16000);
  assert.equal(audioSendRate(96000), 16000);
  assert.equal(audioSendRate(16000), 16000);
  assert.equal(audioSendRate(11025), 11025);
  assert.equal(audioSendRate(8000), 8000);
  assert.throws(() => audioSendRate(4000), RangeError);
  assert.throws(() => audioSendRate(NaN), RangeError);
  assert.equal(audioContentType(16000), "audio/L16;rate=16000;channels=1");
});

test("downmix averages the channels", () => {
  const mono = downmix([Float32Array.from([0.5, -1, 0.25]), Float32Array.from([0.5, 1, -0.75])]);
  assert.deepEqual([...mono], [0.5, 0, -0.25]);
  const one = Float32Array.from([0.1, 0.2]);
  const copy = downmix([one]);
  assert.deepEqual([...copy], [...one]);
  assert.notEqual(copy, one, "a copy, not the browser's buffer");
  assert.equal(downmix([]).length, 0);
});

for (const inRate of [48000, 44100]) {
  test(`${inRate} Hz -> 16 kHz: n output samples for n * 16000 / ${inRate} input, whatever the block sizes`, () => {
    const input = tone(inRate, 440, 1.2345);
    const expected = Math.ceil((input.length * 16000) / inRate);
    const oneBlock = resample(input, inRate, 16000, [input.length]);
    assert.equal(oneBlock.length, expected);
    for (const blocks of [[128], [1, 7, 2048, 300], [4096, 5]]) {
      const y = resample(input, inRate, 16000, blocks);
      assert.equal(y.length, expected, `blocks ${blocks}`);
      for (let i = 0; i < y.length; ++i) assert.ok(Math.abs(y[i] - oneBlock[i]) < 1e-6, `blocks ${blocks}: sample ${i}`);
    }
  });

  test(`${inRate} Hz -> 16 kHz keeps tones below 6 kHz in level and time`, () => {
    for (const hz of [50, 440, 1000, 3000, 6000]) {
      const phase = 0.3;
      const y = resample(tone(inRate, hz, 1, { amplitude: 0.5, phase }), inRate, 16000);
      // Output sample n is the input at time n / 16000: the same sine, same phase.
      const error = toneError(y, 16000, hz, 0.5, phase);
      assert.ok(error < 0.5 * 1e-3, `${hz} Hz: max error ${error}`);   // within 0.01 dB and 0.1 % of a period
    }
  });

  test(`${inRate} Hz -> 16 kHz removes what 16 kHz cannot carry instead of aliasing it`, () => {
    for (const hz of [8200, 9000, 10000, 12000, 15000, 20000]) {
      if (hz >= inRate / 2) continue;
      const y = interior(resample(tone(inRate, hz, 0.5, { amplitude: 0.5 }), inRate, 16000), 16000);
      // 0.5 amplitude -> rms 0.354; -70 dB below it is 1.1e-4.
      assert.ok(rms(y) < 0.354 * 10 ** (-70 / 20), `${hz} Hz leaks as rms ${rms(y)}`);
    }
  });
}

test("the anti-aliasing check catches plain decimation (every third sample of 48 kHz)", () => {
  const x = tone(48000, 10000, 0.5, { amplitude: 0.5 });
  const decimated = Float32Array.from({ length: x.length / 3 }, (_, i) => x[3 * i]);
  assert.ok(rms(interior(decimated, 16000)) > 0.3, "a 10 kHz tone comes back at 6 kHz, at full level");
});

test("44.1 kHz -> 16 kHz stays on time over a long recording (no drift from the 441/160 ratio)", () => {
  const seconds = 30;
  const y = resample(tone(44100, 1000, seconds, { amplitude: 0.5 }), 44100, 16000, [2048]);
  assert.equal(y.length, seconds * 16000);
  const tail = y.subarray(y.length - 16000);
  const t0 = (y.length - 16000) / 16000;
  let worst = 0;
  for (let n = 0; n < tail.length - 200; ++n) {
    worst = Math.max(worst, Math.abs(tail[n] - 0.5 * Math.sin(2 * Math.PI * 1000 * (t0 + n / 16000))));
  }
  assert.ok(worst < 5e-4, `the last second is off by ${worst}`);
});

test("other capture rates resample too, and equal rates pass through", () => {
  for (const inRate of [22050, 24000, 32000, 96000]) {
    const y = resample(tone(inRate, 1000, 0.5, { amplitude: 0.5 }), inRate, 16000);
    assert.equal(y.length, 8000);
    assert.ok(toneError(y, 16000, 1000, 0.5) < 1e-3, `${inRate} Hz`);
  }
  const x = tone(16000, 440, 0.1);
  const r = new Resampler(16000, 16000);
  const y = concat([r.process(x.subarray(0, 100)), r.process(x.subarray(100)), r.flush()], Float32Array);
  assert.deepEqual([...y], [...x]);
  const dc = interior(resample(new Float32Array(48000).fill(0.5), 48000, 16000), 16000);
  assert.ok(dc.every((v) => Math.abs(v - 0.5) < 1e-4), "unity gain at DC");
  assert.throws(() => new Resampler(44100.5, 16000), RangeError);
});

test("float -> PCM16 scales by 32768, rounds, clips and maps NaN to 0", () => {
  const pcm = floatToPcm16(Float32Array.from([0, 1, -1, 2, -2, 0.5, -0.5, NaN, 1 / 32768, -3 / 32768, 0.99999]));
  assert.ok(pcm instanceof Int16Array);
  assert.deepEqual([...pcm], [0, 32767, -32768, 32767, -32768, 16384, -16384, 0, 1, -3, 32767]);
  for (let k = -32768; k < 32768; k += 97) assert.equal(floatToPcm16(Float32Array.of(k / 32768))[0], k);
});

test("chunk bodies are little-endian int16", () => {
  const bytes = pcm16LittleEndian(Int16Array.from([1, -2, 0x1234, -32768]));
  assert.deepEqual([...bytes], [0x01, 0x00, 0xfe, 0xff, 0x34, 0x12, 0x00, 0x80]);
  const part = Int16Array.from([7, 8, 9]).subarray(1);
  assert.deepEqual([...pcm16LittleEndian(part)], [8, 0, 9, 0]);
});

test("2-second chunks carry the start of their first sample: capture start + samples before / rate", () => {
  const start = Date.parse("2024-05-06T10:00:00.250Z");
  const chunker = new PcmChunker({ rate: 16000, startMs: start });
  const input = Int16Array.from({ length: 16000 * 5.3 }, (_, i) => (i * 7) % 30000);
  const chunks = [];
  for (let offset = 0, b = 0; offset < input.length; ++b) {
    const size = [333, 4000, 17][b % 3];
    chunks.push(...chunker.push(input.subarray(offset, offset + size)));
    offset += size;
  }
  assert.equal(chunks.length, 2);
  chunks.push(chunker.flush());
  assert.equal(chunker.flush(), null);
  assert.deepEqual(chunks.map((c) => c.startMs), [start, start + 2000, start + 4000]);
  assert.deepEqual(chunks.map((c) => c.samples.length), [32000, 32000, 16000 * 1.3]);
  assert.ok(chunks.every((c) => c.rate === 16000));
  assert.deepEqual([...concat(chunks.map((c) => c.samples), Int16Array)], [...input]);
});

test("chunk start times are rounded to whole ms without the rounding adding up", () => {
  // 445 samples at 44.1 kHz = 10.0907 ms per chunk.
  const chunker = new PcmChunker({ rate: 44100, startMs: 1000, chunkSeconds: 445 / 44100 });
  const chunks = chunker.push(new Int16Array(445 * 1000));
  assert.equal(chunks.length, 1000);
  chunks.forEach((c, k) => assert.equal(c.startMs, Math.round(1000 + (k * 445 * 1000) / 44100)));
  assert.equal(chunks[999].startMs, 1000 + 10081);   // 999 * 10.0907 ms; not 999 * 10
});

test("the whole path: a 48 kHz stereo tone in 128-frame blocks becomes contiguous 16 kHz chunks", () => {
  const start = Date.parse("2024-05-06T10:00:00Z");
  const hz = 440;
  const left = tone(48000, hz, 5, { amplitude: 0.3 });
  const right = tone(48000, hz, 5, { amplitude: 0.5 });   // mixes down to 0.4
  const resampler = new Resampler(48000, audioSendRate(48000));
  const chunker = new PcmChunker({ rate: 16000, startMs: start });
  const chunks = [];
  for (let offset = 0; offset < left.length; offset += 128) {
    const mono = downmix([left.subarray(offset, offset + 128), right.subarray(offset, offset + 128)]);
    chunks.push(...chunker.push(floatToPcm16(resampler.process(mono))));
  }
  chunks.push(...chunker.push(floatToPcm16(resampler.flush())));
  const last = chunker.flush();
  if (last) chunks.push(last);
  assert.deepEqual(chunks.map((c) => c.samples.length), [32000, 32000, 16000]);
  for (const chunk of chunks) {
    const t0 = (chunk.startMs - start) / 1000;
    for (let j = 200; j < chunk.samples.length - 200; ++j) {
      const expected = 0.4 * 32768 * Math.sin(2 * Math.PI * hz * (t0 + j / 16000));
      assert.ok(Math.abs(chunk.samples[j] - expected) < 20, `chunk at +${t0} s, sample ${j}: ${chunk.samples[j]} vs ${expected}`);
    }
  }
});

test("the backlog keeps at most maxSeconds, dropping the oldest chunks", () => {
  const chunk = (startMs, seconds = 2) => ({ startMs, rate: 16000, samples: new Int16Array(16000 * seconds) });
  const backlog = new AudioBacklog(10);
  const dropped = [];
  for (let k = 0; k < 7; ++k) dropped.push(...backlog.push(chunk(k * 2000)));
  assert.deepEqual(dropped.map((c) => c.startMs), [0, 2000]);
  assert.equal(backlog.length, 5);
  assert.equal(backlog.seconds, 10);
  // A chunk put back after a failed send is the oldest: it goes first when there is no room.
  assert.deepEqual(backlog.unshift(chunk(2000)).map((c) => c.startMs), [2000]);
  assert.equal(backlog.shift().startMs, 4000);
  assert.equal(backlog.seconds, 8);
  // One chunk longer than the bound is still kept (it is all there is to send).
  const small = new AudioBacklog(1);
  assert.deepEqual(small.push(chunk(0, 2)), []);
  assert.equal(small.length, 1);
  assert.equal(small.clear().length, 1);
  assert.equal(small.seconds, 0);
  assert.equal(small.shift(), undefined);
});

test("retries wait for the server's Retry-After, else back off 1, 2, 4 ... 30 s", () => {
  assert.deepEqual([1, 2, 3, 4, 5, 6, 50].map((f) => audioRetryDelayMs(f, null)), [1000, 2000, 4000, 8000, 16000, 30000, 30000]);
  assert.equal(audioRetryDelayMs(1, "5"), 5000);
  assert.equal(audioRetryDelayMs(3, "0"), 1000);
  assert.equal(audioRetryDelayMs(1, "600"), 60000);
  assert.equal(audioRetryDelayMs(2, "Wed, 21 Oct 2015 07:28:00 GMT"), 2000);
  assert.equal(audioRetryDelayMs(2, ""), 2000);
});

// The audio-thread half, loaded the way AudioWorklet.addModule loads it (as the file's text in a
// scope with AudioWorkletProcessor, registerProcessor and currentFrame).
function loadWorklet() {
  const registered = {};
  const scope = {
    AudioWorkletProcessor: class {
      constructor() { this.port = { posted: [], postMessage(message) { this.posted.push(message); } }; }
    },
    registerProcessor: (name, processor) => { registered[name] = processor; },
    currentFrame: 0,
  };
  vm.runInNewContext(readFileSync(capturePath, "utf8"), scope);
  return { Processor: registered[AUDIO_WORKLET_NAME], scope };
}

test("the worklet hands over mono batches with the frame of their first sample", () => {
  const { Processor, scope } = loadWorklet();
  assert.equal(typeof Processor, "function", "registered under AUDIO_WORKLET_NAME");
  const processor = new Processor();
  const posted = processor.port.posted;
  const block = (frame, value) => {
    scope.currentFrame = frame;
    return processor.process([[new Float32Array(128).fill(value), new Float32Array(128).fill(value + 0.5)]]);
  };
  let frame = 1280;
  const blocks = AUDIO_WORKLET_BATCH / 128;
  for (let i = 0; i < blocks + 2; ++i, frame += 128) assert.equal(block(frame, i / 100), true);
  assert.equal(posted.length, 1);
  assert.equal(posted[0].frame, 1280);
  assert.equal(posted[0].samples.length, AUDIO_WORKLET_BATCH);
  assert.ok(Math.abs(posted[0].samples[0] - 0.25) < 1e-7, "stereo mixed down");
  assert.ok(Math.abs(posted[0].samples[128] - (0.01 + 0.25)) < 1e-7);
  // A gap in the frames (the context was suspended, the microphone stalled) ends the batch early.
  assert.equal(scope.currentFrame = frame + 4096, frame + 4096);
  processor.process([[new Float32Array(128)]]);
  assert.equal(posted.length, 2);
  assert.equal(posted[1].frame, 1280 + AUDIO_WORKLET_BATCH);
  assert.equal(posted[1].samples.length, 256);
  // No input channels (nothing connected yet): nothing to hand over, keep running.
  assert.equal(processor.process([[]]), true);
  // "stop" ends the processor.
  processor.port.onmessage({ data: "stop" });
  assert.equal(processor.process([[new Float32Array(128)]]), false);
});
