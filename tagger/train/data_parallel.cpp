#include "tagger/train/data_parallel.h"

#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <exception>

// The c10d backend headers are compiled only where the library was built with the backend;
// these are the switches PyTorch's own build defines for them.
#if IMU2CLIP_HAVE_GLOO
#ifndef USE_C10D_GLOO
#define USE_C10D_GLOO
#endif
#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#endif
#if IMU2CLIP_HAVE_NCCL
#ifndef USE_C10D_NCCL
#define USE_C10D_NCCL
#endif
#include <torch/csrc/distributed/c10d/ProcessGroupNCCL.hpp>
#endif
#include <torch/csrc/distributed/c10d/PrefixStore.hpp>
#include <torch/csrc/distributed/c10d/ProcessGroup.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>

#include "common/error.h"

namespace imu2clip {

struct DataParallelGroup::Impl {
  DistributedOptions options;
  torch::Device device{torch::kCPU};
  std::string backend;
  c10::intrusive_ptr<c10d::Store> store;
#if IMU2CLIP_HAVE_NCCL
  c10::intrusive_ptr<c10d::ProcessGroupNCCL> nccl;
#endif
#if IMU2CLIP_HAVE_GLOO
  c10::intrusive_ptr<c10d::ProcessGroupGloo> gloo;
#endif

  std::string who() const {
    return "rank " + std::to_string(options.rank) + " of " + std::to_string(options.world_size);
  }

  // Gloo here is built for CPU tensors; NCCL works on the GPU tensors directly.
  bool stages_on_cpu() const { return backend == "gloo"; }
  torch::Tensor staged(const torch::Tensor& t) const {
    return stages_on_cpu() && !t.device().is_cpu() ? t.to(torch::kCPU) : t;
  }

  double collective_s = 0;

  template <typename Op>
  void run(const std::string& what, Op&& op) {
    const auto start = std::chrono::steady_clock::now();
    struct AddTime {
      double& total;
      std::chrono::steady_clock::time_point start;
      ~AddTime() { total += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(); }
    } add_time{collective_s, start};
    try {
      auto work = op();
      work->wait();
    } catch (const Error&) {
      throw;
    } catch (const c10::Error& e) {
      fail(what, e.what_without_backtrace());
    } catch (const std::exception& e) {
      fail(what, e.what());
    }
  }

  [[noreturn]] void fail(const std::string& what, const std::string& cause) const {
    throw Error(ErrorKind::Io,
                who() + ": the " + what + " with the other ranks failed (" + cause +
                    "). Another rank has most likely stopped or crashed: its own output says why",
                ErrorContext{"", 0, "distributed"});
  }

