using System.Reflection;
using Microsoft.ML;

namespace MoCo.MLNet.Tests.Support;

internal static class Shapes
{
    /// <summary>ML.NET's internal <c>SchemaShape.Create(DataViewSchema)</c>, as its own pipelines call it.</summary>
    public static SchemaShape Of(DataViewSchema schema) =>
        (SchemaShape)typeof(SchemaShape).GetMethod("Create", BindingFlags.Static | BindingFlags.NonPublic | BindingFlags.Public, [typeof(DataViewSchema)])!
            .Invoke(null, [schema])!;
}
