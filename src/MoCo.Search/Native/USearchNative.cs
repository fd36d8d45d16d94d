using System.Runtime.InteropServices;
using Cloud.Unum.USearch;

namespace MoCo.Search.Native;

/// <summary>
/// USearch's C API (<c>usearch.h</c> of 2.26.6, in the package's <c>libusearch_c</c>), the calls we make. The package's
/// managed class does not expose <c>usearch_reserve</c> or the thread counts, adds one vector per call after a
/// capacity check that is not thread-safe, and copies each vector into its own array, so the index is built through
/// these declarations instead; the enum values are the package's own (<see cref="MetricKind"/>, <see cref="ScalarKind"/>),
/// so they follow its ABI. Every call takes an error slot: USearch sets it to a static message on failure (never
/// freed by the caller); <see cref="USearchErrors.Check"/> turns it into an exception.
/// </summary>
internal static partial class USearchNative
{
    private const string Library = "libusearch_c";

    /// <summary><c>usearch_init_options_t</c>: 64 bytes, the layout the package's <c>IndexOptions</c> marshals to.</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct InitOptions
    {
        public MetricKind MetricKind;
        public IntPtr Metric;
        public ScalarKind Quantization;
        public nuint Dimensions;
        public nuint Connectivity;
        public nuint ExpansionAdd;
        public nuint ExpansionSearch;
        public byte Multi;
    }

    [LibraryImport(Library, EntryPoint = "usearch_version")]
    internal static partial IntPtr Version();

    [LibraryImport(Library, EntryPoint = "usearch_init")]
    internal static unsafe partial IntPtr Init(InitOptions* options, out IntPtr error);

    /// <summary>An empty index whose configuration comes from the file given to <see cref="Load"/>.</summary>
    [LibraryImport(Library, EntryPoint = "usearch_init")]
    internal static partial IntPtr InitForLoad(IntPtr noOptions, out IntPtr error);

    [LibraryImport(Library, EntryPoint = "usearch_free")]
    internal static partial void Free(IntPtr index, out IntPtr error);

    [LibraryImport(Library, EntryPoint = "usearch_save", StringMarshalling = StringMarshalling.Utf8)]
    internal static partial void Save(USearchHandle index, string path, out IntPtr error);

    [LibraryImport(Library, EntryPoint = "usearch_load", StringMarshalling = StringMarshalling.Utf8)]
    internal static partial void Load(USearchHandle index, string path, out IntPtr error);

    [LibraryImport(Library, EntryPoint = "usearch_size")]
    internal static partial nuint Size(USearchHandle index, out IntPtr error);

    [LibraryImport(Library, EntryPoint = "usearch_capacity")]
    internal static partial nuint Capacity(USearchHandle index, out IntPtr error);

    [LibraryImport(Library, EntryPoint = "usearch_dimensions")]
    internal static partial nuint Dimensions(USearchHandle index, out IntPtr error);

    [LibraryImport(Library, EntryPoint = "usearch_connectivity")]
    internal static partial nuint Connectivity(USearchHandle index, out IntPtr error);

    [LibraryImport(Library, EntryPoint = "usearch_expansion_search")]
    internal static partial nuint ExpansionSearch(USearchHandle index, out IntPtr error);

    [LibraryImport(Library, EntryPoint = "usearch_hardware_acceleration")]
    internal static partial IntPtr HardwareAcceleration(USearchHandle index, out IntPtr error);

    /// <summary>Room for <paramref name="capacity"/> vectors in all; resets the thread counts to the machine's cores.</summary>
    [LibraryImport(Library, EntryPoint = "usearch_reserve")]
    internal static partial void Reserve(USearchHandle index, nuint capacity, out IntPtr error);

    /// <summary>How many threads may add at once (each needs a search context).</summary>
    [LibraryImport(Library, EntryPoint = "usearch_change_threads_add")]
    internal static partial void ChangeThreadsAdd(USearchHandle index, nuint threads, out IntPtr error);

    [LibraryImport(Library, EntryPoint = "usearch_change_threads_search")]
    internal static partial void ChangeThreadsSearch(USearchHandle index, nuint threads, out IntPtr error);

    [LibraryImport(Library, EntryPoint = "usearch_change_expansion_search")]
    internal static partial void ChangeExpansionSearch(USearchHandle index, nuint expansion, out IntPtr error);

    /// <summary>Copies <paramref name="vector"/> (Dimensions values of <paramref name="kind"/>) into the index under <paramref name="key"/>.</summary>
    [LibraryImport(Library, EntryPoint = "usearch_add")]
    internal static unsafe partial void Add(USearchHandle index, ulong key, float* vector, ScalarKind kind, out IntPtr error);

    /// <summary>Up to <paramref name="limit"/> nearest keys and their distances (for <see cref="MetricKind.Cos"/>: 1 − cosine),
    /// nearest first; returns how many were found.</summary>
    [LibraryImport(Library, EntryPoint = "usearch_search")]
    internal static unsafe partial nuint Search(USearchHandle index, float* query, ScalarKind kind, nuint limit, ulong* keys, float* distances, out IntPtr error);
}
