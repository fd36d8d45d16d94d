namespace MoCo.Torch;

/// <summary>Memory layouts of 4-D tensors, numbered as libtorch's c10::MemoryFormat.</summary>
public enum MemoryFormat
{
    /// <summary>Row-major NCHW.</summary>
    Contiguous = 0,
    /// <summary>Keep the input's layout.</summary>
    Preserve = 1,
    /// <summary>NHWC in memory (faster convolutions with oneDNN on the CPU).</summary>
    ChannelsLast = 2,
}
