using System.Numerics;
using System.Runtime.CompilerServices;

namespace MoCo.Training.Models;

/// <summary>
/// Split BatchNorm's arithmetic on channels-last (NHWC) float memory, N × P × C (P = H·W pixels per sample), where
/// sample n belongs to sub-batch n mod S: per-(sub-batch, channel) statistics, the normalisation, and the closed-form
/// backward. Each is one pass over the tensors, vectorised over channels and split over samples. Sums are accumulated
/// per sample in float, then per sub-batch in double; statistics are taken about a per-(sub-batch, channel) shift, one
/// of the sub-batch's own values, so a mean far from zero does not cancel the variance away.
/// </summary>
internal static unsafe class SplitBatchNormKernels
{
    /// <summary>Mean and biased variance per (sub-batch, channel), S × C row-major, of <paramref name="x"/>.</summary>
    internal static void Statistics(float* x, int n, int pixels, int c, int splits, int threads, double[] mean, double[] variance)
    {
        var shift = new float[splits * c];
        for (int s = 0; s < splits; s++)
            new ReadOnlySpan<float>(x + (long)s * pixels * c, c).CopyTo(shift.AsSpan(s * c, c));   // sample s's first pixel
        var sums = new double[splits * c];
        var squares = new double[splits * c];
        SumPerSubBatch(n, c, splits, threads, sums, squares, (i, sum, square) =>
        {
            fixed (float* k = &shift[i % splits * c])
                ShiftedSums(x + (long)i * pixels * c, k, pixels, c, sum, square);
        });
        double count = (double)(n / splits) * pixels;
        for (int j = 0; j < sums.Length; j++)
        {
            double d = sums[j] / count;
            mean[j] = shift[j] + d;
            variance[j] = Math.Max(squares[j] / count - d * d, 0);
        }
    }

    /// <summary>y = x·scale[s, c] + shift[s, c], sample by sample.</summary>
    internal static void Affine(float* x, float* y, int n, int pixels, int c, int splits, int threads, float[] scale, float[] shift)
    {
        ForEachSampleChunk(n, threads, (_, first, end) =>
        {
            for (int i = first; i < end; i++)
            {
                int s = i % splits;
                fixed (float* a = &scale[s * c], b = &shift[s * c])
                    AffineSample(x + (long)i * pixels * c, y + (long)i * pixels * c, a, b, pixels, c);
            }
        });
    }

    /// <summary>Per (sub-batch, channel): Σ dy and Σ dy·(x − mean[s, c]), S × C row-major.</summary>
    internal static void GradientSums(float* x, float* dy, int n, int pixels, int c, int splits, int threads, float[] mean,
        double[] sumDy, double[] sumDyCentred)
    {
        SumPerSubBatch(n, c, splits, threads, sumDy, sumDyCentred, (i, sum, product) =>
        {
            fixed (float* m = &mean[i % splits * c])
                GradientSampleSums(dy + (long)i * pixels * c, x + (long)i * pixels * c, m, pixels, c, sum, product);
        });
    }

    /// <summary>dx = dy·a[s, c] + x·p[s, c] + q[s, c], sample by sample.</summary>
    internal static void InputGradient(float* x, float* dy, float* dx, int n, int pixels, int c, int splits, int threads,
        float[] a, float[] p, float[] q)
    {
        ForEachSampleChunk(n, threads, (_, first, end) =>
        {
            for (int i = first; i < end; i++)
            {
                int s = i % splits;
                fixed (float* ar = &a[s * c], pr = &p[s * c], qr = &q[s * c])
                {
                    long offset = (long)i * pixels * c;
                    InputGradientSample(x + offset, dy + offset, dx + offset, ar, pr, qr, pixels, c);
                }
            }
        });
    }

    /// <summary>A pair of per-channel sums of one sample (<paramref name="sample"/>, C-long sum, C-long product).</summary>
    private delegate void SampleSumsOf(int sample, float* sum, float* product);

