// Microphone audio -> the bodies POST /v1/audio takes: mono, 16 kHz (or the capture rate when
// that is lower), signed 16-bit little-endian PCM ("audio/L16;rate=R;channels=1"), cut into
// 2-second chunks, each with the wall-clock time of its first sample. Pure functions and small
// classes, so node's test runner checks them (tests/web/audio_capture.test.mjs).
//
// One file serves three loaders: a classic <script> (app.js sees the names as globals), node's
// require (the tests), and AudioWorklet.addModule (the audio thread runs the processor at the
// end of this file), so the capture path and its tests share the same code.
//
// Resampling (browsers capture at the output device's rate, 44.1 or 48 kHz, sometimes other
// rates): band-limited interpolation with a Kaiser-windowed sinc kernel (J. O. Smith, "Digital
// Audio Resampling Home Page", ccrma.stanford.edu/~jos/resample/). Every output sample n sits
// at input position n * inRate / outRate (tracked in exact integer arithmetic, so the timing
// does not drift over hours) and is the kernel-weighted sum of the input samples around it.
// The kernel is a low-pass with its cutoff at 43.75 % of the lower rate (7 kHz for 16 kHz
// output), 24 zero crossings on each side and Kaiser beta 8: about 80 dB of stop-band
// attenuation from ~7.8 kHz on, a pass band flat to ~6.2 kHz. So everything the 16 kHz stream
// cannot represent (above 8 kHz) is removed before it could alias, which plain decimation or
// linear interpolation would not do (a 10 kHz tone would come back as a 6 kHz one). The kernel
// is tabulated at 512 points per input sample and interpolated linearly between them; the
// weights for each sub-sample position that occurs are computed once.

const AUDIO_TARGET_RATE = 16000;       // what the server's audio tagger works at
const AUDIO_MIN_RATE = 8000;           // the lowest rate the route accepts (up to 48000 Hz)
const AUDIO_CHUNK_SECONDS = 2;
const AUDIO_WORKLET_NAME = "imu2clip-mic-capture";
const AUDIO_WORKLET_BATCH = 2048;      // frames per message from the audio thread (~43 ms at 48 kHz)

const RESAMPLE_CUTOFF = 0.4375;        // of the lower of the two rates
const RESAMPLE_ZERO_CROSSINGS = 24;
const RESAMPLE_KAISER_BETA = 8;
const RESAMPLE_TABLE_STEPS = 512;      // kernel table points per input sample
const RESAMPLE_MAX_PHASES = 4096;      // kernel phases kept (real capture rates need at most 320)

/** The rate the capture is sent at: 16 kHz, or the capture rate when it is already that low. */
function audioSendRate(captureRate) {
  if (!Number.isFinite(captureRate) || captureRate < AUDIO_MIN_RATE) {
    throw new RangeError(`cannot record sound at ${captureRate} Hz (need at least ${AUDIO_MIN_RATE} Hz)`);
  }
  return Math.min(AUDIO_TARGET_RATE, Math.round(captureRate));
}

/** The Content-Type of a chunk body. */
function audioContentType(rate) {
  return `audio/L16;rate=${rate};channels=1`;
}

/** The average of the channels (Float32Array each) as one Float32Array. */
function downmix(channels) {
  if (!channels || channels.length === 0) return new Float32Array(0);
  if (channels.length === 1) return Float32Array.from(channels[0]);
  const length = channels[0].length;
  const out = new Float32Array(length);
  for (const channel of channels) {
    for (let i = 0; i < length; ++i) out[i] += channel[i];
  }
  const scale = 1 / channels.length;
  for (let i = 0; i < length; ++i) out[i] *= scale;
  return out;
}

// Zeroth-order modified Bessel function of the first kind (power series), for the Kaiser window.
function besselI0(x) {
  let sum = 1, term = 1;
  const q = (x * x) / 4;
  for (let k = 1; k < 64; ++k) {
    term *= q / (k * k);
    sum += term;
    if (term < sum * 1e-17) break;
  }
  return sum;
}

/**
 * Streaming resampler: process() takes consecutive Float32Array blocks at inRate and returns
 * what can be computed so far at outRate; flush() returns the rest once the input has ended.
 * Output sample n is the signal at input time n / outRate (the first output sample is at the
 * first input sample), and the total output is ceil(inputSamples * outRate / inRate) samples.
 */
