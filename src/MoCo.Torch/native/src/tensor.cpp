// Tensor handles: a handle is a heap-allocated at::Tensor (one reference to its TensorImpl).
#include <ATen/core/grad_mode.h>  // at::NoGradGuard (ATen.h no longer brings it in libtorch 2.x)
#include <cstring>
#include "moco_torch.h"
#include "guard.h"

using moco::as_tensor;
using moco::guarded;

MOCO_API void moco_tensor_free(void* tensor) {
  // Deleting cannot throw; the storage goes when its last reference does.
  delete static_cast<at::Tensor*>(tensor);
}

MOCO_API void* moco_tensor_alias(void* tensor) {
  return guarded<void*>(nullptr, [&] { return static_cast<void*>(new at::Tensor(as_tensor(tensor))); });
}

MOCO_API void* moco_tensor_from_blob(void* data, const int64_t* sizes, const int64_t* strides, int32_t ndim,
                                     int32_t dtype, moco_release_fn release, void* context) {
  return guarded<void*>(nullptr, [&] {
    TORCH_CHECK(ndim >= 0, "ndim must be non-negative, got ", ndim);
    auto options = at::TensorOptions().dtype(static_cast<at::ScalarType>(dtype)).device(at::kCPU);
    at::IntArrayRef size_ref(sizes, static_cast<size_t>(ndim));
    std::function<void(void*)> deleter = [release, context](void*) {
      if (release != nullptr) release(context);
    };
    at::Tensor t = strides != nullptr
        ? at::from_blob(data, size_ref, at::IntArrayRef(strides, static_cast<size_t>(ndim)), deleter, options)
        : at::from_blob(data, size_ref, deleter, options);
    return static_cast<void*>(new at::Tensor(std::move(t)));
  });
}

MOCO_API int32_t moco_tensor_get_info(void* tensor, moco_tensor_info* info) {
  return guarded<int32_t>(-1, [&] {
    const at::Tensor& t = as_tensor(tensor);
    TORCH_CHECK(t.defined(), "the tensor is undefined");
    info->dtype = static_cast<int32_t>(t.scalar_type());
    info->device_type = static_cast<int32_t>(t.device().type());
    info->device_index = t.device().index();
    info->ndim = static_cast<int32_t>(t.dim());
    info->requires_grad = t.requires_grad() ? 1 : 0;
    info->is_contiguous = t.is_contiguous() ? 1 : 0;
    info->is_leaf = t.is_leaf() ? 1 : 0;
    info->element_size = static_cast<int32_t>(t.element_size());
    info->is_channels_last = t.dim() == 4 && t.is_contiguous(at::MemoryFormat::ChannelsLast) ? 1 : 0;
    info->reserved = 0;
    info->numel = t.numel();
    info->data = t.has_storage() ? t.data_ptr() : nullptr;
    return 0;
  });
}

MOCO_API int32_t moco_tensor_get_shape(void* tensor, int64_t* sizes, int64_t* strides, int32_t capacity) {
  return guarded<int32_t>(-1, [&] {
    const at::Tensor& t = as_tensor(tensor);
    const int64_t n = t.dim();
    TORCH_CHECK(n <= capacity, "shape buffer holds ", capacity, " dimensions, the tensor has ", n);
    for (int64_t d = 0; d < n; ++d) {
      if (sizes != nullptr) sizes[d] = t.size(d);
      if (strides != nullptr) strides[d] = t.stride(d);
    }
    return static_cast<int32_t>(n);
  });
}

MOCO_API int32_t moco_tensor_copy_to(void* tensor, void* destination, int64_t bytes) {
  return guarded<int32_t>(-1, [&] {
    const at::Tensor& t = as_tensor(tensor);
    const int64_t need = t.numel() * static_cast<int64_t>(t.element_size());
    TORCH_CHECK(bytes == need, "destination holds ", bytes, " bytes, the tensor has ", need);
    at::Tensor c = t.detach().to(at::kCPU).contiguous();
    if (need > 0) std::memcpy(destination, c.data_ptr(), static_cast<size_t>(need));
    return 0;
  });
}

MOCO_API int32_t moco_tensor_copy_from(void* tensor, const void* source, int64_t bytes) {
  return guarded<int32_t>(-1, [&] {
    at::Tensor& t = as_tensor(tensor);
    const int64_t need = t.numel() * static_cast<int64_t>(t.element_size());
    TORCH_CHECK(bytes == need, "source holds ", bytes, " bytes, the tensor has ", need);
    if (need == 0) return 0;
    auto options = at::TensorOptions().dtype(t.scalar_type()).device(at::kCPU);
    at::Tensor src = at::from_blob(const_cast<void*>(source), t.sizes(), options);
    at::NoGradGuard no_grad;
    t.copy_(src);
    return 0;
  });
}
