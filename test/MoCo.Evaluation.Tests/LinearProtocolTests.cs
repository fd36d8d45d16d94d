namespace MoCo.Evaluation.Tests;

public class LinearProtocolTests
{
    // Closed form: column 0 = 1, 2, 3, 4 (mean 2.5, population variance 1.25); column 1 constant 7 (maps to 0);
    // column 2 = −1, 1, −1, 1 (mean 0, σ 1).
    [Test]
    public void Standardisation_is_the_mean_and_population_deviation_of_the_training_rows()
    {
        var x = new FeatureMatrix([1, 7, -1, 2, 7, 1, 3, 7, -1, 4, 7, 1], 4, 3);
        var s = Standardization.Fit(x);
        Assert.That(s.Mean, Is.EqualTo(new[] { 2.5f, 7f, 0f }));
        Assert.That(s.Scale[0], Is.EqualTo(1f / (float)Math.Sqrt(1.25)));
        Assert.That(s.Scale[1], Is.Zero, "a constant feature maps to 0");
        Assert.That(s.Scale[2], Is.EqualTo(1f));
        var z = s.Apply(x);
        double[] expected0 = [-1.5 / Math.Sqrt(1.25), -0.5 / Math.Sqrt(1.25), 0.5 / Math.Sqrt(1.25), 1.5 / Math.Sqrt(1.25)];
        for (var i = 0; i < 4; i++)
        {
            Assert.That(z.Row(i)[0], Is.EqualTo(expected0[i]).Within(1e-6), $"row {i}");
            Assert.That(z.Row(i)[1], Is.Zero);
            Assert.That(z.Row(i)[2], Is.EqualTo(x.Row(i)[2]));
        }

        Assert.That(() => s.Apply(new FeatureMatrix(new float[4], 2, 2)), Throws.ArgumentException.With.Message.Contains("[N, 3]"));
    }

    // Closed forms: W = 0, b = 0 gives log C whatever the data; one sample z = 1 with scores (1, −1) and label 0 gives
    // log(1 + e^−2), plus λ/2·‖W‖² = λ/2·2.
    [Test]
    public void The_objective_is_mean_cross_entropy_plus_half_lambda_times_the_weights_squared_norm()
    {
        var z = new FeatureMatrix([0.3f, -1.2f, 2f, 0.5f, 0f, 1f], 3, 2);
        Assert.That(LinearProtocol.Objective(z, [0, 2, 1], 3, new float[6], new float[3], 0.5), Is.EqualTo(Math.Log(3)).Within(1e-12));
        var one = new FeatureMatrix([1f], 1, 1);
        Assert.That(LinearProtocol.Objective(one, [0], 2, [1f, -1f], [0f, 0f], 0), Is.EqualTo(Math.Log(1 + Math.Exp(-2))).Within(1e-12));
        Assert.That(LinearProtocol.Objective(one, [0], 2, [1f, -1f], [0f, 0f], 0.1), Is.EqualTo(Math.Log(1 + Math.Exp(-2)) + 0.1).Within(1e-12));
        // The biases are not regularised: shifting both by 5 leaves J alone.
        Assert.That(LinearProtocol.Objective(one, [0], 2, [1f, -1f], [5f, 5f], 0.1), Is.EqualTo(Math.Log(1 + Math.Exp(-2)) + 0.1).Within(1e-12));
    }

    [Test]
    public void Names_say_the_trainer_and_lambda()
    {
        Assert.That(LinearProtocol.Name(LinearTrainer.Lbfgs, LinearProtocol.DefaultL2), Is.EqualTo("linear:lbfgs:l2=0.0001"));
        Assert.That(LinearProtocol.Name(LinearTrainer.Adam, 1e-4, "steps=500:lr=0.05"), Is.EqualTo("linear:adam:l2=0.0001:steps=500:lr=0.05"));
        foreach (var trainer in Enum.GetValues<LinearTrainer>())
        {
            Assert.That(LinearTrainerNames.Parse(LinearTrainerNames.Format(trainer)), Is.EqualTo(trainer));
        }

        Assert.That(() => LinearTrainerNames.Parse("sgd"), Throws.ArgumentException.With.Message.Contains("lbfgs, sdca, adam"));
    }

    [Test]
    public void Bad_labels_are_refused()
    {
        Assert.That(() => LinearProtocol.CheckLabels(3, [0, 1], 2), Throws.ArgumentException.With.Message.Contains("3 feature rows but 2 labels"));
        Assert.That(() => LinearProtocol.CheckLabels(2, [0, 2], 2), Throws.ArgumentException.With.Message.Contains("outside [0, 2)"));
        Assert.That(() => LinearProtocol.CheckLabels(2, [0, 0], 1), Throws.ArgumentException.With.Message.Contains("at least 2 classes"));
        Assert.That(() => LinearProtocol.ValidateL2(-1), Throws.InstanceOf<ArgumentOutOfRangeException>());
    }
}
