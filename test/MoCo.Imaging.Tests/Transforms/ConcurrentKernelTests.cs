using MoCo.Imaging.Transforms;

namespace MoCo.Imaging.Tests.Transforms;

/// <summary>
/// The resized crop and the blur on several threads at once, as the loader runs them, give the bytes they give
/// alone (their scratch comes from ArrayPool and nothing is shared between calls).
/// </summary>
public class ConcurrentKernelTests
{
    [Test]
    public void Views_made_on_four_threads_at_once_match_views_made_one_at_a_time()
    {
        var rng = new Random(51);
        using var photo = new DecodedImage(500, 375, 3);
        rng.NextBytes(photo.Pixels);
        var crop = new RandomResizedCrop();
        var jobs = Enumerable.Range(0, 64).Select(i => (Box: crop.Sample(500, 375, rng), Sigma: 0.1f + (i * 0.05f), Size: i % 2 == 0 ? 224 : 97)).ToArray();

        byte[] Make((CropBox Box, float Sigma, int Size) job)
        {
            using var view = ImageOps.ResizedCrop(photo, job.Box, job.Size, job.Size);
            GaussianBlur.Apply(view, job.Sigma);
            return view.Pixels.ToArray();
        }

        var alone = jobs.Select(Make).ToArray();
        var together = new byte[jobs.Length][];
        Parallel.For(0, jobs.Length, new ParallelOptions { MaxDegreeOfParallelism = 4 }, i => together[i] = Make(jobs[i]));
        for (int i = 0; i < jobs.Length; i++)
        {
            Assert.That(together[i], Is.EqualTo(alone[i]), $"view {i}: {jobs[i]}");
        }
    }
}
