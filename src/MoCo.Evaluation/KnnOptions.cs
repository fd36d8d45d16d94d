using System.Globalization;

namespace MoCo.Evaluation;

/// <summary>The kNN vote's settings: neighbours k and temperature t. Defaults are MoCo's CIFAR demo monitor's (k 200, t 0.1).</summary>
public sealed record KnnOptions
{
    /// <summary>Neighbours that vote in MoCo's monitor: 200.</summary>
    public const int DefaultK = 200;

    /// <summary>Temperature of the vote weights in MoCo's monitor: 0.1.</summary>
    public const float DefaultTemperature = 0.1f;

    /// <summary>Neighbours that vote (capped at the bank's size). Default <see cref="DefaultK"/>.</summary>
    public int K { get; init; } = DefaultK;

    /// <summary>Temperature t of the weights exp(similarity / t). Default <see cref="DefaultTemperature"/>.</summary>
    public float Temperature { get; init; } = DefaultTemperature;

    /// <summary>The protocol's name for figures (results.csv, probe reports), e.g. <c>knn:cosine:k=200:t=0.1</c>.</summary>
    public string Name => string.Create(CultureInfo.InvariantCulture, $"knn:cosine:k={K}:t={Temperature:R}");

    /// <summary>Refuses k &lt; 1 and a temperature that is not positive and finite.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A setting is out of range.</exception>
    public void Validate()
    {
        if (K < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(K), K, "kNN: k must be at least 1.");
        }

        if (!(Temperature > 0) || float.IsInfinity(Temperature))
        {
            throw new ArgumentOutOfRangeException(nameof(Temperature), Temperature, "kNN: the temperature must be positive and finite.");
        }
    }
}
