using System.Globalization;
using System.Numerics;
using System.Text;

namespace MoCo.Training.Import;

/// <summary>How pickles spell numbers and strings: LONG1/LONG4's two's complement, protocol 0's text lines (INT, LONG,
/// PUT/GET indices, UNICODE's raw-unicode-escape, STRING's quoted Python 2 literal), BINUNICODE's strict UTF-8.</summary>
internal static class PickleText
{
    internal static object Long(byte[] littleEndianTwosComplement)
    {
        var big = new BigInteger(littleEndianTwosComplement, isUnsigned: false, isBigEndian: false);
        return big >= long.MinValue && big <= long.MaxValue ? (long)big : big;
    }

    internal static object? IntLine(string s) => s switch
    {
        "00" => false,
        "01" => true,
        _ => LongLine(s),
    };

    internal static object LongLine(string s)
    {
        string digits = s.EndsWith('L') ? s[..^1] : s;
        BigInteger big = BigInteger.Parse(digits, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
        return big >= long.MinValue && big <= long.MaxValue ? (long)big : big;
    }

    internal static long MemoIndex(string s) => long.Parse(s, NumberStyles.None, CultureInfo.InvariantCulture);

    internal static string Utf8(byte[] bytes)
    {
        try
        {
            return new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes);
        }
        catch (DecoderFallbackException e)
        {
            throw new InvalidDataException("a pickled string is not valid UTF-8", e);
        }
    }

    internal static string Latin1(byte[] bytes) => Encoding.Latin1.GetString(bytes);

    /// <summary>Protocol 0's UNICODE: raw-unicode-escape (only \uXXXX and \UXXXXXXXX are escapes).</summary>
    internal static string RawUnicodeEscape(string s)
    {
        var sb = new StringBuilder(s.Length);
        for (int i = 0; i < s.Length; i++)
        {
            if (s[i] == '\\' && i + 1 < s.Length && (s[i + 1] == 'u' || s[i + 1] == 'U'))
            {
                int n = s[i + 1] == 'u' ? 4 : 8;
                if (i + 2 + n > s.Length) throw new InvalidDataException("a truncated \\u escape in a UNICODE opcode");
                sb.Append(char.ConvertFromUtf32(int.Parse(s.AsSpan(i + 2, n), NumberStyles.HexNumber, CultureInfo.InvariantCulture)));
                i += 1 + n;
            }
            else sb.Append(s[i]);
        }
        return sb.ToString();
    }

    /// <summary>Protocol 0's STRING: a quoted Python 2 literal with backslash escapes.</summary>
    internal static string PythonStringLiteral(string s)
    {
        if (s.Length < 2 || s[0] != s[^1] || (s[0] != '\'' && s[0] != '"')) throw new InvalidDataException("a STRING opcode without quotes");
        var sb = new StringBuilder();
        for (int i = 1; i < s.Length - 1; i++)
        {
            char c = s[i];
            if (c != '\\') { sb.Append(c); continue; }
            if (++i >= s.Length - 1) throw new InvalidDataException("a STRING opcode ends in a backslash");
            switch (s[i])
            {
                case 'n': sb.Append('\n'); break;
                case 't': sb.Append('\t'); break;
                case 'r': sb.Append('\r'); break;
                case '0': sb.Append('\0'); break;
                case 'x' when i + 2 < s.Length:
                    sb.Append((char)int.Parse(s.AsSpan(i + 1, 2), NumberStyles.HexNumber, CultureInfo.InvariantCulture));
                    i += 2;
                    break;
                default: sb.Append(s[i]); break;
            }
        }
        return sb.ToString();
    }
}
