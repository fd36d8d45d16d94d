using Microsoft.Data.Sqlite;

namespace MoCo.Extraction.Store;

/// <summary>
/// A store's <c>manifest.db</c> (SQLite): <c>settings(key, value)</c>; <c>shards(name, rows)</c>, the feature files
/// that are durable; <c>images(item, path, label, shard, row, status, error)</c>, one line per source item done
/// (status <c>ok</c> with its file and row, or <c>failed</c> with the reason). A feature file and its images are
/// committed in one transaction, after the file is on disk, so the manifest never points at a missing row. The index
/// <c>images_by_file(shard, row, item, label)</c> (since issue 20; made when a writer opens an older store) lets a reader fetch one
/// file's lines at a time from the index alone, without holding a read lock across the store.
/// </summary>
internal sealed class Manifest : IDisposable
{
    public const string FileName = "manifest.db";

    private readonly SqliteConnection _db;

    private Manifest(SqliteConnection db) => _db = db;

    /// <summary>Opens (creating when absent) the manifest in <paramref name="folder"/>.</summary>
    public static Manifest Open(string folder)
    {
        // No pooling: the file is closed on Dispose (tests and merges delete or copy stores right after).
        var db = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = Path.Combine(folder, FileName), Pooling = false }.ToString());
        db.Open();
        var manifest = new Manifest(db);
        // Rollback journal with full syncs: a commit is on disk when Commit returns (SQLite's default journal mode,
        // no -wal side files to carry when a store is copied).
        manifest.Execute("PRAGMA synchronous = FULL;");
        manifest.Execute("""
            CREATE TABLE IF NOT EXISTS settings(key TEXT PRIMARY KEY, value TEXT NOT NULL);
            CREATE TABLE IF NOT EXISTS shards(name TEXT PRIMARY KEY, rows INTEGER NOT NULL);
            CREATE TABLE IF NOT EXISTS images(
                item INTEGER PRIMARY KEY,
                path TEXT NOT NULL,
                label INTEGER,
                shard TEXT REFERENCES shards(name),
                row INTEGER,
                status TEXT NOT NULL CHECK (status IN ('ok', 'failed')),
                error TEXT);
            CREATE INDEX IF NOT EXISTS images_by_file ON images(shard, row, item, label);
            """);
        return manifest;
    }

    public Dictionary<string, string> ReadSettings() => ManifestQueries.Settings(_db);

    public void WriteSettings(IEnumerable<(string Key, string Value)> pairs)
    {
        using var transaction = _db.BeginTransaction();
        using var command = Command("INSERT OR REPLACE INTO settings(key, value) VALUES ($k, $v);");
        var k = command.Parameters.Add("$k", SqliteType.Text);
        var v = command.Parameters.Add("$v", SqliteType.Text);
        foreach (var (key, value) in pairs)
        {
            k.Value = key;
            v.Value = value;
            command.ExecuteNonQuery();
        }

        transaction.Commit();
    }

    /// <summary>The committed feature files, in name order.</summary>
    public List<(string Name, int Rows)> Shards() => ManifestQueries.Shards(_db);

    /// <summary>Source items already done (ok or failed).</summary>
    public HashSet<int> DoneItems()
    {
        using var command = Command("SELECT item FROM images;");
        using var reader = command.ExecuteReader();
        var result = new HashSet<int>();
        while (reader.Read())
        {
            result.Add(reader.GetInt32(0));
        }

        return result;
    }

    /// <summary>Records a durable feature file (null when the part had no readable image) and its images, atomically.</summary>
    public void Commit(string? shard, int rows, IEnumerable<ImageRecord> images)
    {
        using var transaction = _db.BeginTransaction();
        if (shard is not null)
        {
            using var add = Command("INSERT INTO shards(name, rows) VALUES ($n, $r);");
            add.Parameters.AddWithValue("$n", shard);
            add.Parameters.AddWithValue("$r", rows);
            add.ExecuteNonQuery();
        }

        using var command = Command("INSERT INTO images(item, path, label, shard, row, status, error) VALUES ($i, $p, $l, $s, $r, $st, $e);");
        var i = command.Parameters.Add("$i", SqliteType.Integer);
        var p = command.Parameters.Add("$p", SqliteType.Text);
        var l = command.Parameters.Add("$l", SqliteType.Integer);
        var s = command.Parameters.Add("$s", SqliteType.Text);
        var r = command.Parameters.Add("$r", SqliteType.Integer);
        var st = command.Parameters.Add("$st", SqliteType.Text);
        var e = command.Parameters.Add("$e", SqliteType.Text);
        foreach (var image in images)
        {
            i.Value = image.Item;
            p.Value = image.Path;
            l.Value = image.Label >= 0 ? image.Label : DBNull.Value;
            s.Value = image.Shard is null ? DBNull.Value : image.Shard;
            r.Value = image.Shard is null ? DBNull.Value : image.Row;
            st.Value = image.Ok ? "ok" : "failed";
            e.Value = image.Error is null ? DBNull.Value : image.Error;
            command.ExecuteNonQuery();
        }

        transaction.Commit();
    }

    public void Dispose() => _db.Dispose();

    private void Execute(string sql)
    {
        using var command = Command(sql);
        command.ExecuteNonQuery();
    }

    private SqliteCommand Command(string sql)
    {
        var command = _db.CreateCommand();
        command.CommandText = sql;
        return command;
    }
}

/// <summary>One line of the manifest's <c>images</c> table (<see cref="Shard"/> and <see cref="Row"/> only when ok).</summary>
internal sealed record ImageRecord(int Item, string Path, int Label, string? Shard, int Row, bool Ok, string? Error);
