using MoCo.Torch.Native;

namespace MoCo.Torch;

// Element-wise arithmetic, comparison and the C# operators. In-place variants end in '_' and return this.
public partial class Tensor
{
    private Tensor Unary(Op op) => CallFrame.Begin().Add(this).Call(op);
    private Tensor Binary(Op op, Tensor other) => CallFrame.Begin().Add(this).Add(other).Call(op);
    private Tensor Binary(Op op, Scalar other) => CallFrame.Begin().Add(this).Add(other).Call(op);
    private Tensor InPlace(Op op, Tensor other)
    {
        CallFrame.Begin().Add(this).Add(other).CallInPlace(op);
        return this;
    }
    private Tensor InPlace(Op op, Scalar other)
    {
        CallFrame.Begin().Add(this).Add(other).CallInPlace(op);
        return this;
    }

    /// <summary>this + alpha·other.</summary>
    public Tensor add(Tensor other, Scalar? alpha = null) => CallFrame.Begin().Add(this).Add(other).Add(alpha ?? 1).Call(Aten.AddTensor);
    /// <summary>this + other.</summary>
    public Tensor add(Scalar other) => CallFrame.Begin().Add(this).Add(other).Add((Scalar)1).Call(Aten.AddScalar);
    /// <summary>In place: this += alpha·other.</summary>
    public Tensor add_(Tensor other, Scalar? alpha = null)
    {
        CallFrame.Begin().Add(this).Add(other).Add(alpha ?? 1).CallInPlace(Aten.AddTensor_);
        return this;
    }
    /// <summary>In place: this += other.</summary>
    public Tensor add_(Scalar other)
    {
        CallFrame.Begin().Add(this).Add(other).Add((Scalar)1).CallInPlace(Aten.AddScalar_);
        return this;
    }
    /// <summary>this − alpha·other.</summary>
    public Tensor sub(Tensor other, Scalar? alpha = null) => CallFrame.Begin().Add(this).Add(other).Add(alpha ?? 1).Call(Aten.SubTensor);
    /// <summary>this − other.</summary>
    public Tensor sub(Scalar other) => CallFrame.Begin().Add(this).Add(other).Add((Scalar)1).Call(Aten.SubScalar);
    /// <summary>In place: this −= alpha·other.</summary>
    public Tensor sub_(Tensor other, Scalar? alpha = null)
    {
        CallFrame.Begin().Add(this).Add(other).Add(alpha ?? 1).CallInPlace(Aten.SubTensor_);
        return this;
    }
    /// <summary>this · other (element-wise, broadcasting).</summary>
    public Tensor mul(Tensor other) => Binary(Aten.MulTensor, other);
    /// <summary>this · other.</summary>
    public Tensor mul(Scalar other) => Binary(Aten.MulScalar, other);
    /// <summary>In place: this ·= other.</summary>
    public Tensor mul_(Tensor other) => InPlace(Aten.MulTensor_, other);
    /// <summary>In place: this ·= other.</summary>
    public Tensor mul_(Scalar other) => InPlace(Aten.MulScalar_, other);
    /// <summary>this / other (true division).</summary>
    public Tensor div(Tensor other) => Binary(Aten.DivTensor, other);
    /// <summary>this / other (true division).</summary>
    public Tensor div(Scalar other) => Binary(Aten.DivScalar, other);
    /// <summary>In place: this /= other.</summary>
    public Tensor div_(Tensor other) => InPlace(Aten.DivTensor_, other);
    /// <summary>In place: this /= other.</summary>
    public Tensor div_(Scalar other) => InPlace(Aten.DivScalar_, other);
    /// <summary>In place: this += value · t1 · t2.</summary>
    public Tensor addcmul_(Tensor t1, Tensor t2, Scalar? value = null)
    {
        CallFrame.Begin().Add(this).Add(t1).Add(t2).Add(value ?? 1).CallInPlace(Aten.Addcmul_);
        return this;
    }
    /// <summary>In place: this += weight · (end − this).</summary>
    public Tensor lerp_(Tensor end, Scalar weight) { CallFrame.Begin().Add(this).Add(end).Add(weight).CallInPlace(Aten.Lerp_); return this; }

    /// <summary>−this.</summary>
    public Tensor neg() => Unary(Aten.Neg);
    /// <summary>e^this.</summary>
    public Tensor exp() => Unary(Aten.Exp);
    /// <summary>In place: e^this.</summary>
    public Tensor exp_() { CallFrame.Begin().Add(this).CallInPlace(Aten.Exp_); return this; }
    /// <summary>Natural logarithm.</summary>
    public Tensor log() => Unary(Aten.Log);
    /// <summary>Square root.</summary>
    public Tensor sqrt() => Unary(Aten.Sqrt);
    /// <summary>1/√this.</summary>
    public Tensor rsqrt() => Unary(Aten.Rsqrt);
    /// <summary>|this|.</summary>
    public Tensor abs() => Unary(Aten.Abs);
    /// <summary>this².</summary>
    public Tensor square() => Unary(Aten.Square);
    /// <summary>this^exponent.</summary>
    public Tensor pow(Scalar exponent) => Binary(Aten.PowScalar, exponent);
    /// <summary>this^exponent (element-wise).</summary>
    public Tensor pow(Tensor exponent) => Binary(Aten.PowTensor, exponent);
    /// <summary>Logistic sigmoid.</summary>
    public Tensor sigmoid() => Unary(Aten.Sigmoid);
    /// <summary>Hyperbolic tangent.</summary>
    public Tensor tanh() => Unary(Aten.Tanh);
    /// <summary>Sine.</summary>
    public Tensor sin() => Unary(Aten.Sin);
    /// <summary>Cosine.</summary>
    public Tensor cos() => Unary(Aten.Cos);
    /// <summary>Rounds down.</summary>
    public Tensor floor() => Unary(Aten.Floor);
    /// <summary>Rounds half to even.</summary>
    public Tensor round() => Unary(Aten.Round);
    /// <summary>max(this, 0).</summary>
    public Tensor relu() => Unary(Aten.Relu);
    /// <summary>In place: max(this, 0).</summary>
    public Tensor relu_() { CallFrame.Begin().Add(this).CallInPlace(Aten.Relu_); return this; }
    /// <summary>Limits the values to [min, max]; a null bound is open.</summary>
    public Tensor clamp(Scalar? min = null, Scalar? max = null) => ClampFrame(min, max).Call(Aten.Clamp);
    /// <summary>In place: limits the values to [min, max].</summary>
    public Tensor clamp_(Scalar? min = null, Scalar? max = null) { ClampFrame(min, max).CallInPlace(Aten.Clamp_); return this; }
    /// <summary>max(this, min).</summary>
    public Tensor clamp_min(Scalar min) => Binary(Aten.ClampMin, min);

