using Microsoft.Data.Sqlite;

namespace MoCo.Extraction.Store;

/// <summary>The queries the writer (<see cref="Manifest"/>) and the reader (<c>Reading.ManifestReader</c>) both run on a
/// manifest connection: one text of each.</summary>
internal static class ManifestQueries
{
    /// <summary>The <c>settings</c> table as key → value.</summary>
    public static Dictionary<string, string> Settings(SqliteConnection db)
    {
        using var command = db.CreateCommand();
        command.CommandText = "SELECT key, value FROM settings;";
        using var reader = command.ExecuteReader();
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        while (reader.Read())
        {
            result[reader.GetString(0)] = reader.GetString(1);
        }

        return result;
    }

    /// <summary>The committed feature files, in name order (the store's row order).</summary>
    public static List<(string Name, int Rows)> Shards(SqliteConnection db)
    {
        using var command = db.CreateCommand();
        command.CommandText = "SELECT name, rows FROM shards ORDER BY name;";
        using var reader = command.ExecuteReader();
        var result = new List<(string, int)>();
        while (reader.Read())
        {
            result.Add((reader.GetString(0), reader.GetInt32(1)));
        }

        return result;
    }
}
