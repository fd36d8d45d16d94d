using Microsoft.ML;
using Microsoft.ML.Data;
using MoCo.MLNet.DataView;
using MoCo.MLNet.Input;
using MoCo.MLNet.Persistence;
using MoCo.MLNet.Runtime;

namespace MoCo.MLNet;

/// <summary>
/// Adds a column of frozen encoder features to a data view. Lazy and batched: rows are read ahead on a second cursor,
/// decoded and preprocessed on worker threads, and run through ONNX Runtime a batch at a time, by a
/// <see cref="MoCoFeaturizer"/> (decoding the next batch while ORT runs this one). Saved with
/// <c>mlContext.Model.Save</c> as ML.NET's own transformers (see <see cref="MoCoModel"/>), which reload anywhere ML.NET
/// and this assembly are present and give the same features one row at a time;
/// <see cref="MoCoModel.RestoreBatching"/> brings the batched runtime back after a load.
/// Dispose it to release the ONNX Runtime session.
/// </summary>
public sealed class MoCoFeaturesTransformer : ITransformer, IDisposable
{
    private readonly MoCoFeaturesOptions _options;
    private readonly FittedStep _step;
    private readonly Lazy<MoCoFeaturizer> _featurizer;
    private readonly Lazy<ITransformer> _savedForm;
    private readonly DataViewSchema _fitSchema;

    internal MoCoFeaturesTransformer(FittedStep step, MoCoFeaturesOptions options, DataViewSchema fitSchema)
    {
        _step = step;
        _options = options;
        _fitSchema = fitSchema;
        _featurizer = new Lazy<MoCoFeaturizer>(
            () => new MoCoFeaturizer(new FeaturizerRuntime(_step, _options), _options.BadImages, modelBytes: null), LazyThreadSafetyMode.ExecutionAndPublication);
        _savedForm = new Lazy<ITransformer>(() => SavedForm(_fitSchema, cached: false), LazyThreadSafetyMode.ExecutionAndPublication);
    }

    /// <summary>The image column read.</summary>
    public string InputColumnName => _step.Settings.InputColumn;

    /// <summary>The features column added.</summary>
    public string OutputColumnName => _step.Settings.OutputColumn;

    /// <summary>Values per image (the encoder's feature dimension).</summary>
    public int FeatureDimension => _step.FeatureDimension;

    /// <summary>The preprocessing applied to images.</summary>
    public MoCoPreprocessing Preprocessing => _step.Preprocessing;

    /// <summary>The type of the features column: a known-size float vector of <see cref="FeatureDimension"/> values (shape [1, D], as ML.NET's ONNX transformer gives it).</summary>
    public VectorDataViewType FeaturesType => new(NumberDataViewType.Single, 1, FeatureDimension);

    /// <summary>True: usable in a <c>PredictionEngine</c> (one row at a time, through the saved form).</summary>
    public bool IsRowToRowMapper => true;

    internal FittedStep Step => _step;

    /// <inheritdoc />
    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        CheckInput(inputSchema);
        var builder = new DataViewSchema.Builder();
        builder.AddColumns(inputSchema);
        builder.AddColumn(OutputColumnName, FeaturesType);
        return builder.ToSchema();
    }

    /// <inheritdoc />
    public IDataView Transform(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var image = CheckInput(input.Schema);
        return new FeaturesDataView(input, GetOutputSchema(input.Schema), image, () => _featurizer.Value, _step.Kind, _step.Preprocessing.Channels, _options.BadImages);
    }

    /// <inheritdoc />
    public IRowToRowMapper GetRowToRowMapper(DataViewSchema inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        CheckInput(inputSchema);
        return SavedForm(inputSchema).GetRowToRowMapper(inputSchema);
    }

    /// <summary>Saves the step as ML.NET's own transformers (called by <c>mlContext.Model.Save</c>).</summary>
    void ICanSaveModel.Save(ModelSaveContext ctx) => ((ICanSaveModel)_savedForm.Value).Save(ctx);

    /// <summary>Releases the ONNX Runtime session.</summary>
    public void Dispose()
    {
        if (_featurizer.IsValueCreated)
        {
            _featurizer.Value.Dispose();
        }
    }

    private ITransformer SavedForm(DataViewSchema inputSchema, bool cached = true) =>
        cached && inputSchema == _fitSchema
            ? _savedForm.Value
            : SavedStep.Estimator(new MLContext(), _step, inputSchema[InputColumnName].Type).Fit(new EmptyDataView(inputSchema));

    private DataViewSchema.Column CheckInput(DataViewSchema schema)
    {
        var column = schema.GetColumnOrNull(InputColumnName)
            ?? throw new ArgumentException($"MoCoFeatures: the input has no column '{InputColumnName}' (columns: {string.Join(", ", schema.Select(c => c.Name))}).");
        var kind = ImageColumnKinds.Of(column.Type, InputColumnName, _step.Preprocessing.ValueCount);
        if (kind != _step.Kind)
        {
            throw new ArgumentException($"MoCoFeatures was fitted on a {_step.Kind} column '{InputColumnName}'; this input's column is {column.Type} ({kind}).");
        }

        return column;
    }
}
