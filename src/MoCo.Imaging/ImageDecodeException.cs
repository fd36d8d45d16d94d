namespace MoCo.Imaging;

/// <summary>A file that could not be decoded: truncated, empty, not an image, or of absurd size. The message names the file.</summary>
public sealed class ImageDecodeException : Exception
{
    /// <summary>Creates the exception for <paramref name="source"/> (a path or a caller-chosen name).</summary>
    public ImageDecodeException(string source, string reason, Exception? inner = null)
        : base($"Cannot decode image '{source}': {reason}", inner)
    {
        Source = source;
        Reason = reason;
    }

    /// <summary>The path (or name) of the image that failed.</summary>
    public new string Source { get; }

    /// <summary>Why it failed (the native library's message where there was one).</summary>
    public string Reason { get; }
}
