using System.Diagnostics;
using Distill.Trainer.Data;
using Distill.Trainer.Telemetry;
using Distill.Trainer.Torch;
using TorchSharp;
using static TorchSharp.torch;
using System.Text.Json;

namespace Distill.Trainer.Autoencoder;

/// <summary>
/// The autoencoder's training loop. Every random draw of step s comes from generators seeded with
/// (seed, s), so a run stopped after any step and resumed from its checkpoint ends bit-identical
/// to an uninterrupted one.
/// </summary>
public sealed class AutoencoderTrainer
{
    public const string CheckpointFile = "checkpoint.bin";
    readonly AutoencoderTraining config;
    readonly string runDir;
    readonly ITrainingObserver observer;
    readonly RvqAutoencoder model;
    readonly Adam adam;
    // The adversarial phase's critic and its optimizer; null when the run has none.
    readonly SpectrogramDiscriminator? discriminator;
    readonly Adam? discriminatorAdam;
    readonly CropBatcher train, validation;
    TrainingState state;

    public RvqAutoencoder Model => model;

    /// <param name="config">Written into every checkpoint as what it is (the pipeline's run configuration carries the
    /// input folder and the prior's options too), so that resuming reads back the whole run.</param>
    public AutoencoderTrainer(AutoencoderTraining config, Corpus corpus, string runDir, ITrainingObserver observer,
                              TrainingState? resumeState = null,
                              IReadOnlyDictionary<string, Tensor>? resumeTensors = null)
    {
        this.config = config; this.runDir = runDir; this.observer = observer;
        TorchThreads.Use(config.Threads);
        torch.manual_seed(config.Seed).Dispose(); // weight initialisation draws from the default generator
        model = new RvqAutoencoder(config.Model);
        adam = new Adam(model.named_parameters());
        if (config.AdversarialEpochs > 0)
        {
            discriminator = new SpectrogramDiscriminator();
            // GAN practice (EnCodec, HiFi-GAN): a short memory of past gradients keeps the critic responsive.
            discriminatorAdam = new Adam(discriminator.named_parameters(), "discriminator_adam")
                { Beta1 = 0.5, Beta2 = 0.9 };
        }
        state = resumeState ?? new TrainingState();
        if (resumeTensors is not null)
        {
            Checkpoint.LoadInto(model, resumeTensors, "model.");
            foreach (var (name, t) in adam.State()) Checkpoint.CopyNamed(resumeTensors, name, t);
            adam.StepCount = state.NextStep;
            if (discriminator is not null)
            {
                Checkpoint.LoadInto(discriminator, resumeTensors, "discriminator.");
                foreach (var (name, t) in discriminatorAdam!.State()) Checkpoint.CopyNamed(resumeTensors, name, t);
                discriminatorAdam.StepCount = Math.Max(0, state.NextStep - config.AdversarialFromStep);
            }
        }
        var m = config.Model;
        CropBatcher Batches(int[] clips) =>
            new(clips.Select(i => corpus.Clips[i]).ToArray(), config.Stats, m.Mels, m.StftBins, config.CropFrames);
        train = Batches(config.Split.Train);
        validation = Batches(config.Split.Validation);
    }

    public TrainingOutcome Run(CancellationToken cancel, long? stopAfterStep = null)
    {
        int levels = config.Model.Levels;
        using var metrics = new MetricsLog(runDir, MetricColumns(levels, discriminator is not null),
                                       append: state.NextStep > 0);
        using var board = new TensorBoardWriter(Path.Combine(runDir, "tensorboard"));
        var clock = Stopwatch.StartNew();
        var epochClock = Stopwatch.StartNew();
        EpochReport? lastValidation = null;
        long startStep = state.NextStep;

        for (long step = startStep; step < config.TotalSteps; step++)
        {
            int epoch = (int)(step / config.StepsPerEpoch);
            var report = TrainStep(step, epoch, (step - startStep + 1) / Math.Max(clock.Elapsed.TotalSeconds, 1e-9));
            observer.OnStep(report);
            metrics.Log("train", epoch, step, TrainValues(report));
            board.AddScalar("train/loss", (float)report.Loss.Total, step);
            board.AddScalar("train/mel_loss", (float)report.Loss.Mel, step);
            board.AddScalar("train/stft_loss", (float)report.Loss.Stft, step);
            state = state with { NextStep = step + 1 };

            if ((step + 1) % config.StepsPerEpoch == 0)
            {
                // Before the last validation and checkpoint, so both include it.
                if (step + 1 == config.TotalSteps) PowerCalibration.Fit(model, train, config.Stats);
                lastValidation = Validate(epoch, step, epochClock.Elapsed.TotalSeconds);
                epochClock.Restart();
                observer.OnEpoch(lastValidation);
                metrics.Log("val", epoch, step, ValidationValues(lastValidation));
                board.AddScalar("val/loss", (float)lastValidation.Validation.Total, step);
                board.AddScalar("val/mel_loss", (float)lastValidation.Validation.Mel, step);
                board.AddScalar("val/stft_loss", (float)lastValidation.Validation.Stft, step);
                foreach (var h in lastValidation.Health)
                {
                    board.AddScalar($"codebook/utilization_l{h.Level}", (float)h.UtilizationPercent, step);
                    board.AddScalar($"codebook/perplexity_l{h.Level}", (float)h.Perplexity, step);
                    board.AddScalar($"codebook/dead_l{h.Level}", h.DeadCodes, step);
                }
                board.Flush();
                double loss = lastValidation.Validation.Total;
                state = state with { LastValidationLoss = double.IsFinite(loss) ? loss : null };
                WarnLowUtilization(lastValidation);
                SaveCheckpoint();
            }
            if (cancel.IsCancellationRequested || step == stopAfterStep)
            {
                SaveCheckpoint();
                return new TrainingOutcome(TrainingEnd.Interrupted, step + 1, lastValidation,
                                           state.UtilizationWarnings);
            }
        }
        return new TrainingOutcome(TrainingEnd.Completed, config.TotalSteps, lastValidation, state.UtilizationWarnings);
    }

