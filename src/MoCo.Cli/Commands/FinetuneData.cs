using System.Globalization;
using MoCo.Imaging.Datasets;
using MoCo.Training.Data;
using MoCo.Training.Evaluation;
using MoCo.Training.FineTuning;

namespace MoCo.Cli.Commands;

/// <summary>
/// The labelled data of `moco finetune`: IDX data held in memory (augmented in libtorch), or image files (a folder with
/// class subfolders, a labelled list) through MoCo.Imaging's loader as pretraining on files reads them. Test classes are
/// matched to the training classes by name; a test image that cannot be read is skipped and recorded.
/// </summary>
internal sealed class FinetuneData : IDisposable
{
    private InMemoryImages? trainImages, testImages;   // set once, by Open
    private IImageDataset? trainFiles, testFiles;

    private FinetuneData(DataSourceSpec train, DataSourceSpec test, IReadOnlyList<string> classes)
    {
        TrainSpec = train;
        TestSpec = test;
        Classes = classes;
    }

    internal DataSourceSpec TrainSpec { get; }
    internal DataSourceSpec TestSpec { get; }

    /// <summary>The training source's class names, by label (the classifier's outputs).</summary>
    internal IReadOnlyList<string> Classes { get; }

    /// <summary>Image files rather than IDX data.</summary>
    internal bool IsFiles => trainFiles is not null;

    /// <summary>Channels of the IDX images (null for files: the encoder's).</summary>
    internal int? Channels => trainImages?.Channels;

    /// <summary>Side of the IDX images (null for files: --input-size or the checkpoint's).</summary>
    internal int? Side => trainImages?.Height;

    /// <summary>Test images.</summary>
    internal int TestCount => testImages?.Count ?? testFiles!.Count;

    /// <summary>Opens both sources; IDX test data with IDX training data, files with files.</summary>
    /// <exception cref="ArgumentException">A source has no labels, the forms differ, or a test class is not a training class.</exception>
    internal static FinetuneData Open(DataSourceSpec train, DataSourceSpec test)
    {
        if (train.IsFiles != test.IsFiles)
            throw new ArgumentException($"--train {train} and --test {test}: give both as IDX data or both as image files (a folder with class subfolders, or a labelled list)");
        if (!train.IsFiles)
        {
            var trainImages = DataSource.Load(train);
            InMemoryImages? testImages = null;
            try
            {
                testImages = DataSource.Load(test, defaultTrain: false);
                if (trainImages.Labels is null) throw new ArgumentException($"--train {train} has no labels");
                if (testImages.Labels is null) throw new ArgumentException($"--test {test} has no labels");
                if (testImages.Channels != trainImages.Channels || testImages.Height != trainImages.Height || testImages.Width != trainImages.Width)
                    throw new ArgumentException($"--test {test} holds {testImages.Channels}×{testImages.Height}×{testImages.Width} images, --train {train} {trainImages.Channels}×{trainImages.Height}×{trainImages.Width}");
                int classes = (int)Math.Max(trainImages.Labels.Max(), testImages.Labels.Max()) + 1;
                IReadOnlyList<string> names = train.Kind == DataSourceKind.FashionMnist && classes == FashionMnist.Classes.Count
                    ? FashionMnist.Classes
                    : [.. Enumerable.Range(0, classes).Select(c => c.ToString(CultureInfo.InvariantCulture))];
                return new FinetuneData(train, test, names) { trainImages = trainImages, testImages = testImages };
            }
            catch
            {
                trainImages.Dispose();
                testImages?.Dispose();
                throw;
            }
        }

        var trainFiles = DataSource.Files(train);
        var testFiles = DataSource.Files(test);
        if (trainFiles.Classes.Count == 0 || trainFiles.Count > 0 && trainFiles.GetLabel(0) < 0)
            throw new ArgumentException($"--train {train} has no labels: give a folder with one subfolder per class, or a list of path,label lines");
        if (testFiles.Classes.Count == 0 || testFiles.Count > 0 && testFiles.GetLabel(0) < 0)
            throw new ArgumentException($"--test {test} has no labels: give a folder with one subfolder per class, or a list of path,label lines");
        var unknown = testFiles.Classes.Where(c => !trainFiles.Classes.Contains(c)).ToList();
        if (unknown.Count > 0)
            throw new ArgumentException($"--test {test} has classes the training data lacks: {string.Join(", ", unknown.Select(c => $"'{c}'"))} (training classes: {string.Join(", ", trainFiles.Classes)})");
        var byName = new ByTrainingClass(testFiles, trainFiles.Classes);
        return new FinetuneData(train, test, trainFiles.Classes) { trainFiles = trainFiles, testFiles = byName };
    }

