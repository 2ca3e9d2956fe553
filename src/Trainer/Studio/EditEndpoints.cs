using Distill.Runtime.Engine;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Distill.Runtime.Sampling;

namespace Distill.Trainer.Studio;

/// <summary>The code grid editor's API: one session per world (see <see cref="EditSessions"/>); each change answers
/// with the grid it leaves, so the page redraws from one reply.</summary>
public static class EditEndpoints
{
    public sealed record OpenRequest(string Path, string Tab, bool TakeOver);
    public sealed record RegenerateRequest(GridRegion Region, float Temperature = 1, int TopK = 0, float TopP = 1,
                                           int Seed = 1);
    public sealed record PasteRequest(int Anchor, int TimeStep, int Frequency, GridClip Clip);
    public sealed record LockRequest(GridRegion Region, bool Locked);

    public static void Map(RouteGroupBuilder api, StudioState state)
    {
        api.MapPost("/edit/open", async (HttpRequest request) =>
        {
            var body = await JsonBody.Read<OpenRequest>(request);
            if (string.IsNullOrWhiteSpace(body.Tab))
                throw StudioRequestException.BadRequest("The request must name its tab (any id unique to the tab).");
            var world = state.Worlds.Get(state.Root.Resolve(WorldEndpoints.Required(body.Path)));
            var (id, _) = state.Edits.Open(world, body.Tab, body.TakeOver);
            return Results.Json(new { session = id, world = WorldEndpoints.Summary(world, state.Root) },
                                JsonBody.Options);
        });

        var session = api.MapGroup("/edit/{id}");
        session.MapPost("/close", (string id) =>
        {
            state.Edits.Close(id);
            return Results.NoContent();
        });
        session.MapGet("/grid", (string id, int anchor) => Grid(state, id, e => anchor));
        session.MapPost("/regenerate", async (string id, HttpRequest request) =>
        {
            var body = await JsonBody.Read<RegenerateRequest>(request);
            if (body.Region is null) throw StudioRequestException.BadRequest("Give the region to regenerate.");
            if (!float.IsFinite(body.Temperature) || body.Temperature is < 0 or > 5 || body.TopK < 0
                || body.TopP is <= 0 or > 1 || !float.IsFinite(body.TopP))
                throw StudioRequestException.BadRequest(
                    "Temperature must be 0–5, top-k 0 (all) or more, top-p above 0 and at most 1.");
            return Grid(state, id, e =>
            {
                e.Regenerate(body.Region, new SamplingSettings(body.Temperature, body.TopK, body.TopP), body.Seed);
                return body.Region.Anchor;
            });
        });
        session.MapPost("/copy", async (string id, HttpRequest request) =>
        {
            var region = await JsonBody.Read<GridRegion>(request);
            return Results.Json(state.Edits.With(id, e => e.Copy(region)), JsonBody.Options);
        });
        session.MapPost("/paste", async (string id, HttpRequest request) =>
        {
            var body = await JsonBody.Read<PasteRequest>(request);
            if (body.Clip is null)
                throw StudioRequestException.BadRequest("Give the clip to paste (copy a region first).");
            return Grid(state, id, e =>
            {
                e.Paste(body.Anchor, body.TimeStep, body.Frequency, body.Clip);
                return body.Anchor;
            });
        });
        session.MapPost("/lock", async (string id, HttpRequest request) =>
        {
            var body = await JsonBody.Read<LockRequest>(request);
            if (body.Region is null) throw StudioRequestException.BadRequest("Give the region to lock or unlock.");
            return Grid(state, id, e =>
            {
                e.Lock(body.Region, body.Locked);
                return body.Region.Anchor;
            });
        });
        session.MapPost("/undo", (string id) => Grid(state, id, e => e.Undo()));
        session.MapPost("/redo", (string id) => Grid(state, id, e => e.Redo()));
        session.MapGet("/audio", (string id, int anchor) =>
        {
            var (tokens, world) = state.Edits.With(id, e => (e.Snapshot(anchor), e.World));
            var audio = VoiceRenderer.Replay(world.Models, tokens);
            return Results.Bytes(AnchorAudition.Wav(audio, world.Bundle.Manifest.Audio.SampleRate), "audio/wav");
        });
        session.MapPost("/save", (string id) =>
        {
            var (path, anchors) = state.Edits.With(id, EditedWorldWriter.Save);
            return Results.Json(new { path = state.Root.Relative(path), anchors }, JsonBody.Options);
        });
    }

    static IResult Grid(StudioState state, string id, Func<CodeGridEdit, int> change) =>
        Results.Json(state.Edits.With(id, e => e.Grid(change(e))), JsonBody.Options);
}
