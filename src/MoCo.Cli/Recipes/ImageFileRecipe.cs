using MoCo.Imaging.Datasets;
using MoCo.Imaging.Loading;
using MoCo.Imaging.Transforms;
using MoCo.Training.Data;
using MoCo.Training.Evaluation;
using MoCo.Training.Trainer;

namespace MoCo.Cli.Recipes;

/// <summary>
/// Pretraining on image files, in one place for <c>pretrain</c> and <c>ablate</c>: the normalisation (ImageNet's
/// statistics), the preset's Pillow-exact augmentation, the evaluation transform (resize 256/224 of the view side, centre
/// crop) and the loaders of training views and labelled evaluation images.
/// </summary>
internal static class ImageFileRecipe
{
    /// <summary>ImageNet's per-channel mean and std for <paramref name="channels"/> (the one constant in MoCo.Imaging's <see cref="MoCo.Imaging.Transforms.ImageNetStatistics"/>).</summary>
    internal static (double[] Mean, double[] Std) ImageNetStatistics(int channels) =>
        (MoCo.Imaging.Transforms.ImageNetStatistics.MeanFor(channels), MoCo.Imaging.Transforms.ImageNetStatistics.StdFor(channels));

    /// <summary>The preset's view recipe at the config's side (<see cref="PretrainConfig.AugmentationRecipe"/>: the one recipe both data paths run).</summary>
    internal static MoCoAugmentation Augmentation(PretrainConfig config) => config.AugmentationRecipe(config.InputSize, config.Mean, config.Std);

    /// <summary>The evaluation transform: resize to <see cref="EvalTransform.ResizeFor"/> the view side, centre crop, the config's normalisation.</summary>
    internal static EvalTransform Evaluation(PretrainConfig config) =>
        new(EvalTransform.ResizeFor(config.InputSize), config.InputSize) { Mean = Floats(config.Mean), Std = Floats(config.Std) };

    /// <summary>Training view pairs of <paramref name="dataset"/> through MoCo.Imaging's loader (bad files replaced and listed).</summary>
    internal static LoaderViewPairSource Views(IImageDataset dataset, PretrainConfig config, MoCoAugmentation recipe, int workers, bool scaledDecode) => new(
        ImageLoader.ForPretraining(dataset, recipe, config.InChannels, new LoaderOptions(
            BatchSize: config.BatchSize, Workers: workers, Seed: unchecked((int)config.Seed), ReplaceBadFiles: true, ScaledJpegDecode: scaledDecode)),
        dataset.Count, config.InChannels, config.InputSize, config.BatchSize);

    /// <summary>Labelled images for kNN and the linear probe, through the evaluation transform, in source order.</summary>
    internal static LoaderLabelledImages Labelled(IImageDataset dataset, PretrainConfig config, int workers) => new(
        ImageLoader.ForExtraction(dataset, Evaluation(config), config.InChannels, new LoaderOptions(BatchSize: 256, Workers: workers, DropLast: false, Shuffle: false)),
        dataset.Count, dataset.Classes.Count);

    private static float[] Floats(double[] values) => values.Select(v => (float)v).ToArray();
}
