using System.Text.RegularExpressions;

namespace MoCo.MLNet.Tests.Support;

/// <summary>
/// The files of test/Fixtures/before-23: models, a saved ML.NET model and a store written by the moco of the commit
/// before the encoder-metadata contract (its README and make.sh say how), copied next to the test assembly.
/// </summary>
internal static class Before23
{
    public static string Folder => Path.Combine(AppContext.BaseDirectory, "Fixtures", "before-23");

    public static string File(string name) => Path.Combine(Folder, name);

    /// <summary>The fixture images, as paths.txt lists them (absolute).</summary>
    public static string[] ImagePaths() =>
        System.IO.File.ReadAllLines(File("paths.txt")).Where(l => l.Length > 0).Select(File).ToArray();

    /// <summary>Rows of <paramref name="dimension"/> float32 values from a raw little-endian file.</summary>
    public static float[][] RawFloats(string path, int dimension)
    {
        var bytes = System.IO.File.ReadAllBytes(path);
        var values = new float[bytes.Length / 4];
        Buffer.BlockCopy(bytes, 0, values, 0, bytes.Length);
        return values.Chunk(dimension).ToArray();
    }

    /// <summary>A 2-D little-endian float32 .npy file (format 1.0 or 2.0), read from the format's specification.</summary>
    public static float[][] Npy(string path)
    {
        var bytes = System.IO.File.ReadAllBytes(path);
        Assert.That(bytes[..6], Is.EqualTo(new byte[] { 0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y' }), $"{path}: not an .npy file");
        int headerLength = bytes[6] == 1 ? BitConverter.ToUInt16(bytes, 8) : BitConverter.ToInt32(bytes, 8);
        int start = (bytes[6] == 1 ? 10 : 12) + headerLength;
        var header = System.Text.Encoding.ASCII.GetString(bytes, bytes[6] == 1 ? 10 : 12, headerLength);
        Assert.That(header, Does.Contain("'descr': '<f4'").And.Contain("'fortran_order': False"));
        var shape = Regex.Match(header, @"'shape': \((\d+), (\d+)\)");
        Assert.That(shape.Success, Is.True, header);
        int rows = int.Parse(shape.Groups[1].Value), columns = int.Parse(shape.Groups[2].Value);
        var values = new float[rows * columns];
        Buffer.BlockCopy(bytes, start, values, 0, values.Length * 4);
        return values.Chunk(columns).ToArray();
    }
}
