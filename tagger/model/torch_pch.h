#pragma once
// The one precompiled header of every libtorch translation unit (encoder, tests, trainer):
// parsing <torch/torch.h> dominates their compile time.
#include <torch/torch.h>
#include <ATen/Parallel.h>
