using System.Globalization;

namespace MoCo.Onnx.Metadata;

/// <summary>How metadata values are written as text and read back (invariant culture, round-trip floats).</summary>
internal static class MetadataText
{
    public static string Int(int value) => value.ToString(CultureInfo.InvariantCulture);

    public static string Bool(bool value) => value ? "true" : "false";

    /// <summary>Round-trip ("R") floats joined by commas, e.g. "0.485,0.456,0.406".</summary>
    public static string Floats(IEnumerable<float> values) => string.Join(",", values.Select(v => v.ToString("R", CultureInfo.InvariantCulture)));

    /// <exception cref="FormatException">Not an integer.</exception>
    /// <exception cref="OverflowException">Out of range.</exception>
    public static int ParseInt(string key, string text) =>
        int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out int v) ? v : throw new FormatException($"{key} = '{text}' is not an integer");

    public static bool ParseBool(string key, string text) => text switch
    {
        "true" => true,
        "false" => false,
        _ => throw new FormatException($"{key} = '{text}' is neither true nor false"),
    };

    /// <summary>Comma-separated floats; blanks around values and empty entries are ignored.</summary>
    public static float[] ParseFloats(string key, string text) =>
        text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Select(v => float.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out float f) ? f : throw new FormatException($"{key} = '{text}': '{v}' is not a number"))
            .ToArray();

    /// <summary>Strings as a JSON array (names may hold commas).</summary>
    public static string Strings(IEnumerable<string> values) => System.Text.Json.JsonSerializer.Serialize(values.ToArray());

    /// <exception cref="FormatException">Not a JSON array of strings.</exception>
    public static string[] ParseStrings(string key, string text)
    {
        string[]? values;
        try
        {
            values = System.Text.Json.JsonSerializer.Deserialize<string[]>(text);
        }
        catch (System.Text.Json.JsonException e)
        {
            throw new FormatException($"{key} = '{text}' is not a JSON array of strings: {e.Message}", e);
        }

        return values is not null && values.All(v => v is not null) ? values : throw new FormatException($"{key} = '{text}' is not a JSON array of strings");
    }
}