    StepReport TrainStep(long step, int epoch, double stepsPerSecond)
    {
        NativeGarbage.CollectBetweenSteps();
        using var scope = torch.NewDisposeScope();
        int stepSeed = config.StepSeed(step);
        var random = new Random(stepSeed);
        var batch = train.Sample(random, config.BatchSize);
        int levelsUsed = model.Quantizer.DrawLevelCount(random);
        model.train();
        bool adversarial = discriminator is not null && step >= config.AdversarialFromStep;
        if (adversarial) model.FreezeEncoderAndCodebooks();
        var output = adversarial
            ? model.ForwardFixedCodes(batch.Mel, levelsUsed)
            : model.Forward(batch.Mel, training: true, levelsUsed, random);
        var losses = RvqAutoencoder.Losses(output, batch.Mel, batch.LogMagnitude, config.Stats);
        var total = losses.Total;
        AdversarialValues? adversarialValues = null;
        if (adversarial) (total, adversarialValues) = AddAdversarialTerms(total, output, batch);
        adam.ZeroGrad();
        total.backward();
        double lr = config.LearningRateAt(step);
        // A non-finite gradient would poison every weight; skip that update and say so.
        if (double.IsFinite(adam.ClipGradNorm(config.GradientClip))) adam.Step(lr);
        else observer.OnMessage($"warning: step {step}: non-finite gradient, update skipped");

        LevelHealth[]? health = null;
        // Step 0 of epoch 0 is skipped: the codebooks were random until this very batch's k-means.
        if (step > 0 && step % config.HealthEvery == 0)
        {
            var counts = CodebookHealth.NewCounts(config.Model.Levels, config.Model.CodebookSize);
            CodebookHealth.Accumulate(counts, output.Codes);
            health = CodebookHealth.Summarise(counts);
        }
        return new StepReport(epoch, step, config.TotalSteps, Values(losses), lr, levelsUsed, health, stepsPerSecond,
                              adversarialValues);
    }

    /// <summary>One discriminator update on this batch (real against the decoded log-magnitudes), then the
    /// decoder's hinge and feature-matching terms against the updated discriminator, added to
    /// <paramref name="reconstruction"/>.</summary>
    (Tensor Total, AdversarialValues Values) AddAdversarialTerms(Tensor reconstruction, AutoencoderOutput output,
                                                                 FeatureBatch batch)
    {
        var critic = discriminator!;
        var real = batch.LogMagnitude;
        var criticLoss = SpectrogramDiscriminator.DiscriminatorLoss(critic.Forward(real).Logits,
                                                                    critic.Forward(output.LogMagnitude.detach()).Logits);
        discriminatorAdam!.ZeroGrad();
        criticLoss.backward();
        if (double.IsFinite(discriminatorAdam.ClipGradNorm(config.GradientClip)))
            discriminatorAdam.Step(config.DiscriminatorLearningRate);

        Tensor[] realFeatures;
        using (torch.no_grad()) realFeatures = critic.Forward(real).Features;
        // The decoder's terms need no gradient for the critic's own weights.
        foreach (var p in critic.parameters()) p.requires_grad = false;
        var (fakeLogits, fakeFeatures) = critic.Forward(output.LogMagnitude);
        foreach (var p in critic.parameters()) p.requires_grad = true;
        var hinge = SpectrogramDiscriminator.AdversarialLoss(fakeLogits);
        var matching = SpectrogramDiscriminator.FeatureMatchingLoss(realFeatures, fakeFeatures);
        var total = reconstruction + config.AdversarialWeight * hinge + config.FeatureMatchingWeight * matching;
        return (total, new AdversarialValues(criticLoss.item<float>(), hinge.item<float>(), matching.item<float>()));
    }

