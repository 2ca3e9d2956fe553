using TorchSharp;
using static TorchSharp.torch;

namespace Distill.Trainer.Torch;

/// <summary>
/// Adam with decoupled weight decay, written out so that its moments are named tensors the
/// checkpoint saves and restores bit-exactly (resume must equal an uninterrupted run).
/// </summary>
public sealed class Adam
{
    readonly (string Name, TorchSharp.Modules.Parameter Param, Tensor M, Tensor V)[] slots;
    public double Beta1 { get; init; } = 0.9;
    public double Beta2 { get; init; } = 0.99;
    public double Epsilon { get; init; } = 1e-8;
    public double WeightDecay { get; init; } = 0.0;
    public long StepCount { get; set; }
    readonly string stateName;

    /// <param name="stateName">Prefix of the moments' names in a checkpoint (two optimizers share one file).</param>
    public Adam(IEnumerable<(string Name, TorchSharp.Modules.Parameter Param)> parameters, string stateName = "adam")
    {
        this.stateName = stateName;
        slots = parameters
            .Select(p => (p.Name, p.Param, torch.zeros_like(p.Param).detach(), torch.zeros_like(p.Param).detach()))
            .ToArray();

    }

    public void ZeroGrad()
    {
        foreach (var s in slots) s.Param.grad?.zero_();
    }

    /// <summary>Scales all gradients so their global L2 norm is at most maxNorm; returns the norm before.</summary>
    public double ClipGradNorm(double maxNorm)
    {
        using var _ = torch.no_grad();
        using var scope = torch.NewDisposeScope();
        var grads = slots.Select(s => s.Param.grad).Where(g => g is not null).ToArray();
        double norm = Math.Sqrt(grads.Sum(g => g!.pow(2).sum().item<float>()));
        if (norm > maxNorm)
            foreach (var g in grads) g!.mul_(maxNorm / (norm + 1e-6));
        return norm;
    }

    public void Step(double learningRate)
    {
        using var _ = torch.no_grad();
        using var scope = torch.NewDisposeScope();
        StepCount++;
        double c1 = 1 - Math.Pow(Beta1, StepCount), c2 = 1 - Math.Pow(Beta2, StepCount);
        foreach (var (_, p, m, v) in slots)
        {
            var g = p.grad;
            // A frozen parameter stays put: its moments would otherwise keep moving it on a zero gradient.
            if (g is null || !p.requires_grad) continue;
            m.mul_(Beta1).add_(g, alpha: 1 - Beta1);
            v.mul_(Beta2).addcmul_(g, g, value: 1 - Beta2);
            if (WeightDecay > 0) p.mul_(1 - learningRate * WeightDecay);
            var denom = (v / c2).sqrt_().add_(Epsilon);
            p.addcdiv_(m, denom, value: -learningRate / c1);
        }
    }

    /// <summary>Moments as named tensors for the checkpoint ("adam.m.name", "adam.v.name").</summary>
    public IEnumerable<(string Name, Tensor Tensor)> State() =>
        slots.SelectMany(s => new[] { ($"{stateName}.m.{s.Name}", s.M), ($"{stateName}.v.{s.Name}", s.V) });
}
