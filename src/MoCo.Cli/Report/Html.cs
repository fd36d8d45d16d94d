using System.Globalization;
using System.Net;
using System.Text;

namespace MoCo.Cli.Report;

/// <summary>Small pieces of markup every section uses: escaping, numbers, class colours, an image or its stand-in.</summary>
internal static class Html
{
    /// <summary>Matplotlib's tab10, then hues a golden angle apart for more classes; grey for unlabelled.</summary>
    private static readonly string[] Tab10 = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"];

    /// <summary><paramref name="text"/> escaped for HTML text and attribute values.</summary>
    public static string Encode(string text) => WebUtility.HtmlEncode(text);

    /// <summary>A number with invariant formatting.</summary>
    public static string F(double value, string format = "0.###") => value.ToString(format, CultureInfo.InvariantCulture);

    /// <summary>The colour of class <paramref name="label"/> (-1: unlabelled grey).</summary>
    public static string ClassColour(int label) => label < 0 ? "#aaaaaa"
        : label < Tab10.Length ? Tab10[label]
        : $"hsl({F((label * 137.508) % 360, "0.#")},65%,45%)";

    /// <summary>A figure of one row: its thumbnail (or a box with "no image"), a caption, a tooltip with its path.</summary>
    public static void Tile(StringBuilder html, string? dataUri, string path, string caption, string cssClass = "")
    {
        html.Append(CultureInfo.InvariantCulture, $"<figure class=\"tile {cssClass}\" title=\"{Encode(path)}\">");
        if (dataUri is not null) html.Append(CultureInfo.InvariantCulture, $"<img src=\"{dataUri}\" alt=\"{Encode(Path.GetFileName(path))}\">");
        else html.Append("<div class=\"noimage\">no image</div>");
        html.Append(CultureInfo.InvariantCulture, $"<figcaption>{caption}</figcaption></figure>");
    }

    /// <summary>An SVG (our own or a file's) as an image inside the page: a base64 data URI, so its ids and styles
    /// cannot clash with the page's.</summary>
    public static string SvgImage(string svg, string alt) =>
        $"<img class=\"figure\" alt=\"{Encode(alt)}\" src=\"data:image/svg+xml;base64,{Convert.ToBase64String(Encoding.UTF8.GetBytes(svg))}\">";
}