  template <typename Op>
  void collective(const std::string& what, Op&& op) {
#if IMU2CLIP_HAVE_NCCL
    if (nccl) return run(what, [&] { return op(*nccl); });
#endif
#if IMU2CLIP_HAVE_GLOO
    if (gloo) return run(what, [&] { return op(*gloo); });
#endif
    fail(what, "no process group");
  }
};

namespace {

bool is_loopback(const std::string& host) {
  return host == "localhost" || host == "::1" || host.rfind("127.", 0) == 0;
}

}  // namespace

DataParallelGroup::DataParallelGroup(const DistributedOptions& options, torch::Device device)
    : impl_(std::make_unique<Impl>()) {
  Impl& m = *impl_;
  m.options = options;
  m.device = device;
  m.backend = options.backend == "auto" ? (device.is_cuda() ? "nccl" : "gloo") : options.backend;
  const auto timeout = std::chrono::milliseconds(static_cast<int64_t>(options.timeout_s * 1000));
  if (m.backend == "nccl" && !device.is_cuda())
    throw Error(ErrorKind::InvalidInput, "the nccl backend needs CUDA; use --backend gloo on the CPU",
                ErrorContext{"", 0, "backend"});
#if !IMU2CLIP_HAVE_NCCL
  if (m.backend == "nccl")
    throw Error(ErrorKind::InvalidInput,
                "this build has no NCCL process group (its libtorch has no ProcessGroupNCCL); use --backend gloo",
                ErrorContext{"", 0, "backend"});
#endif
#if !IMU2CLIP_HAVE_GLOO
  if (m.backend == "gloo")
    throw Error(ErrorKind::InvalidInput,
                "this build has no Gloo process group (the gloo headers were missing when it was configured; "
                "Debian: apt install libgloo-dev, then reconfigure)",
                ErrorContext{"", 0, "backend"});
#endif

  const std::string where = options.master_addr + ":" + std::to_string(options.master_port);
  auto rendezvous_failed = [&](const std::exception& e) {
    std::string cause = e.what();
    if (const auto* c = dynamic_cast<const c10::Error*>(&e)) cause = c->what_without_backtrace();
    throw Error(ErrorKind::Io,
                m.who() + ": the rendezvous at " + where + " did not complete within " +
                    std::to_string(static_cast<int>(options.timeout_s)) + " s (" + cause +
                    "). Start every rank with the same --master and --world-size; rank 0 hosts it, so its port "
                    "must be free. On several machines set GLOO_SOCKET_IFNAME to the interface the ranks share",
                ErrorContext{"", 0, "master"});
  };
  try {
    c10d::TCPStoreOptions store_options;
    store_options.port = static_cast<uint16_t>(options.master_port);
    store_options.isServer = options.rank == 0;
    store_options.numWorkers = static_cast<size_t>(options.world_size);
    store_options.waitWorkers = true;
    store_options.timeout = timeout;
    auto tcp = c10::make_intrusive<c10d::TCPStore>(options.master_addr, store_options);
    m.store = c10::make_intrusive<c10d::PrefixStore>("imu2clip", tcp);
  } catch (const std::exception& e) {
    rendezvous_failed(e);
  }

  try {
#if IMU2CLIP_HAVE_NCCL
    if (m.backend == "nccl") {
      auto o = c10d::ProcessGroupNCCL::Options::create();
      o->timeout = timeout;
      m.nccl = c10::make_intrusive<c10d::ProcessGroupNCCL>(m.store, options.rank, options.world_size, o);
    }
#endif
#if IMU2CLIP_HAVE_GLOO
    if (m.backend == "gloo") {
      auto o = c10d::ProcessGroupGloo::Options::create(timeout);
      // The interface the other ranks reach this one on: GLOO_SOCKET_IFNAME as in PyTorch,
      // loopback for a one-machine group, else the address this machine's name resolves to.
      if (const char* ifname = std::getenv("GLOO_SOCKET_IFNAME"); ifname && *ifname) {
        o->devices.push_back(c10d::ProcessGroupGloo::createDeviceForInterface(ifname));
      } else if (is_loopback(options.master_addr)) {
        o->devices.push_back(c10d::ProcessGroupGloo::createDeviceForHostname("127.0.0.1"));
      } else {
        char host[256] = {};
        gethostname(host, sizeof host - 1);
        o->devices.push_back(c10d::ProcessGroupGloo::createDeviceForHostname(host));
      }
      o->threads = 2;
      m.gloo = c10::make_intrusive<c10d::ProcessGroupGloo>(m.store, options.rank, options.world_size, o);
    }
#endif
  } catch (const Error&) {
    throw;
  } catch (const std::exception& e) {
    rendezvous_failed(e);   // the group connects every pair of ranks: the rest of the rendezvous
  }
}

DataParallelGroup::~DataParallelGroup() = default;

int DataParallelGroup::rank() const { return impl_->options.rank; }
int DataParallelGroup::world_size() const { return impl_->options.world_size; }
const std::string& DataParallelGroup::backend() const { return impl_->backend; }

void DataParallelGroup::broadcast_from_rank0(const std::vector<torch::Tensor>& tensors) {
  torch::NoGradGuard no_grad;
  for (const auto& t : tensors) {
    std::vector<torch::Tensor> io{impl_->staged(t.detach()).contiguous()};
    c10d::BroadcastOptions o;
    o.rootRank = 0;
    impl_->collective("parameter broadcast", [&](auto& pg) { return pg.broadcast(io, o); });
    if (!io[0].is_same(t)) t.detach().copy_(io[0]);
  }
}

void DataParallelGroup::all_reduce_sum(const std::vector<torch::Tensor>& tensors, size_t bucket_bytes) {
  torch::NoGradGuard no_grad;
  size_t i = 0;
  while (i < tensors.size()) {
    // One bucket: consecutive tensors up to bucket_bytes (at least one), of one dtype.
    size_t j = i, bytes = 0;
    while (j < tensors.size() && tensors[j].scalar_type() == tensors[i].scalar_type() &&
           (j == i || bytes + tensors[j].nbytes() <= bucket_bytes))
      bytes += tensors[j++].nbytes();
    std::vector<torch::Tensor> flat_parts;
    for (size_t k = i; k < j; ++k) flat_parts.push_back(tensors[k].reshape({-1}));
    std::vector<torch::Tensor> io{impl_->staged(torch::cat(flat_parts))};
    c10d::AllreduceOptions o;
    o.reduceOp = c10d::ReduceOp::SUM;
    impl_->collective("gradient all-reduce", [&](auto& pg) { return pg.allreduce(io, o); });
    const auto summed = io[0].to(tensors[i].device());
    int64_t offset = 0;
    for (size_t k = i; k < j; ++k) {
      const int64_t n = tensors[k].numel();
      tensors[k].copy_(summed.narrow(0, offset, n).view_as(tensors[k]));
      offset += n;
    }
    i = j;
  }
}

torch::Tensor DataParallelGroup::all_gather(const torch::Tensor& local) {
  torch::NoGradGuard no_grad;
  std::vector<torch::Tensor> in{impl_->staged(local.detach()).contiguous()};
  std::vector<std::vector<torch::Tensor>> out(1);
  for (int r = 0; r < world_size(); ++r) out[0].push_back(torch::empty_like(in[0]));
  impl_->collective("all-gather", [&](auto& pg) { return pg.allgather(out, in); });
  return torch::cat(out[0], 0).to(local.device());
}

torch::Tensor DataParallelGroup::all_gather_keep_local_grad(const torch::Tensor& local) {
  const auto gathered = all_gather(local);
  auto parts = gathered.chunk(world_size(), 0);
  std::vector<torch::Tensor> rows(parts.begin(), parts.end());
  rows[static_cast<size_t>(rank())] = local;
  return torch::cat(rows, 0);
}

double DataParallelGroup::collective_seconds() const { return impl_->collective_s; }

void DataParallelGroup::barrier() {
  impl_->collective("barrier", [&](auto& pg) { return pg.barrier(c10d::BarrierOptions()); });
}

}  // namespace imu2clip
