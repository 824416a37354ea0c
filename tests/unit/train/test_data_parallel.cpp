// Data-parallel training: ranks run as threads of this process, each with its own c10d (Gloo)
// process group over loopback, exactly as separate processes would talk.
#include <catch2/catch.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cmath>
#include <exception>
#include <map>
#include <set>
#include <thread>

#include <torch/torch.h>

#include "common/error.h"
#include "tagger/text/label_bank.h"
#include "tagger/text/text_tower.h"
#include "tagger/train/batch_loader.h"
#include "tagger/train/contrastive_model.h"
#include "tagger/train/contrastive_step.h"
#include "tagger/train/data_parallel.h"
#include "tagger/train/trainer.h"
#include "tests/support/test_paths.h"

using namespace imu2clip;

namespace {

int free_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  ::close(fd);
  return ntohs(a.sin_port);
}

DistributedOptions rank_options(int world, int rank, int port) {
  DistributedOptions d;
  d.world_size = world;
  d.rank = rank;
  d.local_rank = rank;
  d.local_world_size = world;
  d.master_port = port;
  d.timeout_s = 120;
  return d;
}

// Runs body(rank) for every rank at once and rethrows the first failure.
template <typename Body>
void on_ranks(int world, Body body) {
  std::vector<std::exception_ptr> failures(world);
  std::vector<std::thread> threads;
  for (int r = 0; r < world; ++r)
    threads.emplace_back([&, r] {
      try {
        body(r);
      } catch (...) {
        failures[r] = std::current_exception();
      }
    });
  for (auto& t : threads) t.join();
  for (auto& f : failures)
    if (f) std::rethrow_exception(f);
}

EncoderOptions small_encoder(int dim, int samples, double rate) {
  EncoderOptions o;
  o.gru_hidden = 32;
  o.conv_channels = {8, 8, 8};
  o.mid_groups = 4;
  o.embed_dim = dim;
  o.project = true;
  o.window_samples = samples;
  o.sample_rate_hz = rate;
  return o;
}

TrainingData synthetic_data(int windows) {
  TrainingData d;
  d.samples = 200;
  d.rate_hz = 40;
  d.texts = {"walking", "sitting", "running", "lying down"};
  d.text_is_label = {1, 1, 1, 1};
  uint64_t state = 7;
  for (int i = 0; i < windows; ++i) {
    const int text = (i * 7) % 4;
    d.text.push_back(text);
    for (int c = 0; c < 6; ++c)
      for (int t = 0; t < d.samples; ++t) {
        state = state * 6364136223846793005ull + 1442695040888963407ull;
        const double noise = static_cast<double>(state >> 40) / (1ull << 24) - 0.5;
        d.windows.push_back(static_cast<float>(std::sin(0.1 * (text + 1) * t + c) + 0.3 * noise));
      }
  }
  return d;
}

double max_abs_diff(const std::map<std::string, TensorData>& a, const std::map<std::string, TensorData>& b) {
  REQUIRE(a.size() == b.size());
  double worst = 0;
  for (const auto& [name, t] : a) {
    const auto& u = b.at(name);
    REQUIRE(t.bytes.size() == u.bytes.size());
    const auto* x = reinterpret_cast<const float*>(t.bytes.data());
    const auto* y = reinterpret_cast<const float*>(u.bytes.data());
    for (size_t i = 0; i < t.bytes.size() / sizeof(float); ++i) worst = std::max(worst, std::abs(double(x[i]) - y[i]));
  }
  return worst;
}

}  // namespace

TEST_CASE("a split epoch gives each rank an equal slice of every global batch and each window once") {
  const TrainingData data = synthetic_data(64);
  TextTargets targets = TextTargets::build(*make_text_tower("lexical-v1", nlohmann::json::object()), data.texts,
                                           data.text_is_label, default_prompt_templates());
  BatchPlanOptions one;
  one.batch_size = 12;   // 5 whole batches; the last 4 windows are left out, as in one process
  one.augment = true;
  const AugmentOptions augment = AugmentOptions::parse("rot,scale,jitter,shift");
  for (int world : {2, 3}) {
    INFO("world " << world);
    std::vector<std::vector<TrainBatch>> per_rank(world);
    for (int r = 0; r < world; ++r) {
      BatchPlanOptions plan = one;
      plan.shard_count = world;
      plan.shard_index = r;
      BatchLoader loader(data, targets, augment, plan, 5, 2, 2);
      while (auto b = loader.next()) per_rank[r].push_back(std::move(*b));
      REQUIRE(per_rank[r].size() == 5);
    }
    BatchLoader reference(data, targets, augment, one, 5, 2, 2);
    std::multiset<size_t> seen;
    for (int k = 0; k < 5; ++k) {
      auto whole = reference.next();
      REQUIRE(whole);
      std::vector<size_t> joined;
      std::vector<float> imu;
      for (int r = 0; r < world; ++r) {
        CHECK(per_rank[r][k].size == 12 / world);
        CHECK(per_rank[r][k].index == k);
        joined.insert(joined.end(), per_rank[r][k].window.begin(), per_rank[r][k].window.end());
        imu.insert(imu.end(), per_rank[r][k].imu.begin(), per_rank[r][k].imu.end());
      }
      CHECK(joined == whole->window);   // the same windows in the same order...
      CHECK(imu == whole->imu);         // ...augmented identically
      seen.insert(joined.begin(), joined.end());
    }
    CHECK(seen.size() == 60);
    CHECK(std::set<size_t>(seen.begin(), seen.end()).size() == 60);   // none twice
  }
}

