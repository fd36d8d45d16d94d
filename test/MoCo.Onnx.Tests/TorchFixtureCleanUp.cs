using MoCo.Onnx.Tests.Support;

namespace MoCo.Onnx.Tests;

/// <summary>Teardown of the generated PyTorch fixtures once every test in MoCo.Onnx.Tests.* has run.</summary>
[SetUpFixture]
public sealed class TorchFixtureCleanUp
{
    [OneTimeTearDown]
    public void RemoveFixtures() => TorchModels.CleanUp();
}
