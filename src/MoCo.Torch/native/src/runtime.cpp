// Process-wide settings: version, threads, seeds, determinism, devices, the CPU generator's state.
#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>
#include <ATen/Parallel.h>
#include <torch/cuda.h>
#include <torch/version.h>
#include "moco_torch.h"
#include "guard.h"

using moco::guarded;

MOCO_API const char* moco_torch_version() {
#ifdef TORCH_VERSION
  return TORCH_VERSION;
#else
  static const std::string version = std::to_string(TORCH_VERSION_MAJOR) + "." +
      std::to_string(TORCH_VERSION_MINOR) + "." + std::to_string(TORCH_VERSION_PATCH);
  return version.c_str();
#endif
}

MOCO_API int32_t moco_set_num_threads(int32_t n) {
  return guarded<int32_t>(-1, [&] {
    TORCH_CHECK(n > 0, "the thread count must be positive, got ", n);
    at::set_num_threads(n);
    return 0;
  });
}

MOCO_API int32_t moco_get_num_threads() {
  return guarded<int32_t>(-1, [&] { return static_cast<int32_t>(at::get_num_threads()); });
}

MOCO_API int32_t moco_manual_seed(uint64_t seed) {
  return guarded<int32_t>(-1, [&] {
    at::manual_seed(seed);
    return 0;
  });
}

MOCO_API int32_t moco_set_deterministic(int32_t enabled) {
  return guarded<int32_t>(-1, [&] {
    at::globalContext().setDeterministicAlgorithms(enabled != 0, false);
    return 0;
  });
}

// cuDNN and cuBLAS switches of libtorch's global context (torch.backends.cudnn.* and torch.backends.cuda.matmul.*
// in Python). They exist in a CPU-only libtorch too, where they change nothing. value < 0 only reads the switch.
MOCO_API int32_t moco_backend_flag(int32_t flag, int32_t value) {
  return guarded<int32_t>(-1, [&] {
    auto& ctx = at::globalContext();
    const bool on = value > 0;
    bool previous = false;
    switch (flag) {
      case MOCO_CUDNN_BENCHMARK:
        previous = ctx.benchmarkCuDNN();
        if (value >= 0) ctx.setBenchmarkCuDNN(on);
        break;
      case MOCO_CUDNN_DETERMINISTIC:
        previous = ctx.deterministicCuDNN();
        if (value >= 0) ctx.setDeterministicCuDNN(on);
        break;
      case MOCO_CUDNN_ALLOW_TF32:
        previous = ctx.allowTF32CuDNN();
        if (value >= 0) ctx.setAllowTF32CuDNN(on);
        break;
      case MOCO_CUBLAS_ALLOW_TF32:
        previous = ctx.allowTF32CuBLAS();
        if (value >= 0) ctx.setAllowTF32CuBLAS(on);
        break;
      default:
        TORCH_CHECK(false, "unknown backend flag ", flag);
    }
    return previous ? 1 : 0;
  });
}

MOCO_API int32_t moco_cuda_device_count() {
  return guarded<int32_t>(-1, [&] { return static_cast<int32_t>(torch::cuda::device_count()); });
}

MOCO_API void* moco_rng_get_state() {
  return guarded<void*>(nullptr, [&] {
    auto gen = at::detail::getDefaultCPUGenerator();
    std::lock_guard<std::mutex> lock(gen.mutex());
    return static_cast<void*>(new at::Tensor(gen.get_state()));
  });
}

MOCO_API int32_t moco_rng_set_state(void* state) {
  return guarded<int32_t>(-1, [&] {
    auto gen = at::detail::getDefaultCPUGenerator();
    std::lock_guard<std::mutex> lock(gen.mutex());
    gen.set_state(moco::as_tensor(state));
    return 0;
  });
}
