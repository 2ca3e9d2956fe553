using Distill.Runtime.Engine;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
namespace Distill.Trainer.Studio;

/// <summary>The Inspect view's API: a world's summary, anchor thumbnails and anchor audio.</summary>
public static class WorldEndpoints
{
    public static void Map(RouteGroupBuilder api, StudioState state)
    {
        api.MapGet("/world", (string? path) =>
        {
            var world = state.Worlds.Get(state.Root.Resolve(Required(path)));
            return Results.Json(Summary(world, state.Root), JsonBody.Options);
        });

        api.MapGet("/world/thumbnail", (string? path, int anchor) =>
        {
            var world = state.Worlds.Get(state.Root.Resolve(Required(path)));
            var tokens = Anchor(world, anchor);
            var audio = VoiceRenderer.Replay(world.Models, tokens);
            return Results.Json(AnchorAudition.Thumbnail(audio, world.Bundle.Manifest.Audio.SampleRate),
                                JsonBody.Options);
        });

        api.MapGet("/world/audio", (string? path, int anchor) =>
        {
            var world = state.Worlds.Get(state.Root.Resolve(Required(path)));
            var audio = VoiceRenderer.Replay(world.Models, Anchor(world, anchor));
            return Results.Bytes(AnchorAudition.Wav(audio, world.Bundle.Manifest.Audio.SampleRate), "audio/wav");
        });
    }

    public static object Summary(LoadedWorld world, AllowedRoot root)
    {
        var m = world.Bundle.Manifest;
        return new
        {
            path = root.Relative(world.Path), fileBytes = new FileInfo(world.Path).Length,
            m.Name, m.Producer, m.Created, m.FormatVersion, m.ModelType, m.Audio, m.Grid, m.Quantizer, m.Prior,
            m.Training,
            anchors = world.Bundle.Anchors.Select((a, i) =>
                new { index = i, a.Name, a.TimeSteps, seconds = a.TimeSteps / m.Grid.StepsPerSecond }),
            m.Members,
        };
    }

    public static Runtime.Bundle.AnchorTokens Anchor(LoadedWorld world, int anchor) =>
        anchor >= 0 && anchor < world.Bundle.Anchors.Count ? world.Bundle.Anchors[anchor]
            : throw StudioRequestException.BadRequest(
                $"This world has anchors 0–{world.Bundle.Anchors.Count - 1}; there is no anchor {anchor}.");

    public static string Required(string? path) =>
        string.IsNullOrWhiteSpace(path)
            ? throw StudioRequestException.BadRequest("Which world? Give its path (a .distill file or a run folder).")
            : path;
}
