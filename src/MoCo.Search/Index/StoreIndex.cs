using System.Diagnostics;
using MoCo.Search.Ann;

namespace MoCo.Search.Index;

/// <summary>
/// The ANN index kept in a store's folder: <c>index.usearch</c> (USearch's HNSW graph, keys = row numbers) and
/// <c>index.json</c> (<see cref="IndexSidecar"/>). <see cref="Update"/> adds the rows appended since the last update and
/// rebuilds only when the index no longer describes the store (another model, renumbered rows, another graph shape,
/// an interrupted update); <see cref="Open"/> gives searches the index with the rows it covers.
/// </summary>
internal static class StoreIndex
{
    public const string IndexFileName = "index.usearch";
    public const string SidecarFileName = "index.json";

    /// <summary>Brings the index in <paramref name="folder"/> up to <paramref name="rows"/>, building it when there is none.</summary>
    public static IndexUpdate Update(string folder, StoreRows rows, HnswParameters parameters, int threads)
    {
        ArgumentException.ThrowIfNullOrEmpty(folder);
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentNullException.ThrowIfNull(parameters);
        parameters.Validate();
        rows.Validate();
        // The index files are the store's: one writer at a time, as for extract and merge (refused naming the holder).
        using var writer = MoCo.Extraction.StoreWriterLock.Acquire(folder, "moco index");
        var clock = Stopwatch.StartNew();
        var (index, covered, why) = OpenCovering(folder, rows, parameters);
        string? rebuilt = null;
        if (index is null)
        {
            rebuilt = why;
            covered = 0;
            index = HnswCosineIndex.Create(rows.Features.Columns, parameters);
        }

        using (index)
        {
            var added = rows.Count - covered;
            index.Add(rows.Features, (int)covered, (int)added, covered, threads);
            if (added > 0 || rebuilt is not null)
            {
                // The graph first, then the sidecar that vouches for it: a crash between the two leaves a sidecar whose
                // row count differs from the graph's, which the next update sees and rebuilds.
                index.Save(Path.Combine(folder, IndexFileName));
                new IndexSidecar
                {
                    Rows = rows.Count,
                    RowsSha256 = rows.Fingerprint(rows.Count),
                    ModelSha256 = rows.ModelSha256,
                    Preprocessing = rows.Preprocessing,
                    Dimension = rows.Features.Columns,
                    Connectivity = parameters.Connectivity,
                    ExpansionAdd = parameters.ExpansionAdd,
                    USearchVersion = HnswCosineIndex.NativeVersion,
                }.Write(Path.Combine(folder, SidecarFileName));
            }

            return new IndexUpdate(covered, added, rows.Count, rebuilt, clock.Elapsed.TotalSeconds);
        }
    }

    /// <summary>
    /// The index in <paramref name="folder"/> if it describes <paramref name="rows"/> (all of them, or a first part of
    /// them: <c>Covered</c> rows; the rest are for the caller to search exactly); otherwise null and the reason.
    /// </summary>
    public static (HnswCosineIndex? Index, long Covered, string? Why) Open(string folder, StoreRows rows) => OpenCovering(folder, rows, null);

    private static (HnswCosineIndex? Index, long Covered, string? Why) OpenCovering(string folder, StoreRows rows, HnswParameters? wanted)
    {
        var indexPath = Path.Combine(folder, IndexFileName);
        var sidecarPath = Path.Combine(folder, SidecarFileName);
        if (!File.Exists(indexPath) || !File.Exists(sidecarPath))
        {
            return (null, 0, null);
        }

        IndexSidecar sidecar;
        try
        {
            sidecar = IndexSidecar.Read(sidecarPath)!;
        }
        catch (InvalidDataException e)
        {
            return (null, 0, e.Message);
        }

        var why = Mismatch(sidecar, rows, wanted);
        if (why is not null)
        {
            return (null, 0, why);
        }

        HnswCosineIndex index;
        try
        {
            index = HnswCosineIndex.Load(indexPath);
        }
        catch (InvalidDataException e)
        {
            return (null, 0, e.Message);
        }

        if (index.Count != sidecar.Rows || index.Dimension != sidecar.Dimension)
        {
            var found = $"{index.Count} rows of {index.Dimension}";
            index.Dispose();
            return (null, 0, $"{indexPath} holds {found}, {SidecarFileName} says {sidecar.Rows} of {sidecar.Dimension} (an interrupted update)");
        }

        return (index, sidecar.Rows, null);
    }

    private static string? Mismatch(IndexSidecar sidecar, StoreRows rows, HnswParameters? wanted)
    {
        if (sidecar.ModelSha256 != rows.ModelSha256)
        {
            return $"the index holds features of model {sidecar.ModelSha256}, the store's are of {rows.ModelSha256}";
        }

        if (sidecar.Preprocessing != rows.Preprocessing || sidecar.Dimension != rows.Features.Columns)
        {
            return $"the index was built with preprocessing '{sidecar.Preprocessing}' ({sidecar.Dimension} features), the store has '{rows.Preprocessing}' ({rows.Features.Columns})";
        }

        if (sidecar.Rows > rows.Count || sidecar.RowsSha256 != rows.Fingerprint(sidecar.Rows))
        {
            return $"the store's first {Math.Min(sidecar.Rows, rows.Count)} rows are not the {sidecar.Rows} the index was built over (a merged or re-extracted store)";
        }

        if (wanted is not null && (wanted.Connectivity != sidecar.Connectivity || wanted.ExpansionAdd != sidecar.ExpansionAdd))
        {
            return $"the index was built with connectivity {sidecar.Connectivity}, expansion-add {sidecar.ExpansionAdd}; asked for {wanted.Connectivity}, {wanted.ExpansionAdd}";
        }

        return null;
    }
}

/// <summary>What <see cref="StoreIndex.Update"/> did.</summary>
/// <param name="RowsBefore">Rows the index covered before (0 when built or rebuilt).</param>
/// <param name="RowsAdded">Rows added now.</param>
/// <param name="Rows">Rows it covers now (all the store's readable rows).</param>
/// <param name="RebuiltBecause">Why an existing index was rebuilt; null when it was extended, or built where none was.</param>
/// <param name="Seconds">Wall time of the update.</param>
internal sealed record IndexUpdate(long RowsBefore, long RowsAdded, long Rows, string? RebuiltBecause, double Seconds);
