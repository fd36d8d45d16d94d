using System.Diagnostics;
using System.Globalization;
using MoCo.Cli.Report;
using MoCo.Evaluation;

namespace MoCo.Cli.Tests.Report;

public class PcaTests
{
    /// <summary>Rows with variances that fall off by coordinate (so the leading directions are well separated), rotated
    /// by a fixed random orthogonal-ish mix so they are not the axes.</summary>
    private static FeatureMatrix Data(int rows, int dim, int seed)
    {
        var rng = new Random(seed);
        var mix = Enumerable.Range(0, dim * dim).Select(_ => (rng.NextDouble() * 2) - 1).ToArray();
        var values = new float[rows * dim];
        for (var i = 0; i < rows; i++)
        {
            var z = Enumerable.Range(0, dim).Select(d => ((rng.NextDouble() * 2) - 1) * (4.0 / (d + 1))).ToArray();
            for (var a = 0; a < dim; a++)
            {
                double s = 3;
                for (var b = 0; b < dim; b++) s += mix[(a * dim) + b] * z[b];
                values[(i * dim) + a] = (float)s;
            }
        }

        return new FeatureMatrix(values, rows, dim);
    }

    [Test]
    public void Components_and_variances_equal_numpys_eigendecomposition_of_the_covariance()
    {
        // Reference: numpy.linalg.eigh(numpy.cov(X, rowvar=False)) in float64 on the same float32 rows.
        var x = Data(300, 12, seed: 3);
        var file = Path.Combine(Path.GetTempPath(), $"moco-pca-{Guid.NewGuid():N}.f32");
        File.WriteAllBytes(file, x.Values.SelectMany(BitConverter.GetBytes).ToArray());
        try
        {
            var script = "import numpy as np,sys\n" +
                         $"x=np.fromfile(sys.argv[1],dtype=np.float32).reshape({x.Rows},{x.Columns}).astype(np.float64)\n" +
                         "w,v=np.linalg.eigh(np.cov(x,rowvar=False))\n" +
                         "o=np.argsort(w)[::-1]\n" +
                         "print(' '.join(repr(float(t)) for t in [w[o[0]],w[o[1]],np.trace(np.cov(x,rowvar=False))]+list(v[:,o[0]])+list(v[:,o[1]])))\n";
            var info = new ProcessStartInfo("/usr/bin/python3") { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };
            info.ArgumentList.Add("-");
            info.ArgumentList.Add(file);
            using var python = Process.Start(info)!;
            python.StandardInput.Write(script);
            python.StandardInput.Close();
            var output = python.StandardOutput.ReadToEnd();
            python.WaitForExit();
            Assert.That(python.ExitCode, Is.EqualTo(0), python.StandardError.ReadToEnd());
            var numbers = output.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(s => double.Parse(s, CultureInfo.InvariantCulture)).ToArray();
            var pca = Pca.TopTwo(x);
            Assert.That(pca.FirstVariance, Is.EqualTo(numbers[0]).Within(1e-9).Percent);
            Assert.That(pca.SecondVariance, Is.EqualTo(numbers[1]).Within(1e-9).Percent);
            Assert.That(pca.TotalVariance, Is.EqualTo(numbers[2]).Within(1e-9).Percent);
            // Eigenvectors are defined up to sign: compare |cos| of the angle.
            var first = numbers.Skip(3).Take(12).ToArray();
            var second = numbers.Skip(15).Take(12).ToArray();
            Assert.That(Math.Abs(first.Zip(pca.First, (a, b) => a * b).Sum()), Is.EqualTo(1).Within(1e-9));
            Assert.That(Math.Abs(second.Zip(pca.Second, (a, b) => a * b).Sum()), Is.EqualTo(1).Within(1e-9));
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Test]
    public void The_sign_puts_each_components_largest_loading_positive_and_projections_are_centred()
    {
        var x = Data(200, 6, seed: 5);
        var pca = Pca.TopTwo(x);
        Assert.That(pca.First.MaxBy(Math.Abs), Is.GreaterThan(0));
        Assert.That(pca.Second.MaxBy(Math.Abs), Is.GreaterThan(0));
        var projections = Enumerable.Range(0, x.Rows).Select(i => pca.Project(x.Row(i))).ToArray();
        Assert.That(projections.Average(p => p.X), Is.EqualTo(0).Within(1e-4));
        // The variance of the projections is the component's variance (sample variance, n − 1).
        Assert.That(projections.Sum(p => p.X * p.X) / (x.Rows - 1), Is.EqualTo(pca.FirstVariance).Within(1e-4).Percent);
    }

    [Test]
    public void Rank_deficient_rows_still_give_orthonormal_components()
    {
        // Every row on one line: one direction of variance, the second component is any orthogonal unit vector.
        var x = new FeatureMatrix(Enumerable.Range(0, 20).SelectMany(i => new[] { i * 1f, i * 2f, 0f, 0f, 0f }).ToArray(), 20, 5);
        var pca = Pca.TopTwo(x);
        Assert.That(pca.SecondVariance, Is.EqualTo(0).Within(1e-9));
        Assert.That(pca.First.Sum(v => v * v), Is.EqualTo(1).Within(1e-9));
        Assert.That(pca.Second.Sum(v => v * v), Is.EqualTo(1).Within(1e-9));
        Assert.That(pca.First.Zip(pca.Second, (a, b) => a * b).Sum(), Is.EqualTo(0).Within(1e-9));
    }
}
