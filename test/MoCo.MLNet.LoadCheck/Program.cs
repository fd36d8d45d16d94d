// Usage: MoCo.MLNet.LoadCheck MODEL.zip PATHS.txt OUT.bin [--column Features] [--batched] [--label] [--bytes]
// Loads MODEL.zip with mlContext.Model.Load (no MoCo.MLNet type is touched first unless --batched), runs each image
// path of PATHS.txt (one per line, input column "ImagePath") through a PredictionEngine (or, with --batched, through
// MoCoModel.RestoreBatching and Transform), and writes the features column as float32 values to OUT.bin. With --label
// it also writes the predicted labels, one per line, to OUT.bin.labels. With --bytes the input row is a probe model's
// (moco probe) or a fine-tuned classifier's (moco finetune, --column Score): the file's bytes in column "ImageSource"
// and an empty "Label", predicted per row.
using Microsoft.ML;
using Microsoft.ML.Data;

var model = args[0];
var paths = File.ReadAllLines(args[1]).Where(l => l.Length > 0).ToArray();
var output = args[2];
var column = args.SkipWhile(a => a != "--column").Skip(1).FirstOrDefault() ?? "Features";
var batched = args.Contains("--batched");
var withLabel = args.Contains("--label");
var bytes = args.Contains("--bytes");

var ml = new MLContext(seed: 1);
var loaded = ml.Model.Load(model, out var inputSchema);
var rows = paths.Select(p => new PathRow { ImagePath = p }).ToArray();
var features = new List<float>();
var labels = new List<string>();
if (batched)
{
    var fast = MoCo.MLNet.MoCoModel.RestoreBatching(loaded, inputSchema);
    if (!Flatten(fast).OfType<MoCo.MLNet.MoCoFeaturesTransformer>().Any())
    {
        Console.Error.WriteLine("RestoreBatching found no MoCoFeatures step in the loaded model.");
        return 3;
    }

    var scored = fast.Transform(ml.Data.LoadFromEnumerable(rows));
    using var cursor = scored.GetRowCursor(scored.Schema.Where(c => c.Name == column || (withLabel && c.Name == "PredictedLabel")));
    var getter = cursor.GetGetter<VBuffer<float>>(scored.Schema[column]);
    var labelGetter = withLabel ? cursor.GetGetter<ReadOnlyMemory<char>>(scored.Schema["PredictedLabel"]) : null;
    VBuffer<float> value = default;
    ReadOnlyMemory<char> label = default;
    while (cursor.MoveNext())
    {
        getter(ref value);
        features.AddRange(value.DenseValues());
        if (labelGetter is not null)
        {
            labelGetter(ref label);
            labels.Add(label.ToString());
        }
    }
}
else if (bytes)
{
    var schema = Microsoft.ML.Data.SchemaDefinition.Create(typeof(BytesOutRow));
    schema[0].ColumnName = column;
    var engine = ml.Model.CreatePredictionEngine<BytesRow, BytesOutRow>(loaded, inputSchemaDefinition: null, outputSchemaDefinition: schema);
    foreach (var path in paths)
    {
        var result = engine.Predict(new BytesRow { ImageSource = File.ReadAllBytes(path) });
        features.AddRange(result.Features);
        labels.Add(result.PredictedLabel);
    }
}
else
{
    var schema = Microsoft.ML.Data.SchemaDefinition.Create(typeof(OutRow));
    schema[0].ColumnName = column;
    var engine = ml.Model.CreatePredictionEngine<PathRow, OutRow>(loaded, inputSchemaDefinition: null, outputSchemaDefinition: schema);
    foreach (var row in rows)
    {
        var result = engine.Predict(row);
        features.AddRange(result.Features);
    }

    if (withLabel)
    {
        var labelEngine = ml.Model.CreatePredictionEngine<PathRow, LabelRow>(loaded);
        labels.AddRange(rows.Select(r => labelEngine.Predict(r).PredictedLabel));
    }
}

File.WriteAllBytes(output, System.Runtime.InteropServices.MemoryMarshal.AsBytes(features.ToArray().AsSpan()).ToArray());
if (withLabel)
{
    File.WriteAllLines(output + ".labels", labels);
}

Console.WriteLine($"{rows.Length} rows, {features.Count} values; MoCo.MLNet loaded before Load: {batched}");
return 0;

static IEnumerable<ITransformer> Flatten(ITransformer t) =>
    t is TransformerChain<ITransformer> chain ? chain.SelectMany(Flatten) : [t];

internal sealed class PathRow
{
    public string ImagePath { get; set; } = "";

    // Pipelines that map a label to a key need the column at prediction time too (its value is not used).
    public string Label { get; set; } = "";
}

internal sealed class OutRow
{
    public float[] Features { get; set; } = [];
}

internal sealed class LabelRow
{
    public string PredictedLabel { get; set; } = "";
}

internal sealed class BytesRow
{
    public byte[] ImageSource { get; set; } = [];

    public string Label { get; set; } = "";
}

internal sealed class BytesOutRow
{
    public float[] Features { get; set; } = [];

    public string PredictedLabel { get; set; } = "";
}
