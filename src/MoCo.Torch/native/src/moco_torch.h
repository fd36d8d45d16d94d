// The C ABI of the MoCo.Torch shim. Every entry catches all C++ exceptions, stores the message in
// a thread-local slot (moco_last_error) and returns a sentinel (null or -1). Nothing throws across
// the boundary. The C# declarations live in src/MoCo.Torch/Native/NativeMethods.cs.
#pragma once
#include <cstdint>

#define MOCO_API extern "C" __attribute__((visibility("default")))

// A tagged value: an operator argument or result. 32 bytes; the C# twin is NativeValue.
enum moco_tag : int32_t {
  MOCO_NONE = 0,          // None (optional argument absent, or an undefined tensor result)
  MOCO_DEFAULT = 1,       // argument: use the schema's default value
  MOCO_TENSOR = 2,        // p: at::Tensor*
  MOCO_INT = 3,           // i
  MOCO_DOUBLE = 4,        // d
  MOCO_BOOL = 5,          // i (0 or 1)
  MOCO_INT_LIST = 6,      // p: int64_t*, len
  MOCO_DOUBLE_LIST = 7,   // p: double*, len
  MOCO_TENSOR_LIST = 8,   // argument: p: at::Tensor**, len. Result: header, then len MOCO_TENSOR values
  MOCO_STRING = 9,        // p: UTF-8 bytes, len
  MOCO_DEVICE = 10,       // i: c10::DeviceType, len: index (-1: none)
  MOCO_BOOL_LIST = 11,    // p: uint8_t*, len
  MOCO_OPT_TENSOR_LIST = 12, // p: at::Tensor** (null entries are None), len
};

struct moco_value {
  int32_t tag;
  int32_t len;
  int64_t i;
  double d;
  void* p;
};

struct moco_tensor_info {
  int32_t dtype;        // c10::ScalarType
  int32_t device_type;  // c10::DeviceType
  int32_t device_index;
  int32_t ndim;
  int32_t requires_grad;
  int32_t is_contiguous;
  int32_t is_leaf;
  int32_t element_size;
  int32_t is_channels_last;  // contiguous in channels-last order (4-D)
  int32_t reserved;
  int64_t numel;
  void* data;           // null for tensors without storage
};

typedef void (*moco_release_fn)(void* context);

// errors.cpp
MOCO_API const char* moco_last_error();
MOCO_API void moco_clear_error();

// tensor.cpp
MOCO_API void moco_tensor_free(void* tensor);
MOCO_API void* moco_tensor_alias(void* tensor);
MOCO_API void* moco_tensor_from_blob(void* data, const int64_t* sizes, const int64_t* strides, int32_t ndim,
                                     int32_t dtype, moco_release_fn release, void* context);
MOCO_API int32_t moco_tensor_get_info(void* tensor, moco_tensor_info* info);
MOCO_API int32_t moco_tensor_get_shape(void* tensor, int64_t* sizes, int64_t* strides, int32_t capacity);
MOCO_API int32_t moco_tensor_copy_to(void* tensor, void* destination, int64_t bytes);
MOCO_API int32_t moco_tensor_copy_from(void* tensor, const void* source, int64_t bytes);

// dispatch.cpp
MOCO_API void* moco_op_find(const char* name, const char* overload);
MOCO_API int32_t moco_op_schema(void* op, char* buffer, int32_t capacity);
MOCO_API int32_t moco_op_call(void* op, const moco_value* args, int32_t nargs, moco_value* results, int32_t capacity);

// autograd.cpp
MOCO_API int32_t moco_backward(void* tensor, void* gradient, int32_t retain_graph);
MOCO_API int32_t moco_tensor_get_grad(void* tensor, void** grad);
MOCO_API int32_t moco_tensor_set_grad(void* tensor, void* grad);
MOCO_API int32_t moco_tensor_set_requires_grad(void* tensor, int32_t requires_grad);
MOCO_API int32_t moco_grad_set_enabled(int32_t enabled);  // returns the previous state or -1

// split_batch_norm.cpp: training-mode split BN, fused, for channels-last float CPU input (autograd-aware).
MOCO_API void* moco_split_batch_norm(void* input, void* weight, void* bias, void* running_mean, void* running_var,
                                     int64_t splits, double momentum, double eps);

// runtime.cpp
MOCO_API const char* moco_torch_version();
MOCO_API int32_t moco_set_num_threads(int32_t n);
MOCO_API int32_t moco_get_num_threads();
MOCO_API int32_t moco_manual_seed(uint64_t seed);
MOCO_API int32_t moco_set_deterministic(int32_t enabled);
MOCO_API int32_t moco_cuda_device_count();
enum moco_backend_flag_id : int32_t {
  MOCO_CUDNN_BENCHMARK = 0,      // torch.backends.cudnn.benchmark
  MOCO_CUDNN_DETERMINISTIC = 1,  // torch.backends.cudnn.deterministic
  MOCO_CUDNN_ALLOW_TF32 = 2,     // torch.backends.cudnn.allow_tf32
  MOCO_CUBLAS_ALLOW_TF32 = 3,    // torch.backends.cuda.matmul.allow_tf32
};
// Sets a backend flag (value 0 or 1; negative: leave it) and returns its previous value, or -1.
MOCO_API int32_t moco_backend_flag(int32_t flag, int32_t value);
MOCO_API void* moco_rng_get_state();
MOCO_API int32_t moco_rng_set_state(void* state);
