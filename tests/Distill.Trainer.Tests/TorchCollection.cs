namespace Distill.Tests;

/// <summary>TorchSharp's random generator and thread settings are process-global: tests that use
/// them run one at a time, or reproducibility tests would see each other's draws.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class TorchCollection
{
    public const string Name = "torch";
}
