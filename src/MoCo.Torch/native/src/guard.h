// Exception barrier for the C entries: every exception becomes a stored message and a sentinel.
#pragma once
#include <exception>
#include <string>
#include <ATen/ATen.h>

namespace moco {
void set_error(const std::string& message);
void clear_error();

template <typename R, typename F>
R guarded(R failure, F&& body) noexcept {
  try {
    // The message slot is only written on failure: callers read it only after a sentinel.
    return body();
  } catch (const c10::Error& e) {
    // what_without_backtrace: libtorch's message without the C++ stack trace.
    set_error(e.what_without_backtrace());
  } catch (const std::exception& e) {
    set_error(e.what());
  } catch (...) {
    set_error("unknown native exception");
  }
  return failure;
}

inline at::Tensor& as_tensor(void* handle) {
  TORCH_CHECK(handle != nullptr, "null tensor handle");
  return *static_cast<at::Tensor*>(handle);
}
}  // namespace moco
