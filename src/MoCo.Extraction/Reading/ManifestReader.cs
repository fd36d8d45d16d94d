using Microsoft.Data.Sqlite;
using SQLitePCL;
using MoCo.Extraction.Store;

namespace MoCo.Extraction.Reading;

/// <summary>
/// A read-only connection to a store's <c>manifest.db</c>: the queries a reader needs, each one short, so no read lock
/// is held between them and a writer's commit never waits on a reader for long (SQLite's rollback journal lets one
/// writer commit only while no statement is reading).
/// </summary>
internal sealed class ManifestReader : IDisposable
{
    private readonly SqliteConnection _db;

    private ManifestReader(SqliteConnection db) => _db = db;

    /// <summary>Opens <paramref name="folder"/>'s manifest read-only.</summary>
    /// <exception cref="FileNotFoundException">The folder holds no manifest.</exception>
    /// <exception cref="InvalidDataException">The file is not an SQLite manifest.</exception>
    public static ManifestReader Open(string folder)
    {
        ArgumentException.ThrowIfNullOrEmpty(folder);
        var file = Path.Combine(folder, Manifest.FileName);
        if (!File.Exists(file))
        {
            throw new FileNotFoundException($"{folder} is not a feature store (no {Manifest.FileName}).", file);
        }

        var db = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = file, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
        try
        {
            db.Open();
            var reader = new ManifestReader(db);
            reader.HasIndex = reader.Exists("SELECT 1 FROM sqlite_master WHERE type = 'index' AND name = 'images_by_file'");
            return reader;
        }
        catch (SqliteException e)
        {
            db.Dispose();
            throw new InvalidDataException($"store {folder}: {Manifest.FileName} cannot be read as a manifest: {e.Message}", e);
        }
    }

    /// <summary>Whether the manifest has the per-file index (stores written before issue 20 lack it until a writer opens them).</summary>
    public bool HasIndex { get; private set; }

    public Dictionary<string, string> Settings() => ManifestQueries.Settings(_db);

    /// <summary>The committed feature files, in name order (the store's row order).</summary>
    public List<(string Name, int Rows)> Shards() => ManifestQueries.Shards(_db);

    /// <summary>Every image line, in item order.</summary>
    public List<ImageRecord> Images()
    {
        using var command = Command("SELECT item, path, label, shard, row, status, error FROM images ORDER BY item;");
        using var reader = command.ExecuteReader();
        var result = new List<ImageRecord>();
        while (reader.Read())
        {
            result.Add(new ImageRecord(
                reader.GetInt32(0), reader.GetString(1), reader.IsDBNull(2) ? -1 : reader.GetInt32(2),
                reader.IsDBNull(3) ? null : reader.GetString(3), reader.IsDBNull(4) ? -1 : reader.GetInt32(4),
                reader.GetString(5) == "ok", reader.IsDBNull(6) ? null : reader.GetString(6)));
        }

        return result;
    }

    /// <summary>The largest label in the manifest, or -1.</summary>
    public int MaxLabel()
    {
        using var command = Command("SELECT MAX(label) FROM images;");
        return command.ExecuteScalar() is long max ? (int)max : -1;
    }

    /// <summary>Items whose image could not be read, in item order, with the reason.</summary>
    public List<(int Item, string Path, string Error)> Failures()
    {
        using var command = Command("SELECT item, path, error FROM images WHERE status = 'failed' ORDER BY item;");
        using var reader = command.ExecuteReader();
        var result = new List<(int, string, string)>();
        while (reader.Read())
        {
            result.Add((reader.GetInt32(0), reader.GetString(1), reader.IsDBNull(2) ? "" : reader.GetString(2)));
        }

        return result;
    }

    /// <summary>
    /// Fills items, labels (and paths when given) of <paramref name="shard"/>'s rows 0..rows-1, by row.
    /// </summary>
    /// <exception cref="InvalidDataException">The manifest does not list exactly one line per row of the file.</exception>
    public void ReadFile(string shard, int rows, int[] items, int[] labels, string[]? paths)
    {
        // SQLite's own statement API (SQLitePCLRaw, under Microsoft.Data.Sqlite): a third of the cost per row of the
        // ADO.NET reader, which checks types and state on every call; this loop is what bounds a store's rows/s.
        var sql = paths is null
            ? "SELECT row, item, label FROM images WHERE shard = ?1 ORDER BY row;"
            : "SELECT row, item, label, path FROM images WHERE shard = ?1 ORDER BY row;";
        Check(raw.sqlite3_prepare_v2(_db.Handle, sql, out var statement));
        using (statement)
        {
            Check(raw.sqlite3_bind_text(statement, 1, shard));
            var expected = 0;
            int result;
            while ((result = raw.sqlite3_step(statement)) == raw.SQLITE_ROW)
            {
                var row = raw.sqlite3_column_int(statement, 0);
                if (row != expected || row >= rows)
                {
                    throw new InvalidDataException($"{Manifest.FileName}: {shard} has row {row} where row {expected} of {rows} was expected.");
                }

                items[row] = raw.sqlite3_column_int(statement, 1);
                labels[row] = raw.sqlite3_column_type(statement, 2) == raw.SQLITE_NULL ? -1 : raw.sqlite3_column_int(statement, 2);
                if (paths is not null)
                {
                    paths[row] = raw.sqlite3_column_text(statement, 3).utf8_to_string();
                }

                expected++;
            }

            if (result != raw.SQLITE_DONE)
            {
                Check(result);
            }

            if (expected != rows)
            {
                throw new InvalidDataException($"{Manifest.FileName}: {shard} holds {rows} rows but the manifest lists {expected} images in it.");
            }
        }
    }

    /// <summary>Throws SQLite's message for a failed call (e.g. a busy or corrupt database).</summary>
    private void Check(int result)
    {
        if (result is not (raw.SQLITE_OK or raw.SQLITE_ROW or raw.SQLITE_DONE))
        {
            throw new InvalidDataException($"{Manifest.FileName}: {raw.sqlite3_errmsg(_db.Handle).utf8_to_string()} (SQLite error {result}).");
        }
    }

    public void Dispose() => _db.Dispose();

    private bool Exists(string sql)
    {
        using var command = Command(sql);
        return command.ExecuteScalar() is not null;
    }

    private SqliteCommand Command(string sql)
    {
        var command = _db.CreateCommand();
        command.CommandText = sql;
        return command;
    }
}