    /// <summary>
    /// Per (sub-batch, channel) totals of each sample's two sums (float per sample, double per sub-batch). Samples are
    /// split into contiguous chunks, one per thread, and the chunks' totals are added in chunk order: the result does
    /// not depend on which thread finishes first (bit-exact resume).
    /// </summary>
    private static void SumPerSubBatch(int n, int c, int splits, int threads, double[] first, double[] second, SampleSumsOf sampleSums)
    {
        int chunks = Math.Clamp(threads, 1, n);
        var chunkFirst = new double[chunks][];
        var chunkSecond = new double[chunks][];
        ForEachSampleChunk(n, chunks, (k, start, end) =>
        {
            var totalFirst = new double[splits * c];
            var totalSecond = new double[splits * c];
            var sum = new float[c];
            var product = new float[c];
            fixed (float* ps = sum, pp = product)
            {
                for (int i = start; i < end; i++)
                {
                    sampleSums(i, ps, pp);
                    int row = i % splits * c;
                    for (int j = 0; j < c; j++)
                    {
                        totalFirst[row + j] += sum[j];
                        totalSecond[row + j] += product[j];
                    }
                }
            }
            chunkFirst[k] = totalFirst;
            chunkSecond[k] = totalSecond;
        });
        Array.Clear(first);
        Array.Clear(second);
        for (int k = 0; k < chunks; k++)
        {
            for (int j = 0; j < first.Length; j++)
            {
                first[j] += chunkFirst[k][j];
                second[j] += chunkSecond[k][j];
            }
        }
    }

    /// <summary>Runs <paramref name="body"/>(chunk, first, end) over <paramref name="threads"/> contiguous ranges of samples.</summary>
    private static void ForEachSampleChunk(int n, int threads, Action<int, int, int> body)
    {
        int chunks = Math.Clamp(threads, 1, n);
        if (chunks == 1)
        {
            body(0, 0, n);
            return;
        }
        Parallel.For(0, chunks, new ParallelOptions { MaxDegreeOfParallelism = chunks }, k =>
            body(k, (int)((long)n * k / chunks), (int)((long)n * (k + 1) / chunks)));
    }

    /// <summary>One sample's Σ (x − k) and Σ (x − k)² over its pixels, per channel, pixel by pixel into
    /// <paramref name="sum"/> and <paramref name="square"/> (which it clears first).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ShiftedSums(float* x, float* k, int pixels, int c, float* sum, float* square)
    {
        new Span<float>(sum, c).Clear();
        new Span<float>(square, c).Clear();
        for (int p = 0; p < pixels; p++, x += c)
        {
            int j = 0;
            for (; j <= c - Vector<float>.Count; j += Vector<float>.Count)
            {
                var d = Vector.Load(x + j) - Vector.Load(k + j);
                Vector.Store(Vector.Load(sum + j) + d, sum + j);
                Vector.Store(Vector.Load(square + j) + d * d, square + j);
            }
            for (; j < c; j++)
            {
                float d = x[j] - k[j];
                sum[j] += d;
                square[j] += d * d;
            }
        }
    }

    /// <summary>One sample's Σ dy and Σ dy·(x − m) over its pixels, per channel (cleared first).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void GradientSampleSums(float* dy, float* x, float* m, int pixels, int c, float* sum, float* product)
    {
        new Span<float>(sum, c).Clear();
        new Span<float>(product, c).Clear();
        for (int p = 0; p < pixels; p++, dy += c, x += c)
        {
            int j = 0;
            for (; j <= c - Vector<float>.Count; j += Vector<float>.Count)
            {
                var g = Vector.Load(dy + j);
                Vector.Store(Vector.Load(sum + j) + g, sum + j);
                Vector.Store(Vector.Load(product + j) + g * (Vector.Load(x + j) - Vector.Load(m + j)), product + j);
            }
            for (; j < c; j++)
            {
                sum[j] += dy[j];
                product[j] += dy[j] * (x[j] - m[j]);
            }
        }
    }

    // The per-sample loops are compiled fully optimised at once: under tiered compilation they would start as
    // unoptimised code (Vector operations as calls) and run a few times slower until promoted.

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void AffineSample(float* x, float* y, float* a, float* b, int pixels, int c)
    {
        for (int p = 0; p < pixels; p++, x += c, y += c)
        {
            int j = 0;
            for (; j <= c - Vector<float>.Count; j += Vector<float>.Count)
                Vector.Store(Vector.Load(x + j) * Vector.Load(a + j) + Vector.Load(b + j), y + j);
            for (; j < c; j++) y[j] = x[j] * a[j] + b[j];
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void InputGradientSample(float* x, float* g, float* dx, float* a, float* p, float* q, int pixels, int c)
    {
        for (int k = 0; k < pixels; k++, x += c, g += c, dx += c)
        {
            int j = 0;
            for (; j <= c - Vector<float>.Count; j += Vector<float>.Count)
                Vector.Store(Vector.Load(g + j) * Vector.Load(a + j) + Vector.Load(x + j) * Vector.Load(p + j) + Vector.Load(q + j), dx + j);
            for (; j < c; j++) dx[j] = g[j] * a[j] + x[j] * p[j] + q[j];
        }
    }
}
