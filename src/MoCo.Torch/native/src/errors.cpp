#include <ATen/ATen.h>
#include "moco_torch.h"
#include "guard.h"

namespace {
thread_local std::string last_error;
thread_local bool has_error = false;
}  // namespace

namespace moco {
void set_error(const std::string& message) {
  last_error = message;
  has_error = true;
}
void clear_error() { has_error = false; }
}  // namespace moco

MOCO_API const char* moco_last_error() { return has_error ? last_error.c_str() : nullptr; }
MOCO_API void moco_clear_error() { moco::clear_error(); }
