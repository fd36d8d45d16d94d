using System.Runtime.InteropServices;
using Cloud.Unum.USearch;
using MoCo.Evaluation;
using MoCo.Search.Native;

namespace MoCo.Search.Ann;

/// <summary>
/// An approximate nearest-neighbour index over cosine similarity: USearch's HNSW graph of float32 vectors, keyed by
/// row number. Rows are added in parallel (USearch's graph takes concurrent inserts once its capacity is reserved);
/// a search gives rows with their cosine similarity (1 − USearch's cosine distance), most similar first. The only
/// class that touches <see cref="USearchNative"/>.
/// </summary>
internal sealed class HnswCosineIndex : IDisposable
{
    private readonly USearchHandle _handle;

    private HnswCosineIndex(USearchHandle handle)
    {
        _handle = handle;
        Dimension = checked((int)USearchNative.Dimensions(_handle, out var error));
        USearchErrors.Check(error, "dimensions");
    }

    /// <summary>Vector length.</summary>
    public int Dimension { get; }

    /// <summary>Vectors held.</summary>
    public long Count
    {
        get
        {
            var size = USearchNative.Size(_handle, out var error);
            USearchErrors.Check(error, "size");
            return (long)size;
        }
    }

    /// <summary>Links per node, as stored in the graph.</summary>
    public int Connectivity
    {
        get
        {
            var value = USearchNative.Connectivity(_handle, out var error);
            USearchErrors.Check(error, "connectivity");
            return (int)value;
        }
    }

    /// <summary>The SIMD kernels USearch picked on this CPU (e.g. <c>skylake</c>), for benchmark reports.</summary>
    public string HardwareAcceleration
    {
        get
        {
            var name = USearchNative.HardwareAcceleration(_handle, out var error);
            USearchErrors.Check(error, "hardware acceleration");
            return Marshal.PtrToStringUTF8(name) ?? "";
        }
    }

    /// <summary>USearch's version, from the loaded native library.</summary>
    public static string NativeVersion => Marshal.PtrToStringUTF8(USearchNative.Version()) ?? "";

