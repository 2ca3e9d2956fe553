using Distill.Trainer.Autoencoder;

namespace Distill.Tests;

public sealed class NullObserver : ITrainingObserver
{
    public readonly List<StepReport> Steps = new();
    public readonly List<EpochReport> Epochs = new();
    public readonly List<string> Messages = new();
    public void OnStep(StepReport report) => Steps.Add(report);
    public void OnEpoch(EpochReport report) => Epochs.Add(report);
    public void OnMessage(string message) => Messages.Add(message);
}