    /// <summary>Losses and codebook health over the whole validation split, all levels, no updates.</summary>
    EpochReport Validate(int epoch, long step, double secondsPerEpoch)
    {
        using var scope = torch.NewDisposeScope();
        var (loss, health) = Evaluate(model, validation, config.Model, config.Stats);
        return new EpochReport(epoch, step, loss, health, secondsPerEpoch);
    }

    public static (LossValues Loss, LevelHealth[] Health) Evaluate(RvqAutoencoder model, CropBatcher batches,
                                                                   AutoencoderConfig m, FeatureStats stats)
    {
        using var noGrad = torch.no_grad();
        model.eval();
        var counts = CodebookHealth.NewCounts(m.Levels, m.CodebookSize);
        double total = 0, mel = 0, stft = 0, commit = 0; int windows = 0;
        // Batches of 8, chosen when libtorch still probed NNPACK (and warned) from batch 16 up (now off: Nnpack); kept
        // so that evaluations stay comparable with earlier runs.
        foreach (var batch in batches.Windows(8))
        {
            NativeGarbage.CollectBetweenSteps();
            using var scope = torch.NewDisposeScope();
            using var _ = batch;
            var output = model.Forward(batch.Mel, training: false, m.Levels);
            var v = Values(RvqAutoencoder.Losses(output, batch.Mel, batch.LogMagnitude, stats));
            int n = (int)batch.Mel.shape[0];
            total += v.Total * n; mel += v.Mel * n; stft += v.Stft * n; commit += v.Commitment * n; windows += n;
            CodebookHealth.Accumulate(counts, output.Codes);
        }
        var loss = new LossValues(total / windows, mel / windows, stft / windows, commit / windows);
        return (loss, CodebookHealth.Summarise(counts));
    }

    void WarnLowUtilization(EpochReport report)
    {
        if (report.Epoch == 0) return; // codebooks are still settling after k-means
        foreach (var h in report.Health.Where(h => h.UtilizationPercent < config.LowUtilizationPercent))
        {
            string warning = $"epoch {report.Epoch}: level {h.Level} uses {h.UtilizationPercent:F0}% of its codes " +
                             $"(perplexity {h.Perplexity:F1}, {h.DeadCodes} unused)";
            state.UtilizationWarnings.Add(warning);
            observer.OnMessage("warning: " + warning);
        }
    }

    void SaveCheckpoint()
    {
        using var scope = torch.NewDisposeScope(); // no tensor wrappers left for the finalizer thread
        var tensors = model.state_dict().Select(kv => ("model." + kv.Key, kv.Value)).Concat(adam.State());
        if (discriminator is not null)
            tensors = tensors.Concat(discriminator.state_dict().Select(kv => ("discriminator." + kv.Key, kv.Value)))
                             .Concat(discriminatorAdam!.State());
        var header = JsonSerializer.Serialize(new { Config = (object)config, State = state }, Checkpoint.Json);
        Checkpoint.Save(Path.Combine(runDir, CheckpointFile), header, tensors);
    }

    static LossValues Values(AutoencoderLosses l) =>
        new(l.Total.item<float>(), l.Mel.item<float>(), l.Stft.item<float>(), l.Commitment.item<float>());

    /// <param name="adversarial">Whether the run has an adversarial phase (its critic's columns; a run without one
    /// keeps the columns runs had before the phase existed, so resuming one appends rows that match).</param>
    public static string[] MetricColumns(int levels, bool adversarial) =>
        new[] { "loss", "mel_loss", "stft_loss", "commit_loss", "lr", "levels_used" }
            .Concat(adversarial ? ["disc_loss", "adv_loss", "fm_loss"] : [])
            .Concat(Enumerable.Range(0, levels).SelectMany(l => new[] { $"util_l{l}", $"ppl_l{l}", $"dead_l{l}" }))
            .ToArray();


    static Dictionary<string, double> TrainValues(StepReport r)
    {
        var values = LossDictionary(r.Loss);
        values["lr"] = r.LearningRate;
        values["levels_used"] = r.LevelsUsed;
        if (r.Adversarial is { } a)
        {
            values["disc_loss"] = a.Discriminator;
            values["adv_loss"] = a.Adversarial;
            values["fm_loss"] = a.FeatureMatching;
        }
        if (r.BatchHealth is { } health) AddHealth(values, health);
        return values;
    }

    static Dictionary<string, double> ValidationValues(EpochReport r)
    {
        var values = LossDictionary(r.Validation);
        AddHealth(values, r.Health);
        return values;
    }

    static Dictionary<string, double> LossDictionary(LossValues l) => new()
    {
        ["loss"] = l.Total, ["mel_loss"] = l.Mel, ["stft_loss"] = l.Stft, ["commit_loss"] = l.Commitment,
    };

    static void AddHealth(Dictionary<string, double> values, LevelHealth[] health)
    {
        foreach (var h in health)
        {
            values[$"util_l{h.Level}"] = h.UtilizationPercent;
            values[$"ppl_l{h.Level}"] = h.Perplexity;
            values[$"dead_l{h.Level}"] = h.DeadCodes;
        }
    }
}
