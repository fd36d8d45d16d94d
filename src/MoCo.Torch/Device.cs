namespace MoCo.Torch;

/// <summary>Device kinds, numbered as libtorch's c10::DeviceType.</summary>
public enum DeviceType
{
    /// <summary>The CPU.</summary>
    CPU = 0,
    /// <summary>An NVIDIA GPU.</summary>
    CUDA = 1,
}

/// <summary>A device: a kind and, for GPUs, an index (-1: the current one).</summary>
public readonly record struct Device(DeviceType Type, int Index = -1)
{
    /// <summary>The CPU.</summary>
    public static Device CPU { get; } = new(DeviceType.CPU);

    /// <summary>Parses "cpu", "cuda" or "cuda:1".</summary>
    public static Device Parse(string text)
    {
        ArgumentException.ThrowIfNullOrEmpty(text);
        string t = text.Trim().ToLowerInvariant();
        if (t == "cpu") return CPU;
        if (t == "cuda") return new Device(DeviceType.CUDA);
        if (t.StartsWith("cuda:", StringComparison.Ordinal) && int.TryParse(t.AsSpan(5), out int index) && index >= 0)
            return new Device(DeviceType.CUDA, index);
        throw new FormatException($"'{text}' is not a device: use cpu, cuda or cuda:N");
    }

    /// <inheritdoc/>
    public override string ToString() => Type == DeviceType.CPU ? "cpu" : Index < 0 ? "cuda" : $"cuda:{Index}";
}
