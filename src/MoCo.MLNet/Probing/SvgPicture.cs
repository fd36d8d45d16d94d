using System.Globalization;
using System.Security;
using System.Text;

namespace MoCo.MLNet.Probing;

/// <summary>An SVG document written line by line, numbers in the invariant culture: the root element (sans-serif,
/// 12 px) on a white page first, <c>&lt;/svg&gt;</c> last.</summary>
internal sealed class SvgPicture
{
    private readonly StringBuilder _text = new();

    internal SvgPicture(double width, double height)
    {
        Add($"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" font-family=\"sans-serif\" font-size=\"12\">");
        Add($"<rect width=\"100%\" height=\"100%\" fill=\"white\"/>");
    }

    /// <summary>Text escaped for an element's content or an attribute.</summary>
    internal static string Escape(string text) => SecurityElement.Escape(text) ?? "";

    /// <summary>Appends one line.</summary>
    internal void Add(FormattableString line) => _text.AppendLine(line.ToString(CultureInfo.InvariantCulture));

    /// <summary>The document, closed.</summary>
    internal string Close() => _text.AppendLine("</svg>").ToString();
}