class Resampler {
  constructor(inRate, outRate) {
    if (!(Number.isInteger(inRate) && inRate > 0 && Number.isInteger(outRate) && outRate > 0)) {
      throw new RangeError(`resampler rates must be positive integers (${inRate} -> ${outRate})`);
    }
    this.inRate = inRate;
    this.outRate = outRate;
    this.passThrough = inRate === outRate;
    this.inputCount = 0;     // input samples taken so far
    this.outputCount = 0;    // output samples returned so far
    if (this.passThrough) return;

    // Cutoff as a fraction of the input rate; the kernel in input-sample units is
    // 2 fc sinc(2 fc t) w(t / halfWidth), whose sum over any unit-spaced grid is ~1 (unity gain).
    this.cutoffHz = RESAMPLE_CUTOFF * Math.min(inRate, outRate);
    const fc = this.cutoffHz / inRate;
    this.halfWidth = RESAMPLE_ZERO_CROSSINGS / (2 * fc);
    const steps = Math.ceil(this.halfWidth * RESAMPLE_TABLE_STEPS);
    this.table = new Float32Array(steps + 2);   // the last entries are 0, past the kernel's end
    const norm = besselI0(RESAMPLE_KAISER_BETA);
    for (let i = 0; i <= steps; ++i) {
      const t = i / RESAMPLE_TABLE_STEPS;
      const r = t / this.halfWidth;
      if (r > 1) break;
      const x = 2 * fc * t;
      const sinc = x === 0 ? 1 : Math.sin(Math.PI * x) / (Math.PI * x);
      const window = besselI0(RESAMPLE_KAISER_BETA * Math.sqrt(1 - r * r)) / norm;
      this.table[i] = 2 * fc * sinc * window;
    }

    // Input history: `pad` zeros stand for the silence before the first sample, so the first
    // output sample can sit exactly on it. The next output sample's position in `buffer` is
    // base + frac / outRate.
    this.pad = Math.ceil(this.halfWidth) + 1;
    this.phases = new Map();
    this.buffer = new Float32Array(4096);
    this.length = this.pad;
    this.base = this.pad;
    this.frac = 0;
  }

  process(input) {
    if (this.passThrough) {
      this.inputCount += input.length;
      this.outputCount += input.length;
      return Float32Array.from(input);
    }
    this.append(input);
    this.inputCount += input.length;
    return this.run(Infinity);
  }

  /** The last output samples, computed with silence after the input; call once, at the end. */
  flush() {
    if (this.passThrough) return new Float32Array(0);
    this.append(new Float32Array(this.pad + 1));
    const total = Math.ceil((this.inputCount * this.outRate) / this.inRate);
    return this.run(total - this.outputCount);
  }

  append(input) {
    if (this.length + input.length > this.buffer.length) {
      let size = this.buffer.length;
      while (size < this.length + input.length) size *= 2;
      const grown = new Float32Array(size);
      grown.set(this.buffer.subarray(0, this.length));
      this.buffer = grown;
    }
    this.buffer.set(input, this.length);
    this.length += input.length;
  }

  // Computes the output samples whose whole kernel span is in the buffer (at most `limit`).
  run(limit) {
    const { buffer, halfWidth, inRate, outRate } = this;
    const step = Math.floor(inRate / outRate);
    const stepFrac = inRate % outRate;
    const out = new Float32Array(Math.max(0, Math.min(limit, Math.floor(((this.length - this.base) * outRate) / inRate) + 1)));
    let n = 0;
    while (n < out.length) {
      const { first, weights } = this.weightsAt(this.frac);
      const start = this.base + first;
      if (start + weights.length > this.length) break;
      let acc = 0;
      for (let j = 0; j < weights.length; ++j) acc += buffer[start + j] * weights[j];
      out[n++] = acc;
      this.base += step;
      this.frac += stepFrac;
      if (this.frac >= outRate) { this.frac -= outRate; this.base += 1; }
    }
    this.outputCount += n;
    // Keep only the history the next output samples still need.
    const keep = Math.floor(this.base - halfWidth) - 1;
    if (keep > 0) {
      buffer.copyWithin(0, keep, this.length);
      this.length -= keep;
      this.base -= keep;
    }
    return n === out.length ? out : out.subarray(0, n);
  }

