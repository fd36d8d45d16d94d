using System.Diagnostics;
using System.Globalization;
using Microsoft.Data.Sqlite;
using Parquet.Serialization;

namespace MoCo.Extraction.Tests.Support;

/// <summary>One image of a store as read back independently of the writer.</summary>
internal sealed record StoredImage(int Item, string Path, int Label, string Status, string? Error, float[]? Features);

/// <summary>
/// Reads a store back without the store's own code: the manifest with plain SQL; Parquet files with read_parquet.py
/// (a small Python reader written for these tests from the format's specification, since Debian 12 packages no
/// Python Parquet library), checked against Parquet.Net's class deserializer (another API than the column writer the
/// store uses); .npy files with NumPy.
/// </summary>
internal static class StoreContents
{
    public static Dictionary<int, StoredImage> Read(string store)
    {
        using var db = new SqliteConnection($"Data Source={System.IO.Path.Combine(store, "manifest.db")};Mode=ReadOnly;Pooling=False");
        db.Open();
        var format = Scalar(db, "SELECT value FROM settings WHERE key = 'format'");
        var shards = new Dictionary<string, float[][]>();
        var shardPaths = new Dictionary<string, string[]>();
        var shardLabels = new Dictionary<string, int[]?>();
        using (var command = db.CreateCommand())
        {
            command.CommandText = "SELECT name, rows FROM shards";
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                var name = reader.GetString(0);
                var file = System.IO.Path.Combine(store, name);
                if (format == "parquet")
                {
                    var (paths, labels, features) = ReadParquetInPython(file);
                    var (netPaths, netFeatures) = ReadParquet(file);
                    Assert.That(netPaths, Is.EqualTo(paths), $"{name}: paths, Python reader vs Parquet.Net");
                    Assert.That(netFeatures, Is.EqualTo(features), $"{name}: features, Python reader vs Parquet.Net");
                    shards[name] = features;
                    shardPaths[name] = paths;
                    shardLabels[name] = labels;
                }
                else
                {
                    shards[name] = ReadNpy(file);
                }

                Assert.That(shards[name], Has.Length.EqualTo(reader.GetInt32(1)), $"{name}: rows in the file vs the manifest");
            }
        }

        var result = new Dictionary<int, StoredImage>();
        using (var command = db.CreateCommand())
        {
            command.CommandText = "SELECT item, path, label, shard, row, status, error FROM images";
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                var item = reader.GetInt32(0);
                var path = reader.GetString(1);
                float[]? features = null;
                if (!reader.IsDBNull(3))
                {
                    var shard = reader.GetString(3);
                    var row = reader.GetInt32(4);
                    features = shards[shard][row];
                    if (shardPaths.TryGetValue(shard, out var paths))
                    {
                        Assert.That(paths[row], Is.EqualTo(path), $"{shard} row {row}: path in the file vs the manifest");
                        var label = reader.IsDBNull(2) ? -1 : reader.GetInt32(2);
                        Assert.That(shardLabels[shard]?[row] ?? -1, Is.EqualTo(label), $"{shard} row {row}: label in the file vs the manifest");
                    }
                }

                Assert.That(result.TryAdd(item, new StoredImage(item, path, reader.IsDBNull(2) ? -1 : reader.GetInt32(2), reader.GetString(5),
                    reader.IsDBNull(6) ? null : reader.GetString(6), features)), Is.True, $"item {item} twice in the manifest");
            }
        }

        var referenced = shards.Keys.ToHashSet();
        var onDisk = Directory.EnumerateFiles(store).Select(System.IO.Path.GetFileName).Where(f => f!.StartsWith("part-", StringComparison.Ordinal)).ToHashSet();
        Assert.That(onDisk, Is.EquivalentTo(referenced), "feature files on disk vs the manifest");
        return result;
    }

    public static string Scalar(SqliteConnection db, string sql)
    {
        using var command = db.CreateCommand();
        command.CommandText = sql;
        return Convert.ToString(command.ExecuteScalar(), CultureInfo.InvariantCulture)!;
    }

    private sealed class ParquetRow
    {
        public string path { get; set; } = "";

        public float[] features { get; set; } = [];
    }

    private static (string[] Paths, float[][] Features) ReadParquet(string file)
    {
        using var stream = File.OpenRead(file);
        var rows = ParquetSerializer.DeserializeAsync<ParquetRow>(stream).GetAwaiter().GetResult().Data;
        return (rows.Select(r => r.path).ToArray(), rows.Select(r => r.features).ToArray());
    }

    private sealed class ParquetSummary
    {
        public int rows { get; set; }

        public int? dim { get; set; }

        public string[] paths { get; set; } = [];

        public int[]? labels { get; set; }
    }

    /// <summary>Support/read_parquet.py reads the file and writes paths, labels and raw float32 features.</summary>
    private static (string[] Paths, int[]? Labels, float[][] Features) ReadParquetInPython(string file)
    {
        var output = file + ".py";
        Python(Path.Combine(AppContext.BaseDirectory, "Support", "read_parquet.py"), file, output);
        var summary = System.Text.Json.JsonSerializer.Deserialize<ParquetSummary>(File.ReadAllText(output + ".json"))!;
        var values = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(File.ReadAllBytes(output + ".f32")).ToArray();
        File.Delete(output + ".json");
        File.Delete(output + ".f32");
        var d = summary.dim ?? 0;
        Assert.That(values, Has.Length.EqualTo(summary.rows * d));
        Assert.That(summary.paths, Has.Length.EqualTo(summary.rows));
        return (summary.paths, summary.labels, Enumerable.Range(0, summary.rows).Select(i => values.AsSpan(i * d, d).ToArray()).ToArray());
    }

    private static void Python(params string[] args)
    {
        var info = new ProcessStartInfo("/usr/bin/python3") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEnd();
        process.WaitForExit();
        Assert.That(process.ExitCode, Is.EqualTo(0), $"python3 {string.Join(' ', args)}: {stdout.Result}{errors}");
    }

    /// <summary>NumPy loads the file and writes it back as raw little-endian float32 with its shape.</summary>
    private static float[][] ReadNpy(string file)
    {
        var raw = file + ".raw";
        var info = new ProcessStartInfo("/usr/bin/python3") { RedirectStandardOutput = true, RedirectStandardError = true };
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add("import sys, numpy as np\na = np.load(sys.argv[1])\nassert a.dtype == np.float32 and a.ndim == 2, (a.dtype, a.shape)\n" +
                              "np.ascontiguousarray(a).astype('<f4').tofile(sys.argv[2])\nprint(a.shape[0], a.shape[1])");
        info.ArgumentList.Add(file);
        info.ArgumentList.Add(raw);
        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEnd();
        var errors = process.StandardError.ReadToEnd();
        process.WaitForExit();
        Assert.That(process.ExitCode, Is.EqualTo(0), $"numpy could not read {file}: {errors}");
        var shape = output.Split(' ', StringSplitOptions.TrimEntries).Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray();
        var values = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(File.ReadAllBytes(raw)).ToArray();
        File.Delete(raw);
        return Enumerable.Range(0, shape[0]).Select(i => values.AsSpan(i * shape[1], shape[1]).ToArray()).ToArray();
    }
}
