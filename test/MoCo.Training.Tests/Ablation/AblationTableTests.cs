using MoCo.Training.Ablation;

namespace MoCo.Training.Tests.Ablation;

public class AblationTableTests
{
    private static readonly AblationResult[] Results =
    [
        new() { Name = "moco-k256-m0.9-nosbn-b64", Sweeps = ["momentum", "shuffle-bn"], Method = "moco", Negatives = 256, Momentum = 0.9, ShuffleBn = false,
                BatchSize = 64, Epochs = 3, FinalLoss = 4.56789, KnnTop1 = 0.71234, LinearTop1 = 0.8, Seconds = 12.4,
                KnnProtocol = "knn:cosine:k=200:t=0.1", LinearProtocol = "linear:adam:l2=0.0001:steps=500:lr=0.05" },
        new() { Name = "memory-bank-k256-m0.99-sbn-b64", Sweeps = ["negatives"], Method = "memory-bank", Negatives = 256, Momentum = 0.99, ShuffleBn = true,
                BatchSize = 64, Epochs = 3, Status = "failed", Reason = "diverged: \"loss\" NaN, at step 3" },
    ];

    [Test]
    public void Csv_has_the_header_and_one_quoted_reason_per_failed_row()
    {
        string[] lines = AblationTable.Csv(Results).Split('\n');
        Assert.That(lines[0], Is.EqualTo(AblationTable.CsvHeader));
        Assert.That(lines[1], Is.EqualTo("moco-k256-m0.9-nosbn-b64,momentum;shuffle-bn,moco,256,0.9,off,64,3,4.5679,0.7123,0.8000,12,ok,,knn:cosine:k=200:t=0.1,linear:adam:l2=0.0001:steps=500:lr=0.05"));
        Assert.That(lines[2], Is.EqualTo("memory-bank-k256-m0.99-sbn-b64,negatives,memory-bank,256,0.99,on,64,3,,,,0,failed,\"diverged: \"\"loss\"\" NaN, at step 3\",,"));
    }

    [Test]
    public void Markdown_shows_percentages_and_no_momentum_or_shuffle_for_mechanisms_without_a_key_encoder()
    {
        string[] lines = AblationTable.Markdown(Results).Split('\n');
        Assert.That(lines[2], Is.EqualTo("| moco | 256 | 0.9 | off | 64 | 3 | 4.568 | 71.23% | 80.00% | 12 | ok |"));
        Assert.That(lines[3], Is.EqualTo("| memory-bank | 256 | – | – | 64 | 3 |  | – | – | 0 | failed: diverged: \"loss\" NaN, at step 3 |"));
    }
}