TEST_CASE("validation batches are dealt whole to the ranks, each batch to one rank") {
  BatchPlanOptions plan;
  plan.batch_size = 10;
  plan.drop_last = false;
  plan.shard_count = 3;
  plan.shard_whole_batches = true;
  std::multiset<int64_t> all;
  for (int r = 0; r < 3; ++r) {
    plan.shard_index = r;
    for (int64_t b : shard_batches(75, plan)) {
      CHECK(b % 3 == r);
      all.insert(b);
    }
  }
  CHECK(all == std::multiset<int64_t>{0, 1, 2, 3, 4, 5, 6, 7});
}

TEST_CASE("the all-gathered loss and the summed gradients of two ranks are the one-process ones") {
  at::set_num_threads(1);
  auto tower = make_text_tower("lexical-v1", nlohmann::json::object());
  // Three identical models: the one-process reference and one per rank.
  std::vector<ContrastiveModel> models;
  for (int k = 0; k < 3; ++k) {
    torch::manual_seed(11);
    models.emplace_back(small_encoder(tower->dim(), 200, 40), 0.07, /*learn_temperature=*/true);
  }
  ContrastiveModel& model = models[0];
  const int64_t n = 8;
  auto imu = torch::randn({n, 6, 200});
  auto targets = torch::randn({n, tower->dim()});
  auto groups = torch::tensor(std::vector<int64_t>{0, 1, 2, 0, 3, 1, 2, 0});

  auto one = model->loss(imu, targets, groups);
  one.backward();
  std::map<std::string, torch::Tensor> expected;
  for (const auto& p : model->named_parameters()) expected[p.key()] = p.value().grad().clone();

  const int port = free_port();
  std::vector<double> losses(2);
  std::vector<std::map<std::string, torch::Tensor>> grads(2);
  on_ranks(2, [&](int r) {
    ContrastiveModel& rank_model = models[1 + r];
    DataParallelGroup group(rank_options(2, r, port), torch::kCPU);
    StepTensors local;
    local.imu = imu.narrow(0, r * n / 2, n / 2);
    local.targets = targets.narrow(0, r * n / 2, n / 2);
    local.groups = groups.narrow(0, r * n / 2, n / 2);
    auto loss = global_batch_loss(rank_model, local, group, false);
    loss.backward();
    losses[r] = reduce_gradients(rank_model, group, true, {loss.item<double>()})[0] / 2;
    for (const auto& p : rank_model->named_parameters()) grads[r][p.key()] = p.value().grad().clone();
  });
  for (int r = 0; r < 2; ++r) {
    CHECK(losses[r] == Approx(one.item<double>()).epsilon(1e-6));
    for (const auto& [name, g] : expected) {
      INFO("rank " << r << " gradient of " << name);
      CHECK(torch::allclose(grads[r][name], g, 1e-4, 1e-6));
    }
  }
}

TEST_CASE("two ranks train exactly as one process with the global batch") {
  auto tower = make_text_tower("lexical-v1", nlohmann::json::object());
  const TrainingData data = synthetic_data(64);
  TrainSetup s;
  s.encoder = small_encoder(tower->dim(), data.samples, data.rate_hz);
  s.tower = tower.get();
  s.templates = default_prompt_templates();
  s.train = &data;
  s.val = &data;
  s.options.batch_size = 16;
  s.options.epochs = 2;
  s.options.threads = 1;
  s.options.augment = AugmentOptions::parse("rot,scale,jitter,shift");
  s.options.learn_temperature = true;
  s.options.warmup_steps = 2;
  const TrainResult single = train_contrastive(s);

  const int port = free_port();
  std::vector<TrainResult> ranks(2);
  std::vector<std::vector<std::string>> logs(2);
  on_ranks(2, [&](int r) {
    TrainSetup rs = s;
    rs.options.distributed = rank_options(2, r, port);
    TrainCallbacks cb;
    cb.log = [&logs, r](const std::string& line) { logs[r].push_back(line); };
    ranks[r] = train_contrastive(rs, cb);
  });
  // Tolerance: the ranks add the two halves' gradients in another order than one backward pass
  // does (float rounding, ~1e-7 per step), which Adam's normalisation may magnify a little.
  for (int r = 0; r < 2; ++r) {
    INFO("rank " << r);
    CHECK(ranks[r].world_size == 2);
    CHECK(ranks[r].backend == "gloo");
    CHECK(max_abs_diff(ranks[r].encoder_weights, single.encoder_weights) < 2e-4);
    REQUIRE(ranks[r].history.size() == 2);
    for (int e = 0; e < 2; ++e) {
      CHECK(ranks[r].history[e].train_loss == Approx(single.history[e].train_loss).epsilon(1e-4));
      CHECK(ranks[r].history[e].val_loss == Approx(single.history[e].val_loss).epsilon(1e-4));
      CHECK(ranks[r].history[e].steps == single.history[e].steps);
    }
  }
  // Both ranks end with bit-identical parameters, checked by the trainer after every epoch.
  CHECK(max_abs_diff(ranks[0].encoder_weights, ranks[1].encoder_weights) == 0);
  bool checked = false;
  for (const auto& line : logs[0]) checked |= line.find("parameter checksum") != std::string::npos;
  CHECK(checked);

  SECTION("with local negatives each rank contrasts its own slice: the ranks agree, the model differs") {
    const int port2 = free_port();
    std::vector<TrainResult> local(2);
    on_ranks(2, [&](int r) {
      TrainSetup rs = s;
      rs.options.epochs = 1;
      rs.options.distributed = rank_options(2, r, port2);
      rs.options.distributed.negatives = "local";
      local[r] = train_contrastive(rs);
    });
    CHECK(max_abs_diff(local[0].encoder_weights, local[1].encoder_weights) == 0);
    CHECK(max_abs_diff(local[0].encoder_weights, single.encoder_weights) > 1e-4);
  }
}

