// Split batch normalisation for channels-last float CPU tensors, as one autograd function with a fused forward and
// backward (two passes each, like libtorch's own BatchNorm kernel). Sample n belongs to sub-batch n mod S — MoCo's
// CIFAR demo's grouping, reached there by viewing N×C×H×W as (N/S)×(S·C)×H×W, which channels-last memory cannot
// express as a view (so libtorch would copy the activations twice per layer).
#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <torch/csrc/autograd/custom_function.h>
#include <cmath>
#include <vector>
#include "moco_torch.h"
#include "guard.h"

namespace {

using torch::autograd::AutogradContext;
using torch::autograd::tensor_list;

// Per-(group, channel) sums over a channels-last N×C×H×W float tensor, where memory holds, per sample n, H·W rows
// of C contiguous values. Each sample is summed in float lane by lane over its rows (vectorisable: the lanes are
// independent), then added in double into its thread's (group, channel) accumulators; threads combine at the end.
// sample_fn(n, float* lanes) fills `width` × C float lanes for sample n.
template <typename SampleFn>
std::vector<double> reduce_samples(int64_t N, int64_t C, int64_t S, int64_t width, SampleFn&& sample_fn) {
  const int threads = at::get_num_threads();
  const size_t size = static_cast<size_t>(S * C * width);
  std::vector<std::vector<double>> partial(static_cast<size_t>(threads), std::vector<double>(size, 0.0));
  at::parallel_for(0, N, 1, [&](int64_t begin, int64_t end) {
    auto& acc = partial[static_cast<size_t>(at::get_thread_num())];
    std::vector<float> lanes(static_cast<size_t>(C * width));
    for (int64_t n = begin; n < end; ++n) {
      std::fill(lanes.begin(), lanes.end(), 0.0f);
      sample_fn(n, lanes.data());
      double* a = acc.data() + (n % S) * C * width;
      for (int64_t k = 0; k < C * width; ++k) a[k] += lanes[static_cast<size_t>(k)];
    }
  });
  std::vector<double> total(size, 0.0);
  for (const auto& p : partial)
    for (size_t k = 0; k < size; ++k) total[k] += p[k];
  return total;
}

struct SplitBatchNorm : public torch::autograd::Function<SplitBatchNorm> {
  static at::Tensor forward(AutogradContext* ctx, const at::Tensor& x, const at::Tensor& weight, const at::Tensor& bias,
                            const at::Tensor& running_mean, const at::Tensor& running_var, int64_t S, double momentum,
                            double eps) {
    const int64_t N = x.size(0), C = x.size(1), HW = x.size(2) * x.size(3);
    const int64_t M = (N / S) * HW;  // elements per (group, channel)
    const float* px = x.data_ptr<float>();
    // sums layout per (group): [Σx over C channels][Σx² over C channels]
    auto sums = reduce_samples(N, C, S, 2, [&](int64_t n, float* lanes) {
      float* sx = lanes;
      float* sxx = lanes + C;
      for (int64_t p = 0; p < HW; ++p) {
        const float* row = px + (n * HW + p) * C;
        for (int64_t c = 0; c < C; ++c) {
          sx[c] += row[c];
          sxx[c] += row[c] * row[c];
        }
      }
    });
    // scale = γ / √(σ² + ε), shift = β − μ·scale per (group, channel); saved: mean and invstd for backward.
    at::Tensor mean = at::empty({S, C}, x.options());
    at::Tensor invstd = at::empty({S, C}, x.options());
    at::Tensor scale = at::empty({S, C}, x.options());
    at::Tensor shift = at::empty({S, C}, x.options());
    const float* w = weight.data_ptr<float>();
    const float* b = bias.data_ptr<float>();
    std::vector<double> mean_sum(static_cast<size_t>(C), 0.0), var_sum(static_cast<size_t>(C), 0.0);
    for (int64_t g = 0; g < S; ++g) {
      for (int64_t c = 0; c < C; ++c) {
        const double m = sums[g * 2 * C + c] / M;
        const double var = std::max(sums[g * 2 * C + C + c] / M - m * m, 0.0);
        const double is = 1.0 / std::sqrt(var + eps);
        mean.data_ptr<float>()[g * C + c] = static_cast<float>(m);
        invstd.data_ptr<float>()[g * C + c] = static_cast<float>(is);
        scale.data_ptr<float>()[g * C + c] = static_cast<float>(w[c] * is);
        shift.data_ptr<float>()[g * C + c] = static_cast<float>(b[c] - m * w[c] * is);
        mean_sum[static_cast<size_t>(c)] += m;
        var_sum[static_cast<size_t>(c)] += M > 1 ? var * M / (M - 1) : var;  // unbiased, as BatchNorm's running_var
      }
    }
    {
      // Running statistics: the mean over the sub-batches of each one's update (the demo's copy_ of the mean).
      at::NoGradGuard no_grad;
      float* rm = running_mean.data_ptr<float>();
      float* rv = running_var.data_ptr<float>();
      for (int64_t c = 0; c < C; ++c) {
        rm[c] = static_cast<float>((1 - momentum) * rm[c] + momentum * mean_sum[static_cast<size_t>(c)] / S);
        rv[c] = static_cast<float>((1 - momentum) * rv[c] + momentum * var_sum[static_cast<size_t>(c)] / S);
      }
    }
    at::Tensor y = at::empty_like(x, x.options(), at::MemoryFormat::ChannelsLast);
    float* py = y.data_ptr<float>();
    const float* sc = scale.data_ptr<float>();
    const float* sh = shift.data_ptr<float>();
    at::parallel_for(0, N, 1, [&](int64_t begin, int64_t end) {
      for (int64_t n = begin; n < end; ++n) {
        const float* a = sc + (n % S) * C;
        const float* d = sh + (n % S) * C;
        for (int64_t p = 0; p < HW; ++p) {
          const float* in = px + (n * HW + p) * C;
          float* out = py + (n * HW + p) * C;
          for (int64_t c = 0; c < C; ++c) out[c] = in[c] * a[c] + d[c];
        }
      }
    });
    ctx->save_for_backward({x, weight, mean, invstd});
    ctx->saved_data["S"] = S;
    return y;
  }

