using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms.Image;
using MoCo.MLNet.Input;
using MoCo.MLNet.Persistence;
using MoCo.MLNet.Runtime;

namespace MoCo.MLNet;

/// <summary>
/// Estimator of <see cref="MoCoFeaturesTransformer"/>; made by <c>mlContext.Transforms.MoCoFeatures(...)</c>. Fitting
/// looks at the schema only (the encoder is frozen). The model, its preprocessing and the input column are checked
/// at <see cref="Fit"/> and <see cref="GetOutputSchema"/>, before any work, each problem with one clear message.
/// </summary>
public sealed class MoCoFeaturesEstimator : IEstimator<MoCoFeaturesTransformer>
{
    private readonly MoCoFeaturesOptions _options;
    private readonly Lazy<EncoderModel> _model;

    internal MoCoFeaturesEstimator(MoCoFeaturesOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrEmpty(options.OutputColumnName);
        if (options.BatchSize <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.BatchSize, "MoCoFeaturesOptions.BatchSize must be positive.");
        }

        _options = Copy(options);
        _model = new Lazy<EncoderModel>(() => EncoderModel.Load(_options));
    }

    private string InputColumn => _options.InputColumnName ?? _options.OutputColumnName;

    /// <inheritdoc />
    public MoCoFeaturesTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var column = input.Schema.GetColumnOrNull(InputColumn)
            ?? throw new ArgumentException($"MoCoFeatures: the input has no column '{InputColumn}' (columns: {string.Join(", ", input.Schema.Select(c => c.Name))}).");
        var model = _model.Value;
        var kind = ImageColumnKinds.Of(column.Type, InputColumn, model.Preprocessing.ValueCount);
        return new MoCoFeaturesTransformer(FittedStep.Create(model, kind, StepSettings.From(_options)), _options, input.Schema);
    }

    /// <inheritdoc />
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        var matches = inputSchema.Where(c => c.Name == InputColumn).ToArray();
        if (matches.Length == 0)
        {
            throw new ArgumentException($"MoCoFeatures: the input has no column '{InputColumn}' (columns: {string.Join(", ", inputSchema.Select(c => c.Name))}).");
        }

        var column = matches[^1];
        var model = _model.Value;
        var kind = KindOf(column, model);
        // ML.NET keeps SchemaShape's constructors internal: ask the saved form's built-in estimators, which give the same columns.
        return SavedStep.Estimator(new MLContext(), FittedStep.Create(model, kind, StepSettings.From(_options)), column.ItemType).GetOutputSchema(inputSchema);
    }

    private ImageColumnKind KindOf(SchemaShape.Column column, EncoderModel model)
    {
        var scalar = column.Kind == SchemaShape.Column.VectorKind.Scalar;
        if (scalar && column.ItemType is TextDataViewType)
        {
            return ImageColumnKind.Path;
        }

        if (scalar && column.ItemType is ImageDataViewType)
        {
            return ImageColumnKind.MLImage;
        }

        if (!scalar && column.ItemType.RawType == typeof(byte))
        {
            return ImageColumnKind.EncodedBytes;
        }

        if (column.Kind == SchemaShape.Column.VectorKind.Vector && column.ItemType.RawType == typeof(float))
        {
            return ImageColumnKind.Preprocessed;
        }

        // Same message as for a full schema.
        return ImageColumnKinds.Of(column.ItemType, InputColumn, model.Preprocessing.ValueCount);
    }

    internal static MoCoFeaturesOptions Copy(MoCoFeaturesOptions o) => new()
    {
        OutputColumnName = o.OutputColumnName,
        InputColumnName = o.InputColumnName,
        ModelPath = o.ModelPath,
        ModelBytes = o.ModelBytes,
        ImageFolder = o.ImageFolder,
        BatchSize = o.BatchSize,
        DecodeThreads = o.DecodeThreads,
        IntraOpThreads = o.IntraOpThreads,
        OrtSpinning = o.OrtSpinning,
        DecodePlacement = o.DecodePlacement,
        GpuDeviceId = o.GpuDeviceId,
        FallbackToCpu = o.FallbackToCpu,
        BadImages = o.BadImages,
        Preprocessing = o.Preprocessing,
        ScaledJpegDecode = o.ScaledJpegDecode,
    };
}
