using System.Buffers.Binary;

namespace MoCo.Cli.Tests.Support;

/// <summary>A tiny IDX data set in a temporary folder: random N×S×S images, labels i mod 4, the same files as the
/// "train" and "t10k" splits.</summary>
internal static class TinyIdxData
{
    public static string Create(string prefix, int seed, int count, int side)
    {
        string dir = Directory.CreateTempSubdirectory(prefix).FullName;
        var rng = new Random(seed);
        var images = new byte[16 + count * side * side];
        BinaryPrimitives.WriteInt32BigEndian(images, 0x803);
        BinaryPrimitives.WriteInt32BigEndian(images.AsSpan(4), count);
        BinaryPrimitives.WriteInt32BigEndian(images.AsSpan(8), side);
        BinaryPrimitives.WriteInt32BigEndian(images.AsSpan(12), side);
        rng.NextBytes(images.AsSpan(16));
        var labels = new byte[8 + count];
        BinaryPrimitives.WriteInt32BigEndian(labels, 0x801);
        BinaryPrimitives.WriteInt32BigEndian(labels.AsSpan(4), count);
        for (int i = 0; i < count; i++) labels[8 + i] = (byte)(i % 4);
        foreach (string split in new[] { "train", "t10k" })
        {
            File.WriteAllBytes(Path.Combine(dir, $"{split}-images-idx3-ubyte"), images);
            File.WriteAllBytes(Path.Combine(dir, $"{split}-labels-idx1-ubyte"), labels);
        }
        return dir;
    }
}
