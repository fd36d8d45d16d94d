using TorchSharp.Modules;

namespace MoCo.Training.Models;

/// <summary>
/// oneDNN in libtorch on x86 crashes the process (segmentation fault, or glibc's `double free or corruption`) in the
/// weight gradient of a channels-last 1×1 stride-2 convolution with 2–8 input channels: the shortcut of layer2 in a
/// narrow ResNet (width ≤ 8). Measured here on an AVX-512 Xeon with TorchSharp's libtorch 2.10 at 56×56 and above (not
/// at 32×32; 1 and ≥ 9 channels, 3×3 and stride-1 convolutions are fine), as with Debian's libtorch 1.13.1 before it
/// (2–7 channels on AVX2 AMD, 8 at 224×224 on AVX-512). Those convolutions run in NCHW and hand back channels-last;
/// they are a few small layers, so the copies cost little. Tested in ChannelsLastTests against NCHW.
/// </summary>
internal static class ConvLayoutGuard
{
    internal static Tensor Forward(Conv2d conv, Tensor x)
    {
        if (!Affected(conv, x)) return conv.forward(x);
        using var scope = NewDisposeScope();
        var y = nn.functional.conv2d(x.ToRowMajor(), conv.weight.ToRowMajor(), conv.bias, conv.stride, conv.padding, conv.dilation, conv.groups);
        return y.ToChannelsLast().MoveToOuterDisposeScope();
    }

    internal static bool Affected(Conv2d conv, Tensor x) =>
        x.device_type == DeviceType.CPU && conv.in_channels is >= 2 and <= 8 && conv.kernel_size.All(k => k == 1)
        && conv.stride.Any(s => s > 1) && x.IsChannelsLast() && !x.is_contiguous();
}
