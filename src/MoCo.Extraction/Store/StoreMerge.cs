using System.Globalization;
using MoCo.Extraction.Reading;
using MoCo.Extraction.Sources;

namespace MoCo.Extraction.Store;

/// <summary>
/// <c>moco extract merge</c>: joins stores of the same model, preprocessing and source (typically the <c>--shard i/n</c>
/// stores of n workers) into a new store. Feature files are copied and renumbered, manifest lines keep their source
/// items. When the inputs are all n shards of n, the result is the whole source's store (<c>--shard 0/1</c>), which
/// <c>moco extract</c> can resume into, e.g. to finish items a worker never reached.
/// </summary>
internal static class StoreMerge
{
    /// <summary>Merges <paramref name="inputs"/> into the new or empty folder <paramref name="output"/>; returns the merged settings and the image count.</summary>
    public static (StoreSettings Settings, int Images) Merge(string output, IReadOnlyList<string> inputs)
    {
        ArgumentException.ThrowIfNullOrEmpty(output);
        if (inputs.Count == 0)
        {
            throw new ArgumentException("moco extract merge needs at least one input store.");
        }

        if (Directory.Exists(output) && !FeatureStore.IsEmpty(output))
        {
            throw NotEmpty(output);
        }

        var stores = new List<(string Folder, StoreSettings Settings, List<(string Name, int Rows)> Shards, List<ImageRecord> Images)>();
        foreach (var folder in inputs)
        {
            // Read-only, like any reader: an input being written is read as of its last commit, and never changed.
            using var manifest = ManifestReader.Open(folder);
            stores.Add((folder, StoreSettings.FromPairs(manifest.Settings(), folder), manifest.Shards(), manifest.Images()));
        }

        var first = stores[0];
        foreach (var other in stores.Skip(1))
        {
            var differences = (other.Settings with { JobShard = first.Settings.JobShard, ModelPath = first.Settings.ModelPath }).Mismatches(first.Settings);
            if (differences.Count > 0)
            {
                throw new InvalidOperationException($"cannot merge {other.Folder} with {first.Folder}:\n  {string.Join("\n  ", differences)}");
            }
        }

        var seen = new Dictionary<int, string>();
        foreach (var store in stores)
        {
            foreach (var image in store.Images)
            {
                if (!seen.TryAdd(image.Item, store.Folder))
                {
                    throw new InvalidOperationException($"cannot merge: item {image.Item} ({image.Path}) is in both {seen[image.Item]} and {store.Folder}; merge disjoint shards.");
                }
            }
        }

        var merged = first.Settings with { JobShard = MergedShard(stores.Select(s => s.Settings.JobShard).ToList()) };
        Directory.CreateDirectory(output);
        using var writerLock = StoreWriterLock.Acquire(output, "moco extract merge");
        if (!FeatureStore.IsEmpty(output))
        {
            throw NotEmpty(output); // another merge filled it between the check above and the lock
        }

        using var target = Manifest.Open(output);
        target.WriteSettings(merged.ToPairs());
        var ext = FeatureStore.Writer(merged).Extension;
        var next = 0;
        foreach (var store in stores)
        {
            var byShard = store.Images.Where(i => i.Shard is not null).ToLookup(i => i.Shard!);
            foreach (var (name, rows) in store.Shards)
            {
                var renamed = string.Create(CultureInfo.InvariantCulture, $"part-{next++:D6}{ext}");
                DurableFile.Copy(Path.Combine(store.Folder, name), Path.Combine(output, renamed));
                target.Commit(renamed, rows, byShard[name].Select(i => i with { Shard = renamed }));
            }

            target.Commit(null, 0, store.Images.Where(i => i.Shard is null));
        }

        return (merged, seen.Count);
    }

    private static IOException NotEmpty(string output) => new($"merge output {output} exists and is not empty; give a new folder.");

    /// <summary>"0/1" when the parts are all n shards of n (the whole source); else the parts joined by '+'.</summary>
    private static string MergedShard(List<string> parts)
    {
        var shards = parts.Select(p => p.Contains('+', StringComparison.Ordinal) ? null : (JobShard?)JobShard.Parse(p)).ToList();
        if (shards.All(s => s is not null) && shards.Select(s => s!.Value.Count).Distinct().Count() == 1)
        {
            var n = shards[0]!.Value.Count;
            if (shards.Select(s => s!.Value.Index).Distinct().Count() == n)
            {
                return JobShard.All.ToString();
            }
        }

        return string.Join('+', parts.Order(StringComparer.Ordinal));
    }
}
