namespace MoCo.Training.Method;

/// <summary>The command-line names of <see cref="ContrastiveMethod"/>: moco, end-to-end, memory-bank.</summary>
public static class ContrastiveMethodNames
{
    /// <summary>The names, in enum order.</summary>
    public static IReadOnlyList<string> All { get; } = ["moco", "end-to-end", "memory-bank"];

    /// <summary>The method named <paramref name="name"/> (case-insensitive).</summary>
    /// <exception cref="ArgumentException">An unknown name; the message lists the known ones.</exception>
    public static ContrastiveMethod Parse(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return name.Trim().ToLowerInvariant() switch
        {
            "moco" => ContrastiveMethod.MoCo,
            "end-to-end" => ContrastiveMethod.EndToEnd,
            "memory-bank" => ContrastiveMethod.MemoryBank,
            _ => throw new ArgumentException($"unknown method '{name}': use {string.Join(", ", All)}", nameof(name)),
        };
    }

    /// <summary>The command-line name of <paramref name="method"/>.</summary>
    public static string Format(ContrastiveMethod method) => method switch
    {
        ContrastiveMethod.MoCo => "moco",
        ContrastiveMethod.EndToEnd => "end-to-end",
        ContrastiveMethod.MemoryBank => "memory-bank",
        _ => throw new ArgumentOutOfRangeException(nameof(method), method, "unknown method"),
    };
}