  static tensor_list backward(AutogradContext* ctx, tensor_list grads) {
    auto saved = ctx->get_saved_variables();
    const at::Tensor& x = saved[0];
    const at::Tensor& weight = saved[1];
    const at::Tensor& mean = saved[2];
    const at::Tensor& invstd = saved[3];
    const int64_t S = ctx->saved_data["S"].toInt();
    at::Tensor dy = grads[0].contiguous(at::MemoryFormat::ChannelsLast);
    const int64_t N = x.size(0), C = x.size(1), HW = x.size(2) * x.size(3);
    const double M = static_cast<double>((N / S) * HW);
    const float* px = x.data_ptr<float>();
    const float* pdy = dy.data_ptr<float>();
    const float* mu = mean.data_ptr<float>();
    const float* is = invstd.data_ptr<float>();
    // Σ dy and Σ dy·x̂ per (group, channel).
    // Σ dy and Σ dy·(x − μ) per (group, channel); Σ dy·x̂ = invstd · Σ dy·(x − μ).
    auto sums = reduce_samples(N, C, S, 2, [&](int64_t n, float* lanes) {
      const float* m = mu + (n % S) * C;
      float* sdy = lanes;
      float* sdyx = lanes + C;
      for (int64_t p = 0; p < HW; ++p) {
        const float* xr = px + (n * HW + p) * C;
        const float* dr = pdy + (n * HW + p) * C;
        for (int64_t c = 0; c < C; ++c) {
          sdy[c] += dr[c];
          sdyx[c] += dr[c] * (xr[c] - m[c]);
        }
      }
    });
    at::Tensor dweight = at::zeros({C}, x.options());
    at::Tensor dbias = at::zeros({C}, x.options());
    std::vector<float> k1(static_cast<size_t>(S * C)), k2(static_cast<size_t>(S * C));
    const float* w = weight.data_ptr<float>();
    for (int64_t g = 0; g < S; ++g) {
      for (int64_t c = 0; c < C; ++c) {
        const double sdy = sums[g * 2 * C + c], sdyx = sums[g * 2 * C + C + c] * is[g * C + c];
        dweight.data_ptr<float>()[c] += static_cast<float>(sdyx);
        dbias.data_ptr<float>()[c] += static_cast<float>(sdy);
        // dx = γ·invstd·(dy − Σdy/M − x̂·Σ(dy·x̂)/M)
        k1[static_cast<size_t>(g * C + c)] = static_cast<float>(sdy / M);
        k2[static_cast<size_t>(g * C + c)] = static_cast<float>(sdyx / M);
      }
    }
    at::Tensor dx = at::empty_like(x, x.options(), at::MemoryFormat::ChannelsLast);
    float* pdx = dx.data_ptr<float>();
    // dx = a·dy + b·x + d per (group, channel), with a = γ·invstd, b = −a·invstd·k2, d = −a·(k1 − invstd·k2·μ).
    std::vector<float> fa(static_cast<size_t>(S * C)), fb(static_cast<size_t>(S * C)), fd(static_cast<size_t>(S * C));
    for (int64_t k = 0; k < S * C; ++k) {
      const double a = static_cast<double>(w[k % C]) * is[k];
      fa[static_cast<size_t>(k)] = static_cast<float>(a);
      fb[static_cast<size_t>(k)] = static_cast<float>(-a * is[k] * k2[static_cast<size_t>(k)]);
      fd[static_cast<size_t>(k)] = static_cast<float>(-a * (k1[static_cast<size_t>(k)] - is[k] * k2[static_cast<size_t>(k)] * mu[k]));
    }
    at::parallel_for(0, N, 1, [&](int64_t begin, int64_t end) {
      for (int64_t n = begin; n < end; ++n) {
        const float* a = fa.data() + (n % S) * C;
        const float* bb = fb.data() + (n % S) * C;
        const float* d = fd.data() + (n % S) * C;
        for (int64_t p = 0; p < HW; ++p) {
          const float* xr = px + (n * HW + p) * C;
          const float* dr = pdy + (n * HW + p) * C;
          float* out = pdx + (n * HW + p) * C;
          for (int64_t c = 0; c < C; ++c) out[c] = a[c] * dr[c] + bb[c] * xr[c] + d[c];
        }
      }
    });
    return {dx, dweight, dbias, at::Tensor(), at::Tensor(), at::Tensor(), at::Tensor(), at::Tensor()};
  }
};

}  // namespace

