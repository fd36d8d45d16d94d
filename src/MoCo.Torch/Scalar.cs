namespace MoCo.Torch;

internal enum ScalarKind { Integer, Floating, Boolean }

/// <summary>A number passed to an operator (libtorch's Scalar): integer, floating or boolean.</summary>
public readonly struct Scalar : IEquatable<Scalar>
{
    internal ScalarKind Kind { get; }
    internal long IntegerValue { get; }
    internal double FloatingValue { get; }

    private Scalar(ScalarKind kind, long i, double d)
    {
        Kind = kind;
        IntegerValue = i;
        FloatingValue = d;
    }

    /// <summary>An integer scalar.</summary>
    public static implicit operator Scalar(long value) => new(ScalarKind.Integer, value, value);
    /// <summary>An integer scalar.</summary>
    public static implicit operator Scalar(int value) => new(ScalarKind.Integer, value, value);
    /// <summary>A floating scalar.</summary>
    public static implicit operator Scalar(double value) => new(ScalarKind.Floating, 0, value);
    /// <summary>A floating scalar.</summary>
    public static implicit operator Scalar(float value) => new(ScalarKind.Floating, 0, value);
    /// <summary>A boolean scalar.</summary>
    public static implicit operator Scalar(bool value) => new(ScalarKind.Boolean, value ? 1 : 0, value ? 1 : 0);

    /// <summary>The value as a double.</summary>
    public double ToDouble() => Kind == ScalarKind.Floating ? FloatingValue : IntegerValue;

    /// <inheritdoc/>
    public bool Equals(Scalar other) => Kind == other.Kind && IntegerValue == other.IntegerValue && FloatingValue.Equals(other.FloatingValue);
    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is Scalar s && Equals(s);
    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Kind, IntegerValue, FloatingValue);
    /// <summary>Equality.</summary>
    public static bool operator ==(Scalar left, Scalar right) => left.Equals(right);
    /// <summary>Inequality.</summary>
    public static bool operator !=(Scalar left, Scalar right) => !left.Equals(right);
    /// <inheritdoc/>
    public override string ToString() => Kind == ScalarKind.Floating ? FloatingValue.ToString("R", System.Globalization.CultureInfo.InvariantCulture) : IntegerValue.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
