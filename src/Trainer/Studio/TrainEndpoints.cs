using Distill.Trainer.Autoencoder;
using Distill.Trainer.Pipeline;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
namespace Distill.Trainer.Studio;

/// <summary>The Train view's API: configuration table, start, stop, resume, status and the live event stream.</summary>
public static class TrainEndpoints
{
    public sealed record ConfigRequest(string Folder, string? RunDir, Dictionary<string, double>? Overrides);
    public sealed record ResumeRequest(string RunDir);

    public static void Map(RouteGroupBuilder api, StudioState state, CancellationToken serverStopping)
    {
        api.MapPost("/train/config", async (HttpRequest request) =>
        {
            var body = await JsonBody.Read<ConfigRequest>(request);
            string folder = state.Root.Resolve(body.Folder);
            if (!Directory.Exists(folder)) throw StudioRequestException.NotFound($"'{body.Folder}' is not a folder.");
            var corpus = state.Corpora.Load(folder);
            string runDir = state.Root.Resolve(body.RunDir ?? DefaultRunDir(body.Folder));
            var (train, prior) = TrainSettings.Options(folder, runDir, body.Overrides);
            var config = RunConfig.Resolve(train, corpus, prior);
            return Results.Json(new
            {
                folder = state.Root.Relative(folder),
                runDir = body.RunDir ?? DefaultRunDir(body.Folder),
                files = corpus.Clips.Count, seconds = corpus.Clips.Sum(c => c.Seconds),
                skipped = corpus.Skipped.Select(s => new { file = s.RelativePath, s.Reason }),
                warnings = corpus.Warnings,
                rows = TrainSettings.Rows(config, corpus, prior, body.Overrides),
            }, JsonBody.Options);
        });

        api.MapPost("/train/start", async (HttpRequest request) =>
        {
            var body = await JsonBody.Read<ConfigRequest>(request);
            string folder = state.Root.Resolve(body.Folder);
            if (!Directory.Exists(folder)) throw StudioRequestException.NotFound($"'{body.Folder}' is not a folder.");
            string runDir = state.Root.Resolve(body.RunDir ?? DefaultRunDir(body.Folder));
            if (File.Exists(Path.Combine(runDir, AutoencoderTrainer.CheckpointFile)))
                throw StudioRequestException.Conflict($"'{state.Root.Relative(runDir)}' already holds a run: " +
                                                      "resume it, or choose another run folder.");
            var (train, prior) = TrainSettings.Options(folder, runDir, body.Overrides);
            state.Training.Start(train, prior, state.Corpora.Load(folder));
            return Results.Json(state.Training.Status, statusCode: StatusCodes.Status202Accepted);
        });

        api.MapPost("/train/resume", async (HttpRequest request) =>
        {
            var body = await JsonBody.Read<ResumeRequest>(request);
            state.Training.Resume(state.Root.Resolve(body.RunDir));
            return Results.Json(state.Training.Status, statusCode: StatusCodes.Status202Accepted);
        });

        api.MapPost("/train/stop", () =>
        {
            state.Training.Stop();
            return Results.Json(state.Training.Status, statusCode: StatusCodes.Status202Accepted);
        });

        api.MapGet("/train/status", () => Results.Json(state.Training.Status));
        api.MapGet("/train/events", (HttpContext context) => state.Training.Events.Stream(context, serverStopping));
    }

    /// <summary>Runs go beside the sounds: <c>&lt;folder&gt;-run</c>.</summary>
    static string DefaultRunDir(string folder) =>
        folder.TrimEnd('/') is "" or "." ? "run" : folder.TrimEnd('/') + "-run";

}