MOCO_API void* moco_split_batch_norm(void* input, void* weight, void* bias, void* running_mean, void* running_var,
                                     int64_t splits, double momentum, double eps) {
  return moco::guarded<void*>(nullptr, [&] {
    const at::Tensor& x = moco::as_tensor(input);
    TORCH_CHECK(x.dim() == 4, "split batch norm expects N×C×H×W input, got ", x.sizes());
    TORCH_CHECK(x.scalar_type() == at::kFloat && x.device().is_cpu(), "split batch norm (fused) needs a float CPU tensor");
    TORCH_CHECK(x.is_contiguous(at::MemoryFormat::ChannelsLast), "split batch norm (fused) needs channels-last input");
    TORCH_CHECK(splits > 0 && x.size(0) % splits == 0, "batch size ", x.size(0), " is not divisible by ", splits, " splits");
    const int64_t C = x.size(1);
    for (void* t : {weight, bias, running_mean, running_var}) {
      const at::Tensor& p = moco::as_tensor(t);
      TORCH_CHECK(p.numel() == C && p.is_contiguous() && p.scalar_type() == at::kFloat, "per-channel tensors must be ", C, " contiguous floats");
    }
    at::Tensor y = SplitBatchNorm::apply(x, moco::as_tensor(weight), moco::as_tensor(bias), moco::as_tensor(running_mean),
                                         moco::as_tensor(running_var), splits, momentum, eps);
    return static_cast<void*>(new at::Tensor(std::move(y)));
  });
}
