namespace MoCo.Onnx.Metadata;

/// <summary>What an encoder's input holds, and so who normalises (written as <see cref="EncoderMetadataKeys.Layout"/>).</summary>
public enum EncoderInputLayout
{
    /// <summary>Float [N, C, S, S], already normalised by the caller: (v / 255 − mean) / std ("nchw_float").</summary>
    NchwFloat,

    /// <summary>UInt8 [N, S, S, C] pixels of the centre crop; the graph normalises with the mean and std ("nhwc_uint8").</summary>
    NhwcUInt8,
}
