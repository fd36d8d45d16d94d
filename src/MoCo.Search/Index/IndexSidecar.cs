using System.Text.Json;
using System.Text.Json.Serialization;

namespace MoCo.Search.Index;

/// <summary>
/// <c>index.json</c> beside <c>index.usearch</c>: which store rows the index covers (the first <see cref="Rows"/>, whose
/// item numbers and paths hash to <see cref="RowsSha256"/>) and which model made them, so <c>moco index</c> adds only
/// new rows and nobody searches an index of another model's features.
/// </summary>
internal sealed record IndexSidecar
{
    /// <summary>This layout; a reader refuses versions it does not know (and <c>moco index</c> rebuilds).</summary>
    public const int CurrentVersion = 1;

    [JsonPropertyName("format_version")]
    public int FormatVersion { get; init; } = CurrentVersion;

    [JsonPropertyName("rows")]
    public long Rows { get; init; }

    [JsonPropertyName("rows_sha256")]
    public string RowsSha256 { get; init; } = "";

    [JsonPropertyName("model_sha256")]
    public string ModelSha256 { get; init; } = "";

    [JsonPropertyName("preprocessing")]
    public string Preprocessing { get; init; } = "";

    [JsonPropertyName("dimension")]
    public int Dimension { get; init; }

    [JsonPropertyName("metric")]
    public string Metric { get; init; } = "cos";

    [JsonPropertyName("connectivity")]
    public int Connectivity { get; init; }

    [JsonPropertyName("expansion_add")]
    public int ExpansionAdd { get; init; }

    [JsonPropertyName("usearch")]
    public string USearchVersion { get; init; } = "";

    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    /// <summary>The sidecar at <paramref name="path"/>, or null when absent.</summary>
    /// <exception cref="InvalidDataException">It is not a sidecar this version reads.</exception>
    public static IndexSidecar? Read(string path)
    {
        if (!File.Exists(path))
        {
            return null;
        }

        IndexSidecar? sidecar;
        try
        {
            sidecar = JsonSerializer.Deserialize<IndexSidecar>(File.ReadAllText(path));
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: unreadable index sidecar: {e.Message}", e);
        }

        if (sidecar is null || sidecar.FormatVersion != CurrentVersion)
        {
            throw new InvalidDataException($"{path}: index sidecar format {sidecar?.FormatVersion}; this moco reads {CurrentVersion}.");
        }

        return sidecar;
    }

    /// <summary>Writes it to <paramref name="path"/> (a temporary file, then a rename).</summary>
    public void Write(string path)
    {
        var temporary = path + ".tmp";
        File.WriteAllText(temporary, JsonSerializer.Serialize(this, Indented));
        File.Move(temporary, path, overwrite: true);
    }
}