    /// <summary>An empty cosine index for <paramref name="dimension"/>-long vectors.</summary>
    public static unsafe HnswCosineIndex Create(int dimension, HnswParameters parameters)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(dimension, 1);
        ArgumentNullException.ThrowIfNull(parameters);
        parameters.Validate();
        var options = new USearchNative.InitOptions
        {
            MetricKind = MetricKind.Cos,
            Quantization = ScalarKind.Float32,
            Dimensions = (nuint)dimension,
            Connectivity = (nuint)parameters.Connectivity,
            ExpansionAdd = (nuint)parameters.ExpansionAdd,
            ExpansionSearch = (nuint)parameters.ExpansionSearch,
        };
        return new HnswCosineIndex(Own(USearchNative.Init(&options, out var error), error, "init"));
    }

    /// <summary>The index saved at <paramref name="path"/>, loaded into memory (so rows can be added).</summary>
    /// <exception cref="FileNotFoundException">No file there.</exception>
    /// <exception cref="InvalidDataException">USearch cannot read the file.</exception>
    public static HnswCosineIndex Load(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"no index file {path}", path);
        }

        var handle = Own(USearchNative.InitForLoad(IntPtr.Zero, out var error), error, "init");
        try
        {
            USearchNative.Load(handle, path, out error);
            USearchErrors.CheckRead(error, path);
            return new HnswCosineIndex(handle);
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    /// <summary>Sets ef, the candidates a search keeps (more: higher recall, slower).</summary>
    public void SetExpansionSearch(int expansion)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(expansion, 1);
        USearchNative.ChangeExpansionSearch(_handle, (nuint)expansion, out var error);
        USearchErrors.Check(error, "expansion_search");
    }

    /// <summary>Lets <paramref name="threads"/> threads search at once (each holds a search context).</summary>
    public void SetSearchThreads(int threads)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(threads, 1);
        USearchNative.ChangeThreadsSearch(_handle, (nuint)threads, out var error);
        USearchErrors.Check(error, "threads_search");
    }

    /// <summary>
    /// Adds rows <paramref name="first"/> … <paramref name="first"/> + <paramref name="count"/> − 1 of
    /// <paramref name="rows"/> under keys <paramref name="firstKey"/>, <paramref name="firstKey"/> + 1, …, on
    /// <paramref name="threads"/> threads. The graph (not the keys) depends on the insertion order, which threads make
    /// nondeterministic; results are then equal to a rebuild up to the ANN's own misses.
    /// </summary>
    public unsafe void Add(FeatureMatrix rows, int first, int count, long firstKey, int threads)
    {
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentOutOfRangeException.ThrowIfNegative(first);
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfNegative(firstKey);
        ArgumentOutOfRangeException.ThrowIfLessThan(threads, 1);
        if (rows.Columns != Dimension)
        {
            throw new ArgumentException($"rows of {rows.Columns} features cannot go into an index of {Dimension}.", nameof(rows));
        }

        if ((long)first + count > rows.Rows)
        {
            throw new ArgumentOutOfRangeException(nameof(count), $"rows {first}..{first + count} of a matrix of {rows.Rows}.");
        }

        if (count == 0)
        {
            return;
        }

        // Reserve first (it resets the thread counts to the machine's cores), then allow `threads` concurrent inserts.
        USearchNative.Reserve(_handle, (nuint)(Count + count), out var error);
        USearchErrors.Check(error, $"reserve {Count + count}");
        USearchNative.ChangeThreadsAdd(_handle, (nuint)threads, out error);
        USearchErrors.Check(error, "threads_add");
        USearchNative.ChangeThreadsSearch(_handle, (nuint)threads, out error);
        USearchErrors.Check(error, "threads_search");

        var dimension = Dimension;
        fixed (float* values = rows.Values)
        {
            var origin = (IntPtr)values;
            try
            {
                Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads }, worker =>
                {
                    // Interleaved rows: workers insert neighbouring rows at about the same time, as one thread would.
                    for (var i = worker; i < count; i += threads)
                    {
                        var row = (float*)origin + ((long)(first + i) * dimension);
                        USearchNative.Add(_handle, (ulong)(firstKey + i), row, ScalarKind.Float32, out var addError);
                        USearchErrors.Check(addError, $"add row {firstKey + i}");
                    }
                });
            }
            catch (AggregateException e) when (e.InnerExceptions.Count > 0)
            {
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e.InnerExceptions[0]).Throw();
            }
        }
    }

    /// <summary>
    /// The nearest rows to <paramref name="query"/> (one vector of <see cref="Dimension"/>): fills
    /// <paramref name="rows"/> and <paramref name="similarities"/> (cosine, most similar first) up to their length;
    /// returns how many were found (fewer when the index holds fewer rows).
    /// </summary>
    public unsafe int Search(ReadOnlySpan<float> query, Span<long> rows, Span<float> similarities)
    {
        if (query.Length != Dimension)
        {
            throw new ArgumentException($"a query of {query.Length} features for an index of {Dimension}.", nameof(query));
        }

        if (rows.Length != similarities.Length)
        {
            throw new ArgumentException($"{rows.Length} row slots but {similarities.Length} similarity slots.", nameof(similarities));
        }

        nuint found;
        fixed (float* q = query)
        fixed (long* keys = rows)
        fixed (float* distances = similarities)
        {
            found = USearchNative.Search(_handle, q, ScalarKind.Float32, (nuint)rows.Length, (ulong*)keys, distances, out var error);
            USearchErrors.Check(error, "search");
        }

        var n = (int)found;
        for (var i = 0; i < n; i++)
        {
            similarities[i] = 1f - similarities[i];
        }

        return n;
    }

    /// <summary>Writes the index to <paramref name="path"/> whole or not at all (a temporary file, then a rename).</summary>
    public void Save(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var temporary = path + ".tmp";
        USearchNative.Save(_handle, temporary, out var error);
        USearchErrors.Check(error, $"save {temporary}");
        using (var written = new FileStream(temporary, FileMode.Open, FileAccess.ReadWrite))
        {
            written.Flush(flushToDisk: true);
        }

        File.Move(temporary, path, overwrite: true);
    }

    public void Dispose() => _handle.Dispose();

    private static USearchHandle Own(IntPtr pointer, IntPtr error, string what)
    {
        var handle = new USearchHandle();
        Marshal.InitHandle(handle, pointer);
        if (error != IntPtr.Zero || pointer == IntPtr.Zero)
        {
            handle.Dispose();
            USearchErrors.Check(error, what);
            throw new InvalidOperationException($"USearch: {what} returned no index.");
        }

        return handle;
    }
}