    private CallFrame ClampFrame(Scalar? min, Scalar? max)
    {
        CallFrame f = CallFrame.Begin().Add(this);
        if (min is { } lo) f.Add(lo); else f.AddNone();
        if (max is { } hi) f.Add(hi); else f.AddNone();
        return f;
    }

    /// <summary>this == other, element-wise (Bool).</summary>
    public Tensor eq(Tensor other) => Binary(Aten.EqTensor, other);
    /// <summary>this == other, element-wise (Bool).</summary>
    public Tensor eq(Scalar other) => Binary(Aten.EqScalar, other);
    /// <summary>this != other, element-wise (Bool).</summary>
    public Tensor ne(Tensor other) => Binary(Aten.NeTensor, other);
    /// <summary>this != other, element-wise (Bool).</summary>
    public Tensor ne(Scalar other) => Binary(Aten.NeScalar, other);
    /// <summary>this &lt; other, element-wise (Bool).</summary>
    public Tensor lt(Tensor other) => Binary(Aten.LtTensor, other);
    /// <summary>this &lt; other, element-wise (Bool).</summary>
    public Tensor lt(Scalar other) => Binary(Aten.LtScalar, other);
    /// <summary>this ≤ other, element-wise (Bool).</summary>
    public Tensor le(Tensor other) => Binary(Aten.LeTensor, other);
    /// <summary>this ≤ other, element-wise (Bool).</summary>
    public Tensor le(Scalar other) => Binary(Aten.LeScalar, other);
    /// <summary>this &gt; other, element-wise (Bool).</summary>
    public Tensor gt(Tensor other) => Binary(Aten.GtTensor, other);
    /// <summary>this &gt; other, element-wise (Bool).</summary>
    public Tensor gt(Scalar other) => Binary(Aten.GtScalar, other);
    /// <summary>this ≥ other, element-wise (Bool).</summary>
    public Tensor ge(Tensor other) => Binary(Aten.GeTensor, other);
    /// <summary>this ≥ other, element-wise (Bool).</summary>
    public Tensor ge(Scalar other) => Binary(Aten.GeScalar, other);
    /// <summary>Whether every element is finite (Bool, element-wise).</summary>
    public Tensor isfinite() => Unary(Aten.IsFinite);
    /// <summary>Whether both tensors have the same shape and elements.</summary>
    public bool equal(Tensor other) => CallFrame.Begin().Add(this).Add(other).CallValue(Aten.Equal).Int != 0;
    /// <summary>Whether |this − other| ≤ atol + rtol·|other| everywhere.</summary>
    public bool allclose(Tensor other, double rtol = 1e-5, double atol = 1e-8, bool equal_nan = false) =>
        CallFrame.Begin().Add(this).Add(other).Add(rtol).Add(atol).Add(equal_nan).CallValue(Aten.AllClose).Int != 0;

    /// <summary>Sum.</summary>
    public static Tensor operator +(Tensor left, Tensor right) => left.add(right);
    /// <summary>Sum.</summary>
    public static Tensor operator +(Tensor left, Scalar right) => left.add(right);
    /// <summary>Sum.</summary>
    public static Tensor operator +(Scalar left, Tensor right) => right.add(left);
    /// <summary>Difference.</summary>
    public static Tensor operator -(Tensor left, Tensor right) => left.sub(right);
    /// <summary>Difference.</summary>
    public static Tensor operator -(Tensor left, Scalar right) => left.sub(right);
    /// <summary>Difference.</summary>
    public static Tensor operator -(Scalar left, Tensor right) =>
        CallFrame.Begin().Add(right).Add(left).Add((Scalar)1).Call(Aten.RsubScalar);
    /// <summary>Negation.</summary>
    public static Tensor operator -(Tensor tensor) => tensor.neg();
    /// <summary>Element-wise product.</summary>
    public static Tensor operator *(Tensor left, Tensor right) => left.mul(right);
    /// <summary>Product.</summary>
    public static Tensor operator *(Tensor left, Scalar right) => left.mul(right);
    /// <summary>Product.</summary>
    public static Tensor operator *(Scalar left, Tensor right) => right.mul(left);
    /// <summary>Element-wise quotient.</summary>
    public static Tensor operator /(Tensor left, Tensor right) => left.div(right);
    /// <summary>Quotient.</summary>
    public static Tensor operator /(Tensor left, Scalar right) => left.div(right);
}
