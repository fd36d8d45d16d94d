using System.Diagnostics;
using System.Globalization;
using Microsoft.Data.Sqlite;
using Parquet.Serialization;

namespace MoCo.Extraction.Tests.Support;

/// <summary>One image of a store as read back independently of the writer.</summary>
internal sealed record StoredImage(int Item, string Path, int Label, string Status, string? Error, float[]? Features);

/// <summary>
/// Reads a store back without the store's own code: the manifest with plain SQL, Parquet files through Parquet.Net's
/// class serializer (not the column writer the store uses; no Python Parquet reader is packaged for Debian 12), and
/// .npy files through NumPy in a Python process.
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
                    var (paths, features) = ReadParquet(file);
                    shards[name] = features;
                    shardPaths[name] = paths;
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