    /// <summary>The drawn training set of a run.</summary>
    internal ILabelledTrainingSet TrainingSet(FineTuneConfig config, int workers, bool scaledDecode) =>
        trainImages is not null ? new LabelledTrainingSet(trainImages, config) : new LabelledTrainingFiles(trainFiles!, config, workers, scaledDecode);

    /// <summary>The test set through the evaluation transform of <paramref name="config"/> (IDX: normalisation only;
    /// files: resize, centre crop, normalisation).</summary>
    internal ILabelledImages TestSet(FineTuneConfig config, int workers, bool scaledDecode)
    {
        if (testImages is not null) return new InMemoryLabelledImages(testImages, LabelledTrainingSet.Evaluation(config));
        var loader = MoCo.Imaging.Loading.ImageLoader.ForExtraction(testFiles!, LabelledTrainingFiles.EvaluationTransform(config), config.InChannels,
            new MoCo.Imaging.Loading.LoaderOptions(BatchSize: 256, Workers: workers, DropLast: false, Shuffle: false, ScaledJpegDecode: scaledDecode));
        return new TestFiles(new LoaderLabelledImages(loader, testFiles!.Count, config.Classes), loader, testFiles);
    }

    /// <summary>What each scored test image is (its path, or the IDX source and index), in the order the test set gave
    /// them (an unreadable file skipped), and the skipped files with their reasons.</summary>
    internal static (IReadOnlyList<string> Scored, IReadOnlyList<string> Skipped) Describe(ILabelledImages test, DataSourceSpec spec)
    {
        if (test is not TestFiles files) return ([.. Enumerable.Range(0, test.Count).Select(i => string.Create(CultureInfo.InvariantCulture, $"{spec}[{i}]"))], []);
        var skipped = files.Loader.Skipped.Select(s => s.Index).ToHashSet();
        return ([.. Enumerable.Range(0, files.Dataset.Count).Where(i => !skipped.Contains(i)).Select(files.Dataset.Describe)],
            [.. files.Loader.Skipped.OrderBy(s => s.Index).Select(s => $"{s.Sample}: {s.Reason}")]);
    }

    public void Dispose()
    {
        trainImages?.Dispose();
        testImages?.Dispose();
    }

    /// <summary>The test files with the loader that reads them (its Skipped list names unreadable files).</summary>
    private sealed class TestFiles(LoaderLabelledImages inner, MoCo.Imaging.Loading.ImageLoader loader, IImageDataset dataset) : ILabelledImages
    {
        internal MoCo.Imaging.Loading.ImageLoader Loader => loader;
        internal IImageDataset Dataset => dataset;
        public int Count => inner.Count;
        public int Classes => inner.Classes;
        public IEnumerable<(TorchSharp.torch.Tensor images, long[] labels)> Batches(TorchSharp.torch.Device device) => inner.Batches(device);
    }

    /// <summary>A test dataset whose labels are the training classes' indices of its class names.</summary>
    private sealed class ByTrainingClass(IImageDataset inner, IReadOnlyList<string> trainingClasses) : IImageDataset
    {
        private readonly int[] map = [.. inner.Classes.Select(c => trainingClasses.ToList().IndexOf(c))];
        public int Count => inner.Count;
        public IReadOnlyList<string> Classes => trainingClasses;
        public int GetLabel(int index) => inner.GetLabel(index) is int l && l >= 0 ? map[l] : -1;
        public string Describe(int index) => inner.Describe(index);
        public MoCo.Imaging.DecodedImage Load(int index, MoCo.Imaging.ImageDecodeOptions options) => inner.Load(index, options);
    }
}