  // The kernel weights for an output sample at base + frac / outRate, applied to the input
  // samples from base + first on. The position's fraction only takes outRate / gcd(inRate,
  // outRate) values (1 for 48 kHz -> 16 kHz, 160 for 44.1 kHz), so they are computed once each.
  weightsAt(frac) {
    let entry = this.phases.get(frac);
    if (entry) return entry;
    const f = frac / this.outRate;
    const first = Math.ceil(f - this.halfWidth);
    const weights = new Float32Array(Math.floor(f + this.halfWidth) - first + 1);
    for (let j = 0; j < weights.length; ++j) {
      const d = Math.abs(first + j - f) * RESAMPLE_TABLE_STEPS;
      const i = Math.floor(d);
      weights[j] = this.table[i] + (d - i) * (this.table[i + 1] - this.table[i]);
    }
    entry = { first, weights };
    if (this.phases.size < RESAMPLE_MAX_PHASES) this.phases.set(frac, entry);
    return entry;
  }
}

/**
 * Float samples (full scale +-1) as signed 16-bit: x * 32768 rounded, clipped to
 * [-32768, 32767], NaN as 0. The factor 32768 is the one decoders divide by, so small values
 * survive a round trip unchanged.
 */
function floatToPcm16(samples) {
  const out = new Int16Array(samples.length);
  for (let i = 0; i < samples.length; ++i) {
    const v = Math.round(samples[i] * 32768);
    out[i] = v > 32767 ? 32767 : v < -32768 ? -32768 : v || 0;
  }
  return out;
}

const HOST_IS_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** The bytes of a chunk body: the samples as little-endian int16, whatever the host's order. */
function pcm16LittleEndian(samples) {
  if (HOST_IS_LITTLE_ENDIAN) return new Uint8Array(samples.buffer, samples.byteOffset, samples.byteLength);
  const bytes = new Uint8Array(samples.length * 2);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < samples.length; ++i) view.setInt16(i * 2, samples[i], true);
  return bytes;
}

/**
 * Cuts a stream of PCM16 samples into chunks of chunkSeconds (the last one, from flush(), may be
 * shorter). A chunk's startMs is the stream's startMs plus the samples before it / rate, in
 * epoch milliseconds (rounded to whole ms; the rounding does not accumulate).
 */
class PcmChunker {
  constructor({ rate, startMs, chunkSeconds = AUDIO_CHUNK_SECONDS }) {
    if (!(Number.isInteger(rate) && rate > 0)) throw new RangeError(`bad rate ${rate}`);
    if (!Number.isFinite(startMs)) throw new RangeError(`bad start time ${startMs}`);
    this.rate = rate;
    this.startMs = startMs;
    this.chunkSamples = Math.max(1, Math.round(rate * chunkSeconds));
    this.emitted = 0;                 // samples in chunks already returned
    this.current = new Int16Array(this.chunkSamples);
    this.filled = 0;
  }

  /** Adds samples; returns the chunks they completed ([] when none). */
  push(samples) {
    const chunks = [];
    let offset = 0;
    while (offset < samples.length) {
      const take = Math.min(samples.length - offset, this.chunkSamples - this.filled);
      this.current.set(samples.subarray(offset, offset + take), this.filled);
      this.filled += take;
      offset += take;
      if (this.filled === this.chunkSamples) {
        chunks.push(this.take(this.current));
        this.current = new Int16Array(this.chunkSamples);
      }
    }
    return chunks;
  }

  /** The partial chunk at the end, or null when there is none. */
  flush() {
    if (this.filled === 0) return null;
    const chunk = this.take(this.current.slice(0, this.filled));
    this.current = new Int16Array(this.chunkSamples);
    return chunk;
  }

  take(samples) {
    const chunk = {
      startMs: Math.round(this.startMs + (this.emitted * 1000) / this.rate),
      rate: this.rate,
      samples,
    };
    this.emitted += samples.length;
    this.filled = 0;
    return chunk;
  }
}

/**
 * Chunks waiting to be sent, oldest first, at most maxSeconds of sound: push() and unshift()
 * drop the oldest chunks beyond that and return them, so the caller can say what was lost.
 */
