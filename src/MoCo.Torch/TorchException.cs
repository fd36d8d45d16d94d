namespace MoCo.Torch;

/// <summary>A libtorch error (shape mismatch, wrong dtype, index out of range, …) carrying libtorch's message.</summary>
public sealed class TorchException : Exception
{
    /// <summary>Creates the exception with libtorch's message.</summary>
    public TorchException(string message) : base(message) { }

    /// <summary>Creates the exception with a message and its cause.</summary>
    public TorchException(string message, Exception inner) : base(message, inner) { }

    /// <summary>Creates the exception with a generic message.</summary>
    public TorchException() : base("libtorch call failed") { }
}
