using System.Globalization;
using System.Text.Json;
using MoCo.MLNet;

namespace MoCo.Extraction.Store;

/// <summary>
/// What a store's features depend on, kept in its manifest (<c>settings</c> table). A run into an existing store must
/// agree on every value that <see cref="Mismatches"/> compares, or it is refused: one store holds one model's
/// features of one source. <see cref="LabelNames"/> (the source's class names by label) is kept since issue 20 and is
/// absent from older stores; it follows from the source listing, so it is not compared.
/// </summary>
internal sealed record StoreSettings(
    string ModelSha256,
    string ModelPath,
    string Preprocessing,
    int FeatureDimension,
    StoreFormat Format,
    string Source,
    string SourceFingerprint,
    int SourceCount,
    string JobShard,
    bool Labelled,
    IReadOnlyList<string>? LabelNames = null)
{
    /// <summary>The store layout written; a reader refuses a store whose version it does not know.</summary>
    public const string FormatVersion = "1";

    /// <summary>Optional key (since issue 20): the class names as a JSON array of strings.</summary>
    private const string LabelNamesKey = "label_names";

    /// <summary>The preprocessing as one line (<see cref="MoCo.Onnx.Metadata.EncoderPreprocessing.Describe"/>: resize, crop, channels,
    /// mean, std as round-trip floats), the form every store keeps; a run is refused when its line differs.</summary>
    public static string Describe(MoCoPreprocessing p) => p.ToEncoderPreprocessing().Describe();

    public IEnumerable<(string Key, string Value)> ToPairs()
    {
        yield return ("format_version", FormatVersion);
        yield return ("model_sha256", ModelSha256);
        yield return ("model_path", ModelPath);
        yield return ("preprocessing", Preprocessing);
        yield return ("feature_dim", FeatureDimension.ToString(CultureInfo.InvariantCulture));
        yield return ("format", Format.ToString().ToLowerInvariant());
        yield return ("source", Source);
        yield return ("source_fingerprint", SourceFingerprint);
        yield return ("source_count", SourceCount.ToString(CultureInfo.InvariantCulture));
        yield return ("job_shard", JobShard);
        yield return ("labelled", Labelled ? "true" : "false");
        if (LabelNames is { Count: > 0 })
        {
            yield return (LabelNamesKey, JsonSerializer.Serialize(LabelNames));
        }
    }

    public static StoreSettings FromPairs(IReadOnlyDictionary<string, string> m, string store)
    {
        string Get(string key) => m.TryGetValue(key, out var v) ? v : throw new InvalidDataException($"store {store}: its manifest lacks the setting '{key}'.");
        if (Get("format_version") != FormatVersion)
        {
            throw new InvalidDataException($"store {store} has format version {Get("format_version")}; this moco reads version {FormatVersion}.");
        }

        try
        {
            return new StoreSettings(Get("model_sha256"), Get("model_path"), Get("preprocessing"), int.Parse(Get("feature_dim"), CultureInfo.InvariantCulture),
                Enum.Parse<StoreFormat>(Get("format"), ignoreCase: true), Get("source"), Get("source_fingerprint"),
                int.Parse(Get("source_count"), CultureInfo.InvariantCulture), Get("job_shard"), Get("labelled") == "true",
                m.TryGetValue(LabelNamesKey, out var names) ? JsonSerializer.Deserialize<string[]>(names) : null);
        }
        catch (Exception e) when (e is FormatException or ArgumentException or OverflowException or JsonException)
        {
            throw new InvalidDataException($"store {store}: unreadable settings: {e.Message}", e);
        }
    }

    /// <summary>The differences that forbid adding this run's features to a store made with <paramref name="stored"/>, as lines.</summary>
    public IReadOnlyList<string> Mismatches(StoreSettings stored)
    {
        var lines = new List<string>();
        void Check(string what, string mine, string theirs)
        {
            if (mine != theirs)
            {
                lines.Add($"{what}: the store has {theirs}, this run has {mine}");
            }
        }

        Check("model (SHA-256)", $"{ModelSha256} ({ModelPath})", $"{stored.ModelSha256} ({stored.ModelPath})");
        if (ModelSha256 == stored.ModelSha256)
        {
            lines.RemoveAll(l => l.StartsWith("model", StringComparison.Ordinal)); // same bytes, moved file: fine
        }

        Check("preprocessing", Preprocessing, stored.Preprocessing);
        Check("feature dimension", FeatureDimension.ToString(CultureInfo.InvariantCulture), stored.FeatureDimension.ToString(CultureInfo.InvariantCulture));
        Check("format", Format.ToString().ToLowerInvariant(), stored.Format.ToString().ToLowerInvariant());
        Check("source", Source, stored.Source);
        Check("source listing (SHA-256 of names and labels)", $"{SourceFingerprint} ({SourceCount} items)", $"{stored.SourceFingerprint} ({stored.SourceCount} items)");
        Check("--shard", JobShard, stored.JobShard);
        return lines;
    }
}

/// <summary>How feature files are written.</summary>
internal enum StoreFormat
{
    /// <summary>Parquet (Parquet.Net): columns path, label (labelled sources), features (list of float32).</summary>
    Parquet,

    /// <summary>NumPy .npy: float32 [rows, D]; the manifest gives each row's path and label.</summary>
    Npy,
}
