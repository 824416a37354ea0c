// imu2clip bench: encoder throughput, text tower throughput and end-to-end tagging throughput.
#include <CLI/CLI.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <thread>

#include "common/error.h"
#include "services/cli/commands.h"
#include "services/cli/model_resolver.h"
#include "services/cli/synthetic_recording.h"
#include "storage/log_store.h"
#include "tagger/batch/batch_tagger.h"
#include "tagger/batch/job_sources.h"
#include "tagger/model/encoder_bench.h"
#include "tagger/model/text_towers.h"
#include "tagger/model/window_encoder.h"
#include "tagger/text/text_tower.h"

namespace fs = std::filesystem;

namespace imu2clip::cli {
namespace {

struct BenchArgs {
  int batch = 64, threads = 0, repeats = 5, phrases = 3000, fma_units = 2;
  double seconds = 3.0, hours = 24.0, clock_ghz = 0;
  std::string model, input, work_dir, tower = "lexical-v1";
  bool json = false, keep = false, reference = false, fma_units_given = false;
};

int default_threads(int t) {
  return t > 0 ? t : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
}

int run_bench_encoder(const BenchArgs& a) {
  const int threads = default_threads(a.threads);
  ModelBundle b = !a.model.empty()
                      ? load_bundle(a.model)
                      : make_untrained_bundle(EncoderOptions::official(), "lexical-v1", nlohmann::json::object(),
                                              {"walking"}, /*seed=*/1);
  std::string name = !a.model.empty() ? a.model : "official-layer-sizes";
  std::unique_ptr<WindowEncoder> enc;
  if (a.reference) {
    enc = make_module_window_encoder(b.encoder, b.encoder_weights, threads);
    name += " (torch module forward)";
  } else {
    enc = make_window_encoder(b, threads);
  }
  EncoderBenchResult r = bench_encoder(*enc, a.batch, a.seconds, 3);
  r.model = name;
  // Fraction of the FMA peak: peak = cores x clock_GHz x FMA units x lanes x 2 FLOP, with one
  // core per thread (capped at the CPUs present), lanes of the kernel set that ran (16 avx512,
  // 8 avx2, 4 baseline SSE), and FMA units per core assumed 2 unless --fma-units says otherwise.
  FmaPeak peak;
  peak.cores = std::min(r.threads, static_cast<int>(std::max(1u, std::thread::hardware_concurrency())));
  peak.fma_units = a.fma_units;
  peak.lanes = r.lanes;
  if (a.clock_ghz > 0) {
    peak.clock_ghz = a.clock_ghz;
    peak.clock_source = "--clock-ghz";
  } else if (auto ghz = cpuinfo_clock_ghz()) {
    peak.clock_ghz = *ghz;
    peak.clock_source = "/proc/cpuinfo cpu MHz";
  }
  const bool have_peak = peak.clock_ghz > 0;
  const double gflops = r.windows_per_s * r.flop_per_window / 1e9;
  const double fraction = have_peak ? gflops / peak.gflops() : 0.0;
  const std::string fma_source = a.fma_units_given ? "--fma-units" : "assumed";
  if (a.json) {
    nlohmann::json j = {{"windows_per_s", r.windows_per_s}, {"batch", r.batch}, {"threads", r.threads},
                        {"window_samples", r.window_samples}, {"windows", r.windows},
                        {"seconds", r.seconds}, {"model", r.model},
                        {"path", a.reference ? "torch-module" : "fused"},
                        {"kernel_set", r.kernel_set}, {"flop_per_window", r.flop_per_window},
                        {"gflop_per_s", gflops}};
    if (have_peak) {
      j["peak"] = {{"formula", "cores x clock_ghz x fma_units x lanes x 2"},
                   {"cores", peak.cores}, {"clock_ghz", peak.clock_ghz},
                   {"clock_source", peak.clock_source}, {"fma_units", peak.fma_units},
                   {"fma_units_source", fma_source}, {"lanes", peak.lanes},
                   {"gflop_per_s", peak.gflops()}};
      j["peak_fraction"] = fraction;
    } else {
      j["peak"] = nullptr;
    }
    std::printf("%s\n", j.dump().c_str());
  } else {
    std::printf("encoder %s: %.1f windows/s (batch %d, %d threads, %d samples/window, %lld windows in %.2f s)\n",
                r.model.c_str(), r.windows_per_s, r.batch, r.threads, r.window_samples,
                (long long)r.windows, r.seconds);
    std::printf("kernels %s: %.2f MFLOP/window, %.1f GFLOP/s", r.kernel_set.c_str(),
                r.flop_per_window / 1e6, gflops);
    if (have_peak) {
      std::printf(" = %.1f%% of FMA peak %.1f GFLOP/s (%d cores x %.2f GHz [%s] x %d FMA units [%s] x %d lanes x 2)\n",
                  100.0 * fraction, peak.gflops(), peak.cores, peak.clock_ghz, peak.clock_source.c_str(),
                  peak.fma_units, fma_source.c_str(), peak.lanes);
    } else {
      std::printf("; FMA peak unknown: no cpu MHz in /proc/cpuinfo, give --clock-ghz\n");
    }
  }
  return 0;
}

// Label phrases embedded per second by a text tower (one thread), median of `repeats` runs.
int run_bench_text(const BenchArgs& a) {
  auto tower = build_text_tower(a.tower, nlohmann::json::object());
  std::vector<std::string> phrases;
  for (int i = 0; i < a.phrases; ++i) phrases.push_back("someone is walking upstairs right now " + std::to_string(i));
  tower->embed(phrases.front());  // warm-up: lazy tables, page faults
  std::vector<double> rates;
  double checksum = 0;
  for (int rep = 0; rep < a.repeats; ++rep) {
    const auto t0 = std::chrono::steady_clock::now();
    for (const auto& p : phrases) checksum += tower->embed(p)[0];
    const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    rates.push_back(a.phrases / secs);
  }
  std::sort(rates.begin(), rates.end());
  const double median = rates[rates.size() / 2];
  if (a.json) {
    nlohmann::json j = {{"tower", a.tower}, {"dim", tower->dim()}, {"phrases", a.phrases},
                        {"runs", rates.size()}, {"phrases_per_s_median", median},
                        {"phrases_per_s_min", rates.front()}, {"phrases_per_s_max", rates.back()},
                        {"checksum", checksum}};
    std::printf("%s\n", j.dump().c_str());
  } else {
    std::printf("text tower %s: median %.0f phrases/s over %zu runs of %d phrases (min %.0f, max %.0f)\n",
                a.tower.c_str(), median, rates.size(), a.phrases, rates.front(), rates.back());
  }
  return 0;
}

int run_bench_tag(const BenchArgs& a) {
  const int threads = default_threads(a.threads);
  ResolvedModel model = resolve_model(a.model);
  const fs::path dir = a.work_dir.empty() ? fs::temp_directory_path() / "imu2clip-bench" : fs::path(a.work_dir);
  fs::create_directories(dir);
  std::string input = a.input;
  if (input.empty()) {
    char name[64];
    std::snprintf(name, sizeof name, "synthetic-%.3gh-%.0fhz.csv", a.hours, model.bundle.encoder.sample_rate_hz);
    input = (dir / name).string();
    if (!fs::exists(input)) {
      std::fprintf(stderr, "bench: writing %s (%.3g h at %.0f Hz)...\n", input.c_str(), a.hours,
                   model.bundle.encoder.sample_rate_hz);
      write_synthetic_recording(input + ".tmp", a.hours, model.bundle.encoder.sample_rate_hz, 7);
      fs::rename(input + ".tmp", input);
    }
  }
  auto encoder = make_window_encoder(model.bundle, threads);
  std::vector<double> times;
  int64_t windows = 0;
  double duration = 0;
  for (int rep = 0; rep < a.repeats; ++rep) {
    const fs::path db = dir / "bench-tag.db";
    for (const char* suffix : {"", "-wal", "-shm"}) fs::remove(db.string() + suffix);
    const auto t0 = std::chrono::steady_clock::now();
    LogStore store(db.string());
    TagOptions opt;
    opt.user = "bench";
    BatchTagger tagger(store, model.bundle, *encoder, opt);
    TagSummary s = tagger.run(jobs_from_files({input}).jobs);
    const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (s.recordings.empty() || s.recordings[0].status != RecordingOutcome::Status::Tagged)
      throw Error(ErrorKind::Internal, "benchmark recording was not tagged: " +
                                           (s.recordings.empty() ? std::string("?") : s.recordings[0].reason));
    windows = s.recordings[0].windows;
    duration = s.recordings[0].duration_s;
    times.push_back(secs);
    std::fprintf(stderr, "bench: run %d: %.2f s\n", rep + 1, secs);
  }
  std::sort(times.begin(), times.end());
  const double median = times[times.size() / 2];
  if (a.json) {
    nlohmann::json j = {{"input", input}, {"recording_s", duration}, {"windows", windows},
                        {"seconds_median", median}, {"seconds_min", times.front()},
                        {"seconds_max", times.back()}, {"runs", times.size()},
                        {"windows_per_s", windows / median}, {"realtime_factor", duration / median},
                        {"threads", threads}, {"model", model.origin}};
    std::printf("%s\n", j.dump().c_str());
  } else {
    std::printf("tag %s: %.1f h recording, %lld windows, median %.2f s over %zu runs (%.0f windows/s, %.0fx real time, %d threads)\n",
                input.c_str(), duration / 3600.0, (long long)windows, median, times.size(), windows / median,
                duration / median, threads);
  }
  if (!a.keep && a.input.empty()) fs::remove(input);
  return 0;
}

}  // namespace

Runner add_bench_command(CLI::App& app) {
  auto a = std::make_shared<BenchArgs>();
  auto* cmd = app.add_subcommand("bench", "Measure encoder and end-to-end tagging speed");
  cmd->require_subcommand(1);
  auto* enc = cmd->add_subcommand("encoder",
                                  "Encoder windows/s on 5 s windows at 200 Hz, FLOP/window and the fraction of the FMA peak "
                                  "(IMU2CLIP_KERNELS=baseline|avx2|avx512 forces a kernel set)");
  enc->add_option("--batch", a->batch, "Windows per encoder call")->check(CLI::Range(1, 65536));
  enc->add_option("--threads", a->threads, "Intra-op threads (default: all cores)")->check(CLI::Range(1, 1024));
  enc->add_option("--model", a->model, "Bundle to measure (default: the official encoder's layer sizes)");
  enc->add_option("--seconds", a->seconds, "Measure for at least this long")->check(CLI::PositiveNumber);
  enc->add_flag("--json", a->json, "One JSON object on stdout");
  enc->add_flag("--reference", a->reference, "Measure the plain libtorch module forward instead of the fused path");
  enc->add_option("--clock-ghz", a->clock_ghz, "Core clock for the FMA peak (default: cpu MHz of /proc/cpuinfo)")
      ->check(CLI::PositiveNumber);
  enc->add_option("--fma-units", a->fma_units, "FMA units per core for the FMA peak (default: 2)")
      ->check(CLI::Range(1, 8))
      ->each([a](const std::string&) { a->fma_units_given = true; });
  auto* text = cmd->add_subcommand("text", "Text tower phrases/s (label banks, free-form labels)");
  text->add_option("--tower", a->tower, "Text tower id with default parameters, or clip:DIR (default: lexical-v1)");
  text->add_option("--phrases", a->phrases, "Distinct phrases per run")->check(CLI::Range(1, 10000000));
  text->add_option("--repeats", a->repeats, "Runs; the median is reported")->check(CLI::Range(1, 100));
  text->add_flag("--json", a->json, "One JSON object on stdout");
  auto* tag = cmd->add_subcommand("tag", "End-to-end tagging throughput: CSV -> windows -> SQLite");
  tag->add_option("--hours", a->hours, "Length of the synthetic recording")->check(CLI::PositiveNumber);
  tag->add_option("--input", a->input, "Tag this file instead of a synthetic one")->check(CLI::ExistingFile);
  tag->add_option("--model", a->model, "Bundle (default: the default model)");
  tag->add_option("--threads", a->threads, "Encoder threads (default: all cores)")->check(CLI::Range(1, 1024));
  tag->add_option("--repeats", a->repeats, "Runs; the median is reported")->check(CLI::Range(1, 100));
  tag->add_option("--work-dir", a->work_dir, "Where the synthetic file and database go (default: /tmp)");
  tag->add_flag("--keep", a->keep, "Keep the synthetic recording for the next run");
  tag->add_flag("--json", a->json, "One JSON object on stdout");
  return [a, enc, text] {
    if (enc->parsed()) return run_bench_encoder(*a);
    return text->parsed() ? run_bench_text(*a) : run_bench_tag(*a);
  };
}

}  // namespace imu2clip::cli