class AudioBacklog {
  constructor(maxSeconds) {
    this.maxSeconds = maxSeconds;
    this.chunks = [];
    this.seconds = 0;
  }
  get length() { return this.chunks.length; }
  push(chunk) { this.chunks.push(chunk); this.seconds += audioChunkSeconds(chunk); return this.trim(); }
  unshift(chunk) { this.chunks.unshift(chunk); this.seconds += audioChunkSeconds(chunk); return this.trim(); }
  shift() {
    const chunk = this.chunks.shift();
    if (chunk) this.seconds -= audioChunkSeconds(chunk);
    if (this.chunks.length === 0) this.seconds = 0;
    return chunk;
  }
  clear() { const dropped = this.chunks; this.chunks = []; this.seconds = 0; return dropped; }
  trim() {
    const dropped = [];
    while (this.chunks.length > 1 && this.seconds > this.maxSeconds + 1e-9) dropped.push(this.shift());
    return dropped;
  }
}

function audioChunkSeconds(chunk) { return chunk.samples.length / chunk.rate; }

/**
 * Milliseconds to wait before the next try after `failures` failures in a row: the server's
 * Retry-After (seconds) when it sent one, else 1, 2, 4, ... s, at most 30 s.
 */
function audioRetryDelayMs(failures, retryAfter) {
  const seconds = Number(retryAfter);
  if (retryAfter != null && retryAfter !== "" && Number.isFinite(seconds) && seconds >= 0) {
    return Math.min(60, Math.max(1, seconds)) * 1000;
  }
  return Math.min(30000, 1000 * 2 ** Math.max(0, Math.min(failures, 16) - 1));
}

// The audio-thread side (only when this file is loaded by AudioWorklet.addModule): hands the
// microphone's samples, already mixed down to mono, to the page in batches, each with the
// context frame of its first sample so the page can tell where a batch sits in time and notice
// gaps. It writes nothing to its output (silence).
if (typeof AudioWorkletProcessor === "function" && typeof registerProcessor === "function") {
  class MicCaptureProcessor extends AudioWorkletProcessor {
    constructor() {
      super();
      this.batch = new Float32Array(AUDIO_WORKLET_BATCH);
      this.filled = 0;
      this.batchFrame = 0;
      this.stopped = false;
      this.port.onmessage = (event) => { if (event.data === "stop") this.stopped = true; };
    }

    process(inputs) {
      if (this.stopped) return false;
      const channels = inputs[0];
      // No channels: the microphone is not delivering (yet); the frame numbers show the gap.
      if (!channels || channels.length === 0) return true;
      const frame = currentFrame;   // AudioWorkletGlobalScope: the frame of this block's first sample
      if (this.filled > 0 && frame !== this.batchFrame + this.filled) this.post();
      const length = channels[0].length;
      const scale = 1 / channels.length;
      for (let offset = 0; offset < length;) {
        if (this.filled === 0) this.batchFrame = frame + offset;
        const take = Math.min(length - offset, this.batch.length - this.filled);
        // Mixed down in place: this runs on the real-time thread, so it allocates nothing.
        for (let i = 0; i < take; ++i) {
          let sum = 0;
          for (let c = 0; c < channels.length; ++c) sum += channels[c][offset + i];
          this.batch[this.filled + i] = sum * scale;
        }
        this.filled += take;
        offset += take;
        if (this.filled === this.batch.length) this.post();
      }
      return true;
    }

    post() {
      const samples = this.batch.slice(0, this.filled);
      this.port.postMessage({ frame: this.batchFrame, samples }, [samples.buffer]);
      this.filled = 0;
    }
  }
  registerProcessor(AUDIO_WORKLET_NAME, MicCaptureProcessor);
}

if (typeof module !== "undefined" && module.exports) {
  module.exports = {
    AUDIO_TARGET_RATE, AUDIO_MIN_RATE, AUDIO_CHUNK_SECONDS, AUDIO_WORKLET_NAME, AUDIO_WORKLET_BATCH,
    audioSendRate, audioContentType, downmix, Resampler, floatToPcm16, pcm16LittleEndian,
    PcmChunker, AudioBacklog, audioRetryDelayMs,
  };
}
