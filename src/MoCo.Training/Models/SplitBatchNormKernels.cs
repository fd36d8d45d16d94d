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
                SampleSums(x + (long)i * pixels * c, x + (long)i * pixels * c, k, pixels, c, sum, square, centredProduct: false);
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
                {
                    long offset = (long)i * pixels * c;
                    float* xr = x + offset, yr = y + offset;
                    for (int p = 0; p < pixels; p++, xr += c, yr += c) MultiplyAdd(xr, a, b, yr, c);
                }
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
                SampleSums(dy + (long)i * pixels * c, x + (long)i * pixels * c, m, pixels, c, sum, product, centredProduct: true);
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
                    float* xr = x + offset, gr = dy + offset, dr = dx + offset;
                    for (int k = 0; k < pixels; k++, xr += c, gr += c, dr += c) GradientRow(xr, gr, ar, pr, qr, dr, c);
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

    /// <summary>
    /// One sample's sums over its pixels, per channel, kept in registers channel block by channel block. Statistics
    /// (<paramref name="centredProduct"/> false, <paramref name="a"/> = <paramref name="b"/> = x): Σ (x − k) and Σ (x − k)².
    /// Gradient (true, a = dy, b = x): Σ dy and Σ dy·(x − k).
    /// </summary>
    private static void SampleSums(float* a, float* b, float* k, int pixels, int c, float* sum, float* product, bool centredProduct)
    {
        int w = Vector<float>.Count;
        int j = 0;
        for (; j <= c - w; j += w)
        {
            var kv = Vector.Load(k + j);
            Vector<float> s0 = default, s1 = default, q0 = default, q1 = default;
            float* pa = a + j, pb = b + j;
            int p = 0;
            for (; p + 1 < pixels; p += 2, pa += 2 * c, pb += 2 * c)
            {
                var a0 = Vector.Load(pa);
                var a1 = Vector.Load(pa + c);
                if (centredProduct)
                {
                    s0 += a0;
                    s1 += a1;
                    q0 += a0 * (Vector.Load(pb) - kv);
                    q1 += a1 * (Vector.Load(pb + c) - kv);
                }
                else
                {
                    var d0 = a0 - kv;
                    var d1 = a1 - kv;
                    s0 += d0;
                    s1 += d1;
                    q0 += d0 * d0;
                    q1 += d1 * d1;
                }
            }
            if (p < pixels)
            {
                var a0 = Vector.Load(pa);
                var d0 = centredProduct ? Vector.Load(pb) - kv : a0 - kv;
                s0 += centredProduct ? a0 : d0;
                q0 += centredProduct ? a0 * d0 : d0 * d0;
            }
            Vector.Store(s0 + s1, sum + j);
            Vector.Store(q0 + q1, product + j);
        }
        for (; j < c; j++)
        {
            float s0 = 0, q0 = 0;
            for (int p = 0; p < pixels; p++)
            {
                float av = a[(long)p * c + j];
                float d = (centredProduct ? b[(long)p * c + j] : av) - k[j];
                s0 += centredProduct ? av : d;
                q0 += centredProduct ? av * d : d * d;
            }
            sum[j] = s0;
            product[j] = q0;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void MultiplyAdd(float* x, float* a, float* b, float* y, int c)
    {
        int j = 0;
        for (; j <= c - Vector<float>.Count; j += Vector<float>.Count)
            Vector.Store(Vector.Load(x + j) * Vector.Load(a + j) + Vector.Load(b + j), y + j);
        for (; j < c; j++) y[j] = x[j] * a[j] + b[j];
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void GradientRow(float* x, float* g, float* a, float* p, float* q, float* dx, int c)
    {
        int j = 0;
        for (; j <= c - Vector<float>.Count; j += Vector<float>.Count)
            Vector.Store(Vector.Load(g + j) * Vector.Load(a + j) + Vector.Load(x + j) * Vector.Load(p + j) + Vector.Load(q + j), dx + j);
        for (; j < c; j++) dx[j] = g[j] * a[j] + x[j] * p[j] + q[j];
    }
}
