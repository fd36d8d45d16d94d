using System.Globalization;

namespace MoCo.Cli.Options;

/// <summary>Where a command computes: the CPU or a CUDA device. The one parser of <c>--device</c>.</summary>
/// <param name="IsCuda">A CUDA device rather than the CPU.</param>
/// <param name="Index">The CUDA device's index; null for <c>cuda</c> (the current device, 0 for ONNX Runtime).</param>
internal sealed record ComputeDevice(bool IsCuda, int? Index)
{
    /// <summary>The CPU.</summary>
    internal static ComputeDevice Cpu { get; } = new(false, null);

    /// <summary><c>cpu</c>, <c>cuda</c> or <c>cuda:N</c> (case and surrounding blanks ignored).</summary>
    /// <exception cref="ArgumentException">Anything else.</exception>
    internal static ComputeDevice Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        string name = text.Trim().ToLowerInvariant();
        if (name == "cpu") return Cpu;
        if (name == "cuda") return new ComputeDevice(true, null);
        if (name.StartsWith("cuda:", StringComparison.Ordinal) && int.TryParse(name.AsSpan(5), NumberStyles.None, CultureInfo.InvariantCulture, out int index))
            return new ComputeDevice(true, index);
        throw new ArgumentException($"--device '{text}' is not cpu, cuda or cuda:N");
    }

    /// <summary>The name libtorch takes (and a pretraining config keeps): cpu, cuda or cuda:N.</summary>
    internal string Name => !IsCuda ? "cpu" : Index is { } i ? $"cuda:{i.ToString(CultureInfo.InvariantCulture)}" : "cuda";

    /// <summary>ONNX Runtime's CUDA device id, or null for the CPU.</summary>
    internal int? OnnxDeviceId => IsCuda ? Index ?? 0 : null;

    public override string ToString() => Name;
}
