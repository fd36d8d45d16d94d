using System.Security.Cryptography;
using System.Text;
using MoCo.Evaluation;
using MoCo.Extraction.Reading;

namespace MoCo.Search;

/// <summary>
/// A store's readable rows in store order, held in memory: what search, the index and dedup work on. Row r is
/// <see cref="Features"/>' row r, source item <see cref="Items"/>[r], file <see cref="Paths"/>[r], label
/// <see cref="Labels"/>[r] (−1: none). <see cref="ModelSha256"/> and <see cref="Preprocessing"/> say which encoder made
/// the features, so a query image is featurised the same way and an index of another model is never reused.
/// </summary>
internal sealed record StoreRows(
    FeatureMatrix Features,
    IReadOnlyList<int> Items,
    IReadOnlyList<int> Labels,
    IReadOnlyList<string> Paths,
    string ModelSha256,
    string Preprocessing)
{
    /// <summary>Rows held.</summary>
    public int Count => Features.Rows;

    /// <summary>Class names by label; empty when the store does not know them.</summary>
    public IReadOnlyList<string> LabelNames { get; init; } = [];

    /// <summary>Every readable row of the store <paramref name="store"/> reads (in memory: rows × D floats).</summary>
    public static StoreRows Load(FeatureStoreReader store)
    {
        ArgumentNullException.ThrowIfNull(store);
        var table = store.ReadAll();
        return new StoreRows(table.Features, table.Items, table.Labels, table.Paths, store.ModelSha256, store.Preprocessing) { LabelNames = store.LabelNames };
    }

    /// <summary>Label <paramref name="label"/> as text: its class name where known, the number otherwise, null for none.</summary>
    public string? LabelText(int label) => label < 0 ? null : label < LabelNames.Count ? LabelNames[label] : label.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Throws unless the lists and the matrix agree on the row count.</summary>
    public void Validate()
    {
        ArgumentNullException.ThrowIfNull(Features);
        if (Items.Count != Count || Labels.Count != Count || Paths.Count != Count)
        {
            throw new ArgumentException($"{Count} feature rows but {Items.Count} items, {Labels.Count} labels, {Paths.Count} paths.");
        }
    }

    /// <summary>
    /// SHA-256 of the first <paramref name="rows"/> rows' item numbers and paths, in order: an index built over those rows
    /// is still valid for this store when the hash is the same (a store grows by appending rows; a merge or a new
    /// extraction renumbers them).
    /// </summary>
    public string Fingerprint(long rows)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(rows, Count);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        Span<byte> item = stackalloc byte[4];
        for (var r = 0; r < rows; r++)
        {
            System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(item, Items[r]);
            hash.AppendData(item);
            hash.AppendData(Encoding.UTF8.GetBytes(Paths[r]));
            hash.AppendData([0]);
        }

        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }
}