TEST_CASE("a global batch that does not divide over the ranks is refused before training") {
  TrainOptions o;
  o.batch_size = 10;
  o.distributed = rank_options(4, 0, 29500);
  CHECK_THROWS_WITH(o.validate(), Catch::Contains("divide evenly over 4 ranks"));
  o.distributed.rank = 4;
  o.batch_size = 16;
  CHECK_THROWS_WITH(o.validate(), Catch::Contains("rank"));
}

TEST_CASE("a rendezvous the other ranks never join fails within the timeout, naming the address") {
  DistributedOptions d = rank_options(2, 0, free_port());
  d.timeout_s = 1;
  try {
    DataParallelGroup group(d, torch::kCPU);
    FAIL("the rendezvous completed with one rank of two");
  } catch (const Error& e) {
    INFO(e.what());
    CHECK(e.kind() == ErrorKind::Io);
    CHECK(std::string(e.what()).find("127.0.0.1:" + std::to_string(d.master_port)) != std::string::npos);
    CHECK(std::string(e.what()).find("--world-size") != std::string::npos);
  }
}

TEST_CASE("when one rank leaves, the other's next collective fails with an error that says so") {
  const int port = free_port();
  std::string message;
  on_ranks(2, [&](int r) {
    DistributedOptions d = rank_options(2, r, port);
    d.timeout_s = 20;
    DataParallelGroup group(d, torch::kCPU);
    group.barrier();
    if (r == 1) return;   // leaves: its group closes its connections
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    auto t = torch::ones({4});
    try {
      group.all_reduce_sum({t});
      group.all_reduce_sum({t});
    } catch (const Error& e) {
      message = e.what();
    }
  });
  CHECK(message.find("rank 0 of 2") != std::string::npos);
  CHECK(message.find("Another rank has most likely stopped") != std::string::npos);
}

TEST_CASE("a checkpoint written by two ranks resumes in one process as if nothing changed") {
  auto tower = make_text_tower("lexical-v1", nlohmann::json::object());
  const TrainingData data = synthetic_data(64);
  TrainSetup s;
  s.encoder = small_encoder(tower->dim(), data.samples, data.rate_hz);
  s.tower = tower.get();
  s.templates = default_prompt_templates();
  s.train = &data;
  s.val = &data;
  s.options.batch_size = 16;
  s.options.epochs = 2;
  s.options.threads = 1;
  s.options.augment = AugmentOptions::parse("rot,jitter");
  s.options.warmup_steps = 2;
  const TrainResult straight = train_contrastive(s);

  // Epoch 1 on two ranks (rank 0 writes the checkpoint), epoch 2 in one process. Only rank 0 is
  // asked to stop during epoch 2, as a signal may reach one process first: both must stop after
  // the same step, keeping epoch 1.
  s.options.checkpoint_dir = test::make_temp_dir("train_ckpt_ranks");
  const int port = free_port();
  std::vector<TrainResult> stopped(2);
  on_ranks(2, [&](int r) {
    TrainSetup rs = s;
    rs.options.distributed = rank_options(2, r, port);
    std::atomic<bool> stop{false};
    TrainCallbacks cb;
    cb.stop = &stop;
    cb.on_epoch = [&stop, r](const EpochMetrics& m) { stop = r == 0 && m.epoch == 1; };
    stopped[r] = train_contrastive(rs, cb);
  });
  for (const auto& r : stopped) {
    CHECK(r.interrupted);
    CHECK(r.history.size() == 1);
  }
  s.options.resume = true;
  const TrainResult resumed = train_contrastive(s);
  CHECK(resumed.resumed_from_epoch == 1);
  REQUIRE(resumed.history.size() == 2);
  CHECK(resumed.history[1].val_loss == Approx(straight.history[1].val_loss).epsilon(1e-4));
  CHECK(max_abs_diff(resumed.encoder_weights, straight.encoder_weights) < 2e-4);
}
