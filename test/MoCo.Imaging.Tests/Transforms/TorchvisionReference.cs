using System.Globalization;
using System.Text;
using MoCo.Imaging.Tests.Fixtures;

namespace MoCo.Imaging.Tests.Transforms;

/// <summary>Runs a batch of jobs through Fixtures/torchvision_transforms.py and reads the results back.</summary>
internal sealed class TorchvisionReference
{
    private readonly StringBuilder _jobs = new();

    internal TorchvisionReference()
    {
        Dir = Directory.CreateTempSubdirectory("moco-tv-").FullName;
        string fixtures = PythonFixtures.Make("make_decoding_fixtures.py");
        foreach (var f in new[] { "rgb.png", "gray.png", "rgba.png" })
        {
            File.Copy(Path.Combine(fixtures, f), Path.Combine(Dir, f));
        }

        // A larger photo-like image, decoded losslessly on both sides.
        using var big = ImageDecoder.Decode(Path.Combine(fixtures, "big.jpg"));
        WritePpm("big.ppm", big);
    }

    internal string Dir { get; }

    internal void WritePpm(string name, DecodedImage image)
    {
        using var f = File.Create(Path.Combine(Dir, name));
        f.Write(Encoding.ASCII.GetBytes($"{(image.Channels == 3 ? "P6" : "P5")}\n{image.Width} {image.Height}\n255\n"));
        f.Write(image.Pixels);
    }

    internal void Add(FormattableString job) => _jobs.AppendLine(job.ToString(CultureInfo.InvariantCulture));

    internal void Run()
    {
        File.WriteAllText(Path.Combine(Dir, "params.txt"), _jobs.ToString());
        PythonFixtures.Run(Path.Combine(AppContext.BaseDirectory, "Fixtures", "torchvision_transforms.py"), Dir);
    }

    internal (int Width, int Height, int Channels, byte[] Pixels) Bytes(string name) => PythonFixtures.ReadRef(Path.Combine(Dir, name + ".ref"));

    internal float[] Floats(string name)
    {
        byte[] raw = File.ReadAllBytes(Path.Combine(Dir, name + ".f32"));
        var result = new float[raw.Length / 4];
        Buffer.BlockCopy(raw, 0, result, 0, raw.Length);
        return result;
    }

    internal static int MaxAbsDiff(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b)
    {
        int max = 0;
        for (int i = 0; i < a.Length; i++)
        {
            max = Math.Max(max, Math.Abs(a[i] - b[i]));
        }

        return max;
    }
}
