using System.Text.Json;
using MoCo.Training.Method;

namespace MoCo.Training.Ablation;

/// <summary>What became of one grid point: trained and evaluated ("ok"), "failed" (refused by validation, diverged, or an
/// error during training), or "skipped"; <see cref="Reason"/> says why for the last two.</summary>
public sealed record AblationResult
{
    /// <summary>"ok", "failed" or "skipped".</summary>
    public string Status { get; init; } = "ok";
    /// <summary>Why the point failed or was skipped.</summary>
    public string? Reason { get; init; }
    /// <summary>The point's folder name.</summary>
    public string Name { get; init; } = "";
    /// <summary>The sweeps the point belongs to.</summary>
    public IReadOnlyList<string> Sweeps { get; init; } = [];
    /// <summary>The mechanism's command-line name.</summary>
    public string Method { get; init; } = "";
    /// <summary>Negatives per query.</summary>
    public int Negatives { get; init; }
    /// <summary>Key-encoder momentum.</summary>
    public double Momentum { get; init; }
    /// <summary>Shuffle BN on.</summary>
    public bool ShuffleBn { get; init; }
    /// <summary>Batch size.</summary>
    public int BatchSize { get; init; }
    /// <summary>Epochs trained.</summary>
    public int Epochs { get; init; }
    /// <summary>The mean loss of the last logged interval.</summary>
    public double? FinalLoss { get; init; }
    /// <summary>kNN top-1 (0–1) of the query encoder's features.</summary>
    public double? KnnTop1 { get; init; }
    /// <summary>Linear-probe top-1 (0–1) on frozen features.</summary>
    public double? LinearTop1 { get; init; }
    /// <summary>The kNN protocol that gave <see cref="KnnTop1"/> (<c>KnnOptions.Name</c>, e.g. <c>knn:cosine:k=200:t=0.1</c>);
    /// null in results written before protocols were named.</summary>
    public string? KnnProtocol { get; init; }
    /// <summary>The linear protocol and trainer that gave <see cref="LinearTop1"/> (<c>LinearProbeOptions.Name</c>, e.g.
    /// <c>linear:adam:l2=0.0001:steps=500:lr=0.05</c>); null in results written before protocols were named.</summary>
    public string? LinearProtocol { get; init; }
    /// <summary>Seconds of training and evaluation in the process that finished the point (earlier, interrupted processes'
    /// time is not counted).</summary>
    public double Seconds { get; init; }

    /// <summary>A result for <paramref name="point"/> with its fields filled in.</summary>
    public static AblationResult For(AblationPoint point, int epochs)
    {
        ArgumentNullException.ThrowIfNull(point);
        return new AblationResult
        {
            Name = point.Name, Sweeps = point.Sweeps, Method = point.Untrained ? AblationPoint.RandomInit : ContrastiveMethodNames.Format(point.Method),
            Negatives = point.Negatives, Momentum = point.Momentum, ShuffleBn = point.ShuffleBn, BatchSize = point.BatchSize, Epochs = point.Untrained ? 0 : epochs,
        };
    }

    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true };

    /// <summary>Writes the result as JSON to <paramref name="path"/> atomically (a temporary file, then a rename).</summary>
    public void Save(string path)
    {
        string temporary = path + ".tmp";
        File.WriteAllText(temporary, JsonSerializer.Serialize(this, Json));
        File.Move(temporary, path, overwrite: true);
    }

    /// <summary>Reads a result written by <see cref="Save"/>.</summary>
    public static AblationResult Load(string path) =>
        JsonSerializer.Deserialize<AblationResult>(File.ReadAllText(path), Json) ?? throw new InvalidDataException($"{path} holds no result");
}
