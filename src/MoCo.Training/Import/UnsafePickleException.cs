namespace MoCo.Training.Import;

/// <summary>
/// A PyTorch file was refused because loading it in Python would run code, or because a value the import needs (a
/// tensor, the state dict) would be built by a global the reader does not allow. <see cref="Global"/> names it
/// (<c>module.name</c>). Nothing in the file was run.
/// </summary>
public sealed class UnsafePickleException : Exception
{
    /// <summary>Creates the exception for <paramref name="global"/> with a message saying why.</summary>
    public UnsafePickleException(string global, string message) : base(message) => Global = global;

    /// <summary>Creates the exception (for serializers and analyzers); prefer the constructor that names the global.</summary>
    public UnsafePickleException() : this("", "the file was refused") { }

    /// <summary>Creates the exception with a message only.</summary>
    public UnsafePickleException(string message) : this("", message) { }

    /// <summary>Creates the exception with a message and an inner exception.</summary>
    public UnsafePickleException(string message, Exception innerException) : base(message, innerException) => Global = "";

    /// <summary>The global that made the file unsafe, as <c>module.name</c> (e.g. <c>posix.system</c>).</summary>
    public string Global { get; }
}
