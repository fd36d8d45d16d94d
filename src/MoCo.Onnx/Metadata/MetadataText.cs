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
}
