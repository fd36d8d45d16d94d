using System.Globalization;

namespace MoCo.Cli.Options;

/// <summary>Checks and parsing shared by the option sets: positive counts, comma lists.</summary>
internal static class OptionValues
{
    /// <summary><paramref name="value"/> when positive; else an error naming <paramref name="option"/>.</summary>
    internal static int Positive(int value, string option) => value > 0 ? value : throw new ArgumentException($"{option} must be positive, got {value}");

    /// <summary>A comma list (blanks around items ignored), each item parsed by <paramref name="parse"/>.</summary>
    internal static List<T> List<T>(string text, Func<string, T> parse, string option)
    {
        try
        {
            var items = text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(parse).ToList();
            return items.Count > 0 ? items : throw new FormatException("the list is empty");
        }
        catch (Exception e) when (e is FormatException or OverflowException)
        {
            throw new ArgumentException($"{option} '{text}' is not a comma list of numbers: {e.Message}", e);
        }
    }

    internal static int Int(string s) => int.Parse(s, NumberStyles.Integer, CultureInfo.InvariantCulture);

    internal static long Long(string s) => long.Parse(s, NumberStyles.Integer, CultureInfo.InvariantCulture);

    internal static double Double(string s) => double.Parse(s, NumberStyles.Float, CultureInfo.InvariantCulture);
}
