// The floor under any binding: the same tiny add called from C++ straight into libtorch (unboxed, and boxed through
// the dispatcher as MoCo.Torch's shim calls it). Built and run by run.sh; prints median ns per call.
#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <ATen/core/dispatch/Dispatcher.h>
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <vector>

template <typename F>
double median_ns(int calls, F&& body) {
  std::vector<double> samples;
  for (int r = 0; r < 8; ++r) {  // the first is warm-up
    auto t0 = std::chrono::steady_clock::now();
    for (int i = 0; i < calls; ++i) body();
    auto t1 = std::chrono::steady_clock::now();
    if (r > 0) samples.push_back(std::chrono::duration<double, std::nano>(t1 - t0).count() / calls);
  }
  std::sort(samples.begin(), samples.end());
  return samples[samples.size() / 2];
}

int main(int argc, char** argv) {
  const int calls = argc > 1 ? std::atoi(argv[1]) : 100000;
  at::set_num_threads(1);
  at::Tensor a = at::ones({1}), b = at::ones({1});
  double unboxed = median_ns(calls, [&] { at::Tensor c = at::add(a, b); });
  auto op = c10::Dispatcher::singleton().findSchemaOrThrow("aten::add", "Tensor");
  torch::jit::Stack stack;
  double boxed = median_ns(calls, [&] {
    stack.clear();
    stack.emplace_back(a);
    stack.emplace_back(b);
    stack.emplace_back(c10::Scalar(1));
    op.callBoxed(&stack);
    stack.clear();
  });
  std::printf("%.1f %.1f\n", unboxed, boxed);
  return 0;
}
