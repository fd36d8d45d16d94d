using MoCo.Training.Evaluation;
using static TorchSharp.torch;

namespace MoCo.Training.FineTuning;

/// <summary>
/// The labelled training images of a fine-tuning run: a seeded stratified subset of a labelled source (its
/// <see cref="FineTuneConfig.Budget"/>), served as augmented batches (random resized crop and flip) whose order and
/// views are a pure function of (seed, epoch), so a resume needs only the epoch. Two forms: images held in memory
/// (<see cref="LabelledTrainingSet"/>, IDX data, augmented in libtorch) and image files through MoCo.Imaging's loader
/// (<see cref="LabelledTrainingFiles"/>, Pillow-exact, bad files skipped and recorded).
/// </summary>
public interface ILabelledTrainingSet : IDisposable
{
    /// <summary>The drawn images' indices in the source, ascending (saved in the checkpoint; a resume over another draw is refused).</summary>
    int[] Indices { get; }

    /// <summary>Number of drawn images.</summary>
    int Count { get; }

    /// <summary>Channels of the views.</summary>
    int Channels { get; }

    /// <summary>Images per class of the draw, by class index.</summary>
    IReadOnlyDictionary<long, int> PerClass { get; }

    /// <summary>The epoch's batches of <paramref name="batchSize"/> (an epoch's last, smaller batch when it has at least 2
    /// images): augmented, normalised views N×C×S×S on <paramref name="device"/> and their labels (int64); the caller
    /// disposes both.</summary>
    IEnumerable<(Tensor images, Tensor labels)> Epoch(int epoch, int batchSize, Device device);

    /// <summary>Batches an epoch of <paramref name="batchSize"/> yields: the full batches, plus the remainder when it has at
    /// least 2 images (for files at most that: a batch that unreadable files leave with fewer than 2 images is skipped).</summary>
    int BatchesPerEpoch(int batchSize);

    /// <summary>The drawn images through the evaluation transform, in <see cref="Indices"/>' order (the kNN bank of
    /// the fine-tuned features).</summary>
    ILabelledImages Unaugmented { get; }

    /// <summary>Items skipped so far (unreadable files, short batches), each with its reason; empty for images in memory.</summary>
    IReadOnlyCollection<string> Skipped { get; }
}
