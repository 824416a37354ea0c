#pragma once
// `pretrain --nproc N`: starts N data-parallel ranks of this same command on this machine, as
// torchrun would (WORLD_SIZE, RANK, LOCAL_RANK, LOCAL_WORLD_SIZE, MASTER_ADDR=127.0.0.1 and a
// free MASTER_PORT in each one's environment), and waits for them. When one rank fails, the
// others are stopped at once instead of waiting out their collective timeout. Torch-free.
#include <functional>
#include <string>
#include <vector>

namespace imu2clip::cli {

// `argv`: the command line to run in each rank (this program's, without --nproc). Returns 0
// when every rank succeeded, else the exit status of the first rank that failed (128 + signal
// for a rank killed by a signal). `info` gets one line per start and failure.
int run_local_ranks(const std::vector<std::string>& argv, int nproc, const std::function<void(const std::string&)>& info);

// The command line without "--nproc N" / "--nproc=N".
std::vector<std::string> without_nproc(const std::vector<std::string>& argv);

}  // namespace imu2clip::cli
