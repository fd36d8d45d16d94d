// One generic entry for every ATen operator: arguments arrive as tagged values, are pushed on an
// IValue stack (schema defaults fill the gaps) and the operator is called boxed through the c10
// dispatcher, so autograd records it like any other call.
#include <ATen/core/dispatch/Dispatcher.h>
#include <ATen/core/stack.h>
#include <cstring>
#include "moco_torch.h"
#include "guard.h"

using moco::guarded;

namespace {

c10::IValue to_ivalue(const moco_value& v, const c10::Argument& arg) {
  switch (v.tag) {
    case MOCO_NONE:
      return c10::IValue();
    case MOCO_TENSOR:
      TORCH_CHECK(v.p != nullptr, "argument '", arg.name(), "': null tensor handle");
      return c10::IValue(*static_cast<at::Tensor*>(v.p));
    case MOCO_INT:
      return c10::IValue(v.i);
    case MOCO_DOUBLE:
      return c10::IValue(v.d);
    case MOCO_BOOL:
      return c10::IValue(v.i != 0);
    case MOCO_INT_LIST: {
      const auto* data = static_cast<const int64_t*>(v.p);
      return c10::IValue(c10::List<int64_t>(std::vector<int64_t>(data, data + v.len)));
    }
    case MOCO_DOUBLE_LIST: {
      const auto* data = static_cast<const double*>(v.p);
      return c10::IValue(c10::List<double>(std::vector<double>(data, data + v.len)));
    }
    case MOCO_BOOL_LIST: {
      const auto* data = static_cast<const uint8_t*>(v.p);
      c10::List<bool> list;
      list.reserve(v.len);
      for (int32_t k = 0; k < v.len; ++k) list.push_back(data[k] != 0);
      return c10::IValue(list);
    }
    case MOCO_TENSOR_LIST: {
      auto* const* data = static_cast<at::Tensor* const*>(v.p);
      c10::List<at::Tensor> list;
      list.reserve(v.len);
      for (int32_t k = 0; k < v.len; ++k) {
        TORCH_CHECK(data[k] != nullptr, "argument '", arg.name(), "': null tensor handle at index ", k);
        list.push_back(*data[k]);
      }
      return c10::IValue(list);
    }
    case MOCO_OPT_TENSOR_LIST: {
      auto* const* data = static_cast<at::Tensor* const*>(v.p);
      c10::List<c10::optional<at::Tensor>> list;
      list.reserve(v.len);
      for (int32_t k = 0; k < v.len; ++k) {
        list.push_back(data[k] != nullptr ? c10::optional<at::Tensor>(*data[k]) : c10::nullopt);
      }
      return c10::IValue(list);
    }
    case MOCO_STRING:
      return c10::IValue(std::string(static_cast<const char*>(v.p), static_cast<size_t>(v.len)));
    case MOCO_DEVICE:
      return c10::IValue(c10::Device(static_cast<c10::DeviceType>(v.i), static_cast<c10::DeviceIndex>(v.len)));
    default:
      TORCH_CHECK(false, "argument '", arg.name(), "': unknown value tag ", v.tag);
  }
}

// Appends one result; a tensor list becomes a header followed by its tensors.
void append_result(const c10::IValue& r, moco_value* results, int32_t capacity, int32_t& count) {
  auto slot = [&]() -> moco_value& {
    TORCH_CHECK(count < capacity, "the operator returned more than ", capacity, " values");
    moco_value& v = results[count++];
    std::memset(&v, 0, sizeof(v));
    return v;
  };
  if (r.isTensor()) {
    const at::Tensor& t = r.toTensor();
    moco_value& v = slot();
    if (t.defined()) {
      v.tag = MOCO_TENSOR;
      v.p = new at::Tensor(t);
    } else {
      v.tag = MOCO_NONE;
    }
  } else if (r.isTensorList()) {
    auto list = r.toTensorList();
    moco_value& header = slot();
    header.tag = MOCO_TENSOR_LIST;
    header.len = static_cast<int32_t>(list.size());
    for (size_t k = 0; k < list.size(); ++k) append_result(c10::IValue(list.get(k)), results, capacity, count);
  } else if (r.isInt()) {
    moco_value& v = slot();
    v.tag = MOCO_INT;
    v.i = r.toInt();
  } else if (r.isDouble()) {
    moco_value& v = slot();
    v.tag = MOCO_DOUBLE;
    v.d = r.toDouble();
  } else if (r.isBool()) {
    moco_value& v = slot();
    v.tag = MOCO_BOOL;
    v.i = r.toBool() ? 1 : 0;
  } else if (r.isNone()) {
    slot().tag = MOCO_NONE;
  } else if (r.isTuple()) {
    for (const auto& e : r.toTupleRef().elements()) append_result(e, results, capacity, count);
  } else {
    TORCH_CHECK(false, "unsupported result type ", r.tagKind());
  }
}

thread_local torch::jit::Stack call_stack;

}  // namespace

MOCO_API void* moco_op_find(const char* name, const char* overload) {
  return guarded<void*>(nullptr, [&] {
    TORCH_CHECK(name != nullptr, "operator name is null");
    auto op = c10::Dispatcher::singleton().findSchema({name, overload != nullptr ? overload : ""});
    TORCH_CHECK(op.has_value(), "no operator ", name, (overload && *overload) ? "." : "",
                overload ? overload : "", " in this libtorch");
    // Operator handles live as long as the process: the C# side caches one per operator.
    return static_cast<void*>(new c10::OperatorHandle(*op));
  });
}

MOCO_API int32_t moco_op_schema(void* op, char* buffer, int32_t capacity) {
  return guarded<int32_t>(-1, [&] {
    std::ostringstream s;
    s << static_cast<c10::OperatorHandle*>(op)->schema();
    const std::string text = s.str();
    const int32_t n = static_cast<int32_t>(text.size());
    if (buffer != nullptr && capacity > 0) {
      const int32_t k = std::min(n, capacity - 1);
      std::memcpy(buffer, text.data(), static_cast<size_t>(k));
      buffer[k] = '\0';
    }
    return n;
  });
}

MOCO_API int32_t moco_op_call(void* op, const moco_value* args, int32_t nargs, moco_value* results, int32_t capacity) {
  int32_t count = 0;
  int32_t status = guarded<int32_t>(-1, [&] {
    const auto& handle = *static_cast<c10::OperatorHandle*>(op);
    const auto& schema = handle.schema();
    const auto& formals = schema.arguments();
    TORCH_CHECK(static_cast<size_t>(nargs) <= formals.size(), schema.name(), " takes ", formals.size(),
                " arguments, ", nargs, " given");
    auto& stack = call_stack;
    stack.clear();
    stack.reserve(formals.size());
    for (size_t k = 0; k < formals.size(); ++k) {
      const c10::Argument& formal = formals[k];
      if (k < static_cast<size_t>(nargs) && args[k].tag != MOCO_DEFAULT) {
        stack.emplace_back(to_ivalue(args[k], formal));
      } else {
        TORCH_CHECK(formal.default_value().has_value(), schema.name(), ": argument '", formal.name(),
                    "' has no default and was not given");
        stack.emplace_back(*formal.default_value());
      }
    }
    handle.callBoxed(&stack);
    for (const auto& r : stack) append_result(r, results, capacity, count);
    stack.clear();
    return count;
  });
  if (status < 0) {
    // Release what was already handed out so a failed call leaks nothing.
    for (int32_t k = 0; k < count; ++k) {
      if (results[k].tag == MOCO_TENSOR) delete static_cast<at::Tensor*>(results[k].p);
    }
    call_stack.clear();
  }
  return status;
}
