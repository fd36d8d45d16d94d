// What autograd offers beyond operators: backward, .grad, requires_grad and the grad mode.
#include <ATen/core/grad_mode.h>  // at::GradMode (not brought in by these headers in libtorch 2.x)
#include <torch/csrc/autograd/autograd.h>
#include <torch/csrc/autograd/variable.h>
#include "moco_torch.h"
#include "guard.h"

using moco::as_tensor;
using moco::guarded;

MOCO_API int32_t moco_backward(void* tensor, void* gradient, int32_t retain_graph) {
  return guarded<int32_t>(-1, [&] {
    const at::Tensor& t = as_tensor(tensor);
    std::vector<at::Tensor> grads;
    if (gradient != nullptr) grads.push_back(as_tensor(gradient));
    c10::optional<bool> retain = retain_graph ? c10::optional<bool>(true) : c10::nullopt;
    torch::autograd::backward({t}, grads, retain, false);
    return 0;
  });
}

MOCO_API int32_t moco_tensor_get_grad(void* tensor, void** grad) {
  return guarded<int32_t>(-1, [&] {
    const at::Tensor& g = as_tensor(tensor).grad();
    *grad = g.defined() ? static_cast<void*>(new at::Tensor(g)) : nullptr;
    return 0;
  });
}

MOCO_API int32_t moco_tensor_set_grad(void* tensor, void* grad) {
  return guarded<int32_t>(-1, [&] {
    as_tensor(tensor).mutable_grad() = grad != nullptr ? as_tensor(grad) : at::Tensor();
    return 0;
  });
}

MOCO_API int32_t moco_tensor_set_requires_grad(void* tensor, int32_t requires_grad) {
  return guarded<int32_t>(-1, [&] {
    as_tensor(tensor).set_requires_grad(requires_grad != 0);
    return 0;
  });
}

MOCO_API int32_t moco_grad_set_enabled(int32_t enabled) {
  return guarded<int32_t>(-1, [&] {
    const bool previous = at::GradMode::is_enabled();
    at::GradMode::set_enabled(enabled != 0);
    return previous ? 1 : 0;
  });
}
