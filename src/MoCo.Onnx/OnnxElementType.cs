namespace MoCo.Onnx;

/// <summary>Tensor element types (ONNX TensorProto.DataType numbering, as ORT uses it).</summary>
public enum OnnxElementType
{
    /// <summary>Unknown or not a tensor.</summary>
    Undefined = 0,
    /// <summary>float32.</summary>
    Float = 1,
    /// <summary>uint8.</summary>
    UInt8 = 2,
    /// <summary>int8.</summary>
    Int8 = 3,
    /// <summary>uint16.</summary>
    UInt16 = 4,
    /// <summary>int16.</summary>
    Int16 = 5,
    /// <summary>int32.</summary>
    Int32 = 6,
    /// <summary>int64.</summary>
    Int64 = 7,
    /// <summary>string.</summary>
    String = 8,
    /// <summary>bool.</summary>
    Bool = 9,
    /// <summary>float16.</summary>
    Float16 = 10,
    /// <summary>float64.</summary>
    Double = 11,
}

/// <summary>One input or output of a model: name, element type and shape (-1 for a dynamic dimension).</summary>
/// <param name="Name">The graph's name for the value.</param>
/// <param name="ElementType">Element type.</param>
/// <param name="Shape">Dimensions; -1 where the model leaves a dimension dynamic.</param>
/// <param name="SymbolicDimensions">The symbolic names of the dimensions ("N" for a dynamic batch), "" where fixed or unnamed.</param>
public sealed record OnnxTensorInfo(string Name, OnnxElementType ElementType, IReadOnlyList<long> Shape, IReadOnlyList<string> SymbolicDimensions)
{
    /// <inheritdoc />
    public override string ToString() =>
        $"{Name}: {ElementType}[{string.Join(", ", Shape.Select((d, i) => d >= 0 ? d.ToString(System.Globalization.CultureInfo.InvariantCulture) : SymbolicDimensions[i].Length > 0 ? SymbolicDimensions[i] : "?"))}]";
}
